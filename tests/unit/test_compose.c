/* test_compose.c: unit tests for parsers/compose.c: the message is parsed back (headers,
 * encoded words, quoted-printable) and checked for line ends, line lengths and injection. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "compose.h"
#include "text.h"
#include "unit.h"

#define PRAY	"\xf0\x9f\x99\x8f"	/* U+1F64F */
#define NDASH	"\xe2\x80\x93"		/* U+2013 */
#define INDO	"Tiket HD-2611-0042 diterima " NDASH " terima kasih " PRAY
#define T0	1762226100000LL		/* 2025-11-04 03:15:00 UTC */

/* A growable test buffer; exits on out of memory (tests only). */
struct tb {
	char *s;
	size_t len, cap;
};

static void
tb_put(struct tb *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->s = realloc(b->s, b->cap)) == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static char *
tb_take(struct tb *b)
{
	if (b->s == NULL)
		tb_put(b, "", 0);
	return b->s;
}

/* The message taken apart. */
struct parsed {
	char *msg;
	size_t len;
	const char *body;	/* after the blank line */
	size_t head_len;	/* header block, up to and including its last CRLF */
};

static struct mail_out
base(void)
{
	return (struct mail_out){
		.from_addr = "helpdesk@diskominfo.example.go.id",
		.from_name = "Helpdesk Diskominfo",
		.to_addr = "budi@dinkes.example.go.id",
		.subject = "Re: HELPDESK printer rusak",
		.message_id = "hd.42.a1b2c3@diskominfo.example.go.id",
		.in_reply_to = "CAF=x1.y2@mail.example.com",
		.references = "root.1@mail.example.com",
		.date = T0,
		.body = "Tiket HD-2611-0042 diterima.\nTerima kasih.",
		.auto_reply = 1,
	};
}

/* 1 when every CR is followed by LF and every LF preceded by CR. */
static bool
crlf_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
			return false;
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return false;
	}
	return true;
}

/* Longest line (without CRLF) in s[0..n). */
static size_t
longest_line(const char *s, size_t n)
{
	size_t max = 0, cur = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			cur = 0;
			continue;
		}
		if (++cur > max)
			max = cur;
	}
	return max;
}

/* Compose m and check what every message must satisfy. Returns 0 with *p
 * filled, or -1 when mail_compose refused. */
static int
compose(const struct mail_out *m, struct parsed *p)
{
	const char *sep;

	memset(p, 0, sizeof(*p));
	p->msg = mail_compose(m, &p->len);
	if (p->msg == NULL)
		return -1;
	CHECK(strlen(p->msg) == p->len);
	CHECK(crlf_only(p->msg, p->len));
	sep = strstr(p->msg, "\r\n\r\n");
	CHECK(sep != NULL);
	if (sep == NULL) {
		p->body = p->msg + p->len;
		p->head_len = p->len;
		return 0;
	}
	p->head_len = (size_t)(sep - p->msg) + 2;
	p->body = sep + 4;
	CHECK(longest_line(p->msg, p->head_len) <= 78);
	CHECK(longest_line(p->body, p->len - p->head_len - 2) <= 76);
	CHECK(p->len >= 2 && memcmp(p->msg + p->len - 2, "\r\n", 2) == 0);
	return 0;
}

/* The unfolded value of the only header field called name (CRLF dropped,
 * the white space after it kept, the space after the colon dropped), or
 * NULL when absent. *count gets how many fields have that name. */
static char *
header(const struct parsed *p, const char *name, int *count)
{
	size_t nl = strlen(name);
	const char *s = p->msg, *end = p->msg + p->head_len;
	struct tb v = { 0 };
	int n = 0;

	while (s < end) {
		const char *eol = strstr(s, "\r\n");

		if (strncmp(s, name, nl) == 0 && s[nl] == ':') {
			const char *val = s + nl + 1;

			n++;
			if (*val == ' ')
				val++;
			v.len = 0;
			tb_put(&v, val, (size_t)(eol - val));
			while (eol + 2 < end && (eol[2] == ' ' || eol[2] == '\t')) {
				const char *next = strstr(eol + 2, "\r\n");

				tb_put(&v, eol + 2, (size_t)(next - eol - 2));
				eol = next;
			}
		}
		s = eol + 2;
	}
	if (count != NULL)
		*count = n;
	if (n == 0) {
		free(v.s);
		return NULL;
	}
	return tb_take(&v);
}

/* The header field names in order, separated by spaces. */
static char *
names(const struct parsed *p)
{
	const char *s = p->msg, *end = p->msg + p->head_len;
	struct tb v = { 0 };

	while (s < end) {
		const char *eol = strstr(s, "\r\n"), *colon = memchr(s, ':', (size_t)(eol - s));

		if (*s != ' ' && *s != '\t') {
			if (v.len)
				tb_put(&v, " ", 1);
			tb_put(&v, s, colon ? (size_t)(colon - s) : (size_t)(eol - s));
		}
		s = eol + 2;
	}
	return tb_take(&v);
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int
b64val(char c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;

	return p ? (int)(p - t) : -1;
}

/* Decode one encoded word w[0..n) into b; returns 0, or -1 when it is not
 * a well-formed UTF-8 Q or B encoded word of at most 75 characters holding
 * whole characters. */
static int
ew_word(const char *w, size_t n, struct tb *b)
{
	size_t start = b->len;

	if (n > 75 || n < 12 || strncmp(w, "=?UTF-8?", 8) != 0 || w[9] != '?' ||
	    w[n - 2] != '?' || w[n - 1] != '=')
		return -1;
	if (w[8] == 'Q') {
		for (size_t i = 10; i < n - 2; i++) {
			char c = w[i];

			if (c == '_') {
				c = ' ';
			} else if (c == '=') {
				int hi, lo;

				if (i + 2 >= n - 2 || (hi = hexval(w[i + 1])) < 0 || (lo = hexval(w[i + 2])) < 0)
					return -1;
				c = (char)(hi << 4 | lo);
				i += 2;
			} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				     (c >= '0' && c <= '9') || strchr("!*+-/", c))) {
				return -1;	/* not allowed literally in a phrase */
			}
			tb_put(b, &c, 1);
		}
	} else if (w[8] == 'B') {
		uint32_t acc = 0;
		int bits = 0;

		if ((n - 12) % 4 != 0)
			return -1;
		for (size_t i = 10; i < n - 2 && w[i] != '='; i++) {
			int v = b64val(w[i]);

			if (v < 0)
				return -1;
			acc = acc << 6 | (uint32_t)v;
			if ((bits += 6) >= 8) {
				char c = (char)(acc >> (bits - 8));

				bits -= 8;
				tb_put(b, &c, 1);
			}
		}
	} else {
		return -1;
	}
	return utf8_valid(b->s + start, b->len - start) ? 0 : -1;
}

/* Decode an unfolded unstructured value: encoded words (white space
 * between two of them dropped) and plain words. *bad counts malformed
 * encoded words; *nwords counts encoded words. */
static char *
ew_decode(const char *v, int *nwords, int *bad)
{
	struct tb b = { 0 };
	bool prev_ew = false;

	*nwords = *bad = 0;
	while (*v != '\0') {
		size_t ws = strspn(v, " \t"), n = strcspn(v + ws, " \t");
		const char *w = v + ws;
		bool ew = n >= 2 && strncmp(w, "=?", 2) == 0;

		if (n == 0)
			break;
		if (!(ew && prev_ew) && ws > 0 && b.len > 0)
			tb_put(&b, " ", 1);
		if (ew) {
			(*nwords)++;
			if (ew_word(w, n, &b) < 0)
				(*bad)++;
		} else {
			tb_put(&b, w, n);
		}
		prev_ew = ew;
		v = w + n;
	}
	return tb_take(&b);
}

/* Decode a quoted-printable body; *bad counts malformed escapes and lines
 * with trailing white space. */
static char *
qp_decode(const char *s, int *bad)
{
	struct tb b = { 0 };

	*bad = 0;
	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (s[0] == '=') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0) {
				(*bad)++;
				s++;
				continue;
			}
			char c = (char)(hi << 4 | lo);
			tb_put(&b, &c, 1);
			s += 3;
		} else {
			if ((s[0] == ' ' || s[0] == '\t') && s[1] == '\r')
				(*bad)++;
			if ((unsigned char)s[0] >= 0x7f || ((unsigned char)s[0] < 0x20 && s[0] != '\t' &&
							    s[0] != '\r' && s[0] != '\n'))
				(*bad)++;
			tb_put(&b, s, 1);
			s++;
		}
	}
	return tb_take(&b);
}

/* The body the message should carry: valid UTF-8, CRLF line ends, a final CRLF. */
static char *
expected_body(const char *in)
{
	size_t n;
	char *rep = utf8_repair(in, strlen(in), &n);
	struct tb b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (rep[i] == '\r' || rep[i] == '\n') {
			tb_put(&b, "\r\n", 2);
			if (rep[i] == '\r' && i + 1 < n && rep[i + 1] == '\n')
				i++;
		} else {
			tb_put(&b, rep + i, 1);
		}
	}
	if (b.len > 0 && !(b.len >= 2 && memcmp(b.s + b.len - 2, "\r\n", 2) == 0))
		tb_put(&b, "\r\n", 2);
	free(rep);
	return tb_take(&b);
}

static void
check_subject(const struct mail_out *m, const char *want)
{
	struct parsed p;
	int nw, bad, count;

	if (compose(m, &p) < 0) {
		CHECK(!"compose failed");
		return;
	}
	char *v = header(&p, "Subject", &count), *dec = v ? ew_decode(v, &nw, &bad) : NULL;

	CHECK(count == 1);
	CHECK(dec != NULL && bad == 0);
	CHECK_STR(dec, want);
	free(v);
	free(dec);
	free(p.msg);
}

static void
test_basic(void)
{
	struct mail_out m = base();
	struct parsed p;
	char *v, *n;
	int bad;

	if (compose(&m, &p) < 0) {
		CHECK(!"compose failed");
		return;
	}
	n = names(&p);
	CHECK_STR(n, "Date From To Subject Message-ID In-Reply-To References MIME-Version"
		  " Content-Type Content-Transfer-Encoding Auto-Submitted X-Auto-Response-Suppress");
	free(n);
	CHECK(strncmp(p.msg, "Date: Tue, 04 Nov 2025 10:15:00 +0700\r\n", 39) == 0);
	CHECK(strstr(p.msg, "\r\nFrom: Helpdesk Diskominfo <helpdesk@diskominfo.example.go.id>\r\n"));
	CHECK(strstr(p.msg, "\r\nTo: budi@dinkes.example.go.id\r\n"));
	CHECK(strstr(p.msg, "\r\nSubject: Re: HELPDESK printer rusak\r\n"));
	CHECK(strstr(p.msg, "\r\nMessage-ID: <hd.42.a1b2c3@diskominfo.example.go.id>\r\n"));
	CHECK(strstr(p.msg, "\r\nIn-Reply-To: <CAF=x1.y2@mail.example.com>\r\n"));
	CHECK(strstr(p.msg, "\r\nReferences: <root.1@mail.example.com> <CAF=x1.y2@mail.example.com>\r\n"));
	CHECK(strstr(p.msg, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		     "Content-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-replied\r\n"
		     "X-Auto-Response-Suppress: All\r\n\r\n"));
	CHECK(strstr(p.msg, "Precedence") == NULL);
	CHECK_STR(p.body, "Tiket HD-2611-0042 diterima.\r\nTerima kasih.\r\n");
	v = qp_decode(p.body, &bad);
	CHECK_STR(v, "Tiket HD-2611-0042 diterima.\r\nTerima kasih.\r\n");
	CHECK(bad == 0);
	free(v);
	free(p.msg);

	/* A notice: no threading headers, auto-generated, no display name. */
	m.in_reply_to = NULL;
	m.references = NULL;
	m.auto_reply = 0;
	m.from_name = NULL;
	if (compose(&m, &p) == 0) {
		n = names(&p);
		CHECK_STR(n, "Date From To Subject Message-ID MIME-Version Content-Type"
			  " Content-Transfer-Encoding Auto-Submitted X-Auto-Response-Suppress");
		free(n);
		CHECK(strstr(p.msg, "\r\nFrom: helpdesk@diskominfo.example.go.id\r\n"));
		CHECK(strstr(p.msg, "\r\nAuto-Submitted: auto-generated\r\n"));
		free(p.msg);
	} else {
		CHECK(!"compose failed");
	}

	/* In-Reply-To alone still gives References; an empty body is empty. */
	m = base();
	m.references = NULL;
	m.body = "";
	m.subject = NULL;
	m.from_name = "  \r\n ";
	if (compose(&m, &p) == 0) {
		v = header(&p, "References", NULL);
		CHECK_STR(v, "<CAF=x1.y2@mail.example.com>");
		free(v);
		CHECK(strstr(p.msg, "\r\nSubject:\r\n"));
		CHECK(strstr(p.msg, "\r\nFrom: helpdesk@diskominfo.example.go.id\r\n"));
		CHECK_STR(p.body, "");
		free(p.msg);
	} else {
		CHECK(!"compose failed");
	}
}

static void
test_date(void)
{
	struct mail_out m = base();
	struct parsed p;

	setenv("TZ", "XST+3:30", 1);
	tzset();
	m.date = T0 + 999;	/* milliseconds are dropped */
	if (compose(&m, &p) == 0) {
		CHECK(strncmp(p.msg, "Date: Mon, 03 Nov 2025 23:45:00 -0330\r\n", 39) == 0);
		free(p.msg);
	}
	setenv("TZ", "UTC0", 1);
	tzset();
	m.date = 0;
	if (compose(&m, &p) == 0) {
		CHECK(strncmp(p.msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n", 39) == 0);
		free(p.msg);
	}
	setenv("TZ", "Asia/Jakarta", 1);
	tzset();
	m.date = T0;
	if (compose(&m, &p) == 0) {
		CHECK(strncmp(p.msg, "Date: Tue, 04 Nov 2025 10:15:00 +0700\r\n", 39) == 0);
		free(p.msg);
	}
	setenv("TZ", "WIB-7", 1);
	tzset();
}

static void
test_encoded_words(void)
{
	struct mail_out m = base();
	struct parsed p;

	/* The exact bytes: Q (mostly ASCII), split at a character boundary. */
	m.subject = INDO;
	if (compose(&m, &p) == 0) {
		CHECK(strstr(p.msg, "\r\nSubject: =?UTF-8?Q?Tiket_HD-2611-0042_diterima_=E2=80=93_terima_kasih_?=\r\n"
			     " =?UTF-8?Q?=F0=9F=99=8F?=\r\n"));
		free(p.msg);
	} else {
		CHECK(!"compose failed");
	}
	check_subject(&m, INDO);

	/* Mostly non-ASCII: B is shorter. */
	m.subject = "\xea\xa6\xa5\xea\xa6\xbf\xea\xa6\xb6\xea\xa6\xa4\xea\xa7\x80\xea\xa6\xa0";
	if (compose(&m, &p) == 0) {
		CHECK(strstr(p.msg, "\r\nSubject: =?UTF-8?B?6qal6qa/6qa26qak6qeA6qag?=\r\n"));
		free(p.msg);
	}
	check_subject(&m, m.subject);

	/* Text that looks like an encoded word is encoded itself (B: shorter). */
	m.subject = "=?UTF-8?Q?fake?= x";
	check_subject(&m, "=?UTF-8?Q?fake?= x");
	if (compose(&m, &p) == 0) {
		CHECK(strstr(p.msg, "\r\nSubject: =?UTF-8?B?PT9VVEYtOD9RP2Zha2U/PSB4?=\r\n"));
		free(p.msg);
	}

	/* Invalid UTF-8 and control characters: repaired, one line. */
	m.subject = "a\xff\tb\x01" "c\x7f";
	check_subject(&m, "a\xef\xbf\xbd b c");

	/* Display names: atoms, quoted-string, encoded words. */
	m = base();
	m.from_name = "Helpdesk, Diskominfo (TI) \"Kab.\" a\\b";
	if (compose(&m, &p) == 0) {
		char *v = header(&p, "From", NULL);

		CHECK_STR(v, "\"Helpdesk, Diskominfo (TI) \\\"Kab.\\\" a\\\\b\" <helpdesk@diskominfo.example.go.id>");
		free(v);
		free(p.msg);
	}
	m.from_name = "Layanan Pengaduan " NDASH " Diskominfo";
	if (compose(&m, &p) == 0) {
		int nw, bad;
		char *v = header(&p, "From", NULL), *lt = v ? strrchr(v, '<') : NULL, *dec;

		CHECK(lt != NULL && strcmp(lt, "<helpdesk@diskominfo.example.go.id>") == 0);
		if (lt != NULL)
			lt[-1] = '\0';
		dec = v ? ew_decode(v, &nw, &bad) : NULL;
		CHECK_STR(dec, "Layanan Pengaduan " NDASH " Diskominfo");
		CHECK(nw >= 1 && bad == 0);
		free(dec);
		free(v);
		free(p.msg);
	}
}

static void
test_long_subjects(void)
{
	struct mail_out m = base();
	struct tb s = { 0 };
	char *want;

	/* 2 KB of ASCII words: folded at spaces, cut to 1000 bytes with "...". */
	while (s.len < 2048)
		tb_put(&s, "printer ruang rapat lantai dua tidak bisa mencetak ", 51);
	m.subject = s.s;
	want = text_oneline(s.s, s.len, 1000);
	check_subject(&m, want);
	CHECK(want != NULL && strlen(want) <= 1000 && strcmp(want + strlen(want) - 3, "...") == 0);
	free(want);

	/* 2 KB without a space: one word too long for a line, so encoded. */
	memset(s.s, 'x', s.len);
	want = text_oneline(s.s, s.len, 1000);
	check_subject(&m, want);
	free(want);

	/* 2 KB of Indonesian text with an emoji, cut at a character boundary. */
	s.len = 0;
	while (s.len < 2048)
		tb_put(&s, INDO " ", strlen(INDO) + 1);
	m.subject = s.s;
	want = text_oneline(s.s, s.len, 1000);
	check_subject(&m, want);
	free(want);

	/* Every split point: each encoded word holds whole characters. */
	for (size_t n = 1; n <= 40; n++) {
		s.len = 0;
		for (size_t i = 0; i < n; i++)
			tb_put(&s, i % 3 ? "\xc3\xa9" : PRAY, i % 3 ? 2 : 4);
		m.subject = s.s;
		check_subject(&m, s.s);
	}
	free(s.s);
}

/* Every header field name must be one of ours: nothing was injected. */
static void
check_no_injection(const struct mail_out *m)
{
	static const char *const ours[] = { "Date", "From", "To", "Subject", "Message-ID", "In-Reply-To",
		"References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
		"Auto-Submitted", "X-Auto-Response-Suppress" };
	struct parsed p;

	if (compose(m, &p) < 0) {
		CHECK(!"compose failed");
		return;
	}
	char *n = names(&p), *save = NULL;
	int found_all = 1;

	for (char *t = strtok_r(n, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		int ok = 0;

		for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			ok |= strcmp(t, ours[i]) == 0;
		if (!ok) {
			fprintf(stderr, "unexpected header %s\n", t);
			found_all = 0;
		}
	}
	CHECK(found_all);
	for (const char *s = p.msg; (s = strstr(s, "\nBcc:")) != NULL; s++)
		CHECK((size_t)(s - p.msg) >= p.head_len);
	free(n);
	free(p.msg);
}

static void
test_injection(void)
{
	struct mail_out m = base();
	static const char *const bad_ids[] = { "abc@x\r\nBcc: y@z", "a b@x", "<a@x>", "a@x>", "<a@x",
		"nodomain", "", "a@x\n", "a@x\t", "a@\x7f", "caf\xc3\xa9@x" };
	static const char *const bad_addrs[] = { "a@b.id\r\nBcc: c@d.id", "Name <a@b.id>", "a b@c.id",
		"", "noat", "a@b@c", "a@b,c@d" };
	struct parsed p;
	char big[300];

	m.subject = "a\r\nBcc: x@y";
	check_no_injection(&m);
	check_subject(&m, "a Bcc: x@y");
	m.subject = "a\rBcc: x@y\n\nbody";
	check_no_injection(&m);
	m = base();
	m.from_name = "Evil\r\nBcc: x@y";
	check_no_injection(&m);
	if (compose(&m, &p) == 0) {
		CHECK(strstr(p.msg, "\r\nFrom: \"Evil Bcc: x@y\" <helpdesk@diskominfo.example.go.id>\r\n"));
		free(p.msg);
	}
	m.from_name = "Evil\xe2\x80\xa8" "Bcc: x@y \xc2\x85";	/* U+2028, U+0085 */
	check_no_injection(&m);
	m = base();
	m.body = "a\r\n\r\nBcc: x@y\r\n.\r\n";
	check_no_injection(&m);

	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		m = base();
		m.message_id = bad_ids[i];
		CHECK(mail_compose(&m, NULL) == NULL);
		m = base();
		m.in_reply_to = bad_ids[i];
		CHECK(mail_compose(&m, NULL) == NULL);
	}
	m = base();
	m.message_id = NULL;
	CHECK(mail_compose(&m, NULL) == NULL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '@';
	m.message_id = big;
	CHECK(mail_compose(&m, NULL) == NULL);
	for (size_t i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		m = base();
		m.to_addr = bad_addrs[i];
		CHECK(mail_compose(&m, NULL) == NULL);
		m = base();
		m.from_addr = bad_addrs[i];
		CHECK(mail_compose(&m, NULL) == NULL);
	}
	m = base();
	m.to_addr = NULL;
	CHECK(mail_compose(&m, NULL) == NULL);
	m.to_addr = big;
	CHECK(mail_compose(&m, NULL) == NULL);
	CHECK(mail_compose(NULL, NULL) == NULL);

	/* Bad references are left out; the rest and In-Reply-To stay. */
	m = base();
	m.references = "good@x bad\r\nBcc:@y <c@d>\tok@z a\x01@b  ";
	check_no_injection(&m);
	if (compose(&m, &p) == 0) {
		CHECK(strstr(p.msg, "\r\nReferences: <good@x> <ok@z> <CAF=x1.y2@mail.example.com>\r\n"));
		free(p.msg);
	}
	/* In-Reply-To already listed: not repeated. */
	m.references = "CAF=x1.y2@mail.example.com root@x";
	if (compose(&m, &p) == 0) {
		CHECK(strstr(p.msg, "\r\nReferences: <CAF=x1.y2@mail.example.com> <root@x>\r\n"));
		free(p.msg);
	}
}

static void
test_references_cap(void)
{
	struct mail_out m = base();
	struct tb r = { 0 };
	struct parsed p;
	char id[32];

	for (int i = 1; i <= 30; i++) {
		snprintf(id, sizeof(id), "%sref%d@mail.example.com", i > 1 ? " " : "", i);
		tb_put(&r, id, strlen(id));
	}
	m.references = r.s;
	m.in_reply_to = "parent@mail.example.com";
	if (compose(&m, &p) == 0) {
		char *v = header(&p, "References", NULL);
		struct tb want = { 0 };
		int n = 0;

		tb_put(&want, "<ref1@mail.example.com>", 23);
		for (int i = 13; i <= 30; i++) {
			snprintf(id, sizeof(id), " <ref%d@mail.example.com>", i);
			tb_put(&want, id, strlen(id));
		}
		tb_put(&want, " <parent@mail.example.com>", 26);
		CHECK_STR(v, want.s);
		for (const char *s = v; s && (s = strchr(s, '<')) != NULL; s++)
			n++;
		CHECK(n == 20);
		free(v);
		free(want.s);
		free(p.msg);
	}
	free(r.s);
}

static void
check_body(const char *in)
{
	struct mail_out m = base();
	struct parsed p;
	char *want = expected_body(in), *got;
	int bad;

	m.body = in;
	if (compose(&m, &p) < 0) {
		CHECK(!"compose failed");
		free(want);
		return;
	}
	got = qp_decode(p.body, &bad);
	CHECK(bad == 0);
	CHECK(strlen(got) == strlen(want) && strcmp(got, want) == 0);
	/* No encoded line starts a dot line or an mbox "From " line. */
	CHECK(p.body[0] != '.' && strstr(p.body, "\r\n.") == NULL);
	CHECK(strncmp(p.body, "From ", 5) != 0 && strstr(p.body, "\r\nFrom ") == NULL);
	free(got);
	free(want);
	free(p.msg);
}

static void
test_body(void)
{
	struct mail_out m = base();
	struct parsed p;
	struct tb big = { 0 };
	static const char *const pieces[] = { "a", " ", "\t", "=", ".", "From ", "\r\n", "\n", "\r",
		"\xc3\xa9", NDASH, PRAY, "\xff", "\xe2\x82", "\x01", "\x7f", "x=20", "  \n", "HELPDESK " };

	/* The exact encoding of a short body. */
	m.body = "caf\xc3\xa9 = 1\xe2\x82\xac \nb\t\n.\nFrom me\n";
	if (compose(&m, &p) == 0) {
		CHECK_STR(p.body, "caf=C3=A9 =3D 1=E2=82=AC=20\r\nb=09\r\n=2E\r\n=46rom me\r\n");
		free(p.msg);
	}
	/* A long line: soft breaks, never splitting =XX. */
	m.body = "=========================================================================="
		 "=========================================================================";
	if (compose(&m, &p) == 0) {
		CHECK(strncmp(p.body, "=3D=3D", 6) == 0);
		CHECK(strstr(p.body, "=\r\n") != NULL);
		free(p.msg);
	}
	check_body(m.body);
	check_body(INDO "\n\nSalam,\nDiskominfo\n");
	check_body("\n\n\r\n\r\r\n");
	check_body("no final newline");
	check_body("trailing space \ntrailing tab\t\r\n  \r\n");
	check_body(".\r\n..\r\nFrom x\r\nFrom\r\n");

	/* Lines whose length sits around the 76 column limit. */
	for (size_t n = 70; n < 80; n++) {
		char line[96];

		memset(line, 'x', n);
		line[n] = '\0';
		check_body(line);
		line[n - 1] = ' ';
		check_body(line);
		line[n - 2] = '=';
		check_body(line);
	}

	/* 1 MB of random pieces (invalid UTF-8 included), in random line lengths. */
	unit_rng_state = 0x5eed0fc0de5ull;
	while (big.len < 1024 * 1024) {
		const char *pc = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];

		tb_put(&big, pc, strlen(pc));
		if (rng() % 97 == 0)
			for (int k = (int)(rng() % 3000); k > 0; k--)
				tb_put(&big, "y", 1);
	}
	check_body(big.s);
	free(big.s);
}

int
main(void)
{
	setenv("TZ", "WIB-7", 1);
	tzset();
	test_basic();
	test_date();
	test_encoded_words();
	test_long_subjects();
	test_injection();
	test_references_cap();
	test_body();
	return unit_done("compose");
}
