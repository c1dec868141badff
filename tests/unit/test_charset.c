/* test_charset.c: unit tests for parsers/charset.c: charset labels, windows-1252, iconv, fallbacks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "text.h"
#include "unit.h"

#define FFFD	"\xef\xbf\xbd"

struct cs_case {
	const char *charset;	/* NULL allowed */
	const char *in;
	size_t len;
	const char *out;
	size_t outlen;
	int lossy;
};

#define C(cs, in, out, lossy) { cs, in, sizeof in - 1, out, sizeof out - 1, lossy }

static const struct cs_case cs_cases[] = {
	C("utf-8", "caf\xc3\xa9", "caf\xc3\xa9", 0),
	C("UTF8", "caf\xc3\xa9", "caf\xc3\xa9", 0),
	C("utf-8", "a\xff" "b", "a" FFFD "b", 1),
	C("utf-8", "a\0b", "a\0b", 0),
	C("iso-8859-1", "caf\xe9", "caf\xc3\xa9", 0),
	C("ISO-8859-1", "Rp 1.500 \x96 tagihan \x80", "Rp 1.500 \xe2\x80\x93 tagihan \xe2\x82\xac", 0),
	C("latin1", "\xe9", "\xc3\xa9", 0),
	C("l1", "\xe9", "\xc3\xa9", 0),
	C("Latin-1", "\xe9", "\xc3\xa9", 0),
	C("  \"ISO-8859-1\"  ", "\xe9", "\xc3\xa9", 0),
	C("'iso_8859-1'", "\xe9", "\xc3\xa9", 0),
	/* A 7-bit label over UTF-8 keeps the UTF-8; an 8-bit label is trusted. */
	C("us-ascii", "caf\xc3\xa9", "caf\xc3\xa9", 0),
	C("US-ASCII", "caf\xe9", "caf\xc3\xa9", 0),
	C("ascii", "caf\xe9", "caf\xc3\xa9", 0),
	C("", "caf\xe9", "caf\xc3\xa9", 0),
	C(NULL, "caf\xe9", "caf\xc3\xa9", 0),
	C(NULL, "caf\xc3\xa9", "caf\xc3\xa9", 0),
	C("iso-8859-1", "caf\xc3\xa9", "caf\xc3\x83\xc2\xa9", 0),
	/* The five holes of windows-1252. */
	C("windows-1252", "\x81\x8d\x8f\x90\x9d", FFFD FFFD FFFD FFFD FFFD, 1),
	C("cp1252", "\x93" "ok" "\x94", "\xe2\x80\x9cok\xe2\x80\x9d", 0),
	/* Unknown labels: UTF-8 when valid, else windows-1252, and lossy. */
	C("x-foo", "caf\xe9", "caf\xc3\xa9", 1),
	C("x-foo", "caf\xc3\xa9", "caf\xc3\xa9", 1),
	C("ISO-8859-1//TRANSLIT", "\xe9", "\xc3\xa9", 1),
	C("../../etc/passwd", "a", "a", 1),
	C("utf-8\0x", "a", "a", 0),	/* the C string ends at the NUL */
	/* iconv: */
	C("iso-8859-15", "\xa4", "\xe2\x82\xac", 0),
	C("windows-1251", "\xcf\xf0\xe8\xed\xf2\xe5\xf0",
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbd\xd1\x82\xd0\xb5\xd1\x80", 0),
	C("KOI8-R", "\xf0\xd2\xc9\xce\xd4\xc5\xd2",
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbd\xd1\x82\xd0\xb5\xd1\x80", 0),
	C("gb2312", "\xb4\xf2\xd3\xa1\xbb\xfa", "\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba", 0),
	C("shift_jis", "\x83" "e" "\x83" "X" "\x83" "g", "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", 0),
	C("ks_c_5601-1987", "\xc7\xc1\xb8\xb0\xc5\xcd", "\xed\x94\x84\xeb\xa6\xb0\xed\x84\xb0", 0),
	C("utf-7", "+AOk-", "\xc3\xa9", 0),
	C("utf-16le", "a\0b\0", "ab", 0),
	C("UTF-16BE", "\0a\0", "a" FFFD, 1),
	C("iso-2022-jp", "caf\xc3\xa9", "caf\xc3\xa9", 1),	/* mislabelled UTF-8 */
	C("windows-1251", "\x98", FFFD, 1),	/* undefined in glibc's CP1251 */
	C("utf-8", "", "", 0),
	C("x-foo", "", "", 1),
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof cs_cases / sizeof cs_cases[0]; i++) {
		const struct cs_case *c = &cs_cases[i];
		char *in = dup_exact(c->in, c->len);
		size_t outlen = 12345;
		int lossy = -1;
		char *out = charset_to_utf8(c->charset, in, c->len, &outlen, &lossy);

		CHECK(out != NULL);
		CHECK(out != NULL && outlen == c->outlen && memcmp(out, c->out, outlen) == 0 && out[outlen] == '\0');
		if (out != NULL && (outlen != c->outlen || memcmp(out, c->out, outlen) != 0))
			fprintf(stderr, "  case %zu (%s): got \"%s\"\n", i, c->charset ? c->charset : "NULL", out);
		CHECK(lossy == c->lossy);
		if (lossy != c->lossy)
			fprintf(stderr, "  case %zu (%s): lossy %d\n", i, c->charset ? c->charset : "NULL", lossy);
		CHECK(out != NULL && utf8_valid(out, outlen));
		free(out);
		free(in);
	}
}

/* Every byte of windows-1252 0x80..0x9f, and the rest of the high half. */
static void
test_cp1252_table(void)
{
	static const uint16_t want[32] = {
		0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
		0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
	};
	char in[128];
	size_t outlen;
	int lossy;
	char *out, *p;

	for (int i = 0; i < 128; i++)
		in[i] = (char)(0x80 + i);
	out = charset_to_utf8("windows-1252", in, sizeof in, &outlen, &lossy);
	CHECK(out != NULL && utf8_valid(out, outlen) && lossy == 1);
	p = out;
	for (int i = 0; p != NULL && i < 128; i++) {
		uint32_t cp, w = i < 32 ? want[i] : (uint32_t)(0x80 + i);
		unsigned char c = (unsigned char)*p;

		if (c < 0xe0) {
			cp = (uint32_t)(c & 0x1f) << 6 | ((unsigned char)p[1] & 0x3f);
			p += 2;
		} else {
			cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)((unsigned char)p[1] & 0x3f) << 6 |
			     ((unsigned char)p[2] & 0x3f);
			p += 3;
		}
		CHECK(cp == w);
	}
	CHECK(p != NULL && p == out + outlen);
	free(out);

	/* NULL out-parameters are allowed. */
	out = charset_to_utf8("latin1", "\xe9", 1, NULL, NULL);
	CHECK_STR(out, "\xc3\xa9");
	free(out);
}

/* Random bytes under random labels always give valid UTF-8. */
static void
test_random(void)
{
	static const char *const labels[] = {
		"utf-8", "iso-8859-1", "us-ascii", "x-foo", "utf-16", "utf-7", "iso-2022-jp", "gb2312",
		"shift_jis", "big5", "euc-kr", "windows-1251", "koi8-r", "tis-620", "utf-32", "",
	};
	char buf[512];

	for (int it = 0; it < 2000; it++) {
		size_t len = (size_t)(rng() % sizeof buf), outlen;
		const char *label = labels[rng() % (sizeof labels / sizeof labels[0])];
		char *in, *out;
		int lossy;

		for (size_t i = 0; i < len; i++)
			buf[i] = (char)(rng() >> 56);
		in = dup_exact(buf, len);
		out = charset_to_utf8(label, in, len, &outlen, &lossy);
		CHECK(out != NULL && utf8_valid(out, outlen) && out[outlen] == '\0');
		free(out);
		free(in);
	}
	/* 1 MB of Latin-1 converts in one go. */
	{
		size_t n = 1 << 20, outlen;
		char *in = malloc(n), *out;
		int lossy;

		for (size_t i = 0; i < n; i++)
			in[i] = (char)(i % 2 ? 0xe9 : 'a');
		out = charset_to_utf8("iso-8859-1", in, n, &outlen, &lossy);
		CHECK(out != NULL && outlen == n / 2 * 3 && lossy == 0);
		free(out);
		out = charset_to_utf8("iso-8859-15", in, n, &outlen, &lossy);
		CHECK(out != NULL && outlen == n / 2 * 3 && lossy == 0);
		free(out);
		free(in);
	}
}

int
main(void)
{
	unit_rng_state = 0x63686172u;	/* "char" */
	test_cases();
	test_cp1252_table();
	test_random();
	return unit_done("charset");
}
