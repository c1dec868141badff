/*
 * ctl_work.c: helpdeskctl's workflow verbs: the admin's triage (accept,
 * reject, priority, assign, category, load, available), the technician's
 * work (mine, take, pending, resume, resolve, close, note), the leader's
 * approve, and the SLA watch list. Changes go through workflow.c, as staff
 * commands by SMS and email do.
 */
#include "ctl.h"
#include "grammar.h"
#include "phone.h"
#include "sla.h"
#include "notify.h"
#include "text.h"
#include "workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How each verb takes its text: as a --reason/--note option, as the second
 * positional argument, or not at all. */
enum text_from { TX_NONE, TX_OPTION, TX_POSITIONAL, TX_OPTIONAL };

static const struct work_verb {
	const char *name;
	enum wf_verb verb;
	enum text_from text;
	const char *option;	/* TX_OPTION / TX_OPTIONAL: "reason" or "note" */
	const char *done;	/* what is printed when applied */
} work_verbs[] = {
	{ "accept", WF_ACCEPT, TX_NONE, NULL, "accepted" },
	{ "reject", WF_REJECT, TX_OPTION, "reason", "rejected" },
	{ "priority", WF_PRIORITY, TX_POSITIONAL, NULL, "priority set" },
	{ "assign", WF_ASSIGN, TX_POSITIONAL, NULL, "assigned" },
	{ "take", WF_TAKE, TX_NONE, NULL, "taken" },
	{ "category", WF_CATEGORY, TX_POSITIONAL, NULL, "category set" },
	{ "pending", WF_PENDING, TX_OPTION, "reason", "pending" },
	{ "resume", WF_RESUME, TX_NONE, NULL, "resumed" },
	{ "resolve", WF_RESOLVE, TX_OPTION, "note", "resolved" },
	{ "close", WF_CLOSE, TX_OPTIONAL, "note", "closed" },
	{ "note", WF_NOTE, TX_POSITIONAL, NULL, "note added" },
	{ "approve", WF_APPROVE, TX_NONE, NULL, "approved" },
};

/* Who is acting: --as NAME|NUMBER|EMAIL (a staff contact), else the
 * operator, who may do everything. Returns 0, or EX_USAGE. */
static int
actor_of(struct ctl *c, struct wf_actor *a, char *buf, size_t len)
{
	char phone[PHONE_MAX];
	int64_t n;

	a->channel = "ctl";
	if (c->as == NULL) {
		snprintf(buf, len, "%s", getenv("USER") ? getenv("USER") : "operator");
		*a = (struct wf_actor){ buf, "ctl", "operator", 0 };
		return 0;
	}
	if (phone_normalize(c->as, strlen(c->as), c->cfg->country_code, phone) != PHONE_NUMBER)
		phone[0] = '\0';
	if (store_int(c->store, &n, 0, "SELECT id FROM contacts WHERE active = 1 AND role <> 'reporter'"
		      " AND (name = ?1 COLLATE NOCASE OR email = ?1 OR phone = NULLIF(?2, ''))"
		      " ORDER BY id LIMIT 1", "tt", c->as, phone) < 0 || n == 0) {
		fprintf(stderr, "helpdeskctl: --as %s: not a technician, admin or leader among the contacts\n",
			c->as);
		return EX_USAGE;
	}
	sqlite3_stmt *st = store_stmt(c->store, "SELECT role, COALESCE(phone, email) FROM contacts"
				      " WHERE id = ?1", "i", n);
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		if (st)
			sqlite3_reset(st);
		return EX_USAGE;
	}
	snprintf(buf, len, "%s", ctl_col(st, 1));
	a->role = strcmp(ctl_col(st, 0), "admin") == 0 ? "admin" :
		  strcmp(ctl_col(st, 0), "leader") == 0 ? "leader" : "technician";
	sqlite3_reset(st);
	a->who = buf;
	a->contact_id = n;
	return 0;
}

int
ctl_work(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "reason", required_argument, NULL, 'r' }, { "note", required_argument, NULL, 'n' },
		  { "auto", no_argument, NULL, 'a' }, { "hardware", no_argument, NULL, 'H' });
	const struct work_verb *v = NULL;
	char number[HD_TICKET_MAX], who[256];
	const char *text = NULL;
	struct wf_actor actor;
	enum wf_refusal why;
	int opt, autoassign = 0, hardware = 0, rc;

	for (size_t i = 0; i < sizeof(work_verbs) / sizeof(work_verbs[0]); i++)
		if (strcmp(argv[0], work_verbs[i].name) == 0)
			v = &work_verbs[i];
	if (v == NULL)
		return EX_USAGE;
	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		if ((opt == 'r' || opt == 'n') && v->option != NULL &&
		    strcmp(v->option, opt == 'r' ? "reason" : "note") == 0)
			text = optarg;
		else if (opt == 'a' && v->verb == WF_ASSIGN)
			autoassign = 1;
		else if (opt == 'H' && v->verb == WF_PENDING)
			hardware = 1;
		else
			return EX_USAGE;
	}
	if (optind >= argc || (rc = ctl_ticket_arg(c, argv[optind], number)) != 0)
		return EX_USAGE;
	if (v->text == TX_POSITIONAL && !autoassign)
		text = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (argc - optind != 1 + (v->text == TX_POSITIONAL && !autoassign) ||
	    ((v->text == TX_OPTION || v->text == TX_POSITIONAL) && !autoassign && text == NULL)) {
		fprintf(stderr, "helpdeskctl %s: %s\n", v->name,
			v->text == TX_OPTION ? (strcmp(v->option, "reason") == 0 ?
						"--reason TEXT is required" : "--note TEXT is required") :
			"wrong number of arguments");
		return EX_USAGE;
	}
	if (text != NULL && !utf8_valid(text, strlen(text))) {
		fprintf(stderr, "helpdeskctl %s: the text is not UTF-8\n", v->name);
		return EX_USAGE;
	}
	if ((rc = actor_of(c, &actor, who, sizeof(who))) != 0)
		return rc;
	struct wf_req req = { .verb = v->verb, .number = number, .arg = text,
			      .auto_assign = autoassign, .hardware = hardware };
	if (store_begin(c->store) < 0)
		return 1;
	rc = wf_apply(c->store, c->cfg, &actor, &req, now_ms(), &why);
	if (rc != 0 || store_commit(c->store) < 0) {
		store_rollback(c->store);
		if (rc == 1)
			fprintf(stderr, "helpdeskctl %s: %s: %s\n", v->name, number, wf_refusal_text(c->cfg, why));
		else
			fprintf(stderr, "helpdeskctl %s: %s: not changed (database error)\n", v->name, number);
		return 1;
	}
	printf("%s: %s\n", number, v->done);
	return 0;
}

/* mine [TECHNICIAN] [--json]: a technician's open tickets, most urgent and oldest first. */
int
ctl_mine(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "json", no_argument, NULL, 'j' });
	struct wf_actor actor;
	struct sbuf b = { 0 };
	sqlite3_stmt *st;
	char who[256], when[32];
	int opt, json = 0, n = 0, rc;

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		if (opt != 'j')
			return EX_USAGE;
		json = 1;
	}
	if (argc - optind > 1)
		return EX_USAGE;
	if (optind < argc)
		c->as = argv[optind];
	if (c->as == NULL) {
		fprintf(stderr, "helpdeskctl mine: whose? give a technician or --as\n");
		return EX_USAGE;
	}
	if ((rc = actor_of(c, &actor, who, sizeof(who))) != 0)
		return rc;
	st = store_stmt(c->store,
			"SELECT number, priority, status, created_at, skpd, text FROM tickets"
			" WHERE assignee_id = ?1 AND status IN ('new', 'open', 'pending')"
			" ORDER BY CASE priority WHEN 'emergency' THEN 0 WHEN 'high' THEN 1"
			" WHEN 'normal' THEN 2 ELSE 3 END, created_at, id", "i", actor.contact_id);
	if (st == NULL)
		return 1;
	sb_puts(&b, json ? "[" : "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (json) {
			sb_puts(&b, n ? ", {" : "{");
			ctl_json_kv(&b, "number", ctl_col(st, 0), 0);
			ctl_json_kv(&b, "priority", ctl_col(st, 1), 1);
			ctl_json_kv(&b, "status", ctl_col(st, 2), 1);
			sb_printf(&b, ", \"created_at\": %lld", (long long)sqlite3_column_int64(st, 3));
			ctl_json_kv(&b, "skpd", ctl_col(st, 4), 1);
			ctl_json_kv(&b, "text", ctl_col(st, 5), 1);
			sb_puts(&b, "}");
		} else {
			char *text = text_oneline(ctl_col(st, 5), strlen(ctl_col(st, 5)), 50);

			if (n == 0)
				sb_printf(&b, "%-14s %-9s %-8s %-16s %-20s %s\n", "TICKET", "PRIORITY",
					  "STATUS", "CREATED", "SKPD", "TEXT");
			ctl_time_col(st, 3, when, sizeof(when));
			sb_printf(&b, "%-14s %-9s %-8s %-16s %-20.20s %s\n", ctl_col(st, 0), ctl_col(st, 1),
				  ctl_col(st, 2), when, ctl_col(st, 4), text ? text : "");
			free(text);
		}
		n++;
	}
	sqlite3_reset(st);
	if (json)
		sb_puts(&b, "]\n");
	else if (n == 0)
		sb_puts(&b, "no open tickets\n");
	return ctl_emit(&b);
}

/* load [--json]: open work per technician, by priority. */
int
ctl_load(struct ctl *c, int argc, char **argv)
{
	int json = argc == 2 && strcmp(argv[1], "--json") == 0, n = 0;
	struct sbuf b = { 0 };
	sqlite3_stmt *st;

	if (argc > 2 || (argc == 2 && !json))
		return EX_USAGE;
	st = store_stmt(c->store,
			"SELECT c.name, c.available,"
			" count(t.id) FILTER (WHERE t.priority = 'emergency' AND t.status IN ('new', 'open')),"
			" count(t.id) FILTER (WHERE t.priority = 'high' AND t.status IN ('new', 'open')),"
			" count(t.id) FILTER (WHERE t.priority = 'normal' AND t.status IN ('new', 'open')),"
			" count(t.id) FILTER (WHERE t.priority = 'low' AND t.status IN ('new', 'open')),"
			" count(t.id) FILTER (WHERE t.status = 'pending'),"
			" COALESCE(sum(CASE WHEN t.status IN ('new', 'open') THEN CASE t.priority"
			"  WHEN 'low' THEN 1 WHEN 'normal' THEN 2 WHEN 'high' THEN 3 ELSE 5 END END), 0)"
			" FROM contacts c LEFT JOIN tickets t ON t.assignee_id = c.id"
			" AND t.status IN ('new', 'open', 'pending')"
			" WHERE c.role = 'technician' AND c.active = 1 GROUP BY c.id ORDER BY c.name", "");
	if (st == NULL)
		return 1;
	if (json)
		sb_puts(&b, "[");
	else
		sb_printf(&b, "%-24s %-9s %9s %5s %7s %4s %8s %5s\n", "TECHNICIAN", "AVAILABLE",
			  "EMERGENCY", "HIGH", "NORMAL", "LOW", "PENDING", "LOAD");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (json) {
			sb_puts(&b, n ? ", {" : "{");
			ctl_json_kv(&b, "technician", ctl_col(st, 0), 0);
			sb_printf(&b, ", \"available\": %s, \"emergency\": %d, \"high\": %d, \"normal\": %d,"
				  " \"low\": %d, \"pending\": %d, \"load\": %d}",
				  sqlite3_column_int(st, 1) ? "true" : "false", sqlite3_column_int(st, 2),
				  sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
				  sqlite3_column_int(st, 5), sqlite3_column_int(st, 6),
				  sqlite3_column_int(st, 7));
		} else {
			sb_printf(&b, "%-24s %-9s %9d %5d %7d %4d %8d %5d\n", ctl_col(st, 0),
				  sqlite3_column_int(st, 1) ? "yes" : "no", sqlite3_column_int(st, 2),
				  sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
				  sqlite3_column_int(st, 5), sqlite3_column_int(st, 6),
				  sqlite3_column_int(st, 7));
		}
		n++;
	}
	sqlite3_reset(st);
	if (json)
		sb_puts(&b, "]\n");
	return ctl_emit(&b);
}

/* available TECHNICIAN yes|no: in the office (given tickets by assign --auto) or not. */
int
ctl_available(struct ctl *c, int argc, char **argv)
{
	int yes;

	if (argc != 3 || (strcmp(argv[2], "yes") != 0 && strcmp(argv[2], "no") != 0))
		return EX_USAGE;
	yes = strcmp(argv[2], "yes") == 0;
	if (store_run(c->store, "UPDATE contacts SET available = ?2, updated_at = ?3"
		      " WHERE role = 'technician' AND active = 1 AND name = ?1 COLLATE NOCASE",
		      "tii", argv[1], (int64_t)yes, now_ms()) != SQLITE_DONE)
		return 1;
	if (sqlite3_changes(c->store->db) == 0) {
		fprintf(stderr, "helpdeskctl available: %s: no such technician\n", argv[1]);
		return 1;
	}
	printf("%s: %s\n", argv[1], yes ? "available" : "not available");
	return 0;
}

static const char *const state_names[] = {
	[SLA_NONE] = "-", [SLA_RUNNING] = "running", [SLA_AT_RISK] = "at-risk",
	[SLA_BREACHED] = "breached", [SLA_MET] = "met",
};

/* One line of the watch list. */
static void
sla_line(struct ctl *c, struct sbuf *b, int json, int n, sqlite3_stmt *st, const char *clock,
	 enum sla_state state, int64_t used, int64_t target, int64_t due)
{
	char due_s[32], used_s[48], target_s[48];

	if (due > 0)
		fmt_local_time(due, due_s, sizeof(due_s));
	else
		snprintf(due_s, sizeof(due_s), "%s", "stopped");
	if (json) {
		sb_puts(b, n ? ", {" : "{");
		ctl_json_kv(b, "number", ctl_col(st, 1), 0);
		ctl_json_kv(b, "priority", ctl_col(st, 2), 1);
		ctl_json_kv(b, "status", ctl_col(st, 3), 1);
		ctl_json_kv(b, "assignee", ctl_col(st, 4), 1);
		ctl_json_kv(b, "clock", clock, 1);
		ctl_json_kv(b, "state", state_names[state], 1);
		sb_printf(b, ", \"used_s\": %lld, \"target_s\": %lld, \"due\": %lld}",
			  (long long)(used / 1000), (long long)(target / 1000), (long long)due);
		return;
	}
	notify_duration(c->cfg, used - used % 60000, used_s, sizeof(used_s));
	notify_duration(c->cfg, target, target_s, sizeof(target_s));
	sb_printf(b, "%-14s %-9s %-8s %-16.16s %-10s %-8s %-20s %-20s %s\n", ctl_col(st, 1),
		  ctl_col(st, 2), ctl_col(st, 3), *ctl_col(st, 4) ? ctl_col(st, 4) : "-", clock,
		  state_names[state], used_s, target_s, due_s);
}

/* sla [--now "YYYY-MM-DD HH:MM"] [--all] [--json]: tickets at risk or past a target. */
int
ctl_sla(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "now", required_argument, NULL, 'N' }, { "json", no_argument, NULL, 'j' },
		  { "all", no_argument, NULL, 'a' });
	int64_t now = now_ms();
	int opt, json = 0, all = 0, n = 0;
	struct sbuf b = { 0 };
	sqlite3_stmt *st;

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		if (opt == 'j')
			json = 1;
		else if (opt == 'a')
			all = 1;
		else if (opt == 'N' && parse_local_time(optarg, &now) == 0)
			continue;
		else
			return EX_USAGE;
	}
	if (optind != argc)
		return EX_USAGE;
	st = store_stmt(c->store, "SELECT t.id, t.number, t.priority, t.status, COALESCE(c.name, ''),"
			" t.first_response_at IS NULL FROM tickets t"
			" LEFT JOIN contacts c ON c.id = t.assignee_id"
			" WHERE t.status IN ('new', 'open', 'pending') ORDER BY t.created_at, t.id", "");
	if (st == NULL)
		return 1;
	sb_puts(&b, json ? "[" : "");
	if (!json)
		sb_printf(&b, "%-14s %-9s %-8s %-16s %-10s %-8s %-20s %-20s %s\n", "TICKET", "PRIORITY",
			  "STATUS", "ASSIGNEE", "CLOCK", "STATE", "USED", "TARGET", "DUE");
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sla_view v;

		/* sla_view uses other statements; this one stays positioned. */
		if (sla_view(c->store, c->cfg, sqlite3_column_int64(st, 0), now, &v) != 0) {
			sqlite3_reset(st);
			sb_free(&b);
			return 1;
		}
		if (sqlite3_column_int(st, 5) && (all || v.response >= SLA_AT_RISK))
			sla_line(c, &b, json, n++, st, "response", v.response, v.response_ms,
				 c->cfg->sla.first_response, v.response_due);
		if (all || v.resolution == SLA_AT_RISK || v.resolution == SLA_BREACHED)
			sla_line(c, &b, json, n++, st, "resolution", v.resolution, v.resolution_ms,
				 v.target_ms, v.resolution_due);
	}
	sqlite3_reset(st);
	sb_puts(&b, json ? "]\n" : n ? "" : "no ticket at risk\n");
	return ctl_emit(&b);
}
