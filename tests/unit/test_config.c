/* test_config.c: config_load on the shipped example, defaults, includes, the
 * built-in templates, and one bad file per kind of problem. Run from the
 * repository root. */
#include "config.h"
#include "template.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXAMPLE "config/helpdeskd.conf.example"
#define TEMPLATES_EN "config/templates-en.conf"

static char tmpdir[64];
static char created[128][128];
static int ncreated;

/* Write text to tmpdir/name; path gets the full name. */
static void
put(char *path, size_t pathlen, const char *name, const char *text)
{
	FILE *f;

	snprintf(path, pathlen, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);
	for (int i = 0; i < ncreated; i++)
		if (strcmp(created[i], path) == 0)
			return;
	if (ncreated < (int)(sizeof(created) / sizeof(created[0])))
		snprintf(created[ncreated++], sizeof(created[0]), "%s", path);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static int
count_lines(const char *s)
{
	int n = 1;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Length in GSM-7 septets, or -1 when s has a character outside GSM-7.
 * Only the ASCII part of the alphabet is accepted: the built-in texts use
 * nothing else. */
static int
gsm7_len(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f && strchr("`", c) == NULL)) {
			n += strchr("[\\]^{|}~", c) != NULL ? 2 : 1;
		} else {
			return -1;
		}
	}
	return n;
}

/* Load a file that must fail; returns the error text (to free) and checks
 * that nothing was returned. */
static char *
load_bad(const char *path)
{
	struct hd_config *cfg = (struct hd_config *)1;
	char *err = NULL;

	CHECK(config_load(path, &cfg, &err) == -1);
	CHECK(cfg == NULL);
	CHECK(err != NULL);
	return err;
}

static int
contains(const char *hay, const char *needle)
{
	if (hay != NULL && strstr(hay, needle) != NULL)
		return 1;
	fprintf(stderr, "  missing \"%s\" in:\n%s\n", needle, hay ? hay : "(null)");
	return 0;
}

static void
test_example(void)
{
	struct hd_config *cfg = NULL;
	char *err = NULL;

	CHECK(config_load(EXAMPLE, &cfg, &err) == 0);
	CHECK(err == NULL);
	if (err != NULL)
		fprintf(stderr, "%s\n", err);
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		free(err);
		return;
	}
	CHECK_STR(cfg->path, EXAMPLE);
	CHECK_STR(cfg->database, "/var/lib/helpdeskd/helpdeskd.db");
	CHECK_STR(cfg->spool_dir, "/var/lib/helpdeskd/spool");
	CHECK(cfg->country_code == 62);
	CHECK_STR(cfg->ticket_prefix, "HD");
	CHECK_STR(cfg->language, "id");
	CHECK_STR(cfg->log_level, "info");
	CHECK(config_log_priority(cfg) == 6);
	CHECK(cfg->sms.enabled == 1);
	CHECK(cfg->sms.gammurc == NULL);
	CHECK(cfg->sms.gammurc_section == 0);
	CHECK_STR(cfg->sms.device, "/dev/ttyUSB0");
	CHECK_STR(cfg->sms.connection, "at");
	CHECK_STR(cfg->sms.model, "");
	CHECK(cfg->sms.poll_ms == 1000);
	CHECK(cfg->sms.multipart_timeout == 600);
	CHECK(cfg->sms.send_timeout == 30);
	CHECK(cfg->sms.max_parts == 3);
	CHECK(cfg->sms.reconnect_min == 2);
	CHECK(cfg->sms.reconnect_max == 300);
	CHECK(cfg->outbox.max_attempts == 10);
	CHECK(cfg->outbox.retry_min == 10);
	CHECK(cfg->outbox.retry_max == 3600);
	CHECK(cfg->outbox.replies_per_hour == 5);
	CHECK(cfg->nadmins == 1);
	if (cfg->nadmins == 1) {
		CHECK_STR(cfg->admins[0].name, "Admin Helpdesk");
		CHECK_STR(cfg->admins[0].phone, "+628113103001");
		CHECK_STR(cfg->admins[0].email, "helpdesk@example.go.id");
	}
	for (int i = 0; i < TM__COUNT; i++)
		CHECK(cfg->tmpl[i] != NULL && cfg->tmpl[i][0] != '\0');
	CHECK(strncmp(cfg->tmpl[TM_ACK], "Terima kasih", 12) == 0);
	config_free(cfg);
}

static void
test_minimal_defaults(void)
{
	struct hd_config *cfg = NULL;
	char path[128], *err = NULL;

	put(path, sizeof(path), "minimal.conf", "database = \"/tmp/hd-test.db\";\n");
	CHECK(config_load(path, &cfg, &err) == 0);
	CHECK(err == NULL);
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		free(err);
		return;
	}
	CHECK_STR(cfg->path, path);
	CHECK(cfg->path != path);
	CHECK_STR(cfg->database, "/tmp/hd-test.db");
	CHECK_STR(cfg->spool_dir, "/var/lib/helpdeskd/spool");
	CHECK(cfg->country_code == 62);
	CHECK_STR(cfg->ticket_prefix, "HD");
	CHECK_STR(cfg->language, "id");
	CHECK_STR(cfg->log_level, "info");
	CHECK(cfg->sms.enabled == 0);
	CHECK(cfg->sms.gammurc == NULL);
	CHECK(cfg->sms.gammurc_section == 0);
	CHECK(cfg->sms.device == NULL);
	CHECK_STR(cfg->sms.connection, "at");
	CHECK_STR(cfg->sms.model, "");
	CHECK(cfg->sms.poll_ms == 1000);
	CHECK(cfg->sms.multipart_timeout == 600);
	CHECK(cfg->sms.send_timeout == 30);
	CHECK(cfg->sms.max_parts == 3);
	CHECK(cfg->sms.reconnect_min == 2);
	CHECK(cfg->sms.reconnect_max == 300);
	CHECK(cfg->outbox.max_attempts == 10);
	CHECK(cfg->outbox.retry_min == 10);
	CHECK(cfg->outbox.retry_max == 3600);
	CHECK(cfg->outbox.replies_per_hour == 5);
	CHECK(cfg->nadmins == 0);
	CHECK(cfg->admins == NULL);
	CHECK(strncmp(cfg->tmpl[TM_ACK], "Terima kasih", 12) == 0);
	CHECK(strstr(cfg->tmpl[TM_STATUS], "{assignee}") != NULL);
	CHECK(strstr(cfg->tmpl[TM_ADMIN_NEW], "{text}") != NULL);
	config_free(cfg);
}

static void
test_values(void)
{
	struct hd_config *cfg = NULL;
	char path[128], gammurc[128], text[1024], *err = NULL;

	put(gammurc, sizeof(gammurc), "gammurc", "[gammu1]\ndevice = /dev/ttyUSB1\nconnection = at\n");
	snprintf(text, sizeof(text),
		 "database = \"db.sqlite\";\n"
		 "spool_dir = \"/srv/spool\";\n"
		 "country_code = 61;\n"
		 "ticket_prefix = \"DISKOM\";\n"
		 "log_level = \"debug\";\n"
		 "sms = {\n"
		 "  gammurc = \"%s\";\n"
		 "  gammurc_section = 1;\n"
		 "  poll_interval_ms = 100;\n"
		 "  multipart_timeout = 86400;\n"
		 "  send_timeout = 600;\n"
		 "  max_parts = 10;\n"
		 "  reconnect_min = 5;\n"
		 "  reconnect_max = 5;\n"
		 "};\n"
		 "outbox = { max_attempts = 1000; retry_min = 1; retry_max = 604800; replies_per_hour = 0; };\n"
		 "admins = (\n"
		 "  { name = \"Mail only\"; email = \"it@kab.example.go.id\"; },\n"
		 "  { name = \"Phone only\"; phone = \"0412 345 678\"; },\n"
		 "  { name = \"Intl\"; phone = \"+62 811-3103-002\"; }\n"
		 ");\n"
		 "templates = { ack = \"Tiket {ticket} diterima ({{ok}}).\"; };\n", gammurc);
	put(path, sizeof(path), "values.conf", text);
	CHECK(config_load(path, &cfg, &err) == 0);
	if (err != NULL)
		fprintf(stderr, "%s\n", err);
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		free(err);
		return;
	}
	CHECK_STR(cfg->database, "db.sqlite");
	CHECK_STR(cfg->spool_dir, "/srv/spool");
	CHECK(cfg->country_code == 61);
	CHECK_STR(cfg->ticket_prefix, "DISKOM");
	CHECK(config_log_priority(cfg) == 7);
	CHECK(cfg->sms.enabled == 1);	/* implied by gammurc */
	CHECK_STR(cfg->sms.gammurc, gammurc);
	CHECK(cfg->sms.gammurc_section == 1);
	CHECK(cfg->sms.device == NULL);
	CHECK(cfg->sms.poll_ms == 100);
	CHECK(cfg->sms.multipart_timeout == 86400);
	CHECK(cfg->sms.send_timeout == 600);
	CHECK(cfg->sms.max_parts == 10);
	CHECK(cfg->sms.reconnect_min == 5);
	CHECK(cfg->sms.reconnect_max == 5);
	CHECK(cfg->outbox.max_attempts == 1000);
	CHECK(cfg->outbox.retry_min == 1);
	CHECK(cfg->outbox.retry_max == 604800);
	CHECK(cfg->outbox.replies_per_hour == 0);
	CHECK(cfg->nadmins == 3);
	if (cfg->nadmins == 3) {
		CHECK_STR(cfg->admins[0].name, "Mail only");
		CHECK(cfg->admins[0].phone == NULL);
		CHECK_STR(cfg->admins[0].email, "it@kab.example.go.id");
		CHECK_STR(cfg->admins[1].name, "Phone only");
		CHECK_STR(cfg->admins[1].phone, "+61412345678");	/* country_code 61 */
		CHECK(cfg->admins[1].email == NULL);
		CHECK_STR(cfg->admins[2].phone, "+628113103002");
	}
	/* The override replaces only ack; the rest stay Indonesian built-ins. */
	CHECK_STR(cfg->tmpl[TM_ACK], "Tiket {ticket} diterima ({{ok}}).");
	CHECK(strncmp(cfg->tmpl[TM_STATUS], "Tiket {ticket}: status", 22) == 0);
	config_free(cfg);

	/* sms.enabled = false with a device: kept, but off. */
	put(path, sizeof(path), "off.conf",
	    "database = \"x.db\";\nsms = { enabled = false; device = \"/dev/ttyACM0\"; connection = \"at115200\"; model = \"dummy\"; };\n");
	cfg = NULL;
	CHECK(config_load(path, &cfg, &err) == 0);
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK(cfg->sms.enabled == 0);
		CHECK_STR(cfg->sms.device, "/dev/ttyACM0");
		CHECK_STR(cfg->sms.connection, "at115200");
		CHECK_STR(cfg->sms.model, "dummy");
		config_free(cfg);
	}
}

/* Expand every built-in template with realistic values and check it stays
 * in GSM-7 and within one SMS (info: two). */
static void
check_builtin_lengths(const struct hd_config *cfg)
{
	static const struct tmpl_var vars[] = {
		{ "ticket", "HD-240115-0001" }, { "prefix", "HD" },
		{ "status", NULL }, { "assignee", NULL }, { "note", NULL },
		{ "reporter", NULL }, { "skpd", NULL }, { "text", NULL },
	};

	for (int i = 0; i < TM__COUNT; i++) {
		char *s = tmpl_expand(cfg->tmpl[i], vars, sizeof(vars) / sizeof(vars[0]));
		int n;

		CHECK(s != NULL);
		if (s == NULL)
			continue;
		n = gsm7_len(s);
		CHECK(n > 20);
		CHECK(n <= (i == TM_INFO ? 300 : 160));
		CHECK(strchr(s, '{') == NULL);
		if (i == TM_ACK)
			CHECK(strstr(s, "HELPDESK STATUS HD-240115-0001") != NULL);
		if (i == TM_EMPTY || i == TM_INFO)
			CHECK(strstr(s, "HELPDESK <") != NULL);
		if (i == TM_INFO || i == TM_STATUS_UNKNOWN)
			CHECK(strstr(s, "HELPDESK STATUS <") != NULL);
		free(s);
	}
}

static void
test_languages(void)
{
	struct hd_config *id = NULL, *en = NULL, *inc = NULL;
	char path[128], *err = NULL, *text;

	put(path, sizeof(path), "id.conf", "database = \"x.db\";\n");
	CHECK(config_load(path, &id, &err) == 0);
	put(path, sizeof(path), "en.conf", "database = \"x.db\";\nlanguage = \"en\";\n");
	CHECK(config_load(path, &en, &err) == 0);

	/* The shipped English file, included as the example describes. */
	text = slurp(TEMPLATES_EN);
	CHECK(text != NULL);
	if (text != NULL) {
		put(path, sizeof(path), "templates-en.conf", text);
		free(text);
	}
	put(path, sizeof(path), "inc.conf",
	    "database = \"x.db\";\nlanguage = \"en\";\n@include \"templates-en.conf\"\nlog_level = \"warning\";\n");
	CHECK(config_load(path, &inc, &err) == 0);
	if (err != NULL)
		fprintf(stderr, "%s\n", err);

	if (id != NULL && en != NULL && inc != NULL) {
		CHECK_STR(en->language, "en");
		CHECK(strncmp(en->tmpl[TM_ACK], "Thank you", 9) == 0);
		CHECK_STR(en->tmpl[TM_STATUS],
			  "Ticket {ticket}: status {status}, technician {assignee}, note: {note}");
		CHECK_STR(id->tmpl[TM_STATUS],
			  "Tiket {ticket}: status {status}, teknisi {assignee}, catatan: {note}");
		CHECK_STR(en->tmpl[TM_ADMIN_NEW], "New ticket {ticket} from {reporter} ({skpd}): {text}");
		CHECK_STR(id->tmpl[TM_ADMIN_NEW], "Tiket baru {ticket} dari {reporter} ({skpd}): {text}");
		CHECK(config_log_priority(inc) == 4);	/* the key after @include was read */
		for (int i = 0; i < TM__COUNT; i++) {
			CHECK(strcmp(id->tmpl[i], en->tmpl[i]) != 0);
			/* templates-en.conf is exactly the built-in English set. */
			CHECK_STR(inc->tmpl[i], en->tmpl[i]);
		}
		check_builtin_lengths(id);
		check_builtin_lengths(en);
	}
	config_free(id);
	config_free(en);
	config_free(inc);

	/* The included group plus one in the main file is a duplicate. */
	put(path, sizeof(path), "dup.conf",
	    "database = \"x.db\";\n@include \"templates-en.conf\"\ntemplates = { ack = \"x {ticket}\"; };\n");
	err = load_bad(path);
	{
		char want[192];

		snprintf(want, sizeof(want), "%s:3: syntax error: duplicate setting name", path);
		CHECK(contains(err, want));
	}
	free(err);
}

static void
test_include_errors(void)
{
	char path[128], inc[128], want[256], *err;

	/* A problem inside an included file names that file and its line. */
	put(inc, sizeof(inc), "bad-templates.conf", "templates = {\n  info = \"x\";\n  ack = \"Tiket {tiket}\";\n};\n");
	put(path, sizeof(path), "uses-bad.conf", "database = \"x.db\";\n@include \"bad-templates.conf\"\n");
	err = load_bad(path);
	snprintf(want, sizeof(want), "%s:3: templates.ack: unknown placeholder {tiket}", inc);
	CHECK(contains(err, want));
	CHECK(err != NULL && count_lines(err) == 1);
	free(err);

	/* A syntax error inside an included file. */
	put(inc, sizeof(inc), "broken.conf", "\nlog_level = ;\n");
	put(path, sizeof(path), "uses-broken.conf", "database = \"x.db\";\n@include \"broken.conf\"\n");
	err = load_bad(path);
	snprintf(want, sizeof(want), "%s:2: syntax error", inc);
	CHECK(contains(err, want));
	free(err);

	/* A missing include file. */
	put(path, sizeof(path), "uses-missing.conf", "database = \"x.db\";\n\n@include \"nope.conf\"\n");
	err = load_bad(path);
	snprintf(want, sizeof(want), "%s:3: syntax error: cannot open include file", path);
	CHECK(contains(err, want));
	free(err);
}

struct bad_case {
	const char *text;
	int line;		/* 0: the problem has no line */
	const char *want;	/* after "FILE:LINE: " */
};

static const struct bad_case bad_cases[] = {
	/* wrong types */
	{ "database = \"x.db\";\nsms = {\n  poll_interval_ms = \"1000\";\n};\n", 3,
	  "sms.poll_interval_ms: expected an integer from 100 to 600000, got a string" },
	{ "database = \"x.db\";\ncountry_code = 62.0;\n", 2,
	  "country_code: expected an integer from 1 to 999, got a floating-point number" },
	{ "database = \"x.db\";\nsms = { enabled = \"yes\"; device = \"/dev/ttyUSB0\"; };\n", 2,
	  "sms.enabled: expected true or false, got a string" },
	{ "database = 1;\n", 1, "database: expected a non-empty string, got an integer" },
	{ "database = \"\";\n", 1, "database: expected a non-empty string, got \"\"" },
	{ "database = \"x.db\";\nsms = 5;\n", 2, "sms: expected a group { ... }, got an integer" },
	{ "database = \"x.db\";\noutbox = ( 1 );\n", 2, "outbox: expected a group { ... }, got a list" },
	{ "database = \"x.db\";\nlanguage = [ \"en\" ];\n", 2, "language: expected a string, got an array" },
	{ "database = \"x.db\";\ntemplates = { ack = 5; };\n", 2,
	  "templates.ack: expected a non-empty string, got an integer" },
	{ "database = \"x.db\";\ntemplates = { empty = \"\"; };\n", 2,
	  "templates.empty: expected a non-empty string, got \"\"" },
	/* out of range */
	{ "database = \"x.db\";\n\nsms = { max_parts = 11; };\n", 3,
	  "sms.max_parts: expected an integer from 1 to 10, got 11" },
	{ "database = \"x.db\";\nsms = { poll_interval_ms = 99; };\n", 2,
	  "sms.poll_interval_ms: expected an integer from 100 to 600000, got 99" },
	{ "database = \"x.db\";\ncountry_code = 0;\n", 2, "country_code: expected an integer from 1 to 999, got 0" },
	{ "database = \"x.db\";\ncountry_code = 1000;\n", 2,
	  "country_code: expected an integer from 1 to 999, got 1000" },
	{ "database = \"x.db\";\noutbox = {\n  replies_per_hour = -1;\n};\n", 3,
	  "outbox.replies_per_hour: expected an integer from 0 to 10000, got -1" },
	{ "database = \"x.db\";\noutbox = { max_attempts = 5000000000L; };\n", 2,
	  "outbox.max_attempts: expected an integer from 1 to 1000, got 5000000000" },
	{ "database = \"x.db\";\nsms = { gammurc = \"/etc/gammurc\"; gammurc_section = 100; enabled = false; };\n", 2,
	  "sms.gammurc_section: expected an integer from 0 to 99, got 100" },
	/* unknown keys */
	{ "database = \"x.db\";\ndatabse = \"y.db\";\n", 2, "databse: unknown key (expected one of: database," },
	{ "database = \"x.db\";\nsms = {\n  device = \"/dev/ttyUSB0\";\n  pol_interval_ms = 500;\n};\n", 4,
	  "sms.pol_interval_ms: unknown key (expected one of: enabled, gammurc," },
	{ "database = \"x.db\";\noutbox = { retries = 3; };\n", 2, "outbox.retries: unknown key" },
	{ "database = \"x.db\";\nadmins = (\n  { name = \"A\"; email = \"a@b.id\"; },\n  { name = \"B\"; fone = \"0811\"; email = \"b@b.id\"; }\n);\n", 4,
	  "admins[1].fone: unknown key (expected one of: name, phone, email)" },
	{ "database = \"x.db\";\ntemplates = {\n  akc = \"{ticket}\";\n};\n", 3,
	  "templates.akc: unknown key (expected one of: ack, empty, info, status, status_unknown, admin_new)" },
	/* values */
	{ "database = \"x.db\";\nticket_prefix = \"hd\";\n", 2,
	  "ticket_prefix: expected 1 to 6 upper-case letters A-Z, got \"hd\"" },
	{ "database = \"x.db\";\nticket_prefix = \"HELPDSK\";\n", 2,
	  "ticket_prefix: expected 1 to 6 upper-case letters A-Z, got \"HELPDSK\"" },
	{ "database = \"x.db\";\nticket_prefix = \"\";\n", 2,
	  "ticket_prefix: expected 1 to 6 upper-case letters A-Z, got \"\"" },
	{ "database = \"x.db\";\nticket_prefix = \"H-D\";\n", 2,
	  "ticket_prefix: expected 1 to 6 upper-case letters A-Z, got \"H-D\"" },
	{ "database = \"x.db\";\nlanguage = \"fr\";\n", 2, "language: expected \"id\" or \"en\", got \"fr\"" },
	{ "database = \"x.db\";\nlog_level = \"verbose\";\n", 2,
	  "log_level: expected \"error\", \"warning\", \"info\" or \"debug\", got \"verbose\"" },
	{ "database = \"x.db\";\nadmins = ( { name = \"A\"; phone = \"3636\"; } );\n", 2,
	  "admins[0].phone: expected a phone number such as \"0811-3103-001\" or \"+628113103001\", got \"3636\"" },
	{ "database = \"x.db\";\nadmins = ( { name = \"A\";\n  phone = \"HELPDESK\"; } );\n", 3,
	  "admins[0].phone: expected a phone number" },
	{ "database = \"x.db\";\nadmins = ( { name = \"A\";\n  email = \"a@b.go.id\\r\\nBcc: x@y.id\"; } );\n", 3,
	  "admins[0].email: expected an address such as \"helpdesk@example.go.id\", got \"a@b.go.id\\r\\nBcc: x@y.id\"" },
	{ "database = \"x.db\";\nadmins = ( { name = \"A\"; email = \"helpdesk.example.go.id\"; } );\n", 2,
	  "admins[0].email: expected an address" },
	{ "database = \"x.db\";\nadmins = ( { name = \"A\"; email = \"help desk@example.go.id\"; } );\n", 2,
	  "admins[0].email: expected an address" },
	{ "database = \"x.db\";\nadmins = ( { name = \"A\"; email = \"a@b@c.id\"; } );\n", 2,
	  "admins[0].email: expected an address" },
	{ "database = \"x.db\";\nadmins = ( { name = \"A\\nB\"; email = \"a@b.id\"; } );\n", 2,
	  "admins[0].name: expected a name without control characters, got \"A\\nB\"" },
	{ "database = \"x.db\";\nadmins = (\n  { email = \"a@b.id\"; }\n);\n", 3, "admins[0]: name is missing" },
	{ "database = \"x.db\";\nadmins = (\n  { name = \"A\"; }\n);\n", 3,
	  "admins[0]: expected a phone or an email (or both), got neither" },
	{ "database = \"x.db\";\nadmins = { name = \"A\"; email = \"a@b.id\"; };\n", 2,
	  "admins: expected a list of groups ( { name = ...; ... }, ... ), got a group" },
	{ "database = \"x.db\";\nadmins = ( 5 );\n", 2, "admins[0]: expected a group { ... }, got an integer" },
	/* templates */
	{ "database = \"x.db\";\ntemplates = {\n  status = \"{ticket}: {state}\";\n};\n", 3,
	  "templates.status: unknown placeholder {state}" },
	/* syntax */
	{ "database = \"x.db\";\nsms = {\n  device = /dev/ttyUSB0;\n};\n", 3, "syntax error" },
	{ "database = \"x.db\";\nsms = {\n  device = \"/dev/ttyUSB0\";\n  device = \"/dev/ttyUSB1\";\n};\n", 4,
	  "syntax error: duplicate setting name" },
	/* SMS modem settings */
	{ "database = \"x.db\";\nsms = {\n  gammurc = \"/etc/gammurc\";\n  device = \"/dev/ttyUSB0\";\n  enabled = false;\n};\n", 4,
	  "sms.device: cannot be used together with sms.gammurc (line 3)" },
	{ "database = \"x.db\";\nsms = {\n  enabled = false;\n  gammurc = \"/etc/gammurc\";\n  connection = \"at\";\n};\n", 5,
	  "sms.connection: cannot be used together with sms.gammurc (line 4)" },
	{ "database = \"x.db\";\nsms = {\n  device = \"/dev/ttyUSB0\";\n  gammurc_section = 1;\n};\n", 4,
	  "sms.gammurc_section: only used with sms.gammurc, which is not set" },
	{ "database = \"x.db\";\nsms = {\n  enabled = true;\n};\n", 2,
	  "sms: SMS is enabled but neither sms.device nor sms.gammurc is set" },
	{ "database = \"x.db\";\nsms = {\n  gammurc = \"/nonexistent/helpdeskd/gammurc\";\n};\n", 3,
	  "sms.gammurc: cannot read \"/nonexistent/helpdeskd/gammurc\": No such file or directory" },
	{ "database = \"x.db\";\nsms = {\n  device = \"\";\n};\n", 3, "sms.device: expected a non-empty string, got \"\"" },
	{ "database = \"x.db\";\nsms = {\n  reconnect_min = 60;\n  reconnect_max = 30;\n};\n", 4,
	  "sms.reconnect_max: expected at least sms.reconnect_min (60), got 30" },
	{ "database = \"x.db\";\nsms = {\n  reconnect_min = 301;\n};\n", 3,
	  "sms.reconnect_min: expected at most sms.reconnect_max (default 300), got 301" },
	{ "database = \"x.db\";\noutbox = {\n  retry_max = 5;\n};\n", 3,
	  "outbox.retry_max: expected at least outbox.retry_min (10), got 5" },
	/* required */
	{ "country_code = 62;\n", 0, "database: missing; expected a non-empty string" },
};

static void
test_bad_files(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		char path[128], want[512], name[32], *err;

		snprintf(name, sizeof(name), "bad%02zu.conf", i);
		put(path, sizeof(path), name, bc->text);
		err = load_bad(path);
		if (bc->line > 0)
			snprintf(want, sizeof(want), "%s:%d: %s", path, bc->line, bc->want);
		else
			snprintf(want, sizeof(want), "%s: %s", path, bc->want);
		if (!contains(err, want))
			fprintf(stderr, "  (bad case %zu)\n", i);
		CHECK(contains(err, want));
		/* exactly this one problem, on one line, starting the text */
		CHECK(err != NULL && strncmp(err, want, strlen(want)) == 0);
		CHECK(err != NULL && strchr(err, '\n') == NULL && strchr(err, '\r') == NULL);
		free(err);
	}
}

static void
test_many_errors(void)
{
	char path[128], want[256], *err;
	static const char *const wants[] = {
		":1: country_code: expected an integer from 1 to 999, got 0",
		":3: sms.device: cannot be used together with sms.gammurc (line 4)",
		":5: sms.max_parts: expected an integer from 1 to 10, got 0",
		":6: sms.speed: unknown key",
		":8: outbox.retry_min: expected an integer from 1 to 86400, got a string",
		":10: admins[0].phone: expected a phone number",
		":10: admins[0].email: expected an address",
		":11: templates.info: unknown placeholder {nama}",
		":12: log_level: expected \"error\"",
		": database: missing",
	};

	put(path, sizeof(path), "many.conf",
	    "country_code = 0;\n"
	    "sms = { enabled = false;\n"
	    "  device = \"/dev/ttyUSB0\";\n"
	    "  gammurc = \"/etc/gammurc\";\n"
	    "  max_parts = 0;\n"
	    "  speed = 9600;\n"
	    "};\n"
	    "outbox = { retry_min = \"10\"; };\n"
	    "admins = (\n"
	    "  { name = \"A\"; phone = \"12\"; email = \"x\"; } );\n"
	    "templates = { info = \"Halo {nama}\"; };\n"
	    "log_level = \"loud\";\n");
	err = load_bad(path);
	CHECK(err != NULL && count_lines(err) == (int)(sizeof(wants) / sizeof(wants[0])));
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		snprintf(want, sizeof(want), "%s%s", path, wants[i]);
		CHECK(contains(err, want));
	}
	/* Problems come in file order, the missing key last. */
	CHECK(err != NULL && strstr(err, ":1: country_code") < strstr(err, ":12: log_level"));
	CHECK(err != NULL && strstr(err, ":12: log_level") < strstr(err, ": database: missing"));
	free(err);
}

static void
test_unreadable(void)
{
	struct hd_config *cfg = (struct hd_config *)1;
	char path[128], want[256], *err = NULL;

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	CHECK(config_load(path, &cfg, &err) == -1);
	CHECK(cfg == NULL);
	snprintf(want, sizeof(want), "%s: cannot open the configuration file: No such file or directory", path);
	CHECK(err != NULL && strcmp(err, want) == 0);
	if (err != NULL && strcmp(err, want) != 0)
		fprintf(stderr, "  got \"%s\"\n", err);
	free(err);

	err = NULL;
	CHECK(config_load(tmpdir, &cfg, &err) == -1);
	snprintf(want, sizeof(want), "%s: cannot read the configuration file: it is a directory", tmpdir);
	CHECK(err != NULL && strcmp(err, want) == 0);
	free(err);

	/* err may be NULL; the failure still reports -1 without leaking. */
	CHECK(config_load(path, &cfg, NULL) == -1);
	CHECK(config_load(NULL, &cfg, NULL) == -1);
}

static void
test_helpers(void)
{
	static const char *const names[TM__COUNT] = {
		"ack", "empty", "info", "status", "status_unknown", "admin_new",
	};
	static const struct {
		const char *level;
		int pri;
	} levels[] = { { "error", 3 }, { "warning", 4 }, { "info", 6 }, { "debug", 7 } };

	for (int i = 0; i < TM__COUNT; i++)
		CHECK_STR(config_tmpl_name((enum tmpl_id)i), names[i]);
	CHECK(config_tmpl_name(TM__COUNT) == NULL);

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		struct hd_config *cfg = NULL;
		char path[128], text[128], *err = NULL;

		snprintf(text, sizeof(text), "database = \"x.db\";\nlog_level = \"%s\";\n", levels[i].level);
		put(path, sizeof(path), "level.conf", text);
		CHECK(config_load(path, &cfg, &err) == 0);
		CHECK(cfg != NULL && config_log_priority(cfg) == levels[i].pri);
		config_free(cfg);
		free(err);
	}
	config_free(NULL);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hd-test-config-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_example();
	test_minimal_defaults();
	test_values();
	test_languages();
	test_include_errors();
	test_bad_files();
	test_many_errors();
	test_unreadable();
	test_helpers();

	for (int i = 0; i < ncreated; i++)
		CHECK(unlink(created[i]) == 0);
	CHECK(rmdir(tmpdir) == 0);
	return unit_done("config");
}
