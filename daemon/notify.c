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
#include <strings.h>
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

static const char *const words_id[][2] = {
	{ "new", "baru" }, { "open", "diproses" }, { "pending", "ditunda" },
	{ "resolved", "selesai" }, { "closed", "ditutup" }, { "rejected", "ditolak" },
	{ "low", "rendah" }, { "normal", "normal" }, { "high", "tinggi" }, { "emergency", "darurat" },
};

/* A status or priority word in the configured language. */
static const char *
word(const struct hd_config *cfg, const char *w)
{
	if (strcmp(cfg->language, "id") == 0)
		for (size_t i = 0; i < sizeof(words_id) / sizeof(words_id[0]); i++)
			if (strcmp(w, words_id[i][0]) == 0)
				return words_id[i][1];
	return w;
}

const char *
notify_status_word(const struct hd_config *cfg, const char *status)
{
	return word(cfg, status);
}

const char *
notify_priority_word(const struct hd_config *cfg, const char *priority)
{
	return word(cfg, priority);
}

void
notify_duration(const struct hd_config *cfg, int64_t ms, char *out, size_t len)
{
	int id = strcmp(cfg->language, "id") == 0, office = cfg->sla.clock == CLOCK_OFFICE;
	int64_t min = ms / 60000, day = office ? cfg->sla.office_day : 86400000;
	const char *unit;
	long long n;

	if (day > 0 && ms >= day && ms % day == 0) {
		n = ms / day;
		unit = id ? "hari" : n == 1 ? "day" : "days";
	} else if (min >= 60 && min % 60 == 0) {
		n = min / 60;
		unit = id ? "jam" : n == 1 ? "hour" : "hours";
	} else {
		n = min;
		unit = id ? "menit" : n == 1 ? "minute" : "minutes";
	}
	if (!office)
		snprintf(out, len, "%lld %s", n, unit);
	else if (id)
		snprintf(out, len, "%lld %s kerja", n, unit);
	else
		snprintf(out, len, "%lld working %s", n, unit);
}

char *
notify_render(const struct hd_config *cfg, enum tmpl_id id, const struct ticket *t,
	      const char *sender, const char *number, const struct notify_extra *x)
{
	static const struct notify_extra none;
	char created[32] = "-", *excerpt = NULL, *note = NULL, *out = NULL;
	const char *dash = "-", *n;

	if (x == NULL)
		x = &none;
	if (t != NULL) {
		fmt_local_time(t->created_at, created, sizeof(created));
		if ((excerpt = text_oneline(t->text, strlen(t->text), EXCERPT_MAX)) == NULL)
			return NULL;
	}
	n = x->note ? x->note : t && *t->last_note ? t->last_note : dash;
	if ((note = text_oneline(n, strlen(n), EXCERPT_MAX)) == NULL)
		goto out;
	struct tmpl_var vars[] = {
		{ "ticket", t ? t->number : number ? number : dash },
		{ "text", excerpt ? excerpt : dash },
		{ "status", t ? notify_status_word(cfg, t->status) : dash },
		{ "priority", t ? notify_priority_word(cfg, t->priority) : dash },
		{ "assignee", t && *t->assignee ? t->assignee : dash },
		{ "note", *note ? note : dash },
		{ "skpd", t && *t->skpd ? t->skpd : dash },
		{ "reporter", t ? (*t->reporter_name ? t->reporter_name : t->reporter) : dash },
		{ "sender", sender ? sender : dash },
		{ "channel", t ? t->channel : dash },
		{ "created", created },
		{ "category", t && *t->category ? t->category : dash },
		{ "prefix", cfg->ticket_prefix },
		{ "reason", x->reason ? x->reason : dash },
		{ "count", x->count ? x->count : dash },
		{ "list", x->list ? x->list : dash },
		{ "target", x->target ? x->target : dash },
	};
	out = tmpl_expand(cfg->tmpl[id], vars, sizeof(vars) / sizeof(vars[0]));
out:
	free(excerpt);
	free(note);
	return out;
}

/* "[HD-2611-0042] printer di bagian umum ..." */
static char *
notice_subject(const struct ticket *t)
{
	char *excerpt = text_oneline(t->text, strlen(t->text), EXCERPT_MAX), *subject = NULL;

	if (excerpt != NULL && asprintf(&subject, "[%s] %s", t->number, excerpt) < 0)
		subject = NULL;
	free(excerpt);
	return subject;
}

/* Queue one notice to address (a number or an email address). */
static int
queue_to(struct store *s, const struct hd_config *cfg, const char *address, enum tmpl_id id,
	 const struct ticket *t, const struct notify_extra *x, const char *kind, int64_t now)
{
	char *body = notify_render(cfg, id, t, NULL, NULL, x), *subject = NULL;
	int email = strchr(address, '@') != NULL, held, rc = -1;

	if (body == NULL || (email && t != NULL && (subject = notice_subject(t)) == NULL))
		goto out;
	struct reply r = {
		.channel = email ? "email" : "sms", .recipient = address, .kind = kind,
		.ticket_id = t ? t->id : 0, .subject = email ? (subject ? subject : "Helpdesk") : NULL,
		.body = body,
	};
	rc = notify_queue(s, cfg, &r, now, &held);
out:
	free(body);
	free(subject);
	return rc;
}

/* Is address an active contact of role? (A configured admin who is also an
 * admin contact is notified once, as the contact.) */
static int
is_contact_of(struct store *s, const char *address, const char *role)
{
	int64_t n = 0;

	if (store_int(s, &n, 0, "SELECT count(*) FROM contacts WHERE active = 1 AND role = ?2"
		      " AND (phone = ?1 OR email = ?1 COLLATE NOCASE)", "tt", address, role) < 0)
		return -1;
	return n > 0;
}

int
notify_role(struct store *s, const struct hd_config *cfg, const char *role, enum tmpl_id id,
	    const struct ticket *t, const struct notify_extra *x, const char *kind,
	    const char *skip, int64_t now)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	st = store_stmt(s, "SELECT COALESCE(phone, email) FROM contacts WHERE role = ?1 AND active = 1"
			" AND COALESCE(phone, email) <> COALESCE(?2, '') ORDER BY id", "tt", role, skip);
	if (st == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		char *addr = store_col_dup(st, 0);

		/* queue_to uses other statements; this one stays positioned. */
		rc = addr ? queue_to(s, cfg, addr, id, t, x, kind, now) : -1;
		free(addr);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_reset(st);
	for (size_t i = 0; rc == 0 && strcmp(role, "admin") == 0 && i < cfg->nadmins; i++) {
		const char *addr = cfg->admins[i].phone ? cfg->admins[i].phone : cfg->admins[i].email;
		int dup = is_contact_of(s, addr, role);

		if (dup < 0)
			rc = -1;
		else if (!dup && (skip == NULL || strcmp(addr, skip) != 0))
			rc = queue_to(s, cfg, addr, id, t, x, kind, now);
	}
	return rc;
}

int
notify_admins(struct store *s, const struct hd_config *cfg, const struct ticket *t, int64_t now)
{
	/* An admin reporting gets the reply, not a notice too. */
	return notify_role(s, cfg, "admin", TM_ADMIN_NEW, t, NULL, "admin_notice", t->reporter, now);
}

int
notify_contact(struct store *s, const struct hd_config *cfg, int64_t contact_id, enum tmpl_id id,
	       const struct ticket *t, const struct notify_extra *x, const char *kind, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT COALESCE(phone, email) FROM contacts WHERE id = ?1",
				      "i", contact_id);
	char *addr = NULL;
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		addr = store_col_dup(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || addr == NULL) {
		free(addr);
		return -1;
	}
	rc = *addr ? queue_to(s, cfg, addr, id, t, x, kind, now) : 0;
	free(addr);
	return rc;
}

int
notify_reporter(struct store *s, const struct hd_config *cfg, const struct ticket *t,
		enum tmpl_id id, const struct notify_extra *x, int64_t now)
{
	sqlite3_stmt *st;
	char *to = NULL, *subject = NULL, *inreply = NULL, *refs = NULL, *body = NULL;
	int email, held, rc = -1, step;

	/* Where the acknowledgement went (Reply-To may differ from the
	 * reporter), the original subject and the thread to answer in. */
	st = store_stmt(s,
			"SELECT COALESCE((SELECT recipient FROM outbox WHERE ticket_id = ?1"
			"  AND kind = 'reply' ORDER BY id LIMIT 1), ?2),"
			" m.subject, m.rfc_message_id,"
			" (SELECT group_concat(rfc_message_id, ' ') FROM (SELECT rfc_message_id FROM outbox"
			"  WHERE ticket_id = ?1 AND kind = 'reply' AND rfc_message_id IS NOT NULL"
			"  ORDER BY id LIMIT 1))"
			" FROM (SELECT 1) LEFT JOIN messages m ON m.id = (SELECT min(id) FROM messages"
			"  WHERE ticket_id = ?1 AND outcome = 'ticket')",
			"it", t->id, t->reporter);
	if (st == NULL)
		return -1;
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *orig = (const char *)sqlite3_column_text(st, 1);
		const char *mid = (const char *)sqlite3_column_text(st, 2);
		const char *ours = (const char *)sqlite3_column_text(st, 3);

		to = store_col_dup(st, 0);
		if (mid != NULL && strncmp(mid, "sha256:", 7) != 0)
			inreply = strdup(mid);
		if (asprintf(&refs, "%s%s%s", inreply ? inreply : "", inreply && ours ? " " : "",
			     ours ? ours : "") < 0)
			refs = NULL;
		if (orig == NULL || *orig == '\0')
			subject = notice_subject(t);
		else if (asprintf(&subject, "%s%s%s%s%s", strncasecmp(orig, "re:", 3) ? "Re: " : "",
				  strstr(orig, t->number) ? "" : "[", strstr(orig, t->number) ? "" : t->number,
				  strstr(orig, t->number) ? "" : "] ", orig) < 0)
			subject = NULL;
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW || to == NULL || refs == NULL || subject == NULL)
		goto out;
	if ((body = notify_render(cfg, id, t, NULL, NULL, x)) == NULL)
		goto out;
	email = strchr(to, '@') != NULL;
	struct reply r = {
		.channel = email ? "email" : "sms", .recipient = to, .kind = "status_notice",
		.ticket_id = t->id, .subject = email ? subject : NULL, .body = body,
		.in_reply_to = email ? inreply : NULL, .refs = email && *refs ? refs : NULL,
	};
	rc = notify_queue(s, cfg, &r, now, &held);
out:
	free(to);
	free(subject);
	free(inreply);
	free(refs);
	free(body);
	return rc;
}
