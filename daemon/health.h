/*
 * health.h: the channel_state table. The daemon records in it what it and
 * each channel are doing; helpdeskctl health, systemd's STATUS= line and the
 * metrics file read it back, with the outbox, as one verdict.
 */
#ifndef HD_HEALTH_H
#define HD_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"
#include "util.h"

enum ch_state { CS_STARTING, CS_UP, CS_BACKOFF, CS_STOPPED };

/* Monitoring-plugin exit statuses. */
enum verdict { V_OK = 0, V_WARNING = 1, V_CRITICAL = 2, V_UNKNOWN = 3 };

/* How often the daemon writes its heartbeat, and how old it may get. */
#define HEALTH_BEAT_MS	5000
#define HEALTH_STALE_MS	60000

/* Daemon side: each returns 0 or -1 (logged). Text is bound, never formatted
 * into the statement. */

/* At start: forget the rows of an earlier run (channels may have been
 * removed from the configuration) and record the daemon as starting. */
int health_start(struct store *s, int64_t pid);
/* Channel name (of kind) entered state st, or stays in it with a new detail
 * (NULL: keep); err, when not NULL, becomes its last error. */
int health_set(struct store *s, const char *name, const char *kind, enum ch_state st,
	       const char *detail, const char *err);
/* name took in a message now. */
int health_message(struct store *s, const char *name);
/* The modem's signal strength (percent, -1 unknown) and network (NULL unknown). */
int health_modem(struct store *s, const char *name, int signal, const char *network);
/* The daemon's heartbeat. */
int health_beat(struct store *s);

/* Reader side. */
struct health_row {
	char *name, *kind, *detail, *last_error, *network;
	int state;			/* enum ch_state */
	int64_t since, last_error_at, last_message_at, updated_at, pid;
	int signal;			/* -1: not reported */
	int verdict;			/* enum verdict of this row */
};

struct health_report {
	struct health_row *rows;
	size_t nrows;
	int running;			/* the daemon holds its lock: 1, 0, or -1 unknown */
	int64_t now;
	int64_t pending, retrying, held, failed_24h;
	int64_t oldest_pending_at;	/* created_at of the oldest pending reply, 0 none */
	int verdict;			/* the worst of all */
	struct sbuf why;		/* one line per problem, "" when all is well */
};

/* Read the state at now into r (zero it first). running: whether the
 * daemon holds its lock (-1 unknown). Returns 0, or -1 when the database
 * cannot be read (r->verdict V_UNKNOWN). */
int health_read(struct store *s, const struct hd_config *cfg, int64_t now, int running,
		struct health_report *r);
void health_free(struct health_report *r);

/* "up", "backoff", ... for state st. */
const char *health_state_name(int st);
/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *health_verdict_name(int v);
/* Elapsed ms as "45s", "12m", "3h 05m", "2d 4h". */
void health_age(int64_t ms, char *out, size_t len);

#endif
