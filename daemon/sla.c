/*
 * sla.c: owns the SLA clocks: the counted time of a ticket's first
 * response, resolution and pending spells on the office or calendar clock,
 * and the escalations, each recorded in the escalations table in the
 * transaction that queues its notices, so each is sent once, restarts or not.
 */
#include "sla.h"
#include "log.h"
#include "notify.h"
#include "ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t
sla_counted(const struct hd_config *cfg, int64_t from, int64_t to)
{
	if (to <= from)
		return 0;
	return cfg->sla.clock == CLOCK_OFFICE ? calendar_elapsed(&cfg->sla.cal, from, to) : to - from;
}

int64_t
sla_due(const struct hd_config *cfg, int64_t from, int64_t ms)
{
	return cfg->sla.clock == CLOCK_OFFICE ? calendar_add(&cfg->sla.cal, from, ms) : from + ms;
}

static int
priority_index(const char *p)
{
	static const char *const names[] = { "low", "normal", "high", "emergency" };

	for (int i = 0; i < 4; i++)
		if (strcmp(p, names[i]) == 0)
			return i;
	return 1;
}

/* The state of a clock that has used used of target (stopped: done;
 * past_due: running and now is after its due time, which counts even while
 * the clock stands still overnight at the end of the last span). */
static enum sla_state
state(const struct hd_config *cfg, int64_t used, int64_t target, int stopped, int past_due)
{
	if (used > target || (!stopped && past_due))
		return SLA_BREACHED;
	if (stopped)
		return SLA_MET;
	return used * 100 >= target * cfg->sla.at_risk ? SLA_AT_RISK : SLA_RUNNING;
}

/* Sum ticket_id's pending spells up to end into v. */
static int
pending_time(struct store *s, const struct hd_config *cfg, int64_t ticket_id, int64_t end,
	     struct sla_view *v)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT started_at, COALESCE(ended_at, ?2), hardware"
				      " FROM pauses WHERE ticket_id = ?1 AND started_at < ?2",
				      "ii", ticket_id, end);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(st, 0), b = sqlite3_column_int64(st, 1);
		int64_t ms = sla_counted(cfg, a, b < end ? b : end);

		v->pending_ms += ms;
		if (sqlite3_column_int(st, 2))
			v->pending_hw_ms += ms;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
sla_view(struct store *s, const struct hd_config *cfg, int64_t ticket_id, int64_t now,
	 struct sla_view *v)
{
	const struct cfg_sla *c = &cfg->sla;
	int64_t created, responded, resolved, end, total;
	char status[16] = "", priority[16] = "";
	sqlite3_stmt *st;
	int rc;

	memset(v, 0, sizeof(*v));
	st = store_stmt(s, "SELECT created_at, COALESCE(first_response_at, 0), COALESCE(resolved_at, 0),"
			" status, priority FROM tickets WHERE id = ?1", "i", ticket_id);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		created = sqlite3_column_int64(st, 0);
		responded = sqlite3_column_int64(st, 1);
		resolved = sqlite3_column_int64(st, 2);
		snprintf(status, sizeof(status), "%s", (const char *)sqlite3_column_text(st, 3));
		snprintf(priority, sizeof(priority), "%s", (const char *)sqlite3_column_text(st, 4));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;

	v->response_ms = sla_counted(cfg, created, responded ? responded : now);
	v->response_due = sla_due(cfg, created, c->first_response);
	v->response = state(cfg, v->response_ms, c->first_response, responded != 0,
			    now > v->response_due);

	end = resolved ? resolved : now;
	if (pending_time(s, cfg, ticket_id, end, v) < 0)
		return -1;
	v->target_ms = c->resolution[priority_index(priority)];
	total = sla_counted(cfg, created, end);
	v->resolution_ms = total > v->pending_ms ? total - v->pending_ms : 0;
	if (strcmp(status, "rejected") == 0) {
		v->resolution = SLA_NONE;
		return 0;
	}
	if (!resolved && strcmp(status, "pending") != 0)
		v->resolution_due = sla_due(cfg, created, v->target_ms + v->pending_ms);
	v->resolution = state(cfg, v->resolution_ms, v->target_ms, resolved != 0,
			      v->resolution_due != 0 && now > v->resolution_due);
	return 0;
}

/* One escalation: its key, template, recipients and the target it missed. */
struct escalation {
	const char *kind;	/* escalations.kind */
	enum tmpl_id tmpl;
	int technician, admins, leaders;
	int64_t target;
	const char *note;	/* for {note}, or NULL */
};

/* Send e for ticket t unless it was sent before. 1 = sent, 0 = not due, -1 = error. */
static int
escalate(struct store *s, const struct hd_config *cfg, const struct ticket *t, int64_t assignee,
	 const struct escalation *e, int64_t now)
{
	char target[48], *tech = NULL;
	struct notify_extra x = { .note = e->note, .target = target };
	int64_t known;
	sqlite3_stmt *st;

	if (store_int(s, &known, 0, "SELECT count(*) FROM escalations WHERE ticket_id = ?1 AND kind = ?2",
		      "it", t->id, e->kind) < 0)
		return -1;
	if (known)
		return 0;
	notify_duration(cfg, e->target, target, sizeof(target));
	/* A technician who is also an admin is told once. */
	if (assignee && (st = store_stmt(s, "SELECT COALESCE(phone, email) FROM contacts WHERE id = ?1",
					 "i", assignee)) != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW)
			tech = store_col_dup(st, 0);
		sqlite3_reset(st);
	}
	if (store_begin(s) < 0) {
		free(tech);
		return -1;
	}
	if (store_run(s, "INSERT INTO escalations (ticket_id, kind, at) VALUES (?1, ?2, ?3)"
		      " ON CONFLICT DO NOTHING", "iti", t->id, e->kind, now) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(s->db) == 0) {	/* another process was first */
		free(tech);
		store_rollback(s);
		return 0;
	}
	if (ticket_event(s, t->id, now, "helpdeskd", "daemon", "escalated", e->kind) < 0 ||
	    (e->technician && assignee &&
	     notify_contact(s, cfg, assignee, e->tmpl, t, &x, "escalation", now) < 0) ||
	    (e->admins && notify_role(s, cfg, "admin", e->tmpl, t, &x, "escalation",
				      e->technician ? tech : NULL, now) < 0) ||
	    (e->leaders && notify_role(s, cfg, "leader", e->tmpl, t, &x, "escalation", NULL, now) < 0) ||
	    store_commit(s) < 0)
		goto fail;
	free(tech);
	log_warn("ticket %s: escalated (%s, target %s)", t->number, e->kind, target);
	return 1;
fail:
	free(tech);
	store_rollback(s);
	return -1;
}

/* Every escalation ticket id is due at now. Returns the number sent or -1. */
static int
scan_ticket(struct store *s, const struct hd_config *cfg, int64_t id, int64_t now)
{
	const struct cfg_sla *c = &cfg->sla;
	int64_t assignee = 0, pause_id, pause_start = 0;
	struct sla_view v;
	struct ticket t;
	char number[HD_TICKET_MAX] = "", pause_kind[40], *reason = NULL;
	sqlite3_stmt *st;
	int n = 0, r = 0;

	if (sla_view(s, cfg, id, now, &v) != 0)
		return -1;
	if ((st = store_stmt(s, "SELECT number, COALESCE(assignee_id, 0) FROM tickets WHERE id = ?1",
			     "i", id)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(number, sizeof(number), "%s", (const char *)sqlite3_column_text(st, 0));
		assignee = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (number[0] == '\0' || ticket_load(s, number, &t) != 0)
		return -1;

	const struct escalation response = { "first_response", TM_ESC_RESPONSE, 0, 1, 0,
					     c->first_response, NULL };
	const struct escalation resolution = { "resolution", TM_ESC_RESOLUTION, 1, 1, 0,
					       v.target_ms, NULL };
	const struct escalation leadership = { "leadership", TM_ESC_LEADERSHIP, 0, 0, 1,
					       c->leadership, NULL };
	if (v.response == SLA_BREACHED && t.first_response_at == 0)
		n += (r = escalate(s, cfg, &t, assignee, &response, now)) > 0;
	if (r >= 0 && v.resolution == SLA_BREACHED)
		n += (r = escalate(s, cfg, &t, assignee, &resolution, now)) > 0;
	if (r >= 0 && v.resolution_ms > c->leadership)
		n += (r = escalate(s, cfg, &t, assignee, &leadership, now)) > 0;

	/* The open pending spell, if it has lasted too long. */
	if (r >= 0 && strcmp(t.status, "pending") == 0) {
		st = store_stmt(s, "SELECT id, started_at, reason FROM pauses WHERE ticket_id = ?1"
				" AND ended_at IS NULL", "i", id);
		if (st == NULL) {
			r = -1;
		} else {
			pause_id = 0;
			if (sqlite3_step(st) == SQLITE_ROW) {
				pause_id = sqlite3_column_int64(st, 0);
				pause_start = sqlite3_column_int64(st, 1);
				reason = store_col_dup(st, 2);
			}
			sqlite3_reset(st);
			if (pause_id && reason && sla_counted(cfg, pause_start, now) > c->pending_max) {
				snprintf(pause_kind, sizeof(pause_kind), "pending:%lld", (long long)pause_id);
				const struct escalation pend = { pause_kind, TM_ESC_PENDING, 1, 1, 0,
								 c->pending_max, reason };
				n += (r = escalate(s, cfg, &t, assignee, &pend, now)) > 0;
			}
			free(reason);
		}
	}
	ticket_free(&t);
	return r < 0 ? -1 : n;
}

int
sla_scan(struct store *s, const struct hd_config *cfg, int64_t now)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT id FROM tickets WHERE status IN ('new', 'open', 'pending')"
				      " ORDER BY id", "");
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc, sent = 0;

	if (st == NULL)
		return -1;
	/* Collect first: escalating writes while this statement would be open. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *p = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof(ids[0]));

			if (p == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			ids = p;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < n && sent >= 0; i++) {
		int r = scan_ticket(s, cfg, ids[i], now);

		sent = r < 0 ? -1 : sent + r;
	}
	free(ids);
	return sent;
}
