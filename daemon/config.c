/*
 * config.c: loads and validates helpdeskd's libconfig file into struct
 * hd_config, collecting every problem as "FILE:LINE: KEY: ..." lines through
 * config_diag.h. One table of key specs per group drives the checks; the
 * email groups (imap, smtp, email) are in config_mail.c.
 */
#include "config.h"
#include "address.h"

#include "config_diag.h"
#include "phone.h"
#include "template.h"
#include "templates.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const log_levels[] = { "error", "warning", "info", "debug" };
static const int log_prios[] = { 3, 4, 6, 7 };
#define NLOG_LEVELS 4

static int
key_index(const char *name, const char *const *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (name != NULL && strcmp(name, keys[i]) == 0)
			return i;
	return -1;
}

static void
unknown_key(struct loader *ld, const config_setting_t *s, const struct keyspec *keys, int nkeys)
{
	diag_problem(&ld->diag, s, "unknown key (expected one of: ");
	for (int i = 0; i < nkeys; i++)
		diag_add(&ld->diag, "%s%s", i ? ", " : "", keys[i].name);
	diag_add(&ld->diag, ")");
}

int
cfg_set_str(struct loader *ld, char **dst, const char *src)
{
	char *p = strdup(src);

	if (p == NULL) {
		diag_nomem(&ld->diag);
		return -1;
	}
	free(*dst);
	*dst = p;
	return 0;
}

/* The string value of s, or NULL after recording a problem. */
static const char *
get_string(struct loader *ld, const config_setting_t *s, int nonempty)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		diag_problem(&ld->diag, s, "expected a%s string, got %s",
			nonempty ? " non-empty" : "", diag_type_name(s));
		return NULL;
	}
	v = config_setting_get_string(s);
	if (v == NULL) {
		diag_problem(&ld->diag, s, "cannot read the string value");
		return NULL;
	}
	if (nonempty && v[0] == '\0') {
		diag_problem(&ld->diag, s, "expected a non-empty string, got \"\"");
		return NULL;
	}
	return v;
}

int
cfg_is_group(struct loader *ld, const config_setting_t *s)
{
	if (config_setting_is_group(s))
		return 1;
	diag_problem(&ld->diag, s, "expected a group { ... }, got %s", diag_type_name(s));
	return 0;
}

/* Whether template text v of s uses only known placeholders; when not,
 * records the problem with the list of placeholders. */
static int
tmpl_ok(struct loader *ld, const config_setting_t *s, const char *v)
{
	size_t n;
	const char *const *vars = templates_placeholders(&n);
	char msg[160];

	if (tmpl_check(v, vars, n, msg, sizeof(msg)) == 0)
		return 1;
	diag_problem(&ld->diag, s, "%s (placeholders: ", msg);
	for (size_t i = 0; i < n; i++)
		diag_add(&ld->diag, "%s{%s}", i ? " " : "", vars[i]);
	diag_add(&ld->diag, ")");
	return 0;
}

/* Store the index of v in ks->names at dst, or report v. */
static int
take_enum(struct loader *ld, const config_setting_t *s, const struct keyspec *ks, const char *v,
	  void *dst)
{
	int i;

	for (i = 0; ks->names[i] != NULL; i++)
		if (strcmp(v, ks->names[i]) == 0) {
			*(int *)dst = i;
			return 0;
		}
	diag_problem(&ld->diag, s, "expected ");
	for (i = 0; ks->names[i] != NULL; i++)
		diag_add(&ld->diag, "%s\"%s\"", i == 0 ? "" : ks->names[i + 1] ? ", " : " or ",
			 ks->names[i]);
	diag_add(&ld->diag, ", got ");
	diag_quoted(&ld->diag, v);
	return -1;
}

/* Check the value of s as ks says and store it at dst, or hand s to ks->load.
 * Returns 0 when done, -1 when the value was rejected or memory ran out. */
static int
take(struct loader *ld, const config_setting_t *s, const struct keyspec *ks, void *dst)
{
	char phone[PHONE_MAX];
	const char *v;
	long long n;

	switch (ks->type) {
	case K_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			diag_problem(&ld->diag, s, "expected true or false, got %s",
				diag_type_name(s));
			return -1;
		}
		*(int *)dst = config_setting_get_bool(s) ? 1 : 0;
		return 0;
	case K_INT:
	case K_LLONG:
		if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64) {
			diag_problem(&ld->diag, s, "expected an integer from %d to %d, got %s",
				ks->min, ks->max, diag_type_name(s));
			return -1;
		}
		/* libconfig 1.5 keeps only the low 32 bits of an integer written
		 * without an L suffix, so a huge value may arrive wrapped. */
		n = config_setting_get_int64(s);
		if (n < ks->min || n > ks->max) {
			diag_problem(&ld->diag, s, "expected an integer from %d to %d, got %lld",
				ks->min, ks->max, n);
			return -1;
		}
		if (ks->type == K_LLONG)
			*(long long *)dst = n;
		else
			*(int *)dst = (int)n;
		return 0;
	case K_GROUP:
	case K_CUSTOM:
		if (ks->type == K_GROUP && !cfg_is_group(ld, s))
			return -1;
		ks->load(ld, s);
		return 0;
	case K_STR:
	case K_STR_ANY:
	case K_ENUM:
	case K_PHONE:
	case K_TMPL:
		break;
	}
	v = get_string(ld, s, ks->type != K_STR_ANY && ks->type != K_ENUM);
	if (v == NULL)
		return -1;
	if (ks->type == K_ENUM)
		return take_enum(ld, s, ks, v, dst);
	if (ks->type == K_TMPL)
		return tmpl_ok(ld, s, v) ? cfg_set_str(ld, dst, v) : -1;
	if (ks->type == K_PHONE && phone_normalize(v, strlen(v), ld->cc, phone) == PHONE_NUMBER)
		return cfg_set_str(ld, dst, phone);
	if (ks->type != K_PHONE && (ks->ok == NULL || ks->ok(v)))
		return cfg_set_str(ld, dst, v);
	diag_problem(&ld->diag, s, "%s, got ", ks->expect);
	diag_quoted(&ld->diag, v);
	return -1;
}

void
cfg_load_keys(struct loader *ld, const config_setting_t *grp, const struct keyspec *keys, int nkeys,
	      void *base, struct seen *seen)
{
	int n = config_setting_length(grp);

	if (seen != NULL)
		memset(seen, 0, (size_t)nkeys * sizeof(seen[0]));
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const char *name;
		int k = 0, bad;

		if (s == NULL)
			continue;
		name = config_setting_name(s);
		while (k < nkeys && (name == NULL || strcmp(name, keys[k].name) != 0))
			k++;
		if (k == nkeys) {
			unknown_key(ld, s, keys, nkeys);
			continue;
		}
		bad = take(ld, s, &keys[k], (char *)base + keys[k].offset) != 0;
		if (seen != NULL)
			seen[k] = (struct seen){ s, bad };
	}
}

/* Unless either value was rejected, report max below min: at the max when the
 * file sets it, else at the min against the max's default. */
static void
check_min_max(struct loader *ld, const char *group, const struct keyspec *keys,
	      const struct seen *seen, int kmin, int kmax, int min, int max)
{
	if (seen[kmin].bad || seen[kmax].bad || max >= min)
		return;
	if (seen[kmax].at != NULL)
		diag_problem(&ld->diag, seen[kmax].at, "expected at least %s.%s (%d), got %d",
			group, keys[kmin].name, min, max);
	else
		diag_problem(&ld->diag, seen[kmin].at,
			"expected at most %s.%s (default %d), got %d", group, keys[kmax].name,
			max, min);
}

int
cfg_text_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* local@domain: one '@', both sides non-empty, no white space, control or
 * address-list characters, a domain without empty labels. */
int
cfg_email_ok(const char *s)
{
	return address_valid(s, strlen(s));
}

static int
prefix_ok(const char *p)
{
	size_t n = strlen(p);

	if (n < 1 || n > 6)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			return 0;
	return 1;
}

static int
language_ok(const char *v)
{
	return strcmp(v, "id") == 0 || strcmp(v, "en") == 0;
}

static int
log_level_ok(const char *v)
{
	return key_index(v, log_levels, NLOG_LEVELS) >= 0;
}

enum { S_ENABLED, S_GAMMURC, S_GAMMURC_SECTION, S_DEVICE, S_CONNECTION, S_MODEL,
       S_POLL, S_MULTIPART_TIMEOUT, S_SEND_TIMEOUT, S_MAX_PARTS, S_RECONNECT_MIN,
       S_RECONNECT_MAX, S_DEADLINE, S__COUNT };
#define SMS(field) offsetof(struct cfg_sms, field)
static const struct keyspec sms_keys[S__COUNT] = {
	[S_ENABLED] = { "enabled", K_BOOL, .offset = SMS(enabled) },
	[S_GAMMURC] = { "gammurc", K_STR, .offset = SMS(gammurc) },
	[S_GAMMURC_SECTION] = { "gammurc_section", K_INT, 0, 99, .offset = SMS(gammurc_section) },
	[S_DEVICE] = { "device", K_STR, .offset = SMS(device) },
	[S_CONNECTION] = { "connection", K_STR, .offset = SMS(connection) },
	[S_MODEL] = { "model", K_STR_ANY, .offset = SMS(model) },
	[S_POLL] = { "poll_interval_ms", K_INT, 100, 600000, .offset = SMS(poll_ms) },
	[S_MULTIPART_TIMEOUT] = { "multipart_timeout", K_INT, 10, 86400, .offset = SMS(multipart_timeout) },
	[S_SEND_TIMEOUT] = { "send_timeout", K_INT, 1, 600, .offset = SMS(send_timeout) },
	[S_MAX_PARTS] = { "max_parts", K_INT, 1, 10, .offset = SMS(max_parts) },
	[S_RECONNECT_MIN] = { "reconnect_min", K_INT, 1, 3600, .offset = SMS(reconnect_min) },
	[S_RECONNECT_MAX] = { "reconnect_max", K_INT, 1, 86400, .offset = SMS(reconnect_max) },
	[S_DEADLINE] = { "deadline", K_INT, 5, 600, .offset = SMS(deadline) },
};

static void
load_sms(struct loader *ld, const config_setting_t *grp)
{
	static const struct {
		int key;
		const char *hint;
	} modem[] = {
		{ S_DEVICE, "set the device in the gammurc or here, not both" },
		{ S_CONNECTION, "set the connection in the gammurc" },
		{ S_MODEL, "set the model in the gammurc" },
	};
	struct cfg_sms *sms = &ld->cfg->sms;
	struct seen seen[S__COUNT];
	const config_setting_t *gammurc;

	cfg_load_keys(ld, grp, sms_keys, S__COUNT, sms, seen);
	gammurc = seen[S_GAMMURC].at;

	/* Without an explicit enabled, configuring a modem enables SMS. */
	if (seen[S_ENABLED].at == NULL)
		sms->enabled = gammurc != NULL || seen[S_DEVICE].at != NULL;

	if (gammurc != NULL) {
		for (size_t i = 0; i < sizeof(modem) / sizeof(modem[0]); i++)
			if (seen[modem[i].key].at != NULL)
				diag_problem(&ld->diag, seen[modem[i].key].at,
					"cannot be used together with sms.gammurc (line %u): %s",
					config_setting_source_line(gammurc), modem[i].hint);
	} else if (seen[S_GAMMURC_SECTION].at != NULL) {
		diag_problem(&ld->diag, seen[S_GAMMURC_SECTION].at,
			"only used with sms.gammurc, which is not set");
	}
	if (sms->enabled && !seen[S_ENABLED].bad && gammurc == NULL && seen[S_DEVICE].at == NULL)
		diag_problem(&ld->diag, grp,
			"SMS is enabled but neither sms.device nor sms.gammurc is set");
	if (sms->enabled && sms->gammurc != NULL && access(sms->gammurc, R_OK) != 0) {
		int e = errno;

		diag_problem(&ld->diag, gammurc, "cannot read ");
		diag_quoted(&ld->diag, sms->gammurc);
		diag_add(&ld->diag, ": %s", strerror(e));
	}
	check_min_max(ld, "sms", sms_keys, seen, S_RECONNECT_MIN, S_RECONNECT_MAX,
		      sms->reconnect_min, sms->reconnect_max);
}

enum { O_MAX_ATTEMPTS, O_RETRY_MIN, O_RETRY_MAX, O_REPLIES_PER_HOUR, O__COUNT };
#define OUTBOX(field) offsetof(struct cfg_outbox, field)
static const struct keyspec outbox_keys[O__COUNT] = {
	[O_MAX_ATTEMPTS] = { "max_attempts", K_INT, 1, 1000, .offset = OUTBOX(max_attempts) },
	[O_RETRY_MIN] = { "retry_min", K_INT, 1, 86400, .offset = OUTBOX(retry_min) },
	[O_RETRY_MAX] = { "retry_max", K_INT, 1, 604800, .offset = OUTBOX(retry_max) },
	[O_REPLIES_PER_HOUR] = { "replies_per_hour", K_INT, 0, 10000, .offset = OUTBOX(replies_per_hour) },
};

static void
load_outbox(struct loader *ld, const config_setting_t *grp)
{
	struct cfg_outbox *ob = &ld->cfg->outbox;
	struct seen seen[O__COUNT];

	cfg_load_keys(ld, grp, outbox_keys, O__COUNT, ob, seen);
	check_min_max(ld, "outbox", outbox_keys, seen, O_RETRY_MIN, O_RETRY_MAX,
		      ob->retry_min, ob->retry_max);
}

enum { A_NAME, A_PHONE, A_EMAIL, A__COUNT };
#define ADMIN(field) offsetof(struct cfg_admin, field)
static const struct keyspec admin_keys[A__COUNT] = {
	[A_NAME] = { "name", K_STR, .offset = ADMIN(name), .ok = cfg_text_ok,
		     .expect = "expected a name without control characters" },
	[A_PHONE] = { "phone", K_PHONE, .offset = ADMIN(phone),
		      .expect = "expected a phone number such as \"0811-3103-001\" or \"+628113103001\"" },
	[A_EMAIL] = { "email", K_STR, .offset = ADMIN(email), .ok = cfg_email_ok,
		      .expect = "expected an address such as \"helpdesk@example.go.id\"" },
};

static void
load_admin(struct loader *ld, const config_setting_t *grp, void *elem)
{
	struct cfg_admin *a = elem;
	struct seen seen[A__COUNT];

	cfg_load_keys(ld, grp, admin_keys, A__COUNT, a, seen);
	if (seen[A_NAME].at == NULL)
		diag_problem(&ld->diag, grp, "name is missing");
	if (seen[A_PHONE].at == NULL && seen[A_EMAIL].at == NULL)
		diag_problem(&ld->diag, grp, "expected a phone or an email (or both), got neither");
}

static void
load_admins(struct loader *ld, const config_setting_t *list)
{
	ld->cfg->admins = cfg_group_list(ld, list, &ld->cfg->nadmins, sizeof(ld->cfg->admins[0]), 0,
					 "admins", "{ name = ...; ... }", load_admin);
}

#define TMPL(id, key) [id] = { key, K_TMPL, .offset = offsetof(struct hd_config, tmpl[id]) }
static const struct keyspec tmpl_keys[TM__COUNT] = {
	TMPL(TM_ACK, "ack"), TMPL(TM_EMPTY, "empty"), TMPL(TM_INFO, "info"),
	TMPL(TM_STATUS, "status"), TMPL(TM_STATUS_UNKNOWN, "status_unknown"),
	TMPL(TM_ADMIN_NEW, "admin_new"), TMPL(TM_TOO_LARGE, "too_large"),
	TMPL(TM_ACCEPTED, "accepted"), TMPL(TM_REJECTED, "rejected"), TMPL(TM_ASSIGNED, "assigned"),
	TMPL(TM_TECH_ASSIGNED, "tech_assigned"), TMPL(TM_PENDING, "pending"),
	TMPL(TM_RESOLVED, "resolved"), TMPL(TM_CLOSED, "closed"), TMPL(TM_APPROVAL, "approval"),
	TMPL(TM_CMD_OK, "command_ok"), TMPL(TM_CMD_REFUSED, "command_refused"),
	TMPL(TM_TASKS, "tasks"), TMPL(TM_ESC_RESPONSE, "escalate_response"),
	TMPL(TM_ESC_RESOLUTION, "escalate_resolution"),
	TMPL(TM_ESC_LEADERSHIP, "escalate_leadership"), TMPL(TM_ESC_PENDING, "escalate_pending"),
};

/* Keep the templates the file sets; load_root fills in the rest. */
static void
load_templates(struct loader *ld, const config_setting_t *grp)
{
	cfg_load_keys(ld, grp, tmpl_keys, TM__COUNT, ld->cfg, NULL);
}

enum { T_DATABASE, T_SPOOL_DIR, T_COUNTRY_CODE, T_TICKET_PREFIX, T_LANGUAGE,
       T_LOG_LEVEL, T_SMS, T_OUTBOX, T_ADMINS, T_TEMPLATES, T_IMAP, T_SMTP, T_EMAIL,
       T_WORKFLOW, T_SLA, T_HEALTH, T_RETENTION, T__COUNT };
#define TOP(field) offsetof(struct hd_config, field)
static const struct keyspec top_keys[T__COUNT] = {
	[T_DATABASE] = { "database", K_STR, .offset = TOP(database) },
	[T_SPOOL_DIR] = { "spool_dir", K_STR, .offset = TOP(spool_dir) },
	[T_COUNTRY_CODE] = { "country_code", K_INT, 1, 999, .offset = TOP(country_code) },
	[T_TICKET_PREFIX] = { "ticket_prefix", K_STR_ANY, .offset = TOP(ticket_prefix),
			      .ok = prefix_ok, .expect = "expected 1 to 6 upper-case letters A-Z" },
	[T_LANGUAGE] = { "language", K_STR_ANY, .offset = TOP(language), .ok = language_ok,
			 .expect = "expected \"id\" or \"en\"" },
	[T_LOG_LEVEL] = { "log_level", K_STR_ANY, .offset = TOP(log_level), .ok = log_level_ok,
			  .expect = "expected \"error\", \"warning\", \"info\" or \"debug\"" },
	[T_SMS] = { "sms", K_GROUP, .load = load_sms },
	[T_OUTBOX] = { "outbox", K_GROUP, .load = load_outbox },
	[T_ADMINS] = { "admins", K_CUSTOM, .load = load_admins },
	[T_TEMPLATES] = { "templates", K_GROUP, .load = load_templates },
	[T_IMAP] = { "imap", K_CUSTOM, .load = cfg_load_imap },
	[T_SMTP] = { "smtp", K_GROUP, .load = cfg_load_smtp },
	[T_EMAIL] = { "email", K_GROUP, .load = cfg_load_email },
	[T_WORKFLOW] = { "workflow", K_GROUP, .load = cfg_load_workflow },
	[T_SLA] = { "sla", K_GROUP, .load = cfg_load_sla },
	[T_HEALTH] = { "health", K_GROUP, .load = cfg_load_health },
	[T_RETENTION] = { "retention", K_GROUP, .load = cfg_load_retention },
};

static void
load_root(struct loader *ld, const config_setting_t *root)
{
	struct hd_config *cfg = ld->cfg;
	struct seen seen[T__COUNT];
	const config_setting_t *s;
	const char *const *vars;
	size_t nvars;

	/* Admin phones need the country code wherever it appears in the file. */
	s = config_setting_get_member(root, "country_code");
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_INT) {
		int cc = config_setting_get_int(s);

		if (cc >= 1 && cc <= 999)
			ld->cc = cc;
	}

	cfg_load_keys(ld, root, top_keys, T__COUNT, cfg, seen);
	if (seen[T_DATABASE].at == NULL)
		diag_problem(&ld->diag, NULL, "database: missing; expected a non-empty string, "
			"e.g. database = \"/var/lib/helpdeskd/helpdeskd.db\";");
	cfg_mail_finish(ld, root);
	cfg_fingerprint(ld, root);

	/* Templates the file does not set (or sets wrongly) come from the
	 * language's built-in set. */
	vars = templates_placeholders(&nvars);
	for (int i = 0; i < TM__COUNT; i++) {
		const char *text = templates_builtin(cfg->language, (enum tmpl_id)i);
		char msg[160];

		if (cfg->tmpl[i] != NULL)
			continue;
		if (tmpl_check(text, vars, nvars, msg, sizeof(msg)) != 0)
			diag_problem(&ld->diag, NULL, "built-in template %s (%s): %s",
				tmpl_keys[i].name, cfg->language, msg);
		else
			cfg_set_str(ld, &cfg->tmpl[i], text);
	}
}

/* A config with every default; NULL when out of memory. */
static struct hd_config *
config_new(const char *path)
{
	struct hd_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->country_code = 62;
	cfg->sms.gammurc_section = 0;
	cfg->sms.poll_ms = 1000;
	cfg->sms.multipart_timeout = 600;
	cfg->sms.send_timeout = 30;
	cfg->sms.deadline = 30;
	cfg->sms.max_parts = 3;
	cfg->sms.reconnect_min = 2;
	cfg->sms.reconnect_max = 300;
	cfg->outbox.max_attempts = 10;
	cfg->outbox.retry_min = 10;
	cfg->outbox.retry_max = 3600;
	cfg->outbox.replies_per_hour = 5;
	cfg->path = strdup(path);
	cfg->spool_dir = strdup("/var/lib/helpdeskd/spool");
	cfg->ticket_prefix = strdup("HD");
	cfg->language = strdup("id");
	cfg->log_level = strdup("info");
	cfg->sms.connection = strdup("at");
	cfg->sms.model = strdup("");
	cfg_service_defaults(cfg);
	if (cfg_mail_defaults(cfg) != 0 || cfg_workflow_defaults(cfg) != 0 || cfg->path == NULL || cfg->spool_dir == NULL ||
	    cfg->ticket_prefix == NULL || cfg->language == NULL || cfg->log_level == NULL ||
	    cfg->sms.connection == NULL || cfg->sms.model == NULL) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Explain why libconfig could not read path at all. */
static void
io_problem(struct loader *ld)
{
	struct stat st;
	int fd = open(ld->diag.path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		diag_problem(&ld->diag, NULL, "cannot open the configuration file: %s",
			strerror(errno));
		return;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		diag_problem(&ld->diag, NULL,
			"cannot read the configuration file: it is a directory");
	else
		diag_problem(&ld->diag, NULL, "cannot read the configuration file");
	close(fd);
}

static void
parse_problem(struct loader *ld, const config_t *lc)
{
	const char *text = config_error_text(lc);

	if (text == NULL)
		text = "unknown error";
	diag_begin_line(&ld->diag, config_error_file(lc), config_error_line(lc));
	if (strncmp(text, "syntax error", 12) == 0)
		diag_add(&ld->diag, "%s", text);
	else
		diag_add(&ld->diag, "syntax error: %s", text);
}

int
config_load(const char *path, struct hd_config **out, char **err)
{
	struct loader ld = { .diag.path = path, .cc = 62 };
	config_t lc;
	const char *slash;
	char *dir;

	if (out != NULL)
		*out = NULL;
	if (err != NULL)
		*err = NULL;
	if (path == NULL || out == NULL) {
		errno = EINVAL;
		if (err != NULL)
			*err = strdup("config_load: no path or no result pointer");
		return -1;
	}

	slash = strrchr(path, '/');
	ld.diag.dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	ld.cfg = config_new(path);
	if (dir == NULL || ld.cfg == NULL) {
		free(dir);
		config_free(ld.cfg);
		if (err != NULL)
			*err = strdup("out of memory");
		return -1;
	}

	config_init(&lc);
	config_set_include_dir(&lc, dir);	/* libconfig keeps a copy */
	free(dir);
	if (config_get_include_dir(&lc) == NULL)
		diag_nomem(&ld.diag);
	else if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			io_problem(&ld);
		else
			parse_problem(&ld, &lc);
	} else {
		const config_setting_t *root = config_root_setting(&lc);

		if (root == NULL)
			diag_problem(&ld.diag, NULL, "libconfig returned no settings");
		else
			load_root(&ld, root);
	}
	config_destroy(&lc);

	if (ld.diag.oom || ld.diag.nproblems > 0) {
		config_free(ld.cfg);
		if (ld.diag.oom) {
			free(ld.diag.err);
			ld.diag.err = strdup("out of memory while loading the configuration");
		}
		if (err != NULL)
			*err = ld.diag.err;
		else
			free(ld.diag.err);
		return -1;
	}
	free(ld.diag.err);
	*out = ld.cfg;
	return 0;
}

void
config_free(struct hd_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->database);
	free(cfg->spool_dir);
	free(cfg->ticket_prefix);
	free(cfg->language);
	free(cfg->log_level);
	free(cfg->sms.gammurc);
	free(cfg->sms.device);
	free(cfg->sms.connection);
	free(cfg->sms.model);
	for (size_t i = 0; i < cfg->nadmins; i++) {
		free(cfg->admins[i].name);
		free(cfg->admins[i].phone);
		free(cfg->admins[i].email);
	}
	free(cfg->admins);
	cfg_mail_free(cfg);
	cfg_workflow_free(cfg);
	cfg_service_free(cfg);
	for (int i = 0; i < TM__COUNT; i++)
		free(cfg->tmpl[i]);
	free(cfg);
}

const char *
config_tmpl_name(enum tmpl_id id)
{
	if ((int)id < 0 || id >= TM__COUNT)
		return NULL;
	return tmpl_keys[id].name;
}

int
config_log_priority(const struct hd_config *cfg)
{
	int i;

	if (cfg == NULL || cfg->log_level == NULL)
		return log_prios[2];
	i = key_index(cfg->log_level, log_levels, NLOG_LEVELS);
	return i < 0 ? log_prios[2] : log_prios[i];
}
