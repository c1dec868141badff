/* intake.c: records one inbound message and what it causes, in one transaction (rules 1-3). */
#include "channel.h"
#include "contacts.h"
#include "grammar.h"
#include "log.h"
#include "notify.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *
outcome_of(const struct inbound *in, const struct hd_parsed *p, const char **reason)
{
	*reason = NULL;
	if (in->quarantine) {
		*reason = in->quarantine;
		return "quarantined";
	}
	if (in->ignore) {
		*reason = in->ignore;
		return "ignored";
	}
	switch (p->cmd) {
	case HD_NOT_KEYWORD:
		*reason = "no HELPDESK keyword";
		return "ignored";
	case HD_COMPLAINT:
		return "ticket";
	case HD_EMPTY:
		*reason = "keyword without text";
		return "command";
	case HD_STATUS:
		*reason = "status request";
		return "command";
	case HD_INFO:
		*reason = "info request";
		return "command";
	}
	return "ignored";
}

/* Queue reply template id to the sender, if the sender can be answered. */
static int
answer(struct store *s, const struct hd_config *cfg, const struct inbound *in, int64_t msg_id,
       enum tmpl_id id, const struct ticket *t, const char *number, int64_t now)
{
	struct reply r = {
		.channel = in->channel, .recipient = in->sender, .kind = "reply",
		.ticket_id = t ? t->id : 0, .message_id = msg_id, .capped = 1,
	};
	int held, rc;
	char *body;

	if (!in->reply_ok)
		return 0;
	if ((body = notify_render(cfg, id, t, in->sender, number)) == NULL)
		return -1;
	r.body = body;
	rc = notify_queue(s, cfg, &r, now, &held);
	free(body);
	return rc;
}

/* A status request is answered in full only to the reporter or to a contact
 * of the same SKPD unit; anyone else learns nothing about the ticket. */
static int
may_see(struct store *s, const struct inbound *in, const struct ticket *t)
{
	struct contact c;
	int ok;

	if (strcmp(in->sender, t->reporter) == 0)
		return 1;
	if (*t->skpd == '\0' || contact_find(s, in->sender, &c) != 0)
		return 0;
	ok = strcmp(c.skpd, t->skpd) == 0 || strcmp(c.role, "reporter") != 0;
	contact_free(&c);
	return ok;
}

static int
complaint(struct store *s, const struct hd_config *cfg, const struct inbound *in,
	  const struct hd_parsed *p, int64_t msg_id, int64_t now, char number[HD_TICKET_MAX])
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
	int64_t id;
	if (ticket_create(s, cfg->ticket_prefix, &tn, now, &id, number) < 0 ||
	    store_run(s, "UPDATE messages SET ticket_id = ?1 WHERE id = ?2", "ii",
		      id, msg_id) != SQLITE_DONE ||
	    ticket_load(s, number, &t) != 0)
		goto out;
	rc = answer(s, cfg, in, msg_id, TM_ACK, &t, NULL, now) == 0 &&
	     notify_admins(s, cfg, &t, now) == 0 ? 0 : -1;
	ticket_free(&t);
out:
	free(text);
	if (known == 0)
		contact_free(&c);
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

int
intake_record(struct store *s, const struct hd_config *cfg, const struct inbound *in)
{
	struct hd_parsed p = { .cmd = HD_NOT_KEYWORD };
	char number[HD_TICKET_MAX] = "";
	const char *outcome, *reason;
	int64_t now = now_ms(), msg_id;
	int rc = 0;

	if (!in->quarantine && !in->ignore)
		hd_parse(in->text, in->text_len, cfg->ticket_prefix, &p);
	outcome = outcome_of(in, &p, &reason);
	if (store_begin(s) < 0)
		return -1;
	rc = store_run(s,
		       "INSERT INTO messages (channel, sender, received_at, sent_at, dedup_key, raw,"
		       " text, parts, outcome, reason)"
		       " VALUES (?1, ?2, ?3, NULLIF(?4, 0), ?5, ?6, ?7, ?8, ?9, ?10)"
		       " ON CONFLICT (dedup_key) DO NOTHING",
		       "ttiitbTitt", in->channel, in->sender, now, in->sent_at, in->dedup_key,
		       in->raw ? in->raw : "", in->raw_len, in->text ? in->text : "", in->text_len,
		       (int64_t)in->parts, outcome, reason);
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(s->db) == 0) {
		store_rollback(s);
		log_info("%s message from %s already recorded (%s): acknowledging again",
			 in->channel, in->sender, in->dedup_key);
		return 0;
	}
	msg_id = sqlite3_last_insert_rowid(s->db);
	switch (in->quarantine ? HD_NOT_KEYWORD : p.cmd) {
	case HD_COMPLAINT:
		rc = complaint(s, cfg, in, &p, msg_id, now, number);
		break;
	case HD_EMPTY:
		rc = answer(s, cfg, in, msg_id, TM_EMPTY, NULL, NULL, now);
		break;
	case HD_INFO:
		rc = answer(s, cfg, in, msg_id, TM_INFO, NULL, NULL, now);
		break;
	case HD_STATUS:
		rc = status_request(s, cfg, in, &p, msg_id, now);
		break;
	case HD_NOT_KEYWORD:
		rc = 0;
		break;
	}
	if (rc != 0 || store_commit(s) < 0)
		goto fail;
	if (number[0])
		log_info("ticket %s created from %s (%s message %lld, %d part%s)", number, in->sender,
			 in->channel, (long long)msg_id, in->parts, in->parts == 1 ? "" : "s");
	else if (in->quarantine)
		log_warn("%s message %lld from %s quarantined: %s", in->channel, (long long)msg_id,
			 in->sender, in->quarantine);
	else
		log_info("%s message %lld from %s: %s (%s)", in->channel, (long long)msg_id,
			 in->sender, outcome, reason ? reason : "");
	return 1;
fail:
	store_rollback(s);
	log_err("%s message from %s (%s) not recorded: will retry", in->channel, in->sender,
		in->dedup_key);
	return -1;
}
