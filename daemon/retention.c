/*
 * retention.c: drops the raw copies of old messages, RETENTION_BATCH rows
 * per write transaction, then the spool files no message names any more.
 *
 * Spool files are content-addressed (spool.c), so two messages could name
 * one file: a file is removed only when, after the commits that cleared its
 * rows, no row names it any more (one scan of messages per FLUSH_PATHS
 * files: raw_path has no index). Files go after the commits: a crash in
 * between leaves an unnamed file, never a row naming a missing one.
 * (A message whose raw bytes equal those of an old one, arriving while its
 * file is being removed, could still find spool_put's "already there" and
 * lose its raw copy; raw mail carries its own Received lines, so that needs
 * the same bytes delivered again, and only the raw copy is at stake.)
 */
#include "retention.h"
#include "spool.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pause between batches, so the daemon's writers get the lock. */
#define BATCH_PAUSE_MS 10
/* Spool paths collected from cleared rows before their files are looked
 * at: each look is one scan of messages (raw_path has no index). */
#define FLUSH_PATHS 10000

/* Why a collected file stays: a row not cleared yet names it (a later
 * batch clears it, and the file goes then), or a message that is kept does. */
enum { KEEP_NOT, KEEP_LATER, KEEP_SHARED };

/* The raw_path values of the rows cleared so far, and what became of each. */
struct pathset {
	char **v;
	unsigned char *keep;	/* KEEP_* */
	size_t n, cap;
};

static void
pathset_clear(struct pathset *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i]);
	ps->n = 0;
}

static int
pathset_add(struct pathset *ps, const char *p)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 256;
		char **v = realloc(ps->v, cap * sizeof(*v));
		unsigned char *keep;

		if (v == NULL)
			return -1;
		ps->v = v;
		if ((keep = realloc(ps->keep, cap)) == NULL)
			return -1;
		ps->keep = keep;
		ps->cap = cap;
	}
	if ((ps->v[ps->n] = strdup(p)) == NULL)
		return -1;
	ps->keep[ps->n++] = KEEP_NOT;
	return 0;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void
pathset_unique(struct pathset *ps)
{
	size_t w = 0;

	if (ps->n == 0)
		return;
	qsort(ps->v, ps->n, sizeof(*ps->v), cmp_path);
	for (size_t r = 1; r < ps->n; r++) {
		if (strcmp(ps->v[r], ps->v[w]) == 0)
			free(ps->v[r]);
		else
			ps->v[++w] = ps->v[r];
	}
	ps->n = w + 1;
}

static ssize_t
pathset_find(const struct pathset *ps, const char *p)
{
	char *const *hit = p ? bsearch(&p, ps->v, ps->n, sizeof(*ps->v), cmp_path) : NULL;

	return hit ? hit - ps->v : -1;
}

/* Clear the next rows with a raw copy received before before_ms (after
 * *last_id, which moves on), collecting their spool paths. Returns the
 * number of rows, or -1 (logged; the transaction rolled back). */
static int
one_batch(struct store *s, int64_t before_ms, int dry_run, int64_t *last_id, struct pathset *ps,
	  struct retention_result *res)
{
	int64_t first = *last_id, last = *last_id, bytes = 0;
	sqlite3_stmt *st;
	int rc, n = 0;

	if (!dry_run && store_begin(s) < 0)
		return -1;
	st = store_stmt(s,
			"SELECT id, raw_path, length(raw) FROM messages WHERE id > ?1 AND received_at < ?2"
			" AND (length(raw) > 0 OR raw_path IS NOT NULL) ORDER BY id LIMIT ?3",
			"iii", first, before_ms, (int64_t)RETENTION_BATCH);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 1);

		last = sqlite3_column_int64(st, 0);
		bytes += sqlite3_column_int64(st, 2);
		n++;
		if (p != NULL && pathset_add(ps, p) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_err("retention: reading messages: %s", rc == SQLITE_NOMEM ? "out of memory"
			: sqlite3_errmsg(s->db));
		goto fail;
	}
	if (n > 0 && !dry_run &&
	    store_run(s, "UPDATE messages SET raw = NULL, raw_path = NULL WHERE id > ?1 AND id <= ?2"
		      " AND received_at < ?3 AND (length(raw) > 0 OR raw_path IS NOT NULL)",
		      "iii", first, last, before_ms) != SQLITE_DONE)
		goto fail;
	if (!dry_run && store_commit(s) < 0)
		return -1;
	*last_id = last;
	res->rows += n;
	res->db_bytes += bytes;
	return n;
fail:
	store_rollback(s);
	return -1;
}

/*
 * Mark the collected paths that a row still names: any row (the collected
 * ones are cleared), or for a dry run a row the run would not clear: one
 * received since before_ms, or one after last_id (a later batch's).
 */
static int
mark_named(struct store *s, struct pathset *ps, int64_t before_ms, int64_t last_id, int dry_run)
{
	sqlite3_stmt *st;
	int rc;

	st = store_stmt(s,
			"SELECT raw_path, received_at >= ?2 FROM messages WHERE raw_path IS NOT NULL"
			" AND (?1 = 0 OR received_at >= ?2 OR id > ?3)",
			"iii", (int64_t)dry_run, before_ms, last_id);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ssize_t i = pathset_find(ps, (const char *)sqlite3_column_text(st, 0));

		if (i >= 0 && ps->keep[i] != KEEP_SHARED)
			ps->keep[i] = sqlite3_column_int(st, 1) ? KEEP_SHARED : KEEP_LATER;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_err("retention: looking for spool files still named: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static void
remove_file(const char *spool_dir, const char *rel, int dry_run, struct retention_result *res)
{
	struct stat sb;
	char *full = NULL;

	if (!spool_inside(rel)) {
		log_warn("retention: raw_path \"%s\" is not inside the spool: left alone", rel);
		res->file_errors++;
		return;
	}
	if (asprintf(&full, "%s/%s", spool_dir, rel) < 0) {
		log_err("retention: out of memory");
		res->file_errors++;
		return;
	}
	if (lstat(full, &sb) < 0) {
		if (errno == ENOENT) {
			res->missing++;
		} else {
			log_warn("retention: %s: %s", full, strerror(errno));
			res->file_errors++;
		}
	} else if (!S_ISREG(sb.st_mode)) {
		log_warn("retention: %s: not a regular file: left alone", full);
		res->file_errors++;
	} else if (dry_run || unlink(full) == 0) {
		res->files++;
		res->file_bytes += sb.st_size;
	} else if (errno == ENOENT) {
		res->missing++;
	} else {
		log_warn("retention: removing %s: %s", full, strerror(errno));
		res->file_errors++;
	}
	free(full);
}

/* Remove the collected files no row names any more, and forget them all. */
static int
flush_files(struct store *s, const char *spool_dir, struct pathset *ps, int64_t before_ms, int64_t last_id,
	    int dry_run, struct retention_result *res)
{
	pathset_unique(ps);
	if (ps->n > 0 && mark_named(s, ps, before_ms, last_id, dry_run) < 0) {
		pathset_clear(ps);
		return -1;
	}
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->keep[i] == KEEP_NOT)
			remove_file(spool_dir, ps->v[i], dry_run, res);
		else if (ps->keep[i] == KEEP_SHARED)
			res->shared++;
	}
	pathset_clear(ps);
	return 0;
}

int
retention_drop_raw(struct store *s, const char *spool_dir, int64_t before_ms, int dry_run,
		   struct retention_result *res)
{
	struct pathset ps = { 0 };
	int64_t last_id = 0;
	int n, rc = 0;

	memset(res, 0, sizeof(*res));
	do {
		if ((n = one_batch(s, before_ms, dry_run, &last_id, &ps, res)) < 0)
			rc = -1;
		/* Rows first, files after their commit; every FLUSH_PATHS files and at
		 * the end, after an error too (a failed batch's paths are still
		 * named by its rolled-back rows, so they stay). */
		if ((n < RETENTION_BATCH || ps.n >= FLUSH_PATHS) &&
		    flush_files(s, spool_dir, &ps, before_ms, last_id, dry_run, res) < 0)
			rc = -1;
		if (n == RETENTION_BATCH && rc == 0 && !dry_run)
			sqlite3_sleep(BATCH_PAUSE_MS);
	} while (n == RETENTION_BATCH && rc == 0);
	pathset_clear(&ps);
	free(ps.v);
	free(ps.keep);
	if (rc < 0) {
		char when[32];

		fmt_local_time(before_ms, when, sizeof(when));
		log_err("retention: stopped after %lld messages received before %s", (long long)res->rows,
			when);
	}
	return rc;
}
