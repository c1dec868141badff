/*
 * config_diag.h: the problem text config_load hands back, built one
 * "FILE:LINE: KEY: expected ..." line per libconfig setting at fault; and the
 * key-spec walker of config.c, which the email groups in config_mail.c share.
 */
#ifndef HD_CONFIG_DIAG_H
#define HD_CONFIG_DIAG_H

#include "config.h"

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

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

/* Append the dotted key of s: "sms.device", "admins[0].phone". */
void diag_key(struct cfg_diag *d, const config_setting_t *s);

/* Record "FILE:LINE: KEY: message" for setting s, or "FILE: message" when s
 * is NULL. diag_add may continue the message. */
void diag_problem(struct cfg_diag *d, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append str quoted, with control characters escaped so the problem stays on
 * one line, and cut after 60 bytes. */
void diag_quoted(struct cfg_diag *d, const char *str);

/* What s is, for "got ...": "an integer", "a string", "a group", ... */
const char *diag_type_name(const config_setting_t *s);

/* The key-spec walker (config.c). */

/* State of one config_load call. */
struct loader {
	struct cfg_diag diag;	/* problems so far */
	int cc;			/* country code for admin phones */
	struct hd_config *cfg;
};

/* How one key of a group is read: checked by type, then stored at offset in
 * the struct the group fills. */
struct keyspec {
	const char *name;
	enum {
		K_BOOL,		/* true or false, to an int */
		K_INT,		/* an integer in min..max, to an int */
		K_LLONG,	/* an integer in min..max, to a long long */
		K_STR,		/* a non-empty string (that ok accepts), to a char * */
		K_STR_ANY,	/* the same, "" included */
		K_ENUM,		/* one of the strings names[], to an int (enum): its index */
		K_PHONE,	/* a phone number, to a char * in E.164 */
		K_TMPL,		/* a non-empty template with known placeholders, to a char * */
		K_GROUP,	/* a group { ... }, read by load */
		K_CUSTOM,	/* any setting, checked and read by load */
	} type;
	int min, max;
	size_t offset;
	int (*ok)(const char *v);	/* K_STR, K_STR_ANY: NULL, or a check of v */
	const char *expect;		/* "expected ..." when ok or K_PHONE rejects v */
	void (*load)(struct loader *ld, const config_setting_t *s);
	const char *const *names;	/* K_ENUM: the accepted strings, NULL-terminated */
};

/* What cfg_load_keys saw of one key. */
struct seen {
	const config_setting_t *at;	/* its setting, NULL when absent */
	int bad;			/* its value was rejected */
};

/* Read the settings of group grp into the struct at base as keys[0..nkeys)
 * says, reporting unknown keys and bad values in file order. Unless seen is
 * NULL, seen[k] gets key k's setting (NULL when absent) and whether its value
 * was rejected. */
void cfg_load_keys(struct loader *ld, const config_setting_t *grp, const struct keyspec *keys,
		   int nkeys, void *base, struct seen *seen);

/* Replace *dst by a copy of src; 0, or -1 when out of memory. */
int cfg_set_str(struct loader *ld, char **dst, const char *src);

/* Whether s is a group; when not, records the problem. */
int cfg_is_group(struct loader *ld, const config_setting_t *s);

/* Read s, an array or list of strings (what: "addresses", example: one of
 * them), into a new *out of *n copies, each accepted by ok (NULL: any); more
 * than max elements or an element ok rejects (with expect) is reported. */
void cfg_str_array(struct loader *ld, const config_setting_t *s, char ***out, size_t *n, int max,
		   const char *what, const char *example, int (*ok)(const char *v),
		   const char *expect);

/* Read list, a list of groups, into a new zeroed array of its elements
 * (each size bytes), returned with their count in *n, handing each group to
 * load. shape shows the expected form ("{ name = ...; ... }"); with max > 0
 * more than max elements ("mailboxes") are refused. NULL when there are
 * none (or a problem was recorded). */
void *cfg_group_list(struct loader *ld, const config_setting_t *list, size_t *n, size_t size,
		     int max, const char *what, const char *shape,
		     void (*load)(struct loader *ld, const config_setting_t *grp, void *elem));

/* Whether s has no control characters. */
int cfg_text_ok(const char *s);

/* 1 when s is a plain, header-safe email address (address_valid). */
int cfg_email_ok(const char *s);

/* Durations ("30m", "2h", "1d 4h"; config_workflow.c): whether v is one, and
 * its length in ms, a day counting day_ms; 0 when v is not a duration. */
#define DURATION_EXPECT	"expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\""
int cfg_duration_ok(const char *v);
int64_t cfg_duration_ms(const char *v, int64_t day_ms);

/* The email groups (config_mail.c). */

/* Set the defaults of cfg->smtp and cfg->email; -1 when out of memory. */
int cfg_mail_defaults(struct hd_config *cfg);

/* Loaders of the "imap" list and the "smtp" and "email" groups. */
void cfg_load_imap(struct loader *ld, const config_setting_t *list);
void cfg_load_smtp(struct loader *ld, const config_setting_t *grp);
void cfg_load_email(struct loader *ld, const config_setting_t *grp);

/* After the whole file: defaults that depend on other groups. */
void cfg_mail_finish(struct loader *ld, const config_setting_t *root);

/* Free what the email groups hold in cfg. */
void cfg_mail_free(struct hd_config *cfg);

/* The workflow and sla groups (config_workflow.c). */
int cfg_workflow_defaults(struct hd_config *cfg);
void cfg_load_workflow(struct loader *ld, const config_setting_t *grp);
void cfg_load_sla(struct loader *ld, const config_setting_t *grp);
void cfg_workflow_free(struct hd_config *cfg);

/* The health and retention groups (config_service.c). */
void cfg_service_defaults(struct hd_config *cfg);
void cfg_load_health(struct loader *ld, const config_setting_t *grp);
void cfg_load_retention(struct loader *ld, const config_setting_t *grp);
void cfg_service_free(struct hd_config *cfg);
/* Fill cfg->restart_fp from the file's settings under root. */
void cfg_fingerprint(struct loader *ld, const config_setting_t *root);

#endif
