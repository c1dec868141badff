/*
 * mime.c: owns mail_parse/mail_free: the MIME tree walk (multipart
 * boundaries, nesting and part limits), decoding each leaf, the choice of
 * the text part and the attachments, and the problem notes. Header fields
 * are read by mime_header.c, mime_addr.c, mime_param.c and mime_date.c;
 * transfer decodings live in mime_codec.c. Pure: no I/O.
 */
#include "mime_internal.h"
#include "text.h"

#include <stdio.h>

#define MIME_MAX_DEPTH	32	/* multipart nesting kept */
#define MIME_MAX_PARTS	1000	/* MIME entities looked at */
#define MIME_MAX_REFS	100	/* References msg-ids kept */
#define PROBLEMS_MAX	2000	/* bytes of problem notes kept */
#define CTYPE_MAX	128

/* A leaf part, decoded, before the text and the attachments are chosen. */
struct leaf {
	char ctype[CTYPE_MAX];	/* lower case "type/subtype" */
	char *charset;		/* charset parameter bytes, or NULL */
	size_t cslen;
	char *filename;		/* decoded, or NULL when none */
	int disp;		/* 0 no Content-Disposition, 1 inline, 2 attachment */
	int is_inline;
	size_t alt;		/* id of the outermost multipart/alternative around it, or 0 */
	unsigned char *data;
	size_t len;
};

struct mime_ctx {
	struct mbuf problems;
	int oom;
	size_t nparts;
	int is_report;
	struct leaf *leaves;
	size_t nleaves, capleaves;
};

/* ---- problem notes ---- */

void
mime_note(struct mime_ctx *c, const char *pre, const char *detail, size_t dlen, const char *post)
{
	struct mbuf n = { 0 };
	const char *p, *end;

	mbuf_add(&n, pre, strlen(pre));
	if (detail != NULL) {
		if (dlen == 0)
			mbuf_add(&n, "(none)", 6);
		for (size_t i = 0; i < dlen && i < 40; i++)
			mbuf_addc(&n, (unsigned char)detail[i] > ' ' && (unsigned char)detail[i] < 0x7f &&
					      detail[i] != ';' ? detail[i] : '?');
		if (dlen > 40)
			mbuf_add(&n, "...", 3);
	}
	if (post != NULL)
		mbuf_add(&n, post, strlen(post));
	if (n.oom) {
		c->oom = 1;
		free(n.p);
		return;
	}
	/* Once per distinct note, and within PROBLEMS_MAX. */
	p = c->problems.p;
	end = p != NULL ? p + c->problems.len : NULL;
	while (p != NULL && p < end) {
		const char *sep = memchr(p, ';', (size_t)(end - p)), *e = sep != NULL ? sep : end;

		if ((size_t)(e - p) == n.len && memcmp(p, n.p, n.len) == 0) {
			free(n.p);
			return;
		}
		p = sep != NULL ? sep + 2 : end;
	}
	if (c->problems.len + n.len + 2 <= PROBLEMS_MAX) {
		if (c->problems.len > 0)
			mbuf_add(&c->problems, "; ", 2);
		mbuf_add(&c->problems, n.p, n.len);
	}
	free(n.p);
}

void
mime_note_charset(struct mime_ctx *c, enum cs_status st, const char *cs, size_t cslen)
{
	if (cs == NULL) {
		cs = "";
		cslen = 0;
	}
	switch (st) {
	case CS_OK:
		break;
	case CS_UNKNOWN_UTF8:
		mime_note(c, "unknown charset ", cs, cslen, ", read as UTF-8");
		break;
	case CS_UNKNOWN_CP1252:
		mime_note(c, "unknown charset ", cs, cslen, ", read as windows-1252");
		break;
	case CS_MISLABELLED_UTF8:
		mime_note(c, "text labelled ", cs, cslen, " is UTF-8, read as UTF-8");
		break;
	case CS_BAD_BYTES:
		mime_note(c, "bytes invalid in charset ", cs, cslen, " replaced by U+FFFD");
		break;
	}
}

/* ---- the tree ---- */

static void walk(struct mime_ctx *c, const struct hdrs *h, const char *body, size_t n, int depth,
		 const char *dflt, size_t alt, int related);

/*
 * Find the next delimiter line "--boundary" ["--"] [white space] in
 * p[*pos..n), starting at a line start. On success *ls is the line's
 * start, *pos the start of the next line, *closing whether it ends the
 * multipart.
 */
static int
find_delim(const char *p, size_t n, size_t *pos, const char *b, size_t bl, size_t *ls, int *closing)
{
	size_t i = *pos;

	while (i < n) {
		const char *nl;

		if (n - i >= 2 + bl && p[i] == '-' && p[i + 1] == '-' && memcmp(p + i + 2, b, bl) == 0) {
			size_t k = i + 2 + bl;
			int cl = 0;

			if (k + 2 <= n && p[k] == '-' && p[k + 1] == '-') {
				cl = 1;
				k += 2;
			}
			while (k < n && (p[k] == ' ' || p[k] == '\t'))
				k++;
			if (k == n || p[k] == '\n' || p[k] == '\r') {
				*ls = i;
				if (k < n && p[k] == '\r')
					k++;
				if (k < n && p[k] == '\n')
					k++;
				*pos = k;
				*closing = cl;
				return 1;
			}
		}
		nl = memchr(p + i, '\n', n - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - p) + 1;
	}
	return 0;
}

/* Walk the parts of a multipart body p[0..n); -1 when no delimiter was found. */
static int
multipart(struct mime_ctx *c, const char *p, size_t n, const char *b, size_t bl, int depth,
	  const char *ctype, size_t alt, int related)
{
	const char *dflt = strcmp(ctype, "multipart/digest") == 0 ? "message/rfc822" : "text/plain";
	size_t pos = 0, ls;
	int closing;

	if (!find_delim(p, n, &pos, b, bl, &ls, &closing))
		return -1;
	if (alt == 0 && strcmp(ctype, "multipart/alternative") == 0)
		alt = c->nparts;
	related |= strcmp(ctype, "multipart/related") == 0;
	while (!closing && c->nparts <= MIME_MAX_PARTS && !c->oom) {
		size_t start = pos, end;
		struct hdrs h;
		enum hdr_end he;
		size_t off;

		if (find_delim(p, n, &pos, b, bl, &ls, &closing)) {
			end = ls;
			if (end > start && p[end - 1] == '\n')
				end--;
			if (end > start && p[end - 1] == '\r')
				end--;
		} else {
			mime_note(c, "multipart not terminated: last part runs to the end", NULL, 0, NULL);
			end = n;
			closing = 1;
		}
		off = hdr_split(p + start, end - start, 0, &h, &he);
		walk(c, &h, p + start + off, end - start - off, depth + 1, dflt, alt, related);
	}
	return 0;
}

static void
leaf_free(struct leaf *l)
{
	free(l->charset);
	free(l->filename);
	free(l->data);
}

/* Decode a leaf part and keep it for the choice of text and attachments. */
static void
leaf(struct mime_ctx *c, const struct hdrs *h, const char *body, size_t n, const char *ctype,
     size_t alt, int related)
{
	struct leaf l = { 0 };
	struct mbuf data = { 0 }, cs = { 0 };
	char *cte = NULL;
	int oom = 0;

	snprintf(l.ctype, sizeof l.ctype, "%s", ctype);
	if (h->seen[H_CONTENT_TRANSFER_ENCODING]) {
		cte = hdr_token(h->v[H_CONTENT_TRANSFER_ENCODING], h->n[H_CONTENT_TRANSFER_ENCODING]);
		if (cte == NULL)
			goto fail;
	}
	if (cte != NULL && strcmp(cte, "base64") == 0) {
		int r = mime_base64(body, n, &data);

		if (r & 1)
			mime_note(c, "bad base64: junk ignored", NULL, 0, NULL);
		if (r & 2)
			mime_note(c, "base64 truncated: dangling bits dropped", NULL, 0, NULL);
	} else if (cte != NULL && strcmp(cte, "quoted-printable") == 0) {
		if (mime_qp(body, n, &data))
			mime_note(c, "bad quoted-printable escape kept as it is", NULL, 0, NULL);
	} else {
		if (cte != NULL && cte[0] != '\0' && strcmp(cte, "7bit") != 0 && strcmp(cte, "8bit") != 0 &&
		    strcmp(cte, "binary") != 0)
			mime_note(c, "unknown transfer encoding ", cte, strlen(cte), ", taken as it is");
		mbuf_add(&data, body, n);
	}
	free(cte);
	if (data.oom)
		goto fail;
	l.len = data.len;
	l.data = (unsigned char *)data.p;
	data.p = NULL;
	if (h->seen[H_CONTENT_TYPE] &&
	    hdr_param_raw(h->v[H_CONTENT_TYPE], h->n[H_CONTENT_TYPE], "charset", &cs) == 0) {
		l.cslen = cs.len;
		l.charset = mbuf_take(&cs);
		if (l.charset == NULL)
			goto fail;
	}
	free(cs.p);
	cs.p = NULL;
	if (h->seen[H_CONTENT_DISPOSITION]) {
		char *d = hdr_token(h->v[H_CONTENT_DISPOSITION], h->n[H_CONTENT_DISPOSITION]);

		if (d == NULL)
			goto fail;
		/* RFC 2183: an unknown disposition is an attachment. */
		l.disp = d[0] == '\0' ? 0 : strcmp(d, "inline") == 0 ? 1 : 2;
		free(d);
		l.filename = hdr_param_text(c, h->v[H_CONTENT_DISPOSITION], h->n[H_CONTENT_DISPOSITION],
					    "filename", &oom);
		if (oom)
			goto fail;
	}
	if (l.filename == NULL && h->seen[H_CONTENT_TYPE]) {
		l.filename = hdr_param_text(c, h->v[H_CONTENT_TYPE], h->n[H_CONTENT_TYPE], "name", &oom);
		if (oom)
			goto fail;
	}
	l.is_inline = l.disp == 1 || (l.disp == 0 && strncmp(ctype, "image/", 6) == 0 &&
				      (related || h->seen[H_CONTENT_ID]));
	l.alt = alt;
	if (c->nleaves == c->capleaves) {
		size_t cap = c->capleaves ? c->capleaves * 2 : 8;
		struct leaf *nl = realloc(c->leaves, cap * sizeof *nl);

		if (nl == NULL)
			goto fail;
		c->leaves = nl;
		c->capleaves = cap;
	}
	c->leaves[c->nleaves++] = l;
	return;
fail:
	c->oom = 1;
	free(data.p);
	free(cs.p);
	leaf_free(&l);
}

/*
 * Walk one entity (header h, body[0..n)) at nesting depth: multiparts are
 * split and walked, anything else is a leaf. dflt is the Content-Type when
 * none is given; alt and related describe the enclosing multiparts.
 */
static void
walk(struct mime_ctx *c, const struct hdrs *h, const char *body, size_t n, int depth,
     const char *dflt, size_t alt, int related)
{
	char ctype[CTYPE_MAX];

	if (++c->nparts > MIME_MAX_PARTS) {
		mime_note(c, "more than 1000 MIME parts: the rest ignored", NULL, 0, NULL);
		return;
	}
	snprintf(ctype, sizeof ctype, "%s", dflt);
	if (h->seen[H_CONTENT_TYPE]) {
		int r = hdr_ctype(h->v[H_CONTENT_TYPE], h->n[H_CONTENT_TYPE], ctype, sizeof ctype);

		if (r == 1 && strcmp(ctype, "text") == 0) {
			snprintf(ctype, sizeof ctype, "text/plain");
		} else if (r == 1 && strcmp(ctype, "multipart") == 0) {
			snprintf(ctype, sizeof ctype, "multipart/mixed");
		} else if (r == 1) {
			snprintf(ctype, sizeof ctype, "application/octet-stream");
		} else if (r != 0) {
			snprintf(ctype, sizeof ctype, "%s", dflt);
			mime_note(c, "unreadable Content-Type, taken as ", dflt, strlen(dflt), NULL);
		}
	}
	if (strcmp(ctype, "multipart/report") == 0 || strcmp(ctype, "message/delivery-status") == 0 ||
	    strcmp(ctype, "message/disposition-notification") == 0 ||
	    strcmp(ctype, "message/global-delivery-status") == 0 ||
	    strcmp(ctype, "message/global-disposition-notification") == 0)
		c->is_report = 1;
	if (strncmp(ctype, "multipart/", 10) == 0) {
		struct mbuf b = { 0 };
		int r = -1;

		if (h->seen[H_CONTENT_TYPE])
			r = hdr_param_raw(h->v[H_CONTENT_TYPE], h->n[H_CONTENT_TYPE], "boundary", &b);
		if (b.oom) {
			c->oom = 1;
		} else if (r != 0 || b.len == 0) {
			mime_note(c, "multipart without boundary: body taken as text", NULL, 0, NULL);
			leaf(c, h, body, n, "text/plain", alt, related);
		} else if (depth >= MIME_MAX_DEPTH) {
			mime_note(c, "nesting deeper than 32 levels cut", NULL, 0, NULL);
		} else if (multipart(c, body, n, b.p, b.len, depth, ctype, alt, related) != 0) {
			mime_note(c, "multipart boundary not found: body taken as text", NULL, 0, NULL);
			leaf(c, h, body, n, "text/plain", alt, related);
		}
		free(b.p);
		return;
	}
	leaf(c, h, body, n, ctype, alt, related);
}

/* ---- text and attachments ---- */

static int
has_content(const struct leaf *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (!strchr(" \t\r\n\f\v", l->data[i]) || l->data[i] == '\0')
			return 1;
	return 0;
}

static int
attachmentish(const struct leaf *l)
{
	return l->disp == 2 || (l->disp == 0 && l->filename != NULL && l->filename[0] != '\0');
}

static int
body_type(const struct leaf *l)
{
	return strcmp(l->ctype, "text/plain") == 0 || strcmp(l->ctype, "text/html") == 0;
}

/* Convert the chosen leaf to the message text: charset, HTML rendering,
 * LF line ends, no NUL, no byte order mark. 0, or -1 on OOM. */
static int
make_text(struct mime_ctx *c, const struct leaf *l, int html, struct mail *m)
{
	enum cs_status st;
	size_t ulen, tlen, i = 0;
	char *u = charset_convert(l->charset, l->cslen, (const char *)l->data, l->len, &ulen, &st);
	struct mbuf b = { 0 };
	int nul = 0;

	if (u == NULL)
		return -1;
	mime_note_charset(c, st, l->charset, l->cslen);
	if (html) {
		char *t = html_to_text(u, ulen, &tlen);

		free(u);
		if (t == NULL)
			return -1;
		u = t;
		ulen = tlen;
	}
	if (ulen >= 3 && memcmp(u, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	if (mbuf_room(&b, ulen) != 0) {
		free(u);
		return -1;
	}
	for (; i < ulen; i++) {
		if (u[i] == '\r') {
			mbuf_addc(&b, '\n');
			if (i + 1 < ulen && u[i + 1] == '\n')
				i++;
		} else if (u[i] == '\0') {
			mbuf_utf8(&b, 0xfffd);
			nul = 1;
		} else {
			mbuf_addc(&b, u[i]);
		}
	}
	free(u);
	if (nul)
		mime_note(c, "NUL bytes in the text replaced by U+FFFD", NULL, 0, NULL);
	m->text_len = b.len;
	m->text = mbuf_take(&b);
	m->text_from_html = html;
	return m->text == NULL ? -1 : 0;
}

/* Choose the text (first text/plain with content, else first text/html)
 * and turn the other leaves with content into attachments. Alternatives
 * of the chosen text (text/plain or text/html under the same outermost
 * multipart/alternative) are dropped. 0, or -1 on OOM. */
static int
choose(struct mime_ctx *c, struct mail *m)
{
	struct leaf *chosen = NULL;
	int html = 0;

	for (size_t i = 0; i < c->nleaves && chosen == NULL; i++) {
		struct leaf *l = &c->leaves[i];

		if (!attachmentish(l) && strcmp(l->ctype, "text/plain") == 0 && has_content(l))
			chosen = l;
	}
	for (size_t i = 0; i < c->nleaves && chosen == NULL; i++) {
		struct leaf *l = &c->leaves[i];

		if (!attachmentish(l) && strcmp(l->ctype, "text/html") == 0 && has_content(l)) {
			chosen = l;
			html = 1;
		}
	}
	if (chosen != NULL) {
		if (make_text(c, chosen, html, m) != 0)
			return -1;
	} else {
		m->text = calloc(1, 1);
		if (m->text == NULL)
			return -1;
	}
	m->att = c->nleaves > 0 ? calloc(c->nleaves, sizeof *m->att) : NULL;
	if (c->nleaves > 0 && m->att == NULL)
		return -1;
	for (size_t i = 0; i < c->nleaves; i++) {
		struct leaf *l = &c->leaves[i];
		struct mail_attachment *a = &m->att[m->natt];

		if (l == chosen || l->len == 0)
			continue;
		if (!attachmentish(l) && body_type(l) &&
		    (!has_content(l) || (chosen != NULL && l->alt != 0 && l->alt == chosen->alt)))
			continue;
		m->natt++;
		a->content_type = strdup(l->ctype);
		a->filename = l->filename != NULL ? l->filename : strdup("");
		l->filename = NULL;
		if (a->content_type == NULL || a->filename == NULL)
			return -1;
		a->is_inline = l->is_inline;
		a->data = l->data;
		a->len = l->len;
		l->data = NULL;
	}
	return 0;
}

/* ---- the message ---- */

/* Read the top-level header fields into m; -1 on OOM. */
static int
read_headers(struct mime_ctx *c, const struct hdrs *h, struct mail *m)
{
	char **ids;
	size_t nids;

	if (h->seen[H_SUBJECT] && (m->subject = hdr_text(c, h->v[H_SUBJECT], h->n[H_SUBJECT])) == NULL)
		return -1;
	if (h->seen[H_FROM] && hdr_mailbox(c, h->v[H_FROM], h->n[H_FROM], &m->from_addr, &m->from_name) != 0)
		return -1;
	if (h->seen[H_REPLY_TO] && hdr_mailbox(c, h->v[H_REPLY_TO], h->n[H_REPLY_TO], &m->reply_to, NULL) != 0)
		return -1;
	if (h->seen[H_RETURN_PATH] &&
	    hdr_mailbox(c, h->v[H_RETURN_PATH], h->n[H_RETURN_PATH], &m->return_path, NULL) != 0)
		return -1;
	if (h->seen[H_MESSAGE_ID]) {
		if (hdr_msgids(h->v[H_MESSAGE_ID], h->n[H_MESSAGE_ID], 1, 1, &ids, &nids) != 0)
			return -1;
		m->message_id = nids > 0 ? ids[0] : NULL;
		free(ids);
	}
	if (h->seen[H_IN_REPLY_TO]) {
		if (hdr_msgids(h->v[H_IN_REPLY_TO], h->n[H_IN_REPLY_TO], 1, 0, &ids, &nids) != 0)
			return -1;
		m->in_reply_to = nids > 0 ? ids[0] : NULL;
		free(ids);
	}
	if (h->seen[H_REFERENCES] && hdr_msgids(h->v[H_REFERENCES], h->n[H_REFERENCES], MIME_MAX_REFS, 0,
						&m->references, &m->nreferences) != 0)
		return -1;
	if (h->seen[H_DATE]) {
		m->date = hdr_date(h->v[H_DATE], h->n[H_DATE]);
		if (m->date == 0)
			mime_note(c, "unreadable Date header", NULL, 0, NULL);
	}
	if (h->seen[H_AUTO_SUBMITTED] &&
	    (m->auto_submitted = hdr_token(h->v[H_AUTO_SUBMITTED], h->n[H_AUTO_SUBMITTED])) == NULL)
		return -1;
	if (h->seen[H_PRECEDENCE] && (m->precedence = hdr_token(h->v[H_PRECEDENCE], h->n[H_PRECEDENCE])) == NULL)
		return -1;
	m->list_headers = h->seen[H_LIST_ID] || h->seen[H_LIST_UNSUBSCRIBE];
	m->autoreply_headers = h->seen[H_X_AUTO_RESPONSE_SUPPRESS] || h->seen[H_X_AUTOREPLY] ||
			       h->seen[H_X_AUTORESPOND];
	return 0;
}

int
mail_parse(const char *raw, size_t len, struct mail *out)
{
	struct mime_ctx c = { 0 };
	char *copy = NULL;
	struct hdrs h;
	enum hdr_end he;
	size_t off;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (raw == NULL)
		len = 0;
	if (len > 0 && memchr(raw, '\n', len) == NULL && memchr(raw, '\r', len) != NULL) {
		/* Lines ended by CR alone: read them as LF (offsets are kept). */
		copy = malloc(len);
		if (copy == NULL)
			return -1;
		for (size_t i = 0; i < len; i++)
			copy[i] = raw[i] == '\r' ? '\n' : raw[i];
		raw = copy;
		mime_note(&c, "lines ended by CR alone, read as LF", NULL, 0, NULL);
	}
	off = hdr_split(raw, len, 1, &h, &he);
	out->header_len = off;
	if (he == HE_NONE && len > 0)
		mime_note(&c, "no header found: whole input taken as text", NULL, 0, NULL);
	else if (he == HE_NONFIELD)
		mime_note(&c, "header not ended by a blank line", NULL, 0, NULL);
	if (read_headers(&c, &h, out) != 0)
		c.oom = 1;
	if (!c.oom)
		walk(&c, &h, raw != NULL ? raw + off : NULL, len - off, 0, "text/plain", 0, 0);
	if (!c.oom && choose(&c, out) != 0)
		c.oom = 1;
	out->is_report = c.is_report;
	for (size_t i = 0; i < c.nleaves; i++)
		leaf_free(&c.leaves[i]);
	free(c.leaves);
	free(copy);
	if (c.problems.len > 0 && !c.oom) {
		out->problems = mbuf_take(&c.problems);
		if (out->problems == NULL)
			c.oom = 1;
	}
	free(c.problems.p);
	if (c.oom || c.problems.oom) {
		mail_free(out);
		rc = -1;
	}
	return rc;
}

void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	free(m->subject);
	free(m->from_addr);
	free(m->from_name);
	free(m->reply_to);
	free(m->message_id);
	free(m->in_reply_to);
	for (size_t i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->return_path);
	free(m->auto_submitted);
	free(m->precedence);
	free(m->text);
	for (size_t i = 0; i < m->natt; i++) {
		free(m->att[i].filename);
		free(m->att[i].content_type);
		free(m->att[i].data);
	}
	free(m->att);
	free(m->problems);
	memset(m, 0, sizeof *m);
}
