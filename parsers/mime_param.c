/*
 * mime_param.c: owns Content-Type values and the parameters of
 * Content-Type and Content-Disposition: RFC 2045 quoting, RFC 2231
 * sections, charsets and %-escapes, RFC 2047 words in plain values.
 * Pure: no I/O.
 */
#include "mime_internal.h"
#include "text.h"

#define PARAM_SECTIONS	64	/* RFC 2231 sections kept per parameter */

/* 1 for a character of an RFC 2045 token. */
static int
is_token_char(char c)
{
	return (unsigned char)c > ' ' && (unsigned char)c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

int
hdr_ctype(const char *v, size_t n, char *out, size_t outsz)
{
	size_t i = 0, k = 0, t, typelen;

	out[0] = '\0';
	while (i < n && (mime_ws(v[i]) || v[i] == '(')) {
		if (v[i] == '(')
			i = hdr_skip_comment(v, n, i);
		else
			i++;
	}
	for (t = i; i < n && is_token_char(v[i]) && k + 1 < outsz; i++)
		out[k++] = ascii_lower(v[i]);
	out[k] = '\0';
	typelen = k;
	if (i == t)
		return -1;
	while (i < n && mime_ws(v[i]))
		i++;
	if (i >= n || v[i] != '/')
		return 1;
	for (i++; i < n && mime_ws(v[i]); i++)
		;
	t = i;
	if (k + 1 < outsz)
		out[k++] = '/';
	for (; i < n && is_token_char(v[i]) && k + 1 < outsz; i++)
		out[k++] = ascii_lower(v[i]);
	out[k] = '\0';
	if (i == t) {
		out[typelen] = '\0';
		return 1;
	}
	return 0;
}

struct piter {
	const char *v;
	size_t n, i;
};

/* Start iterating the parameters after the main value of v[0..n). */
static void
piter_init(struct piter *it, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n && v[i] != ';')
		i = v[i] == '"' ? hdr_skip_quoted(v, n, i) : i + 1;
	it->v = v;
	it->n = n;
	it->i = i;
}

/* Next "name=value": the name as a span, the value unquoted into val. */
static int
piter_next(struct piter *it, const char **name, size_t *nlen, struct mbuf *val)
{
	const char *v = it->v;
	size_t n = it->n, i = it->i, s;

	for (;;) {
		while (i < n && (mime_ws(v[i]) || v[i] == ';' || v[i] == '(')) {
			if (v[i] == '(')
				i = hdr_skip_comment(v, n, i);
			else
				i++;
		}
		if (i >= n) {
			it->i = n;
			return 0;
		}
		for (s = i; i < n && v[i] != '=' && v[i] != ';' && v[i] != '"' && !mime_ws(v[i]); i++)
			;
		*name = v + s;
		*nlen = i - s;
		while (i < n && mime_ws(v[i]))
			i++;
		if (*nlen == 0 || i >= n || v[i] != '=') {
			while (i < n && v[i] != ';')	/* junk: skip to the next parameter */
				i = v[i] == '"' ? hdr_skip_quoted(v, n, i) : i + 1;
			continue;
		}
		for (i++; i < n && mime_ws(v[i]); i++)
			;
		val->len = 0;
		if (i < n && v[i] == '"') {
			/* A backslash escapes only '"' and '\': Windows paths arrive unescaped. */
			for (i++; i < n && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '"' || v[i + 1] == '\\'))
					i++;
				if (v[i] != '\r' && v[i] != '\n')
					mbuf_addc(val, v[i]);
			}
			while (i < n && v[i] != ';')
				i++;
		} else {
			size_t e;

			for (s = i; i < n && v[i] != ';'; i++)
				;
			for (e = i; e > s && mime_ws(v[e - 1]); e--)
				;
			for (size_t k = s; k < e; k++)
				if (v[k] != '\r' && v[k] != '\n')
					mbuf_addc(val, v[k]);
		}
		it->i = i;
		return 1;
	}
}

int
hdr_param_raw(const char *v, size_t n, const char *attr, struct mbuf *out)
{
	struct piter it;
	const char *name;
	size_t nlen;

	piter_init(&it, v, n);
	while (piter_next(&it, &name, &nlen, out))
		if (span_ieq(name, nlen, attr))
			return 0;
	out->len = 0;
	return -1;
}

/* Append s[0..n) to out with %XX escapes undone. */
static void
percent_decode(const char *s, size_t n, struct mbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && mime_hexval(s[i + 1]) >= 0 && mime_hexval(s[i + 2]) >= 0) {
			mbuf_addc(out, (char)(mime_hexval(s[i + 1]) * 16 + mime_hexval(s[i + 2])));
			i += 2;
		} else {
			mbuf_addc(out, s[i]);
		}
	}
}

/* p, or "" for an empty buffer's NULL. */
static const char *
nz(const char *p)
{
	return p != NULL ? p : "";
}

struct section {
	unsigned num;
	int enc;
	struct mbuf val;
};

/* Convert bytes in charset cs[0..cslen) to one line, noting charset trouble. */
static char *
charset_line(struct mime_ctx *c, const char *cs, size_t cslen, const char *s, size_t n)
{
	enum cs_status st;
	size_t len;
	char *u = charset_convert(cs, cslen, s, n, &len, &st), *line;

	if (u == NULL)
		return NULL;
	if (st != CS_OK)
		mime_note_charset(c, st, cs, cslen);
	line = text_oneline(u, len, MIME_LINE_MAX);
	free(u);
	return line;
}

/* Split an RFC 2231 value "charset'lang'text" into the charset and the
 * start of text; without two quotes the whole value is text. */
static size_t
ext_split(const char *s, size_t n, size_t *cslen)
{
	const char *q1 = n > 0 ? memchr(s, '\'', n) : NULL, *q2;

	*cslen = 0;
	if (q1 == NULL)
		return 0;
	q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s));
	if (q2 == NULL)
		return 0;
	*cslen = (size_t)(q1 - s);
	return (size_t)(q2 + 1 - s);
}

char *
hdr_param_text(struct mime_ctx *c, const char *v, size_t n, const char *attr, int *oom)
{
	struct section sec[PARAM_SECTIONS];
	struct mbuf val = { 0 }, plain = { 0 }, ext = { 0 }, joined = { 0 };
	int have_plain = 0, have_ext = 0, any_enc = 0;
	size_t nsec = 0, nlen, alen = strlen(attr);
	struct piter it;
	const char *name;
	char *res = NULL;

	*oom = 0;
	if (n > HDR_DECODE_MAX)
		n = HDR_DECODE_MAX;
	piter_init(&it, v, n);
	while (piter_next(&it, &name, &nlen, &val)) {
		const char *star;
		unsigned num = 0;
		size_t k;

		if (nlen < alen || !span_ieq(name, alen, attr))
			continue;
		if (nlen == alen) {
			if (!have_plain)
				mbuf_add(&plain, val.p, val.len);
			have_plain = 1;
			continue;
		}
		star = name + alen;
		if (*star != '*')
			continue;
		if (nlen == alen + 1) {
			if (!have_ext)
				mbuf_add(&ext, val.p, val.len);
			have_ext = 1;
			continue;
		}
		for (k = alen + 1; k < nlen && name[k] >= '0' && name[k] <= '9' && num < 1000; k++)
			num = num * 10 + (unsigned)(name[k] - '0');
		if (k == alen + 1 || !(k == nlen || (k + 1 == nlen && name[k] == '*')) || nsec == PARAM_SECTIONS)
			continue;
		for (k = 0; k < nsec && sec[k].num != num; k++)
			;
		if (k < nsec)
			continue;	/* a repeated section: the first counts */
		sec[nsec].num = num;
		sec[nsec].enc = name[nlen - 1] == '*';
		memset(&sec[nsec].val, 0, sizeof sec[nsec].val);
		mbuf_add(&sec[nsec].val, val.p, val.len);
		any_enc |= sec[nsec].enc;
		nsec++;
	}
	/* Sections in order (insertion sort: at most PARAM_SECTIONS). */
	for (size_t a = 1; a < nsec; a++)
		for (size_t b = a; b > 0 && sec[b - 1].num > sec[b].num; b--) {
			struct section t = sec[b];

			sec[b] = sec[b - 1];
			sec[b - 1] = t;
		}
	if (have_ext) {
		size_t cslen, off = ext_split(ext.p, ext.len, &cslen);

		percent_decode(nz(ext.p) + off, ext.len - off, &joined);
		if (!joined.oom && !ext.oom)
			res = charset_line(c, ext.p, cslen, joined.p, joined.len);
	} else if (nsec > 0) {
		const char *cs = NULL;
		size_t cslen = 0;

		for (size_t k = 0; k < nsec; k++) {
			struct mbuf *s = &sec[k].val;
			size_t off = 0;

			if (s->oom)
				joined.oom = 1;
			if (!sec[k].enc) {
				mbuf_add(&joined, s->p, s->len);
				continue;
			}
			if (k == 0) {
				off = ext_split(nz(s->p), s->len, &cslen);
				cs = s->p;
			}
			percent_decode(nz(s->p) + off, s->len - off, &joined);
		}
		if (!joined.oom)
			res = any_enc ? charset_line(c, cs, cslen, joined.p, joined.len)
				      : hdr_words(c, joined.p, joined.len, utf8_valid(joined.p, joined.len));
	} else if (have_plain && !plain.oom) {
		res = hdr_words(c, plain.p, plain.len, utf8_valid(plain.p, plain.len));
	}
	if (res == NULL && (have_ext || nsec > 0 || have_plain))
		*oom = 1;
	for (size_t k = 0; k < nsec; k++)
		free(sec[k].val.p);
	free(val.p);
	free(plain.p);
	free(ext.p);
	free(joined.p);
	return res;
}
