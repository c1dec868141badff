/*
 * sla.h: the SLA clocks of a ticket, computed from the database at a given
 * "now" (so they survive restarts and tests can move time), and the
 * escalations sent once each when a clock runs out.
 */
#ifndef HD_SLA_H
#define HD_SLA_H

#include <stdint.h>

#include "config.h"
#include "store.h"

enum sla_state {
	SLA_NONE = 0,		/* no clock: e.g. a rejected ticket's resolution */
	SLA_RUNNING,		/* under way, less than sla.at_risk percent used */
	SLA_AT_RISK,		/* under way, at least sla.at_risk percent used */
	SLA_BREACHED,		/* under way or stopped, past the target */
	SLA_MET,		/* stopped within the target */
};

/* One ticket's clocks at time now. Durations are counted time (office or
 * calendar, as sla.clock says); due times are epoch ms. */
struct sla_view {
	int64_t response_ms;	/* created to first response, or to now while none */
	int64_t response_due;	/* when the first response is due */
	enum sla_state response;
	int64_t resolution_ms;	/* created to resolved (or now), pending spells excluded */
	int64_t resolution_due;	/* when resolution is due, at the current pending total
				 * (0 while pending: the clock is stopped) */
	enum sla_state resolution;
	int64_t pending_ms;	/* counted time in pending spells (up to now) */
	int64_t pending_hw_ms;	/* of which waiting for hardware */
	int64_t target_ms;	/* the resolution target of its priority */
};

/* Counted time between two instants on the configured clock. */
int64_t sla_counted(const struct hd_config *cfg, int64_t from, int64_t to);

/* The instant when ms of counted time have passed since from. */
int64_t sla_due(const struct hd_config *cfg, int64_t from, int64_t ms);

/* Compute ticket_id's clocks at now. Returns 0, 1 when there is no such
 * ticket, -1 on error (logged). */
int sla_view(struct store *s, const struct hd_config *cfg, int64_t ticket_id, int64_t now,
	     struct sla_view *v);

/*
 * Send every escalation due at now that has not been sent: a missed first
 * response to the admins, a missed resolution to the technician and the
 * admins, an unresolved ticket past sla.leadership to the leaders, a pending
 * spell past sla.pending_max to the technician and admins. Each in its own
 * transaction with its escalations row and history event, so each is sent
 * exactly once. Returns the number sent, or -1 on error.
 */
int sla_scan(struct store *s, const struct hd_config *cfg, int64_t now);

#endif
