/* ticket.c: creates tickets with human-friendly numbers, loads them, and appends history. */
#include "ticket.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
next_number(struct store *s, const char *prefix, int64_t now, char number[HD_TICKET_MAX])
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;
	char period[16];
	int64_t seq;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	snprintf(period, sizeof(period), "%02d%02d", (tm.tm_year % 100 + 100) % 100, (tm.tm_mon % 12) + 1);
	if (store_int(s, &seq, 0,
		      "INSERT INTO ticket_seq (period, last) VALUES (?1, 1) "
		      "ON CONFLICT (period) DO UPDATE SET last = last + 1 RETURNING last",
		      "t", period) < 0 || seq <= 0)
		return -1;
	if (snprintf(number, HD_TICKET_MAX, "%s-%s-%04lld", prefix, period,
		     (long long)seq) >= HD_TICKET_MAX)
		return -1;
	return 0;
}

int
ticket_create(struct store *s, const char *prefix, const struct ticket_new *tn,
	      int64_t now, int64_t *id, char number[HD_TICKET_MAX])
{
	if (next_number(s, prefix, now, number) < 0) {
		log_err("ticket: cannot allocate a ticket number");
		return -1;
	}
	if (store_run(s,
		      "INSERT INTO tickets (number, channel, reporter, reporter_name, contact_id,"
		      " skpd, text, priority, created_at, updated_at)"
		      " VALUES (?1, ?2, ?3, ?4, NULLIF(?5, 0), ?6, ?7, ?8, ?9, ?9)",
		      "ttttittti", number, tn->channel, tn->reporter,
		      tn->reporter_name ? tn->reporter_name : "", tn->contact_id,
		      tn->skpd ? tn->skpd : "", tn->text,
		      tn->priority ? tn->priority : "normal", now) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return ticket_event(s, *id, now, tn->actor, tn->actor_channel, "created", number);
}

int
ticket_event(struct store *s, int64_t ticket_id, int64_t at, const char *actor,
	     const char *channel, const char *kind, const char *detail)
{
	if (store_run(s,
		      "INSERT INTO events (ticket_id, at, actor, channel, kind, detail)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      "iitttt", ticket_id, at, actor, channel, kind,
		      detail ? detail : "") != SQLITE_DONE)
		return -1;
	return 0;
}

int
ticket_load(struct store *s, const char *number, struct ticket *t)
{
	sqlite3_stmt *st;
	int rc;

	memset(t, 0, sizeof(*t));
	st = store_stmt(s,
			"SELECT t.id, t.number, t.channel, t.reporter, t.reporter_name, t.skpd,"
			" t.text, t.category, t.priority, t.status, COALESCE(c.name, ''),"
			" (SELECT detail FROM events e WHERE e.ticket_id = t.id AND e.detail <> ''"
			"  AND e.kind IN ('note', 'pending', 'resolved', 'closed', 'rejected', 'approved')"
			"  ORDER BY e.id DESC LIMIT 1),"
			" t.created_at, t.first_response_at, t.resolved_at, t.closed_at, t.updated_at"
			" FROM tickets t LEFT JOIN contacts c ON c.id = t.assignee_id"
			" WHERE t.number = ?1",
			"t", number);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t->id = sqlite3_column_int64(st, 0);
		snprintf(t->number, sizeof(t->number), "%s", (const char *)sqlite3_column_text(st, 1));
		t->channel = store_col_dup(st, 2);
		t->reporter = store_col_dup(st, 3);
		t->reporter_name = store_col_dup(st, 4);
		t->skpd = store_col_dup(st, 5);
		t->text = store_col_dup(st, 6);
		t->category = store_col_dup(st, 7);
		t->priority = store_col_dup(st, 8);
		t->status = store_col_dup(st, 9);
		t->assignee = store_col_dup(st, 10);
		t->last_note = store_col_dup(st, 11);
		t->created_at = sqlite3_column_int64(st, 12);
		t->first_response_at = sqlite3_column_int64(st, 13);
		t->resolved_at = sqlite3_column_int64(st, 14);
		t->closed_at = sqlite3_column_int64(st, 15);
		t->updated_at = sqlite3_column_int64(st, 16);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW) {
		log_err("database: loading ticket %s: %s", number, sqlite3_errmsg(s->db));
		return -1;
	}
	if (!t->channel || !t->reporter || !t->reporter_name || !t->skpd || !t->text ||
	    !t->category || !t->priority || !t->status || !t->assignee || !t->last_note) {
		ticket_free(t);
		return -1;
	}
	return 0;
}

void
ticket_free(struct ticket *t)
{
	free(t->channel);
	free(t->reporter);
	free(t->reporter_name);
	free(t->skpd);
	free(t->text);
	free(t->category);
	free(t->priority);
	free(t->status);
	free(t->assignee);
	free(t->last_note);
	memset(t, 0, sizeof(*t));
}
