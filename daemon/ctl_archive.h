/*
 * ctl_archive.h: what helpdeskctl's backup, restore and vacuum share: files
 * that appear whole or not at all, tar(1) run and its listings checked, and
 * SQLite copies through the online backup API.
 */
#ifndef HD_CTL_ARCHIVE_H
#define HD_CTL_ARCHIVE_H

#include <sqlite3.h>
#include <stdint.h>
#include <sys/types.h>

#define STEP_PAGES 256		/* pages copied per sqlite3_backup_step */
#define BUSY_SLEEP_MS 20	/* pause when the database is busy or locked */
#define BUSY_GIVE_UP_MS 60000	/* then give up */

/* What an archive holds. */
struct tar_summary {
	int64_t files, dirs, bytes;
};

/* path + suffix, newly allocated; NULL (reported) when out of memory. */
char *arc_suffixed(const char *path, const char *suffix);

/* fsync path (a directory when dir); 0 or -1 with errno. */
int arc_fsync_path(const char *path, int dir);

/* fsync the directory holding path, so a rename in it is durable. */
int arc_fsync_parent(const char *path);

/* Create tmp empty with mode 0640; a stale one is replaced only when force. */
int arc_create_tmp(const char *verb, const char *tmp, int force);

/* Make the complete, fsync'ed tmp appear as path; over an existing path only when replace. */
int arc_put_in_place(const char *verb, const char *tmp, const char *path, int replace);

/* Start tar with argv (argv[0] "tar", found on PATH), its stdout on out_fd
 * when out_fd >= 0. Returns the pid, or -1 (reported). */
pid_t arc_tar_start(const char *verb, const char *const argv[], int out_fd);

/* Wait for tar; returns its exit status, or -1 (reported) when it died. */
int arc_tar_wait(const char *verb, pid_t pid);

/* tar_start and tar_wait; 0 when tar exited 0, else -1 (reported). */
int arc_tar_run(const char *verb, const char *const argv[]);

/* One line of "tar -tv --numeric-owner --quoting-style=escape":
 * "-rw-r----- 0/0   1234 2026-05-01 10:00 ./raw/ab/NAME". Checks it and
 * counts it; returns 0, or -1 (reported) for a member restore refuses. */
int arc_tar_member(const char *verb, const char *archive, char *line, struct tar_summary *ts);

/* List archive with tar and check every member (tar_member). Returns 0, or
 * -1 (reported) when tar fails or a member is refused. */
int arc_tar_check(const char *verb, const char *archive, struct tar_summary *ts);

/* Copy the main database of src into dst with the online backup API, a few
 * pages at a time, pausing while either is busy. 0, or -1 (reported). */
int arc_copy_pages(const char *verb, sqlite3 *dst, sqlite3 *src);

/* PRAGMA integrity_check on db says "ok"? 0, or -1 (the first problems reported). */
int arc_integrity_ok(const char *verb, sqlite3 *db, const char *what);

/* The integer of a one-row query on a connection of our own (no arguments). */
int arc_db_int(sqlite3 *db, const char *sql, int64_t *v);

/* Open path with flags for verb; 0, or -1 (reported). */
int arc_db_open(const char *verb, const char *path, int flags, sqlite3 **db);

/* Size of path in bytes, 0 when it does not exist. */
int64_t arc_file_size(const char *path);

/* Whether paths a and b name the same file. */
int arc_same_file(const char *a, const char *b);

#endif
