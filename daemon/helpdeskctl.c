/*
 * helpdeskctl.c: the operator's tool. Reads and changes the same database
 * as the running daemon (WAL lets both work at once), as smtpctl does for
 * smtpd. Exit status: 0 done, 1 failed, 2 usage.
 */
#include "address.h"
#include "config.h"
#include "ctl.h"
#include "contacts.h"
#include "grammar.h"
#include "log.h"
#include "notify.h"
#include "phone.h"
#include "store.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "workflow.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CONFIG "/etc/helpdeskd/helpdeskd.conf"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: helpdeskctl [-c FILE] [--as STAFF] VERB [ARGS]\n"
		"Tickets:\n"
		"  list [--status S] [--channel sms|email|phone] [--since YYYY-MM-DD] [--limit N] [--json]\n"
		"  show TICKET [--json]\n"
		"  new --reporter NUMBER|EMAIL --text TEXT [--name NAME] [--skpd UNIT]\n"
		"      [--priority low|normal|high|emergency]\n"
		"Triage (admin):\n"
		"  accept TICKET\n"
		"  reject TICKET --reason TEXT\n"
		"  priority TICKET low|normal|high|emergency\n"
		"  assign TICKET TECHNICIAN | assign TICKET --auto\n"
		"  category TICKET NAME\n"
		"  load [--json]\n"
		"  available TECHNICIAN yes|no\n"
		"Work (technician; --as names who):\n"
		"  mine [TECHNICIAN] [--json]\n"
		"  take TICKET\n"
		"  pending TICKET --reason TEXT [--hardware]\n"
		"  resume TICKET\n"
		"  resolve TICKET --note TEXT\n"
		"  close TICKET [--note TEXT]\n"
		"  note TICKET TEXT\n"
		"  approve TICKET                      (leader, with workflow.require_approval)\n"
		"Watch and recap:\n"
		"  sla [--all] [--now \"YYYY-MM-DD HH:MM\"] [--json]\n"
		"  report --month YYYY-MM | --year YYYY | --from YYYY-MM-DD --to YYYY-MM-DD\n"
		"         [--csv | --json | --html] [--output FILE]\n"
		"Contacts and outbox:\n"
		"  contacts import FILE.csv\n"
		"  contacts list [--json]\n"
		"  outbox [--all] [--json]\n"
		"Service:\n"
		"  health [--json]                     (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)\n"
		"  backup FILE [--force]               (database copy, then FILE.spool.tar)\n"
		"  restore FILE [--force]              (helpdeskd stopped; --force over tickets)\n"
		"  vacuum [--raw-days N] [--dry-run]   (drop raw copies older than N days, compact)\n");
}

const char *const ctl_statuses[] = { "new", "open", "pending", "resolved", "closed", "rejected", NULL };
const char *const ctl_channels[] = { "sms", "email", "phone", NULL };
const char *const ctl_priorities[] = { "low", "normal", "high", "emergency", NULL };

/* Is s one of the words in the NULL-terminated list? */
int
ctl_one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

int
ctl_parse_day(const char *s, int64_t *ms)
{
	return strlen(s) == 10 ? parse_local_time(s, ms) : -1;
}

int
ctl_ticket_arg(struct ctl *c, const char *arg, char *number)
{
	if (hd_ticket_parse(arg, strlen(arg), c->cfg->ticket_prefix, number) == strlen(arg))
		return 0;
	fprintf(stderr, "helpdeskctl: %s: not a ticket number (expected e.g. %s-2611-0042)\n", arg,
		c->cfg->ticket_prefix);
	return EX_USAGE;
}

const char *
ctl_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

void
ctl_time_col(sqlite3_stmt *st, int i, char *out, size_t len)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		snprintf(out, len, "-");
	else
		fmt_local_time(sqlite3_column_int64(st, i), out, len);
}

/* Print a finished sbuf; returns the exit status. */
int
ctl_emit(struct sbuf *b)
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
	if (!ctl_one_of(prio, ctl_priorities)) {
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
	    wf_intake(c->store, c->cfg, id, text, now) < 0 ||
	    ticket_load(c->store, number, &t) != 0)
		goto fail;
	/* A reporter who phoned gets the ticket number by SMS. */
	if (is_phone) {
		char *body = notify_render(c->cfg, TM_ACK, &t, reporter, NULL, NULL);
		struct reply r = { .channel = "sms", .recipient = reporter, .kind = "reply",
				   .ticket_id = id, .body = body, .capped = 1 };
		if (body == NULL || notify_queue(c->store, c->cfg, &r, now, &held) < 0) {
			free(body);
			ticket_free(&t);
			goto fail;
		}
		free(body);
	}
	if (notify_admins(c->store, c->cfg, &t, now) < 0 || wf_auto_assign(c->store, c->cfg, number, now) < 0) {
		ticket_free(&t);
		goto fail;
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
				ctl_json_kv(&b, "name", ctl_col(st, 0), 0);
				ctl_json_kv(&b, "phone", ctl_col(st, 1), 1);
				ctl_json_kv(&b, "email", ctl_col(st, 2), 1);
				ctl_json_kv(&b, "skpd", ctl_col(st, 3), 1);
				ctl_json_kv(&b, "role", ctl_col(st, 4), 1);
				sb_puts(&b, "}");
			} else {
				sb_printf(&b, "%-24s %-15s %-28s %-24s %s\n", ctl_col(st, 0), ctl_col(st, 1),
					  ctl_col(st, 2), ctl_col(st, 3), ctl_col(st, 4));
			}
		}
		sqlite3_reset(st);
		if (json)
			sb_puts(&b, "]\n");
		return ctl_emit(&b);
	}
	return EX_USAGE;
}

static const struct {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
} verbs[] = {
	{ "list", ctl_list }, { "show", ctl_show }, { "new", cmd_new },
	{ "contacts", cmd_contacts }, { "outbox", ctl_outbox },
	{ "accept", ctl_work }, { "reject", ctl_work }, { "priority", ctl_work },
	{ "assign", ctl_work }, { "take", ctl_work }, { "category", ctl_work },
	{ "pending", ctl_work }, { "resume", ctl_work }, { "resolve", ctl_work },
	{ "close", ctl_work }, { "note", ctl_work }, { "approve", ctl_work },
	{ "mine", ctl_mine }, { "load", ctl_load }, { "available", ctl_available },
	{ "sla", ctl_sla }, { "report", ctl_report }, { "health", ctl_health },
	{ "backup", ctl_backup }, { "restore", ctl_restore }, { "vacuum", ctl_vacuum },
};

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	struct ctl c = { 0 };
	char *err = NULL;
	int opt, rc;

	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "as", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};

	while ((opt = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'a': c.as = optarg; break;
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
	/* health speaks to monitoring: not knowing is UNKNOWN (3), not 1. */
	int fail = strcmp(argv[optind], "health") == 0 ? 3 : 1;

	if (config_load(path, &c.cfg, &err) < 0) {
		fprintf(stderr, "%s", err ? err : "out of memory\n");
		free(err);
		return fail;
	}
	log_set_level(LOG_PRI_WARNING);
	/* restore checks the backup and takes the daemon's lock before it
	 * touches the database: it opens (and migrates) it itself. */
	if (verbs[v].fn != ctl_restore && store_open(c.cfg->database, &c.store, &err) < 0) {
		fprintf(stderr, "helpdeskctl: database %s\n", err ? err : "out of memory");
		free(err);
		config_free(c.cfg);
		return fail;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* restart getopt for the verb's options */
	rc = verbs[v].fn(&c, argc, argv);
	if (rc == EX_USAGE && fail == 1)
		usage(stderr);
	store_close(c.store);
	config_free(c.cfg);
	return rc;
}
