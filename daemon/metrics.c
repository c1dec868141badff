/*
 * metrics.c: the Prometheus text file (health.metrics_file): the health
 * report and the running totals of tickets, messages and the outbox, for
 * node_exporter's textfile collector. Written to a temporary file next to
 * it and renamed, so a reader never sees half a file.
 */
#include "service.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A label value, escaped as the text format wants. */
static void
label(struct sbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			sb_printf(b, "\\%c", *v);
		else if (*v == '\n')
			sb_puts(b, "\\n");
		else
			sb_append(b, v, 1);
	}
}

static void
head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One gauge per channel row; skip rows where value() says so (< 0). */
static void
per_channel(struct sbuf *b, const struct health_report *r, const char *name,
	    double (*value)(const struct health_row *w, int64_t now))
{
	for (size_t i = 0; i < r->nrows; i++) {
		double v = value(&r->rows[i], r->now);

		if (strcmp(r->rows[i].kind, "daemon") == 0 || v < 0)
			continue;
		sb_printf(b, "%s{channel=\"", name);
		label(b, r->rows[i].name);
		sb_printf(b, "\"} %.15g\n", v);
	}
}

static double
v_up(const struct health_row *w, int64_t now)
{
	(void)now;
	return w->state == CS_UP;
}

static double
v_state_seconds(const struct health_row *w, int64_t now)
{
	return (double)(now - w->since) / 1000;
}

static double
v_signal(const struct health_row *w, int64_t now)
{
	(void)now;
	return w->signal;
}

static double
v_last_message(const struct health_row *w, int64_t now)
{
	(void)now;
	return w->last_message_at > 0 ? (double)w->last_message_at / 1000 : -1;
}

/* "label\tcount" rows of sql as one labelled gauge or counter. */
static int
grouped(struct sbuf *b, struct store *s, const char *sql, const char *name, const char *labels)
{
	sqlite3_stmt *st = store_stmt(s, sql, "");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sb_printf(b, "%s{", name);
		/* labels: "a" or "a,b", one per leading column */
		for (int c = 0, k = 0; labels[k] != '\0'; c++) {
			size_t len = strcspn(labels + k, ",");

			sb_printf(b, "%s%.*s=\"", c ? "," : "", (int)len, labels + k);
			label(b, store_text(st, c));
			sb_puts(b, "\"");
			k += len + (labels[k + len] == ',');
		}
		sb_printf(b, "} %lld\n", (long long)sqlite3_column_int64(st, sqlite3_column_count(st) - 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
render(struct sbuf *b, struct store *s, const struct health_report *r)
{
	head(b, "helpdeskd_health", "gauge", "Verdict of helpdeskctl health: 0 OK, 1 WARNING, 2 CRITICAL.");
	sb_printf(b, "helpdeskd_health %d\n", r->verdict);
	head(b, "helpdeskd_channel_up", "gauge", "Whether the channel is connected.");
	per_channel(b, r, "helpdeskd_channel_up", v_up);
	head(b, "helpdeskd_channel_state_seconds", "gauge", "Time since the channel entered its state.");
	per_channel(b, r, "helpdeskd_channel_state_seconds", v_state_seconds);
	head(b, "helpdeskd_modem_signal_percent", "gauge", "Signal strength the modem reports.");
	per_channel(b, r, "helpdeskd_modem_signal_percent", v_signal);
	head(b, "helpdeskd_channel_last_message_timestamp_seconds", "gauge",
	     "When the channel last took a message in.");
	per_channel(b, r, "helpdeskd_channel_last_message_timestamp_seconds", v_last_message);
	head(b, "helpdeskd_outbox_oldest_pending_seconds", "gauge", "Age of the oldest reply waiting to go.");
	sb_printf(b, "helpdeskd_outbox_oldest_pending_seconds %.15g\n",
		  r->pending > 0 ? (double)(r->now - r->oldest_pending_at) / 1000 : 0.0);
	head(b, "helpdeskd_outbox_messages", "gauge", "Outbox rows by channel and state.");
	if (grouped(b, s, "SELECT channel, state, COUNT(*) FROM outbox GROUP BY channel, state",
		    "helpdeskd_outbox_messages", "channel,state") < 0)
		return -1;
	head(b, "helpdeskd_tickets", "gauge", "Tickets by status.");
	if (grouped(b, s, "SELECT status, COUNT(*) FROM tickets GROUP BY status", "helpdeskd_tickets",
		    "status") < 0)
		return -1;
	head(b, "helpdeskd_messages_total", "counter", "Messages taken in, by channel and outcome.");
	return grouped(b, s, "SELECT channel, outcome, COUNT(*) FROM messages GROUP BY channel, outcome",
		       "helpdeskd_messages_total", "channel,outcome");
}

/* Write len bytes of data to path through path.tmp and rename. */
static int
write_atomic(const char *path, const char *data, size_t len)
{
	struct sbuf tmp = { 0 };
	int fd, rc = -1;

	sb_printf(&tmp, "%s.tmp", path);
	if (tmp.oom)
		return -1;
	if ((fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0) {
		size_t off = 0;

		while (off < len) {
			ssize_t n = write(fd, data + off, len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			off += (size_t)n;
		}
		rc = off == len && close(fd) == 0 ? 0 : -1;
		if (off != len)
			close(fd);
		if (rc == 0 && rename(tmp.s, path) < 0)
			rc = -1;
	}
	if (rc < 0) {
		log_warn("metrics file %s: %s", path, strerror(errno));
		unlink(tmp.s);
	}
	sb_free(&tmp);
	return rc;
}

int
metrics_write(struct store *s, const struct hd_config *cfg, const struct health_report *r)
{
	struct sbuf b = { 0 };
	int rc = -1;

	if (render(&b, s, r) < 0)
		log_warn("metrics file %s: cannot read the database", cfg->health.metrics_file);
	else if (b.oom)
		log_warn("metrics file %s: out of memory", cfg->health.metrics_file);
	else
		rc = write_atomic(cfg->health.metrics_file, b.s, b.len);
	sb_free(&b);
	return rc;
}
