/* test_text.c: unit tests for parsers/text.c: UTF-16BE/UTF-8, validation, repair, one-line text. */
#include <stdint.h>
#include <stdlib.h>

#include "text.h"
#include "unit.h"

#define PRAY	"\xf0\x9f\x99\x8f"	/* U+1F64F, an emoji outside the BMP */
#define FFFD	"\xef\xbf\xbd"		/* U+FFFD */
/* "printer" in Javanese script (U+A980..U+A9DF): 8 characters, 24 bytes */
#define JAVA	"\xea\xa6\xa5\xea\xa6\xbf\xea\xa6\xb6\xea\xa6\xa4\xea\xa7\x80\xea\xa6\xa0\xea\xa6\xbc\xea\xa6\x82"

struct u16_case {
	const char *in;		/* big-endian UTF-16 bytes */
	size_t nunits;
	const char *out;	/* UTF-8 */
};

static const struct u16_case u16_cases[] = {
	{ "", 0, "" },
	{ "\0A", 1, "A" },
	{ "\0H\0D\0-\0\x34\0\x32", 5, "HD-42" },
	{ "\0\xe9", 1, "\xc3\xa9" },
	{ "\0\x7f", 1, "\x7f" },
	{ "\0\x80", 1, "\xc2\x80" },
	{ "\x07\xff", 1, "\xdf\xbf" },
	{ "\x08\x00", 1, "\xe0\xa0\x80" },
	{ "\x20\xac", 1, "\xe2\x82\xac" },
	{ "\xa9\xa5", 1, "\xea\xa6\xa5" },
	{ "\xd7\xff", 1, "\xed\x9f\xbf" },
	{ "\xe0\x00", 1, "\xee\x80\x80" },
	{ "\xff\xfd", 1, FFFD },
	{ "\xff\xff", 1, "\xef\xbf\xbf" },
	{ "\xfe\xff", 1, "\xef\xbb\xbf" },
	{ "\xd8\x3d\xde\x4f", 2, PRAY },
	{ "\xd8\x00\xdc\x00", 2, "\xf0\x90\x80\x80" },
	{ "\xdb\xff\xdf\xff", 2, "\xf4\x8f\xbf\xbf" },
	{ "\0a\xd8\x3d\xde\x4f\0b", 4, "a" PRAY "b" },
	{ "\0\0", 1, FFFD },
	{ "\0a\0\0\0b", 3, "a" FFFD "b" },
	{ "\xd8\x3d", 1, FFFD },			/* high surrogate at the end */
	{ "\xd8\x3d\0A", 2, FFFD "A" },		/* high surrogate, then a letter */
	{ "\xde\x4f", 1, FFFD },			/* lone low surrogate */
	{ "\xde\x4f\xd8\x3d", 2, FFFD FFFD },	/* pair in the wrong order */
	{ "\xd8\x3d\xd8\x3d\xde\x4f", 3, FFFD PRAY },	/* two highs, one low */
	{ "\xdc\x00\xdc\x00", 2, FFFD FFFD },
	{ "\0P\0r\0i\0n\0t\0e\0r\0 \0r\0u\0s\0a\0k\0 \xd8\x3d\xde\x4f", 16, "Printer rusak " PRAY },
	{ "\xa9\xa5\xa9\xbf\xa9\xb6\xa9\xa4\xa9\xc0\xa9\xa0\xa9\xbc\xa9\x82", 8, JAVA },
};

static void
test_utf16_to_utf8(void)
{
	for (size_t i = 0; i < sizeof u16_cases / sizeof u16_cases[0]; i++) {
		const struct u16_case *c = &u16_cases[i];
		unsigned char *in = (unsigned char *)dup_exact(c->in, 2 * c->nunits);
		size_t outlen = 12345;
		char *out = utf16be_to_utf8(in, c->nunits, &outlen);

		CHECK(out != NULL);
		CHECK_STR(out, c->out);
		CHECK(outlen == strlen(c->out));
		CHECK(out != NULL && utf8_valid(out, outlen));
		free(out);
		free(in);
	}
	{
		size_t outlen = 7;
		char *out = utf16be_to_utf8(NULL, 0, &outlen);

		CHECK(out != NULL && out[0] == '\0' && outlen == 0);
		free(out);
		out = utf16be_to_utf8((const unsigned char *)"\0a\0b", 2, NULL);
		CHECK_STR(out, "ab");
		free(out);
		/* The unit count, not a terminator, bounds the input. */
		out = utf16be_to_utf8((const unsigned char *)"\0a\0b\0c", 1, &outlen);
		CHECK_STR(out, "a");
		free(out);
		/* A pair split by the unit count is an unpaired high surrogate. */
		out = utf16be_to_utf8((const unsigned char *)"\xd8\x3d\xde\x4f", 1, &outlen);
		CHECK_STR(out, FFFD);
		free(out);
	}
}

struct u8_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *out;	/* big-endian UTF-16 bytes */
	size_t nunits;
};

static const struct u8_case u8_cases[] = {
	{ "", 0, "", 0 },
	{ "A", 0, "\0A", 1 },
	{ "HD-42", 0, "\0H\0D\0-\0\x34\0\x32", 5 },
	{ "\xc3\xa9\xe2\x82\xac", 0, "\0\xe9\x20\xac", 2 },
	{ PRAY, 0, "\xd8\x3d\xde\x4f", 2 },
	{ "\xf4\x8f\xbf\xbf", 0, "\xdb\xff\xdf\xff", 2 },
	{ "\xf0\x90\x80\x80", 0, "\xd8\x00\xdc\x00", 2 },
	{ "a" PRAY "b", 0, "\0a\xd8\x3d\xde\x4f\0b", 4 },
	{ JAVA, 0, "\xa9\xa5\xa9\xbf\xa9\xb6\xa9\xa4\xa9\xc0\xa9\xa0\xa9\xbc\xa9\x82", 8 },
	{ "\xff", 0, "\xff\xfd", 1 },
	{ "a\xffz", 0, "\0a\xff\xfd\0z", 3 },
	{ "\xc0\xaf", 0, "\xff\xfd\xff\xfd", 2 },		/* overlong '/' */
	{ "\xe0\x80\xaf", 0, "\xff\xfd\xff\xfd\xff\xfd", 3 },
	{ "\xe2\x82", 0, "\xff\xfd", 1 },			/* truncated: one U+FFFD */
	{ "\xe2\x82z", 0, "\xff\xfd\0z", 2 },
	{ "\xf0\x9f\x99", 0, "\xff\xfd", 1 },
	{ "\xed\xa0\x80", 0, "\xff\xfd\xff\xfd\xff\xfd", 3 },	/* surrogate */
	{ "\xf4\x90\x80\x80", 0, "\xff\xfd\xff\xfd\xff\xfd\xff\xfd", 4 },	/* > U+10FFFF */
	{ "\x80\x80", 0, "\xff\xfd\xff\xfd", 2 },
	{ "a\0b", 3, "\0a\xff\xfd\0b", 3 },			/* U+0000 becomes U+FFFD */
};

static void
test_utf8_to_utf16(void)
{
	for (size_t i = 0; i < sizeof u8_cases / sizeof u8_cases[0]; i++) {
		const struct u8_case *c = &u8_cases[i];
		size_t len = c->len ? c->len : strlen(c->in), n = 999;
		char *in = dup_exact(c->in, len);
		unsigned char *out = utf8_to_utf16be(in, len, &n);

		CHECK(out != NULL);
		CHECK(n == c->nunits);
		if (n != c->nunits)
			fprintf(stderr, "  case %zu: %zu units, want %zu\n", i, n, c->nunits);
		CHECK(out != NULL && n == c->nunits && memcmp(out, c->out, 2 * n) == 0);
		CHECK(out != NULL && n == c->nunits && out[2 * n] == 0 && out[2 * n + 1] == 0);
		free(out);
		free(in);
	}
	{
		size_t n = 5;
		unsigned char *out = utf8_to_utf16be(NULL, 0, &n);

		CHECK(out != NULL && n == 0 && out[0] == 0 && out[1] == 0);
		free(out);
		out = utf8_to_utf16be("ab", 2, NULL);
		CHECK(out != NULL && memcmp(out, "\0a\0b\0", 6) == 0);
		free(out);
	}

	/* Valid text survives the round trip unchanged. */
	{
		static const char *const texts[] = {
			"HELPDESK printer rusak " PRAY,
			"HELPDESK " JAVA,
			"Komputer di Bagian Umum mati, kabel \xe2\x80\x9cpower\xe2\x80\x9d putus \xe2\x80\x94 mohon dibantu",
			"\xe4\xbd\xa0\xe5\xa5\xbd \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xf0\x9f\x87\xae\xf0\x9f\x87\xa9",
			"\xef\xbb\xbf\xc2\xa0\xf4\x8f\xbf\xbf\x7f\x01",
		};

		for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
			size_t n, back_len;
			unsigned char *u = utf8_to_utf16be(texts[i], strlen(texts[i]), &n);
			char *back = u ? utf16be_to_utf8(u, n, &back_len) : NULL;

			CHECK_STR(back, texts[i]);
			CHECK(back != NULL && back_len == strlen(texts[i]));
			free(back);
			free(u);
		}
	}
}

struct valid_case {
	const char *in;
	int valid;
};

static const struct valid_case valid_cases[] = {
	{ "", 1 },
	{ "abc", 1 },
	{ "HELPDESK printer rusak " PRAY, 1 },
	{ JAVA, 1 },
	{ "\x7f", 1 },
	{ "\xc2\x80", 1 },
	{ "\xc3\xa9", 1 },
	{ "\xdf\xbf", 1 },
	{ "\xe0\xa0\x80", 1 },
	{ "\xe2\x82\xac", 1 },
	{ "\xed\x9f\xbf", 1 },		/* U+D7FF */
	{ "\xee\x80\x80", 1 },		/* U+E000 */
	{ "\xef\xbf\xbf", 1 },		/* U+FFFF */
	{ "\xef\xbb\xbf", 1 },		/* BOM */
	{ "\xf0\x90\x80\x80", 1 },
	{ PRAY, 1 },
	{ "\xf4\x8f\xbf\xbf", 1 },	/* U+10FFFF */
	{ "\x80", 0 },
	{ "\xbf", 0 },
	{ "a\x80", 0 },
	{ "\xc0\x80", 0 },		/* overlong NUL */
	{ "\xc0\xaf", 0 },
	{ "\xc1\xbf", 0 },
	{ "\xc2", 0 },
	{ "\xc2\x41", 0 },
	{ "\xc2\xc2\xa0", 0 },
	{ "\xe0\x80\x80", 0 },		/* overlong */
	{ "\xe0\x9f\xbf", 0 },		/* overlong U+07FF */
	{ "\xe2\x82", 0 },
	{ "\xe2\x82\x41", 0 },
	{ "\xed\xa0\x80", 0 },		/* U+D800 */
	{ "\xed\xbf\xbf", 0 },		/* U+DFFF */
	{ "\xed\xa0\xbd\xed\xb9\x8f", 0 },	/* CESU-8 pair */
	{ "\xf0\x80\x80\x80", 0 },	/* overlong */
	{ "\xf0\x8f\xbf\xbf", 0 },	/* overlong U+FFFF */
	{ "\xf0\x9f\x99", 0 },
	{ "\xf4\x90\x80\x80", 0 },	/* U+110000 */
	{ "\xf5\x80\x80\x80", 0 },
	{ "\xf8\x88\x80\x80\x80", 0 },
	{ "\xfe", 0 },
	{ "\xff", 0 },
	{ "\xc3\xa9\xc3", 0 },
	{ "abc" PRAY "\xa0", 0 },
};

static void
test_valid_and_chars(void)
{
	for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
		const struct valid_case *c = &valid_cases[i];
		size_t n = strlen(c->in);
		char *buf = dup_exact(c->in, n);

		CHECK(utf8_valid(buf, n) == c->valid);
		if (utf8_valid(buf, n) != c->valid)
			fprintf(stderr, "  utf8_valid case %zu\n", i);
		free(buf);
	}
	CHECK(utf8_valid("a\0b", 3) == 1);
	CHECK(utf8_valid(NULL, 0) == 1);
	CHECK(utf8_valid("\xc3\xa9", 1) == 0);	/* cut by the length */

	CHECK(utf8_chars("", 0) == 0);
	CHECK(utf8_chars(NULL, 0) == 0);
	CHECK(utf8_chars("abc", 3) == 3);
	CHECK(utf8_chars("\xc3\xa9", 2) == 1);
	CHECK(utf8_chars(PRAY, 4) == 1);
	CHECK(utf8_chars(JAVA, strlen(JAVA)) == 8);
	CHECK(utf8_chars("HELPDESK printer rusak " PRAY, 27) == 24);
	CHECK(utf8_chars("caf\xc3\xa9 \xe2\x82\xac" PRAY, 13) == 7);
	CHECK(utf8_chars("a\0b", 3) == 3);
	/* Invalid text counts one per U+FFFD that utf8_repair would make. */
	CHECK(utf8_chars("\xff\xfe", 2) == 2);
	CHECK(utf8_chars("\xe2\x82", 2) == 1);
	CHECK(utf8_chars("\xed\xa0\x80", 3) == 3);
}

struct repair_case {
	const char *in;
	size_t len;	/* 0: strlen(in) */
	const char *out;
	size_t outlen;	/* 0: strlen(out) */
};

static const struct repair_case repair_cases[] = {
	{ "", 0, "", 0 },
	{ "abc", 0, "abc", 0 },
	{ "HELPDESK printer rusak " PRAY, 0, "HELPDESK printer rusak " PRAY, 0 },
	{ JAVA, 0, JAVA, 0 },
	{ "a\xff" "b", 0, "a" FFFD "b", 0 },
	{ "\xff\xfe", 0, FFFD FFFD, 0 },
	{ "\xe2\x82", 0, FFFD, 0 },
	{ "\xe2\x82" "A", 0, FFFD "A", 0 },
	{ "\xf0\x9f\x99", 0, FFFD, 0 },
	{ "\xf0\x9f\x99" PRAY, 0, FFFD PRAY, 0 },
	{ "\xc0\xaf", 0, FFFD FFFD, 0 },
	{ "\xed\xa0\x80", 0, FFFD FFFD FFFD, 0 },
	{ "\xf4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD, 0 },
	{ "caf\xe9", 0, "caf" FFFD, 0 },			/* Latin-1 */
	{ "\x80" "abc", 0, FFFD "abc", 0 },
	{ "a\0b", 3, "a\0b", 3 },				/* NUL is valid UTF-8: kept */
};

static void
test_repair(void)
{
	for (size_t i = 0; i < sizeof repair_cases / sizeof repair_cases[0]; i++) {
		const struct repair_case *c = &repair_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		size_t want = c->outlen ? c->outlen : strlen(c->out), outlen = 999;
		char *in = dup_exact(c->in, len);
		char *out = utf8_repair(in, len, &outlen);

		CHECK(out != NULL);
		CHECK(outlen == want);
		CHECK(out != NULL && outlen == want && memcmp(out, c->out, want) == 0 && out[want] == '\0');
		CHECK(out != NULL && utf8_valid(out, outlen));
		CHECK(out != NULL && utf8_chars(out, outlen) == utf8_chars(in, len));
		free(out);
		free(in);
	}
	{
		char *out = utf8_repair(NULL, 0, NULL);

		CHECK_STR(out, "");
		free(out);
		out = utf8_repair("ab\xff", 2, NULL);	/* the length bounds the input */
		CHECK_STR(out, "ab");
		free(out);
	}
}

struct line_case {
	const char *in;
	size_t len;	/* 0: strlen(in) */
	size_t max;
	const char *out;
};

static const struct line_case line_cases[] = {
	{ "", 0, 100, "" },
	{ "printer rusak", 0, 100, "printer rusak" },
	{ "a\r\nb", 0, 100, "a b" },
	{ "a\nb", 0, 100, "a b" },
	{ "a\tb", 0, 100, "a b" },
	{ "  a   b  ", 0, 100, "a b" },
	{ "\r\n\t ", 0, 100, "" },
	{ "a \r\n \t b", 0, 100, "a b" },
	{ "a\x7f" "b", 0, 100, "a b" },
	{ "a\x01\x02\x03" "b", 0, 100, "a b" },
	{ "a\x1b[31mred", 0, 100, "a [31mred" },
	{ "\x1b[2J", 0, 100, "[2J" },
	{ "a\0b", 3, 100, "a b" },
	{ "a\xc2\x85" "b", 0, 100, "a b" },		/* NEL, C1 */
	{ "a\xc2\x80" "b", 0, 100, "a b" },
	{ "a\xc2\x9f" "b", 0, 100, "a b" },
	{ "a\xe2\x80\xa8" "b", 0, 100, "a b" },	/* LINE SEPARATOR */
	{ "a\xe2\x80\xa9" "b", 0, 100, "a b" },	/* PARAGRAPH SEPARATOR */
	{ "a\xc2\xa0" "b", 0, 100, "a\xc2\xa0" "b" },	/* NBSP is printable: kept */
	{ "a\xff" "b", 0, 100, "a" FFFD "b" },		/* invalid UTF-8 is repaired */
	{ "Printer rusak\r\nBcc: x@example.org", 0, 100, "Printer rusak Bcc: x@example.org" },
	{ "HELPDESK printer rusak " PRAY "\r\n", 0, 100, "HELPDESK printer rusak " PRAY },
	{ JAVA "\n" JAVA, 0, 100, JAVA " " JAVA },

	/* Cutting to max bytes, "..." included. */
	{ "hello world", 0, 11, "hello world" },
	{ "hello world", 0, 100, "hello world" },
	{ "hello world", 0, 10, "hello w..." },
	{ "hello world", 0, 9, "hello..." },
	{ "hello world", 0, 8, "hello..." },
	{ "hello world", 0, 7, "hell..." },
	{ "hello world", 0, 5, "he..." },
	{ "hello world", 0, 4, "h..." },
	{ "hello world", 0, 3, "..." },
	{ "hello world", 0, 2, "he" },
	{ "hello world", 0, 1, "h" },
	{ "hello world", 0, 0, "" },
	{ "hello", 0, 5, "hello" },
	{ "hello   ", 0, 5, "hello" },			/* trailing spaces do not force a cut */
	{ "hello \r\n\t", 0, 5, "hello" },
	{ "   hello", 0, 5, "hello" },
	{ "h\xc3\xa9llo", 0, 6, "h\xc3\xa9llo" },
	{ "h\xc3\xa9llo!", 0, 7, "h\xc3\xa9llo!" },
	{ "h\xc3\xa9llo!", 0, 6, "h\xc3\xa9..." },
	{ "h\xc3\xa9llo!", 0, 5, "h..." },			/* never splits the e-acute */
	{ PRAY PRAY PRAY, 0, 12, PRAY PRAY PRAY },
	{ PRAY PRAY PRAY, 0, 11, PRAY PRAY "..." },
	{ PRAY PRAY PRAY, 0, 10, PRAY "..." },
	{ PRAY PRAY PRAY, 0, 6, "..." },
	{ PRAY PRAY PRAY, 0, 2, "" },
	{ "\xc3\xa9\xc3\xa9", 0, 1, "" },
	{ "a\r\n\r\n\r\nb", 0, 3, "a b" },
	{ "a\r\n\r\n\r\nbc", 0, 3, "..." },
	{ "a b c d e f", 0, 7, "a b..." },
};

static void
test_oneline(void)
{
	for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
		const struct line_case *c = &line_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char *in = dup_exact(c->in, len);
		char *out = text_oneline(in, len, c->max);

		CHECK_STR(out, c->out);
		if (out != NULL && strcmp(out, c->out) != 0)
			fprintf(stderr, "  text_oneline case %zu (max %zu)\n", i, c->max);
		CHECK(out != NULL && strlen(out) <= c->max);
		free(out);
		free(in);
	}
	{
		char *out = text_oneline(NULL, 0, 10);

		CHECK_STR(out, "");
		free(out);
		out = text_oneline("abc\r\ndef", 3, 100);	/* the length bounds the input */
		CHECK_STR(out, "abc");
		free(out);
		out = text_oneline("abc", 3, SIZE_MAX);
		CHECK_STR(out, "abc");
		free(out);
	}
}

/* 1 when s is fit for one line: valid, no controls, no leading/trailing/double spaces. */
static int
line_sane(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max || !utf8_valid(s, n))
		return 0;
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || (c == ' ' && s[i + 1] == ' '))
			return 0;
		if (c == 0xc2 && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)
			return 0;
		if (c == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
			return 0;
	}
	return 1;
}

/* Long and random inputs: nothing crashes and the invariants hold. */
static void
test_big(void)
{
	size_t size = 1024 * 1024, bad = 0, n, m;
	char *buf = malloc(size), *s;
	unsigned char *u;

	if (buf == NULL)
		exit(2);
	for (size_t i = 0; i < size; i++)
		buf[i] = (char)rng();

	/* The whole megabyte through every function. */
	CHECK(utf8_valid(buf, size) == 0);
	s = utf8_repair(buf, size, &n);
	CHECK(s != NULL && utf8_valid(s, n) && utf8_chars(s, n) == utf8_chars(buf, size));
	u = s ? utf8_to_utf16be(s, n, &m) : NULL;
	CHECK(u != NULL && m <= n);
	{
		size_t back_len, m2;
		char *back = u ? utf16be_to_utf8(u, m, &back_len) : NULL;
		unsigned char *u2 = back ? utf8_to_utf16be(back, back_len, &m2) : NULL;

		/* U+0000 becomes U+FFFD once; after that the round trip is exact. */
		CHECK(back != NULL && utf8_valid(back, back_len));
		CHECK(u2 != NULL && m2 == m && memcmp(u2, u, 2 * m) == 0);
		free(u2);
		free(back);
	}
	free(u);
	free(s);
	s = utf16be_to_utf8((const unsigned char *)buf, size / 2, &n);
	CHECK(s != NULL && utf8_valid(s, n) && strlen(s) == n);
	free(s);
	s = text_oneline(buf, size, 200);
	CHECK(s != NULL && line_sane(s, 200));
	free(s);
	s = text_oneline(buf, size, SIZE_MAX);
	CHECK(s != NULL && line_sane(s, SIZE_MAX));
	free(s);

	/* Random slices, not NUL-terminated. */
	for (int k = 0; k < 5000; k++) {
		size_t off = rng() % size, len = rng() % 300, max = rng() % 64;
		char *in, *r, *line;

		if (len > size - off)
			len = size - off;
		in = dup_exact(buf + off, len);
		r = utf8_repair(in, len, &n);
		if (r == NULL || !utf8_valid(r, n) || utf8_chars(r, n) != utf8_chars(in, len))
			bad++;
		line = text_oneline(in, len, max);
		if (line == NULL || !line_sane(line, max))
			bad++;
		free(line);
		u = utf8_to_utf16be(in, len, &m);
		if (u == NULL || m > len)
			bad++;
		free(u);
		s = utf16be_to_utf8((const unsigned char *)in, len / 2, &n);
		if (s == NULL || !utf8_valid(s, n))
			bad++;
		free(s);
		free(r);
		free(in);
	}
	CHECK(bad == 0);

	/* A 100 KB Indonesian complaint with CRLF and emoji, cut for a log line. */
	{
		const char *piece = "Printer rusak\r\n" PRAY " ";
		size_t pl = strlen(piece), len = 0, cap = 100 * 1024;
		char *big = malloc(cap);
		char *line;

		if (big == NULL)
			exit(2);
		while (len + pl <= cap) {
			memcpy(big + len, piece, pl);
			len += pl;
		}
		CHECK(utf8_valid(big, len));
		CHECK(utf8_chars(big, len) == len / pl * 17);
		line = text_oneline(big, len, 80);
		CHECK(line != NULL && line_sane(line, 80));
		CHECK(line != NULL && strncmp(line, "Printer rusak " PRAY " Printer rusak ",
					      strlen("Printer rusak " PRAY " Printer rusak ")) == 0);
		CHECK(line != NULL && strlen(line) >= 75 && strcmp(line + strlen(line) - 3, "...") == 0);
		free(line);
		line = text_oneline(big, len, SIZE_MAX);
		CHECK(line != NULL && line_sane(line, SIZE_MAX) && strlen(line) == len - len / pl - 1);
		free(line);
		free(big);
	}
	free(buf);
}

int
main(void)
{
	unit_rng_state = 0x853c49e6748fea9bu;
	test_utf16_to_utf8();
	test_utf8_to_utf16();
	test_valid_and_chars();
	test_repair();
	test_oneline();
	test_big();
	return unit_done("text");
}
