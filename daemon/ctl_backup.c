/*
 * ctl_backup.c: helpdeskctl backup (a consistent copy of the live database,
 * then a tar of the spool) and restore (both back, with the daemon stopped
 * and its lock held). ctl_archive.c makes the files.
 */
#include "ctl.h"
#include "ctl_archive.h"
#include "migrate.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The live database into tmp: one read transaction on the ctl's connection
 * holds a snapshot for the whole copy (WAL: the daemon keeps writing, the
 * copy never restarts), which also gives the counts. Then the copy is made
 * a rollback-journal database (one self-contained file) and checked. */
static int
backup_db(struct ctl *c, const char *tmp, int64_t *tickets, int64_t *messages)
{
	sqlite3 *src = c->store->db, *dst = NULL;
	int rc = -1;

	if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "helpdeskctl backup: %s\n", sqlite3_errmsg(src));
		return -1;
	}
	if (store_int(c->store, tickets, 0, "SELECT count(*) FROM tickets", "") < 0 ||
	    store_int(c->store, messages, 0, "SELECT count(*) FROM messages", "") < 0)
		goto out;
	if (arc_db_open("backup", tmp, SQLITE_OPEN_READWRITE, &dst) < 0 || arc_copy_pages("backup", dst, src) < 0)
		goto out;
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "helpdeskctl backup: %s: %s\n", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	rc = 0;
out:
	store_rollback(c->store);	/* ends the read transaction */
	if (dst != NULL && sqlite3_close(dst) != SQLITE_OK) {
		fprintf(stderr, "helpdeskctl backup: %s: %s\n", tmp, sqlite3_errmsg(dst));
		rc = -1;
	}
	if (rc == 0) {
		rc = -1;
		if (arc_db_open("backup", tmp, SQLITE_OPEN_READONLY, &dst) == 0) {
			rc = arc_integrity_ok("backup", dst, tmp);
			sqlite3_close(dst);
		}
	}
	return rc;
}

/* The spool as a tar next to the database copy. *ts gets what is in it;
 * 1 when there is no spool directory (nothing written), 0 done, -1 failed. */
static int
backup_spool(struct ctl *c, const char *tar, int force, struct tar_summary *ts)
{
	char *tmp = arc_suffixed(tar, ".tmp");
	/* spool.c's temporary names: half-written files a commit never named. */
	const char *argv[] = { "tar", "-C", c->cfg->spool_dir, "--exclude=.*.tmp", "-cf", tmp, ".", NULL };
	struct stat sb;
	int rc = -1, status;

	memset(ts, 0, sizeof(*ts));
	if (tmp == NULL)
		return -1;
	if (stat(c->cfg->spool_dir, &sb) < 0 && errno == ENOENT) {
		free(tmp);
		return 1;
	}
	if (arc_create_tmp("backup", tmp, force) < 0) {
		free(tmp);
		return -1;
	}
	status = arc_tar_run("backup", argv);
	if (status == 1)	/* GNU tar: a file changed or went while it was read */
		fprintf(stderr, "helpdeskctl backup: warning: spool files changed while they were archived"
			" (newer than the database copy)\n");
	else if (status != 0) {
		if (status > 0)
			fprintf(stderr, "helpdeskctl backup: tar -c exited with status %d\n", status);
		goto out;
	}
	if (chmod(tmp, 0640) < 0) {
		fprintf(stderr, "helpdeskctl backup: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (arc_tar_check("backup", tmp, ts) < 0 || arc_put_in_place("backup", tmp, tar, force) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* The FILE argument of backup and restore, and --force; NULL on a usage
 * error (reported with usage when it is about the file). */
static const char *
file_arg(int argc, char **argv, const char *usage, int *force)
{
	VERB_OPTS({ "force", no_argument, NULL, 'f' });
	int opt;

	*force = 0;
	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		if (opt != 'f')
			return NULL;
		*force = 1;
	}
	if (optind != argc - 1 || *argv[optind] == '\0') {
		fprintf(stderr, "%s\n", usage);
		return NULL;
	}
	return argv[optind];
}

int
ctl_backup(struct ctl *c, int argc, char **argv)
{
	char *tmp = NULL, *journal = NULL, *tar = NULL;
	int64_t t0 = mono_ms(), tickets = 0, messages = 0;
	int force, rc = 1, spooled;
	struct tar_summary ts;
	const char *file;
	struct stat sb;

	if ((file = file_arg(argc, argv, "helpdeskctl backup: give the file to write:"
			     " backup FILE [--force]", &force)) == NULL)
		return EX_USAGE;
	if ((tmp = arc_suffixed(file, ".tmp")) == NULL || (journal = arc_suffixed(tmp, "-journal")) == NULL ||
	    (tar = arc_suffixed(file, ".spool.tar")) == NULL)
		goto out;
	if (arc_same_file(file, c->cfg->database)) {
		fprintf(stderr, "helpdeskctl backup: %s is the database itself\n", file);
		goto out;
	}
	if (!force && (lstat(file, &sb) == 0 || lstat(tar, &sb) == 0)) {
		fprintf(stderr, "helpdeskctl backup: %s exists; use --force to replace it\n",
			lstat(file, &sb) == 0 ? file : tar);
		goto out;
	}
	if (arc_create_tmp("backup", tmp, force) < 0)
		goto out;
	unlink(journal);	/* tmp is new: a journal beside it is stale */
	/* Database first, then the spool: spool files are written before the
	 * rows naming them commit, so the tar has every file the copy names. */
	if (backup_db(c, tmp, &tickets, &messages) < 0 || arc_put_in_place("backup", tmp, file, force) < 0) {
		unlink(tmp);
		unlink(journal);
		goto out;
	}
	if ((spooled = backup_spool(c, tar, force, &ts)) < 0) {
		fprintf(stderr, "helpdeskctl backup: the database copy %s is complete; the spool archive"
			" %s was not made\n", file, tar);
		goto out;
	}
	printf("backup %s: %lld bytes, %lld tickets, %lld messages; ", file, (long long)arc_file_size(file),
	       (long long)tickets, (long long)messages);
	if (spooled == 1)
		printf("no spool directory %s, no archive; ", c->cfg->spool_dir);
	else
		printf("%lld spool files (%lld bytes) in %s; ", (long long)ts.files, (long long)ts.bytes,
		       tar);
	printf("%.2f s\n", (double)(mono_ms() - t0) / 1000.0);
	rc = 0;
out:
	free(tmp);
	free(journal);
	free(tar);
	return rc;
}

/* ---- restore ------------------------------------------------------------- */

/* Is the file at path, open as db, a helpdeskd database this build can
 * take? *version gets its schema version. 0, or -1 (reported). */
static int
restore_check_source(sqlite3 *db, const char *path, int64_t *version, int64_t *tickets, int64_t *messages)
{
	int latest = nmigrations > 0 ? migrations[nmigrations - 1].version : 0;
	int64_t tables = 0;

	if (arc_integrity_ok("restore", db, path) < 0) {
		fprintf(stderr, "helpdeskctl restore: %s: not a sound SQLite database; nothing restored\n",
			path);
		return -1;
	}
	if (arc_db_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
		   " AND name IN ('tickets', 'messages')", &tables) < 0 ||
	    arc_db_int(db, "PRAGMA user_version", version) < 0) {
		fprintf(stderr, "helpdeskctl restore: %s: %s\n", path, sqlite3_errmsg(db));
		return -1;
	}
	if (tables != 2 || *version < 1) {
		fprintf(stderr, "helpdeskctl restore: %s: not a helpdeskd database (no tickets and messages"
			" tables)\n", path);
		return -1;
	}
	if (*version > latest) {
		fprintf(stderr, "helpdeskctl restore: %s: schema version %lld is newer than this helpdeskctl"
			" (%d); restore it with the helpdeskd that made it\n", path, (long long)*version,
			latest);
		return -1;
	}
	if (arc_db_int(db, "SELECT count(*) FROM tickets", tickets) < 0 ||
	    arc_db_int(db, "SELECT count(*) FROM messages", messages) < 0) {
		fprintf(stderr, "helpdeskctl restore: %s: %s\n", path, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* Open the target database (creating it, mode 0640, when missing) and count
 * its tickets. A -wal or -shm without its database is a leftover that
 * SQLite would otherwise apply to the new file: removed (safe: there is no
 * database it belongs to, and the lock keeps the daemon away). A WAL beside
 * an existing database holds committed transactions: SQLite handles it. */
static int
restore_open_target(const char *path, sqlite3 **db, int64_t *tickets)
{
	int64_t has = 0;
	struct stat sb;

	*tickets = 0;
	if (stat(path, &sb) < 0) {
		char *wal = arc_suffixed(path, "-wal"), *shm = arc_suffixed(path, "-shm");
		int fd;

		if (wal != NULL)
			unlink(wal);
		if (shm != NULL)
			unlink(shm);
		free(wal);
		free(shm);
		if (wal == NULL || shm == NULL)
			return -1;
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
			fprintf(stderr, "helpdeskctl restore: %s: %s\n", path, strerror(errno));
			return -1;
		}
		close(fd);
	}
	if (arc_db_open("restore", path, SQLITE_OPEN_READWRITE, db) < 0)
		return -1;
	if (arc_db_int(*db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'tickets'",
		   &has) < 0 ||
	    (has && arc_db_int(*db, "SELECT count(*) FROM tickets", tickets) < 0)) {
		fprintf(stderr, "helpdeskctl restore: %s: %s\n", path, sqlite3_errmsg(*db));
		return -1;
	}
	return 0;
}

/* Unpack the checked archive into the spool (made when missing). */
static int
restore_spool(struct ctl *c, const char *tar)
{
	/* --keep-directory-symlink: a spool subdirectory an admin moved
	 * elsewhere with a symlink stays a symlink. */
	const char *argv[] = { "tar", "-C", c->cfg->spool_dir, "--keep-directory-symlink", "-xf", tar, NULL };
	char *dir = strdup(c->cfg->spool_dir);
	int status;

	if (dir == NULL || spool_mkdirs(dir) < 0) {
		fprintf(stderr, "helpdeskctl restore: spool directory %s: %s\n", c->cfg->spool_dir,
			dir ? strerror(errno) : "out of memory");
		free(dir);
		return -1;
	}
	free(dir);
	if ((status = arc_tar_run("restore", argv)) != 0) {
		if (status > 0)
			fprintf(stderr, "helpdeskctl restore: tar -x exited with status %d\n", status);
		return -1;
	}
	return 0;
}

int
ctl_restore(struct ctl *c, int argc, char **argv)
{
	const char *file, *dbpath = c->cfg->database;
	sqlite3 *src = NULL, *dst = NULL;
	struct store *s = NULL;
	struct tar_summary ts = { 0 };
	int64_t t0 = mono_ms(), version = 0, tickets = 0, messages = 0, had = 0, now_version = 0;
	int force, rc = 1, lockfd = -1, locked, with_tar = 0;
	char *tar = NULL, *err = NULL;
	struct stat sb;

	if ((file = file_arg(argc, argv, "helpdeskctl restore: give the backup to restore:"
			     " restore FILE [--force]", &force)) == NULL)
		return EX_USAGE;
	if (stat(file, &sb) < 0) {
		fprintf(stderr, "helpdeskctl restore: %s: %s\n", file, strerror(errno));
		return 1;
	}
	if (!S_ISREG(sb.st_mode)) {
		fprintf(stderr, "helpdeskctl restore: %s: not a regular file\n", file);
		return 1;
	}
	if (arc_same_file(file, dbpath)) {
		fprintf(stderr, "helpdeskctl restore: %s is the database itself\n", file);
		return 1;
	}
	/* The daemon's lock, held to the end: no helpdeskd starts meanwhile. */
	if ((locked = store_lock(dbpath, &lockfd)) != 0) {
		if (locked == 1)
			fprintf(stderr, "helpdeskctl restore: helpdeskd is running (it holds %s-lock);"
				" stop it first: systemctl stop helpdeskd\n", dbpath);
		else
			fprintf(stderr, "helpdeskctl restore: %s-lock: %s\n", dbpath, strerror(errno));
		return 1;
	}
	if ((tar = arc_suffixed(file, ".spool.tar")) == NULL)
		goto out;
	/* Check everything before touching anything. */
	if (arc_db_open("restore", file, SQLITE_OPEN_READONLY, &src) < 0 ||
	    restore_check_source(src, file, &version, &tickets, &messages) < 0)
		goto out;
	if (stat(tar, &sb) == 0) {
		if (arc_tar_check("restore", tar, &ts) < 0) {
			fprintf(stderr, "helpdeskctl restore: %s refused; nothing restored\n", tar);
			goto out;
		}
		with_tar = 1;
	}
	if (restore_open_target(dbpath, &dst, &had) < 0)
		goto out;
	if (had > 0 && !force) {
		fprintf(stderr, "helpdeskctl restore: %s already holds %lld tickets; restore --force replaces"
			" the whole database with %s\n", dbpath, (long long)had, file);
		goto out;
	}
	/* Spool files first: as in intake, a file is there before a row names it. */
	if (with_tar && restore_spool(c, tar) < 0) {
		fprintf(stderr, "helpdeskctl restore: the spool archive was not unpacked; the database was"
			" left as it was\n");
		goto out;
	}
	/* Out of WAL while we are the only user (the backup can then also
	 * change the page size); store_open turns WAL on again. When another
	 * helpdeskctl has it open the mode stays, and the copy goes through
	 * the WAL as any transaction would. */
	sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	if (arc_copy_pages("restore", dst, src) < 0)
		goto out;
	if (sqlite3_close(dst) != SQLITE_OK) {
		fprintf(stderr, "helpdeskctl restore: %s: %s\n", dbpath, sqlite3_errmsg(dst));
		goto out;
	}
	dst = NULL;
	if (store_open(dbpath, &s, &err) < 0) {
		fprintf(stderr, "helpdeskctl restore: the copy is in place but does not open: %s\n",
			err ? err : "out of memory");
		free(err);
		goto out;
	}
	if (store_int(s, &now_version, 0, "PRAGMA user_version", "") < 0 ||
	    store_int(s, &tickets, 0, "SELECT count(*) FROM tickets", "") < 0)
		goto out;
	printf("restored %s into %s: %lld tickets, %lld messages, schema %lld", file, dbpath,
	       (long long)tickets, (long long)messages, (long long)version);
	if (now_version != version)
		printf(" (migrated to %lld)", (long long)now_version);
	if (with_tar)
		printf("; %lld spool files (%lld bytes) from %s into %s", (long long)ts.files,
		       (long long)ts.bytes, tar, c->cfg->spool_dir);
	else
		printf("; no %s: spool left as it was", tar);
	printf("; %.2f s\n", (double)(mono_ms() - t0) / 1000.0);
	rc = 0;
out:
	store_close(s);
	sqlite3_close(dst);
	sqlite3_close(src);
	free(tar);
	close(lockfd);
	return rc;
}
