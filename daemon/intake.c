/* intake.c: records one inbound message and what it causes, in one transaction (rules 1-4). */
#include "channel.h"
#include "compose.h"
#include "contacts.h"
#include "grammar.h"
#include "log.h"
#include "notify.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "workflow.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What one message turned out to be. */
struct verdict {
	const char *outcome;	/* messages.outcome */
	const char *reason;	/* messages.reason, or NULL */
	struct hd_parsed p;	/* the grammar's reading (HD_NOT_KEYWORD if not read) */
	int64_t thread;		/* ticket this message comments on, or 0 */
};

static int
is_email(const struct inbound *in)
{
	return strcmp(in->channel, "email") == 0;
}

static int
same_address(const struct inbound *in, const char *a, const char *b)
{
	return is_email(in) ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* Staff (admins, technicians, leaders) may touch any ticket. */
static int
is_staff(struct store *s, const char *address)
{
	struct contact c;
	int staff;

	if (contact_find(s, address, &c) != 0)
		return 0;
	staff = strcmp(c.role, "reporter") != 0;
	contact_free(&c);
	return staff;
}

/* The ticket an email answers: one whose reply or message it references,
 * else the [PREFIX-YYMM-NNNN] tag of its subject when the sender is the
 * reporter or staff. Returns the ticket id, 0 for none, -1 on error. */
static int64_t
find_thread(struct store *s, const struct hd_config *cfg, const struct inbound *in)
{
	int64_t id = 0;

	for (size_t i = 0; i < in->nrefs && id == 0; i++)
		if (store_int(s, &id, 0,
			      "SELECT ticket_id FROM outbox WHERE rfc_message_id = ?1 AND ticket_id IS NOT NULL"
			      " UNION ALL SELECT ticket_id FROM messages WHERE rfc_message_id = ?1"
			      " AND ticket_id IS NOT NULL LIMIT 1", "t", in->refs[i]) < 0)
			return -1;
	for (const char *b = in->subject; id == 0 && b != NULL && (b = strchr(b, '[')) != NULL; b++) {
		char number[HD_TICKET_MAX];
		struct ticket t;
		size_t n = hd_ticket_parse(b + 1, strlen(b + 1), cfg->ticket_prefix, number);
		int found;

		if (n == 0 || b[1 + n] != ']')
			continue;
		if ((found = ticket_load(s, number, &t)) < 0)
			return -1;
		if (found == 0) {
			if (same_address(in, in->sender, t.reporter) || is_staff(s, in->sender))
				id = t.id;
			ticket_free(&t);
		}
	}
	return id;
}

static int
judge(struct store *s, const struct hd_config *cfg, const struct inbound *in, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->p.cmd = HD_NOT_KEYWORD;
	if (in->quarantine) {
		v->outcome = "quarantined";
		v->reason = in->quarantine;
		return 0;
	}
	if (in->ignore) {
		v->outcome = "ignored";
		v->reason = in->ignore;
		return 0;
	}
	hd_parse(in->text, in->text_len, cfg->ticket_prefix, &v->p);
	/* A reply to one of ours is a comment, keyword or not, unless it is a
	 * staff command; machine mail never threads (an out-of-office would
	 * land on every ticket). */
	if (is_email(in) && !in->automated && v->p.cmd != HD_STAFF) {
		if ((v->thread = find_thread(s, cfg, in)) < 0)
			return -1;
		if (v->thread > 0) {
			v->outcome = "comment";
			v->reason = in->note;
			return 0;
		}
	}
	if (in->automated && !(v->p.cmd == HD_COMPLAINT && in->from_person)) {
		v->p.cmd = HD_NOT_KEYWORD;
		v->outcome = "ignored";
		v->reason = in->automated;
		return 0;
	}
	switch (v->p.cmd) {
	case HD_NOT_KEYWORD:
		v->outcome = "ignored";
		v->reason = "no HELPDESK keyword";
		break;
	case HD_COMPLAINT:
		v->outcome = "ticket";
		v->reason = in->automated ? in->automated : in->note;
		break;
	case HD_EMPTY:
		v->outcome = "command";
		v->reason = "keyword without text";
		break;
	case HD_STATUS:
		v->outcome = "command";
		v->reason = "status request";
		break;
	case HD_INFO:
		v->outcome = "command";
		v->reason = "info request";
		break;
	case HD_STAFF:
		v->outcome = "command";
		v->reason = "staff command";
		break;
	}
	return 0;
}

/* "Re: [HD-2611-0042] subject" for an email answer; NULL for SMS. */
static char *
reply_subject(const struct inbound *in, const char *number)
{
	const char *subj = in->subject && *in->subject ? in->subject : "Helpdesk";
	int re = strncasecmp(subj, "re:", 3) == 0;
	char *out = NULL;

	if (!is_email(in))
		return NULL;
	if (number != NULL && strstr(subj, number) == NULL) {
		if (asprintf(&out, "%s[%s] %s", re ? "" : "Re: ", number, subj) < 0)
			out = NULL;
	} else if (asprintf(&out, "%s%s", re ? "" : "Re: ", subj) < 0) {
		out = NULL;
	}
	return out;
}

/* Queue reply template id to the sender, if the sender can be answered;
 * staff answers (capped 0) are not held by the hourly cap. */
static int
answer_x(struct store *s, const struct hd_config *cfg, const struct inbound *in, int64_t msg_id,
	 enum tmpl_id id, const struct ticket *t, const char *number, int64_t now, int capped,
	 const struct notify_extra *x)
{
	struct reply r = {
		.channel = in->channel, .recipient = in->reply_to ? in->reply_to : in->sender,
		.kind = "reply",
		.ticket_id = t ? t->id : 0, .message_id = msg_id, .capped = capped,
		.hold = in->hold_reply,
	};
	struct sbuf refs = { 0 };
	char *body, *subject = NULL;
	int held, rc = -1;

	if (!in->reply_ok)
		return 0;
	if ((body = notify_render(cfg, id, t, in->sender, number, x)) == NULL)
		return -1;
	if (is_email(in)) {
		/* Only a Message-ID fit for a header is answered to by id. */
		int real = in->rfc_message_id != NULL &&
			   mail_msgid_valid(in->rfc_message_id, strlen(in->rfc_message_id));

		for (size_t i = 0; i < in->nrefs; i++)
			sb_printf(&refs, "%s%s", i ? " " : "", in->refs[i]);
		if (real)
			sb_printf(&refs, "%s%s", refs.len ? " " : "", in->rfc_message_id);
		if (refs.oom || (subject = reply_subject(in, t ? t->number : number)) == NULL)
			goto out;
		r.in_reply_to = real ? in->rfc_message_id : NULL;
		r.refs = refs.s;
		r.subject = subject;
	}
	r.body = body;
	rc = notify_queue(s, cfg, &r, now, &held);
out:
	free(body);
	free(subject);
	sb_free(&refs);
	return rc;
}

static int
answer(struct store *s, const struct hd_config *cfg, const struct inbound *in, int64_t msg_id,
       enum tmpl_id id, const struct ticket *t, const char *number, int64_t now)
{
	return answer_x(s, cfg, in, msg_id, id, t, number, now, 1, NULL);
}

/* A status request is answered in full only to the reporter or to a contact
 * of the same SKPD unit or staff; anyone else learns nothing about the ticket. */
static int
may_see(struct store *s, const struct inbound *in, const struct ticket *t)
{
	struct contact c;
	int ok;

	if (same_address(in, in->sender, t->reporter))
		return 1;
	if (contact_find(s, in->sender, &c) != 0)
		return 0;
	ok = (*t->skpd != '\0' && strcmp(c.skpd, t->skpd) == 0) || strcmp(c.role, "reporter") != 0;
	contact_free(&c);
	return ok;
}

static int
complaint(struct store *s, const struct hd_config *cfg, const struct inbound *in,
	  const struct hd_parsed *p, int64_t msg_id, int64_t now, char number[HD_TICKET_MAX],
	  int64_t *ticket_id)
{
	struct contact c;
	struct ticket t;
	char *text;
	int known, rc = -1;

	if ((known = contact_find(s, in->sender, &c)) < 0)
		return -1;
	if ((text = strndup(p->arg, p->arg_len)) == NULL)
		goto out;
	struct ticket_new tn = {
		.channel = in->channel, .reporter = in->sender,
		.reporter_name = known == 0 ? c.name : "", .skpd = known == 0 ? c.skpd : "",
		.text = text, .contact_id = known == 0 ? c.id : 0,
		.actor = in->sender, .actor_channel = in->channel,
	};
	if (ticket_create(s, cfg->ticket_prefix, &tn, now, ticket_id, number) < 0 ||
	    wf_intake(s, cfg, *ticket_id, text, now) < 0 || ticket_load(s, number, &t) != 0)
		goto out;
	rc = answer(s, cfg, in, msg_id, TM_ACK, &t, NULL, now) == 0 &&
	     notify_admins(s, cfg, &t, now) == 0 &&
	     wf_auto_assign(s, cfg, number, now) == 0 ? 0 : -1;
	ticket_free(&t);
out:
	free(text);
	if (known == 0)
		contact_free(&c);
	return rc;
}

static int
comment(struct store *s, const struct inbound *in, int64_t ticket_id, int64_t now)
{
	char *excerpt = text_oneline(in->text ? in->text : "", in->text_len, 200);
	int rc;

	if (excerpt == NULL)
		return -1;
	rc = ticket_event(s, ticket_id, now, in->sender, in->channel, "comment", excerpt) == 0 &&
	     store_run(s, "UPDATE tickets SET updated_at = ?1 WHERE id = ?2", "ii", now,
		       ticket_id) == SQLITE_DONE ? 0 : -1;
	free(excerpt);
	return rc;
}

static int
status_request(struct store *s, const struct hd_config *cfg, const struct inbound *in,
	       const struct hd_parsed *p, int64_t msg_id, int64_t now)
{
	struct ticket t;
	int found, rc;

	if (p->ticket[0] == '\0')
		return answer(s, cfg, in, msg_id, TM_STATUS_UNKNOWN, NULL, NULL, now);
	if ((found = ticket_load(s, p->ticket, &t)) < 0)
		return -1;
	if (found == 1 || !may_see(s, in, &t)) {
		rc = answer(s, cfg, in, msg_id, TM_STATUS_UNKNOWN, NULL, p->ticket, now);
	} else {
		rc = answer(s, cfg, in, msg_id, TM_STATUS, &t, NULL, now);
		if (rc == 0)
			rc = ticket_event(s, t.id, now, in->sender, in->channel, "status_query", "");
	}
	if (found == 0)
		ticket_free(&t);
	return rc;
}

/* HELPDESK TUGAS: the sender's open tickets, most urgent first. */
static int
tasks(struct store *s, const struct hd_config *cfg, const struct inbound *in, int64_t contact_id,
      int64_t msg_id, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s,
		"SELECT number, priority FROM tickets WHERE assignee_id = ?1"
		" AND status IN ('new', 'open', 'pending') ORDER BY CASE priority WHEN 'emergency' THEN 0"
		" WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, created_at", "i", contact_id);
	struct sbuf list = { 0 };
	char count[24];
	int n = 0, rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* One SMS holds about eight; the count says how many in all. */
		if (n++ < 8)
			sb_printf(&list, "%s%s (%s)", n > 1 ? ", " : "", (const char *)sqlite3_column_text(st, 0),
				  notify_priority_word(cfg, (const char *)sqlite3_column_text(st, 1)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || list.oom) {
		sb_free(&list);
		return -1;
	}
	snprintf(count, sizeof(count), "%d", n);
	struct notify_extra x = { .count = count, .list = n ? list.s : "-" };
	rc = answer_x(s, cfg, in, msg_id, TM_TASKS, NULL, NULL, now, 0, &x);
	sb_free(&list);
	return rc;
}

/* A staff command: check the sender, apply it, answer what happened. */
static int
staff_command(struct store *s, const struct hd_config *cfg, const struct inbound *in,
	      const struct hd_parsed *p, int64_t msg_id, int64_t now, int64_t *ticket_id)
{
	static const enum wf_verb verbs[] = {
		[HS_ACCEPT] = WF_ACCEPT, [HS_REJECT] = WF_REJECT, [HS_PRIORITY] = WF_PRIORITY,
		[HS_ASSIGN] = WF_ASSIGN, [HS_TAKE] = WF_TAKE, [HS_PENDING] = WF_PENDING,
		[HS_RESUME] = WF_RESUME, [HS_RESOLVE] = WF_RESOLVE, [HS_CLOSE] = WF_CLOSE,
		[HS_NOTE] = WF_NOTE, [HS_APPROVE] = WF_APPROVE,
	};
	enum wf_refusal why = WR_NO_TICKET;
	struct ticket t;
	const char *role;
	char *arg;
	int64_t contact_id;
	int staff, rc;

	if ((staff = wf_staff(s, cfg, in->sender, &role, &contact_id)) < 0)
		return -1;
	if (staff == 0 && p->staff == HS_TASKS)
		return tasks(s, cfg, in, contact_id, msg_id, now);
	if (staff == 1) {
		why = WR_NOT_STAFF;
		rc = 1;
	} else if (p->ticket[0] != '\0') {
		struct wf_actor actor = { in->sender, in->channel, role, contact_id };

		/* The command is its first line: below it come quotes and signatures. */
		const char *eol = memchr(p->arg, '\n', p->arg_len);
		size_t len = eol ? (size_t)(eol - p->arg) : p->arg_len;

		while (len > 0 && (p->arg[len - 1] == '\r' || p->arg[len - 1] == ' '))
			len--;
		if ((arg = strndup(p->arg, len)) == NULL)
			return -1;
		struct wf_req req = { .verb = verbs[p->staff], .number = p->ticket, .arg = arg };
		rc = wf_apply(s, cfg, &actor, &req, now, &why);
		free(arg);
		if (rc < 0)
			return -1;
	} else {
		rc = 1;
	}
	if (rc == 1) {
		struct notify_extra x = { .reason = wf_refusal_text(cfg, why) };

		log_info("%s command from %s refused: %s", in->channel, in->sender,
			 wf_refusal_text(cfg, why));
		return answer_x(s, cfg, in, msg_id, TM_CMD_REFUSED, NULL, p->ticket, now, staff, &x);
	}
	if (ticket_load(s, p->ticket, &t) != 0)
		return -1;
	*ticket_id = t.id;
	rc = answer_x(s, cfg, in, msg_id, TM_CMD_OK, &t, NULL, now, 0, NULL);
	ticket_free(&t);
	return rc;
}

static int
record_attachments(struct store *s, const struct inbound *in, int64_t msg_id, int64_t ticket_id)
{
	for (size_t i = 0; i < in->natt; i++) {
		const struct inbound_att *a = &in->att[i];

		if (store_run(s, "INSERT INTO attachments (message_id, ticket_id, filename, content_type,"
			      " size, sha256, path) VALUES (?1, NULLIF(?2, 0), ?3, ?4, ?5, ?6, ?7)",
			      "iittitt", msg_id, ticket_id, a->filename, a->content_type,
			      (int64_t)a->size, a->sha256, a->path) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* Act on the verdict inside the open transaction. Returns 0 or -1. */
static int
act(struct store *s, const struct hd_config *cfg, const struct inbound *in, const struct verdict *v,
    int64_t msg_id, int64_t now, char number[HD_TICKET_MAX])
{
	int64_t ticket_id = v->thread;
	int rc = 0;

	if (in->too_large)
		rc = answer(s, cfg, in, msg_id, TM_TOO_LARGE, NULL, NULL, now);
	else if (v->thread > 0)
		rc = comment(s, in, v->thread, now);
	else if (strcmp(v->outcome, "ignored") != 0 && strcmp(v->outcome, "quarantined") != 0)
		switch (v->p.cmd) {
		case HD_COMPLAINT:
			rc = complaint(s, cfg, in, &v->p, msg_id, now, number, &ticket_id);
			break;
		case HD_EMPTY:
			rc = answer(s, cfg, in, msg_id, TM_EMPTY, NULL, NULL, now);
			break;
		case HD_INFO:
			rc = answer(s, cfg, in, msg_id, TM_INFO, NULL, NULL, now);
			break;
		case HD_STATUS:
			rc = status_request(s, cfg, in, &v->p, msg_id, now);
			break;
		case HD_STAFF:
			rc = staff_command(s, cfg, in, &v->p, msg_id, now, &ticket_id);
			break;
		case HD_NOT_KEYWORD:
			break;
		}
	if (rc == 0 && ticket_id > 0 &&
	    store_run(s, "UPDATE messages SET ticket_id = ?1 WHERE id = ?2", "ii", ticket_id,
		      msg_id) != SQLITE_DONE)
		rc = -1;
	if (rc == 0)
		rc = record_attachments(s, in, msg_id, ticket_id);
	return rc;
}

int
intake_known(struct store *s, const struct inbound *in)
{
	int64_t n;

	if (in->npart_keys == 0)
		return 0;
	for (size_t i = 0; i < in->npart_keys; i++) {
		if (store_int(s, &n, 0, "SELECT count(*) FROM message_keys WHERE key = ?1", "t",
			      in->part_keys[i]) < 0)
			return -1;
		if (n == 0)
			return 0;
	}
	return 1;
}

int
intake_record(struct store *s, const struct hd_config *cfg, const struct inbound *in)
{
	char number[HD_TICKET_MAX] = "";
	int64_t now = now_ms(), msg_id;
	struct verdict v;

	if (store_begin(s) < 0)
		return -1;
	if (judge(s, cfg, in, &v) < 0)
		goto fail;
	/* Either deduplication key already known: acknowledge, record nothing. */
	if (store_run(s,
		      "INSERT INTO messages (channel, sender, received_at, sent_at, dedup_key, raw,"
		      " text, parts, outcome, reason, rfc_message_id, subject, raw_path, mail_key)"
		      " VALUES (?1, ?2, ?3, NULLIF(?4, 0), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
		      " ON CONFLICT DO NOTHING",
		      "ttiitbTitttttt", in->channel, in->sender, now, in->sent_at, in->dedup_key,
		      in->raw ? in->raw : "", in->raw_len, in->text ? in->text : "", in->text_len,
		      (int64_t)in->parts, v.outcome, v.reason, in->rfc_message_id, in->subject,
		      in->raw_path, in->mail_key) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(s->db) == 0) {
		store_rollback(s);
		/* Routine after a crash, or while a modem keeps a message it
		 * said it deleted (sms.c says that once): not an event. */
		log_debug("%s message from %s already recorded (%s): acknowledging again",
			 in->channel, in->sender, in->dedup_key);
		return 0;
	}
	msg_id = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < in->npart_keys; i++)
		if (store_run(s, "INSERT INTO message_keys (key, message_id) VALUES (?1, ?2)"
			      " ON CONFLICT DO NOTHING", "ti", in->part_keys[i], msg_id) != SQLITE_DONE)
			goto fail;
	if (act(s, cfg, in, &v, msg_id, now, number) < 0 || store_commit(s) < 0)
		goto fail;
	if (number[0] && in->natt > 0)
		log_info("ticket %s created from %s (%s message %lld, %zu attachment%s)", number,
			 in->sender, in->channel, (long long)msg_id, in->natt, in->natt == 1 ? "" : "s");
	else if (number[0])
		log_info("ticket %s created from %s (%s message %lld, %d part%s)", number, in->sender,
			 in->channel, (long long)msg_id, in->parts, in->parts == 1 ? "" : "s");
	else if (in->quarantine)
		log_warn("%s message %lld from %s quarantined: %s", in->channel, (long long)msg_id,
			 in->sender, in->quarantine);
	else if (v.thread)
		log_info("%s message %lld from %s added as a comment to ticket %lld", in->channel,
			 (long long)msg_id, in->sender, (long long)v.thread);
	else
		log_info("%s message %lld from %s: %s (%s)", in->channel, (long long)msg_id,
			 in->sender, v.outcome, v.reason ? v.reason : "");
	return 1;
fail:
	store_rollback(s);
	log_err("%s message from %s (%s) not recorded: will retry", in->channel, in->sender,
		in->dedup_key);
	return -1;
}
