/*
 * sms_priv.h: the SMS channel's state, shared by sms.c (the channel: open,
 * group and record, delete, send) and sms_read.c (reading the modem: full
 * listings, announced messages, unreadable slots, the SIM's fill level).
 */
#ifndef HD_SMS_PRIV_H
#define HD_SMS_PRIV_H

#include <gammu.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "modem.h"

/* Upper bound of GetNextSMS calls in one scan: a SIM holds 20-30 messages,
 * a phone memory a few hundred. */
#define SCAN_MAX 1000
/* An unreadable slot is quarantined after failing this many scans. */
#define BAD_SCANS 3
/* At least this long between rechecks of undeleted or unreadable slots (ms). */
#define RECHECK_MS 2000
/* With new-message indications, still scan this often (ms). */
#define RESCAN_MS 60000
/* Ask the modem for its signal strength and network this often (ms): also
 * how soon an idle modem that vanished is noticed. */
#define SIGNAL_MS 15000

/* A location that failed to read, or a multipart set still incomplete. */
struct seen {
	char *key;
	int64_t first;		/* mono_ms when first seen */
	int count;		/* scans it was seen in */
	int live;		/* seen in the current scan */
};

struct sms_priv {
	struct modem modem;
	int indications;		/* the phone accepted new-message indications */
	int trusted;			/* ... and one has arrived: poll less */
	int scan_soon;			/* announced messages were read: scan all next */
	int full;			/* the SIM reported itself full */
	int recheck;			/* a delete not confirmed, a slot unreadable:
					 * scan at poll_interval_ms, not RESCAN_MS */
	int64_t last_scan;		/* mono_ms */
	int64_t last_signal;		/* mono_ms of the last signal report */
	char detail[96];		/* for health: the modem's model and device */
	struct seen *seen;
	size_t nseen;
};

/* Is e a failure of the link to the modem (reconnect), not of one message? */
int sms_link_error(GSM_Error e);

/* The seen-list: find or add key (NULL when out of memory); after a full
 * scan drop what it did not mark live; free it all. */
struct seen *sms_seen_get(struct sms_priv *p, const char *key);
void sms_seen_prune(struct sms_priv *p);
void sms_forget_all(struct sms_priv *p);

/* ms between rechecks of undeleted or unreadable slots. */
int sms_recheck_ms(const struct channel *ch);

/* Note a full SIM and its end; -1 when the link failed. */
int sms_check_memory(struct channel *ch, struct sms_priv *p);

/* Read every message in the modem into *parts (each a single part); slots
 * unreadable BAD_SCANS times become quarantined messages in *bad. 0 or -1. */
int sms_scan(struct channel *ch, GSM_SMSMessage **partsp, size_t *np, struct inbound **bad,
	     size_t *nbad);

/* Read the single-part messages the modem announced (+CMTI) into *parts.
 * 0, or -1 when the link failed. */
int sms_read_announced(struct channel *ch, struct sms_priv *p, GSM_SMSMessage **parts, size_t *n);

#endif
