/* store.c: opens the SQLite database, migrates it, and caches bound statements. */
#include "store.h"
#include "log.h"
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static const char *const pragmas =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;";

int
store_open(const char *path, struct store **out, char **err)
{
	struct store *s;
	char *msg = NULL;

	*out = NULL;
	*err = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*err = strdup("out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		if (asprintf(err, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory") < 0)
			*err = NULL;
		store_close(s);
		return -1;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, 10000) != SQLITE_OK ||
	    sqlite3_exec(s->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		if (asprintf(err, "%s: %s", path, msg ? msg : sqlite3_errmsg(s->db)) < 0)
			*err = NULL;
		sqlite3_free(msg);
		store_close(s);
		return -1;
	}
	if (migrate(s->db, &msg) < 0) {
		if (asprintf(err, "%s: %s", path, msg ? msg : "migration failed") < 0)
			*err = NULL;
		free(msg);
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < STORE_CACHE; i++)
		sqlite3_finalize(s->cache[i].st);
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_warn("database close: %s", sqlite3_errmsg(s->db));
	free(s);
}

static int
exec_simple(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("database: %s: %s", sql, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *s)
{
	return exec_simple(s, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *s)
{
	if (exec_simple(s, "COMMIT") == 0)
		return 0;
	store_rollback(s);
	return -1;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec_simple(s, "ROLLBACK");
}

static sqlite3_stmt *
cached(struct store *s, const char *sql)
{
	int i;

	for (i = 0; i < STORE_CACHE && s->cache[i].sql != NULL; i++)
		if (s->cache[i].sql == sql)
			return s->cache[i].st;
	if (i == STORE_CACHE) {
		/* Full: recycle a slot rather than fail, but never a statement
		 * a caller is still stepping through (it would vanish mid-loop). */
		for (i = STORE_CACHE - 1; i > 0 && sqlite3_stmt_busy(s->cache[i].st); i--)
			;
		if (sqlite3_stmt_busy(s->cache[i].st)) {
			log_err("database: every cached statement is in use: %s", sql);
			return NULL;
		}
		sqlite3_finalize(s->cache[i].st);
		s->cache[i].sql = NULL;
		s->cache[i].st = NULL;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &s->cache[i].st, NULL) != SQLITE_OK) {
		log_err("database: prepare: %s: %s", sqlite3_errmsg(s->db), sql);
		return NULL;
	}
	s->cache[i].sql = sql;
	return s->cache[i].st;
}

static sqlite3_stmt *
vbind(struct store *s, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st = cached(s, sql);
	int rc = SQLITE_OK, idx = 1;

	if (st == NULL)
		return NULL;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (const char *f = fmt; *f != '\0' && rc == SQLITE_OK; f++, idx++) {
		const char *str;
		const void *blob;
		size_t len;

		switch (*f) {
		case 't':
			str = va_arg(ap, const char *);
			rc = str ? sqlite3_bind_text(st, idx, str, -1, SQLITE_TRANSIENT)
				 : sqlite3_bind_null(st, idx);
			break;
		case 'T':
			str = va_arg(ap, const char *);
			len = va_arg(ap, size_t);
			rc = sqlite3_bind_text64(st, idx, str, len, SQLITE_TRANSIENT, SQLITE_UTF8);
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(st, idx, blob, len, SQLITE_TRANSIENT);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, idx, va_arg(ap, int64_t));
			break;
		case 'n':
			rc = sqlite3_bind_null(st, idx);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		log_err("database: bind %d: %s: %s", idx - 1, sqlite3_errstr(rc), sql);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = vbind(s, sql, fmt, ap);
	va_end(ap);
	return st;
}

int
store_run(struct store *s, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	st = vbind(s, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return SQLITE_ERROR;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && (rc & 0xff) != SQLITE_CONSTRAINT)
		log_err("database: %s: %s", sqlite3_errmsg(s->db), sql);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

int
store_int(struct store *s, int64_t *v, int64_t dflt, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	st = vbind(s, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	*v = dflt;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_err("database: %s: %s", sqlite3_errmsg(s->db), sql);
		return -1;
	}
	return 0;
}

char *
store_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

int
store_lock(const char *path, int *fd)
{
	size_t n = strlen(path);
	char *lp = malloc(n + sizeof("-lock"));
	int e;

	*fd = -1;
	if (lp == NULL)
		return -1;
	memcpy(lp, path, n);
	memcpy(lp + n, "-lock", sizeof("-lock"));
	*fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	e = errno;
	free(lp);
	if (*fd < 0) {
		errno = e;
		return -1;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	e = errno;
	close(*fd);
	*fd = -1;
	errno = e;
	return e == EWOULDBLOCK ? 1 : -1;
}

const char *
store_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? (const char *)t : "";
}
