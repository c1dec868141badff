/*
 * compose.c: owns the wire form of the mail helpdeskd sends: one RFC 5322
 * message with CRLF line ends, folded header fields, RFC 2047 encoded words
 * for non-ASCII text and a quoted-printable UTF-8 body. It refuses any
 * address or msg-id that is not header-safe, and sanitises all other text,
 * so nothing from a message can add a header (design rule 6). Pure: no I/O;
 * every allocation is checked.
 */
#include "compose.h"

#include "address.h"
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FOLD_AT		78	/* RFC 5322 2.1.1: header lines SHOULD stay within 78 */
#define EW_MAX		75	/* RFC 2047 2: longest encoded word */
#define EW_PREFIX	"=?UTF-8?"
#define EW_OVERHEAD	12	/* "=?UTF-8?Q?" and "?=" */
#define EW_MIN_ROOM	(EW_OVERHEAD + 12)	/* fits any one character, Q or B */
#define QP_LINE		76	/* RFC 2045 6.7: encoded lines at most 76 */
#define SUBJECT_MAX	1000	/* bytes of subject kept; a longer one ends in "..." */
#define DISPLAY_MAX	200	/* bytes of display name kept */
#define ADDR_MAX	254	/* RFC 5321 4.5.3.1.3: a path holds at most 256 with <> */
#define MSGID_MAX	250	/* keeps "References: <id>" within 998 octets */
#define REFS_MAX	20	/* msg-ids kept in References: the first and the latest */

/* A growable output string; after a failed allocation only oom changes. */
struct out {
	char *s;
	size_t len, cap;
	bool oom;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (n > SIZE_MAX - 1 - o->len) {
		o->oom = true;
		return;
	}
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 1024;
		char *p;

		while (cap < o->len + n + 1) {
			if (cap > SIZE_MAX / 2) {
				o->oom = true;
				return;
			}
			cap *= 2;
		}
		if ((p = realloc(o->s, cap)) == NULL) {
			o->oom = true;
			return;
		}
		o->s = p;
		o->cap = cap;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_char(struct out *o, char c)
{
	put(o, &c, 1);
}

static void
put_hex(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char t[3] = { '=', hex[c >> 4], hex[c & 15] };

	put(o, t, 3);
}

/* A header field being written: tokens go on the current line, separated by
 * a space, or on a new folded line when they would pass column FOLD_AT. */
struct field {
	struct out *o;
	size_t col;
	bool empty;		/* no token written yet */
};

static void
field_begin(struct field *f, struct out *o, const char *name)
{
	f->o = o;
	f->col = strlen(name) + 1;
	f->empty = true;
	put_str(o, name);
	put_char(o, ':');
}

/* Write the separator before a token of n bytes: a space, or CRLF and a space
 * when the token would not fit. The first token always stays on line one. */
static void
field_sep(struct field *f, size_t n)
{
	if (!f->empty && f->col + 1 + n > FOLD_AT) {
		put(f->o, "\r\n ", 3);
		f->col = 1;
	} else {
		put_char(f->o, ' ');
		f->col++;
	}
	f->empty = false;
}

static void
field_token(struct field *f, const char *tok, size_t n)
{
	field_sep(f, n);
	put(f->o, tok, n);
	f->col += n;
}

static void
field_end(struct field *f)
{
	put(f->o, "\r\n", 2);
}

/* Write <id> as one token. */
static void
field_msgid(struct field *f, const char *id, size_t n)
{
	field_sep(f, n + 2);
	put_char(f->o, '<');
	put(f->o, id, n);
	put_char(f->o, '>');
	f->col += n + 2;
}

int
mail_msgid_valid(const char *id, size_t n)
{
	if (n == 0 || n > MSGID_MAX || memchr(id, '@', n) == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>')
			return false;
	}
	return true;
}

static bool
addr_ok(const char *a)
{
	return a != NULL && strlen(a) <= ADDR_MAX && address_valid(a, strlen(a));
}

/* Length of the UTF-8 character starting with byte c (valid text only). */
static size_t
char_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Bytes Q encoding writes literally; this set is safe in a phrase too
 * (RFC 2047 5(3)). A space becomes '_', everything else =XX. */
static bool
q_literal(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t
q_cost(unsigned char c)
{
	return q_literal(c) || c == ' ' ? 1 : 3;
}

static void
b64_put(struct out *o, const unsigned char *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		char t[4];

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		t[0] = tab[v >> 18];
		t[1] = tab[(v >> 12) & 63];
		t[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		t[3] = i + 2 < n ? tab[v & 63] : '=';
		put(o, t, 4);
	}
}

/*
 * Write s[0..n) (valid UTF-8) as a run of encoded words, each at most 75
 * characters, each holding whole characters, folded between words. Q or B,
 * whichever is shorter overall; decoders join adjacent encoded words.
 */
static void
field_encoded(struct field *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t qtotal = 0, i = 0;
	bool q;

	for (size_t k = 0; k < n; k++)
		qtotal += q_cost(u[k]);
	q = qtotal <= (n + 2) / 3 * 4;
	while (i < n) {
		/* Room on this line, or on a new folded line when too little. */
		size_t room = f->col + EW_MIN_ROOM <= FOLD_AT - 1 ? FOLD_AT - 1 - f->col : FOLD_AT - 1;
		size_t max = (room < EW_MAX ? room : EW_MAX) - EW_OVERHEAD, end = i, cost = 0;

		/* Take whole characters while their encoding fits. */
		while (end < n) {
			size_t cl = char_len(u[end]), c = 0;

			if (cl > n - end)
				cl = n - end;
			if (q) {
				for (size_t k = 0; k < cl; k++)
					c += q_cost(u[end + k]);
			} else {
				c = (end + cl - i + 2) / 3 * 4 - cost;
			}
			if (cost + c > max && end > i)
				break;
			cost += c;
			end += cl;
		}
		field_sep(f, EW_OVERHEAD + cost);
		put_str(f->o, q ? EW_PREFIX "Q?" : EW_PREFIX "B?");
		if (q) {
			for (size_t k = i; k < end; k++) {
				if (u[k] == ' ')
					put_char(f->o, '_');
				else if (q_literal(u[k]))
					put_char(f->o, (char)u[k]);
				else
					put_hex(f->o, u[k]);
			}
		} else {
			b64_put(f->o, u + i, end - i);
		}
		put(f->o, "?=", 2);
		f->col += EW_OVERHEAD + cost;
		i = end;
	}
}

/* 1 when one-line text must become encoded words: it is not ASCII, it could
 * be mistaken for an encoded word, or a word of it cannot fit a line. */
static bool
needs_encoding(const char *s)
{
	size_t word = 0;

	if (strstr(s, "=?") != NULL)
		return true;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return true;
		word = *s == ' ' ? 0 : word + 1;
		if (word > FOLD_AT - 2)
			return true;
	}
	return false;
}

/* Write one-line text s as space-separated tokens. */
static void
field_words(struct field *f, const char *s)
{
	while (*s != '\0') {
		size_t n = strcspn(s, " ");

		if (n > 0)
			field_token(f, s, n);
		s += n;
		s += strspn(s, " ");
	}
}

/* RFC 5322 atext, and the space between atoms: a phrase of only these
 * needs no quoting. */
static bool
phrase_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(" !#$%&'*+-/=?^_`{|}~", *s) != NULL))
			return false;
	return true;
}

/* Write the display name (already one line, non-empty) as a phrase: atoms,
 * a quoted-string, or encoded words. Returns -1 when out of memory. */
static int
field_phrase(struct field *f, const char *name)
{
	struct out q = { 0 };

	if (needs_encoding(name)) {
		field_encoded(f, name, strlen(name));
		return 0;
	}
	if (phrase_plain(name)) {
		field_words(f, name);
		return 0;
	}
	put_char(&q, '"');
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			put_char(&q, '\\');
		put_char(&q, *p);
	}
	put_char(&q, '"');
	if (q.oom) {
		free(q.s);
		return -1;
	}
	/* Folding at a space inside the quotes keeps the space (RFC 5322 3.2.4). */
	field_words(f, q.s);
	free(q.s);
	return 0;
}

/* Write "Date:" with m->date in local time and its numeric offset.
 * Returns -1 when the time cannot be represented. */
static int
put_date(struct out *o, int64_t ms)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	long off;
	char line[96];
	int n;

	if (localtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	off = tm.tm_gmtoff / 60;
	n = snprintf(line, sizeof(line), "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld\r\n",
		     days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	put(o, line, (size_t)n);
	return 0;
}

/* A msg-id list entry: a slice of the caller's string. */
struct ref {
	const char *s;
	size_t n;
};

/*
 * Write References: the valid msg-ids of refs, then in_reply_to when it is
 * not among them, keeping the first and the latest when there are more than
 * REFS_MAX. Invalid entries are left out: they only help threading. Returns
 * -1 when out of memory.
 */
static int
put_references(struct out *o, const char *refs, const char *in_reply_to)
{
	struct ref *list = NULL;
	size_t n = 0, cap = 0;
	bool have_irt = false;
	struct field f;

	for (const char *p = refs ? refs : ""; *p != '\0';) {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (len > 0 && mail_msgid_valid(p, len)) {
			if (n == cap) {
				struct ref *nl;

				cap = cap ? 2 * cap : 8;
				if (cap > SIZE_MAX / sizeof(*list) || (nl = realloc(list, cap * sizeof(*list))) == NULL) {
					free(list);
					return -1;
				}
				list = nl;
			}
			list[n].s = p;
			list[n].n = len;
			if (in_reply_to && strlen(in_reply_to) == len && memcmp(p, in_reply_to, len) == 0)
				have_irt = true;
			n++;
		}
		p += len;
	}
	if (in_reply_to != NULL && !have_irt) {
		if (n == cap) {
			struct ref *nl = realloc(list, (n + 1) * sizeof(*list));

			if (nl == NULL) {
				free(list);
				return -1;
			}
			list = nl;
		}
		list[n].s = in_reply_to;
		list[n].n = strlen(in_reply_to);
		n++;
	}
	if (n > 0) {
		field_begin(&f, o, "References");
		for (size_t i = 0; i < n; i++)
			if (n <= REFS_MAX || i == 0 || i >= n - (REFS_MAX - 1))
				field_msgid(&f, list[i].s, list[i].n);
		field_end(&f);
	}
	free(list);
	return 0;
}

/* 1 when the byte at line[i] may be written as it is at output column col. */
static bool
qp_literal(const char *line, size_t i, size_t len, size_t col)
{
	unsigned char c = (unsigned char)line[i];

	if (col == 0 && (c == '.' || (c == 'F' && len - i >= 5 && memcmp(line + i, "From ", 5) == 0)))
		return false;	/* SMTP dot lines and mbox "From " lines stay intact */
	if (c == ' ' || c == '\t')
		return i + 1 < len;	/* trailing white space is encoded */
	return c > 0x20 && c < 0x7f && c != '=';
}

/* Append one body line (without its line end) quoted-printable encoded,
 * with soft line breaks so that no output line passes QP_LINE, then CRLF. */
static void
qp_line(struct out *o, const char *line, size_t len)
{
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		bool lit = qp_literal(line, i, len, col);
		size_t w = lit ? 1 : 3;

		/* Leave room for the '=' of a soft break, unless this is the
		 * last character of the line. */
		if (col + w > (i + 1 == len ? QP_LINE : QP_LINE - 1)) {
			put(o, "=\r\n", 3);
			col = 0;
			lit = qp_literal(line, i, len, col);
			w = lit ? 1 : 3;
		}
		if (lit)
			put_char(o, line[i]);
		else
			put_hex(o, (unsigned char)line[i]);
		col += w;
	}
	put(o, "\r\n", 2);
}

/* Append the body: repaired to valid UTF-8, lines split on CRLF, CR or LF,
 * each encoded. Returns -1 when out of memory. */
static int
put_body(struct out *o, const char *body)
{
	size_t len, i = 0;
	char *text = utf8_repair(body ? body : "", body ? strlen(body) : 0, &len);

	if (text == NULL)
		return -1;
	while (i < len) {
		size_t n = strcspn(text + i, "\r\n");

		qp_line(o, text + i, n);
		i += n;
		if (i < len && text[i] == '\r') {
			i++;
			if (i < len && text[i] == '\n')
				i++;	/* CRLF */
		} else if (i < len) {
			i++;	/* LF */
		}
	}
	free(text);
	return 0;
}

/* The sanitised one-line form of s, or "" (never NULL unless out of memory). */
static char *
oneline(const char *s, size_t max)
{
	return text_oneline(s ? s : "", s ? strlen(s) : 0, max);
}

char *
mail_compose(const struct mail_out *m, size_t *len)
{
	struct out o = { 0 };
	struct field f;
	char *name = NULL, *subject = NULL;

	if (m == NULL || !addr_ok(m->from_addr) || !addr_ok(m->to_addr) || m->message_id == NULL ||
	    !mail_msgid_valid(m->message_id, strlen(m->message_id)) ||
	    (m->in_reply_to != NULL && !mail_msgid_valid(m->in_reply_to, strlen(m->in_reply_to))))
		return NULL;
	if ((name = oneline(m->from_name, DISPLAY_MAX)) == NULL ||
	    (subject = oneline(m->subject, SUBJECT_MAX)) == NULL || put_date(&o, m->date) < 0)
		goto fail;

	field_begin(&f, &o, "From");
	if (*name != '\0' && field_phrase(&f, name) < 0)
		goto fail;
	if (*name != '\0')
		field_msgid(&f, m->from_addr, strlen(m->from_addr));	/* "<addr>" */
	else
		field_token(&f, m->from_addr, strlen(m->from_addr));
	field_end(&f);

	field_begin(&f, &o, "To");
	field_token(&f, m->to_addr, strlen(m->to_addr));
	field_end(&f);

	field_begin(&f, &o, "Subject");
	if (needs_encoding(subject))
		field_encoded(&f, subject, strlen(subject));
	else
		field_words(&f, subject);
	field_end(&f);

	field_begin(&f, &o, "Message-ID");
	field_msgid(&f, m->message_id, strlen(m->message_id));
	field_end(&f);
	if (m->in_reply_to != NULL) {
		field_begin(&f, &o, "In-Reply-To");
		field_msgid(&f, m->in_reply_to, strlen(m->in_reply_to));
		field_end(&f);
	}
	if (put_references(&o, m->references, m->in_reply_to) < 0)
		goto fail;
	put_str(&o, "MIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n");
	put_str(&o, m->auto_reply ? "Auto-Submitted: auto-replied\r\n" : "Auto-Submitted: auto-generated\r\n");
	put_str(&o, "X-Auto-Response-Suppress: All\r\n\r\n");
	if (put_body(&o, m->body) < 0 || o.oom)
		goto fail;
	free(name);
	free(subject);
	if (len != NULL)
		*len = o.len;
	return o.s;
fail:
	free(name);
	free(subject);
	free(o.s);
	return NULL;
}
