/*
 * ctl_vacuum.c: helpdeskctl vacuum: drop the raw copies of old messages
 * (retention.c), then compact the database.
 */
#include "ctl.h"
#include "ctl_archive.h"
#include "retention.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VACUUM_BUSY_MS 2000	/* how long vacuum waits for the write lock */
#define DAY_MS (24 * 3600 * INT64_C(1000))

/* PRAGMA wal_checkpoint(TRUNCATE); *busy when it could not finish. */
static int
checkpoint(sqlite3 *db, int *busy)
{
	sqlite3_stmt *st;
	int rc;

	*busy = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*busy = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		*busy = 1;
		return 0;
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Checkpoint, VACUUM and checkpoint again (VACUUM in WAL mode writes the
 * new file through the WAL). VACUUM needs the write lock for its whole run:
 * when the daemon keeps it for VACUUM_BUSY_MS, skip it with a note. */
static int
compact(struct ctl *c)
{
	sqlite3 *db = c->store->db;
	char *wal = arc_suffixed(c->cfg->database, "-wal");
	int64_t before, after;
	int busy, vrc, rc = -1;

	if (wal == NULL)
		return -1;
	before = arc_file_size(c->cfg->database) + arc_file_size(wal);
	sqlite3_busy_timeout(db, VACUUM_BUSY_MS);
	if (checkpoint(db, &busy) < 0)
		goto fail;
	vrc = sqlite3_exec(db, "VACUUM", NULL, NULL, NULL);
	if ((vrc & 0xff) == SQLITE_BUSY || (vrc & 0xff) == SQLITE_LOCKED)
		printf("vacuum: VACUUM skipped: the database is busy; run vacuum again when it is quieter\n");
	else if (vrc != SQLITE_OK)
		goto fail;
	if (checkpoint(db, &busy) < 0)
		goto fail;
	after = arc_file_size(c->cfg->database) + arc_file_size(wal);
	printf("vacuum: database and WAL %lld -> %lld bytes%s\n", (long long)before, (long long)after,
	       busy ? " (checkpoint incomplete: the daemon was busy)" : "");
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "helpdeskctl vacuum: %s\n", sqlite3_errmsg(db));
out:
	sqlite3_busy_timeout(db, 10000);
	free(wal);
	return rc;
}

int
ctl_vacuum(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "raw-days", required_argument, NULL, 'r' }, { "dry-run", no_argument, NULL, 'n' });
	int64_t t0 = mono_ms(), days = c->cfg->retention.raw_days;
	struct retention_result res = { 0 };
	int opt, dry_run = 0, rc = 0;
	char *end, when[32];

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			errno = 0;
			days = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || days < 0 || days > 36500) {
				fprintf(stderr, "helpdeskctl vacuum: --raw-days %s: expected a number"
					" of days, 0 to 36500\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'n': dry_run = 1; break;
		default: return EX_USAGE;
		}
	}
	if (optind != argc)
		return EX_USAGE;
	if (days == 0) {
		printf("vacuum: raw copies kept (retention.raw_days = 0 and no --raw-days)\n");
	} else {
		int64_t before = now_ms() - days * DAY_MS;

		fmt_local_time(before, when, sizeof(when));
		if (retention_drop_raw(c->store, c->cfg->spool_dir, before, dry_run, &res) < 0) {
			fprintf(stderr, "helpdeskctl vacuum: stopped by a database error after %lld"
				" messages\n", (long long)res.rows);
			return 1;
		}
		printf("vacuum%s: %s the raw copies of %lld messages received before %s (%lld days):"
		       " %lld bytes in the database; %s %lld spool files (%lld bytes), %lld already missing,"
		       " %lld kept for newer messages\n",
		       dry_run ? " --dry-run" : "", dry_run ? "would drop" : "dropped", (long long)res.rows,
		       when, (long long)days, (long long)res.db_bytes, dry_run ? "would remove" : "removed",
		       (long long)res.files, (long long)res.file_bytes, (long long)res.missing,
		       (long long)res.shared);
		if (res.file_errors > 0) {
			fprintf(stderr, "helpdeskctl vacuum: %lld spool files could not be removed"
				" (see above)\n", (long long)res.file_errors);
			rc = 1;
		}
	}
	if (dry_run)
		printf("vacuum --dry-run: would checkpoint the WAL and VACUUM (database %lld bytes); nothing"
		       " changed\n", (long long)arc_file_size(c->cfg->database));
	else if (compact(c) < 0)
		rc = 1;
	printf("vacuum: %.2f s\n", (double)(mono_ms() - t0) / 1000.0);
	return rc;
}
