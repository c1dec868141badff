/* retention.h: dropping the raw copies of old inbound messages (the SMS
 * PDUs in messages.raw, the raw mail kept in the spool); shared by
 * "helpdeskctl vacuum" and the daemon's daily run. */
#ifndef HD_RETENTION_H
#define HD_RETENTION_H

#include <stdint.h>

#include "store.h"

/* Rows changed per write transaction: the daemon waits at most for one batch. */
#define RETENTION_BATCH 500

struct retention_result {
	int64_t rows;		/* messages whose raw copy was (would be) dropped */
	int64_t db_bytes;	/* bytes of messages.raw dropped from the database */
	int64_t files;		/* spool files removed (that would be) */
	int64_t file_bytes;	/* their size */
	int64_t missing;	/* spool files named but already gone */
	int64_t shared;		/* spool files kept: a newer message names the same content */
	int64_t file_errors;	/* spool files that could not be removed (logged) */
};

/*
 * Drop the raw copies of the messages received before before_ms: set
 * messages.raw and raw_path to NULL, RETENTION_BATCH rows per transaction,
 * and after the commits remove the spool files no message names any more
 * (only relative paths without ".." under spool_dir; a missing file is
 * fine). The messages' text, their tickets, events and attachments stay;
 * quarantined messages are included. With dry_run nothing is changed and
 * *res says what would be; the caller reports it. Returns 0, or -1
 * (logged) on a database error; batches committed before it stay done.
 * Files that cannot be removed are logged and counted in res->file_errors.
 */
int retention_drop_raw(struct store *s, const char *spool_dir, int64_t before_ms, int dry_run,
		       struct retention_result *res);

#endif
