/* notify.c: renders reply templates and queues them in the outbox, with the per-sender cap. */
#include "notify.h"
#include "log.h"
#include "template.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Longest excerpt of a complaint quoted in an SMS notice, in bytes. */
#define EXCERPT_MAX 80

/* A new Message-ID (without <>) for an email of ours into out. */
static int
new_msgid(const struct hd_config *cfg, int64_t now, char *out, size_t len)
{
	unsigned char rnd[8];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	snprintf(out, len, "hd.%llx.%02x%02x%02x%02x%02x%02x%02x%02x@%s", (unsigned long long)now,
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], cfg->email.msgid_domain);
	return 0;
}

int
notify_queue(struct store *s, const struct hd_config *cfg, const struct reply *r,
	     int64_t now, int *held)
{
	const char *state = "pending", *why = r->hold;
	int64_t recent = 0;
	char msgid[320] = "";

	*held = 0;
	if (strcmp(r->channel, "email") == 0 && new_msgid(cfg, now, msgid, sizeof(msgid)) < 0) {
		log_err("outbox: cannot make a Message-ID: %s", strerror(errno));
		return -1;
	}
	if (why == NULL && r->capped && cfg->outbox.replies_per_hour > 0) {
		if (store_int(s, &recent, 0,
			      "SELECT count(*) FROM outbox WHERE recipient = ?1 AND created_at > ?2"
			      " AND state <> 'held' AND kind = 'reply'",
			      "ti", r->recipient, now - 3600 * 1000) < 0)
			return -1;
		if (recent >= cfg->outbox.replies_per_hour)
			why = "over the hourly reply cap";
	}
	if (why != NULL) {
		state = "held";
		*held = 1;
	}
	if (store_run(s,
		      "INSERT INTO outbox (channel, recipient, subject, body, kind, ticket_id,"
		      " message_id, state, next_attempt_at, created_at, rfc_message_id, in_reply_to, refs)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, 0), NULLIF(?7, 0), ?8, ?9, ?9,"
		      " NULLIF(?10, ''), ?11, ?12)",
		      "tttttiitittt", r->channel, r->recipient, r->subject, r->body, r->kind,
		      r->ticket_id, r->message_id, state, now, msgid, r->in_reply_to,
		      r->refs) != SQLITE_DONE)
		return -1;
	if (*held)
		log_warn("outbox %lld: %s to %s held: %s", (long long)sqlite3_last_insert_rowid(s->db),
			 r->kind, r->recipient, why);
	return 0;
}

static const char *const status_id[][2] = {
	{ "new", "baru" }, { "open", "diproses" }, { "pending", "ditunda" },
	{ "resolved", "selesai" }, { "closed", "ditutup" }, { "rejected", "ditolak" },
};

const char *
notify_status_word(const struct hd_config *cfg, const char *status)
{
	if (strcmp(cfg->language, "id") == 0)
		for (size_t i = 0; i < sizeof(status_id) / sizeof(status_id[0]); i++)
			if (strcmp(status, status_id[i][0]) == 0)
				return status_id[i][1];
	return status;
}

char *
notify_render(const struct hd_config *cfg, enum tmpl_id id, const struct ticket *t,
	      const char *sender, const char *number)
{
	char created[32] = "-", *excerpt = NULL, *out;
	const char *dash = "-";

	if (t != NULL) {
		fmt_local_time(t->created_at, created, sizeof(created));
		if ((excerpt = text_oneline(t->text, strlen(t->text), EXCERPT_MAX)) == NULL)
			return NULL;
	}
	struct tmpl_var vars[] = {
		{ "ticket", t ? t->number : number ? number : dash },
		{ "text", excerpt ? excerpt : dash },
		{ "status", t ? notify_status_word(cfg, t->status) : dash },
		{ "priority", t ? t->priority : dash },
		{ "assignee", t && *t->assignee ? t->assignee : dash },
		{ "note", t && *t->last_note ? t->last_note : dash },
		{ "skpd", t && *t->skpd ? t->skpd : dash },
		{ "reporter", t ? (*t->reporter_name ? t->reporter_name : t->reporter) : dash },
		{ "sender", sender ? sender : dash },
		{ "channel", t ? t->channel : dash },
		{ "created", created },
		{ "category", t && *t->category ? t->category : dash },
		{ "prefix", cfg->ticket_prefix },
	};
	out = tmpl_expand(cfg->tmpl[id], vars, sizeof(vars) / sizeof(vars[0]));
	free(excerpt);
	return out;
}

int
notify_admins(struct store *s, const struct hd_config *cfg, const struct ticket *t, int64_t now)
{
	char *body = notify_render(cfg, TM_ADMIN_NEW, t, t->reporter, NULL), *subject = NULL;
	char *excerpt = text_oneline(t->text, strlen(t->text), EXCERPT_MAX);
	int rc = 0, held;

	if (body == NULL || excerpt == NULL || asprintf(&subject, "[%s] %s", t->number, excerpt) < 0) {
		free(body);
		free(excerpt);
		return -1;
	}
	free(excerpt);
	for (size_t i = 0; i < cfg->nadmins && rc == 0; i++) {
		const struct cfg_admin *a = &cfg->admins[i];
		struct reply r = {
			.channel = a->phone ? "sms" : "email",
			.recipient = a->phone ? a->phone : a->email,
			.kind = "admin_notice",
			.ticket_id = t->id,
			.subject = subject,
			.body = body,
		};

		if (a->phone != NULL && strcmp(a->phone, t->reporter) == 0)
			continue;	/* an admin reporting gets the reply, not a notice too */
		rc = notify_queue(s, cfg, &r, now, &held);
	}
	free(body);
	free(subject);
	return rc;
}
