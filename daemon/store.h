/* store.h: the SQLite database: opening, migrating, transactions, statements. */
#ifndef HD_STORE_H
#define HD_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#define STORE_CACHE 128

struct store {
	sqlite3 *db;
	struct {
		const char *sql;	/* identity of a string literal */
		sqlite3_stmt *st;
	} cache[STORE_CACHE];
};

/* Open (creating if needed) the database at path with WAL, foreign keys and
 * a busy timeout, and migrate it to the current schema. Returns 0, or -1 with
 * *err allocated. */
int store_open(const char *path, struct store **out, char **err);
void store_close(struct store *s);

/* The lock that one running helpdeskd holds on its database: an exclusive
 * flock(2) on the file path + "-lock", kept open in *fd (close it to let go).
 * Returns 0 when taken, 1 when another process holds it (*fd = -1), -1 on
 * error with errno set. helpdeskctl restore takes it too. */
int store_lock(const char *path, int *fd);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or -1 (logged). */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/*
 * Return the cached prepared statement for sql (a string literal: the cache
 * is keyed on its address), reset, with the arguments bound by fmt, one
 * character per parameter: 't' const char * (NULL binds NULL), 'T' const
 * char * and size_t length, 'b' const void * and size_t (blob), 'i' int64_t,
 * 'n' NULL. Returns NULL (logged) on error. The caller steps it.
 */
sqlite3_stmt *store_stmt(struct store *s, const char *sql, const char *fmt, ...);

/* Run a statement that returns no rows. Returns the sqlite3_step result
 * code (SQLITE_DONE on success); errors other than constraint violations
 * are logged. */
int store_run(struct store *s, const char *sql, const char *fmt, ...);

/* Run a query whose first row's first column is an integer; *v = dflt when
 * there is no row. Returns 0 or -1. */
int store_int(struct store *s, int64_t *v, int64_t dflt, const char *sql, const char *fmt, ...);

/* A text column, "" for NULL; valid until the next step or reset. */
const char *store_text(sqlite3_stmt *st, int col);

/* Copy a text column, "" for NULL. Returns NULL when out of memory. */
char *store_col_dup(sqlite3_stmt *st, int col);

#endif
