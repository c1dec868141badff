/* notify.h: turning templates into outbox rows: replies, notices, the per-sender cap. */
#ifndef HD_NOTIFY_H
#define HD_NOTIFY_H

#include <stddef.h>
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

/* Values for the placeholders a ticket does not give; NULL fields render
 * as "-" ({note} falls back to the ticket's last note). */
struct notify_extra {
	const char *note, *reason, *count, *list, *target;
};

/* Render template id with the fields of t (may be NULL), the given sender
 * and ticket number (either may be NULL) and x (may be NULL). Returns a
 * malloc'ed string, NULL when out of memory. */
char *notify_render(const struct hd_config *cfg, enum tmpl_id id, const struct ticket *t,
		    const char *sender, const char *number, const struct notify_extra *x);

/* Queue the admin_new notice for ticket t to every admin. Returns 0 or -1. */
int notify_admins(struct store *s, const struct hd_config *cfg, const struct ticket *t,
		  int64_t now);

/* Queue template id about ticket t to everyone of role ("admin",
 * "leader"): the active contacts of that role and, for "admin", the
 * configured admins; each address once, skip (may be NULL) left out. SMS to
 * a phone, else email. Returns 0 or -1. */
int notify_role(struct store *s, const struct hd_config *cfg, const char *role, enum tmpl_id id,
		const struct ticket *t, const struct notify_extra *x, const char *kind,
		const char *skip, int64_t now);

/* The same to one contact. Returns 0 (also when the contact has no address) or -1. */
int notify_contact(struct store *s, const struct hd_config *cfg, int64_t contact_id,
		   enum tmpl_id id, const struct ticket *t, const struct notify_extra *x,
		   const char *kind, int64_t now);

/* Queue template id to t's reporter on the channel the ticket came from
 * (a phoned-in ticket: SMS to a number, email to an address), answering the
 * original mail's thread. Returns 0 or -1. */
int notify_reporter(struct store *s, const struct hd_config *cfg, const struct ticket *t,
		    enum tmpl_id id, const struct notify_extra *x, int64_t now);

/* ms of SLA time as words for {target}: "30 menit", "2 jam", "5 hari kerja". */
void notify_duration(const struct hd_config *cfg, int64_t ms, char *out, size_t len);

/* The word for a priority ("tinggi") in the configured language. */
const char *notify_priority_word(const struct hd_config *cfg, const char *priority);

/* The word for a status ("new", "pending", ...) in the configured language. */
const char *notify_status_word(const struct hd_config *cfg, const char *status);

#endif
