/* config.h: helpdeskd's configuration, loaded from one libconfig file. */
#ifndef HD_CONFIG_H
#define HD_CONFIG_H

#include <stddef.h>

/* Reply and notice templates; names are the keys in the templates group. */
enum tmpl_id {
	TM_ACK,			/* reply to a new complaint */
	TM_EMPTY,		/* keyword with no text: explains the format */
	TM_INFO,		/* HELPDESK INFO: usage */
	TM_STATUS,		/* HELPDESK STATUS <ticket>: the ticket's state */
	TM_STATUS_UNKNOWN,	/* no such ticket, or not the sender's */
	TM_ADMIN_NEW,		/* notice to each admin of a new ticket */
	TM__COUNT
};

struct cfg_admin {
	char *name;
	char *phone;		/* normalised E.164, or NULL */
	char *email;		/* or NULL */
};

struct cfg_sms {
	int enabled;
	char *gammurc;		/* path to an existing gammurc, or NULL */
	int gammurc_section;	/* section number in it: 0 = [gammu], 1 = [gammu1] */
	char *device;		/* Gammu "device", e.g. /dev/ttyUSB0 */
	char *connection;	/* Gammu "connection", e.g. "at", "none" */
	char *model;		/* Gammu "model", e.g. "" or "dummy" */
	int poll_ms;		/* modem poll interval, 100..600000 */
	int multipart_timeout;	/* seconds to wait for missing parts, 10..86400 */
	int send_timeout;	/* seconds to wait for the send status, 1..600 */
	int max_parts;		/* longest outgoing reply in SMS parts, 1..10 */
	int reconnect_min;	/* first reconnect delay in seconds, 1..3600 */
	int reconnect_max;	/* longest reconnect delay in seconds, 1..86400 */
};

struct cfg_outbox {
	int max_attempts;	/* a reply failing this often is given up, 1..1000 */
	int retry_min;		/* first retry delay, seconds, 1..86400 */
	int retry_max;		/* longest retry delay, seconds, 1..604800 */
	int replies_per_hour;	/* auto-replies per sender per hour, 0 = unlimited */
};

struct hd_config {
	char *path;		/* file it was loaded from */
	char *database;		/* SQLite file */
	char *spool_dir;	/* attachments and raw messages */
	int country_code;	/* default country calling code, 1..999 (62) */
	char *ticket_prefix;	/* 1..6 upper-case letters ("HD") */
	char *language;		/* built-in template set: "id" or "en" */
	char *log_level;	/* "error", "warning", "info", "debug" */
	struct cfg_sms sms;
	struct cfg_outbox outbox;
	struct cfg_admin *admins;
	size_t nadmins;
	char *tmpl[TM__COUNT];	/* the language's set, overridden key by key */
};

/*
 * Load and validate the file at path. On success returns 0 and a new config
 * in *out. On failure returns -1 and sets *err to a newly allocated text with
 * one line per problem, each "FILE:LINE: KEY: expected ..."; nothing is
 * half-loaded.
 */
int config_load(const char *path, struct hd_config **out, char **err);

void config_free(struct hd_config *cfg);

/* Template key name ("ack") of id, and the placeholders it may use. */
const char *config_tmpl_name(enum tmpl_id id);

/* Log priority threshold (3 = error .. 7 = debug) for cfg->log_level. */
int config_log_priority(const struct hd_config *cfg);

#endif
