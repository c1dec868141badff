/*
 * channel.h: the transport interface. The intake loop (channel.c) knows
 * "a message", "commit" and "acknowledge"; each transport (sms.c, later
 * imap.c) fills in a struct channel_ops, as isync's drivers and OpenSMTPD's
 * queue backends do.
 */
#ifndef HD_CHANNEL_H
#define HD_CHANNEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* A file kept in the spool for an inbound message. */
struct inbound_att {
	char *filename;			/* as the sender named it (never a path) */
	char *content_type;
	char *path;			/* generated, relative to spool_dir */
	char sha256[65];
	size_t size;
};

/* One inbound message, as the transport hands it over. */
struct inbound {
	const char *channel;		/* "sms" */
	char *sender;			/* normalised: E.164 number, name, or address */
	char *dedup_key;		/* unique per message (rule 2) */
	char *text;			/* UTF-8, NUL-terminated */
	size_t text_len;
	char *raw;			/* what the transport gave, for the record */
	size_t raw_len;
	int64_t sent_at;		/* SMSC time stamp / Date header, ms, 0 = unknown */
	int parts;
	int reply_ok;			/* the sender can be answered on this channel */
	const char *quarantine;		/* non-NULL: keep it, flag it, do not act on it */
	const char *ignore;		/* non-NULL: record as ignored for this reason */
	void *token;			/* the transport's handle for ack() */
	char **part_keys;		/* identities of the parts of a multipart message */
	size_t npart_keys;

	/* Email only (NULL / 0 for SMS). */
	char *rfc_message_id;		/* Message-ID, or "sha256:" + hash of the headers */
	char *mail_key;			/* second dedup key: rfc_message_id + hash of the body */
	char *subject;			/* original subject, UTF-8 */
	char *reply_to;			/* where answers go when not to sender (Reply-To) */
	char **refs;			/* In-Reply-To and References msg-ids, for threading */
	size_t nrefs;
	char *raw_path;			/* raw message in the spool, relative path */
	struct inbound_att *att;
	size_t natt;
	const char *automated;		/* machine-sent (rule 4): never answered or threaded */
	int from_person;		/* with automated: still a person's mail (a list post) */
	int too_large;			/* over email.max_size: quarantined, answered politely */
	const char *hold_reply;		/* non-NULL: queue replies as 'held' for this reason */
	char *note;			/* what was malformed and recovered, for the record */
};

/* One outbox row to deliver. */
struct outmsg {
	int64_t id;
	const char *kind;		/* reply, admin_notice, ... */
	const char *recipient, *subject, *body;
	const char *rfc_message_id;	/* email: our Message-ID, without <> */
	const char *in_reply_to;	/* email: msg-id answered, or NULL */
	const char *refs;		/* email: References, space-separated, or NULL */
};

enum send_result {
	SEND_OK = 0,		/* accepted by the peer: *ref set */
	SEND_RETRY = -1,	/* this message failed; try it again later */
	SEND_LINK = -2,		/* the link is down: stop sending, reconnect */
	SEND_FATAL = -3,	/* this message can never be sent */
};

struct channel;

struct channel_ops {
	const char *name;		/* for logs: "sms", "imap", "smtp" */
	const char *outbox;		/* outbox rows it sends ("sms", "email"), or NULL */
	/* Connect. Returns 0, or -1 with *err allocated. */
	int (*open)(struct channel *ch, char **err);
	void (*close)(struct channel *ch);
	/* Hand over the messages waiting at the source. Returns 0 (possibly
	 * with *n == 0), or -1 when the link failed. NULL: sends only. */
	int (*fetch)(struct channel *ch, struct inbound **msgs, size_t *n);
	/* Remove or flag msg at the source: called only after its commit. */
	int (*ack)(struct channel *ch, struct inbound *msg);
	/* Free what fetch returned. */
	void (*release)(struct channel *ch, struct inbound *msgs, size_t n);
	/* Deliver one message; on success *ref is the provider's reference.
	 * NULL: takes messages in only. */
	enum send_result (*send)(struct channel *ch, const struct outmsg *m, char **ref, char **err);
	/* Sleep until input may be waiting, the deadline (mono_ms, 0 = none)
	 * passes, or ch->stop_fd or ch->kick_fd becomes readable. */
	void (*wait)(struct channel *ch, int64_t deadline);
	/* What the open link is doing, for health ("IDLE", "polling every
	 * 60 s", the modem's model), or NULL. Optional. */
	const char *(*detail)(struct channel *ch);
};

struct channel {
	const struct channel_ops *ops;
	/* The configuration in force (live.h), taken anew at every turn of
	 * the loop: templates, admins, SLA and the like follow a reload. */
	const struct hd_config *cfg;
	unsigned cfg_gen;
	/* The configuration at start: the transport's connection settings
	 * (sms, smtp, the mailbox) come from it until a restart. */
	const struct hd_config *boot;
	_Atomic int64_t alive;		/* mono_ms of the loop's last turn */
	struct store *store;
	int stop_fd;			/* readable = stop */
	int kick_fd;			/* eventfd: readable = new outbox rows */
	volatile int *stopping;
	const char *label;		/* "sms", "imap inbox-1", "smtp": for logs */
	void *mailbox;			/* imap: its struct cfg_imap */
	int reconnect_min, reconnect_max;	/* seconds */
	void *priv;			/* the transport's state */
};

/* The channel's thread: connect (with backoff), fetch, record, acknowledge,
 * send due replies, wait; until *ch->stopping. */
void *channel_main(void *ch);

/* Record one message in its own transaction: the message, and according to
 * its text a ticket with its events and replies, or a command's answer.
 * Returns 1 when newly recorded, 0 when already known (a duplicate: ack it
 * again), -1 on error (do not ack). */
int intake_record(struct store *s, const struct hd_config *cfg, const struct inbound *in);

/* Make every running channel look at its outbox now (after a commit that
 * queued replies). Safe from any thread. */
void channel_kick_all(void);

/* Register ch so that channel_kick_all reaches it. Not thread-safe: call
 * before the threads start. Returns 0 or -1 when the table is full. */
int channel_register(struct channel *ch);

/* Wait for ch->stop_fd or ch->kick_fd (draining the kick), at most until
 * deadline (mono_ms, 0 = forever), and also for extra_fd when >= 0.
 * Returns 1 when extra_fd is readable, else 0. */
int channel_sleep(struct channel *ch, int64_t deadline, int extra_fd);

/* 1 when every part of in (in->part_keys) is already recorded, as part of
 * some message: what is left at the source is a leftover to acknowledge.
 * 0 when not (or in has no part keys), -1 on error. */
int intake_known(struct store *s, const struct inbound *in);

/* Record err as the last error of the channel's due outbox rows, without
 * counting an attempt: they were not tried because the link is down. */
void outbox_note_down(struct channel *ch, const char *err);

/* Send the channel's due outbox rows. Returns the number sent, or -1 when
 * the link went down. *next gets the epoch ms of the next due row, or 0. */
int outbox_send_due(struct channel *ch, int64_t *next);

extern const struct channel_ops sms_ops;
extern const struct channel_ops imap_ops;
extern const struct channel_ops smtp_ops;
extern const struct channel_ops clock_ops;	/* SLA scans and commits by helpdeskctl */

#endif
