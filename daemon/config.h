/* config.h: helpdeskd's configuration, loaded from one libconfig file. */
#ifndef HD_CONFIG_H
#define HD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

/* Reply and notice templates; names are the keys in the templates group. */
enum tmpl_id {
	TM_ACK,			/* reply to a new complaint */
	TM_EMPTY,		/* keyword with no text: explains the format */
	TM_INFO,		/* HELPDESK INFO: usage */
	TM_STATUS,		/* HELPDESK STATUS <ticket>: the ticket's state */
	TM_STATUS_UNKNOWN,	/* no such ticket, or not the sender's */
	TM_ADMIN_NEW,		/* notice to each admin of a new ticket */
	TM_TOO_LARGE,		/* reply to an email over email.max_size */
	TM_ACCEPTED,		/* to the reporter: accepted (validated) */
	TM_REJECTED,		/* to the reporter: rejected, with the reason */
	TM_ASSIGNED,		/* to the reporter: a technician has it */
	TM_TECH_ASSIGNED,	/* to the technician: a ticket assigned to them */
	TM_PENDING,		/* to the reporter: pending, with the reason */
	TM_RESOLVED,		/* to the reporter: resolved, with the note */
	TM_CLOSED,		/* to the reporter: closed */
	TM_APPROVAL,		/* to the leaders: resolved, awaiting approval */
	TM_CMD_OK,		/* to staff: their command was applied */
	TM_CMD_REFUSED,		/* to staff (or anyone): the command was refused, {reason} */
	TM_TASKS,		/* to a technician: HELPDESK TUGAS, {count} and {list} */
	TM_ESC_RESPONSE,	/* to the admins: no first response within {target} */
	TM_ESC_RESOLUTION,	/* to the technician and admins: not resolved within {target} */
	TM_ESC_LEADERSHIP,	/* to the leaders: unresolved after {target} */
	TM_ESC_PENDING,		/* to the technician and admins: pending longer than {target} */
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
	int deadline;		/* seconds any one modem request may take, 5..600 */
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

enum tls_mode {
	TLS_IMPLICIT,		/* "imaps" / "smtps": TLS from the first byte */
	TLS_STARTTLS,		/* "starttls": plain, then STARTTLS (required) */
	TLS_NONE,		/* "none": no TLS at all (tests, local relays) */
};

enum imap_initial {
	INITIAL_UNSEEN,		/* "unseen": on the first connection take unseen mail */
	INITIAL_ALL,		/* "all": take every message already there */
	INITIAL_NEW,		/* "new": only mail arriving from now on */
};

/* One IMAP mailbox to take complaints from. */
struct cfg_imap {
	char *name;		/* [a-z0-9_-]{1,32}, unique: logs and database */
	char *host;
	int port;		/* 1..65535; default 993 for imaps, 143 otherwise */
	enum tls_mode tls;	/* default imaps */
	int tls_verify;		/* verify certificate and host name; default 1 */
	char *ca_file;		/* trust these CAs instead of the system store, or NULL */
	char *user;
	char *password;		/* from "password", or read from "password_file" */
	char *folder;		/* default "INBOX" */
	char *move_to;		/* folder for processed mail, or NULL: leave it */
	int idle;		/* wait in IDLE when the server offers it; default 1 */
	int poll_interval;	/* seconds between checks without IDLE, 5..3600, default 60 */
	int timeout;		/* seconds for any one network operation, 5..600, default 60 */
	enum imap_initial initial;	/* default unseen */
	int reply_max_age;	/* hours: no auto-reply to mail older than this, 0 = any; default 72 */
};

/* The SMTP server email replies leave through. */
struct cfg_smtp {
	int enabled;		/* default: true when host is set */
	char *host;
	int port;		/* default 465 for smtps, 587 for starttls, 25 for none */
	enum tls_mode tls;	/* default starttls */
	int tls_verify;		/* default 1 */
	char *ca_file;		/* or NULL */
	char *user;		/* AUTH user, or NULL for no AUTH */
	char *password;		/* from "password" or "password_file" */
	char *from;		/* From: address of replies (required when enabled) */
	char *from_name;	/* display name, default "Helpdesk" */
	char *envelope_from;	/* MAIL FROM; "" (default) = the null reverse-path <> (RFC 3834) */
	int timeout;		/* seconds, 5..600, default 60 */
};

struct cfg_email {
	long long max_size;	/* bytes; larger mail is quarantined; default 25 MB, 1 KB..1 GB */
	char **own_addresses;	/* more addresses of ours (besides smtp.from and imap users) */
	size_t nown;
	char *msgid_domain;	/* right side of our Message-IDs; default: smtp.from's domain */
};

/* One ticket category and the keywords that suggest it. */
struct cfg_category {
	char *name;		/* [a-z0-9_-]{1,32} */
	char **words;		/* lower-case keywords */
	size_t nwords;
};

/* What happens after intake (SOP sections 6-8). */
struct cfg_workflow {
	int require_approval;	/* a resolved ticket waits for a leader's approval; default 0 */
	int auto_assign;	/* give new tickets to a technician at intake; default 0 */
	struct cfg_category *categories;	/* the keyword map; default the built-in one */
	size_t ncategories;
	char **hardware_words;	/* a pending reason with one of these is a hardware wait */
	size_t nhardware_words;
};

enum sla_clock {
	CLOCK_OFFICE,		/* "office": count only the working hours of sla.calendar */
	CLOCK_CALENDAR,		/* "calendar": count every minute */
};

/* SLA targets, all in ms of time counted on the clock. */
struct cfg_sla {
	int clock;		/* enum sla_clock; default office */
	int64_t first_response;	/* to an admin's first action; default 30 min */
	int64_t resolution[4];	/* per priority low, normal, high, emergency; 5d 5d 1d 2h */
	int64_t pending_max;	/* longest pending spell; default 7d */
	int64_t leadership;	/* unresolved this long is reported to leadership; default 5d */
	int64_t office_day;	/* what "1d" means on the office clock; default 8h */
	int at_risk;		/* percent of a target used that counts as at risk; default 75 */
	int check_interval;	/* seconds between SLA scans; default 60 */
	struct calendar cal;	/* default the SOP's week */
};

/* When helpdeskctl health calls for attention; the metrics file. */
struct cfg_health {
	int64_t channel_down;	/* ms a channel may be down before it is critical; 10 min */
	int64_t outbox_age;	/* ms the oldest pending reply may wait; 30 min */
	char *metrics_file;	/* Prometheus text file, or NULL */
	int metrics_interval;	/* seconds between rewrites, 5..3600; 30 */
};

struct cfg_retention {
	int raw_days;		/* raw copies older than this are dropped; 0 = keep */
};

/* Settings a running daemon applies only at its next start. */
#define CFG_RESTART_KEYS 5	/* database, spool_dir, sms, imap, smtp */

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
	struct cfg_imap *imap;	/* the "imap" list */
	size_t nimap;
	struct cfg_smtp smtp;
	struct cfg_email email;
	struct cfg_workflow workflow;
	struct cfg_sla sla;
	struct cfg_health health;
	struct cfg_retention retention;
	char *tmpl[TM__COUNT];	/* the language's set, overridden key by key */
	/* The restart-only settings as the file wrote them, canonically:
	 * equal texts mean equal settings ("" when the file leaves one out). */
	char *restart_fp[CFG_RESTART_KEYS];
};

/*
 * Load and validate the file at path. On success returns 0 and a new config
 * in *out. On failure returns -1 and sets *err to a newly allocated text with
 * one line per problem, each "FILE:LINE: KEY: expected ..."; nothing is
 * half-loaded.
 */
int config_load(const char *path, struct hd_config **out, char **err);

void config_free(struct hd_config *cfg);

/* Name of the first restart-only setting ("sms", "imap", ...) that differs
 * between a and b, or NULL when they all agree. */
const char *config_restart_change(const struct hd_config *a, const struct hd_config *b);

/* Template key name ("ack") of id, and the placeholders it may use. */
const char *config_tmpl_name(enum tmpl_id id);

/* Log priority threshold (3 = error .. 7 = debug) for cfg->log_level. */
int config_log_priority(const struct hd_config *cfg);

#endif
