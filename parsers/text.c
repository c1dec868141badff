/*
 * text.c: owns text encodings: UTF-16BE (as libGammu stores SMS text) to
 * and from UTF-8, UTF-8 validation and repair, and the one-line form of
 * text used in logs and mail headers. Pure functions: no I/O; results are
 * freshly allocated and every allocation is checked.
 */
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BAD		UINT32_MAX	/* marks an invalid sequence in decode() */
#define REPLACEMENT	0xfffdu		/* U+FFFD REPLACEMENT CHARACTER */
#define REPLACEMENT_LEN	3		/* its length in UTF-8 */
#define ELLIPSIS	"..."
#define ELLIPSIS_LEN	(sizeof ELLIPSIS - 1)

/*
 * Decode the UTF-8 sequence at s (len >= 1 bytes) into *cp and return its
 * length. An invalid sequence sets *cp to BAD and returns the length of its
 * maximal subpart (at least 1), so that each one becomes a single U+FFFD as
 * the Unicode standard recommends.
 */
static size_t
decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0fu;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlongs */
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07u;
		if (c == 0xf0)
			lo = 0x90;	/* no overlongs */
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		*cp = BAD;	/* continuation byte, C0, C1, F5..FF */
		return 1;
	}
	for (size_t k = 1; k <= need; k++) {
		if (k >= len || s[k] < lo || s[k] > hi) {
			*cp = BAD;
			return k;
		}
		v = (v << 6) | (s[k] & 0x3fu);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

/* Write code point cp (a scalar value) as UTF-8 to out; return the length. */
static size_t
encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

char *
utf16be_to_utf8(const unsigned char *in, size_t nunits, size_t *outlen)
{
	unsigned char *out;
	size_t o = 0;

	if (in == NULL)
		nunits = 0;
	/* A unit gives at most 3 bytes; a surrogate pair (2 units) gives 4. */
	if (nunits > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(nunits * 3 + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < nunits; i++) {
		uint32_t u = (uint32_t)in[2 * i] << 8 | in[2 * i + 1];

		if (u >= 0xd800 && u <= 0xdbff && i + 1 < nunits) {
			uint32_t low = (uint32_t)in[2 * i + 2] << 8 | in[2 * i + 3];

			if (low >= 0xdc00 && low <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
				i++;
			}
		}
		if (u == 0 || (u >= 0xd800 && u <= 0xdfff))
			u = REPLACEMENT;
		o += encode(u, out + o);
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return (char *)out;
}

unsigned char *
utf8_to_utf16be(const char *in, size_t len, size_t *nunits)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *out;
	size_t i = 0, o = 0;

	if (in == NULL)
		len = 0;
	/* Every byte gives at most one unit (4-byte sequences give 2). */
	if (len > (SIZE_MAX - 2) / 2)
		return NULL;
	out = malloc(len * 2 + 2);
	if (out == NULL)
		return NULL;
	while (i < len) {
		uint32_t cp;

		i += decode(s + i, len - i, &cp);
		if (cp == BAD || cp == 0)
			cp = REPLACEMENT;
		if (cp >= 0x10000) {
			uint32_t hi = 0xd800 + ((cp - 0x10000) >> 10);
			uint32_t lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);

			out[2 * o] = (unsigned char)(hi >> 8);
			out[2 * o + 1] = (unsigned char)(hi & 0xff);
			o++;
			cp = lo;
		}
		out[2 * o] = (unsigned char)(cp >> 8);
		out[2 * o + 1] = (unsigned char)(cp & 0xff);
		o++;
	}
	out[2 * o] = 0;
	out[2 * o + 1] = 0;
	if (nunits != NULL)
		*nunits = o;
	return out;
}

int
utf8_valid(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;

	if (in == NULL)
		return len == 0;
	while (i < len) {
		uint32_t cp;

		i += decode(s + i, len - i, &cp);
		if (cp == BAD)
			return 0;
	}
	return 1;
}

char *
utf8_repair(const char *in, size_t len, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *out;
	size_t i = 0, o = 0, size = 0;

	if (in == NULL)
		len = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = decode(s + i, len - i, &cp);

		/* An invalid subpart of n >= 1 bytes grows to 3: overflow-checked. */
		if (size > SIZE_MAX - 1 - REPLACEMENT_LEN)
			return NULL;
		size += cp == BAD ? REPLACEMENT_LEN : n;
		i += n;
	}
	out = malloc(size + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len;) {
		uint32_t cp;
		size_t n = decode(s + i, len - i, &cp);

		if (cp == BAD) {
			o += encode(REPLACEMENT, out + o);
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return (char *)out;
}

/* 1 for code points that text_oneline turns into a space. */
static bool
is_spacing_control(uint32_t cp)
{
	return cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       cp == 0x2028 || cp == 0x2029;
}

char *
text_oneline(const char *in, size_t len, size_t max)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *out;
	size_t cap, i = 0, o = 0, b;
	bool pending = false;

	if (in == NULL)
		len = 0;
	/*
	 * Each input byte gives at most 3 output bytes (an invalid byte becomes
	 * U+FFFD). Past max bytes the text will be cut, so stop once one more
	 * step (a space and a character: 5 bytes) has gone beyond it.
	 */
	if (len > (SIZE_MAX - 16) / 3)
		return NULL;
	cap = len * 3;
	if (max < cap)
		cap = max + 5;
	out = malloc(cap + 1);
	if (out == NULL)
		return NULL;
	while (i < len && o <= max) {
		uint32_t cp;
		size_t n = decode(s + i, len - i, &cp);

		if (cp != BAD && is_spacing_control(cp)) {
			pending = o > 0;	/* leading space is dropped */
		} else {
			if (pending)
				out[o++] = ' ';
			pending = false;
			if (cp == BAD) {
				o += encode(REPLACEMENT, out + o);
			} else {
				memcpy(out + o, s + i, n);
				o += n;
			}
		}
		i += n;
	}
	/* Trailing spaces were never written: they stay pending. */
	if (o > max) {
		/* Cut at a character boundary, leaving room for the ellipsis. */
		b = max >= ELLIPSIS_LEN ? max - ELLIPSIS_LEN : max;
		while (b > 0 && (out[b] & 0xc0) == 0x80)
			b--;
		while (b > 0 && out[b - 1] == ' ')
			b--;
		o = b;
		if (max >= ELLIPSIS_LEN) {
			memcpy(out + o, ELLIPSIS, ELLIPSIS_LEN);
			o += ELLIPSIS_LEN;
		}
	}
	out[o] = '\0';
	return (char *)out;
}

size_t
utf8_chars(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n = 0;

	if (in == NULL)
		return 0;
	while (i < len) {
		uint32_t cp;

		i += decode(s + i, len - i, &cp);
		n++;
	}
	return n;
}
