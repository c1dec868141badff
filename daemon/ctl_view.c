/* ctl_view.c: helpdeskctl's read-only views: list, show, outbox. */
#include "ctl.h"
#include "grammar.h"
#include "text.h"
#include "ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ctl_list(struct ctl *c, int argc, char **argv)
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
			if (ctl_parse_day(optarg, &since) < 0) {
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
	if (status != NULL && !ctl_one_of(status, ctl_statuses)) {
		fprintf(stderr, "helpdeskctl list: --status %s: expected new, open, pending, resolved,"
			" closed or rejected\n", status);
		return EX_USAGE;
	}
	if (channel != NULL && !ctl_one_of(channel, ctl_channels)) {
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

		ctl_time_col(st, 4, created, sizeof(created));
		if (json) {
			sb_puts(&b, n ? ",\n {" : "\n {");
			const char *keys[] = { "number", "status", "priority", "channel" };
			for (int i = 0; i < 4; i++) {
				sb_printf(&b, "\"%s\": ", keys[i]);
				sb_json_str(&b, ctl_col(st, i));
				sb_puts(&b, ", ");
			}
			sb_printf(&b, "\"created_at\": %lld, \"reporter\": ", (long long)sqlite3_column_int64(st, 4));
			sb_json_str(&b, ctl_col(st, 5));
			sb_puts(&b, ", \"skpd\": ");
			sb_json_str(&b, ctl_col(st, 6));
			sb_puts(&b, ", \"text\": ");
			sb_json_str(&b, ctl_col(st, 7));
			sb_puts(&b, ", \"category\": ");
			sb_json_str(&b, ctl_col(st, 8));
			sb_puts(&b, "}");
		} else {
			char *text = text_oneline(ctl_col(st, 7), strlen(ctl_col(st, 7)), 60);
			sb_printf(&b, "%-14s %-9s %-9s %-6s %-16s %-15s %s\n", ctl_col(st, 0), ctl_col(st, 1),
				  ctl_col(st, 2), ctl_col(st, 3), created, ctl_col(st, 5), text ? text : "");
			free(text);
		}
		n++;
	}
	sqlite3_reset(st);
	if (json)
		sb_puts(&b, n ? "\n]\n" : "]\n");
	return ctl_emit(&b);
}

void
ctl_json_kv(struct sbuf *b, const char *k, const char *v, int comma)
{
	sb_printf(b, "%s\"%s\": ", comma ? ", " : "", k);
	sb_json_str(b, v);
}

int
ctl_show(struct ctl *c, int argc, char **argv)
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
	if (ctl_ticket_arg(c, argv[optind], number) != 0)
		return EX_USAGE;
	if ((found = ticket_load(c->store, number, &t)) != 0) {
		if (found == 1)
			fprintf(stderr, "helpdeskctl: %s: no such ticket\n", number);
		return 1;
	}
	if (json) {
		sb_puts(&b, "{");
		ctl_json_kv(&b, "number", t.number, 0);
		ctl_json_kv(&b, "status", t.status, 1);
		ctl_json_kv(&b, "priority", t.priority, 1);
		ctl_json_kv(&b, "channel", t.channel, 1);
		ctl_json_kv(&b, "reporter", t.reporter, 1);
		ctl_json_kv(&b, "reporter_name", t.reporter_name, 1);
		ctl_json_kv(&b, "skpd", t.skpd, 1);
		ctl_json_kv(&b, "category", t.category, 1);
		ctl_json_kv(&b, "assignee", t.assignee, 1);
		ctl_json_kv(&b, "text", t.text, 1);
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
			ctl_json_kv(&b, "actor", ctl_col(st, 1), 1);
			ctl_json_kv(&b, "channel", ctl_col(st, 2), 1);
			ctl_json_kv(&b, "kind", ctl_col(st, 3), 1);
			ctl_json_kv(&b, "detail", ctl_col(st, 4), 1);
			sb_puts(&b, "}");
		} else {
			ctl_time_col(st, 0, when, sizeof(when));
			sb_printf(&b, "  %s  %-12s %-6s %-14s %s\n", when, ctl_col(st, 3), ctl_col(st, 2),
				  ctl_col(st, 1), ctl_col(st, 4));
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
			ctl_json_kv(&b, "channel", ctl_col(st, 2), 1);
			ctl_json_kv(&b, "sender", ctl_col(st, 3), 1);
			ctl_json_kv(&b, "outcome", ctl_col(st, 4), 1);
			sb_puts(&b, "}");
		} else {
			ctl_time_col(st, 1, when, sizeof(when));
			sb_printf(&b, "  #%lld  %s  %s from %s, %d part%s: %s\n",
				  (long long)sqlite3_column_int64(st, 0), when, ctl_col(st, 2), ctl_col(st, 3),
				  sqlite3_column_int(st, 5), sqlite3_column_int(st, 5) == 1 ? "" : "s",
				  ctl_col(st, 4));
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
			ctl_json_kv(&b, "filename", ctl_col(st, 0), 1);
			ctl_json_kv(&b, "content_type", ctl_col(st, 1), 1);
			ctl_json_kv(&b, "sha256", ctl_col(st, 3), 1);
			ctl_json_kv(&b, "path", ctl_col(st, 4), 1);
			sb_puts(&b, "}");
		} else {
			sb_printf(&b, "%s  %s (%s, %lld bytes) spool: %s\n", n ? "" : "\nAttachments:\n",
				  *ctl_col(st, 0) ? ctl_col(st, 0) : "(no name)", ctl_col(st, 1),
				  (long long)sqlite3_column_int64(st, 2), ctl_col(st, 4));
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
			ctl_json_kv(&b, "kind", ctl_col(st, 1), 1);
			ctl_json_kv(&b, "channel", ctl_col(st, 2), 1);
			ctl_json_kv(&b, "recipient", ctl_col(st, 3), 1);
			ctl_json_kv(&b, "state", ctl_col(st, 4), 1);
			ctl_json_kv(&b, "provider_ref", ctl_col(st, 7), 1);
			ctl_json_kv(&b, "body", ctl_col(st, 9), 1);
			sb_puts(&b, "}");
		} else {
			ctl_time_col(st, 6, when, sizeof(when));
			sb_printf(&b, "  #%lld  %-12s %s to %s: %s (attempts %d, sent %s%s%s)%s%s\n    %s\n",
				  (long long)sqlite3_column_int64(st, 0), ctl_col(st, 1), ctl_col(st, 2), ctl_col(st, 3),
				  ctl_col(st, 4), sqlite3_column_int(st, 5), when, *ctl_col(st, 7) ? ", ref " : "",
				  ctl_col(st, 7), *ctl_col(st, 8) ? " last error: " : "", ctl_col(st, 8), ctl_col(st, 9));
		}
	}
	if (st)
		sqlite3_reset(st);
	sb_puts(&b, json ? "]}\n" : "");
	ticket_free(&t);
	return ctl_emit(&b);
}


int
ctl_outbox(struct ctl *c, int argc, char **argv)
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

		ctl_time_col(st, 7, next, sizeof(next));
		if (json) {
			sb_printf(&b, "%s{\"id\": %lld, \"attempts\": %d, \"next_attempt_at\": %lld,"
				  " \"created_at\": %lld", n++ ? ", " : "",
				  (long long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 6),
				  (long long)sqlite3_column_int64(st, 7), (long long)sqlite3_column_int64(st, 9));
			ctl_json_kv(&b, "state", ctl_col(st, 1), 1);
			ctl_json_kv(&b, "channel", ctl_col(st, 2), 1);
			ctl_json_kv(&b, "recipient", ctl_col(st, 3), 1);
			ctl_json_kv(&b, "kind", ctl_col(st, 4), 1);
			ctl_json_kv(&b, "ticket", ctl_col(st, 5), 1);
			ctl_json_kv(&b, "last_error", ctl_col(st, 8), 1);
			ctl_json_kv(&b, "provider_ref", ctl_col(st, 10), 1);
			ctl_json_kv(&b, "body", ctl_col(st, 11), 1);
			sb_puts(&b, "}");
		} else {
			sb_printf(&b, "%-6lld %-8s %-6s %-20s %-13s %-14s %-4d %s%s%s\n",
				  (long long)sqlite3_column_int64(st, 0), ctl_col(st, 1), ctl_col(st, 2),
				  ctl_col(st, 3), ctl_col(st, 4), *ctl_col(st, 5) ? ctl_col(st, 5) : "-",
				  sqlite3_column_int(st, 6), strcmp(ctl_col(st, 1), "pending") ? "" : next,
				  *ctl_col(st, 8) ? " " : "", ctl_col(st, 8));
		}
	}
	sqlite3_reset(st);
	if (json)
		sb_puts(&b, "]\n");
	return ctl_emit(&b);
}

