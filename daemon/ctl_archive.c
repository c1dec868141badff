/*
 * ctl_archive.c: files for helpdeskctl's backup and restore. Each file is
 * written to NAME.tmp (mode 0640), fsync'ed, checked and renamed; without
 * --force an existing NAME is never replaced (RENAME_NOREPLACE).
 *
 * The spool goes through tar(1) (GNU tar, an essential Debian package),
 * spawned, rather than a ustar writer of our own: extraction is where an
 * archive can hurt (absolute names, "..", links out of the tree), and GNU
 * tar's extraction already refuses those; a writer of our own would still
 * need an extractor as careful. Before extracting, restore lists the
 * archive (tar -tv) and refuses it whole unless every member is a regular
 * file or a directory with a relative name without "..".
 */
#include "ctl.h"
#include "ctl_archive.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *
arc_suffixed(const char *path, const char *suffix)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s", path, suffix) < 0) {
		fprintf(stderr, "helpdeskctl: out of memory\n");
		return NULL;
	}
	return s;
}

/* fsync path (a directory when dir); 0 or -1 with errno. */
int
arc_fsync_path(const char *path, int dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0)), rc, e;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* fsync the directory holding path, so a rename in it is durable. */
int
arc_fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	if (slash == NULL)
		return arc_fsync_path(".", 1);
	if ((dir = strndup(path, slash == path ? 1 : (size_t)(slash - path))) == NULL)
		return -1;
	rc = arc_fsync_path(dir, 1);
	free(dir);
	return rc;
}

/* Create tmp empty with mode 0640; a stale one is replaced only when force. */
int
arc_create_tmp(const char *verb, const char *tmp, int force)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

	if (fd < 0 && errno == EEXIST && force && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		if (errno == EEXIST)
			fprintf(stderr, "helpdeskctl %s: %s exists (another %s at work, or one that was"
				" interrupted): remove it, or use --force\n", verb, tmp, verb);
		else
			fprintf(stderr, "helpdeskctl %s: %s: %s\n", verb, tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0640) < 0) {	/* exactly 0640, whatever the umask */
		fprintf(stderr, "helpdeskctl %s: %s: %s\n", verb, tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return 0;
}

/* Make the complete, fsync'ed tmp appear as path; over an existing path only when replace. */
int
arc_put_in_place(const char *verb, const char *tmp, const char *path, int replace)
{
	int rc;

	if (arc_fsync_path(tmp, 0) < 0) {
		fprintf(stderr, "helpdeskctl %s: fsync %s: %s\n", verb, tmp, strerror(errno));
		return -1;
	}
	if (replace)
		rc = rename(tmp, path);
	else if ((rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE)) < 0 &&
		 (errno == EINVAL || errno == ENOSYS)) {
		/* No RENAME_NOREPLACE on this file system: link(2) refuses an existing path too. */
		if ((rc = link(tmp, path)) == 0)
			unlink(tmp);
	}
	if (rc < 0) {
		fprintf(stderr, "helpdeskctl %s: %s: %s%s\n", verb, path, strerror(errno),
			errno == EEXIST ? " (use --force to replace it)" : "");
		return -1;
	}
	if (arc_fsync_parent(path) < 0)
		fprintf(stderr, "helpdeskctl %s: warning: fsync of the directory of %s: %s\n", verb, path,
			strerror(errno));
	return 0;
}

/* ---- tar ---------------------------------------------------------------- */

/* Start tar with argv (argv[0] "tar", found on PATH), its stdout on out_fd
 * when out_fd >= 0. Returns the pid, or -1 (reported). */
pid_t
arc_tar_start(const char *verb, const char *const argv[], int out_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		fprintf(stderr, "helpdeskctl %s: tar: %s\n", verb, strerror(rc));
		return -1;
	}
	if (out_fd >= 0 && (rc = posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		fprintf(stderr, "helpdeskctl %s: tar: %s\n", verb, strerror(rc));
		return -1;
	}
	/* posix_spawnp does not change argv or its strings. */
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "helpdeskctl %s: cannot run tar: %s\n", verb, strerror(rc));
		return -1;
	}
	return pid;
}

/* Wait for tar; returns its exit status, or -1 (reported) when it died. */
int
arc_tar_wait(const char *verb, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "helpdeskctl %s: waiting for tar: %s\n", verb, strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "helpdeskctl %s: tar killed by signal %d\n", verb, WTERMSIG(status));
	return -1;
}

int
arc_tar_run(const char *verb, const char *const argv[])
{
	pid_t pid = arc_tar_start(verb, argv, -1);

	return pid < 0 ? -1 : arc_tar_wait(verb, pid);
}

/* One line of "tar -tv --numeric-owner --quoting-style=escape":
 * "-rw-r----- 0/0   1234 2026-05-01 10:00 ./raw/ab/NAME". Checks it and
 * counts it; returns 0, or -1 (reported) for a member restore refuses. */
int
arc_tar_member(const char *verb, const char *archive, char *line, struct tar_summary *ts)
{
	char *p = line, type = line[0];
	long long size = 0;

	line[strcspn(line, "\n")] = '\0';
	for (int field = 0; field < 5 && *p != '\0'; field++) {
		if (field == 2)
			size = strtoll(p, NULL, 10);
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	if (*p == '\0' || (type != '-' && type != 'd') || !spool_inside(p)) {
		fprintf(stderr, "helpdeskctl %s: %s: refused: member \"%s\" is not a regular file or"
			" directory with a relative name without \"..\"\n", verb, archive, *p ? p : line);
		return -1;
	}
	if (type == 'd') {
		ts->dirs++;
	} else {
		ts->files++;
		ts->bytes += size;
	}
	return 0;
}

/* List archive with tar and check every member (tar_member). Returns 0, or
 * -1 (reported) when tar fails or a member is refused. */
int
arc_tar_check(const char *verb, const char *archive, struct tar_summary *ts)
{
	/* -P: names exactly as stored, without the "Removing leading" notes. */
	const char *argv[] = { "tar", "-P", "--numeric-owner", "--quoting-style=escape", "-tvf", archive,
			       NULL };
	char *line = NULL;
	size_t cap = 0;
	int fds[2], rc = 0, status;
	FILE *f;
	pid_t pid;

	memset(ts, 0, sizeof(*ts));
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "helpdeskctl %s: pipe: %s\n", verb, strerror(errno));
		return -1;
	}
	pid = arc_tar_start(verb, argv, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	if ((f = fdopen(fds[0], "r")) == NULL) {
		fprintf(stderr, "helpdeskctl %s: %s\n", verb, strerror(errno));
		close(fds[0]);
		rc = -1;
	} else {
		/* Read to the end even after a refusal, so tar is not stopped by SIGPIPE. */
		while (getline(&line, &cap, f) >= 0)
			if (rc == 0 && arc_tar_member(verb, archive, line, ts) < 0)
				rc = -1;
		if (ferror(f)) {
			fprintf(stderr, "helpdeskctl %s: reading tar's listing: %s\n", verb, strerror(errno));
			rc = -1;
		}
		free(line);
		fclose(f);
	}
	status = arc_tar_wait(verb, pid);
	if (status != 0) {
		if (status > 0)
			fprintf(stderr, "helpdeskctl %s: %s: tar -t exited with status %d\n", verb, archive,
				status);
		rc = -1;
	}
	return rc;
}

/* ---- database copies ----------------------------------------------------- */

/* Copy the main database of src into dst with the online backup API, a few
 * pages at a time, pausing while either is busy. 0, or -1 (reported). */
int
arc_copy_pages(const char *verb, sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
	int rc, fin, waited = 0;

	if (bk == NULL) {
		fprintf(stderr, "helpdeskctl %s: backup: %s\n", verb, sqlite3_errmsg(dst));
		return -1;
	}
	do {
		rc = sqlite3_backup_step(bk, STEP_PAGES);
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
			if (waited >= BUSY_GIVE_UP_MS)
				break;
			sqlite3_sleep(BUSY_SLEEP_MS);
			waited += BUSY_SLEEP_MS;
			rc = SQLITE_OK;
		} else if (rc == SQLITE_OK) {
			waited = 0;
		}
	} while (rc == SQLITE_OK);
	fin = sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE || fin != SQLITE_OK) {
		int busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;

		fprintf(stderr, "helpdeskctl %s: backup: %s%s\n", verb,
			rc == SQLITE_DONE ? sqlite3_errmsg(dst) : sqlite3_errstr(rc),
			busy ? " (gave up waiting)" : "");
		return -1;
	}
	return 0;
}

/* PRAGMA integrity_check on db says "ok"? 0, or -1 (the first problems reported). */
int
arc_integrity_ok(const char *verb, sqlite3 *db, const char *what)
{
	sqlite3_stmt *st;
	int rc, n = 0, ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "helpdeskctl %s: %s: %s\n", verb, what, sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (n == 0 && t != NULL && strcmp(t, "ok") == 0)
			ok = 1;
		else if (n < 10)
			fprintf(stderr, "helpdeskctl %s: %s: integrity check: %s\n", verb, what, t ? t : "?");
		n++;
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "helpdeskctl %s: %s: integrity check: %s\n", verb, what, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE && ok && n == 1 ? 0 : -1;
}

/* The integer of a one-row query on a connection of our own (no arguments). */
int
arc_db_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
arc_db_open(const char *verb, const char *path, int flags, sqlite3 **db)
{
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		fprintf(stderr, "helpdeskctl %s: %s: %s\n", verb, path,
			*db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_extended_result_codes(*db, 1);
	sqlite3_busy_timeout(*db, 10000);
	return 0;
}

int64_t
arc_file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

int
arc_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
