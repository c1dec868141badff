/*
 * workflow.h: what staff do to a ticket after intake (SOP sections 6-8):
 * accept or reject, set priority and category, assign, take, pending,
 * resume, resolve, close, note, approve. One entry point for helpdeskctl and
 * for staff commands arriving by SMS or email, so both obey the same rules,
 * write the same history and tell the same people.
 */
#ifndef HD_WORKFLOW_H
#define HD_WORKFLOW_H

#include <stdint.h>

#include "config.h"
#include "store.h"

enum wf_verb {
	WF_ACCEPT, WF_REJECT, WF_PRIORITY, WF_ASSIGN, WF_TAKE, WF_CATEGORY,
	WF_PENDING, WF_RESUME, WF_RESOLVE, WF_CLOSE, WF_NOTE, WF_APPROVE,
};

/* Who acts. role is the contact's ("admin", "technician", "leader",
 * "reporter"), or "operator" for helpdeskctl run without --as, which may do
 * everything. */
struct wf_actor {
	const char *who;	/* address, number or operator name: the history's actor */
	const char *channel;	/* sms, email, ctl */
	const char *role;
	int64_t contact_id;	/* 0 = not a contact (operator, config admin) */
};

struct wf_req {
	enum wf_verb verb;
	const char *number;	/* canonical ticket number */
	const char *arg;	/* reason, note, priority word, category, technician; or NULL */
	int auto_assign;	/* WF_ASSIGN: pick the technician (arg unused) */
	int hardware;		/* WF_PENDING: a hardware wait (also guessed from the reason) */
};

/* Why a request was refused: each has a sentence in both languages. */
enum wf_refusal {
	WR_OK = 0,
	WR_NOT_STAFF,		/* the sender is not a registered technician, admin or leader */
	WR_NO_TICKET,		/* no such ticket */
	WR_FORBIDDEN,		/* not this actor's ticket or not this role's verb */
	WR_BAD_STATE,		/* the ticket's status does not allow it */
	WR_NEED_TEXT,		/* a reason or note is required */
	WR_BAD_PRIORITY,	/* not a priority word */
	WR_BAD_CATEGORY,	/* not a category name */
	WR_NO_TECHNICIAN,	/* no such technician */
	WR_NONE_AVAILABLE,	/* assign --auto: no technician is available */
	WR_TAKEN,		/* AMBIL: someone else has it */
	WR_NEEDS_APPROVAL,	/* close of a resolved ticket awaiting a leader's approval */
	WR__COUNT
};

/* Apply req inside the caller's transaction at time now: check the actor's
 * rights and the ticket's status, change the ticket, append its history and
 * queue the notices (reporter, technician, leaders). Returns 0 when applied,
 * 1 when refused (*why set; nothing changed), -1 on error (roll back). */
int wf_apply(struct store *s, const struct hd_config *cfg, const struct wf_actor *actor,
	     const struct wf_req *req, int64_t now, enum wf_refusal *why);

/* The refusal's sentence in the configured language (no final period). */
const char *wf_refusal_text(const struct hd_config *cfg, enum wf_refusal why);

/* The staff role of address: from contacts (role other than reporter), else
 * "admin" when it is a configured admin. Returns 0 and sets *role (static
 * string) and *contact_id, 1 when not staff, -1 on error. */
int wf_staff(struct store *s, const struct hd_config *cfg, const char *address,
	     const char **role, int64_t *contact_id);

/* The technician the automatic assignment picks now: available, active,
 * with the least open work weighted by priority (low 1, normal 2, high 3,
 * emergency 5), then fewest open tickets, then longest since an assignment.
 * Returns 0 with *id, 1 when none is available, -1 on error. */
int wf_pick_technician(struct store *s, int64_t *id);

/* The category the keyword map gives text, or NULL. */
const char *wf_guess_category(const struct hd_config *cfg, const char *text);

/* At intake, inside its transaction: set new ticket id's category from
 * text. Returns 0 or -1. */
int wf_intake(struct store *s, const struct hd_config *cfg, int64_t id, const char *text,
	      int64_t now);

/* At intake, with workflow.auto_assign: give ticket number to the picked
 * technician (nobody available: it stays with the admins). 0 or -1. */
int wf_auto_assign(struct store *s, const struct hd_config *cfg, const char *number, int64_t now);

#endif
