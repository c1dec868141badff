/* migrate.c: brings a database up to the compiled-in schema on start. */
#include "migrate.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static char *
errf(const char *what, sqlite3 *db)
{
	char *s = NULL;

	if (asprintf(&s, "%s: %s", what, sqlite3_errmsg(db)) < 0)
		return NULL;
	return s;
}

int
migrate(sqlite3 *db, char **err)
{
	int have, latest = nmigrations > 0 ? migrations[nmigrations - 1].version : 0;

	*err = NULL;
	if (user_version(db, &have) < 0) {
		*err = errf("reading schema version", db);
		return -1;
	}
	if (have > latest) {
		if (asprintf(err, "database schema version %d is newer than this helpdeskd (%d)",
			     have, latest) < 0)
			*err = NULL;
		return -1;
	}
	for (int i = 0; i < nmigrations; i++) {
		const struct migration *m = &migrations[i];
		char *msg = NULL, pragma[64];

		if (m->version <= have)
			continue;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, m->sql, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			if (asprintf(err, "migration %s: %s", m->name, msg ? msg : "failed") < 0)
				*err = NULL;
			sqlite3_free(msg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info("database migrated to schema %s", m->name);
	}
	return 0;
}
