/* email.c: turns a fetched email into an inbound message: keyword place, loop protection, spool. */
#include "email.h"
#include "address.h"
#include "grammar.h"
#include "log.h"
#include "mime.h"
#include "spool.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Local parts that are machines, not people (RFC 3834 and common use). */
static const char *const robots[] = {
	"mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "donotreply",
	"do-not-reply", "do_not_reply", "bounce", "bounces", "daemon", NULL,
};

static int
is_robot(const char *addr)
{
	const char *at = strchr(addr, '@');
	size_t n = at ? (size_t)(at - addr) : strlen(addr);

	for (const char *const *r = robots; *r != NULL; r++)
		if (n == strlen(*r) && strncasecmp(addr, *r, n) == 0)
			return 1;
	/* bounces+... / prvs=... / SRS senders of list and bounce handlers */
	return strncasecmp(addr, "bounce", 6) == 0 || strncasecmp(addr, "owner-", 6) == 0;
}

static int
is_ours(const struct hd_config *cfg, const char *addr)
{
	if (cfg->smtp.from != NULL && strcasecmp(addr, cfg->smtp.from) == 0)
		return 1;
	for (size_t i = 0; i < cfg->email.nown; i++)
		if (strcasecmp(addr, cfg->email.own_addresses[i]) == 0)
			return 1;
	for (size_t i = 0; i < cfg->nimap; i++)
		if (strcasecmp(addr, cfg->imap[i].user) == 0)
			return 1;
	return 0;
}

/* Rule 4: is this mail machine-sent? Sets *person when it may still be a
 * person's (a list post, a bulk notice) rather than a robot's. */
static const char *
automated(const struct hd_config *cfg, const struct mail *m, int *person)
{
	*person = 0;
	if (m->is_report)
		return "automated: delivery or read report";
	if (m->return_path != NULL && *m->return_path == '\0')
		return "automated: empty Return-Path (a bounce)";
	if (m->from_addr == NULL || !address_valid(m->from_addr, strlen(m->from_addr)))
		return "automated: no usable From address";
	if (is_ours(cfg, m->from_addr))
		return "automated: from our own address";
	if (is_robot(m->from_addr))
		return "automated: sender is a mail system or no-reply address";
	if (m->message_id != NULL && strncmp(m->message_id, "hd.", 3) == 0 && cfg->email.msgid_domain &&
	    strstr(m->message_id, cfg->email.msgid_domain) != NULL)
		return "automated: our own message came back";
	if (m->auto_submitted != NULL && strcmp(m->auto_submitted, "no") != 0)
		return "automated: Auto-Submitted";
	if (m->autoreply_headers)
		return "automated: auto-reply headers";
	/* Vacation programs mark themselves bulk/junk/auto_reply. */
	if (m->precedence != NULL && (!strcmp(m->precedence, "bulk") || !strcmp(m->precedence, "junk") ||
				      !strcmp(m->precedence, "auto_reply")))
		return "automated: Precedence bulk/junk/auto_reply";
	/* A list post may still be a person's complaint: ticketed, never answered. */
	*person = 1;
	if ((m->precedence != NULL && !strcmp(m->precedence, "list")) || m->list_headers)
		return "automated: mailing list";
	*person = 0;
	return NULL;
}

static char *
lower_dup(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p != NULL && *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* In-Reply-To and References, each msg-id once, for threading. */
static int
collect_refs(const struct mail *m, struct inbound *in)
{
	size_t cap = m->nreferences + 1;

	if ((in->refs = calloc(cap, sizeof(char *))) == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++) {
		const char *id = i == 0 ? m->in_reply_to : m->references[i - 1];
		int seen = 0;

		if (id == NULL || *id == '\0')
			continue;
		for (size_t k = 0; k < in->nrefs && !seen; k++)
			seen = strcmp(in->refs[k], id) == 0;
		if (!seen && (in->refs[in->nrefs++] = strdup(id)) == NULL)
			return -1;
	}
	return 0;
}

static int
store_attachments(const struct hd_config *cfg, const struct mail *m, struct inbound *in)
{
	if (m->natt == 0)
		return 0;
	if ((in->att = calloc(m->natt, sizeof(*in->att))) == NULL)
		return -1;
	for (size_t i = 0; i < m->natt; i++) {
		struct inbound_att *a = &in->att[in->natt];

		if (spool_put(cfg->spool_dir, "att", m->att[i].data, m->att[i].len, a->sha256, &a->path) < 0) {
			log_err("spool: storing an attachment of %s: %s", in->dedup_key, strerror(errno));
			return -1;
		}
		in->natt++;
		a->size = m->att[i].len;
		a->filename = strdup(m->att[i].filename ? m->att[i].filename : "");
		a->content_type = strdup(m->att[i].content_type ? m->att[i].content_type
							 : "application/octet-stream");
		if (a->filename == NULL || a->content_type == NULL)
			return -1;
	}
	return 0;
}

/* The text the grammar reads: subject and body when the subject carries the
 * keyword, else the body (whose first line may carry it). */
static int
grammar_text(const struct hd_config *cfg, const struct mail *m, struct inbound *in)
{
	struct hd_parsed p;
	struct sbuf b = { 0 };

	if (m->subject != NULL) {
		hd_parse(m->subject, strlen(m->subject), cfg->ticket_prefix, &p);
		if (p.cmd != HD_NOT_KEYWORD) {
			sb_puts(&b, m->subject);
			if (m->text_len > 0)
				sb_puts(&b, "\n\n");
		}
	}
	sb_append(&b, m->text ? m->text : "", m->text_len);
	if (b.oom)
		return -1;
	if (b.s == NULL)
		sb_append(&b, "", 0);
	in->text = b.s;
	in->text_len = b.len;
	return b.oom ? -1 : 0;
}

int
email_inbound(const struct hd_config *cfg, const struct email_src *src, const char *raw,
	      size_t len, struct inbound *in)
{
	struct mail m;
	char sha[65];
	int person;

	memset(in, 0, sizeof(*in));
	in->channel = "email";
	in->parts = 1;
	if (mail_parse(raw, len, &m) < 0)
		return -1;
	if (asprintf(&in->dedup_key, "imap:%s:%u:%u", src->mailbox, src->uidvalidity, src->uid) < 0) {
		in->dedup_key = NULL;
		goto oom;
	}
	in->sender = lower_dup(m.from_addr && address_valid(m.from_addr, strlen(m.from_addr))
			       ? m.from_addr : "unknown");
	if (m.message_id != NULL && *m.message_id != '\0')
		in->rfc_message_id = strdup(m.message_id);
	else {
		sha256_hex(raw, m.header_len <= len ? m.header_len : len, sha);
		if (asprintf(&in->rfc_message_id, "sha256:%s", sha) < 0)
			in->rfc_message_id = NULL;
	}
	sha256_hex(raw + (m.header_len <= len ? m.header_len : len),
		   len - (m.header_len <= len ? m.header_len : len), sha);
	if (in->rfc_message_id != NULL &&
	    asprintf(&in->mail_key, "%s/%.32s", in->rfc_message_id, sha) < 0)
		in->mail_key = NULL;
	if (m.subject != NULL)
		in->subject = strdup(m.subject);
	/* Answers go where the author asked (Reply-To); the reporter is From. */
	if (m.reply_to != NULL && address_valid(m.reply_to, strlen(m.reply_to)) &&
	    (in->reply_to = lower_dup(m.reply_to)) == NULL)
		goto oom;
	if (in->sender == NULL || in->rfc_message_id == NULL || in->mail_key == NULL ||
	    (m.subject && !in->subject) ||
	    collect_refs(&m, in) < 0 || grammar_text(cfg, &m, in) < 0)
		goto oom;
	if (m.problems != NULL && (in->note = strdup(m.problems)) == NULL)
		goto oom;
	in->sent_at = m.date ? m.date : src->internaldate;
	in->automated = automated(cfg, &m, &person);
	in->from_person = person;
	in->reply_ok = in->automated == NULL;
	if (src->reply_max_age > 0 && in->sent_at > 0 &&
	    now_ms() - in->sent_at > (int64_t)src->reply_max_age * 3600 * 1000)
		in->hold_reply = "older than reply_max_age: not answered automatically";
	if (src->headers_only) {
		in->too_large = 1;
		in->quarantine = "too large: over email.max_size, headers kept";
	}
	/* The raw message goes to the spool; the database keeps its path. */
	if (spool_put(cfg->spool_dir, "raw", raw, len, sha, &in->raw_path) < 0) {
		log_err("spool: storing %s: %s", in->dedup_key, strerror(errno));
		goto fail;
	}
	if (store_attachments(cfg, &m, in) < 0)
		goto fail;
	mail_free(&m);
	return 0;
oom:
	log_err("email %s: out of memory", in->dedup_key ? in->dedup_key : "?");
fail:
	mail_free(&m);
	return -1;
}

void
email_inbound_free(struct inbound *in)
{
	free(in->sender);
	free(in->dedup_key);
	free(in->text);
	free(in->raw);
	free(in->rfc_message_id);
	free(in->mail_key);
	free(in->subject);
	free(in->reply_to);
	for (size_t i = 0; i < in->nrefs; i++)
		free(in->refs[i]);
	free(in->refs);
	free(in->raw_path);
	for (size_t i = 0; i < in->natt; i++) {
		free(in->att[i].filename);
		free(in->att[i].content_type);
		free(in->att[i].path);
	}
	free(in->att);
	free(in->note);
	free(in->token);
	memset(in, 0, sizeof(*in));
}
