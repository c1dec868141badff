/* test_address.c: address_valid on plain, hostile and malformed addresses. */
#include "address.h"
#include "unit.h"

static const struct {
	const char *addr;
	int valid;
} cases[] = {
	{ "helpdesk@banyuwangikab.go.id", 1 },
	{ "budi.santoso@dinkes.banyuwangikab.go.id", 1 },
	{ "a@b", 1 },
	{ "first+tag@example.org", 1 },
	{ "", 0 },
	{ "@", 0 },
	{ "noat.example.org", 0 },
	{ "@example.org", 0 },
	{ "user@", 0 },
	{ "two@at@example.org", 0 },
	{ "user@.example.org", 0 },
	{ "user@example.org.", 0 },
	{ "user@example..org", 0 },
	{ "with space@example.org", 0 },
	{ "tab\t@example.org", 0 },
	{ "a@b.go.id\r\nBcc: x@y.id", 0 },
	{ "Name <user@example.org>", 0 },
	{ "\"quoted\"@example.org", 0 },
	{ "user@[127.0.0.1]", 0 },
	{ "user@exa;mple.org", 0 },
	{ "del\x7f@example.org", 0 },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].addr);
		char *copy = dup_exact(cases[i].addr, len);	/* no terminator */
		int got = address_valid(copy, len);

		if (got != cases[i].valid)
			fprintf(stderr, "address_valid(\"%s\") = %d\n", cases[i].addr, got);
		CHECK(got == cases[i].valid);
		free(copy);
	}
	/* A NUL inside the given length is not an address character. */
	CHECK(address_valid("a@b\0c", 5) == 0);
	return unit_done("address");
}
