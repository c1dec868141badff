/* outbox.c: delivers a channel's due outbox rows, with retry and backoff (rule 3). */
#include "channel.h"
#include "log.h"
#include "ticket.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 16

struct due {
	int64_t id, ticket_id, attempts;
	char *recipient, *subject, *body, *number, *kind, *msgid, *in_reply_to, *refs;
};

/* Delay before attempt number attempts+1: doubling from retry_min to
 * retry_max, with up to 10 % jitter so a burst of failures spreads out. */
static int64_t
backoff_ms(const struct cfg_outbox *c, int64_t attempts)
{
	int64_t d = c->retry_min;

	for (int64_t i = 1; i < attempts && d < c->retry_max; i++)
		d *= 2;
	if (d > c->retry_max)
		d = c->retry_max;
	d *= 1000;
	return d + (d / 10 > 0 ? random() % (d / 10) : 0);
}

static void
free_due(struct due *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].recipient);
		free(d[i].subject);
		free(d[i].body);
		free(d[i].number);
		free(d[i].kind);
		free(d[i].msgid);
		free(d[i].in_reply_to);
		free(d[i].refs);
	}
}

static size_t
load_due(struct store *s, const char *channel, int64_t now, struct due *d)
{
	sqlite3_stmt *st;
	size_t n = 0;

	st = store_stmt(s, "SELECT o.id, COALESCE(o.ticket_id, 0), o.attempts, o.recipient,"
			" o.subject, o.body, COALESCE(t.number, ''), o.kind, o.rfc_message_id,"
			" o.in_reply_to, o.refs"
			" FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id"
			" WHERE o.channel = ?1 AND o.state = 'pending' AND o.next_attempt_at <= ?2"
			" ORDER BY o.id LIMIT ?3", "tii", channel, now, (int64_t)BATCH);
	if (st == NULL)
		return 0;
	while (n < BATCH && sqlite3_step(st) == SQLITE_ROW) {
		struct due *r = &d[n++];

		r->id = sqlite3_column_int64(st, 0);
		r->ticket_id = sqlite3_column_int64(st, 1);
		r->attempts = sqlite3_column_int64(st, 2);
		r->recipient = store_col_dup(st, 3);
		r->subject = store_col_dup(st, 4);
		r->body = store_col_dup(st, 5);
		r->number = store_col_dup(st, 6);
		r->kind = store_col_dup(st, 7);
		r->msgid = store_col_dup(st, 8);
		r->in_reply_to = store_col_dup(st, 9);
		r->refs = store_col_dup(st, 10);
		if (!r->recipient || !r->subject || !r->body || !r->number || !r->kind ||
		    !r->msgid || !r->in_reply_to || !r->refs) {
			free_due(r, 1);	/* out of memory: send what is complete */
			n--;
			break;
		}
	}
	sqlite3_reset(st);
	return n;
}

static int
mark_sent(struct channel *ch, const struct due *d, const char *ref)
{
	struct store *s = ch->store;
	int64_t now = now_ms();
	char detail[256];

	if (store_begin(s) < 0)
		return -1;
	snprintf(detail, sizeof(detail), "outbox %lld to %s, ref %s", (long long)d->id,
		 d->recipient, ref);
	if (store_run(s, "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?1,"
		      " provider_ref = ?2, last_error = NULL WHERE id = ?3",
		      "iti", now, ref, d->id) != SQLITE_DONE ||
	    (d->ticket_id != 0 &&
	     ticket_event(s, d->ticket_id, now, "helpdeskd", ch->ops->outbox, "reply_sent", detail) < 0)) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s);
}

static void
mark_failed(struct channel *ch, const struct due *d, const char *err, int fatal)
{
	const struct cfg_outbox *c = &ch->cfg->outbox;
	int64_t attempts = d->attempts + 1, delay = backoff_ms(c, attempts);
	int give_up = fatal || attempts >= c->max_attempts;

	if (store_run(ch->store, "UPDATE outbox SET state = ?1, attempts = ?2, last_error = ?3,"
		      " next_attempt_at = ?4 WHERE id = ?5",
		      "titii", give_up ? "failed" : "pending", attempts, err, now_ms() + delay,
		      d->id) != SQLITE_DONE)
		return;
	if (give_up)
		log_err("outbox %lld: %s to %s%s%s failed for good after %lld attempt%s: %s",
			(long long)d->id, ch->ops->outbox, d->recipient, *d->number ? " for " : "",
			d->number, (long long)attempts, attempts == 1 ? "" : "s", err);
	else
		log_warn("outbox %lld: %s to %s%s%s failed (attempt %lld), retry in %lld s: %s",
			 (long long)d->id, ch->ops->outbox, d->recipient, *d->number ? " for " : "",
			 d->number, (long long)attempts, (long long)(delay / 1000), err);
}

void
outbox_note_down(struct channel *ch, const char *err)
{
	if (ch->ops->outbox == NULL)
		return;
	store_run(ch->store, "UPDATE outbox SET last_error = ?1 WHERE channel = ?2"
		  " AND state = 'pending' AND next_attempt_at <= ?3", "tti", err, ch->ops->outbox,
		  now_ms());
}

int
outbox_send_due(struct channel *ch, int64_t *next)
{
	struct due d[BATCH];
	size_t n;
	int sent = 0, link_down = 0, rounds = 0;

	*next = 0;
	do {
		memset(d, 0, sizeof(d));
		n = load_due(ch->store, ch->ops->outbox, now_ms(), d);
		for (size_t i = 0; i < n && !link_down && !*ch->stopping; i++) {
			struct outmsg m = {
				.id = d[i].id, .kind = d[i].kind, .recipient = d[i].recipient,
				.subject = d[i].subject, .body = d[i].body,
				.rfc_message_id = *d[i].msgid ? d[i].msgid : NULL,
				.in_reply_to = *d[i].in_reply_to ? d[i].in_reply_to : NULL,
				.refs = *d[i].refs ? d[i].refs : NULL,
			};
			char *ref = NULL, *err = NULL;
			enum send_result r = ch->ops->send(ch, &m, &ref, &err);

			if (r == SEND_OK) {
				if (mark_sent(ch, &d[i], ref) == 0)
					log_info("outbox %lld: %s to %s%s%s sent, ref %s", (long long)d[i].id,
						 ch->ops->outbox, d[i].recipient, *d[i].number ? " for " : "",
						 d[i].number, ref);
				sent++;
			} else if (r == SEND_LINK && *ch->stopping) {
				link_down = 1;	/* abandoned by the stop: not an attempt */
			} else {
				mark_failed(ch, &d[i], err ? err : "send failed", r == SEND_FATAL);
				link_down = r == SEND_LINK;
			}
			free(ref);
			free(err);
		}
		free_due(d, n);
	} while (n == BATCH && !link_down && !*ch->stopping && ++rounds < 64);
	if (link_down)
		return -1;
	if (store_int(ch->store, next, 0, "SELECT min(next_attempt_at) FROM outbox"
		      " WHERE channel = ?1 AND state = 'pending'", "t", ch->ops->outbox) < 0)
		*next = 0;
	return sent;
}
