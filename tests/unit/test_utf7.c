/* test_utf7.c: imap_utf7_encode against RFC 3501's examples and ours. */
#include "unit.h"
#include "utf7.h"

static const struct {
	const char *in, *out;
} cases[] = {
	{ "INBOX", "INBOX" },
	{ "", "" },
	{ "Pengaduan & Keluhan", "Pengaduan &- Keluhan" },
	{ "&", "&-" },
	{ "Selesai \xe2\x80\x93 Caf\xc3\xa9", "Selesai &IBM- Caf&AOk-" },
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },	/* RFC 3501 5.1.3 */
	{ "\xf0\x9f\x99\x8f", "&2D3eTw-" },	/* a surrogate pair */
	{ "a\tb", "a&AAk-b" },			/* control characters are encoded */
	{ "x\xff", "x&,,0-" },			/* invalid UTF-8 becomes U+FFFD */
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);
		char *copy = dup_exact(cases[i].in, len);
		char *got = imap_utf7_encode(copy, len);

		CHECK_STR(got, cases[i].out);
		free(got);
		free(copy);
	}
	return unit_done("utf7");
}
