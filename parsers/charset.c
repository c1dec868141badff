/*
 * charset.c: owns the conversion of text in a declared charset to UTF-8:
 * the windows-1252 table (also used for Latin-1 and US-ASCII labels and as
 * the fallback), name normalisation and aliases, iconv(3) for the rest.
 * Pure: no I/O.
 */
#include "mime_internal.h"
#include "text.h"

#include <errno.h>
#include <iconv.h>

#define CS_NAME_MAX	48

/* windows-1252 0x80..0x9f; 0xfffd marks the five undefined bytes. */
static const uint16_t cp1252_high[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

uint32_t
cp1252_codepoint(unsigned char b)
{
	return b >= 0x80 && b <= 0x9f ? cp1252_high[b - 0x80] : b;
}

void
append_raw(struct mbuf *b, const char *in, size_t len, int raw_utf8)
{
	if (raw_utf8) {
		mbuf_add(b, in, len);
		return;
	}
	for (size_t i = 0; i < len; i++)
		mbuf_utf8(b, cp1252_codepoint((unsigned char)in[i]));
}

/* Decode in as windows-1252 into b; 1 when an undefined byte was met. */
static int
from_cp1252(struct mbuf *b, const char *in, size_t len)
{
	int bad = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x80) {
			mbuf_addc(b, (char)c);
			continue;
		}
		if (cp1252_codepoint(c) == 0xfffd)
			bad = 1;
		mbuf_utf8(b, cp1252_codepoint(c));
	}
	return bad;
}

/* 1 when in is valid UTF-8 with some non-ASCII and no NUL bytes: text
 * that failed its declared charset is then taken to be UTF-8. */
static int
looks_utf8(const char *in, size_t len)
{
	int high = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\0')
			return 0;
		high |= (unsigned char)in[i] >= 0x80;
	}
	return high && utf8_valid(in, len);
}

/* Names read with the windows-1252 table, with whether valid UTF-8 under
 * the label is kept as UTF-8 (labels that promise 7-bit text). */
static const struct {
	const char *name;
	int sniff_utf8;
} cp1252_names[] = {
	{ "", 1 }, { "us-ascii", 1 }, { "ascii", 1 }, { "us", 1 }, { "ansi_x3.4-1968", 1 },
	{ "iso646-us", 1 }, { "csascii", 1 }, { "default", 1 },
	{ "iso-8859-1", 0 }, { "iso8859-1", 0 }, { "iso_8859-1", 0 }, { "iso-8859-1:1987", 0 },
	{ "latin1", 0 }, { "latin-1", 0 }, { "l1", 0 }, { "cp819", 0 }, { "ibm819", 0 },
	{ "iso-ir-100", 0 }, { "csisolatin1", 0 },
	{ "windows-1252", 0 }, { "cp1252", 0 }, { "x-cp1252", 0 }, { "cp-1252", 0 },
	{ "win-1252", 0 },
};

/* Labels mail uses for which a superset or another spelling converts better. */
static const struct {
	const char *name, *iconv_name;
} aliases[] = {
	{ "gb2312", "GB18030" }, { "gbk", "GB18030" }, { "x-gbk", "GB18030" },
	{ "euc-cn", "GB18030" }, { "cp936", "GB18030" },
	{ "ks_c_5601-1987", "CP949" }, { "ks_c_5601", "CP949" }, { "euc-kr", "CP949" },
	{ "tis-620", "CP874" }, { "iso-8859-11", "CP874" }, { "windows-874", "CP874" },
	{ "shift_jis", "CP932" }, { "sjis", "CP932" }, { "x-sjis", "CP932" },
	{ "iso-8859-8-i", "ISO-8859-8" }, { "unicode-1-1-utf-7", "UTF-7" },
};

/* Normalise a charset label into name (lower case, without surrounding
 * quotes or white space, RFC 2231 "*lang" dropped). 0 when it is usable. */
static int
normalise(const char *cs, size_t cslen, char name[CS_NAME_MAX])
{
	size_t a = 0, b = cslen, k = 0;

	if (cs == NULL)
		b = 0;
	while (a < b && strchr(" \t\r\n\"'", cs[a]) != NULL && cs[a] != '\0')
		a++;
	while (b > a && strchr(" \t\r\n\"'", cs[b - 1]) != NULL && cs[b - 1] != '\0')
		b--;
	for (size_t i = a; i < b && cs[i] != '*'; i++) {
		char c = ascii_lower(cs[i]);

		if (k + 1 >= CS_NAME_MAX || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
					     c == '-' || c == '_' || c == '.' || c == ':' || c == '+'))
			return -1;
		name[k++] = c;
	}
	name[k] = '\0';
	return 0;
}

/* Convert with iconv from code; -1 when iconv does not know it. Bytes it
 * cannot convert become U+FFFD and set *bad. */
static int
via_iconv(const char *code, const char *in, size_t len, struct mbuf *b, int *bad)
{
	iconv_t cd = iconv_open("UTF-8", code);
	char *ip = (char *)in;	/* iconv's prototype is not const-correct */
	size_t il = len, want = len * 2 + 64;
	int flushing = 0;

	if (cd == (iconv_t)-1)
		return -1;
	for (;;) {
		size_t ol, r;
		char *op;

		if (mbuf_room(b, want) != 0)
			break;
		op = b->p + b->len;
		ol = b->cap - b->len - 1;
		r = flushing ? iconv(cd, NULL, NULL, &op, &ol) : iconv(cd, &ip, &il, &op, &ol);
		b->len = (size_t)(op - b->p);
		if (r == (size_t)-1 && errno == E2BIG) {
			want = (b->cap - b->len) * 2 + 64;
			continue;
		}
		if (flushing)
			break;
		if (r == (size_t)-1) {
			/* EILSEQ, or EINVAL: an incomplete sequence at the end. */
			*bad = 1;
			mbuf_utf8(b, 0xfffd);
			if (errno == EILSEQ && il > 0) {
				ip++;
				il--;
			} else {
				il = 0;
			}
		}
		if (il == 0)
			flushing = 1;
	}
	iconv_close(cd);
	return 0;
}

char *
charset_convert(const char *cs, size_t cslen, const char *in, size_t len, size_t *outlen,
		enum cs_status *st)
{
	struct mbuf b = { 0 };
	char name[CS_NAME_MAX];
	const char *code = NULL;
	int known = normalise(cs, cslen, name) == 0, bad = 0, done = 0;
	char *out;

	if (in == NULL)
		len = 0;
	*st = CS_OK;
	if (known && (strcmp(name, "utf-8") == 0 || strcmp(name, "utf8") == 0)) {
		mbuf_add(&b, in, len);
		bad = !utf8_valid(in, len);
		done = 1;
	}
	for (size_t i = 0; known && !done && i < sizeof cp1252_names / sizeof cp1252_names[0]; i++)
		if (strcmp(name, cp1252_names[i].name) == 0) {
			if (cp1252_names[i].sniff_utf8 && utf8_valid(in, len))
				mbuf_add(&b, in, len);
			else
				bad = from_cp1252(&b, in, len);
			done = 1;
		}
	if (known && !done) {
		code = name;
		for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
			if (strcmp(name, aliases[i].name) == 0)
				code = aliases[i].iconv_name;
		if (via_iconv(code, in, len, &b, &bad) == 0) {
			done = 1;
			if (bad && looks_utf8(in, len)) {
				/* Labelled wrongly: the bytes are UTF-8. */
				b.len = 0;
				mbuf_add(&b, in, len);
				bad = 0;
				*st = CS_MISLABELLED_UTF8;
			}
		}
	}
	if (!done) {
		if (utf8_valid(in, len)) {
			mbuf_add(&b, in, len);
			*st = CS_UNKNOWN_UTF8;
		} else {
			from_cp1252(&b, in, len);
			*st = CS_UNKNOWN_CP1252;
		}
	} else if (bad) {
		*st = CS_BAD_BYTES;
	}
	len = b.len;	/* NULs may be inside: keep the tracked length */
	out = mbuf_take(&b);
	if (out == NULL)
		return NULL;
	if (!utf8_valid(out, len)) {
		char *fixed = utf8_repair(out, len, &len);

		free(out);
		out = fixed;
		if (out == NULL)
			return NULL;
		if (*st == CS_OK)
			*st = CS_BAD_BYTES;
	}
	if (outlen != NULL)
		*outlen = len;
	return out;
}

char *
charset_to_utf8(const char *charset, const char *in, size_t len, size_t *outlen, int *lossy)
{
	enum cs_status st;
	char *out = charset_convert(charset, charset != NULL ? strlen(charset) : 0, in, len, outlen,
				    &st);

	if (lossy != NULL)
		*lossy = st != CS_OK;
	return out;
}
