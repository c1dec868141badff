/*
 * clock.c: the daemon's timekeeper, run as one more channel thread with its
 * own connection: every sla.check_interval it sends the SLA escalations
 * that have come due, every second it looks whether another process
 * (helpdeskctl) committed outbox rows, and wakes the sending channels, and
 * once a day it drops the raw copies older than retention.raw_days.
 */
#include "channel.h"
#include "log.h"
#include "retention.h"
#include "sla.h"
#include "util.h"

#include <stdlib.h>

/* How often to look for other processes' commits, ms. */
#define WATCH_MS 1000
#define DAY_MS (24 * 3600 * 1000LL)

struct clock_state {
	int64_t data_version;	/* PRAGMA data_version at the last look */
	int64_t next_scan;	/* mono_ms of the next SLA scan */
	int64_t next_retention;	/* mono_ms of the next retention run */
};

static int
clock_open(struct channel *ch, char **err)
{
	struct clock_state *cs = calloc(1, sizeof(*cs));

	(void)err;
	if (cs == NULL)
		return -1;
	ch->priv = cs;
	return 0;
}

static void
clock_close(struct channel *ch)
{
	free(ch->priv);
	ch->priv = NULL;
}

/* Rows queued by another process: wake the senders. */
static void
watch(struct channel *ch, struct clock_state *cs)
{
	int64_t v, due;

	if (store_int(ch->store, &v, 0, "PRAGMA data_version", "") < 0 || v == cs->data_version)
		return;
	cs->data_version = v;
	if (store_int(ch->store, &due, 0, "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending'"
		      " AND next_attempt_at <= ?1)", "i", now_ms()) == 0 && due)
		channel_kick_all();
}

/* Drop the raw copies of messages older than retention.raw_days. */
static void
retain(struct channel *ch)
{
	struct retention_result res = { 0 };
	int days = ch->cfg->retention.raw_days;

	if (days == 0)
		return;
	if (retention_drop_raw(ch->store, ch->boot->spool_dir, now_ms() - days * DAY_MS, 0, &res) < 0)
		log_err("retention: dropping raw copies older than %d days failed; trying again"
			" tomorrow", days);
	else if (res.rows > 0)
		log_info("retention: dropped the raw copies of %lld messages older than %d days"
			 " (%lld bytes in the database, %lld spool files)", (long long)res.rows, days,
			 (long long)res.db_bytes, (long long)res.files);
}

static void
clock_wait(struct channel *ch, int64_t deadline)
{
	struct clock_state *cs = ch->priv;
	int64_t now = mono_ms();

	(void)deadline;
	if (now >= cs->next_scan) {
		int sent = sla_scan(ch->store, ch->cfg, now_ms());

		if (sent < 0)
			log_err("sla: scan failed; trying again in %d s", ch->cfg->sla.check_interval);
		else if (sent > 0)
			channel_kick_all();
		cs->next_scan = now + (int64_t)ch->cfg->sla.check_interval * 1000;
	}
	if (now >= cs->next_retention) {
		retain(ch);
		cs->next_retention = now + DAY_MS;
	}
	watch(ch, cs);
	channel_sleep(ch, mono_ms() + WATCH_MS, -1);
}

const struct channel_ops clock_ops = {
	.name = "sla",
	.open = clock_open,
	.close = clock_close,
	.wait = clock_wait,
};
