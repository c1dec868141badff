/*
 * config_mail.c: the email groups of helpdeskd's configuration: the "imap"
 * list of mailboxes complaints come from, the "smtp" server replies leave
 * through, and "email" (size limit, our own addresses, Message-ID domain).
 * Split out of config.c; it reads keys with config.c's key-spec walker
 * (config_diag.h) and reports problems the same way.
 */
#include "config.h"
#include "config_diag.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_MAILBOXES 16
#define MAX_OWN_ADDRESSES 64
#define SECRET_MAX 4096		/* longest password file, in bytes */

/* K_ENUM stores the index of the name as an int. */
_Static_assert(sizeof(enum tls_mode) == sizeof(int) && sizeof(enum imap_initial) == sizeof(int),
	       "K_ENUM stores enums as int");

static const char *const imap_tls_names[] = {
	[TLS_IMPLICIT] = "imaps", [TLS_STARTTLS] = "starttls", [TLS_NONE] = "none", NULL,
};
static const char *const smtp_tls_names[] = {
	[TLS_IMPLICIT] = "smtps", [TLS_STARTTLS] = "starttls", [TLS_NONE] = "none", NULL,
};
static const char *const initial_names[] = {
	[INITIAL_UNSEEN] = "unseen", [INITIAL_ALL] = "all", [INITIAL_NEW] = "new", NULL,
};
static const int smtp_ports[] = { [TLS_IMPLICIT] = 465, [TLS_STARTTLS] = 587, [TLS_NONE] = 25 };

#define ADDRESS_EXPECT "expected an address such as \"helpdesk@example.go.id\""
#define HOST_EXPECT "expected a host name or address without spaces or control characters"
#define FOLDER_EXPECT "expected a folder name without control characters"
#define USER_EXPECT "expected a user name without control characters"

static int
mailbox_name_ok(const char *v)
{
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return n >= 1 && n <= 32 && v[n] == '\0';
}

static int
host_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

/* "" stands for the null reverse-path <>. */
static int
envelope_ok(const char *v)
{
	return v[0] == '\0' || cfg_email_ok(v);
}

/* Letters, digits, dots and hyphens; no empty label. */
static int
domain_ok(const char *v)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
	size_t n = strlen(v);

	return n > 0 && strspn(v, chars) == n && v[0] != '.' && v[n - 1] != '.' &&
	       strstr(v, "..") == NULL;
}

static void
free_secret(char *p)
{
	if (p != NULL)
		explicit_bzero(p, strlen(p));
	free(p);
}

/* Report that file path, named by setting s, cannot be read. */
static void
unreadable(struct loader *ld, const config_setting_t *s, const char *path, int e)
{
	diag_problem(&ld->diag, s, "cannot read ");
	diag_quoted(&ld->diag, path);
	diag_add(&ld->diag, ": %s", strerror(e));
}

/* Whether the file open as fd (path, named by setting s), which holds a
 * secret, can be read by users other than its owner and group; reports it. */
static int
open_to_others(struct loader *ld, const config_setting_t *s, int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || (st.st_mode & S_IROTH) == 0)
		return 0;
	diag_problem(&ld->diag, s, "expected a file only its owner and group can read, got ");
	diag_quoted(&ld->diag, path);
	diag_add(&ld->diag, " with mode %04o, readable by everyone: chmod o-r it",
		 (unsigned)(st.st_mode & 07777));
	return 1;
}

/* Read the password in file path (setting s) into *dst: one line, its
 * trailing "\n" or "\r\n" dropped. The file's content never goes into a
 * problem text. */
static void
read_secret(struct loader *ld, const config_setting_t *s, const char *path, char **dst)
{
	char buf[SECRET_MAX + 1];
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		e = errno;
	else if (open_to_others(ld, s, fd, path))
		e = -1;
	while (fd >= 0 && e == 0 && len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			e = errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (len > 0 && buf[len - 1] == '\n')
		len -= len > 1 && buf[len - 2] == '\r' ? 2 : 1;

	if (e > 0) {
		unreadable(ld, s, path, e);
	} else if (e < 0) {
		/* reported by open_to_others */
	} else if (len > SECRET_MAX) {
		diag_problem(&ld->diag, s, "expected a password file of at most %d bytes, got ",
			SECRET_MAX);
		diag_quoted(&ld->diag, path);
	} else if (len == 0) {
		diag_problem(&ld->diag, s, "expected the password in ");
		diag_quoted(&ld->diag, path);
		diag_add(&ld->diag, ", got an empty file");
	} else if (memchr(buf, '\0', len) || memchr(buf, '\r', len) || memchr(buf, '\n', len)) {
		diag_problem(&ld->diag, s, "expected one line without NUL, CR or LF characters in ");
		diag_quoted(&ld->diag, path);
	} else {
		char *p = strndup(buf, len);

		if (p == NULL)
			diag_nomem(&ld->diag);
		free_secret(*dst);
		*dst = p;
	}
	explicit_bzero(buf, sizeof(buf));
}

/* Exactly one of password (pw) and password_file (pf, naming file) must be
 * set; the file is read into *password. */
static void
take_password(struct loader *ld, const config_setting_t *grp, const struct seen *pw,
	      const struct seen *pf, const char *file, char **password)
{
	if (pw->at != NULL && pf->at != NULL) {
		diag_problem(&ld->diag, pf->at, "cannot be used together with ");
		diag_key(&ld->diag, pw->at);
		diag_add(&ld->diag, " (line %u): set one of them",
			 config_setting_source_line(pw->at));
	} else if (pw->at == NULL && pf->at == NULL) {
		diag_problem(&ld->diag, grp, "expected password or password_file, got neither");
	} else if (pw->at != NULL && !pw->bad && strpbrk(*password, "\r\n") != NULL) {
		diag_problem(&ld->diag, pw->at, "expected a password without CR or LF characters");
	} else if (pw->at != NULL && !pw->bad) {
		/* The password is in the configuration file (or the file it
		 * includes): that file must be as private as a password file. */
		const char *src = config_setting_source_file(pw->at);
		int fd = open(src ? src : ld->diag.path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			open_to_others(ld, pw->at, fd, src ? src : ld->diag.path);
			close(fd);
		}
	} else if (pf->at != NULL && !pf->bad) {
		read_secret(ld, pf->at, file, password);
	}
}

/* Report ca_file unless it is absent or readable. */
static void
check_ca_file(struct loader *ld, const struct seen *ca, const char *path)
{
	if (ca->at != NULL && !ca->bad && access(path, R_OK) != 0)
		unreadable(ld, ca->at, path, errno);
}

enum { I_NAME, I_HOST, I_PORT, I_TLS, I_TLS_VERIFY, I_CA_FILE, I_USER, I_PASSWORD,
       I_PASSWORD_FILE, I_FOLDER, I_MOVE_TO, I_IDLE, I_POLL_INTERVAL, I_TIMEOUT, I_INITIAL,
       I_REPLY_MAX_AGE, I__COUNT };

/* One imap entry as read, with the name of its password file. */
struct imap_read {
	struct cfg_imap im;
	char *password_file;
};

#define IMAP(field) offsetof(struct imap_read, im.field)
static const struct keyspec imap_keys[I__COUNT] = {
	[I_NAME] = { "name", K_STR, .offset = IMAP(name), .ok = mailbox_name_ok,
		     .expect = "expected 1 to 32 characters a-z, 0-9, _ or -" },
	[I_HOST] = { "host", K_STR, .offset = IMAP(host), .ok = host_ok, .expect = HOST_EXPECT },
	[I_PORT] = { "port", K_INT, 1, 65535, .offset = IMAP(port) },
	[I_TLS] = { "tls", K_ENUM, .offset = IMAP(tls), .names = imap_tls_names },
	[I_TLS_VERIFY] = { "tls_verify", K_BOOL, .offset = IMAP(tls_verify) },
	[I_CA_FILE] = { "ca_file", K_STR, .offset = IMAP(ca_file) },
	[I_USER] = { "user", K_STR, .offset = IMAP(user), .ok = cfg_text_ok, .expect = USER_EXPECT },
	[I_PASSWORD] = { "password", K_STR, .offset = IMAP(password) },
	[I_PASSWORD_FILE] = { "password_file", K_STR,
			      .offset = offsetof(struct imap_read, password_file) },
	[I_FOLDER] = { "folder", K_STR, .offset = IMAP(folder), .ok = cfg_text_ok,
		       .expect = FOLDER_EXPECT },
	[I_MOVE_TO] = { "move_to", K_STR, .offset = IMAP(move_to), .ok = cfg_text_ok,
			.expect = FOLDER_EXPECT },
	[I_IDLE] = { "idle", K_BOOL, .offset = IMAP(idle) },
	[I_POLL_INTERVAL] = { "poll_interval", K_INT, 5, 3600, .offset = IMAP(poll_interval) },
	[I_TIMEOUT] = { "timeout", K_INT, 5, 600, .offset = IMAP(timeout) },
	[I_INITIAL] = { "initial", K_ENUM, .offset = IMAP(initial), .names = initial_names },
	[I_REPLY_MAX_AGE] = { "reply_max_age", K_INT, 0, 87600, .offset = IMAP(reply_max_age) },
};

static void
load_mailbox(struct loader *ld, const config_setting_t *grp, void *elem)
{
	struct cfg_imap *im = elem;
	static const struct {
		int key;
		const char *problem;
	} required[] = {
		{ I_NAME, "name is missing" }, { I_HOST, "host is missing" },
		{ I_USER, "user is missing" },
	};
	struct imap_read r = { .im = { .tls = TLS_IMPLICIT, .tls_verify = 1, .idle = 1,
				       .poll_interval = 60, .timeout = 60,
				       .initial = INITIAL_UNSEEN, .reply_max_age = 72 } };
	struct seen seen[I__COUNT];

	if (cfg_set_str(ld, &r.im.folder, "INBOX") != 0)
		return;
	cfg_load_keys(ld, grp, imap_keys, I__COUNT, &r, seen);
	*im = r.im;	/* config_free frees it from here on */
	if (seen[I_PORT].at == NULL)
		im->port = im->tls == TLS_IMPLICIT ? 993 : 143;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (seen[required[i].key].at == NULL)
			diag_problem(&ld->diag, grp, "%s", required[i].problem);
	take_password(ld, grp, &seen[I_PASSWORD], &seen[I_PASSWORD_FILE], r.password_file,
		      &im->password);
	check_ca_file(ld, &seen[I_CA_FILE], im->ca_file);
	free(r.password_file);
}

void
cfg_load_imap(struct loader *ld, const config_setting_t *list)
{
	struct hd_config *cfg = ld->cfg;
	int n;

	cfg->imap = cfg_group_list(ld, list, &cfg->nimap, sizeof(cfg->imap[0]), MAX_MAILBOXES,
				   "mailboxes", "{ name = ...; ... }", load_mailbox);
	n = (int)cfg->nimap;

	/* Names key the mailboxes' state in the database: no two alike. */
	for (int i = 1; i < n; i++)
		for (int j = 0; j < i; j++) {
			const config_setting_t *a, *b;

			if (cfg->imap[i].name == NULL || cfg->imap[j].name == NULL ||
			    strcmp(cfg->imap[i].name, cfg->imap[j].name) != 0)
				continue;
			a = config_setting_get_member(config_setting_get_elem(list, (unsigned)j), "name");
			b = config_setting_get_member(config_setting_get_elem(list, (unsigned)i), "name");
			diag_problem(&ld->diag, b, "expected a name no other mailbox has, got ");
			diag_quoted(&ld->diag, cfg->imap[i].name);
			diag_add(&ld->diag, " (as imap[%d].name, line %u)", j,
				 a != NULL ? config_setting_source_line(a) : 0);
			break;
		}
}

enum { M_ENABLED, M_HOST, M_PORT, M_TLS, M_TLS_VERIFY, M_CA_FILE, M_USER, M_PASSWORD,
       M_PASSWORD_FILE, M_FROM, M_FROM_NAME, M_ENVELOPE_FROM, M_TIMEOUT, M__COUNT };

/* The smtp group as read, with the name of its password file. */
struct smtp_read {
	struct cfg_smtp smtp;
	char *password_file;
};

#define SMTP(field) offsetof(struct smtp_read, smtp.field)
static const struct keyspec smtp_keys[M__COUNT] = {
	[M_ENABLED] = { "enabled", K_BOOL, .offset = SMTP(enabled) },
	[M_HOST] = { "host", K_STR, .offset = SMTP(host), .ok = host_ok, .expect = HOST_EXPECT },
	[M_PORT] = { "port", K_INT, 1, 65535, .offset = SMTP(port) },
	[M_TLS] = { "tls", K_ENUM, .offset = SMTP(tls), .names = smtp_tls_names },
	[M_TLS_VERIFY] = { "tls_verify", K_BOOL, .offset = SMTP(tls_verify) },
	[M_CA_FILE] = { "ca_file", K_STR, .offset = SMTP(ca_file) },
	[M_USER] = { "user", K_STR, .offset = SMTP(user), .ok = cfg_text_ok, .expect = USER_EXPECT },
	[M_PASSWORD] = { "password", K_STR, .offset = SMTP(password) },
	[M_PASSWORD_FILE] = { "password_file", K_STR,
			      .offset = offsetof(struct smtp_read, password_file) },
	[M_FROM] = { "from", K_STR, .offset = SMTP(from), .ok = cfg_email_ok, .expect = ADDRESS_EXPECT },
	[M_FROM_NAME] = { "from_name", K_STR, .offset = SMTP(from_name), .ok = cfg_text_ok,
			  .expect = "expected a name without control characters" },
	[M_ENVELOPE_FROM] = { "envelope_from", K_STR_ANY, .offset = SMTP(envelope_from),
			      .ok = envelope_ok,
			      .expect = "expected \"\" (the null reverse-path) or an address such as "
					"\"helpdesk@example.go.id\"" },
	[M_TIMEOUT] = { "timeout", K_INT, 5, 600, .offset = SMTP(timeout) },
};

void
cfg_load_smtp(struct loader *ld, const config_setting_t *grp)
{
	struct cfg_smtp *smtp = &ld->cfg->smtp;
	struct smtp_read r = { .smtp = *smtp };
	struct seen seen[M__COUNT];

	cfg_load_keys(ld, grp, smtp_keys, M__COUNT, &r, seen);
	*smtp = r.smtp;
	if (seen[M_ENABLED].at == NULL)
		smtp->enabled = seen[M_HOST].at != NULL;
	if (seen[M_PORT].at == NULL)
		smtp->port = smtp_ports[smtp->tls];

	/* AUTH is optional; a password needs a user and the reverse. */
	if (seen[M_USER].at != NULL) {
		take_password(ld, grp, &seen[M_PASSWORD], &seen[M_PASSWORD_FILE], r.password_file,
			      &smtp->password);
	} else {
		for (int k = M_PASSWORD; k <= M_PASSWORD_FILE; k++)
			if (seen[k].at != NULL)
				diag_problem(&ld->diag, seen[k].at,
					"only used with smtp.user, which is not set");
	}
	if (smtp->enabled && !seen[M_ENABLED].bad) {
		if (seen[M_HOST].at == NULL)
			diag_problem(&ld->diag, grp, "SMTP is enabled but smtp.host is not set");
		if (seen[M_FROM].at == NULL)
			diag_problem(&ld->diag, grp, "SMTP is enabled but smtp.from is not set");
	}
	check_ca_file(ld, &seen[M_CA_FILE], smtp->ca_file);
	free(r.password_file);
}

/* email.own_addresses: an array (or list) of addresses. */
static void
load_own_addresses(struct loader *ld, const config_setting_t *s)
{
	struct cfg_email *em = &ld->cfg->email;

	cfg_str_array(ld, s, &em->own_addresses, &em->nown, MAX_OWN_ADDRESSES, "addresses",
		      "helpdesk@example.go.id", cfg_email_ok, ADDRESS_EXPECT);
}

enum { E_MAX_SIZE, E_OWN_ADDRESSES, E_MSGID_DOMAIN, E__COUNT };
#define EMAIL(field) offsetof(struct cfg_email, field)
static const struct keyspec email_keys[E__COUNT] = {
	[E_MAX_SIZE] = { "max_size", K_LLONG, 1024, 1073741824, .offset = EMAIL(max_size) },
	[E_OWN_ADDRESSES] = { "own_addresses", K_CUSTOM, .load = load_own_addresses },
	[E_MSGID_DOMAIN] = { "msgid_domain", K_STR, .offset = EMAIL(msgid_domain), .ok = domain_ok,
			     .expect = "expected a domain such as \"helpdesk.example.go.id\" "
				       "(letters, digits, dots and hyphens)" },
};

void
cfg_load_email(struct loader *ld, const config_setting_t *grp)
{
	cfg_load_keys(ld, grp, email_keys, E__COUNT, &ld->cfg->email, NULL);
}

int
cfg_mail_defaults(struct hd_config *cfg)
{
	cfg->smtp.tls = TLS_STARTTLS;
	cfg->smtp.port = smtp_ports[TLS_STARTTLS];
	cfg->smtp.tls_verify = 1;
	cfg->smtp.timeout = 60;
	cfg->email.max_size = 26214400;
	cfg->smtp.from_name = strdup("Helpdesk");
	cfg->smtp.envelope_from = strdup("");
	return cfg->smtp.from_name != NULL && cfg->smtp.envelope_from != NULL ? 0 : -1;
}

/* email.msgid_domain defaults to the domain of smtp.from, wherever in the
 * file the two groups are. */
void
cfg_mail_finish(struct loader *ld, const config_setting_t *root)
{
	struct hd_config *cfg = ld->cfg;
	const config_setting_t *email = config_setting_get_member(root, "email");
	const char *at = cfg->smtp.from != NULL ? strchr(cfg->smtp.from, '@') : NULL;

	if (email != NULL && config_setting_is_group(email) &&
	    config_setting_get_member(email, "msgid_domain") != NULL)
		return;		/* set, or its problem reported */
	if (at == NULL) {
		cfg_set_str(ld, &cfg->email.msgid_domain, "helpdeskd.invalid");
	} else if (domain_ok(at + 1)) {
		cfg_set_str(ld, &cfg->email.msgid_domain, at + 1);
	} else {
		const config_setting_t *smtp = config_setting_get_member(root, "smtp");

		diag_problem(&ld->diag, smtp != NULL ? config_setting_get_member(smtp, "from") : NULL,
			"expected a domain of letters, digits, dots and hyphens to use in "
			"Message-IDs (or set email.msgid_domain), got ");
		diag_quoted(&ld->diag, at + 1);
	}
}

void
cfg_mail_free(struct hd_config *cfg)
{
	for (size_t i = 0; i < cfg->nimap; i++) {
		struct cfg_imap *im = &cfg->imap[i];

		free(im->name);
		free(im->host);
		free(im->ca_file);
		free(im->user);
		free_secret(im->password);
		free(im->folder);
		free(im->move_to);
	}
	free(cfg->imap);
	free(cfg->smtp.host);
	free(cfg->smtp.ca_file);
	free(cfg->smtp.user);
	free_secret(cfg->smtp.password);
	free(cfg->smtp.from);
	free(cfg->smtp.from_name);
	free(cfg->smtp.envelope_from);
	for (size_t i = 0; i < cfg->email.nown; i++)
		free(cfg->email.own_addresses[i]);
	free(cfg->email.own_addresses);
	free(cfg->email.msgid_domain);
}
