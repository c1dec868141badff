/* mime_internal.h: private glue between mime*.c, charset.c and html.c: buffers, helpers, prototypes. */
#ifndef HD_MIME_INTERNAL_H
#define HD_MIME_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

/* Longest header string kept (subject, names, addresses, msg-ids, filenames). */
#define MIME_LINE_MAX	998
/* Header values longer than this are read only this far (results are cut
 * to MIME_LINE_MAX anyway); References is the exception. */
#define HDR_DECODE_MAX	16384

/* A growable byte buffer. A failed allocation sets oom and makes every
 * later add a no-op, so callers check oom once at the end. */
struct mbuf {
	char *p;
	size_t len, cap;
	int oom;
};

/* Make room for n more bytes plus a NUL; 0 on success. */
static inline int
mbuf_room(struct mbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (n < b->cap - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len - 64) {
		b->oom = 1;
		return -1;
	}
	cap = b->cap ? b->cap : 64;
	while (cap - b->len <= n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

static inline void
mbuf_add(struct mbuf *b, const void *s, size_t n)
{
	if (n == 0 || mbuf_room(b, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void
mbuf_addc(struct mbuf *b, char c)
{
	if (mbuf_room(b, 1) != 0)
		return;
	b->p[b->len++] = c;
}

/* NUL-terminate and hand over the contents (a fresh "" when empty); NULL
 * when out of memory, in which case the buffer is freed. */
static inline char *
mbuf_take(struct mbuf *b)
{
	char *p;

	if (mbuf_room(b, 0) != 0) {
		free(b->p);
		b->p = NULL;
		return NULL;
	}
	b->p[b->len] = '\0';
	p = b->p;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

/* Write code point cp (a Unicode scalar value) as UTF-8 to u; return the length. */
static inline size_t
utf8_put(uint32_t cp, char u[4])
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | (cp >> 18));
	u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	u[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Append code point cp as UTF-8. */
static inline void
mbuf_utf8(struct mbuf *b, uint32_t cp)
{
	char u[4];
	size_t n = utf8_put(cp, u);

	mbuf_add(b, u, n);
}

static inline char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline int
mime_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value of hex digit c, or -1. */
static inline int
mime_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 1 when s[0..n) equals the lower-case literal lit, ignoring ASCII case. */
static inline int
span_ieq(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n != k)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(s[i]) != lit[i])
			return 0;
	return 1;
}

/* ---- charset.c ---- */

/* How a conversion went; everything but CS_OK is worth a problem note. */
enum cs_status {
	CS_OK,
	CS_UNKNOWN_UTF8,	/* unknown charset, bytes were valid UTF-8 */
	CS_UNKNOWN_CP1252,	/* unknown charset, read as windows-1252 */
	CS_MISLABELLED_UTF8,	/* known charset failed, bytes were valid UTF-8 */
	CS_BAD_BYTES,		/* bytes invalid in the charset became U+FFFD */
};

/*
 * charset_to_utf8 with the charset given as cs[0..cslen) (need not be
 * NUL-terminated; NULL or empty means none declared) and the outcome in *st.
 * Returns NULL only when out of memory.
 */
char *charset_convert(const char *cs, size_t cslen, const char *in, size_t len, size_t *outlen,
		      enum cs_status *st);

/* The code point windows-1252 gives byte b (U+FFFD for its five holes). */
uint32_t cp1252_codepoint(unsigned char b);

/* Append in[0..len) to b: as is when raw_utf8, else each byte read as windows-1252. */
void append_raw(struct mbuf *b, const char *in, size_t len, int raw_utf8);

/* ---- mime.c: problem notes ---- */

struct mime_ctx;

/* Add the note pre + detail + post to the problems (once per distinct
 * note). detail (dlen bytes, may be NULL) is sender text: only a short,
 * printable-ASCII form of it is kept. */
void mime_note(struct mime_ctx *c, const char *pre, const char *detail, size_t dlen,
	       const char *post);

/* Note a charset conversion outcome st for charset cs[0..cslen). */
void mime_note_charset(struct mime_ctx *c, enum cs_status st, const char *cs, size_t cslen);

/* ---- mime_codec.c: transfer decodings ---- */

/* Decode base64, skipping line breaks and junk, tolerating missing or inner
 * padding. Returns 0, or a bit set: 1 junk characters, 2 dangling bits. */
int mime_base64(const char *s, size_t n, struct mbuf *out);

/* Undo quoted-printable: soft line breaks go, =XX become bytes, trailing
 * white space on a line goes; a bad escape stays as it is (returns 1). */
int mime_qp(const char *s, size_t n, struct mbuf *out);

/* ---- mime_header.c: header block, RFC 2047, tokens ---- */

enum hdr_id {
	H_SUBJECT, H_FROM, H_REPLY_TO, H_RETURN_PATH, H_MESSAGE_ID, H_IN_REPLY_TO,
	H_REFERENCES, H_DATE, H_AUTO_SUBMITTED, H_PRECEDENCE, H_LIST_ID,
	H_LIST_UNSUBSCRIBE, H_X_AUTO_RESPONSE_SUPPRESS, H_X_AUTOREPLY, H_X_AUTORESPOND,
	H_CONTENT_TYPE, H_CONTENT_TRANSFER_ENCODING, H_CONTENT_DISPOSITION, H_CONTENT_ID,
	H_NUM
};

/* The raw (still folded) value of the first occurrence of each known field. */
struct hdrs {
	const char *v[H_NUM];
	size_t n[H_NUM];
	unsigned char seen[H_NUM];
};

enum hdr_end {
	HE_BLANK,	/* ended by an empty line */
	HE_EOF,		/* ran to the end of the input */
	HE_NONFIELD,	/* ended by a line that is not a header field */
	HE_NONE,	/* the first line is not a header field: no header */
};

/*
 * Split the header block at the start of p[0..n) into h. Returns the offset
 * of the body; *end says how the block ended. With mbox set, a leading
 * "From " envelope line is skipped.
 */
size_t hdr_split(const char *p, size_t n, int mbox, struct hdrs *h, enum hdr_end *end);

/* Index after the quoted string starting at v[i] == '"' (or n). */
size_t hdr_skip_quoted(const char *v, size_t n, size_t i);

/* Index after the (nested) comment starting at v[i] == '(' (or n). */
size_t hdr_skip_comment(const char *v, size_t n, size_t i);

/* Length of the RFC 2047 encoded word at s[0..n), or 0 when there is none. */
size_t hdr_ew_len(const char *s, size_t n);

/* s[0..n) with RFC 2047 words decoded (raw 8-bit read as UTF-8 when
 * raw_utf8, else as windows-1252), as one line. NULL on OOM. */
char *hdr_words(struct mime_ctx *c, const char *s, size_t n, int raw_utf8);

/* Unstructured text (Subject): RFC 2047 decoded, one line. NULL on OOM. */
char *hdr_text(struct mime_ctx *c, const char *v, size_t n);

/* The first token (up to white space, ';' or a comment), lower case, one
 * line. NULL on OOM. */
char *hdr_token(const char *v, size_t n);

/* ---- mime_addr.c: mailboxes and msg-ids ---- */

/* First mailbox of an address field: *addr bare address ("" for <>),
 * *name decoded display name or NULL (name may be NULL when not wanted).
 * Returns -1 on OOM. */
int hdr_mailbox(struct mime_ctx *c, const char *v, size_t n, char **addr, char **name);

/* Msg-ids without <>, in order, at most max (the first and the last max-1
 * when there are more). Without any <...>, whitespace-separated tokens
 * count (only those holding '@' unless any_token). Returns -1 on OOM. */
int hdr_msgids(const char *v, size_t n, size_t max, int any_token, char ***ids, size_t *nids);

/* ---- mime_date.c ---- */

/* Date in epoch milliseconds, 0 when unreadable. */
int64_t hdr_date(const char *v, size_t n);

/* ---- mime_param.c: Content-Type and parameters ---- */

/* Content-Type "type/subtype" lower case into out (size outsz); 0 when
 * readable, -1 when absent or garbage (out is then ""). */
int hdr_ctype(const char *v, size_t n, char *out, size_t outsz);

/* Parameter attr (lower case) of a Content-Type/Disposition value with RFC
 * 2231 sections and charsets and RFC 2047 words decoded: one line UTF-8, or
 * NULL when absent. *oom set on out of memory. */
char *hdr_param_text(struct mime_ctx *c, const char *v, size_t n, const char *attr, int *oom);

/* Raw bytes of parameter attr (no decoding beyond quoting); 0 when present. */
int hdr_param_raw(const char *v, size_t n, const char *attr, struct mbuf *out);

#endif
