/*
 * health.c: the channel_state table (schema/005_health.sql): the daemon's
 * records of itself and its channels, and the verdict drawn from them and
 * from the outbox for helpdeskctl health, STATUS= and the metrics file.
 */
#include "health.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = { "starting", "up", "backoff", "stopped" };
static const char *const verdict_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

const char *
health_state_name(int st)
{
	return st >= 0 && st <= CS_STOPPED ? state_names[st] : "unknown";
}

const char *
health_verdict_name(int v)
{
	return v >= 0 && v <= V_UNKNOWN ? verdict_names[v] : "UNKNOWN";
}

static int
done(int rc)
{
	return rc == SQLITE_DONE ? 0 : -1;
}

int
health_start(struct store *s, int64_t pid)
{
	int64_t now = now_ms();

	if (done(store_run(s, "DELETE FROM channel_state", "")) < 0)
		return -1;
	return done(store_run(s, "INSERT INTO channel_state (name, kind, state, since, pid, updated_at)"
			      " VALUES ('daemon', 'daemon', 'starting', ?1, ?2, ?1)", "ii", now, pid));
}

int
health_set(struct store *s, const char *name, const char *kind, enum ch_state st,
	   const char *detail, const char *err)
{
	int64_t now = now_ms();

	/* since moves only when the state does; the last error stays after
	 * recovery, for the operator who asks why it was down. */
	return done(store_run(s,
		"INSERT INTO channel_state (name, kind, state, since, detail, last_error, last_error_at,"
		" updated_at) VALUES (?1, ?2, ?3, ?4, COALESCE(?5, ''), ?6, CASE WHEN ?6 IS NULL THEN NULL"
		" ELSE ?4 END, ?4)"
		" ON CONFLICT (name) DO UPDATE SET"
		" since = CASE WHEN state = excluded.state THEN since ELSE excluded.since END,"
		" state = excluded.state, detail = COALESCE(?5, detail),"
		" last_error = COALESCE(?6, last_error),"
		" last_error_at = CASE WHEN ?6 IS NULL THEN last_error_at ELSE ?4 END,"
		" updated_at = ?4",
		"tttitt", name, kind, health_state_name(st), now, detail, err));
}

int
health_message(struct store *s, const char *name)
{
	return done(store_run(s, "UPDATE channel_state SET last_message_at = ?2 WHERE name = ?1", "ti",
			      name, now_ms()));
}

int
health_modem(struct store *s, const char *name, int signal, const char *network)
{
	return done(store_run(s, "UPDATE channel_state SET signal_percent = ?2, network = ?3 WHERE"
			      " name = ?1", signal >= 0 ? "tit" : "tnt", name,
			      signal >= 0 ? (int64_t)signal : 0, network));
}

int
health_beat(struct store *s)
{
	int64_t now = now_ms();

	return done(store_run(s, "UPDATE channel_state SET updated_at = ?1, state = 'up', since ="
			      " CASE WHEN state = 'up' THEN since ELSE ?1 END WHERE name = 'daemon'",
			      "i", now));
}

void
health_age(int64_t ms, char *out, size_t len)
{
	int64_t s = ms < 0 ? 0 : ms / 1000, m = s / 60, h = m / 60, d = h / 24;

	if (s < 60)
		snprintf(out, len, "%llds", (long long)s);
	else if (m < 60)
		snprintf(out, len, "%lldm", (long long)m);
	else if (h < 24)
		snprintf(out, len, "%lldh %02lldm", (long long)h, (long long)(m % 60));
	else
		snprintf(out, len, "%lldd %lldh", (long long)d, (long long)(h % 24));
}

/* Note problem v of the report, as one line of why. */
static void
flag(struct health_report *r, int v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
flag(struct health_report *r, int v, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sb_printf(&r->why, "%s: %s\n", health_verdict_name(v), line);
	if (v > r->verdict)
		r->verdict = v;
}

static int
col_int(sqlite3_stmt *st, int i, int64_t dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? (int)dflt : sqlite3_column_int(st, i);
}

static int64_t
col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

static char *
col_opt(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : store_col_dup(st, i);
}

/* Judge one channel's row. */
static void
judge_row(struct health_report *r, const struct hd_config *cfg, struct health_row *w)
{
	char age[32];
	int64_t down = r->now - w->since;

	health_age(down, age, sizeof(age));
	if (strcmp(w->kind, "daemon") == 0) {
		health_age(r->now - w->updated_at, age, sizeof(age));
		if (r->running == 0)
			w->verdict = V_CRITICAL, flag(r, V_CRITICAL, "helpdeskd is not running");
		else if (r->now - w->updated_at > HEALTH_STALE_MS)
			w->verdict = V_CRITICAL,
			flag(r, V_CRITICAL, "helpdeskd is not responding: last heartbeat %s ago", age);
		return;
	}
	if (r->running == 0 || w->state == CS_UP)
		return;
	if (w->state == CS_STOPPED || down > cfg->health.channel_down) {
		w->verdict = V_CRITICAL;
		flag(r, V_CRITICAL, "%s down for %s%s%s", w->name, age, w->last_error ? ": " : "",
		     w->last_error ? w->last_error : "");
	} else {
		w->verdict = V_WARNING;
		flag(r, V_WARNING, "%s reconnecting for %s%s%s", w->name, age,
		     w->last_error ? ": " : "", w->last_error ? w->last_error : "");
	}
}

static int
read_rows(struct store *s, const struct hd_config *cfg, struct health_report *r)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT name, kind, state, since, detail, last_error,"
		" last_error_at, last_message_at, signal_percent, network, pid, updated_at"
		" FROM channel_state ORDER BY name = 'daemon' DESC, name", "");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct health_row *w, *grown = realloc(r->rows, (r->nrows + 1) * sizeof(*grown));
		const char *state = (const char *)sqlite3_column_text(st, 2);

		if (grown == NULL)
			break;
		r->rows = grown;
		w = &r->rows[r->nrows++];
		memset(w, 0, sizeof(*w));
		w->name = store_col_dup(st, 0);
		w->kind = store_col_dup(st, 1);
		w->detail = store_col_dup(st, 4);
		w->last_error = col_opt(st, 5);
		w->network = col_opt(st, 9);
		w->state = CS_STOPPED;
		for (int i = 0; state != NULL && i <= CS_STOPPED; i++)
			if (strcmp(state, state_names[i]) == 0)
				w->state = i;
		w->since = col_i64(st, 3);
		w->last_error_at = col_i64(st, 6);
		w->last_message_at = col_i64(st, 7);
		w->signal = col_int(st, 8, -1);
		w->pid = col_i64(st, 10);
		w->updated_at = col_i64(st, 11);
		if (w->name == NULL || w->kind == NULL || w->detail == NULL)
			break;
		judge_row(r, cfg, w);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
read_outbox(struct store *s, const struct hd_config *cfg, struct health_report *r)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT"
		" COUNT(*) FILTER (WHERE state = 'pending'),"
		" COUNT(*) FILTER (WHERE state = 'pending' AND attempts > 0),"
		" COUNT(*) FILTER (WHERE state = 'held'),"
		" COUNT(*) FILTER (WHERE state = 'failed' AND created_at >= ?1),"
		" MIN(created_at) FILTER (WHERE state = 'pending')"
		" FROM outbox", "i", r->now - 24 * 3600 * 1000LL);
	char age[32];

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	r->pending = col_i64(st, 0);
	r->retrying = col_i64(st, 1);
	r->held = col_i64(st, 2);
	r->failed_24h = col_i64(st, 3);
	r->oldest_pending_at = col_i64(st, 4);
	sqlite3_reset(st);
	health_age(r->now - r->oldest_pending_at, age, sizeof(age));
	if (r->pending > 0 && r->now - r->oldest_pending_at > cfg->health.outbox_age)
		flag(r, V_CRITICAL, "the oldest of %lld pending replies has waited %s", (long long)r->pending,
		     age);
	if (r->failed_24h > 0)
		flag(r, V_CRITICAL, "%lld repl%s given up in the last 24 h (helpdeskctl outbox --all)",
		     (long long)r->failed_24h, r->failed_24h == 1 ? "y" : "ies");
	if (r->retrying > 0)
		flag(r, V_WARNING, "%lld repl%s being retried", (long long)r->retrying,
		     r->retrying == 1 ? "y" : "ies");
	return 0;
}

int
health_read(struct store *s, const struct hd_config *cfg, int64_t now, int running,
	    struct health_report *r)
{
	r->now = now;
	r->running = running;
	r->verdict = V_OK;
	if (read_rows(s, cfg, r) < 0 || read_outbox(s, cfg, r) < 0) {
		flag(r, V_UNKNOWN, "cannot read the database: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (r->nrows == 0)
		flag(r, running == 0 ? V_CRITICAL : V_WARNING, "helpdeskd has never %s on this database",
		     running == 0 ? "run" : "reported");
	return r->why.oom ? -1 : 0;
}

void
health_free(struct health_report *r)
{
	for (size_t i = 0; i < r->nrows; i++) {
		free(r->rows[i].name);
		free(r->rows[i].kind);
		free(r->rows[i].detail);
		free(r->rows[i].last_error);
		free(r->rows[i].network);
	}
	free(r->rows);
	sb_free(&r->why);
	memset(r, 0, sizeof(*r));
}
