/* test_phone.c: unit tests for parsers/phone.c: E.164 normalisation, names and short codes. */
#include <stdint.h>
#include <stdlib.h>

#include "phone.h"
#include "unit.h"

struct phone_case {
	const char *in;
	int cc;
	enum phone_kind kind;
	const char *out;
};

static const struct phone_case cases[] = {
	/* Indonesian numbers in every usual spelling. */
	{ "0811-3103-001", 62, PHONE_NUMBER, "+628113103001" },
	{ "08113103001", 62, PHONE_NUMBER, "+628113103001" },
	{ "+628113103001", 62, PHONE_NUMBER, "+628113103001" },
	{ "628113103001", 62, PHONE_NUMBER, "+628113103001" },
	{ "0062 811 3103 001", 62, PHONE_NUMBER, "+628113103001" },
	{ "(0811) 3103.001", 62, PHONE_NUMBER, "+628113103001" },
	{ "8113103001", 62, PHONE_NUMBER, "+628113103001" },
	{ "+62 811-3103-001", 62, PHONE_NUMBER, "+628113103001" },
	{ "+62-811-3103-001", 62, PHONE_NUMBER, "+628113103001" },
	{ "+62 (811) 3103 001", 62, PHONE_NUMBER, "+628113103001" },
	{ "0811 3103 001", 62, PHONE_NUMBER, "+628113103001" },
	{ "0811.3103.001", 62, PHONE_NUMBER, "+628113103001" },
	{ " 08113103001 \r\n", 62, PHONE_NUMBER, "+628113103001" },
	{ "\t+628113103001\t", 62, PHONE_NUMBER, "+628113103001" },
	{ "0811\t3103\t001", 62, PHONE_NUMBER, "+628113103001" },
	{ "0852-1234-5678", 62, PHONE_NUMBER, "+6285212345678" },
	{ "021-3456789", 62, PHONE_NUMBER, "+62213456789" },
	{ "(021) 345 6789", 62, PHONE_NUMBER, "+62213456789" },
	{ "0274 123456", 62, PHONE_NUMBER, "+62274123456" },
	{ "6281234567", 62, PHONE_NUMBER, "+6281234567" },	/* 62 + 8 digits: international */
	{ "621234567", 62, PHONE_NUMBER, "+62621234567" },	/* 62 + 7 digits: national */
	{ "1234567", 62, PHONE_NUMBER, "+621234567" },
	{ "0811310", 62, PHONE_NUMBER, "+62811310" },
	{ "08113103001123", 62, PHONE_NUMBER, "+628113103001123" },	/* 15 digits */

	/* Other countries. */
	{ "+1 415 555 0100", 62, PHONE_NUMBER, "+14155550100" },
	{ "+1 (415) 555-0100", 62, PHONE_NUMBER, "+14155550100" },
	{ "001 415 555 0100", 62, PHONE_NUMBER, "+14155550100" },
	{ "+44 7911 123456", 62, PHONE_NUMBER, "+447911123456" },
	{ "+60 12-345 6789", 62, PHONE_NUMBER, "+60123456789" },
	{ "+2901234", 62, PHONE_NUMBER, "+2901234" },	/* 7 digits: the shortest accepted */
	{ "+123456789012345", 62, PHONE_NUMBER, "+123456789012345" },
	{ "4155550100", 1, PHONE_NUMBER, "+14155550100" },
	{ "14155550100", 1, PHONE_NUMBER, "+14155550100" },
	{ "(415) 555-0100", 1, PHONE_NUMBER, "+14155550100" },
	{ "07911 123456", 44, PHONE_NUMBER, "+447911123456" },
	{ "447911123456", 44, PHONE_NUMBER, "+447911123456" },
	{ "0401234567", 358, PHONE_NUMBER, "+358401234567" },
	{ "358401234567", 358, PHONE_NUMBER, "+358401234567" },
	{ "+628113103001", 0, PHONE_NUMBER, "+628113103001" },
	{ "0062 811 3103 001", 0, PHONE_NUMBER, "+628113103001" },

	/* Short codes: the digits, as a name. */
	{ "3636", 62, PHONE_NAME, "3636" },
	{ "123", 62, PHONE_NAME, "123" },
	{ "1", 62, PHONE_NAME, "1" },
	{ "0", 62, PHONE_NAME, "0" },
	{ "123456", 62, PHONE_NAME, "123456" },
	{ "36-36", 62, PHONE_NAME, "3636" },
	{ " (3636) ", 62, PHONE_NAME, "3636" },
	{ "0062", 62, PHONE_NAME, "0062" },
	{ "62811", 62, PHONE_NAME, "62811" },
	{ "3636", 0, PHONE_NAME, "3636" },

	/* Alphanumeric senders. */
	{ "TELKOMSEL", 62, PHONE_NAME, "TELKOMSEL" },
	{ "Info-BNI", 62, PHONE_NAME, "Info-BNI" },
	{ "BNI46", 62, PHONE_NAME, "BNI46" },
	{ "0811abc", 62, PHONE_NAME, "0811abc" },
	{ "Info BNI", 62, PHONE_NAME, "Info BNI" },
	{ "  TELKOMSEL  ", 62, PHONE_NAME, "TELKOMSEL" },
	{ "tokopedia", 62, PHONE_NAME, "tokopedia" },
	{ "ABCDEFGHIJKLMNOP", 62, PHONE_NAME, "ABCDEFGHIJKLMNOP" },	/* 16: fits */
	{ "ABCDEFGHIJKLMNOPQ", 62, PHONE_NAME, "ABCDEFGHIJKLMNOP" },	/* 17: cut */
	{ "VeryLongSenderNameHere", 62, PHONE_NAME, "VeryLongSenderNa" },
	{ "T\xc3\xa9lkom", 62, PHONE_NAME, "Tlkom" },
	{ "\xc3\xa9 X", 62, PHONE_NAME, "X" },
	{ "Info\tBNI", 62, PHONE_NAME, "InfoBNI" },
	{ "Info\x1b[2JBNI", 62, PHONE_NAME, "Info[2JBNI" },
	{ "a@b.id", 62, PHONE_NAME, "a@b.id" },
	{ "0811-abc", 0, PHONE_NAME, "0811-abc" },

	/* Invalid. */
	{ "", 62, PHONE_INVALID, "" },
	{ "   ", 62, PHONE_INVALID, "" },
	{ "\r\n", 62, PHONE_INVALID, "" },
	{ "+", 62, PHONE_INVALID, "" },
	{ "+ ", 62, PHONE_INVALID, "" },
	{ "++628113103001", 62, PHONE_INVALID, "" },
	{ "+62811+3103001", 62, PHONE_INVALID, "" },
	{ "08113103001+", 62, PHONE_INVALID, "" },
	{ "+TELKOMSEL", 62, PHONE_INVALID, "" },
	{ "+62811abc", 62, PHONE_INVALID, "" },
	{ "+1234567890123456", 62, PHONE_INVALID, "" },	/* 16 digits */
	{ "12345678901234567", 62, PHONE_INVALID, "" },
	{ "081131030011234", 62, PHONE_INVALID, "" },	/* 62 + 14 digits */
	{ "00123456789012345678", 62, PHONE_INVALID, "" },
	{ "123456789012345678901234567890", 62, PHONE_INVALID, "" },
	{ "+0811", 62, PHONE_INVALID, "" },
	{ "+08113103001", 62, PHONE_INVALID, "" },
	{ "+123", 62, PHONE_INVALID, "" },
	{ "+123456", 62, PHONE_INVALID, "" },
	{ "00 0811 3103 001", 62, PHONE_INVALID, "" },
	{ "0000000", 62, PHONE_INVALID, "" },
	{ "0811#3103", 62, PHONE_INVALID, "" },
	{ "*123#", 62, PHONE_INVALID, "" },
	{ "0811/3103/001", 62, PHONE_INVALID, "" },
	{ "08113103001\xc2\xa0", 62, PHONE_INVALID, "" },
	{ "\xef\xbc\x90\xef\xbc\x98\xef\xbc\x91\xef\xbc\x91", 62, PHONE_INVALID, "" },
	{ "\xc3\xa9", 62, PHONE_INVALID, "" },
	{ "---", 62, PHONE_INVALID, "" },
	{ "()", 62, PHONE_INVALID, "" },
	{ "...", 62, PHONE_INVALID, "" },
	{ "08113103001", 0, PHONE_INVALID, "" },	/* national but no country code */
	{ "8113103001", 0, PHONE_INVALID, "" },
	{ "08113103001", -62, PHONE_INVALID, "" },
	{ "08113103001", 1000, PHONE_INVALID, "" },
};

static void
test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct phone_case *c = &cases[i];
		size_t n = strlen(c->in);
		char *buf = dup_exact(c->in, n);
		char out[PHONE_MAX];
		enum phone_kind k;

		memset(out, 'x', sizeof out);
		k = phone_normalize(buf, n, c->cc, out);
		CHECK(k == c->kind);
		if (k != c->kind)
			fprintf(stderr, "  input \"%s\" cc %d: kind %d, want %d\n", c->in, c->cc, (int)k,
				(int)c->kind);
		CHECK_STR(out, c->out);
		CHECK(strlen(out) < PHONE_MAX);
		free(buf);
	}
}

static void
test_special(void)
{
	char out[PHONE_MAX], again[PHONE_MAX];

	CHECK(phone_normalize(NULL, 0, 62, out) == PHONE_INVALID && out[0] == '\0');
	CHECK(phone_normalize(NULL, 12, 62, out) == PHONE_INVALID);
	CHECK(phone_normalize("08113103001", 11, 62, NULL) == PHONE_INVALID);
	/* The length, not a NUL, ends the input. */
	CHECK(phone_normalize("08113103001999", 11, 62, out) == PHONE_NUMBER);
	CHECK_STR(out, "+628113103001");
	CHECK(phone_normalize("0811\0" "3103001", 12, 62, out) == PHONE_INVALID);
	CHECK(phone_normalize("TELKOMSEL", 3, 62, out) == PHONE_NAME);
	CHECK_STR(out, "TEL");
	/* Normalising a normalised number gives it back, whatever default_cc is. */
	CHECK(phone_normalize("0811-3103-001", 13, 62, out) == PHONE_NUMBER);
	CHECK(phone_normalize(out, strlen(out), 1, again) == PHONE_NUMBER);
	CHECK_STR(again, out);
	/* The same number in all its spellings gives one result. */
	{
		static const char *const same[] = {
			"0811-3103-001", "08113103001", "+628113103001", "628113103001",
			"0062 811 3103 001", "(0811) 3103.001", "8113103001", "+62-811-3103-001",
		};
		size_t agree = 0;

		for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
			if (phone_normalize(same[i], strlen(same[i]), 62, out) == PHONE_NUMBER &&
			    strcmp(out, "+628113103001") == 0)
				agree++;
		CHECK(agree == sizeof same / sizeof same[0]);
	}
}

/* 1 when out is a well-formed result of kind k. */
static int
result_sane(enum phone_kind k, const char *out)
{
	size_t n = strlen(out);

	if (n >= PHONE_MAX)
		return 0;
	if (k == PHONE_INVALID)
		return n == 0;
	if (k == PHONE_NAME) {
		if (n == 0 || out[0] == ' ' || out[n - 1] == ' ')
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
				return 0;
		return 1;
	}
	if (k != PHONE_NUMBER || out[0] != '+' || n < 8 || n > 16 || out[1] == '0')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (out[i] < '0' || out[i] > '9')
			return 0;
	return 1;
}

/* Random bytes, and random strings of phone-like characters. */
static void
test_random(void)
{
	static const char alphabet[] = "0123456789000000+ -.()#*aZ\t\xc2\xa0";
	size_t size = 1024 * 1024, bad = 0, numbers = 0, names = 0;
	unsigned char *buf = malloc(size);

	if (buf == NULL)
		exit(2);
	for (size_t i = 0; i < size; i++)
		buf[i] = (unsigned char)rng();
	for (int k = 0; k < 20000; k++) {
		size_t off = rng() % size, len = rng() % 40;
		char out[PHONE_MAX];
		char *s;
		enum phone_kind kind;

		if (len > size - off)
			len = size - off;
		s = dup_exact((const char *)buf + off, len);
		kind = phone_normalize(s, len, 62, out);
		if (!result_sane(kind, out))
			bad++;
		free(s);
	}
	{
		char out[PHONE_MAX];
		/* The whole megabyte at once. */
		enum phone_kind kind = phone_normalize((const char *)buf, size, 62, out);

		CHECK(result_sane(kind, out));
	}
	for (int k = 0; k < 50000; k++) {
		size_t len = rng() % 24;
		char out[PHONE_MAX], again[PHONE_MAX];
		char *s = malloc(len > 0 ? len : 1);
		enum phone_kind kind;

		if (s == NULL)
			exit(2);
		for (size_t i = 0; i < len; i++)
			s[i] = alphabet[rng() % (sizeof alphabet - 1)];
		kind = phone_normalize(s, len, 62, out);
		if (!result_sane(kind, out))
			bad++;
		if (kind == PHONE_NUMBER) {
			numbers++;
			if (phone_normalize(out, strlen(out), 62, again) != PHONE_NUMBER ||
			    strcmp(out, again) != 0)
				bad++;
		} else if (kind == PHONE_NAME) {
			names++;
		}
		free(s);
	}
	CHECK(bad == 0);
	CHECK(numbers > 0 && names > 0);
	free(buf);
}

int
main(void)
{
	unit_rng_state = 0x2545f4914f6cdd1du;
	test_table();
	test_special();
	test_random();
	return unit_done("phone");
}
