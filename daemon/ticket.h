/* ticket.h: tickets, their numbers and their append-only history. */
#ifndef HD_TICKET_H
#define HD_TICKET_H

#include <stdint.h>

#include "grammar.h"
#include "store.h"

struct ticket {
	int64_t id;
	char number[HD_TICKET_MAX];
	char *channel, *reporter, *reporter_name, *skpd, *text, *category;
	char *priority, *status, *assignee, *last_note;
	int64_t created_at, first_response_at, resolved_at, closed_at, updated_at;
};

struct ticket_new {
	const char *channel;	/* sms, email, phone */
	const char *reporter;	/* E.164 number or address */
	const char *reporter_name;
	const char *skpd;
	const char *text;
	const char *priority;	/* NULL = normal */
	int64_t contact_id;	/* 0 = not a known contact */
	const char *actor;	/* who created it, for the history */
	const char *actor_channel;
};

/* Create a ticket inside the caller's transaction: allocate the next
 * PREFIX-YYMM-NNNN number for the current local month, insert the ticket
 * and its "created" event. Returns 0, or -1 (logged). */
int ticket_create(struct store *s, const char *prefix, const struct ticket_new *tn,
		  int64_t now, int64_t *id, char number[HD_TICKET_MAX]);

/* Append an event to ticket_id's history. Returns 0 or -1 (logged). */
int ticket_event(struct store *s, int64_t ticket_id, int64_t at, const char *actor,
		 const char *channel, const char *kind, const char *detail);

/* Load the ticket with this canonical number. Returns 0 when found, 1 when
 * there is none, -1 on error. Free with ticket_free. */
int ticket_load(struct store *s, const char *number, struct ticket *t);
void ticket_free(struct ticket *t);

#endif
