/* migrate.h: the schema migrations compiled in from schema/NNN_*.sql. */
#ifndef HD_MIGRATE_H
#define HD_MIGRATE_H

#include <sqlite3.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int nmigrations;

/* Apply, each in its own transaction, every migration newer than the
 * database's user_version. Returns 0, or -1 with *err allocated. A database
 * newer than this program is refused rather than touched. */
int migrate(sqlite3 *db, char **err);

#endif
