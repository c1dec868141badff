/*
 * mime_addr.c: owns address and msg-id fields: the first mailbox of
 * From/Reply-To/Return-Path (tolerant of unquoted commas, groups, routes,
 * comments) and the msg-ids of Message-ID/In-Reply-To/References. Every
 * string it returns is valid UTF-8 on one line. Pure: no I/O.
 */
#include "mime_internal.h"
#include "text.h"

/* The addr-spec in v[0..n) without comments, white space and controls, one line. */
static char *
clean_addr(const char *v, size_t n)
{
	struct mbuf b = { 0 };
	size_t i = 0, start = 0;
	char *line;

	while (i < n) {
		if (v[i] == '(') {
			i = hdr_skip_comment(v, n, i);
			continue;
		}
		if ((unsigned char)v[i] > ' ' && v[i] != 0x7f)
			mbuf_addc(&b, v[i]);
		i++;
	}
	/* obs-route "@a,@b:user@domain" */
	if (b.len > 0 && b.p[0] == '@') {
		const char *colon = memchr(b.p, ':', b.len);

		if (colon != NULL)
			start = (size_t)(colon - b.p) + 1;
	}
	line = b.oom ? NULL : text_oneline(b.p != NULL ? b.p + start : NULL, b.len - start, MIME_LINE_MAX);
	free(b.p);
	return line;
}

/* Decoded display name from the phrase v[0..n) (quotes undone, comments
 * dropped), or from the first comment when comment is set. *name NULL when empty. */
static int
phrase_name(struct mime_ctx *c, const char *v, size_t n, int comment, char **name)
{
	struct mbuf b = { 0 };
	size_t i = 0;
	char *line;

	*name = NULL;
	while (i < n) {
		if (v[i] == '(') {
			size_t e = hdr_skip_comment(v, n, i);

			if (comment) {
				size_t ce = e > i + 1 && v[e - 1] == ')' ? e - 1 : e;

				if (ce > i + 1)
					mbuf_add(&b, v + i + 1, ce - i - 1);
				break;
			}
			mbuf_addc(&b, ' ');
			i = e;
		} else if (comment) {
			i++;
		} else if (v[i] == '"') {
			for (i++; i < n && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < n)
					i++;
				mbuf_addc(&b, v[i]);
			}
			i++;
		} else {
			mbuf_addc(&b, v[i++]);
		}
	}
	if (b.oom) {
		free(b.p);
		return -1;
	}
	line = hdr_words(c, b.p, b.len, utf8_valid(v, n));
	free(b.p);
	if (line == NULL)
		return -1;
	if (line[0] == '\0')
		free(line);
	else
		*name = line;
	return 0;
}

int
hdr_mailbox(struct mime_ctx *c, const char *v, size_t n, char **addr, char **name)
{
	size_t i = 0, seg = 0;
	int at = 0;

	*addr = NULL;
	if (name != NULL)
		*name = NULL;
	if (n > HDR_DECODE_MAX)
		n = HDR_DECODE_MAX;
	/* Find the first mailbox: up to a '<', or a ',' after an '@'. A ','
	 * before any '@' is taken for an unquoted comma in a display name
	 * ("Budi, S.Kom <budi@...>"); a ':' before any '@' ends a group name. */
	while (i < n) {
		if (v[i] == '"') {
			i = hdr_skip_quoted(v, n, i);
			continue;
		}
		if (v[i] == '(') {
			i = hdr_skip_comment(v, n, i);
			continue;
		}
		if (v[i] == '=') {
			size_t k = hdr_ew_len(v + i, n - i);

			if (k > 0) {	/* may hold ':' or '@' */
				i += k;
				continue;
			}
		}
		if (v[i] == '<')
			break;
		if ((v[i] == ',' || v[i] == ';') && at)
			break;
		if (v[i] == ';' || (v[i] == ':' && !at))
			seg = i + 1;
		if (v[i] == '@')
			at = 1;
		i++;
	}
	if (i < n && v[i] == '<') {
		const char *gt = memchr(v + i, '>', n - i);
		size_t e = gt != NULL ? (size_t)(gt - v) : n;

		*addr = clean_addr(v + i + 1, e - i - 1);
		if (*addr == NULL)
			return -1;
		if (name != NULL && phrase_name(c, v + seg, i - seg, 0, name) != 0)
			return -1;
		return 0;
	}
	*addr = clean_addr(v + seg, i - seg);
	if (*addr == NULL)
		return -1;
	if (!at && memchr(*addr, '@', strlen(*addr)) == NULL) {
		/* No address at all ("From: Budi Santoso"): words with spaces are a
		 * name, a single word ("MAILER-DAEMON") stays the address. */
		char *words = text_oneline(v + seg, i - seg, MIME_LINE_MAX);

		if (words == NULL)
			return -1;
		if (strchr(words, ' ') != NULL) {
			free(words);
			(*addr)[0] = '\0';
			if (name != NULL && phrase_name(c, v + seg, i - seg, 0, name) != 0)
				return -1;
			return 0;
		}
		free(words);
	}
	if (name != NULL && memchr(v + seg, '(', i - seg) != NULL &&
	    phrase_name(c, v + seg, i - seg, 1, name) != 0)
		return -1;
	return 0;
}

/* ---- msg-ids ---- */

/* Find the next msg-id in v[*pos..n): its span in *s, *len; 0 when none. */
static int
next_msgid(const char *v, size_t n, size_t *pos, int angle, int any_token, const char **s, size_t *len)
{
	size_t i = *pos;

	while (i < n) {
		size_t e;

		if (angle) {
			const char *lt = memchr(v + i, '<', n - i), *gt, *lt2;

			if (lt == NULL)
				break;
			i = (size_t)(lt - v) + 1;
			gt = memchr(v + i, '>', n - i);
			lt2 = memchr(v + i, '<', n - i);
			if (gt != NULL && (lt2 == NULL || gt < lt2)) {
				e = (size_t)(gt - v);
				*pos = e + 1;
			} else {
				for (e = i; e < n && !mime_ws(v[e]) && v[e] != '<'; e++)
					;
				*pos = e;
			}
			*s = v + i;
			*len = e - i;
			return 1;
		}
		if (v[i] == '(') {
			i = hdr_skip_comment(v, n, i);
			continue;
		}
		if (mime_ws(v[i]) || v[i] == ',') {
			i++;
			continue;
		}
		for (e = i; e < n && !mime_ws(v[e]) && v[e] != ',' && v[e] != '('; e++)
			;
		if (any_token || memchr(v + i, '@', e - i) != NULL) {
			*s = v + i;
			*len = e - i;
			*pos = e;
			return 1;
		}
		i = e;
	}
	*pos = n;
	return 0;
}

/* The msg-id s[0..len) without white space and controls, one line; NULL on OOM. */
static char *
clean_msgid(const char *s, size_t len)
{
	struct mbuf b = { 0 };
	char *line;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] > ' ' && s[i] != 0x7f && s[i] != '<' && s[i] != '>')
			mbuf_addc(&b, s[i]);
	line = b.oom ? NULL : text_oneline(b.p, b.len, MIME_LINE_MAX);
	free(b.p);
	return line;
}

int
hdr_msgids(const char *v, size_t n, size_t max, int any_token, char ***ids, size_t *nids)
{
	int angle = v != NULL && memchr(v, '<', n) != NULL;
	size_t total = 0, pos = 0, len, k = 0, idx = 0;
	const char *s;

	*ids = NULL;
	*nids = 0;
	if (max == 0)
		return 0;
	while (next_msgid(v, n, &pos, angle, any_token, &s, &len))
		total++;
	if (total == 0)
		return 0;
	*ids = calloc(total < max ? total : max, sizeof **ids);
	if (*ids == NULL)
		return -1;
	pos = 0;
	while (next_msgid(v, n, &pos, angle, any_token, &s, &len)) {
		char *id;

		/* Over max: keep the first (thread root) and the last max-1. */
		if (idx++ != 0 && total > max && idx - 1 < total - (max - 1))
			continue;
		id = clean_msgid(s, len);
		if (id == NULL) {
			while (k > 0)
				free((*ids)[--k]);
			free(*ids);
			*ids = NULL;
			*nids = 0;
			return -1;
		}
		if (id[0] == '\0') {
			free(id);
			continue;
		}
		(*ids)[k++] = id;
		*nids = k;
	}
	if (k == 0) {
		free(*ids);
		*ids = NULL;
	}
	return 0;
}
