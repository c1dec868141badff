/*
 * service.c: what the main thread does between signals: pings systemd's
 * watchdog while the sla thread (which touches only the database, never a
 * modem or a server) keeps turning, writes the daemon's heartbeat, tells
 * systemd each channel's state in STATUS=, and rewrites the metrics file.
 * A channel stuck in a modem or network call stalls only its own thread,
 * so it cannot starve the watchdog.
 */
#include "service.h"
#include "live.h"
#include "log.h"
#include "sdnotify.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* One STATUS= line from the report. */
static char *
status_line(const struct health_report *r)
{
	struct sbuf b = { 0 };
	char age[32];
	int n = 0;

	sb_puts(&b, "STATUS=");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct health_row *w = &r->rows[i];

		if (strcmp(w->kind, "daemon") == 0 || strcmp(w->kind, "sla") == 0)
			continue;
		sb_printf(&b, "%s%s %s", n++ ? "; " : "", w->name, health_state_name(w->state));
		if (w->state == CS_UP && w->detail[0] != '\0')
			sb_printf(&b, ", %s", w->detail);
		if (w->state == CS_UP && w->signal >= 0)
			sb_printf(&b, ", signal %d%%", w->signal);
		if (w->state != CS_UP && w->last_error != NULL)
			sb_printf(&b, ": %.80s", w->last_error);
	}
	sb_printf(&b, "%soutbox %lld pending", n ? "; " : "", (long long)r->pending);
	if (r->pending > 0) {
		health_age(r->now - r->oldest_pending_at, age, sizeof(age));
		sb_printf(&b, ", oldest %s", age);
	}
	if (b.oom) {
		sb_free(&b);
		return NULL;
	}
	return b.s;
}

static void
watchdog(struct service *sv, int64_t mono)
{
	int64_t wd = sdn_watchdog_ms(), quiet = mono - atomic_load(&sv->sentinel->alive);

	if (quiet <= wd / 2) {
		sdn_send("WATCHDOG=1");
		if (sv->withheld)
			log_notice("watchdog: the sla thread turns again; pinging systemd");
		sv->withheld = 0;
	} else if (!sv->withheld) {
		log_err("watchdog: the sla thread has not turned for %lld s (database stuck?);"
			" no more pings, systemd will restart helpdeskd", (long long)quiet / 1000);
		sv->withheld = 1;
	}
	sv->next_dog = mono + (wd / 4 > 100 ? wd / 4 : 100);
}

/* Heartbeat, STATUS= and, when due, the metrics file. */
static void
beat(struct service *sv, int64_t mono)
{
	const struct hd_config *cfg = live_hold(NULL);
	struct health_report r = { 0 };
	char *line;

	sv->next_beat = mono + HEALTH_BEAT_MS;
	health_beat(sv->store);
	if (health_read(sv->store, cfg, now_ms(), 1, &r) == 0) {
		line = status_line(&r);
		if (line != NULL && (sv->status == NULL || strcmp(line, sv->status) != 0)) {
			sdn_send(line);
			free(sv->status);
			sv->status = line;
		} else {
			free(line);
		}
		if (cfg->health.metrics_file != NULL && mono >= sv->next_metrics) {
			metrics_write(sv->store, cfg, &r);
			sv->next_metrics = mono + (int64_t)cfg->health.metrics_interval * 1000;
		}
	}
	health_free(&r);
	live_drop(cfg);
}

int
service_tick(struct service *sv)
{
	int64_t mono = mono_ms(), next;

	if (sdn_watchdog_ms() > 0 && mono >= sv->next_dog)
		watchdog(sv, mono);
	if (mono >= sv->next_beat)
		beat(sv, mono);
	next = sv->next_beat;
	if (sdn_watchdog_ms() > 0 && sv->next_dog < next)
		next = sv->next_dog;
	next -= mono_ms();
	return next < 0 ? 0 : next > 1000 ? 1000 : (int)next;
}

void
service_stop(struct service *sv, int done)
{
	if (!done) {
		sdn_send("STOPPING=1\nSTATUS=stopping: finishing the current work");
		return;
	}
	if (sv->store != NULL)
		health_set(sv->store, "daemon", "daemon", CS_STOPPED, NULL, NULL);
}

void
service_free(struct service *sv)
{
	free(sv->status);
	sv->status = NULL;
}
