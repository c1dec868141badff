/*
 * channel.h: the transport interface. The intake loop (channel.c) knows
 * "a message", "commit" and "acknowledge"; each transport (sms.c, later
 * imap.c) fills in a struct channel_ops, as isync's drivers and OpenSMTPD's
 * queue backends do.
 */
#ifndef HD_CHANNEL_H
#define HD_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

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
};

/* One outbox row to deliver. */
struct outmsg {
	int64_t id;
	const char *recipient, *subject, *body;
};

enum send_result {
	SEND_OK = 0,		/* accepted by the peer: *ref set */
	SEND_RETRY = -1,	/* this message failed; try it again later */
	SEND_LINK = -2,		/* the link is down: stop sending, reconnect */
	SEND_FATAL = -3,	/* this message can never be sent */
};

struct channel;

struct channel_ops {
	const char *name;
	/* Connect. Returns 0, or -1 with *err allocated. */
	int (*open)(struct channel *ch, char **err);
	void (*close)(struct channel *ch);
	/* Hand over the messages waiting at the source. Returns 0 (possibly
	 * with *n == 0), or -1 when the link failed. */
	int (*fetch)(struct channel *ch, struct inbound **msgs, size_t *n);
	/* Remove or flag msg at the source: called only after its commit. */
	int (*ack)(struct channel *ch, struct inbound *msg);
	/* Free what fetch returned. */
	void (*release)(struct channel *ch, struct inbound *msgs, size_t n);
	/* Deliver one message; on success *ref is the provider's reference. */
	enum send_result (*send)(struct channel *ch, const struct outmsg *m, char **ref, char **err);
	/* Sleep until input may be waiting, the deadline (mono_ms) passes, or
	 * ch->wake_fd becomes readable. */
	void (*wait)(struct channel *ch, int64_t deadline);
};

struct channel {
	const struct channel_ops *ops;
	const struct hd_config *cfg;
	struct store *store;
	int wake_fd;			/* readable = stop or new work */
	volatile int *stopping;
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

/* Send the channel's due outbox rows. Returns the number sent, or -1 when
 * the link went down. *next gets the epoch ms of the next due row, or 0. */
int outbox_send_due(struct channel *ch, int64_t *next);

extern const struct channel_ops sms_ops;

#endif
