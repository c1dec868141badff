/*
 * config.c: loads and validates helpdeskd's libconfig file into struct
 * hd_config, collecting every problem as "FILE:LINE: KEY: ..." lines; owns
 * the built-in Indonesian and English reply templates.
 */
#include "config.h"

#include "phone.h"
#include "template.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Built-in template sets. Each fits one GSM-7 SMS (160 characters) with a
 * 14-character ticket number, except info (up to about 300). */
static const char *const tmpl_id_set[TM__COUNT] = {
	[TM_ACK] = "Terima kasih, pengaduan Anda kami terima dengan nomor tiket {ticket} "
		   "dan segera ditindaklanjuti. Cek status: kirim HELPDESK STATUS {ticket}",
	[TM_EMPTY] = "Uraian masalah belum ada. Kirim: HELPDESK <uraian masalah>. "
		     "Contoh: HELPDESK Printer di Bagian Umum tidak bisa mencetak",
	[TM_INFO] = "Helpdesk TI melayani 24 jam lewat SMS dan email. "
		    "Lapor gangguan: HELPDESK <uraian masalah>, contoh: HELPDESK Internet kantor "
		    "mati sejak pagi. Cek tiket: HELPDESK STATUS <nomor tiket>. "
		    "Layanan telepon hanya pada jam kerja.",
	[TM_STATUS] = "Tiket {ticket}: status {status}, teknisi {assignee}, catatan: {note}",
	[TM_STATUS_UNKNOWN] = "Tiket {ticket} tidak ditemukan atau bukan tiket Anda. "
			      "Cek status: kirim HELPDESK STATUS <nomor tiket>",
	[TM_ADMIN_NEW] = "Tiket baru {ticket} dari {reporter} ({skpd}): {text}",
};

/* The same text ships in config/templates-en.conf; keep the two in step. */
static const char *const tmpl_en_set[TM__COUNT] = {
	[TM_ACK] = "Thank you, your complaint was received as ticket {ticket} and we will "
		   "follow it up. To check it, send HELPDESK STATUS {ticket}",
	[TM_EMPTY] = "Please describe the problem. Send: HELPDESK <description of the problem>. "
		     "Example: HELPDESK Printer in the General Affairs office does not print",
	[TM_INFO] = "The IT Helpdesk takes reports 24/7 by SMS and email. To report a problem "
		    "send HELPDESK <description>, e.g. HELPDESK Office internet down since "
		    "morning. To check a ticket send HELPDESK STATUS <ticket number>. "
		    "Phone support in office hours only.",
	[TM_STATUS] = "Ticket {ticket}: status {status}, technician {assignee}, note: {note}",
	[TM_STATUS_UNKNOWN] = "Ticket {ticket} was not found or is not yours. "
			      "To check a ticket send HELPDESK STATUS <ticket number>",
	[TM_ADMIN_NEW] = "New ticket {ticket} from {reporter} ({skpd}): {text}",
};

static const char *const tmpl_names[TM__COUNT] = {
	[TM_ACK] = "ack",
	[TM_EMPTY] = "empty",
	[TM_INFO] = "info",
	[TM_STATUS] = "status",
	[TM_STATUS_UNKNOWN] = "status_unknown",
	[TM_ADMIN_NEW] = "admin_new",
};

/* Placeholders every template may use. */
static const char *const tmpl_vars[] = {
	"ticket", "text", "status", "priority", "assignee", "note", "skpd",
	"reporter", "sender", "channel", "created", "category", "prefix",
};
#define NTMPL_VARS (sizeof(tmpl_vars) / sizeof(tmpl_vars[0]))

static const char *const log_levels[] = { "error", "warning", "info", "debug" };
static const int log_prios[] = { 3, 4, 6, 7 };
#define NLOG_LEVELS 4

/* Keys of each group; the enums index the name tables. */
enum { K_DATABASE, K_SPOOL_DIR, K_COUNTRY_CODE, K_TICKET_PREFIX, K_LANGUAGE,
       K_LOG_LEVEL, K_SMS, K_OUTBOX, K_ADMINS, K_TEMPLATES, K__TOP };
static const char *const top_keys[K__TOP] = {
	[K_DATABASE] = "database", [K_SPOOL_DIR] = "spool_dir",
	[K_COUNTRY_CODE] = "country_code", [K_TICKET_PREFIX] = "ticket_prefix",
	[K_LANGUAGE] = "language", [K_LOG_LEVEL] = "log_level", [K_SMS] = "sms",
	[K_OUTBOX] = "outbox", [K_ADMINS] = "admins", [K_TEMPLATES] = "templates",
};

enum { S_ENABLED, S_GAMMURC, S_GAMMURC_SECTION, S_DEVICE, S_CONNECTION, S_MODEL,
       S_POLL, S_MULTIPART_TIMEOUT, S_SEND_TIMEOUT, S_MAX_PARTS, S_RECONNECT_MIN,
       S_RECONNECT_MAX, S__COUNT };
static const char *const sms_keys[S__COUNT] = {
	[S_ENABLED] = "enabled", [S_GAMMURC] = "gammurc",
	[S_GAMMURC_SECTION] = "gammurc_section", [S_DEVICE] = "device",
	[S_CONNECTION] = "connection", [S_MODEL] = "model",
	[S_POLL] = "poll_interval_ms", [S_MULTIPART_TIMEOUT] = "multipart_timeout",
	[S_SEND_TIMEOUT] = "send_timeout", [S_MAX_PARTS] = "max_parts",
	[S_RECONNECT_MIN] = "reconnect_min", [S_RECONNECT_MAX] = "reconnect_max",
};

enum { O_MAX_ATTEMPTS, O_RETRY_MIN, O_RETRY_MAX, O_REPLIES_PER_HOUR, O__COUNT };
static const char *const outbox_keys[O__COUNT] = {
	[O_MAX_ATTEMPTS] = "max_attempts", [O_RETRY_MIN] = "retry_min",
	[O_RETRY_MAX] = "retry_max", [O_REPLIES_PER_HOUR] = "replies_per_hour",
};

enum { A_NAME, A_PHONE, A_EMAIL, A__COUNT };
static const char *const admin_keys[A__COUNT] = {
	[A_NAME] = "name", [A_PHONE] = "phone", [A_EMAIL] = "email",
};

/* State of one config_load call. */
struct loader {
	const char *path;	/* the main file, as given */
	size_t dirlen;		/* bytes of path up to and including its last '/' */
	char *err;		/* problems so far, '\n'-separated */
	size_t errlen, errcap;
	int nproblems;
	int oom;
	int cc;			/* country code for admin phones */
	struct hd_config *cfg;
};

static void
nomem(struct loader *ld)
{
	ld->oom = 1;
}

static void buf_vadd(struct loader *ld, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Append formatted text to ld->err. */
static void
buf_vadd(struct loader *ld, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (ld->oom)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		nomem(ld);
		return;
	}
	if (ld->errlen + (size_t)n + 1 > ld->errcap) {
		size_t cap = ld->errcap ? ld->errcap : 256;
		char *p;

		while (cap < ld->errlen + (size_t)n + 1)
			cap *= 2;
		p = realloc(ld->err, cap);
		if (p == NULL) {
			nomem(ld);
			return;
		}
		ld->err = p;
		ld->errcap = cap;
	}
	vsnprintf(ld->err + ld->errlen, (size_t)n + 1, fmt, ap);
	ld->errlen += (size_t)n;
}

static void buf_add(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
buf_add(struct loader *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vadd(ld, fmt, ap);
	va_end(ap);
}

/* Start a new problem line with "FILE:LINE: " for a file named by libconfig. */
static void
begin_line(struct loader *ld, const char *file, int line)
{
	if (ld->nproblems++ > 0)
		buf_add(ld, "\n");
	/* libconfig names included files as written in @include, relative to the
	 * include directory, which is the main file's directory. */
	if (file == NULL || strcmp(file, ld->path) == 0)
		buf_add(ld, "%s", ld->path);
	else if (file[0] == '/')
		buf_add(ld, "%s", file);
	else
		buf_add(ld, "%.*s%s", (int)ld->dirlen, ld->path, file);
	if (line > 0)
		buf_add(ld, ":%d", line);
	buf_add(ld, ": ");
}

/* Append the dotted key of s: "sms.device", "admins[0].phone". */
static void
add_key(struct loader *ld, const config_setting_t *s)
{
	const config_setting_t *parent = config_setting_parent(s);

	if (parent != NULL && !config_setting_is_root(parent)) {
		add_key(ld, parent);
		if (config_setting_name(s) == NULL) {
			buf_add(ld, "[%d]", config_setting_index(s));
			return;
		}
		buf_add(ld, ".");
	}
	buf_add(ld, "%s", config_setting_name(s) ? config_setting_name(s) : "?");
}

static void problem(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record "FILE:LINE: KEY: message" for setting s, or "FILE: message". */
static void
problem(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	if (s != NULL) {
		begin_line(ld, config_setting_source_file(s), (int)config_setting_source_line(s));
		add_key(ld, s);
		buf_add(ld, ": ");
	} else {
		begin_line(ld, NULL, 0);
	}
	va_start(ap, fmt);
	buf_vadd(ld, fmt, ap);
	va_end(ap);
}

/* Append str quoted, with control characters escaped so the problem stays
 * on one line, and cut after 60 bytes. */
static void
add_quoted(struct loader *ld, const char *str)
{
	size_t i;

	buf_add(ld, "\"");
	for (i = 0; i < 60 && str[i] != '\0'; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c == '\n')
			buf_add(ld, "\\n");
		else if (c == '\r')
			buf_add(ld, "\\r");
		else if (c == '\t')
			buf_add(ld, "\\t");
		else if (c == '"' || c == '\\')
			buf_add(ld, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_add(ld, "\\x%02x", c);
		else
			buf_add(ld, "%c", c);
	}
	buf_add(ld, str[i] != '\0' ? "\"..." : "\"");
}

static const char *
type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a floating-point number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "nothing";
	}
}

static int
key_index(const char *name, const char *const *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (name != NULL && strcmp(name, keys[i]) == 0)
			return i;
	return -1;
}

static void
unknown_key(struct loader *ld, const config_setting_t *s, const char *const *keys, int nkeys)
{
	problem(ld, s, "unknown key (expected one of: ");
	for (int i = 0; i < nkeys; i++)
		buf_add(ld, "%s%s", i ? ", " : "", keys[i]);
	buf_add(ld, ")");
}

/* Replace *dst by a copy of src; 0, or -1 when out of memory. */
static int
set_str(struct loader *ld, char **dst, const char *src)
{
	char *p = strdup(src);

	if (p == NULL) {
		nomem(ld);
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
		problem(ld, s, "expected a%s string, got %s", nonempty ? " non-empty" : "",
			type_name(s));
		return NULL;
	}
	v = config_setting_get_string(s);
	if (v == NULL) {
		problem(ld, s, "cannot read the string value");
		return NULL;
	}
	if (nonempty && v[0] == '\0') {
		problem(ld, s, "expected a non-empty string, got \"\"");
		return NULL;
	}
	return v;
}

/* Copy a string setting to *dst; 0 when done. */
static int
take_string(struct loader *ld, const config_setting_t *s, int nonempty, char **dst)
{
	const char *v = get_string(ld, s, nonempty);

	if (v == NULL)
		return -1;
	return set_str(ld, dst, v);
}

/* Store an integer setting in min..max to *dst; 0 when done. */
static int
take_int(struct loader *ld, const config_setting_t *s, int min, int max, int *dst)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64) {
		problem(ld, s, "expected an integer from %d to %d, got %s", min, max, type_name(s));
		return -1;
	}
	/* libconfig 1.5 keeps only the low 32 bits of an integer written
	 * without an L suffix, so a huge value may arrive wrapped. */
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		problem(ld, s, "expected an integer from %d to %d, got %lld", min, max, v);
		return -1;
	}
	*dst = (int)v;
	return 0;
}

static int
take_bool(struct loader *ld, const config_setting_t *s, int *dst)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		problem(ld, s, "expected true or false, got %s", type_name(s));
		return -1;
	}
	*dst = config_setting_get_bool(s) ? 1 : 0;
	return 0;
}

static int
is_group(struct loader *ld, const config_setting_t *s)
{
	if (config_setting_is_group(s))
		return 1;
	problem(ld, s, "expected a group { ... }, got %s", type_name(s));
	return 0;
}

/* Text of a string setting that is already known to be a string. */
static const char *
str_of(const config_setting_t *s)
{
	const char *v = config_setting_get_string(s);

	return v != NULL ? v : "";
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* local@domain: one '@', both sides non-empty, no white space, control or
 * address-list characters, a domain without empty labels. */
static int
email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>(),;:\"[]\\", *p) != NULL)
			return 0;
	if (at[1] == '.' || p[-1] == '.' || strstr(at, "..") != NULL)
		return 0;
	return 1;
}

static void
load_sms(struct loader *ld, const config_setting_t *grp)
{
	struct cfg_sms *sms = &ld->cfg->sms;
	const config_setting_t *at[S__COUNT] = { NULL };
	int bad[S__COUNT] = { 0 };
	int n = config_setting_length(grp);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		int k;

		if (s == NULL)
			continue;
		k = key_index(config_setting_name(s), sms_keys, S__COUNT);
		if (k < 0) {
			unknown_key(ld, s, sms_keys, S__COUNT);
			continue;
		}
		at[k] = s;
		switch (k) {
		case S_ENABLED:
			bad[k] = take_bool(ld, s, &sms->enabled);
			break;
		case S_GAMMURC:
			bad[k] = take_string(ld, s, 1, &sms->gammurc);
			break;
		case S_GAMMURC_SECTION:
			bad[k] = take_int(ld, s, 0, 99, &sms->gammurc_section);
			break;
		case S_DEVICE:
			bad[k] = take_string(ld, s, 1, &sms->device);
			break;
		case S_CONNECTION:
			bad[k] = take_string(ld, s, 1, &sms->connection);
			break;
		case S_MODEL:
			bad[k] = take_string(ld, s, 0, &sms->model);
			break;
		case S_POLL:
			bad[k] = take_int(ld, s, 100, 600000, &sms->poll_ms);
			break;
		case S_MULTIPART_TIMEOUT:
			bad[k] = take_int(ld, s, 10, 86400, &sms->multipart_timeout);
			break;
		case S_SEND_TIMEOUT:
			bad[k] = take_int(ld, s, 1, 600, &sms->send_timeout);
			break;
		case S_MAX_PARTS:
			bad[k] = take_int(ld, s, 1, 10, &sms->max_parts);
			break;
		case S_RECONNECT_MIN:
			bad[k] = take_int(ld, s, 1, 3600, &sms->reconnect_min);
			break;
		case S_RECONNECT_MAX:
			bad[k] = take_int(ld, s, 1, 86400, &sms->reconnect_max);
			break;
		default:
			break;
		}
	}

	/* Without an explicit enabled, configuring a modem enables SMS. */
	if (at[S_ENABLED] == NULL)
		sms->enabled = at[S_GAMMURC] != NULL || at[S_DEVICE] != NULL;

	if (at[S_GAMMURC] != NULL) {
		if (at[S_DEVICE] != NULL)
			problem(ld, at[S_DEVICE], "cannot be used together with sms.gammurc (line %u): "
				"set the device in the gammurc or here, not both",
				config_setting_source_line(at[S_GAMMURC]));
		if (at[S_CONNECTION] != NULL)
			problem(ld, at[S_CONNECTION], "cannot be used together with sms.gammurc "
				"(line %u): set the connection in the gammurc",
				config_setting_source_line(at[S_GAMMURC]));
		if (at[S_MODEL] != NULL)
			problem(ld, at[S_MODEL], "cannot be used together with sms.gammurc "
				"(line %u): set the model in the gammurc",
				config_setting_source_line(at[S_GAMMURC]));
	} else if (at[S_GAMMURC_SECTION] != NULL) {
		problem(ld, at[S_GAMMURC_SECTION], "only used with sms.gammurc, which is not set");
	}
	if (sms->enabled && !bad[S_ENABLED] && at[S_GAMMURC] == NULL && at[S_DEVICE] == NULL)
		problem(ld, grp, "SMS is enabled but neither sms.device nor sms.gammurc is set");
	if (sms->enabled && sms->gammurc != NULL && access(sms->gammurc, R_OK) != 0) {
		int e = errno;

		problem(ld, at[S_GAMMURC], "cannot read ");
		add_quoted(ld, sms->gammurc);
		buf_add(ld, ": %s", strerror(e));
	}
	if (!bad[S_RECONNECT_MIN] && !bad[S_RECONNECT_MAX] && sms->reconnect_max < sms->reconnect_min) {
		if (at[S_RECONNECT_MAX] != NULL)
			problem(ld, at[S_RECONNECT_MAX], "expected at least sms.reconnect_min (%d), got %d",
				sms->reconnect_min, sms->reconnect_max);
		else
			problem(ld, at[S_RECONNECT_MIN], "expected at most sms.reconnect_max (default %d), got %d",
				sms->reconnect_max, sms->reconnect_min);
	}
}

static void
load_outbox(struct loader *ld, const config_setting_t *grp)
{
	struct cfg_outbox *ob = &ld->cfg->outbox;
	const config_setting_t *at[O__COUNT] = { NULL };
	int bad[O__COUNT] = { 0 };
	int n = config_setting_length(grp);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		int k;

		if (s == NULL)
			continue;
		k = key_index(config_setting_name(s), outbox_keys, O__COUNT);
		if (k < 0) {
			unknown_key(ld, s, outbox_keys, O__COUNT);
			continue;
		}
		at[k] = s;
		switch (k) {
		case O_MAX_ATTEMPTS:
			bad[k] = take_int(ld, s, 1, 1000, &ob->max_attempts);
			break;
		case O_RETRY_MIN:
			bad[k] = take_int(ld, s, 1, 86400, &ob->retry_min);
			break;
		case O_RETRY_MAX:
			bad[k] = take_int(ld, s, 1, 604800, &ob->retry_max);
			break;
		case O_REPLIES_PER_HOUR:
			bad[k] = take_int(ld, s, 0, 10000, &ob->replies_per_hour);
			break;
		default:
			break;
		}
	}
	if (!bad[O_RETRY_MIN] && !bad[O_RETRY_MAX] && ob->retry_max < ob->retry_min) {
		if (at[O_RETRY_MAX] != NULL)
			problem(ld, at[O_RETRY_MAX], "expected at least outbox.retry_min (%d), got %d",
				ob->retry_min, ob->retry_max);
		else
			problem(ld, at[O_RETRY_MIN], "expected at most outbox.retry_max (default %d), got %d",
				ob->retry_max, ob->retry_min);
	}
}

static void
load_admin(struct loader *ld, const config_setting_t *grp, struct cfg_admin *a)
{
	const config_setting_t *at[A__COUNT] = { NULL };
	int n = config_setting_length(grp);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		char phone[PHONE_MAX];
		const char *v;
		int k;

		if (s == NULL)
			continue;
		k = key_index(config_setting_name(s), admin_keys, A__COUNT);
		if (k < 0) {
			unknown_key(ld, s, admin_keys, A__COUNT);
			continue;
		}
		at[k] = s;
		v = get_string(ld, s, 1);
		if (v == NULL)
			continue;
		switch (k) {
		case A_NAME:
			if (has_control(v)) {
				problem(ld, s, "expected a name without control characters, got ");
				add_quoted(ld, v);
			} else {
				set_str(ld, &a->name, v);
			}
			break;
		case A_PHONE:
			if (phone_normalize(v, strlen(v), ld->cc, phone) != PHONE_NUMBER) {
				problem(ld, s, "expected a phone number such as \"0811-3103-001\" or "
					"\"+628113103001\", got ");
				add_quoted(ld, v);
			} else {
				set_str(ld, &a->phone, phone);
			}
			break;
		case A_EMAIL:
			if (!email_ok(v)) {
				problem(ld, s, "expected an address such as \"helpdesk@example.go.id\", got ");
				add_quoted(ld, v);
			} else {
				set_str(ld, &a->email, v);
			}
			break;
		default:
			break;
		}
	}
	if (at[A_NAME] == NULL)
		problem(ld, grp, "name is missing");
	if (at[A_PHONE] == NULL && at[A_EMAIL] == NULL)
		problem(ld, grp, "expected a phone or an email (or both), got neither");
}

static void
load_admins(struct loader *ld, const config_setting_t *list)
{
	struct hd_config *cfg = ld->cfg;
	int n;

	if (!config_setting_is_list(list)) {
		problem(ld, list, "expected a list of groups ( { name = ...; ... }, ... ), got %s",
			type_name(list));
		return;
	}
	n = config_setting_length(list);
	if (n <= 0)
		return;
	cfg->admins = calloc((size_t)n, sizeof(cfg->admins[0]));
	if (cfg->admins == NULL) {
		nomem(ld);
		return;
	}
	cfg->nadmins = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);

		if (g != NULL && is_group(ld, g))
			load_admin(ld, g, &cfg->admins[i]);
	}
}

/* Check configured templates; the chosen ones are filled in afterwards. */
static void
load_templates(struct loader *ld, const config_setting_t *grp, const config_setting_t **given)
{
	int n = config_setting_length(grp);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const char *v;
		char msg[160];
		int k;

		if (s == NULL)
			continue;
		k = key_index(config_setting_name(s), tmpl_names, TM__COUNT);
		if (k < 0) {
			unknown_key(ld, s, tmpl_names, TM__COUNT);
			continue;
		}
		v = get_string(ld, s, 1);
		if (v == NULL)
			continue;
		if (tmpl_check(v, tmpl_vars, NTMPL_VARS, msg, sizeof(msg)) != 0) {
			problem(ld, s, "%s (placeholders: ", msg);
			for (size_t j = 0; j < NTMPL_VARS; j++)
				buf_add(ld, "%s{%s}", j ? " " : "", tmpl_vars[j]);
			buf_add(ld, ")");
			continue;
		}
		given[k] = s;
	}
}

static int
valid_prefix(const char *p)
{
	size_t n = strlen(p);

	if (n < 1 || n > 6)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			return 0;
	return 1;
}

static void
load_root(struct loader *ld, const config_setting_t *root)
{
	struct hd_config *cfg = ld->cfg;
	const config_setting_t *given[TM__COUNT] = { NULL };
	const config_setting_t *s;
	const char *v;
	int n = config_setting_length(root), database_seen = 0;
	const char *const *set;

	/* Admin phones need the country code wherever it appears in the file. */
	s = config_setting_get_member(root, "country_code");
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_INT) {
		int cc = config_setting_get_int(s);

		if (cc >= 1 && cc <= 999)
			ld->cc = cc;
	}

	for (int i = 0; i < n; i++) {
		int k;

		s = config_setting_get_elem(root, (unsigned)i);
		if (s == NULL)
			continue;
		k = key_index(config_setting_name(s), top_keys, K__TOP);
		switch (k) {
		case K_DATABASE:
			database_seen = 1;
			take_string(ld, s, 1, &cfg->database);
			break;
		case K_SPOOL_DIR:
			take_string(ld, s, 1, &cfg->spool_dir);
			break;
		case K_COUNTRY_CODE:
			take_int(ld, s, 1, 999, &cfg->country_code);
			break;
		case K_TICKET_PREFIX:
			v = get_string(ld, s, 0);
			if (v == NULL)
				break;
			if (!valid_prefix(v)) {
				problem(ld, s, "expected 1 to 6 upper-case letters A-Z, got ");
				add_quoted(ld, v);
			} else {
				set_str(ld, &cfg->ticket_prefix, v);
			}
			break;
		case K_LANGUAGE:
			v = get_string(ld, s, 0);
			if (v == NULL)
				break;
			if (strcmp(v, "id") != 0 && strcmp(v, "en") != 0) {
				problem(ld, s, "expected \"id\" or \"en\", got ");
				add_quoted(ld, v);
			} else {
				set_str(ld, &cfg->language, v);
			}
			break;
		case K_LOG_LEVEL:
			v = get_string(ld, s, 0);
			if (v == NULL)
				break;
			if (key_index(v, log_levels, NLOG_LEVELS) < 0) {
				problem(ld, s, "expected \"error\", \"warning\", \"info\" or \"debug\", got ");
				add_quoted(ld, v);
			} else {
				set_str(ld, &cfg->log_level, v);
			}
			break;
		case K_SMS:
			if (is_group(ld, s))
				load_sms(ld, s);
			break;
		case K_OUTBOX:
			if (is_group(ld, s))
				load_outbox(ld, s);
			break;
		case K_ADMINS:
			load_admins(ld, s);
			break;
		case K_TEMPLATES:
			if (is_group(ld, s))
				load_templates(ld, s, given);
			break;
		default:
			unknown_key(ld, s, top_keys, K__TOP);
			break;
		}
	}
	if (!database_seen)
		problem(ld, NULL, "database: missing; expected a non-empty string, "
			"e.g. database = \"/var/lib/helpdeskd/helpdeskd.db\";");

	set = strcmp(cfg->language, "en") == 0 ? tmpl_en_set : tmpl_id_set;
	for (int i = 0; i < TM__COUNT; i++) {
		char msg[160];

		if (given[i] != NULL) {
			set_str(ld, &cfg->tmpl[i], str_of(given[i]));
		} else if (tmpl_check(set[i], tmpl_vars, NTMPL_VARS, msg, sizeof(msg)) != 0) {
			problem(ld, NULL, "built-in template %s (%s): %s", tmpl_names[i],
				cfg->language, msg);
		} else {
			set_str(ld, &cfg->tmpl[i], set[i]);
		}
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
	if (cfg->path == NULL || cfg->spool_dir == NULL || cfg->ticket_prefix == NULL ||
	    cfg->language == NULL || cfg->log_level == NULL || cfg->sms.connection == NULL ||
	    cfg->sms.model == NULL) {
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
	int fd = open(ld->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		problem(ld, NULL, "cannot open the configuration file: %s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		problem(ld, NULL, "cannot read the configuration file: it is a directory");
	else
		problem(ld, NULL, "cannot read the configuration file");
	close(fd);
}

static void
parse_problem(struct loader *ld, const config_t *lc)
{
	const char *text = config_error_text(lc);

	if (text == NULL)
		text = "unknown error";
	begin_line(ld, config_error_file(lc), config_error_line(lc));
	if (strncmp(text, "syntax error", 12) == 0)
		buf_add(ld, "%s", text);
	else
		buf_add(ld, "syntax error: %s", text);
}

int
config_load(const char *path, struct hd_config **out, char **err)
{
	struct loader ld = { .path = path, .cc = 62 };
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
	ld.dirlen = slash ? (size_t)(slash - path) + 1 : 0;
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
		nomem(&ld);
	else if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			io_problem(&ld);
		else
			parse_problem(&ld, &lc);
	} else {
		const config_setting_t *root = config_root_setting(&lc);

		if (root == NULL)
			problem(&ld, NULL, "libconfig returned no settings");
		else
			load_root(&ld, root);
	}
	config_destroy(&lc);

	if (ld.oom || ld.nproblems > 0) {
		config_free(ld.cfg);
		if (ld.oom) {
			free(ld.err);
			ld.err = strdup("out of memory while loading the configuration");
		}
		if (err != NULL)
			*err = ld.err;
		else
			free(ld.err);
		return -1;
	}
	free(ld.err);
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
	for (int i = 0; i < TM__COUNT; i++)
		free(cfg->tmpl[i]);
	free(cfg);
}

const char *
config_tmpl_name(enum tmpl_id id)
{
	if ((int)id < 0 || id >= TM__COUNT)
		return NULL;
	return tmpl_names[id];
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
