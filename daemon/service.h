/*
 * service.h: the main thread's periodic duties while the channels run:
 * systemd's watchdog and STATUS= line, the daemon's heartbeat in the
 * database, and the metrics file.
 */
#ifndef HD_SERVICE_H
#define HD_SERVICE_H

#include <stdint.h>

#include "channel.h"
#include "health.h"
#include "store.h"

struct service {
	struct store *store;		/* the main thread's connection */
	const struct channel *sentinel;	/* the sla thread: never waits on a peer */
	int64_t next_dog, next_beat, next_metrics;	/* mono_ms */
	int withheld;			/* the watchdog is held back: logged once */
	char *status;			/* the last STATUS= sent */
};

/* Do what is due; returns ms until the next duty (at most 1000). */
int service_tick(struct service *sv);

/* Tell systemd and the database the daemon is stopping or stopped. */
void service_stop(struct service *sv, int done);

void service_free(struct service *sv);

/* Write the metrics file of cfg now (metrics.c). Returns 0 or -1 (logged). */
int metrics_write(struct store *s, const struct hd_config *cfg, const struct health_report *r);

#endif
