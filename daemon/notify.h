/* notify.h: turning templates into outbox rows: replies, notices, the per-sender cap. */
#ifndef HD_NOTIFY_H
#define HD_NOTIFY_H

#include <stdint.h>

#include "config.h"
#include "store.h"
#include "ticket.h"

struct reply {
	const char *channel;	/* sms or email */
	const char *recipient;
	const char *kind;	/* reply, admin_notice, ... */
	int64_t ticket_id;	/* 0 = none */
	int64_t message_id;	/* the inbound message it answers, 0 = none */
	const char *subject;	/* email only */
	const char *body;
	int capped;		/* count against the per-recipient hourly cap */
	const char *in_reply_to;	/* email: the msg-id answered, or NULL */
	const char *refs;	/* email: References, space-separated, or NULL */
	const char *hold;	/* non-NULL: store as 'held' for this reason */
};

/* Queue r inside the caller's transaction. A capped reply past
 * cfg->outbox.replies_per_hour in the last hour, or one with a hold
 * reason, is stored as 'held' and *held set. An email gets its own
 * Message-ID now, so that every retry sends the same one. Returns 0 or -1
 * (logged). */
int notify_queue(struct store *s, const struct hd_config *cfg, const struct reply *r,
		 int64_t now, int *held);

/* Render template id with the fields of t (may be NULL) and the given
 * sender and ticket number (either may be NULL). Returns a malloc'ed
 * string, NULL when out of memory. */
char *notify_render(const struct hd_config *cfg, enum tmpl_id id, const struct ticket *t,
		    const char *sender, const char *number);

/* Queue the admin_new notice for ticket t to every configured admin (SMS to
 * a phone, else email). Returns 0 or -1. */
int notify_admins(struct store *s, const struct hd_config *cfg, const struct ticket *t,
		  int64_t now);

/* The word for a status ("new", "pending", ...) in the configured language. */
const char *notify_status_word(const struct hd_config *cfg, const char *status);

#endif
