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
	TM_TOO_LARGE,		/* reply to an email over email.max_size */
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
