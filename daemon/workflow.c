/*
 * workflow.c: owns the rules of a ticket's life after intake: who may do
 * what in which status, what each step changes and records, and whom it
 * tells. helpdeskctl and staff commands by SMS or email both come here.
 */
#include "workflow.h"
#include "category.h"
#include "contacts.h"
#include "grammar.h"
#include "log.h"
#include "notify.h"
#include "phone.h"
#include "ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Statuses as bits, for the table below. */
enum {
	S_NEW = 1 << 0, S_OPEN = 1 << 1, S_PENDING = 1 << 2,
	S_RESOLVED = 1 << 3, S_CLOSED = 1 << 4, S_REJECTED = 1 << 5,
	S_ACTIVE = S_NEW | S_OPEN | S_PENDING, S_ANY = 0x3f,
};

/* Who may: the admins, the ticket's own technician, the leaders. */
enum { R_ADMIN = 1 << 0, R_OWN = 1 << 1, R_LEADER = 1 << 2, R_TECH = 1 << 3 };

static const struct rule {
	const char *event;	/* history kind */
	unsigned roles;
	unsigned from;		/* statuses it applies to */
	int text;		/* 1: arg required */
	int responds;		/* counts as the first response to the reporter */
} rules[] = {
	[WF_ACCEPT] = { "accepted", R_ADMIN, S_NEW, 0, 1 },
	[WF_REJECT] = { "rejected", R_ADMIN, S_ACTIVE, 1, 1 },
	[WF_PRIORITY] = { "priority", R_ADMIN, S_ACTIVE, 1, 1 },
	[WF_ASSIGN] = { "assigned", R_ADMIN, S_ACTIVE, 0, 1 },
	[WF_TAKE] = { "assigned", R_ADMIN | R_TECH, S_ACTIVE, 0, 1 },
	[WF_CATEGORY] = { "category", R_ADMIN | R_OWN, S_ANY, 1, 0 },
	[WF_PENDING] = { "pending", R_ADMIN | R_OWN, S_NEW | S_OPEN, 1, 1 },
	[WF_RESUME] = { "resumed", R_ADMIN | R_OWN, S_PENDING, 0, 0 },
	[WF_RESOLVE] = { "resolved", R_ADMIN | R_OWN, S_ACTIVE, 1, 1 },
	[WF_CLOSE] = { "closed", R_ADMIN | R_OWN | R_LEADER, S_ACTIVE | S_RESOLVED, 0, 1 },
	[WF_NOTE] = { "note", R_ADMIN | R_OWN | R_LEADER, S_ANY, 1, 0 },
	[WF_APPROVE] = { "approved", R_LEADER, S_RESOLVED, 0, 0 },
};

static const char *const status_names[] = { "new", "open", "pending", "resolved", "closed", "rejected" };

static unsigned
status_bit(const char *status)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(status, status_names[i]) == 0)
			return 1u << i;
	return 0;
}

static const char *const refusal_id[WR__COUNT] = {
	[WR_OK] = "",
	[WR_NOT_STAFF] = "nomor atau alamat Anda tidak terdaftar sebagai petugas helpdesk",
	[WR_NO_TICKET] = "tiket tidak ditemukan",
	[WR_FORBIDDEN] = "Anda tidak berwenang atas tiket ini",
	[WR_BAD_STATE] = "status tiket tidak memungkinkan perintah ini",
	[WR_NEED_TEXT] = "alasan atau catatan wajib diisi",
	[WR_BAD_PRIORITY] = "prioritas tidak dikenal; pakai RENDAH, NORMAL, TINGGI atau DARURAT",
	[WR_BAD_CATEGORY] = "kategori tidak dikenal",
	[WR_NO_TECHNICIAN] = "teknisi tidak dikenal",
	[WR_NONE_AVAILABLE] = "tidak ada teknisi yang tersedia",
	[WR_TAKEN] = "tiket sudah ditangani teknisi lain",
	[WR_NEEDS_APPROVAL] = "tiket menunggu persetujuan pimpinan",
};

static const char *const refusal_en[WR__COUNT] = {
	[WR_OK] = "",
	[WR_NOT_STAFF] = "your number or address is not registered as helpdesk staff",
	[WR_NO_TICKET] = "no such ticket",
	[WR_FORBIDDEN] = "you may not change this ticket",
	[WR_BAD_STATE] = "the ticket's status does not allow this",
	[WR_NEED_TEXT] = "a reason or note is required",
	[WR_BAD_PRIORITY] = "unknown priority; use LOW, NORMAL, HIGH or EMERGENCY",
	[WR_BAD_CATEGORY] = "unknown category",
	[WR_NO_TECHNICIAN] = "unknown technician",
	[WR_NONE_AVAILABLE] = "no technician is available",
	[WR_TAKEN] = "another technician has the ticket",
	[WR_NEEDS_APPROVAL] = "the ticket awaits a leader's approval",
};

const char *
wf_refusal_text(const struct hd_config *cfg, enum wf_refusal why)
{
	if ((int)why < 0 || why >= WR__COUNT)
		why = WR_FORBIDDEN;
	return strcmp(cfg->language, "id") == 0 ? refusal_id[why] : refusal_en[why];
}

int
wf_staff(struct store *s, const struct hd_config *cfg, const char *address, const char **role,
	 int64_t *contact_id)
{
	static const char *const roles[] = { "admin", "technician", "leader" };
	struct contact c;
	int found = contact_find(s, address, &c);

	*contact_id = 0;
	if (found < 0)
		return -1;
	if (found == 0) {
		for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
			if (strcmp(c.role, roles[i]) == 0) {
				*role = roles[i];
				*contact_id = c.id;
				contact_free(&c);
				return 0;
			}
		contact_free(&c);
	}
	for (size_t i = 0; i < cfg->nadmins; i++) {
		const struct cfg_admin *a = &cfg->admins[i];

		if ((a->phone && strcmp(a->phone, address) == 0) ||
		    (a->email && strcasecmp(a->email, address) == 0)) {
			*role = "admin";
			return 0;
		}
	}
	return 1;
}

int
wf_pick_technician(struct store *s, int64_t *id)
{
	/* Pending tickets wait on others (hardware on order): no load. */
	sqlite3_stmt *st = store_stmt(s,
		"SELECT c.id FROM contacts c WHERE c.role = 'technician' AND c.active = 1"
		" AND c.available = 1 ORDER BY"
		" (SELECT COALESCE(sum(CASE t.priority WHEN 'low' THEN 1 WHEN 'normal' THEN 2"
		"  WHEN 'high' THEN 3 ELSE 5 END), 0) FROM tickets t WHERE t.assignee_id = c.id"
		"  AND t.status IN ('new', 'open')),"
		" (SELECT count(*) FROM tickets t WHERE t.assignee_id = c.id AND t.status IN ('new', 'open')),"
		" (SELECT COALESCE(max(t.assigned_at), 0) FROM tickets t WHERE t.assignee_id = c.id),"
		" c.id LIMIT 1", "");
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* The active technician (or admin) named by arg: a name, number or address.
 * Returns 0 with *id, 1 when none or ambiguous, -1 on error. */
static int
find_technician(struct store *s, const struct hd_config *cfg, const char *arg, int64_t *id)
{
	char phone[PHONE_MAX] = "";
	int64_t n;

	if (phone_normalize(arg, strlen(arg), cfg->country_code, phone) != PHONE_NUMBER)
		phone[0] = '\0';
	if (store_int(s, &n, 0, "SELECT count(*) FROM contacts WHERE active = 1"
		      " AND role IN ('technician', 'admin') AND (name = ?1 COLLATE NOCASE"
		      " OR email = ?1 OR phone = NULLIF(?2, ''))", "tt", arg, phone) < 0)
		return -1;
	if (n != 1)
		return 1;
	return store_int(s, id, 0, "SELECT id FROM contacts WHERE active = 1"
			 " AND role IN ('technician', 'admin') AND (name = ?1 COLLATE NOCASE"
			 " OR email = ?1 OR phone = NULLIF(?2, ''))", "tt", arg, phone) < 0 ? -1 : 0;
}

const char *
wf_guess_category(const struct hd_config *cfg, const char *text)
{
	const struct cfg_workflow *w = &cfg->workflow;
	const struct cat_rule *r;
	size_t n;

	if (w->ncategories > 0) {
		for (size_t i = 0; i < w->ncategories; i++) {
			struct cat_rule one = { w->categories[i].name,
						(const char *const *)w->categories[i].words,
						w->categories[i].nwords };

			if (category_match(text, strlen(text), &one, 1) != NULL)
				return w->categories[i].name;
		}
		return NULL;
	}
	r = category_defaults(&n);
	r = category_match(text, strlen(text), r, n);
	return r ? r->name : NULL;
}

static int
category_known(const struct hd_config *cfg, const char *name)
{
	const struct cat_rule *r;
	size_t n;

	if (cfg->workflow.ncategories > 0) {
		for (size_t i = 0; i < cfg->workflow.ncategories; i++)
			if (strcmp(cfg->workflow.categories[i].name, name) == 0)
				return 1;
		return 0;
	}
	r = category_defaults(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].name, name) == 0)
			return 1;
	return 0;
}

/* Does the pending reason name a hardware wait? */
static int
hardware_wait(const struct hd_config *cfg, const char *reason)
{
	struct cat_rule hw = { "hardware", (const char *const *)cfg->workflow.hardware_words,
			       cfg->workflow.nhardware_words };

	return hw.nwords > 0 && category_match(reason, strlen(reason), &hw, 1) != NULL;
}

/* May actor apply rule r to ticket t (assigned to assignee, 0 = nobody)? */
static enum wf_refusal
permitted(const struct wf_actor *a, const struct rule *r, int64_t assignee)
{
	unsigned have = 0;

	if (strcmp(a->role, "operator") == 0)
		return WR_OK;
	if (strcmp(a->role, "admin") == 0)
		have |= R_ADMIN;
	if (strcmp(a->role, "leader") == 0)
		have |= R_LEADER;
	if (strcmp(a->role, "technician") == 0)
		have |= R_TECH;
	if (a->contact_id != 0 && assignee == a->contact_id)
		have |= R_OWN;
	if (have == 0 && strcmp(a->role, "technician") != 0)
		return WR_NOT_STAFF;
	return (have & r->roles) ? WR_OK : WR_FORBIDDEN;
}

/* End the open pending spell, if any. */
static int
end_pause(struct store *s, int64_t ticket_id, int64_t now)
{
	return store_run(s, "UPDATE pauses SET ended_at = ?2 WHERE ticket_id = ?1 AND ended_at IS NULL",
			 "ii", ticket_id, now) == SQLITE_DONE ? 0 : -1;
}

static int
set_status(struct store *s, int64_t id, const char *status, int64_t now)
{
	return store_run(s, "UPDATE tickets SET status = ?2, updated_at = ?3,"
			 " accepted_at = CASE WHEN ?2 IN ('open', 'pending', 'resolved', 'closed')"
			 "  THEN COALESCE(accepted_at, ?3) ELSE accepted_at END,"
			 " resolved_at = CASE WHEN ?2 IN ('resolved', 'closed') THEN COALESCE(resolved_at, ?3)"
			 "  ELSE resolved_at END,"
			 " closed_at = CASE WHEN ?2 IN ('closed', 'rejected') THEN ?3 ELSE closed_at END"
			 " WHERE id = ?1", "iti", id, status, now) == SQLITE_DONE ? 0 : -1;
}

/* Assign t to technician tech; tell the reporter and the technician. */
static int
assign(struct store *s, const struct hd_config *cfg, const struct wf_actor *a, struct ticket *t,
       int64_t tech, int64_t now)
{
	char name[128] = "";
	sqlite3_stmt *st;

	if (store_run(s, "UPDATE tickets SET assignee_id = ?2, assigned_at = ?3 WHERE id = ?1",
		      "iii", t->id, tech, now) != SQLITE_DONE)
		return -1;
	if (strcmp(t->status, "new") == 0 && set_status(s, t->id, "open", now) < 0)
		return -1;
	if ((st = store_stmt(s, "SELECT name FROM contacts WHERE id = ?1", "i", tech)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (ticket_event(s, t->id, now, a->who, a->channel, "assigned", name) < 0)
		return -1;
	free(t->assignee);
	if ((t->assignee = strdup(name)) == NULL)
		return -1;
	if (notify_reporter(s, cfg, t, TM_ASSIGNED, NULL, now) < 0)
		return -1;
	return tech == a->contact_id ? 0 :
	       notify_contact(s, cfg, tech, TM_TECH_ASSIGNED, t, NULL, "staff_notice", now);
}

/* The change itself, once rights and status are checked. 1 = refused. */
static int
apply(struct store *s, const struct hd_config *cfg, const struct wf_actor *a,
      const struct wf_req *req, struct ticket *t, int64_t assignee, int64_t now,
      enum wf_refusal *why)
{
	const char *arg = req->arg && *req->arg ? req->arg : NULL;
	struct notify_extra x = { .note = arg };
	int64_t tech = 0;
	int level, r;

	switch (req->verb) {
	case WF_ACCEPT:
		return set_status(s, t->id, "open", now) < 0 ||
		       ticket_event(s, t->id, now, a->who, a->channel, "accepted", "") < 0 ||
		       notify_reporter(s, cfg, t, TM_ACCEPTED, NULL, now) < 0 ? -1 : 0;
	case WF_REJECT:
		return end_pause(s, t->id, now) < 0 || set_status(s, t->id, "rejected", now) < 0 ||
		       ticket_event(s, t->id, now, a->who, a->channel, "rejected", arg) < 0 ||
		       notify_reporter(s, cfg, t, TM_REJECTED, &x, now) < 0 ? -1 : 0;
	case WF_PRIORITY: {
		char detail[64];

		if ((level = hd_priority_word(arg, strlen(arg))) < 0) {
			*why = WR_BAD_PRIORITY;
			return 1;
		}
		snprintf(detail, sizeof(detail), "%s -> %s", t->priority, hd_priority_name(level));
		return store_run(s, "UPDATE tickets SET priority = ?2, updated_at = ?3 WHERE id = ?1",
				 "iti", t->id, hd_priority_name(level), now) != SQLITE_DONE ||
		       ticket_event(s, t->id, now, a->who, a->channel, "priority", detail) < 0 ? -1 : 0;
	}
	case WF_ASSIGN:
		r = req->auto_assign ? wf_pick_technician(s, &tech) : arg ? find_technician(s, cfg, arg, &tech) : 1;
		if (r == 1)
			*why = req->auto_assign ? WR_NONE_AVAILABLE : WR_NO_TECHNICIAN;
		return r != 0 ? r : assign(s, cfg, a, t, tech, now);
	case WF_TAKE:
		if (assignee != 0 && assignee != a->contact_id) {
			*why = WR_TAKEN;
			return 1;
		}
		if (a->contact_id == 0) {
			*why = WR_NO_TECHNICIAN;
			return 1;
		}
		return assign(s, cfg, a, t, a->contact_id, now);
	case WF_CATEGORY:
		if (!category_known(cfg, arg)) {
			*why = WR_BAD_CATEGORY;
			return 1;
		}
		return store_run(s, "UPDATE tickets SET category = ?2, category_auto = 0, updated_at = ?3"
				 " WHERE id = ?1", "iti", t->id, arg, now) != SQLITE_DONE ||
		       ticket_event(s, t->id, now, a->who, a->channel, "category", arg) < 0 ? -1 : 0;
	case WF_PENDING:
		return set_status(s, t->id, "pending", now) < 0 ||
		       store_run(s, "INSERT INTO pauses (ticket_id, started_at, reason, hardware)"
				 " VALUES (?1, ?2, ?3, ?4)", "iiti", t->id, now, arg,
				 (int64_t)(req->hardware || hardware_wait(cfg, arg))) != SQLITE_DONE ||
		       ticket_event(s, t->id, now, a->who, a->channel, "pending", arg) < 0 ||
		       notify_reporter(s, cfg, t, TM_PENDING, &x, now) < 0 ? -1 : 0;
	case WF_RESUME:
		return end_pause(s, t->id, now) < 0 || set_status(s, t->id, "open", now) < 0 ||
		       ticket_event(s, t->id, now, a->who, a->channel, "resumed", arg) < 0 ? -1 : 0;
	case WF_RESOLVE:
		if (end_pause(s, t->id, now) < 0 || set_status(s, t->id, "resolved", now) < 0 ||
		    ticket_event(s, t->id, now, a->who, a->channel, "resolved", arg) < 0 ||
		    notify_reporter(s, cfg, t, TM_RESOLVED, &x, now) < 0)
			return -1;
		return cfg->workflow.require_approval ?
		       notify_role(s, cfg, "leader", TM_APPROVAL, t, &x, "staff_notice", NULL, now) : 0;
	case WF_CLOSE:
	case WF_APPROVE:
		if (req->verb == WF_CLOSE && cfg->workflow.require_approval &&
		    strcmp(a->role, "leader") != 0 && strcmp(a->role, "operator") != 0) {
			*why = WR_NEEDS_APPROVAL;
			return 1;
		}
		return end_pause(s, t->id, now) < 0 || set_status(s, t->id, "closed", now) < 0 ||
		       ticket_event(s, t->id, now, a->who, a->channel, rules[req->verb].event, arg) < 0 ||
		       notify_reporter(s, cfg, t, TM_CLOSED, &x, now) < 0 ? -1 : 0;
	case WF_NOTE:
		return ticket_event(s, t->id, now, a->who, a->channel, "note", arg) < 0 ||
		       store_run(s, "UPDATE tickets SET updated_at = ?2 WHERE id = ?1", "ii", t->id,
				 now) != SQLITE_DONE ? -1 : 0;
	}
	return -1;
}

int
wf_apply(struct store *s, const struct hd_config *cfg, const struct wf_actor *actor,
	 const struct wf_req *req, int64_t now, enum wf_refusal *why)
{
	const struct rule *r;
	struct ticket t;
	int64_t assignee = 0;
	int found, rc;

	*why = WR_OK;
	if ((int)req->verb < 0 || (size_t)req->verb >= sizeof(rules) / sizeof(rules[0]))
		return -1;
	r = &rules[req->verb];
	if ((found = ticket_load(s, req->number, &t)) < 0)
		return -1;
	if (found == 1) {
		*why = WR_NO_TICKET;
		return 1;
	}
	if (store_int(s, &assignee, 0, "SELECT COALESCE(assignee_id, 0) FROM tickets WHERE id = ?1",
		      "i", t.id) < 0) {
		rc = -1;
		goto out;
	}
	if ((*why = permitted(actor, r, assignee)) != WR_OK ||
	    ((status_bit(t.status) & r->from) == 0 && (*why = WR_BAD_STATE)) ||
	    (r->text && (req->arg == NULL || *req->arg == '\0') && (*why = WR_NEED_TEXT))) {
		rc = 1;
		goto out;
	}
	rc = apply(s, cfg, actor, req, &t, assignee, now, why);
	/* The daemon's own steps (auto-assignment) are no one's response. */
	if (rc == 0 && r->responds && strcmp(actor->channel, "daemon") != 0 &&
	    store_run(s, "UPDATE tickets SET first_response_at = COALESCE(first_response_at, ?2)"
		      " WHERE id = ?1", "ii", t.id, now) != SQLITE_DONE)
		rc = -1;
	if (rc == 0)
		log_info("ticket %s: %s by %s (%s)", t.number, r->event, actor->who, actor->channel);
out:
	ticket_free(&t);
	return rc;
}

int
wf_intake(struct store *s, const struct hd_config *cfg, int64_t id, const char *text, int64_t now)
{
	const char *cat = wf_guess_category(cfg, text);

	if (cat == NULL)
		return 0;
	return store_run(s, "UPDATE tickets SET category = ?2 WHERE id = ?1", "it", id,
			 cat) == SQLITE_DONE &&
	       ticket_event(s, id, now, "helpdeskd", "daemon", "category", cat) == 0 ? 0 : -1;
}

int
wf_auto_assign(struct store *s, const struct hd_config *cfg, const char *number, int64_t now)
{
	static const struct wf_actor daemon = { "helpdeskd", "daemon", "operator", 0 };
	struct wf_req req = { .verb = WF_ASSIGN, .number = number, .auto_assign = 1 };
	enum wf_refusal why;

	if (!cfg->workflow.auto_assign)
		return 0;
	return wf_apply(s, cfg, &daemon, &req, now, &why) < 0 ? -1 : 0;
}
