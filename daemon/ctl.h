/* ctl.h: what helpdeskctl's verb files share: the open configuration and
 * database, option parsing, output helpers and the word lists. */
#ifndef HD_CTL_H
#define HD_CTL_H

#include <getopt.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"
#include "util.h"

#define EX_USAGE 2

struct ctl {
	struct hd_config *cfg;
	struct store *store;
	const char *as;		/* --as: the staff contact acting, or NULL: the operator */
};

/* getopt_long options of one verb, ended by the null entry. */
#define VERB_OPTS(...) static const struct option vopts[] = { __VA_ARGS__, { NULL, 0, NULL, 0 } }

extern const char *const ctl_statuses[], *const ctl_channels[], *const ctl_priorities[];

/* Is s one of the words in the NULL-terminated list? */
int ctl_one_of(const char *s, const char *const *words);
/* "YYYY-MM-DD" (local midnight) as epoch ms; 0 or -1. */
int ctl_parse_day(const char *s, int64_t *ms);
/* Canonical ticket number of arg into number; 0, or EX_USAGE (reported). */
int ctl_ticket_arg(struct ctl *c, const char *arg, char *number);
/* Column i as text, "" for NULL. */
const char *ctl_col(sqlite3_stmt *st, int i);
/* Column i (epoch ms) as local time, "-" for NULL. */
void ctl_time_col(sqlite3_stmt *st, int i, char *out, size_t len);
/* Print a finished sbuf and free it; returns the exit status. */
int ctl_emit(struct sbuf *b);
/* Append "k": "v" (JSON), with a leading comma when comma. */
void ctl_json_kv(struct sbuf *b, const char *k, const char *v, int comma);

/* Read-only views (ctl_view.c). */
int ctl_list(struct ctl *c, int argc, char **argv);
int ctl_show(struct ctl *c, int argc, char **argv);
int ctl_outbox(struct ctl *c, int argc, char **argv);

/* Workflow verbs (ctl_work.c). ctl_work serves accept, reject, priority,
 * assign, take, category, pending, resume, resolve, close, note, approve. */
int ctl_work(struct ctl *c, int argc, char **argv);
int ctl_mine(struct ctl *c, int argc, char **argv);
int ctl_load(struct ctl *c, int argc, char **argv);
int ctl_available(struct ctl *c, int argc, char **argv);
int ctl_sla(struct ctl *c, int argc, char **argv);

/* Recap reports (ctl_report.c): report --month|--year|--from --to [--csv|--json|--html]. */
int ctl_report(struct ctl *c, int argc, char **argv);

/* Service state (ctl_health.c): health [--json], exit status by verdict. */
int ctl_health(struct ctl *c, int argc, char **argv);

/* Backup, restore, vacuum (ctl_backup.c). restore runs with c->store NULL:
 * it opens the database itself once the backup is checked. */
int ctl_backup(struct ctl *c, int argc, char **argv);
int ctl_restore(struct ctl *c, int argc, char **argv);
int ctl_vacuum(struct ctl *c, int argc, char **argv);

#endif
