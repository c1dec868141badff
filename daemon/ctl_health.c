/*
 * ctl_health.c: helpdeskctl health: the daemon's and each channel's state as
 * the daemon records it, the outbox backlog, and a verdict as the exit
 * status of a monitoring plugin (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
#include "ctl.h"
#include "health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
when(int64_t ms, char *out, size_t len)
{
	if (ms <= 0)
		snprintf(out, len, "-");
	else
		fmt_local_time(ms, out, len);
}

static void
text(struct sbuf *b, const struct health_report *r)
{
	char t1[32], t2[32], age[32];

	sb_printf(b, "helpdeskd: %s\n", health_verdict_name(r->verdict));
	sb_printf(b, "%-20s %-9s %-17s %-17s %s\n", "CHANNEL", "STATE", "SINCE", "LAST MESSAGE",
		  "DETAIL");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct health_row *w = &r->rows[i];
		int daemon = strcmp(w->kind, "daemon") == 0;

		when(w->since, t1, sizeof(t1));
		when(w->last_message_at, t2, sizeof(t2));
		sb_printf(b, "%-20s %-9s %-17s %-17s ", w->name,
			  daemon && r->running == 0 ? "down" : health_state_name(w->state), t1, t2);
		if (daemon) {
			health_age(r->now - w->updated_at, age, sizeof(age));
			sb_printf(b, "pid %lld, heartbeat %s ago", (long long)w->pid, age);
		} else {
			sb_puts(b, w->detail);
		}
		if (w->signal >= 0)
			sb_printf(b, "%ssignal %d%%", w->detail[0] || daemon ? ", " : "", w->signal);
		if (w->network != NULL)
			sb_printf(b, ", network %s", w->network);
		sb_puts(b, "\n");
		if (w->last_error != NULL) {
			when(w->last_error_at, t1, sizeof(t1));
			sb_printf(b, "%-20s last error %s: %s\n", "", t1, w->last_error);
		}
	}
	sb_printf(b, "outbox: %lld pending, %lld being retried, %lld held, %lld given up in 24 h",
		  (long long)r->pending, (long long)r->retrying, (long long)r->held,
		  (long long)r->failed_24h);
	if (r->pending > 0) {
		health_age(r->now - r->oldest_pending_at, age, sizeof(age));
		sb_printf(b, "; oldest pending %s", age);
	}
	sb_puts(b, "\n");
	if (r->why.s != NULL)
		sb_puts(b, r->why.s);
}

static void
json_time(struct sbuf *b, const char *k, int64_t ms)
{
	if (ms > 0)
		sb_printf(b, ", \"%s\": %lld", k, (long long)ms);
	else
		sb_printf(b, ", \"%s\": null", k);
}

static void
json(struct sbuf *b, const struct health_report *r)
{
	sb_printf(b, "{\"verdict\": \"%s\", \"status\": %d, \"running\": %s, \"channels\": [",
		  health_verdict_name(r->verdict), r->verdict,
		  r->running < 0 ? "null" : r->running ? "true" : "false");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct health_row *w = &r->rows[i];

		sb_puts(b, i ? ", {" : "{");
		ctl_json_kv(b, "name", w->name, 0);
		ctl_json_kv(b, "kind", w->kind, 1);
		ctl_json_kv(b, "state", health_state_name(w->state), 1);
		ctl_json_kv(b, "detail", w->detail, 1);
		json_time(b, "since", w->since);
		json_time(b, "last_message_at", w->last_message_at);
		json_time(b, "last_error_at", w->last_error_at);
		sb_puts(b, ", \"last_error\": ");
		if (w->last_error != NULL)
			sb_json_str(b, w->last_error);
		else
			sb_puts(b, "null");
		sb_printf(b, ", \"signal_percent\": ");
		if (w->signal >= 0)
			sb_printf(b, "%d", w->signal);
		else
			sb_puts(b, "null");
		sb_puts(b, ", \"network\": ");
		if (w->network != NULL)
			sb_json_str(b, w->network);
		else
			sb_puts(b, "null");
		sb_printf(b, ", \"verdict\": \"%s\"}", health_verdict_name(w->verdict));
	}
	sb_printf(b, "], \"outbox\": {\"pending\": %lld, \"retrying\": %lld, \"held\": %lld,"
		  " \"failed_24h\": %lld, \"oldest_pending_s\": ", (long long)r->pending,
		  (long long)r->retrying, (long long)r->held, (long long)r->failed_24h);
	if (r->pending > 0)
		sb_printf(b, "%lld", (long long)(r->now - r->oldest_pending_at) / 1000);
	else
		sb_puts(b, "null");
	sb_puts(b, "}, \"problems\": [");
	for (const char *p = r->why.s, *nl; p != NULL && *p != '\0'; p = nl + 1) {
		struct sbuf line = { 0 };

		if ((nl = strchr(p, '\n')) == NULL)
			break;
		sb_append(&line, p, (size_t)(nl - p));
		if (p != r->why.s)
			sb_puts(b, ", ");
		sb_json_str(b, line.s ? line.s : "");
		sb_free(&line);
	}
	sb_puts(b, "]}\n");
}

int
ctl_health(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "json", no_argument, NULL, 'j' });
	struct health_report r = { 0 };
	struct sbuf b = { 0 };
	int opt, as_json = 0, fd, running, rc;

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		if (opt != 'j') {
			fprintf(stderr, "usage: helpdeskctl health [--json]\n");
			return V_UNKNOWN;
		}
		as_json = 1;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: helpdeskctl health [--json]\n");
		return V_UNKNOWN;
	}
	/* The daemon holds the database's lock while it runs. */
	running = store_lock(c->cfg->database, &fd);
	running = running == 1 ? 1 : running == 0 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	health_read(c->store, c->cfg, now_ms(), running, &r);
	if (as_json)
		json(&b, &r);
	else
		text(&b, &r);
	rc = ctl_emit(&b) != 0 ? V_UNKNOWN : r.verdict;
	health_free(&r);
	return rc;
}
