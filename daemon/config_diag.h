/*
 * config_diag.h: the problem text config_load hands back, built one
 * "FILE:LINE: KEY: expected ..." line per libconfig setting at fault.
 */
#ifndef HD_CONFIG_DIAG_H
#define HD_CONFIG_DIAG_H

#include <libconfig.h>
#include <stddef.h>

/* Problems found so far in one configuration file. Zero it, then set path
 * and dirlen. */
struct cfg_diag {
	const char *path;	/* the main file, as given */
	size_t dirlen;		/* bytes of path up to and including its last '/' */
	char *err;		/* problems so far, '\n'-separated; the caller frees it */
	size_t errlen, errcap;
	int nproblems;
	int oom;		/* memory ran out; err is incomplete */
};

/* Note that memory ran out. Later additions to d->err are dropped. */
void diag_nomem(struct cfg_diag *d);

/* Append printf-formatted text to d->err, to the problem begun last. Sets
 * d->oom instead when memory runs out. */
void diag_add(struct cfg_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Start a new problem line with "FILE:LINE: ", or "FILE: " when line is not
 * positive. file is as libconfig names it, NULL for the main file. */
void diag_begin_line(struct cfg_diag *d, const char *file, int line);

/* Record "FILE:LINE: KEY: message" for setting s, or "FILE: message" when s
 * is NULL. diag_add may continue the message. */
void diag_problem(struct cfg_diag *d, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append str quoted, with control characters escaped so the problem stays on
 * one line, and cut after 60 bytes. */
void diag_quoted(struct cfg_diag *d, const char *str);

/* What s is, for "got ...": "an integer", "a string", "a group", ... */
const char *diag_type_name(const config_setting_t *s);

#endif
