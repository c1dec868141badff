/*
 * mime_header.c: owns the header block and unstructured fields: splitting
 * and unfolding, RFC 2047 encoded words, Subject, single tokens, and the
 * lexical helpers (quoted strings, comments) the other header readers
 * share. Every string it returns is valid UTF-8 on one line. Pure: no I/O.
 */
#include "mime_internal.h"
#include "text.h"

#include <strings.h>

static const char *const hdr_names[H_NUM] = {
	[H_SUBJECT] = "subject", [H_FROM] = "from", [H_REPLY_TO] = "reply-to",
	[H_RETURN_PATH] = "return-path", [H_MESSAGE_ID] = "message-id",
	[H_IN_REPLY_TO] = "in-reply-to", [H_REFERENCES] = "references", [H_DATE] = "date",
	[H_AUTO_SUBMITTED] = "auto-submitted", [H_PRECEDENCE] = "precedence",
	[H_LIST_ID] = "list-id", [H_LIST_UNSUBSCRIBE] = "list-unsubscribe",
	[H_X_AUTO_RESPONSE_SUPPRESS] = "x-auto-response-suppress",
	[H_X_AUTOREPLY] = "x-autoreply", [H_X_AUTORESPOND] = "x-autorespond",
	[H_CONTENT_TYPE] = "content-type",
	[H_CONTENT_TRANSFER_ENCODING] = "content-transfer-encoding",
	[H_CONTENT_DISPOSITION] = "content-disposition", [H_CONTENT_ID] = "content-id",
};

/* Length of the line at p[i..n) with its LF; *clen without CR LF. */
static size_t
line_at(const char *p, size_t n, size_t i, size_t *clen)
{
	const char *nl = memchr(p + i, '\n', n - i);
	size_t e = nl != NULL ? (size_t)(nl - p) : n;

	*clen = e - i;
	if (nl != NULL && *clen > 0 && p[e - 1] == '\r')
		(*clen)--;
	return (nl != NULL ? e + 1 : n) - i;
}

/* When l[0..n) starts a header field ("name" [WSP] ":"), the length of the
 * name, with *colon the offset after the colon; else 0. */
static size_t
field_name(const char *l, size_t n, size_t *colon)
{
	size_t k = 0, name;

	while (k < n && (unsigned char)l[k] > ' ' && (unsigned char)l[k] < 0x7f && l[k] != ':')
		k++;
	name = k;
	while (k < n && (l[k] == ' ' || l[k] == '\t'))
		k++;
	if (name == 0 || k >= n || l[k] != ':')
		return 0;
	*colon = k + 1;
	return name;
}

size_t
hdr_split(const char *p, size_t n, int mbox, struct hdrs *h, enum hdr_end *end)
{
	size_t i = 0;
	int cur = -1, have_field = 0;

	memset(h, 0, sizeof *h);
	if (p == NULL)
		n = 0;
	while (i < n) {
		size_t clen, ll = line_at(p, n, i, &clen), colon = 0, nl;

		if (clen == 0) {
			*end = HE_BLANK;
			return i + ll;
		}
		if (p[i] == ' ' || p[i] == '\t') {
			if (!have_field)
				break;
			if (cur >= 0)	/* a folded continuation */
				h->n[cur] = i + clen - (size_t)(h->v[cur] - p);
			i += ll;
			continue;
		}
		nl = field_name(p + i, clen, &colon);
		if (nl == 0) {
			if (i == 0 && mbox && clen >= 5 && memcmp(p, "From ", 5) == 0) {
				i += ll;	/* mbox envelope line */
				continue;
			}
			if (!have_field)
				break;
			*end = HE_NONFIELD;
			return i;
		}
		have_field = 1;
		cur = -1;
		for (int k = 0; k < H_NUM; k++)
			if (!h->seen[k] && span_ieq(p + i, nl, hdr_names[k])) {
				size_t v = i + colon;

				while (v < i + clen && (p[v] == ' ' || p[v] == '\t'))
					v++;
				h->seen[k] = 1;
				h->v[k] = p + v;
				h->n[k] = i + clen - v;
				cur = k;
				break;
			}
		i += ll;
	}
	if (!have_field) {
		memset(h, 0, sizeof *h);
		*end = HE_NONE;
		return 0;
	}
	*end = HE_EOF;
	return n;
}

size_t
hdr_skip_quoted(const char *v, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (v[i] == '\\')
			i++;
		else if (v[i] == '"')
			return i + 1;
	}
	return n;
}

size_t
hdr_skip_comment(const char *v, size_t n, size_t i)
{
	size_t depth = 0;

	for (; i < n; i++) {
		if (v[i] == '\\')
			i++;
		else if (v[i] == '(')
			depth++;
		else if (v[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

/* ---- RFC 2047 ---- */

struct ew {
	const char *cs, *t;
	size_t cslen, tlen;
	char enc;
};

/* The length of the encoded word "=?cs?B|Q?text?=" at s[0..n), or 0. */
static size_t
encoded_word(const char *s, size_t n, struct ew *w)
{
	size_t i = 2, t, j;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	while (i < n && i < 2 + 64 && s[i] != '?' && (unsigned char)s[i] > ' ' && s[i] != 0x7f)
		i++;
	if (i == 2 || i + 2 >= n || s[i] != '?' || s[i + 2] != '?')
		return 0;
	w->enc = ascii_lower(s[i + 1]);
	if (w->enc != 'b' && w->enc != 'q')
		return 0;
	t = j = i + 3;
	while (j < n && s[j] != '?' && !mime_ws(s[j]))
		j++;
	if (j + 1 >= n || s[j] != '?' || s[j + 1] != '=')
		return 0;
	w->cs = s + 2;
	w->cslen = i - 2;
	w->t = s + t;
	w->tlen = j - t;
	return j + 2;
}

/* Bytes of adjacent encoded words in one charset, converted together so
 * that a character split across words survives. */
struct ewacc {
	struct mbuf bytes;
	const char *cs;
	size_t cslen;
};

static void
ew_flush(struct mime_ctx *c, struct ewacc *a, struct mbuf *out)
{
	enum cs_status st;
	size_t len;
	char *u;

	if (a->cs == NULL)
		return;
	u = charset_convert(a->cs, a->cslen, a->bytes.p, a->bytes.len, &len, &st);
	if (u == NULL) {
		out->oom = 1;
	} else {
		mbuf_add(out, u, len);
		free(u);
		if (st != CS_OK)
			mime_note_charset(c, st, a->cs, a->cslen);
	}
	a->bytes.len = 0;
	a->cs = NULL;
}

/*
 * Append s[0..n) to out with encoded words decoded: white space between two
 * encoded words goes, adjacent words in one charset are converted as one,
 * other bytes are kept (raw 8-bit read as UTF-8 when raw_utf8, else as
 * windows-1252). Words glued to other text are decoded too.
 */
static void
decode_words(struct mime_ctx *c, const char *s, size_t n, int raw_utf8, struct mbuf *out)
{
	struct ewacc a = { 0 };
	int after_ew = 0;
	size_t i = 0;

	while (i < n) {
		struct ew w;
		size_t k = s[i] == '=' ? encoded_word(s + i, n - i, &w) : 0, j;

		if (k > 0) {
			if (a.cs != NULL && !(a.cslen == w.cslen && strncasecmp(a.cs, w.cs, w.cslen) == 0))
				ew_flush(c, &a, out);
			a.cs = w.cs;
			a.cslen = w.cslen;
			if (w.enc == 'b') {
				if (mime_base64(w.t, w.tlen, &a.bytes) != 0)
					mime_note(c, "bad base64 in an encoded word", NULL, 0, NULL);
			} else {
				for (j = 0; j < w.tlen; j++) {
					if (w.t[j] == '_') {
						mbuf_addc(&a.bytes, ' ');
					} else if (w.t[j] == '=' && j + 2 < w.tlen && mime_hexval(w.t[j + 1]) >= 0 &&
						   mime_hexval(w.t[j + 2]) >= 0) {
						mbuf_addc(&a.bytes, (char)(mime_hexval(w.t[j + 1]) * 16 + mime_hexval(w.t[j + 2])));
						j += 2;
					} else {
						mbuf_addc(&a.bytes, w.t[j]);
					}
				}
			}
			i += k;
			after_ew = 1;
			continue;
		}
		if (mime_ws(s[i])) {
			for (j = i; j < n && mime_ws(s[j]); j++)
				;
			if (after_ew && j < n && s[j] == '=' && encoded_word(s + j, n - j, &w) > 0) {
				i = j;	/* white space between encoded words goes */
				continue;
			}
			ew_flush(c, &a, out);
			mbuf_add(out, s + i, j - i);
			i = j;
			after_ew = 0;
			continue;
		}
		ew_flush(c, &a, out);
		for (j = i + 1; j < n && !mime_ws(s[j]) && !(s[j] == '=' && j + 1 < n && s[j + 1] == '?'); j++)
			;
		append_raw(out, s + i, j - i, raw_utf8);
		i = j;
		after_ew = 0;
	}
	ew_flush(c, &a, out);
	if (a.bytes.oom)
		out->oom = 1;
	free(a.bytes.p);
}

char *
hdr_words(struct mime_ctx *c, const char *s, size_t n, int raw_utf8)
{
	struct mbuf b = { 0 };
	char *line;

	decode_words(c, s, n, raw_utf8, &b);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	line = text_oneline(b.p, b.len, MIME_LINE_MAX);
	free(b.p);
	return line;
}

size_t
hdr_ew_len(const char *s, size_t n)
{
	struct ew w;

	return encoded_word(s, n, &w);
}

char *
hdr_text(struct mime_ctx *c, const char *v, size_t n)
{
	if (n > HDR_DECODE_MAX)
		n = HDR_DECODE_MAX;
	return hdr_words(c, v, n, utf8_valid(v, n));
}

char *
hdr_token(const char *v, size_t n)
{
	size_t i = 0, e;
	char *t;

	while (i < n && (mime_ws(v[i]) || v[i] == '(')) {
		if (v[i] == '(')
			i = hdr_skip_comment(v, n, i);
		else
			i++;
	}
	for (e = i; e < n && !mime_ws(v[e]) && v[e] != ';' && v[e] != '(' && v[e] != ','; e++)
		;
	if (e - i > MIME_LINE_MAX)
		e = i + MIME_LINE_MAX;
	t = text_oneline(v + i, e - i, MIME_LINE_MAX);
	for (char *p = t; p != NULL && *p != '\0'; p++)
		*p = ascii_lower(*p);
	return t;
}
