/*
 * helpdeskctl.c: the operator's tool. Reads and changes the same database
 * as the running daemon (WAL lets both work at once), as smtpctl does for
 * smtpd. Exit status: 0 done, 1 failed, 2 usage.
 */
#include "address.h"
#include "config.h"
#include "contacts.h"
#include "grammar.h"
#include "log.h"
#include "notify.h"
#include "phone.h"
#include "store.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CONFIG "/etc/helpdeskd/helpdeskd.conf"
#define EX_USAGE 2

struct ctl {
	struct hd_config *cfg;
	struct store *store;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: helpdeskctl [-c FILE] VERB [ARGS]\n"
		"  list [--status S] [--channel sms|email|phone] [--since YYYY-MM-DD] [--limit N] [--json]\n"
		"  show TICKET [--json]\n"
		"  new --reporter NUMBER|EMAIL --text TEXT [--name NAME] [--skpd UNIT]\n"
		"      [--priority low|normal|high|emergency]\n"
		"  contacts import FILE.csv\n"
		"  contacts list [--json]\n"
		"  outbox [--all] [--json]\n");
}

/* getopt_long over argv[0..argc) of one verb; returns the option or -1. */
#define VERB_OPTS(...) static const struct option vopts[] = { __VA_ARGS__, { NULL, 0, NULL, 0 } }

static const char *const statuses[] = { "new", "open", "pending", "resolved", "closed", "rejected", NULL };
static const char *const channels[] = { "sms", "email", "phone", NULL };
static const char *const priorities[] = { "low", "normal", "high", "emergency", NULL };

/* Is s one of the words in the NULL-terminated list? */
static int
one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

static int
parse_day(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	char *end = strptime(s, "%Y-%m-%d", &tm);
	time_t t;

	if (end == NULL || *end != '\0')
		return -1;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static void
time_col(sqlite3_stmt *st, int i, char *out, size_t len)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		snprintf(out, len, "-");
	else
		fmt_local_time(sqlite3_column_int64(st, i), out, len);
}

/* Print a finished sbuf; returns the exit status. */
static int
emit(struct sbuf *b)
{
	int rc = 0;

	if (b->oom) {
		fprintf(stderr, "helpdeskctl: out of memory\n");
		rc = 1;
	} else if (b->s != NULL) {
		fputs(b->s, stdout);
	}
	sb_free(b);
	return rc;
}

static int
cmd_list(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "status", required_argument, NULL, 's' }, { "channel", required_argument, NULL, 'C' },
		  { "since", required_argument, NULL, 'S' }, { "limit", required_argument, NULL, 'l' },
		  { "json", no_argument, NULL, 'j' });
	const char *status = NULL, *channel = NULL;
	int64_t since = 0, limit = 100;
	int json = 0, opt, n = 0;
	struct sbuf b = { 0 };
	sqlite3_stmt *st;

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		switch (opt) {
		case 's': status = optarg; break;
		case 'C': channel = optarg; break;
		case 'S':
			if (parse_day(optarg, &since) < 0) {
				fprintf(stderr, "helpdeskctl: --since %s: expected YYYY-MM-DD\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'l':
			limit = strtoll(optarg, NULL, 10);
			if (limit <= 0) {
				fprintf(stderr, "helpdeskctl: --limit %s: expected a positive number\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'j': json = 1; break;
		default: return EX_USAGE;
		}
	}
	if (optind != argc)
		return EX_USAGE;
	if (status != NULL && !one_of(status, statuses)) {
		fprintf(stderr, "helpdeskctl list: --status %s: expected new, open, pending, resolved,"
			" closed or rejected\n", status);
		return EX_USAGE;
	}
	if (channel != NULL && !one_of(channel, channels)) {
		fprintf(stderr, "helpdeskctl list: --channel %s: expected sms, email or phone\n", channel);
		return EX_USAGE;
	}
	st = store_stmt(c->store,
			"SELECT number, status, priority, channel, created_at, reporter, skpd, text, category"
			" FROM tickets WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR channel = ?2)"
			" AND created_at >= ?3 ORDER BY created_at DESC, id DESC LIMIT ?4",
			"ttii", status, channel, since, limit);
	if (st == NULL)
		return 1;
	if (json)
		sb_puts(&b, "[");
	else
		sb_printf(&b, "%-14s %-9s %-9s %-6s %-16s %-15s %s\n", "TICKET", "STATUS", "PRIORITY",
			  "FROM", "CREATED", "REPORTER", "TEXT");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char created[32];

		time_col(st, 4, created, sizeof(created));
		if (json) {
			sb_puts(&b, n ? ",\n {" : "\n {");
			const char *keys[] = { "number", "status", "priority", "channel" };
			for (int i = 0; i < 4; i++) {
				sb_printf(&b, "\"%s\": ", keys[i]);
				sb_json_str(&b, col(st, i));
				sb_puts(&b, ", ");
			}
			sb_printf(&b, "\"created_at\": %lld, \"reporter\": ", (long long)sqlite3_column_int64(st, 4));
			sb_json_str(&b, col(st, 5));
			sb_puts(&b, ", \"skpd\": ");
			sb_json_str(&b, col(st, 6));
			sb_puts(&b, ", \"text\": ");
			sb_json_str(&b, col(st, 7));
			sb_puts(&b, ", \"category\": ");
			sb_json_str(&b, col(st, 8));
			sb_puts(&b, "}");
		} else {
			char *text = text_oneline(col(st, 7), strlen(col(st, 7)), 60);
			sb_printf(&b, "%-14s %-9s %-9s %-6s %-16s %-15s %s\n", col(st, 0), col(st, 1),
				  col(st, 2), col(st, 3), created, col(st, 5), text ? text : "");
			free(text);
		}
		n++;
	}
	sqlite3_reset(st);
	if (json)
		sb_puts(&b, n ? "\n]\n" : "]\n");
	return emit(&b);
}

static void
show_json_kv(struct sbuf *b, const char *k, const char *v, int comma)
{
	sb_printf(b, "%s\"%s\": ", comma ? ", " : "", k);
	sb_json_str(b, v);
}

static int
cmd_show(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "json", no_argument, NULL, 'j' });
	char number[HD_TICKET_MAX], when[32];
	struct ticket t;
	struct sbuf b = { 0 };
	sqlite3_stmt *st;
	int json = 0, opt, found, n;

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		if (opt != 'j')
			return EX_USAGE;
		json = 1;
	}
	if (optind != argc - 1)
		return EX_USAGE;
	if (hd_ticket_parse(argv[optind], strlen(argv[optind]), c->cfg->ticket_prefix, number) !=
	    strlen(argv[optind])) {
		fprintf(stderr, "helpdeskctl: %s: not a ticket number (expected e.g. %s-2611-0042)\n",
			argv[optind], c->cfg->ticket_prefix);
		return EX_USAGE;
	}
	if ((found = ticket_load(c->store, number, &t)) != 0) {
		if (found == 1)
			fprintf(stderr, "helpdeskctl: %s: no such ticket\n", number);
		return 1;
	}
	if (json) {
		sb_puts(&b, "{");
		show_json_kv(&b, "number", t.number, 0);
		show_json_kv(&b, "status", t.status, 1);
		show_json_kv(&b, "priority", t.priority, 1);
		show_json_kv(&b, "channel", t.channel, 1);
		show_json_kv(&b, "reporter", t.reporter, 1);
		show_json_kv(&b, "reporter_name", t.reporter_name, 1);
		show_json_kv(&b, "skpd", t.skpd, 1);
		show_json_kv(&b, "category", t.category, 1);
		show_json_kv(&b, "assignee", t.assignee, 1);
		show_json_kv(&b, "text", t.text, 1);
		sb_printf(&b, ", \"created_at\": %lld", (long long)t.created_at);
	} else {
		fmt_local_time(t.created_at, when, sizeof(when));
		sb_printf(&b, "Ticket:    %s\nStatus:    %s\nPriority:  %s\nCategory:  %s\n"
			  "Channel:   %s\nReporter:  %s%s%s%s\nSKPD:      %s\nAssignee:  %s\n"
			  "Created:   %s\n\n%s\n", t.number, t.status, t.priority,
			  *t.category ? t.category : "-", t.channel, t.reporter,
			  *t.reporter_name ? " (" : "", t.reporter_name, *t.reporter_name ? ")" : "",
			  *t.skpd ? t.skpd : "-", *t.assignee ? t.assignee : "-", when, t.text);
	}

	/* History */
	st = store_stmt(c->store, "SELECT at, actor, channel, kind, detail FROM events"
			" WHERE ticket_id = ?1 ORDER BY id", "i", t.id);
	sb_puts(&b, json ? ", \"events\": [" : "\nHistory:\n");
	for (n = 0; st != NULL && sqlite3_step(st) == SQLITE_ROW; n++) {
		if (json) {
			sb_printf(&b, "%s{\"at\": %lld", n ? ", " : "", (long long)sqlite3_column_int64(st, 0));
			show_json_kv(&b, "actor", col(st, 1), 1);
			show_json_kv(&b, "channel", col(st, 2), 1);
			show_json_kv(&b, "kind", col(st, 3), 1);
			show_json_kv(&b, "detail", col(st, 4), 1);
			sb_puts(&b, "}");
		} else {
			time_col(st, 0, when, sizeof(when));
			sb_printf(&b, "  %s  %-12s %-6s %-14s %s\n", when, col(st, 3), col(st, 2),
				  col(st, 1), col(st, 4));
		}
	}
	if (st)
		sqlite3_reset(st);

	/* Inbound messages */
	st = store_stmt(c->store, "SELECT id, received_at, channel, sender, outcome, parts FROM messages"
			" WHERE ticket_id = ?1 ORDER BY id", "i", t.id);
	sb_puts(&b, json ? "], \"messages\": [" : "\nMessages:\n");
	for (n = 0; st != NULL && sqlite3_step(st) == SQLITE_ROW; n++) {
		if (json) {
			sb_printf(&b, "%s{\"id\": %lld, \"received_at\": %lld, \"parts\": %d", n ? ", " : "",
				  (long long)sqlite3_column_int64(st, 0),
				  (long long)sqlite3_column_int64(st, 1), sqlite3_column_int(st, 5));
			show_json_kv(&b, "channel", col(st, 2), 1);
			show_json_kv(&b, "sender", col(st, 3), 1);
			show_json_kv(&b, "outcome", col(st, 4), 1);
			sb_puts(&b, "}");
		} else {
			time_col(st, 1, when, sizeof(when));
			sb_printf(&b, "  #%lld  %s  %s from %s, %d part%s: %s\n",
				  (long long)sqlite3_column_int64(st, 0), when, col(st, 2), col(st, 3),
				  sqlite3_column_int(st, 5), sqlite3_column_int(st, 5) == 1 ? "" : "s",
				  col(st, 4));
		}
	}
	if (st)
		sqlite3_reset(st);

	/* Attachments */
	st = store_stmt(c->store, "SELECT filename, content_type, size, sha256, path FROM attachments"
			" WHERE ticket_id = ?1 ORDER BY id", "i", t.id);
	sb_puts(&b, json ? "], \"attachments\": [" : "");
	for (n = 0; st != NULL && sqlite3_step(st) == SQLITE_ROW; n++) {
		if (json) {
			sb_printf(&b, "%s{\"size\": %lld", n ? ", " : "", (long long)sqlite3_column_int64(st, 2));
			show_json_kv(&b, "filename", col(st, 0), 1);
			show_json_kv(&b, "content_type", col(st, 1), 1);
			show_json_kv(&b, "sha256", col(st, 3), 1);
			show_json_kv(&b, "path", col(st, 4), 1);
			sb_puts(&b, "}");
		} else {
			sb_printf(&b, "%s  %s (%s, %lld bytes) spool: %s\n", n ? "" : "\nAttachments:\n",
				  *col(st, 0) ? col(st, 0) : "(no name)", col(st, 1),
				  (long long)sqlite3_column_int64(st, 2), col(st, 4));
		}
	}
	if (st)
		sqlite3_reset(st);

	/* Replies and notices */
	st = store_stmt(c->store, "SELECT id, kind, channel, recipient, state, attempts, sent_at,"
			" provider_ref, last_error, body FROM outbox WHERE ticket_id = ?1 ORDER BY id",
			"i", t.id);
	sb_puts(&b, json ? "], \"outbox\": [" : "\nReplies:\n");
	for (n = 0; st != NULL && sqlite3_step(st) == SQLITE_ROW; n++) {
		if (json) {
			sb_printf(&b, "%s{\"id\": %lld, \"attempts\": %d", n ? ", " : "",
				  (long long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 5));
			show_json_kv(&b, "kind", col(st, 1), 1);
			show_json_kv(&b, "channel", col(st, 2), 1);
			show_json_kv(&b, "recipient", col(st, 3), 1);
			show_json_kv(&b, "state", col(st, 4), 1);
			show_json_kv(&b, "provider_ref", col(st, 7), 1);
			show_json_kv(&b, "body", col(st, 9), 1);
			sb_puts(&b, "}");
		} else {
			time_col(st, 6, when, sizeof(when));
			sb_printf(&b, "  #%lld  %-12s %s to %s: %s (attempts %d, sent %s%s%s)%s%s\n    %s\n",
				  (long long)sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3),
				  col(st, 4), sqlite3_column_int(st, 5), when, *col(st, 7) ? ", ref " : "",
				  col(st, 7), *col(st, 8) ? " last error: " : "", col(st, 8), col(st, 9));
		}
	}
	if (st)
		sqlite3_reset(st);
	sb_puts(&b, json ? "]}\n" : "");
	ticket_free(&t);
	return emit(&b);
}


static int
cmd_new(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "reporter", required_argument, NULL, 'r' }, { "text", required_argument, NULL, 't' },
		  { "name", required_argument, NULL, 'n' }, { "skpd", required_argument, NULL, 's' },
		  { "priority", required_argument, NULL, 'p' });
	const char *reporter = NULL, *text = NULL, *name = NULL, *skpd = NULL, *prio = "normal";
	char phone[PHONE_MAX], number[HD_TICKET_MAX];
	struct contact ct;
	struct ticket t;
	int opt, is_phone = 0, known, held, rc = 1;
	int64_t id, now = now_ms();

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		switch (opt) {
		case 'r': reporter = optarg; break;
		case 't': text = optarg; break;
		case 'n': name = optarg; break;
		case 's': skpd = optarg; break;
		case 'p': prio = optarg; break;
		default: return EX_USAGE;
		}
	}
	if (optind != argc || reporter == NULL || text == NULL) {
		fprintf(stderr, "helpdeskctl new: --reporter and --text are required\n");
		return EX_USAGE;
	}
	if (!one_of(prio, priorities)) {
		fprintf(stderr, "helpdeskctl new: --priority %s: expected low, normal, high or emergency\n", prio);
		return EX_USAGE;
	}
	if (!utf8_valid(text, strlen(text)) || *text == '\0') {
		fprintf(stderr, "helpdeskctl new: --text must be non-empty UTF-8\n");
		return EX_USAGE;
	}
	if (strchr(reporter, '@') == NULL) {
		if (phone_normalize(reporter, strlen(reporter), c->cfg->country_code, phone) != PHONE_NUMBER) {
			fprintf(stderr, "helpdeskctl new: --reporter %s: not a phone number or email address\n",
				reporter);
			return EX_USAGE;
		}
		reporter = phone;
		is_phone = 1;
	} else if (!address_valid(reporter, strlen(reporter))) {
		fprintf(stderr, "helpdeskctl new: --reporter %s: not an email address\n", reporter);
		return EX_USAGE;
	}
	if (store_begin(c->store) < 0)
		return 1;
	if ((known = contact_find(c->store, reporter, &ct)) < 0)
		goto fail;
	struct ticket_new tn = {
		.channel = "phone", .reporter = reporter,
		.reporter_name = name ? name : known == 0 ? ct.name : "",
		.skpd = skpd ? skpd : known == 0 ? ct.skpd : "",
		.text = text, .priority = prio, .contact_id = known == 0 ? ct.id : 0,
		.actor = getenv("USER") ? getenv("USER") : "operator", .actor_channel = "ctl",
	};
	if (ticket_create(c->store, c->cfg->ticket_prefix, &tn, now, &id, number) < 0 ||
	    ticket_load(c->store, number, &t) != 0)
		goto fail;
	/* A reporter who phoned gets the ticket number by SMS. */
	if (is_phone) {
		char *body = notify_render(c->cfg, TM_ACK, &t, reporter, NULL);
		struct reply r = { .channel = "sms", .recipient = reporter, .kind = "reply",
				   .ticket_id = id, .body = body, .capped = 1 };
		if (body == NULL || notify_queue(c->store, c->cfg, &r, now, &held) < 0) {
			free(body);
			ticket_free(&t);
			goto fail;
		}
		free(body);
	}
	ticket_free(&t);
	if (store_commit(c->store) < 0)
		goto out;
	printf("%s\n", number);
	rc = 0;
	goto out;
fail:
	store_rollback(c->store);
	fprintf(stderr, "helpdeskctl new: the ticket was not created\n");
out:
	if (known == 0)
		contact_free(&ct);
	return rc;
}

static int
cmd_contacts(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0) {
		FILE *f;
		int n;

		if (argc != 3)
			return EX_USAGE;
		if ((f = fopen(argv[2], "r")) == NULL) {
			perror(argv[2]);
			return 1;
		}
		n = contacts_import(c->store, f, argv[2], c->cfg->country_code, stderr);
		fclose(f);
		if (n < 0) {
			fprintf(stderr, "helpdeskctl: %s: nothing imported\n", argv[2]);
			return 1;
		}
		printf("%d contact%s imported\n", n, n == 1 ? "" : "s");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		int json = argc == 3 && strcmp(argv[2], "--json") == 0, n = 0;
		struct sbuf b = { 0 };
		sqlite3_stmt *st;

		if (argc > 3 || (argc == 3 && !json))
			return EX_USAGE;
		st = store_stmt(c->store, "SELECT name, COALESCE(phone, ''), COALESCE(email, ''), skpd, role"
				" FROM contacts WHERE active = 1 ORDER BY role, skpd, name", "");
		if (st == NULL)
			return 1;
		if (json)
			sb_puts(&b, "[");
		else
			sb_printf(&b, "%-24s %-15s %-28s %-24s %s\n", "NAME", "PHONE", "EMAIL", "SKPD", "ROLE");
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (json) {
				sb_puts(&b, n++ ? ", {" : "{");
				show_json_kv(&b, "name", col(st, 0), 0);
				show_json_kv(&b, "phone", col(st, 1), 1);
				show_json_kv(&b, "email", col(st, 2), 1);
				show_json_kv(&b, "skpd", col(st, 3), 1);
				show_json_kv(&b, "role", col(st, 4), 1);
				sb_puts(&b, "}");
			} else {
				sb_printf(&b, "%-24s %-15s %-28s %-24s %s\n", col(st, 0), col(st, 1),
					  col(st, 2), col(st, 3), col(st, 4));
			}
		}
		sqlite3_reset(st);
		if (json)
			sb_puts(&b, "]\n");
		return emit(&b);
	}
	return EX_USAGE;
}

static int
cmd_outbox(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "all", no_argument, NULL, 'a' }, { "json", no_argument, NULL, 'j' });
	int all = 0, json = 0, opt, n = 0;
	struct sbuf b = { 0 };
	sqlite3_stmt *st;

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		switch (opt) {
		case 'a': all = 1; break;
		case 'j': json = 1; break;
		default: return EX_USAGE;
		}
	}
	if (optind != argc)
		return EX_USAGE;
	st = store_stmt(c->store,
			"SELECT o.id, o.state, o.channel, o.recipient, o.kind, COALESCE(t.number, ''),"
			" o.attempts, o.next_attempt_at, COALESCE(o.last_error, ''), o.created_at,"
			" COALESCE(o.provider_ref, ''), o.body"
			" FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id"
			" WHERE ?1 OR o.state <> 'sent' ORDER BY o.id DESC LIMIT 500", "i", (int64_t)all);
	if (st == NULL)
		return 1;
	if (json)
		sb_puts(&b, "[");
	else
		sb_printf(&b, "%-6s %-8s %-6s %-20s %-13s %-14s %-4s %s\n", "ID", "STATE", "CHAN",
			  "RECIPIENT", "KIND", "TICKET", "TRY", "NEXT / ERROR");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char next[32];

		time_col(st, 7, next, sizeof(next));
		if (json) {
			sb_printf(&b, "%s{\"id\": %lld, \"attempts\": %d, \"next_attempt_at\": %lld,"
				  " \"created_at\": %lld", n++ ? ", " : "",
				  (long long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 6),
				  (long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 9));
			show_json_kv(&b, "state", col(st, 1), 1);
			show_json_kv(&b, "channel", col(st, 2), 1);
			show_json_kv(&b, "recipient", col(st, 3), 1);
			show_json_kv(&b, "kind", col(st, 4), 1);
			show_json_kv(&b, "ticket", col(st, 5), 1);
			show_json_kv(&b, "last_error", col(st, 8), 1);
			show_json_kv(&b, "provider_ref", col(st, 10), 1);
			show_json_kv(&b, "body", col(st, 11), 1);
			sb_puts(&b, "}");
		} else {
			sb_printf(&b, "%-6lld %-8s %-6s %-20s %-13s %-14s %-4d %s%s%s\n",
				  (long long)sqlite3_column_int64(st, 0), col(st, 1), col(st, 2),
				  col(st, 3), col(st, 4), *col(st, 5) ? col(st, 5) : "-",
				  sqlite3_column_int(st, 6), strcmp(col(st, 1), "pending") ? "" : next,
				  *col(st, 8) ? " " : "", col(st, 8));
		}
	}
	sqlite3_reset(st);
	if (json)
		sb_puts(&b, "]\n");
	return emit(&b);
}

static const struct {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
} verbs[] = {
	{ "list", cmd_list }, { "show", cmd_show }, { "new", cmd_new },
	{ "contacts", cmd_contacts }, { "outbox", cmd_outbox },
};

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	struct ctl c = { 0 };
	char *err = NULL;
	int opt, rc;

	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	size_t v;
	for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (strcmp(argv[optind], verbs[v].name) == 0)
			break;
	if (v == sizeof(verbs) / sizeof(verbs[0])) {
		fprintf(stderr, "helpdeskctl: unknown verb \"%s\"\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	if (config_load(path, &c.cfg, &err) < 0) {
		fprintf(stderr, "%s", err ? err : "out of memory\n");
		free(err);
		return 1;
	}
	log_set_level(LOG_PRI_WARNING);
	if (store_open(c.cfg->database, &c.store, &err) < 0) {
		fprintf(stderr, "helpdeskctl: database %s\n", err ? err : "out of memory");
		free(err);
		config_free(c.cfg);
		return 1;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* restart getopt for the verb's options */
	rc = verbs[v].fn(&c, argc, argv);
	if (rc == EX_USAGE)
		usage(stderr);
	store_close(c.store);
	config_free(c.cfg);
	return rc;
}
