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
		{ "priority", "darurat" }, { "reason", "status tiket tidak memungkinkan perintah ini" },
		{ "count", "3" }, { "list", "HD-2611-0042 (tinggi), HD-2611-0043 (normal)" },
		{ "target", "30 menit kerja" },
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
	  "templates.akc: unknown key (expected one of: ack, empty, info, status, status_unknown, admin_new, too_large, accepted," },
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
		"ack", "empty", "info", "status", "status_unknown", "admin_new", "too_large",
		"accepted", "rejected", "assigned", "tech_assigned", "pending", "resolved", "closed",
		"approval", "command_ok", "command_refused", "tasks", "escalate_response",
		"escalate_resolution", "escalate_leadership", "escalate_pending",
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

/* Email groups: imap, smtp, email. */

/* Load text as tmpdir/name, which must succeed; NULL (after a failed check)
 * when it does not. */
static struct hd_config *
load_good(const char *name, const char *text)
{
	struct hd_config *cfg = NULL;
	char path[128], *err = NULL;

	put(path, sizeof(path), name, text);
	CHECK(config_load(path, &cfg, &err) == 0);
	CHECK(err == NULL);
	if (err != NULL)
		fprintf(stderr, "  %s:\n%s\n", name, err);
	free(err);
	CHECK(cfg != NULL);
	return cfg;
}

static void
test_mail_values(void)
{
	struct hd_config *cfg;
	char pass1[128], pass2[128], pass3[128], ca[128], text[4096];

	put(pass1, sizeof(pass1), "imap1.pass", "s3cret pass\n");
	put(pass2, sizeof(pass2), "imap2.pass", "other\r\n");
	put(pass3, sizeof(pass3), "smtp.pass", "smtp-pw");
	put(ca, sizeof(ca), "ca.pem", "-----BEGIN CERTIFICATE-----\n");
	snprintf(text, sizeof(text),
		 "database = \"x.db\";\n"
		 "email = {\n"
		 "  max_size = 1048576L;\n"
		 "  own_addresses = [ \"helpdesk@example.go.id\", \"noreply@example.go.id\" ];\n"
		 "  msgid_domain = \"helpdesk.example.go.id\";\n"
		 "};\n"
		 "imap = (\n"
		 "  { name = \"inbox\"; host = \"imap.example.go.id\"; port = 993; tls = \"imaps\";\n"
		 "    tls_verify = true; ca_file = \"%s\"; user = \"helpdesk\"; password_file = \"%s\";\n"
		 "    folder = \"INBOX\"; move_to = \"Processed\"; idle = true; poll_interval = 60;\n"
		 "    timeout = 60; initial = \"unseen\"; reply_max_age = 72; },\n"
		 "  { name = \"pengaduan_2-x\"; host = \"10.0.0.5\"; port = 1143; tls = \"starttls\";\n"
		 "    tls_verify = false; user = \"pengaduan@example.go.id\"; password_file = \"%s\";\n"
		 "    folder = \"Pengaduan Masuk\"; idle = false; poll_interval = 5; timeout = 600;\n"
		 "    initial = \"all\"; reply_max_age = 0; },\n"
		 "  { name = \"t\"; host = \"localhost\"; tls = \"none\"; user = \"u\"; password = \"p w\";\n"
		 "    poll_interval = 3600; timeout = 5; initial = \"new\"; reply_max_age = 87600; }\n"
		 ");\n"
		 "smtp = {\n"
		 "  host = \"smtp.example.go.id\"; port = 2525; tls = \"smtps\"; tls_verify = false;\n"
		 "  ca_file = \"%s\"; user = \"helpdesk\"; password_file = \"%s\";\n"
		 "  from = \"helpdesk@example.go.id\"; from_name = \"Helpdesk Diskominfo\";\n"
		 "  envelope_from = \"bounce@example.go.id\"; timeout = 600;\n"
		 "};\n"
		 "templates = { too_large = \"Email terlalu besar ({prefix}).\"; };\n",
		 ca, pass1, pass2, ca, pass3);
	cfg = load_good("mail-values.conf", text);
	if (cfg == NULL)
		return;
	CHECK(cfg->nimap == 3);
	if (cfg->nimap == 3) {
		const struct cfg_imap *a = &cfg->imap[0], *b = &cfg->imap[1], *c = &cfg->imap[2];

		CHECK_STR(a->name, "inbox");
		CHECK_STR(a->host, "imap.example.go.id");
		CHECK(a->port == 993);
		CHECK(a->tls == TLS_IMPLICIT);
		CHECK(a->tls_verify == 1);
		CHECK_STR(a->ca_file, ca);
		CHECK_STR(a->user, "helpdesk");
		CHECK_STR(a->password, "s3cret pass");	/* "\n" stripped */
		CHECK_STR(a->folder, "INBOX");
		CHECK_STR(a->move_to, "Processed");
		CHECK(a->idle == 1);
		CHECK(a->poll_interval == 60);
		CHECK(a->timeout == 60);
		CHECK(a->initial == INITIAL_UNSEEN);
		CHECK(a->reply_max_age == 72);

		CHECK_STR(b->name, "pengaduan_2-x");
		CHECK_STR(b->host, "10.0.0.5");
		CHECK(b->port == 1143);
		CHECK(b->tls == TLS_STARTTLS);
		CHECK(b->tls_verify == 0);
		CHECK(b->ca_file == NULL);
		CHECK_STR(b->user, "pengaduan@example.go.id");
		CHECK_STR(b->password, "other");	/* "\r\n" stripped */
		CHECK_STR(b->folder, "Pengaduan Masuk");
		CHECK(b->move_to == NULL);
		CHECK(b->idle == 0);
		CHECK(b->poll_interval == 5);
		CHECK(b->timeout == 600);
		CHECK(b->initial == INITIAL_ALL);
		CHECK(b->reply_max_age == 0);

		CHECK(c->tls == TLS_NONE);
		CHECK(c->port == 143);
		CHECK_STR(c->password, "p w");
		CHECK(c->poll_interval == 3600);
		CHECK(c->timeout == 5);
		CHECK(c->initial == INITIAL_NEW);
		CHECK(c->reply_max_age == 87600);
	}
	CHECK(cfg->smtp.enabled == 1);
	CHECK_STR(cfg->smtp.host, "smtp.example.go.id");
	CHECK(cfg->smtp.port == 2525);
	CHECK(cfg->smtp.tls == TLS_IMPLICIT);
	CHECK(cfg->smtp.tls_verify == 0);
	CHECK_STR(cfg->smtp.ca_file, ca);
	CHECK_STR(cfg->smtp.user, "helpdesk");
	CHECK_STR(cfg->smtp.password, "smtp-pw");	/* no newline to strip */
	CHECK_STR(cfg->smtp.from, "helpdesk@example.go.id");
	CHECK_STR(cfg->smtp.from_name, "Helpdesk Diskominfo");
	CHECK_STR(cfg->smtp.envelope_from, "bounce@example.go.id");
	CHECK(cfg->smtp.timeout == 600);
	CHECK(cfg->email.max_size == 1048576);
	CHECK(cfg->email.nown == 2);
	if (cfg->email.nown == 2) {
		CHECK_STR(cfg->email.own_addresses[0], "helpdesk@example.go.id");
		CHECK_STR(cfg->email.own_addresses[1], "noreply@example.go.id");
	}
	CHECK_STR(cfg->email.msgid_domain, "helpdesk.example.go.id");
	CHECK_STR(cfg->tmpl[TM_TOO_LARGE], "Email terlalu besar ({prefix}).");
	config_free(cfg);

	/* The limits of max_size, as int and as int64. */
	cfg = load_good("mail-size.conf", "database = \"x.db\";\nemail = { max_size = 1024; };\n");
	if (cfg != NULL)
		CHECK(cfg->email.max_size == 1024);
	config_free(cfg);
	cfg = load_good("mail-size.conf", "database = \"x.db\";\nemail = { max_size = 1073741824L; };\n");
	if (cfg != NULL)
		CHECK(cfg->email.max_size == 1073741824LL);
	config_free(cfg);
	cfg = load_good("mail-size.conf", "database = \"x.db\";\nemail = { max_size = 1073741824; own_addresses = []; };\n");
	if (cfg != NULL) {
		CHECK(cfg->email.max_size == 1073741824LL);
		CHECK(cfg->email.nown == 0);
		CHECK(cfg->email.own_addresses == NULL);
	}
	config_free(cfg);
}

static void
test_mail_defaults(void)
{
	struct hd_config *cfg;
	static const struct {
		const char *tls;
		int port;
		enum tls_mode mode;
	} smtp_ports[] = {
		{ "smtps", 465, TLS_IMPLICIT }, { "starttls", 587, TLS_STARTTLS }, { "none", 25, TLS_NONE },
	};

	/* Nothing about email: no mailboxes, no SMTP, built-in defaults. */
	cfg = load_good("mail-none.conf", "database = \"x.db\";\n");
	if (cfg != NULL) {
		CHECK(cfg->nimap == 0);
		CHECK(cfg->imap == NULL);
		CHECK(cfg->smtp.enabled == 0);
		CHECK(cfg->smtp.host == NULL);
		CHECK(cfg->smtp.from == NULL);
		CHECK(cfg->smtp.tls == TLS_STARTTLS);
		CHECK(cfg->smtp.port == 587);
		CHECK_STR(cfg->smtp.from_name, "Helpdesk");
		CHECK_STR(cfg->smtp.envelope_from, "");
		CHECK(cfg->email.max_size == 26214400);
		CHECK(cfg->email.nown == 0);
		CHECK_STR(cfg->email.msgid_domain, "helpdeskd.invalid");
		CHECK(cfg->tmpl[TM_TOO_LARGE] != NULL && strstr(cfg->tmpl[TM_TOO_LARGE], "email") != NULL);
	}
	config_free(cfg);

	/* Minimal mailboxes and SMTP; email comes before smtp in the file and
	 * still gets its Message-ID domain from smtp.from. */
	cfg = load_good("mail-min.conf",
			"database = \"x.db\";\n"
			"email = { max_size = 2048; };\n"
			"imap = (\n"
			"  { name = \"a\"; host = \"imap.example.go.id\"; user = \"u\"; password = \"p\"; },\n"
			"  { name = \"b\"; host = \"imap.example.go.id\"; user = \"u\"; password = \"p\"; tls = \"starttls\"; },\n"
			"  { name = \"c\"; host = \"imap.example.go.id\"; user = \"u\"; password = \"p\"; tls = \"none\"; }\n"
			");\n"
			"smtp = { host = \"smtp.example.go.id\"; from = \"helpdesk@kominfo.example.go.id\"; };\n");
	if (cfg != NULL) {
		CHECK(cfg->nimap == 3);
		for (size_t i = 0; i < cfg->nimap && cfg->nimap == 3; i++) {
			const struct cfg_imap *im = &cfg->imap[i];

			CHECK(im->port == (i == 0 ? 993 : 143));
			CHECK(im->tls == (i == 0 ? TLS_IMPLICIT : i == 1 ? TLS_STARTTLS : TLS_NONE));
			CHECK(im->tls_verify == 1);
			CHECK(im->ca_file == NULL);
			CHECK_STR(im->folder, "INBOX");
			CHECK(im->move_to == NULL);
			CHECK(im->idle == 1);
			CHECK(im->poll_interval == 60);
			CHECK(im->timeout == 60);
			CHECK(im->initial == INITIAL_UNSEEN);
			CHECK(im->reply_max_age == 72);
		}
		CHECK(cfg->smtp.enabled == 1);	/* implied by host */
		CHECK(cfg->smtp.tls == TLS_STARTTLS);
		CHECK(cfg->smtp.port == 587);
		CHECK(cfg->smtp.tls_verify == 1);
		CHECK(cfg->smtp.ca_file == NULL);
		CHECK(cfg->smtp.user == NULL);
		CHECK(cfg->smtp.password == NULL);
		CHECK_STR(cfg->smtp.from_name, "Helpdesk");
		CHECK_STR(cfg->smtp.envelope_from, "");
		CHECK(cfg->smtp.timeout == 60);
		CHECK(cfg->email.max_size == 2048);
		CHECK_STR(cfg->email.msgid_domain, "kominfo.example.go.id");
	}
	config_free(cfg);

	for (size_t i = 0; i < sizeof(smtp_ports) / sizeof(smtp_ports[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text),
			 "database = \"x.db\";\nsmtp = { host = \"h\"; tls = \"%s\"; from = \"a@b.id\"; };\n",
			 smtp_ports[i].tls);
		cfg = load_good("mail-port.conf", text);
		if (cfg != NULL) {
			CHECK(cfg->smtp.port == smtp_ports[i].port);
			CHECK(cfg->smtp.tls == smtp_ports[i].mode);
		}
		config_free(cfg);
	}

	/* Mailboxes without SMTP load: replies wait in the outbox. An explicit
	 * enabled = false needs neither host nor from. */
	cfg = load_good("mail-nosmtp.conf",
			"database = \"x.db\";\n"
			"imap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; } );\n"
			"smtp = { enabled = false; tls = \"smtps\"; };\n");
	if (cfg != NULL) {
		CHECK(cfg->nimap == 1);
		CHECK(cfg->smtp.enabled == 0);
		CHECK(cfg->smtp.port == 465);
		CHECK_STR(cfg->email.msgid_domain, "helpdeskd.invalid");
	}
	config_free(cfg);

	/* An empty list: no mailboxes. */
	cfg = load_good("mail-empty.conf", "database = \"x.db\";\nimap = ( );\n");
	if (cfg != NULL)
		CHECK(cfg->nimap == 0 && cfg->imap == NULL);
	config_free(cfg);
}

/* Load text (with %s replaced by path) as tmpdir/mail-pw.conf, which must
 * fail with exactly the one problem "FILE:line: want"; and the problem must
 * not show secret. */
static void
check_password_file(const char *path, int line, const char *want, const char *secret)
{
	char conf[128], text[512], full[512], *err;

	snprintf(text, sizeof(text),
		 "database = \"x.db\";\n"
		 "imap = (\n"
		 "  { name = \"a\"; host = \"h\"; user = \"u\";\n"
		 "    password_file = \"%s\"; }\n"
		 ");\n", path);
	put(conf, sizeof(conf), "mail-pw.conf", text);
	err = load_bad(conf);
	snprintf(full, sizeof(full), "%s:%d: %s", conf, line, want);
	CHECK(contains(err, full));
	CHECK(err != NULL && strncmp(err, full, strlen(full)) == 0 && strchr(err, '\n') == NULL);
	if (secret != NULL)
		CHECK(err != NULL && strstr(err, secret) == NULL);
	free(err);
}

static void
test_password_files(void)
{
	char pw[128], want[512], dir[128];

	snprintf(pw, sizeof(pw), "%s/no-such.pass", tmpdir);
	snprintf(want, sizeof(want),
		 "imap[0].password_file: cannot read \"%s\": No such file or directory", pw);
	check_password_file(pw, 4, want, NULL);

	put(pw, sizeof(pw), "empty.pass", "");
	snprintf(want, sizeof(want), "imap[0].password_file: expected the password in \"%s\", got an empty file", pw);
	check_password_file(pw, 4, want, NULL);

	put(pw, sizeof(pw), "newline.pass", "\r\n");
	snprintf(want, sizeof(want), "imap[0].password_file: expected the password in \"%s\", got an empty file", pw);
	check_password_file(pw, 4, want, NULL);

	put(pw, sizeof(pw), "two-lines.pass", "hunter2\nsecond\n");
	snprintf(want, sizeof(want),
		 "imap[0].password_file: expected one line without NUL, CR or LF characters in \"%s\"", pw);
	check_password_file(pw, 4, want, "hunter2");

	put(pw, sizeof(pw), "two-newlines.pass", "hunter2\n\n");
	check_password_file(pw, 4, "imap[0].password_file: expected one line", "hunter2");

	put(pw, sizeof(pw), "cr.pass", "hunter2\r");
	check_password_file(pw, 4, "imap[0].password_file: expected one line", "hunter2");

	snprintf(dir, sizeof(dir), "%s", tmpdir);
	snprintf(want, sizeof(want), "imap[0].password_file: cannot read \"%s\": Is a directory", dir);
	check_password_file(dir, 4, want, NULL);

	/* NUL inside the file. */
	{
		FILE *f;

		snprintf(pw, sizeof(pw), "%s/nul.pass", tmpdir);
		f = fopen(pw, "w");
		CHECK(f != NULL);
		if (f != NULL) {
			CHECK(fwrite("ab\0cd\n", 1, 6, f) == 6);
			CHECK(fclose(f) == 0);
			if (ncreated < (int)(sizeof(created) / sizeof(created[0])))
				snprintf(created[ncreated++], sizeof(created[0]), "%s", pw);
			check_password_file(pw, 4, "imap[0].password_file: expected one line", NULL);
		}
	}

	/* An unreadable file (unless running as root, who reads anything). */
	if (geteuid() != 0) {
		put(pw, sizeof(pw), "locked.pass", "hunter2\n");
		CHECK(chmod(pw, 0) == 0);
		snprintf(want, sizeof(want), "imap[0].password_file: cannot read \"%s\": Permission denied", pw);
		check_password_file(pw, 4, want, NULL);
	}

	/* Too long for a password file. */
	{
		char big[5000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		put(pw, sizeof(pw), "big.pass", big);
		check_password_file(pw, 4, "imap[0].password_file: expected a password file of at most 4096 bytes", NULL);
	}
}

static const struct bad_case mail_bad_cases[] = {
	/* imap */
	{ "database = \"x.db\";\nimap = (\n  { name = \"a\"; host = \"h\"; user = \"u\";\n"
	  "    password = \"p\";\n    password_file = \"/etc/helpdeskd/imap.pass\"; }\n);\n", 5,
	  "imap[0].password_file: cannot be used together with imap[0].password (line 4): set one of them" },
	{ "database = \"x.db\";\nimap = (\n  { name = \"a\"; host = \"h\"; user = \"u\"; }\n);\n", 3,
	  "imap[0]: expected password or password_file, got neither" },
	{ "database = \"x.db\";\nimap = (\n  { name = \"inbox\"; host = \"h\"; user = \"u\"; password = \"p\"; },\n"
	  "  { name = \"other\"; host = \"h\"; user = \"u\"; password = \"p\"; },\n"
	  "  { name = \"inbox\"; host = \"h2\"; user = \"v\"; password = \"q\"; }\n);\n", 5,
	  "imap[2].name: expected a name no other mailbox has, got \"inbox\" (as imap[0].name, line 3)" },
	{ "database = \"x.db\";\nimap = (\n  { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\";\n"
	  "    tls = \"ssl\"; }\n);\n", 4,
	  "imap[0].tls: expected \"imaps\", \"starttls\" or \"none\", got \"ssl\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; tls = \"smtps\"; } );\n", 2,
	  "imap[0].tls: expected \"imaps\", \"starttls\" or \"none\", got \"smtps\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; tls = \"\"; } );\n", 2,
	  "imap[0].tls: expected \"imaps\", \"starttls\" or \"none\", got \"\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; tls = true; } );\n", 2,
	  "imap[0].tls: expected a string, got a boolean" },
	{ "database = \"x.db\";\nimap = ( { name = \"Inbox\"; host = \"h\"; user = \"u\"; password = \"p\"; } );\n", 2,
	  "imap[0].name: expected 1 to 32 characters a-z, 0-9, _ or -, got \"Inbox\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"in box\"; host = \"h\"; user = \"u\"; password = \"p\"; } );\n", 2,
	  "imap[0].name: expected 1 to 32 characters a-z, 0-9, _ or -, got \"in box\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"abcdefghijklmnopqrstuvwxyz0123456\"; host = \"h\"; user = \"u\"; password = \"p\"; } );\n", 2,
	  "imap[0].name: expected 1 to 32 characters a-z, 0-9, _ or -, got \"abcdefghijklmnopqrstuvwxyz0123456\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"\"; host = \"h\"; user = \"u\"; password = \"p\"; } );\n", 2,
	  "imap[0].name: expected a non-empty string, got \"\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"imap example\"; user = \"u\"; password = \"p\"; } );\n", 2,
	  "imap[0].host: expected a host name or address without spaces or control characters, got \"imap example\"" },
	{ "database = \"x.db\";\nimap = (\n  { host = \"h\"; user = \"u\"; password = \"p\"; }\n);\n", 3,
	  "imap[0]: name is missing" },
	{ "database = \"x.db\";\nimap = (\n  { name = \"a\"; user = \"u\"; password = \"p\"; }\n);\n", 3,
	  "imap[0]: host is missing" },
	{ "database = \"x.db\";\nimap = (\n  { name = \"a\"; host = \"h\"; password = \"p\"; }\n);\n", 3,
	  "imap[0]: user is missing" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; port = 0; } );\n", 2,
	  "imap[0].port: expected an integer from 1 to 65535, got 0" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; port = 65536; } );\n", 2,
	  "imap[0].port: expected an integer from 1 to 65535, got 65536" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; poll_interval = 4; } );\n", 2,
	  "imap[0].poll_interval: expected an integer from 5 to 3600, got 4" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; timeout = 601; } );\n", 2,
	  "imap[0].timeout: expected an integer from 5 to 600, got 601" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; reply_max_age = -1; } );\n", 2,
	  "imap[0].reply_max_age: expected an integer from 0 to 87600, got -1" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; initial = \"old\"; } );\n", 2,
	  "imap[0].initial: expected \"unseen\", \"all\" or \"new\", got \"old\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; idle = 1; } );\n", 2,
	  "imap[0].idle: expected true or false, got an integer" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; move_to = \"\"; } );\n", 2,
	  "imap[0].move_to: expected a non-empty string, got \"\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; folder = \"IN\\nBOX\"; } );\n", 2,
	  "imap[0].folder: expected a folder name without control characters, got \"IN\\nBOX\"" },
	{ "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\"; user = \"u\"; password = \"hunter2\\r\\n\"; } );\n", 2,
	  "imap[0].password: expected a password without CR or LF characters" },
	{ "database = \"x.db\";\nimap = (\n  { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\";\n"
	  "    ca_file = \"/nonexistent/helpdeskd/ca.pem\"; }\n);\n", 4,
	  "imap[0].ca_file: cannot read \"/nonexistent/helpdeskd/ca.pem\": No such file or directory" },
	{ "database = \"x.db\";\nimap = (\n  { name = \"a\"; host = \"h\"; user = \"u\";\n    pasword = \"p\"; password = \"p\"; }\n);\n", 4,
	  "imap[0].pasword: unknown key (expected one of: name, host, port, tls, tls_verify, ca_file, user, "
	  "password, password_file, folder, move_to, idle, poll_interval, timeout, initial, reply_max_age)" },
	{ "database = \"x.db\";\nimap = { name = \"a\"; host = \"h\"; user = \"u\"; password = \"p\"; };\n", 2,
	  "imap: expected a list of groups ( { name = ...; ... }, ... ), got a group" },
	{ "database = \"x.db\";\nimap = ( \"inbox\" );\n", 2, "imap[0]: expected a group { ... }, got a string" },
	/* smtp */
	{ "database = \"x.db\";\nsmtp = {\n  host = \"smtp.example.go.id\";\n};\n", 2,
	  "smtp: SMTP is enabled but smtp.from is not set" },
	{ "database = \"x.db\";\nsmtp = {\n  enabled = true;\n  from = \"a@b.id\";\n};\n", 2,
	  "smtp: SMTP is enabled but smtp.host is not set" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\";\n  from = \"helpdesk\"; };\n", 3,
	  "smtp.from: expected an address such as \"helpdesk@example.go.id\", got \"helpdesk\"" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\";\n  from = \"Helpdesk <helpdesk@example.go.id>\"; };\n", 3,
	  "smtp.from: expected an address such as \"helpdesk@example.go.id\", got \"Helpdesk <helpdesk@example.go.id>\"" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\";\n  envelope_from = \"<>\"; };\n", 3,
	  "smtp.envelope_from: expected \"\" (the null reverse-path) or an address such as \"helpdesk@example.go.id\", got \"<>\"" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\"; from_name = \"Help\\r\\nBcc: x@y.id\"; };\n", 2,
	  "smtp.from_name: expected a name without control characters, got \"Help\\r\\nBcc: x@y.id\"" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\"; tls = \"imaps\"; };\n", 2,
	  "smtp.tls: expected \"smtps\", \"starttls\" or \"none\", got \"imaps\"" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\";\n  password = \"p\"; };\n", 3,
	  "smtp.password: only used with smtp.user, which is not set" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\";\n  password_file = \"/etc/helpdeskd/smtp.pass\"; };\n", 3,
	  "smtp.password_file: only used with smtp.user, which is not set" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\";\n  user = \"helpdesk\"; };\n", 2,
	  "smtp: expected password or password_file, got neither" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\"; user = \"helpdesk\";\n"
	  "  password_file = \"/etc/helpdeskd/smtp.pass\";\n  password = \"p\"; };\n", 3,
	  "smtp.password_file: cannot be used together with smtp.password (line 4): set one of them" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\"; timeout = 4; };\n", 2,
	  "smtp.timeout: expected an integer from 5 to 600, got 4" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\"; from = \"a@b.id\"; ca_file = \"/nonexistent/ca.pem\"; };\n", 2,
	  "smtp.ca_file: cannot read \"/nonexistent/ca.pem\": No such file or directory" },
	{ "database = \"x.db\";\nsmtp = ( );\n", 2, "smtp: expected a group { ... }, got a list" },
	{ "database = \"x.db\";\nsmtp = { host = \"h\";\n  from = \"a@exa_mple.id\"; };\n", 3,
	  "smtp.from: expected a domain of letters, digits, dots and hyphens to use in Message-IDs "
	  "(or set email.msgid_domain), got \"exa_mple.id\"" },
	/* email */
	{ "database = \"x.db\";\nemail = {\n  own_addresses = [ \"helpdesk@example.go.id\",\n    \"noreply\" ];\n};\n", 4,
	  "email.own_addresses[1]: expected an address such as \"helpdesk@example.go.id\", got \"noreply\"" },
	{ "database = \"x.db\";\nemail = { own_addresses = [ 1 ]; };\n", 2,
	  "email.own_addresses[0]: expected an address such as \"helpdesk@example.go.id\", got an integer" },
	{ "database = \"x.db\";\nemail = { own_addresses = \"a@b.id\"; };\n", 2,
	  "email.own_addresses: expected an array of addresses [ \"helpdesk@example.go.id\", ... ], got a string" },
	{ "database = \"x.db\";\nemail = { max_size = 1023; };\n", 2,
	  "email.max_size: expected an integer from 1024 to 1073741824, got 1023" },
	{ "database = \"x.db\";\nemail = { max_size = 1073741825; };\n", 2,
	  "email.max_size: expected an integer from 1024 to 1073741824, got 1073741825" },
	{ "database = \"x.db\";\nemail = { max_size = 26214400000L; };\n", 2,
	  "email.max_size: expected an integer from 1024 to 1073741824, got 26214400000" },
	{ "database = \"x.db\";\nemail = { max_size = \"25M\"; };\n", 2,
	  "email.max_size: expected an integer from 1024 to 1073741824, got a string" },
	{ "database = \"x.db\";\nemail = { msgid_domain = \".example.go.id\"; };\n", 2,
	  "email.msgid_domain: expected a domain such as \"helpdesk.example.go.id\" (letters, digits, dots and hyphens), got \".example.go.id\"" },
	{ "database = \"x.db\";\nemail = { msgid_domain = \"example.go.id.\"; };\n", 2, "email.msgid_domain: expected a domain" },
	{ "database = \"x.db\";\nemail = { msgid_domain = \"helpdesk@example.go.id\"; };\n", 2, "email.msgid_domain: expected a domain" },
	{ "database = \"x.db\";\nemail = { maxsize = 1024; };\n", 2,
	  "email.maxsize: unknown key (expected one of: max_size, own_addresses, msgid_domain)" },
	/* the too_large template */
	{ "database = \"x.db\";\ntemplates = {\n  too_large = \"Email over {limit}\";\n};\n", 3,
	  "templates.too_large: unknown placeholder {limit}" },
};

static void
test_mail_bad_files(void)
{
	for (size_t i = 0; i < sizeof(mail_bad_cases) / sizeof(mail_bad_cases[0]); i++) {
		const struct bad_case *bc = &mail_bad_cases[i];
		char path[128], want[512], *err;

		put(path, sizeof(path), "mail-bad.conf", bc->text);
		err = load_bad(path);
		snprintf(want, sizeof(want), "%s:%d: %s", path, bc->line, bc->want);
		if (!contains(err, want))
			fprintf(stderr, "  (mail bad case %zu)\n", i);
		/* exactly this one problem, on one line, starting the text */
		CHECK(err != NULL && strncmp(err, want, strlen(want)) == 0);
		if (err != NULL && strchr(err, '\n') != NULL)
			fprintf(stderr, "  (mail bad case %zu: more than one problem)\n%s\n", i, err);
		CHECK(err != NULL && strchr(err, '\n') == NULL && strchr(err, '\r') == NULL);
		CHECK(err == NULL || strstr(err, "hunter2") == NULL);	/* no password shown */
		free(err);
	}
}

/* Too many mailboxes or own addresses; several problems at once. */
static void
test_mail_limits(void)
{
	char path[128], want[256], *text, *err;
	size_t cap = 8192, len;
	struct hd_config *cfg;

	text = malloc(cap);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	for (int n = 16; n <= 17; n++) {
		len = (size_t)snprintf(text, cap, "database = \"x.db\";\nimap = (\n");
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, cap - len,
				"%s  { name = \"m%d\"; host = \"h\"; user = \"u\"; password = \"p\"; }\n",
				i ? "," : "", i);
		snprintf(text + len, cap - len, ");\n");
		if (n == 16) {
			cfg = load_good("mail-many.conf", text);
			CHECK(cfg != NULL && cfg->nimap == 16);
			CHECK(cfg != NULL && cfg->nimap == 16 && strcmp(cfg->imap[15].name, "m15") == 0);
			config_free(cfg);
		} else {
			put(path, sizeof(path), "mail-many.conf", text);
			err = load_bad(path);
			snprintf(want, sizeof(want), "%s:2: imap: expected at most 16 mailboxes, got 17", path);
			CHECK(err != NULL && strcmp(err, want) == 0);
			free(err);
		}
	}
	for (int n = 64; n <= 65; n++) {
		len = (size_t)snprintf(text, cap, "database = \"x.db\";\nemail = {\n  own_addresses = [");
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, cap - len, "%s \"a%d@example.go.id\"", i ? "," : "", i);
		snprintf(text + len, cap - len, " ];\n};\n");
		if (n == 64) {
			cfg = load_good("mail-own.conf", text);
			CHECK(cfg != NULL && cfg->email.nown == 64);
			CHECK(cfg != NULL && cfg->email.nown == 64 &&
			      strcmp(cfg->email.own_addresses[63], "a63@example.go.id") == 0);
			config_free(cfg);
		} else {
			put(path, sizeof(path), "mail-own.conf", text);
			err = load_bad(path);
			snprintf(want, sizeof(want), "%s:3: email.own_addresses: expected at most 64 addresses, got 65", path);
			CHECK(err != NULL && strcmp(err, want) == 0);
			free(err);
		}
	}
	free(text);

	/* Several problems in the email groups, all reported in file order. */
	put(path, sizeof(path), "mail-many-errors.conf",
	    "database = \"x.db\";\n"
	    "imap = (\n"
	    "  { name = \"A\"; host = \"h\"; user = \"u\"; password = \"p\"; port = 0; },\n"
	    "  { name = \"b\"; tls = \"tls\"; user = \"u\"; }\n"
	    ");\n"
	    "smtp = { host = \"h\"; from = \"x\"; envelope_from = \"<>\"; };\n"
	    "email = { max_size = 1; own_addresses = [ \"bad\" ]; };\n");
	err = load_bad(path);
	{
		static const char *const wants[] = {
			":3: imap[0].name: expected 1 to 32 characters",
			":3: imap[0].port: expected an integer from 1 to 65535, got 0",
			":4: imap[1].tls: expected \"imaps\"",
			":4: imap[1]: host is missing",
			":4: imap[1]: expected password or password_file, got neither",
			":6: smtp.from: expected an address",
			":6: smtp.envelope_from: expected \"\"",
			":7: email.max_size: expected an integer from 1024 to 1073741824, got 1",
			":7: email.own_addresses[0]: expected an address",
		};

		CHECK(err != NULL && count_lines(err) == (int)(sizeof(wants) / sizeof(wants[0])));
		for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
			snprintf(want, sizeof(want), "%s%s", path, wants[i]);
			CHECK(contains(err, want));
		}
	}
	free(err);
}

/* Replace the first "#" of each line of the commented-out block that starts
 * with the line first and ends with the line last. */
static void
uncomment_block(char *text, const char *first, const char *last)
{
	char *p = strstr(text, first);

	CHECK(p != NULL);
	while (p != NULL && *p != '\0') {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		int end = n == strlen(last) && strncmp(p, last, n) == 0;

		CHECK(*p == '#');
		if (*p == '#')
			*p = ' ';
		if (end || eol == NULL)
			break;
		p = eol + 1;
	}
}

/* Replace the first occurrence of from in *text by to. */
static void
replace(char **text, const char *from, const char *to)
{
	char *p = strstr(*text, from), *out;
	size_t n;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	n = strlen(*text) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	CHECK(out != NULL);
	if (out == NULL)
		return;
	snprintf(out, n, "%.*s%s%s", (int)(p - *text), *text, to, p + strlen(from));
	free(*text);
	*text = out;
}

static void
test_example_mail(void)
{
	struct hd_config *cfg = NULL;
	char imap_pass[128], smtp_pass[128], quoted[160], *err = NULL, *text;

	/* As shipped: the email groups are commented out. */
	CHECK(config_load(EXAMPLE, &cfg, &err) == 0);
	if (cfg != NULL) {
		CHECK(cfg->nimap == 0);
		CHECK(cfg->smtp.enabled == 0);
		CHECK(cfg->email.max_size == 26214400);
		CHECK(cfg->email.nown == 0);
		CHECK_STR(cfg->email.msgid_domain, "helpdeskd.invalid");
		CHECK(strncmp(cfg->tmpl[TM_TOO_LARGE], "Mohon maaf, email Anda", 22) == 0);
	}
	config_free(cfg);
	free(err);

	/* With the example imap and smtp groups uncommented. */
	text = slurp(EXAMPLE);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	uncomment_block(text, "#imap = (\n", "#);");
	uncomment_block(text, "#smtp = {\n", "#};");
	put(imap_pass, sizeof(imap_pass), "example-imap.pass", "imap-secret\n");
	put(smtp_pass, sizeof(smtp_pass), "example-smtp.pass", "smtp-secret\n");
	snprintf(quoted, sizeof(quoted), "\"%s\"", imap_pass);
	replace(&text, "\"/etc/helpdeskd/imap.pass\"", quoted);
	snprintf(quoted, sizeof(quoted), "\"%s\"", smtp_pass);
	replace(&text, "\"/etc/helpdeskd/smtp.pass\"", quoted);
	replace(&text, "  own_addresses = [ ];\n", "");
	replace(&text, "#own_addresses", "own_addresses");
	replace(&text, "#msgid_domain", "msgid_domain");
	cfg = load_good("example-mail.conf", text);
	free(text);
	if (cfg == NULL)
		return;
	CHECK(cfg->nimap == 1);
	if (cfg->nimap == 1) {
		CHECK_STR(cfg->imap[0].name, "inbox");
		CHECK_STR(cfg->imap[0].host, "mail.diskominfo.example.go.id");
		CHECK(cfg->imap[0].port == 993);
		CHECK(cfg->imap[0].tls == TLS_IMPLICIT);
		CHECK(cfg->imap[0].tls_verify == 1);
		CHECK(cfg->imap[0].ca_file == NULL);
		CHECK_STR(cfg->imap[0].user, "helpdesk");
		CHECK_STR(cfg->imap[0].password, "imap-secret");
		CHECK_STR(cfg->imap[0].folder, "INBOX");
		CHECK_STR(cfg->imap[0].move_to, "Processed");
		CHECK(cfg->imap[0].initial == INITIAL_UNSEEN);
		CHECK(cfg->imap[0].reply_max_age == 72);
	}
	CHECK(cfg->smtp.enabled == 1);
	CHECK(cfg->smtp.port == 587);
	CHECK(cfg->smtp.tls == TLS_STARTTLS);
	CHECK_STR(cfg->smtp.password, "smtp-secret");
	CHECK_STR(cfg->smtp.from, "helpdesk@diskominfo.example.go.id");
	CHECK_STR(cfg->smtp.from_name, "Helpdesk Diskominfo");
	CHECK_STR(cfg->smtp.envelope_from, "");
	CHECK(cfg->email.nown == 2);
	CHECK_STR(cfg->email.msgid_domain, "helpdesk.example.go.id");
	config_free(cfg);
}

/* The workflow and sla groups. */

#define MIN_MS	60000LL
#define HOUR_MS	3600000LL

/* Whether day wd of cal is exactly the spans given as start, end pairs. */
static int
spans_are(const struct calendar *cal, int wd, int n, const int *se)
{
	if (cal->nspan[wd] != n) {
		fprintf(stderr, "  day %d: %d spans, want %d\n", wd, cal->nspan[wd], n);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (cal->day[wd][i].start != se[2 * i] || cal->day[wd][i].end != se[2 * i + 1]) {
			fprintf(stderr, "  day %d span %d: %d-%d, want %d-%d\n", wd, i, cal->day[wd][i].start,
				cal->day[wd][i].end, se[2 * i], se[2 * i + 1]);
			return 0;
		}
	return 1;
}

/* The SOP's week: Mon-Thu 08-12, 13-17; Fri 08-11, 13-17; Sat 08-12. */
static int
is_sop_week(const struct calendar *cal)
{
	static const int full[] = { 480, 720, 780, 1020 }, fri[] = { 480, 660, 780, 1020 }, sat[] = { 480, 720 };

	return spans_are(cal, 0, 0, NULL) && spans_are(cal, 1, 2, full) && spans_are(cal, 2, 2, full) &&
	       spans_are(cal, 3, 2, full) && spans_are(cal, 4, 2, full) && spans_are(cal, 5, 2, fri) &&
	       spans_are(cal, 6, 1, sat);
}

/* The defaults of both groups, in cfg loaded from a file without them. */
static void
check_workflow_defaults(const struct hd_config *cfg)
{
	const struct cfg_sla *sla = &cfg->sla;

	CHECK(cfg->workflow.require_approval == 0);
	CHECK(cfg->workflow.auto_assign == 0);
	CHECK(cfg->workflow.ncategories == 0);	/* the built-in map */
	CHECK(cfg->workflow.categories == NULL);
	CHECK(cfg->workflow.nhardware_words == 12);
	if (cfg->workflow.nhardware_words == 12) {
		CHECK_STR(cfg->workflow.hardware_words[0], "hardware");
		CHECK_STR(cfg->workflow.hardware_words[4], "suku cadang");
		CHECK_STR(cfg->workflow.hardware_words[11], "order");
	}
	CHECK(sla->clock == CLOCK_OFFICE);
	CHECK(sla->office_day == 8 * HOUR_MS);
	CHECK(sla->first_response == 30 * MIN_MS);
	CHECK(sla->resolution[0] == 40 * HOUR_MS);	/* low: 5d of 8 h */
	CHECK(sla->resolution[1] == 40 * HOUR_MS);	/* normal */
	CHECK(sla->resolution[2] == 8 * HOUR_MS);	/* high: 1d */
	CHECK(sla->resolution[3] == 2 * HOUR_MS);	/* emergency */
	CHECK(sla->pending_max == 56 * HOUR_MS);	/* 7d */
	CHECK(sla->leadership == 40 * HOUR_MS);		/* 5d */
	CHECK(sla->at_risk == 75);
	CHECK(sla->check_interval == 60);
	CHECK(is_sop_week(&sla->cal));
	CHECK(sla->cal.holidays == NULL && sla->cal.nholidays == 0);
}

static void
test_workflow_values(void)
{
	struct hd_config *cfg;

	/* Nothing set, and the shipped example, which spells out the defaults. */
	cfg = load_good("wf-none.conf", "database = \"x.db\";\n");
	if (cfg != NULL)
		check_workflow_defaults(cfg);
	config_free(cfg);
	cfg = NULL;
	{
		char *err = NULL;

		CHECK(config_load(EXAMPLE, &cfg, &err) == 0);
		free(err);
	}
	if (cfg != NULL)
		check_workflow_defaults(cfg);
	config_free(cfg);

	/* Both groups in full, on the office clock with a 7 h day. */
	cfg = load_good("wf-full.conf",
		"database = \"x.db\";\n"
		"workflow = {\n"
		"  require_approval = true;\n"
		"  auto_assign = true;\n"
		"  hardware_words = [ \"sparepart\", \"suku cadang\", \"tinta habis\" ];\n"
		"  categories = (\n"
		"    { name = \"printer\"; keywords = [ \"printer\", \"toner\", \"scanner\" ]; },\n"
		"    { name = \"jaringan_2-x\"; keywords = [ \"wifi\" ]; },\n"
		"    { name = \"aplikasi\"; keywords = [ \"simpeg\", \"e-kinerja\" ]; }\n"
		"  );\n"
		"};\n"
		"sla = {\n"
		"  clock = \"office\";\n"
		"  office_day = \"7h\";\n"
		"  first_response = \"1h 30m\";\n"
		"  resolution = { emergency = \"30m\"; high = \"1d\"; normal = \"1d 4h\"; low = \"3d\"; };\n"
		"  leadership = \"4d\";\n"
		"  pending_max = \"10d\";\n"
		"  at_risk = 80;\n"
		"  check_interval = 30;\n"
		"  calendar = {\n"
		"    monday = \"07:30-12:00, 13:00-16:00\";\n"
		"    tuesday = \"07:30-12:00,13:00-16:00\";\n"
		"    wednesday = \" 07:30 - 16:00 \";\n"
		"    thursday = \"00:00-24:00\";\n"
		"    friday = \"07:30-11:00, 13:30-16:30\";\n"
		"    saturday = \"\";\n"
		"    sunday = \"-\";\n"
		"    holidays = [ \"2026-12-25\", \"2026-08-17\", \"2027-01-01\" ];\n"
		"  };\n"
		"};\n");
	if (cfg != NULL) {
		const struct cfg_workflow *w = &cfg->workflow;
		const struct cfg_sla *sla = &cfg->sla;
		static const int mon[] = { 450, 720, 780, 960 }, wed[] = { 450, 960 }, thu[] = { 0, 1440 },
				 fri[] = { 450, 660, 810, 990 };

		CHECK(w->require_approval == 1);
		CHECK(w->auto_assign == 1);
		CHECK(w->nhardware_words == 3);	/* replaces the defaults */
		if (w->nhardware_words == 3) {
			CHECK_STR(w->hardware_words[0], "sparepart");
			CHECK_STR(w->hardware_words[1], "suku cadang");
			CHECK_STR(w->hardware_words[2], "tinta habis");
		}
		CHECK(w->ncategories == 3);
		if (w->ncategories == 3) {
			CHECK_STR(w->categories[0].name, "printer");
			CHECK(w->categories[0].nwords == 3);
			if (w->categories[0].nwords == 3) {
				CHECK_STR(w->categories[0].words[0], "printer");
				CHECK_STR(w->categories[0].words[1], "toner");
				CHECK_STR(w->categories[0].words[2], "scanner");
			}
			CHECK_STR(w->categories[1].name, "jaringan_2-x");
			CHECK(w->categories[1].nwords == 1);
			if (w->categories[1].nwords == 1)
				CHECK_STR(w->categories[1].words[0], "wifi");
			CHECK_STR(w->categories[2].name, "aplikasi");
			CHECK(w->categories[2].nwords == 2);
			if (w->categories[2].nwords == 2)
				CHECK_STR(w->categories[2].words[1], "e-kinerja");
		}
		CHECK(sla->clock == CLOCK_OFFICE);
		CHECK(sla->office_day == 7 * HOUR_MS);
		CHECK(sla->first_response == 90 * MIN_MS);
		CHECK(sla->resolution[3] == 30 * MIN_MS);
		CHECK(sla->resolution[2] == 7 * HOUR_MS);	/* "1d" is office_day */
		CHECK(sla->resolution[1] == 11 * HOUR_MS);	/* "1d 4h" */
		CHECK(sla->resolution[0] == 21 * HOUR_MS);	/* "3d" */
		CHECK(sla->leadership == 28 * HOUR_MS);
		CHECK(sla->pending_max == 70 * HOUR_MS);
		CHECK(sla->at_risk == 80);
		CHECK(sla->check_interval == 30);
		CHECK(spans_are(&sla->cal, 1, 2, mon));
		CHECK(spans_are(&sla->cal, 2, 2, mon));
		CHECK(spans_are(&sla->cal, 3, 1, wed));
		CHECK(spans_are(&sla->cal, 4, 1, thu));
		CHECK(spans_are(&sla->cal, 5, 2, fri));
		CHECK(sla->cal.nspan[5] == 2 && sla->cal.day[5][1].start == 810);
		CHECK(spans_are(&sla->cal, 6, 0, NULL));	/* "" */
		CHECK(spans_are(&sla->cal, 0, 0, NULL));	/* "-" */
		CHECK(sla->cal.nholidays == 3);
		if (sla->cal.nholidays == 3 && sla->cal.holidays != NULL) {
			/* sorted */
			CHECK(sla->cal.holidays[0] == 20260817);
			CHECK(sla->cal.holidays[1] == 20261225);
			CHECK(sla->cal.holidays[2] == 20270101);
		}
	}
	config_free(cfg);

	/* The calendar clock: "1d" is 24 h whatever office_day says. */
	cfg = load_good("wf-calendar.conf",
		"database = \"x.db\";\n"
		"sla = {\n"
		"  clock = \"calendar\";\n"
		"  office_day = \"7h\";\n"
		"  first_response = \"45m\";\n"
		"  resolution = {\n    high = \"1d 4h\";\n  };\n"
		"  pending_max = \"7d\";\n"
		"  leadership = \"2d\";\n"
		"  at_risk = 1;\n"
		"  check_interval = 3600;\n"
		"};\n");
	if (cfg != NULL) {
		const struct cfg_sla *sla = &cfg->sla;

		CHECK(sla->clock == CLOCK_CALENDAR);
		CHECK(sla->office_day == 7 * HOUR_MS);
		CHECK(sla->first_response == 45 * MIN_MS);
		CHECK(sla->resolution[2] == 28 * HOUR_MS);
		CHECK(sla->resolution[1] == 120 * HOUR_MS);	/* default "5d" */
		CHECK(sla->resolution[0] == 120 * HOUR_MS);
		CHECK(sla->resolution[3] == 2 * HOUR_MS);
		CHECK(sla->pending_max == 168 * HOUR_MS);
		CHECK(sla->leadership == 48 * HOUR_MS);
		CHECK(sla->at_risk == 1);
		CHECK(sla->check_interval == 3600);
		CHECK(is_sop_week(&sla->cal));	/* the office week is kept */
		CHECK(sla->cal.holidays == NULL);
	}
	config_free(cfg);

	/* Only the clock: every default in 24 h days. */
	cfg = load_good("wf-clock.conf", "database = \"x.db\";\nsla = { clock = \"calendar\"; };\n");
	if (cfg != NULL) {
		const struct cfg_sla *sla = &cfg->sla;

		CHECK(sla->clock == CLOCK_CALENDAR);
		CHECK(sla->first_response == 30 * MIN_MS);
		CHECK(sla->resolution[0] == 120 * HOUR_MS);
		CHECK(sla->resolution[1] == 120 * HOUR_MS);
		CHECK(sla->resolution[2] == 24 * HOUR_MS);
		CHECK(sla->resolution[3] == 2 * HOUR_MS);
		CHECK(sla->pending_max == 168 * HOUR_MS);
		CHECK(sla->leadership == 120 * HOUR_MS);
		CHECK(sla->at_risk == 75 && sla->check_interval == 60);
	}
	config_free(cfg);

	/* Only office_day: the default "5d", "1d" and "7d" follow it. */
	cfg = load_good("wf-day.conf", "database = \"x.db\";\nsla = { office_day = \"7h 30m\"; };\n");
	if (cfg != NULL) {
		const struct cfg_sla *sla = &cfg->sla;

		CHECK(sla->clock == CLOCK_OFFICE);
		CHECK(sla->office_day == 450 * MIN_MS);
		CHECK(sla->first_response == 30 * MIN_MS);
		CHECK(sla->resolution[1] == 5 * 450 * MIN_MS);
		CHECK(sla->resolution[2] == 450 * MIN_MS);
		CHECK(sla->resolution[3] == 2 * HOUR_MS);
		CHECK(sla->pending_max == 7 * 450 * MIN_MS);
		CHECK(sla->leadership == 5 * 450 * MIN_MS);
	}
	config_free(cfg);

	/* The limits: "24h" days, "366d", at_risk 100, check_interval 5; a day
	 * of six spans; a holiday on 29 February of a leap year. */
	cfg = load_good("wf-limits.conf",
		"database = \"x.db\";\n"
		"sla = {\n"
		"  office_day = \"24h\";\n"
		"  pending_max = \"366d\";\n"
		"  leadership = \"1d4h\";\n"
		"  first_response = \"1m\";\n"
		"  at_risk = 100;\n"
		"  check_interval = 5;\n"
		"  calendar = {\n"
		"    monday = \"00:00-00:01,01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,23:59-24:00\";\n"
		"    holidays = [ \"2028-02-29\" ];\n"
		"  };\n"
		"};\n"
		"workflow = { hardware_words = [ \"stok\" ]; };\n");
	if (cfg != NULL) {
		const struct cfg_sla *sla = &cfg->sla;

		CHECK(sla->office_day == 24 * HOUR_MS);
		CHECK(sla->pending_max == 366 * 24 * HOUR_MS);
		CHECK(sla->leadership == 28 * HOUR_MS);
		CHECK(sla->first_response == MIN_MS);
		CHECK(sla->at_risk == 100);
		CHECK(sla->check_interval == 5);
		CHECK(sla->cal.nspan[1] == 6 && sla->cal.day[1][5].start == 1439 && sla->cal.day[1][5].end == 1440);
		CHECK(sla->cal.nspan[2] == 2);	/* untouched days keep the SOP's */
		CHECK(sla->cal.nholidays == 1 && sla->cal.holidays != NULL && sla->cal.holidays[0] == 20280229);
		CHECK(cfg->workflow.nhardware_words == 1);
	}
	config_free(cfg);
}

static const struct bad_case workflow_bad_cases[] = {
	/* unknown keys */
	{ "database = \"x.db\";\nworkflow = {\n  auto_asign = true;\n};\n", 3,
	  "workflow.auto_asign: unknown key (expected one of: require_approval, auto_assign, categories, "
	  "hardware_words)" },
	{ "database = \"x.db\";\nsla = {\n  clock = \"office\";\n  first_respons = \"30m\";\n};\n", 4,
	  "sla.first_respons: unknown key (expected one of: clock, first_response, resolution, pending_max, "
	  "leadership, office_day, at_risk, check_interval, calendar)" },
	{ "database = \"x.db\";\nsla = {\n  resolution = {\n    high = \"1d\";\n    urgent = \"1h\";\n  };\n};\n", 5,
	  "sla.resolution.urgent: unknown key (expected one of: low, normal, high, emergency)" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    mon = \"08:00-12:00\";\n  };\n};\n", 4,
	  "sla.calendar.mon: unknown key (expected one of: sunday, monday, tuesday, wednesday, thursday, "
	  "friday, saturday, holidays)" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = (\n    { name = \"printer\"; kata = [ \"printer\" ];"
	  " keywords = [ \"printer\" ]; }\n  );\n};\n", 4,
	  "workflow.categories[0].kata: unknown key (expected one of: name, keywords)" },
	/* durations */
	{ "database = \"x.db\";\nsla = {\n  first_response = \"30\";\n};\n", 3,
	  "sla.first_response: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"30\"" },
	{ "database = \"x.db\";\nsla = {\n  pending_max = \"2x\";\n};\n", 3,
	  "sla.pending_max: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"2x\"" },
	{ "database = \"x.db\";\nsla = {\n  leadership = \"m30\";\n};\n", 3,
	  "sla.leadership: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"m30\"" },
	{ "database = \"x.db\";\nsla = {\n  resolution = {\n    emergency = \"0m\";\n  };\n};\n", 4,
	  "sla.resolution.emergency: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"0m\"" },
	{ "database = \"x.db\";\nsla = {\n  resolution = {\n    high = \"1h 2d\";\n  };\n};\n", 4,
	  "sla.resolution.high: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"1h 2d\"" },
	{ "database = \"x.db\";\nsla = {\n  resolution = { low = \"30m 30m\"; };\n};\n", 3,
	  "sla.resolution.low: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"30m 30m\"" },
	{ "database = \"x.db\";\nsla = {\n  pending_max = \"367d\";\n};\n", 3,
	  "sla.pending_max: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"367d\"" },
	{ "database = \"x.db\";\nsla = {\n  first_response = \"1 h\";\n};\n", 3,
	  "sla.first_response: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"1 h\"" },
	{ "database = \"x.db\";\nsla = {\n  first_response = \"-5m\";\n};\n", 3,
	  "sla.first_response: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"-5m\"" },
	{ "database = \"x.db\";\nsla = {\n  first_response = 30;\n};\n", 3,
	  "sla.first_response: expected a non-empty string, got an integer" },
	{ "database = \"x.db\";\nsla = {\n  resolution = {\n    low = \"\";\n  };\n};\n", 4,
	  "sla.resolution.low: expected a non-empty string, got \"\"" },
	{ "database = \"x.db\";\nsla = {\n  office_day = \"25h\";\n};\n", 3,
	  "sla.office_day: expected hours of one working day, at most \"24h\"" },
	{ "database = \"x.db\";\nsla = {\n  office_day = \"1d\";\n};\n", 3,
	  "sla.office_day: expected hours of one working day, at most \"24h\"" },
	/* clock, at_risk, check_interval */
	{ "database = \"x.db\";\nsla = {\n  clock = \"wall\";\n};\n", 3,
	  "sla.clock: expected \"office\" or \"calendar\", got \"wall\"" },
	{ "database = \"x.db\";\nsla = {\n  clock = 1;\n};\n", 3, "sla.clock: expected a string, got an integer" },
	{ "database = \"x.db\";\nsla = {\n  at_risk = 0;\n};\n", 3, "sla.at_risk: expected an integer from 1 to 100, got 0" },
	{ "database = \"x.db\";\nsla = {\n  at_risk = 101;\n};\n", 3,
	  "sla.at_risk: expected an integer from 1 to 100, got 101" },
	{ "database = \"x.db\";\nsla = {\n  check_interval = 4;\n};\n", 3,
	  "sla.check_interval: expected an integer from 5 to 3600, got 4" },
	/* the office week */
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    monday = \"8-12\";\n  };\n};\n", 4,
	  "sla.calendar.monday: expected working hours such as \"08:00-12:00, 13:00-17:00\", or \"\" for a day off,"
	  " got \"8-12\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    friday = \"13:00-12:00\";\n  };\n};\n", 4,
	  "sla.calendar.friday: expected working hours such as \"08:00-12:00, 13:00-17:00\", or \"\" for a day off,"
	  " got \"13:00-12:00\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    saturday = \"08:00-12:00, 11:00-13:00\";\n  };\n};\n", 4,
	  "sla.calendar.saturday: expected working hours such as \"08:00-12:00, 13:00-17:00\", or \"\" for a day off,"
	  " got \"08:00-12:00, 11:00-13:00\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    sunday = \"08:00-12:00,\";\n  };\n};\n", 4,
	  "sla.calendar.sunday: expected working hours such as \"08:00-12:00, 13:00-17:00\", or \"\" for a day off,"
	  " got \"08:00-12:00,\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    tuesday = \"08:00-24:01\";\n  };\n};\n", 4,
	  "sla.calendar.tuesday: expected working hours such as \"08:00-12:00, 13:00-17:00\", or \"\" for a day off,"
	  " got \"08:00-24:01\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    holidays = [ \"2026-12-25\",\n      \"2026-02-30\" ];\n  };\n};\n", 5,
	  "sla.calendar.holidays[1]: expected a date \"YYYY-MM-DD\", got \"2026-02-30\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    holidays = [ \"2027-02-29\" ];\n  };\n};\n", 4,
	  "sla.calendar.holidays[0]: expected a date \"YYYY-MM-DD\", got \"2027-02-29\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    holidays = [ \"25-12-2026\" ];\n  };\n};\n", 4,
	  "sla.calendar.holidays[0]: expected a date \"YYYY-MM-DD\", got \"25-12-2026\"" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    holidays = [ 20261225 ];\n  };\n};\n", 4,
	  "sla.calendar.holidays[0]: expected a date \"YYYY-MM-DD\", got an integer" },
	{ "database = \"x.db\";\nsla = {\n  calendar = {\n    holidays = \"2026-12-25\";\n  };\n};\n", 4,
	  "sla.calendar.holidays: expected an array of dates [ \"2026-12-25\", ... ], got a string" },
	/* wrong shapes */
	{ "database = \"x.db\";\nsla = {\n  resolution = \"5d\";\n};\n", 3,
	  "sla.resolution: expected a group { ... }, got a string" },
	{ "database = \"x.db\";\nsla = {\n  calendar = ( );\n};\n", 3, "sla.calendar: expected a group { ... }, got a list" },
	{ "database = \"x.db\";\nsla = \"office\";\n", 2, "sla: expected a group { ... }, got a string" },
	{ "database = \"x.db\";\nworkflow = ( );\n", 2, "workflow: expected a group { ... }, got a list" },
	{ "database = \"x.db\";\nworkflow = {\n  require_approval = \"yes\";\n};\n", 3,
	  "workflow.require_approval: expected true or false, got a string" },
	/* keywords and categories */
	{ "database = \"x.db\";\nworkflow = {\n  hardware_words = \"hardware\";\n};\n", 3,
	  "workflow.hardware_words: expected an array of keywords [ \"hardware\", ... ], got a string" },
	{ "database = \"x.db\";\nworkflow = {\n  hardware_words = [ \"stok\",\n    \"Hardware\" ];\n};\n", 4,
	  "workflow.hardware_words[1]: expected a lower-case keyword (at most 64 bytes), got \"Hardware\"" },
	{ "database = \"x.db\";\nworkflow = {\n  hardware_words = [ 1 ];\n};\n", 3,
	  "workflow.hardware_words[0]: expected a lower-case keyword (at most 64 bytes), got an integer" },
	{ "database = \"x.db\";\nworkflow = {\n  hardware_words = [ \"\" ];\n};\n", 3,
	  "workflow.hardware_words[0]: expected a lower-case keyword (at most 64 bytes), got \"\"" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = (\n    { name = \"printer\"; }\n  );\n};\n", 4,
	  "workflow.categories[0]: keywords is missing; expected [ \"printer\", ... ]" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = (\n    { keywords = [ \"printer\" ]; }\n  );\n};\n", 4,
	  "workflow.categories[0]: name is missing" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = (\n    { name = \"printer\";\n"
	  "      keywords = [ \"printer\",\n        \"Toner\" ]; }\n  );\n};\n", 6,
	  "workflow.categories[0].keywords[1]: expected a lower-case keyword (at most 64 bytes), got \"Toner\"" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = (\n    { name = \"printer\"; keywords = [ \"printer\" ]; },\n"
	  "    { name = \"Printer!\"; keywords = [ \"cetak\" ]; }\n  );\n};\n", 5,
	  "workflow.categories[1].name: expected a category name of 1 to 32 characters a-z, 0-9, _ or -, got \"Printer!\"" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = (\n    { name = \"printer\"; keywords = \"printer\"; }\n  );\n};\n", 4,
	  "workflow.categories[0].keywords: expected an array of keywords [ \"printer\", ... ], got a string" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = { name = \"printer\"; keywords = [ \"printer\" ]; };\n};\n", 3,
	  "workflow.categories: expected a list of groups ( { name = ...; keywords = [ ... ]; }, ... ), got a group" },
	{ "database = \"x.db\";\nworkflow = {\n  categories = ( \"printer\" );\n};\n", 3,
	  "workflow.categories[0]: expected a group { ... }, got a string" },
};

static void
test_workflow_bad_files(void)
{
	for (size_t i = 0; i < sizeof(workflow_bad_cases) / sizeof(workflow_bad_cases[0]); i++) {
		const struct bad_case *bc = &workflow_bad_cases[i];
		char path[128], want[512], *err;

		put(path, sizeof(path), "wf-bad.conf", bc->text);
		err = load_bad(path);
		snprintf(want, sizeof(want), "%s:%d: %s", path, bc->line, bc->want);
		if (!contains(err, want))
			fprintf(stderr, "  (workflow bad case %zu)\n", i);
		/* exactly this one problem, the whole of it, on one line */
		CHECK(err != NULL && strcmp(err, want) == 0);
		free(err);
	}
}

/* Long keywords and lists; several problems at once, in file order. */
static void
test_workflow_limits(void)
{
	char path[128], want[256], *text, *err;
	size_t cap = 8192, len;
	struct hd_config *cfg;

	text = malloc(cap);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	for (int n = 200; n <= 201; n++) {
		len = (size_t)snprintf(text, cap, "database = \"x.db\";\nworkflow = {\n  hardware_words = [");
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, cap - len, "%s \"w%d\"", i ? "," : "", i);
		snprintf(text + len, cap - len, " ];\n};\n");
		if (n == 200) {
			cfg = load_good("wf-many.conf", text);
			CHECK(cfg != NULL && cfg->workflow.nhardware_words == 200);
			CHECK(cfg != NULL && cfg->workflow.nhardware_words == 200 &&
			      strcmp(cfg->workflow.hardware_words[199], "w199") == 0);
			config_free(cfg);
		} else {
			put(path, sizeof(path), "wf-many.conf", text);
			err = load_bad(path);
			snprintf(want, sizeof(want), "%s:3: workflow.hardware_words: expected at most 200 keywords, got 201", path);
			CHECK(err != NULL && strcmp(err, want) == 0);
			free(err);
		}
	}
	/* 64 bytes is a keyword, 65 is not. */
	for (int n = 64; n <= 65; n++) {
		snprintf(text, cap, "database = \"x.db\";\nworkflow = {\n  hardware_words = [ \"%.*s\" ];\n};\n", n,
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		if (n == 64) {
			cfg = load_good("wf-long.conf", text);
			CHECK(cfg != NULL && cfg->workflow.nhardware_words == 1 &&
			      strlen(cfg->workflow.hardware_words[0]) == 64);
			config_free(cfg);
		} else {
			put(path, sizeof(path), "wf-long.conf", text);
			err = load_bad(path);
			snprintf(want, sizeof(want), "%s:3: workflow.hardware_words[0]: expected a lower-case keyword", path);
			CHECK(contains(err, want));
			free(err);
		}
	}
	free(text);

	put(path, sizeof(path), "wf-many-errors.conf",
	    "database = \"x.db\";\n"
	    "workflow = {\n"
	    "  auto_assign = 1;\n"
	    "  categories = ( { name = \"A\"; keywords = [ \"B\" ]; } );\n"
	    "};\n"
	    "sla = {\n"
	    "  clock = \"kantor\";\n"
	    "  first_response = \"30\";\n"
	    "  resolution = { normal = \"5 d\"; };\n"
	    "  at_risk = 0;\n"
	    "  calendar = {\n"
	    "    friday = \"08:00-11:00 13:00-17:00\";\n"
	    "    holidays = [ \"2026-13-01\" ];\n"
	    "  };\n"
	    "  office_day = \"1d 1h\";\n"
	    "};\n");
	err = load_bad(path);
	{
		static const char *const wants[] = {
			":3: workflow.auto_assign: expected true or false, got an integer",
			":4: workflow.categories[0].name: expected a category name",
			":4: workflow.categories[0].keywords[0]: expected a lower-case keyword",
			":7: sla.clock: expected \"office\" or \"calendar\", got \"kantor\"",
			":8: sla.first_response: expected a duration",
			":9: sla.resolution.normal: expected a duration",
			":10: sla.at_risk: expected an integer from 1 to 100, got 0",
			":12: sla.calendar.friday: expected working hours",
			":13: sla.calendar.holidays[0]: expected a date \"YYYY-MM-DD\", got \"2026-13-01\"",
			":15: sla.office_day: expected hours of one working day",
		};

		CHECK(err != NULL && count_lines(err) == (int)(sizeof(wants) / sizeof(wants[0])));
		for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
			snprintf(want, sizeof(want), "%s%s", path, wants[i]);
			CHECK(contains(err, want));
		}
	}
	free(err);
}

/* health and retention groups; secrets readable by others; what a reload
 * must leave to a restart. */
static const struct bad_case service_bad_cases[] = {
	{ "database = \"x.db\";\nhealth = { channel_down = \"10\"; };\n", 2,
	  "health.channel_down: expected a duration such as \"30m\", \"2h\", \"1d\" or \"1d 4h\", got \"10\"" },
	{ "database = \"x.db\";\nhealth = { metrics_file = \"metrics.prom\"; };\n", 2,
	  "health.metrics_file: expected an absolute path such as \"/var/lib/helpdeskd/metrics.prom\", "
	  "got \"metrics.prom\"" },
	{ "database = \"x.db\";\nhealth = {\n  metrics_interval = 2;\n};\n", 3,
	  "health.metrics_interval: expected an integer from 5 to 3600, got 2" },
	{ "database = \"x.db\";\nhealth = { outbox = \"30m\"; };\n", 2,
	  "health.outbox: unknown key (expected one of: channel_down, outbox_age, metrics_file, "
	  "metrics_interval)" },
	{ "database = \"x.db\";\nretention = { raw_days = -1; };\n", 2,
	  "retention.raw_days: expected an integer from 0 to 36500, got -1" },
	{ "database = \"x.db\";\nretention = 30;\n", 2,
	  "retention: expected a group { ... }, got an integer" },
};

static void
test_service(void)
{
	struct hd_config *cfg, *other;
	char path[128], pw[128], text[512], want[512], *err;

	cfg = load_good("svc-default.conf", "database = \"x.db\";\n");
	if (cfg != NULL) {
		CHECK(cfg->health.channel_down == 600000);
		CHECK(cfg->health.outbox_age == 1800000);
		CHECK(cfg->health.metrics_file == NULL);
		CHECK(cfg->health.metrics_interval == 30);
		CHECK(cfg->retention.raw_days == 0);
	}
	other = load_good("svc-set.conf", "database = \"x.db\";\n"
			  "health = { channel_down = \"1h 30m\"; outbox_age = \"1d\";\n"
			  "  metrics_file = \"/run/hd.prom\"; metrics_interval = 5; };\n"
			  "retention = { raw_days = 365; };\n"
			  "templates = { ack = \"Tiket {ticket}\"; };\n");
	if (other != NULL) {
		CHECK(other->health.channel_down == 90 * 60000);
		CHECK(other->health.outbox_age == 24 * 3600000LL);
		CHECK_STR(other->health.metrics_file, "/run/hd.prom");
		CHECK(other->health.metrics_interval == 5);
		CHECK(other->retention.raw_days == 365);
	}
	/* Templates, health and retention are not restart-only. */
	CHECK(cfg != NULL && other != NULL && config_restart_change(cfg, other) == NULL);
	config_free(other);
	other = load_good("svc-db.conf", "database = \"y.db\";\n");
	CHECK(cfg != NULL && other != NULL && strcmp(config_restart_change(cfg, other), "database") == 0);
	config_free(other);
	other = load_good("svc-sms.conf", "database = \"x.db\";\nsms = { device = \"/dev/ttyUSB1\"; };\n");
	CHECK(cfg != NULL && other != NULL && strcmp(config_restart_change(cfg, other), "sms") == 0);
	config_free(other);
	/* Same settings written differently: no change. */
	other = load_good("svc-same.conf", "# comment\ndatabase =\n  \"x.db\" ;\n");
	CHECK(cfg != NULL && other != NULL && config_restart_change(cfg, other) == NULL);
	config_free(other);
	config_free(cfg);

	for (size_t i = 0; i < sizeof(service_bad_cases) / sizeof(service_bad_cases[0]); i++) {
		const struct bad_case *bc = &service_bad_cases[i];

		put(path, sizeof(path), "svc-bad.conf", bc->text);
		err = load_bad(path);
		snprintf(want, sizeof(want), "%s:%d: %s", path, bc->line, bc->want);
		if (!contains(err, want))
			fprintf(stderr, "  (service bad case %zu)\n", i);
		CHECK(err != NULL && strcmp(err, want) == 0);
		free(err);
	}

	/* A password file readable by everyone is refused, its content unread. */
	put(pw, sizeof(pw), "open.pass", "hunter2\n");
	CHECK(chmod(pw, 0644) == 0);
	snprintf(want, sizeof(want), "imap[0].password_file: expected a file only its owner and group can"
		 " read, got \"%s\" with mode 0644, readable by everyone: chmod o-r it", pw);
	check_password_file(pw, 4, want, "hunter2");
	CHECK(chmod(pw, 0640) == 0);
	snprintf(text, sizeof(text), "database = \"x.db\";\nimap = ( { name = \"a\"; host = \"h\";"
		 " user = \"u\"; password_file = \"%s\"; } );\n", pw);
	cfg = load_good("svc-pass.conf", text);
	CHECK(cfg != NULL && cfg->nimap == 1 && strcmp(cfg->imap[0].password, "hunter2") == 0);
	config_free(cfg);

	/* So is a configuration file holding a password, at its line. */
	put(path, sizeof(path), "svc-inline.conf", "database = \"x.db\";\nsmtp = {\n  host = \"h\";"
	    " from = \"hd@example.go.id\"; user = \"u\";\n  password = \"hunter2\";\n};\n");
	CHECK(chmod(path, 0604) == 0);
	err = load_bad(path);
	snprintf(want, sizeof(want), "%s:4: smtp.password: expected a file only its owner and group can"
		 " read, got \"%s\" with mode 0604, readable by everyone: chmod o-r it", path, path);
	CHECK(err != NULL && strcmp(err, want) == 0);
	if (err != NULL && strcmp(err, want) != 0)
		fprintf(stderr, "  got: %s\n  want: %s\n", err, want);
	free(err);
	CHECK(chmod(path, 0600) == 0);
	cfg = load_good("svc-inline.conf", "database = \"x.db\";\nsmtp = {\n  host = \"h\";"
			" from = \"hd@example.go.id\"; user = \"u\";\n  password = \"hunter2\";\n};\n");
	config_free(cfg);
}

int
main(void)
{
	umask(027);	/* files the tests write are as private as real ones */
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
	test_mail_values();
	test_mail_defaults();
	test_password_files();
	test_mail_bad_files();
	test_mail_limits();
	test_example_mail();
	test_workflow_values();
	test_workflow_bad_files();
	test_workflow_limits();
	test_service();

	for (int i = 0; i < ncreated; i++)
		CHECK(unlink(created[i]) == 0);
	CHECK(rmdir(tmpdir) == 0);
	return unit_done("config");
}
