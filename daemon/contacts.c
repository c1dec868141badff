/* contacts.c: contact lookup and CSV import. */
#include "contacts.h"
#include "address.h"
#include "log.h"
#include "phone.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
contact_find(struct store *s, const char *address, struct contact *c)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	st = store_stmt(s, "SELECT id, name, skpd, role FROM contacts"
			" WHERE active = 1 AND (phone = ?1 OR email = ?1) ORDER BY id LIMIT 1",
			"t", address);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->id = sqlite3_column_int64(st, 0);
		c->name = store_col_dup(st, 1);
		c->skpd = store_col_dup(st, 2);
		c->role = store_col_dup(st, 3);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW || !c->name || !c->skpd || !c->role) {
		contact_free(c);
		return -1;
	}
	return 0;
}

void
contact_free(struct contact *c)
{
	free(c->name);
	free(c->skpd);
	free(c->role);
	memset(c, 0, sizeof(*c));
}

enum { COL_NAME, COL_PHONE, COL_EMAIL, COL_SKPD, COL_ROLE, NCOLS };
static const char *const colnames[NCOLS] = { "name", "phone", "email", "skpd", "role" };

/* Read one CSV record into fields (each a malloc'ed string). Returns the
 * number of fields, 0 at end of input, -1 on error; *lines counts the
 * newlines consumed. */
static int
csv_record(FILE *f, struct sbuf *fields, int maxf, int *lines, const char **why)
{
	int c, n = 0, quoted = 0, any = 0;

	for (int i = 0; i < maxf; i++)
		fields[i].len = 0, fields[i].oom = 0;
	sb_append(&fields[0], "", 0);
	while ((c = getc(f)) != EOF) {
		any = 1;
		if (quoted) {
			if (c == '"') {
				int d = getc(f);
				if (d == '"')
					sb_append(&fields[n], "\"", 1);
				else {
					quoted = 0;
					if (d != EOF)
						ungetc(d, f);
				}
				continue;
			}
			if (c == '\n')
				(*lines)++;
			sb_append(&fields[n], (char *)&c, 1);
			continue;
		}
		if (c == '"' && fields[n].len == 0) {
			quoted = 1;
		} else if (c == ',') {
			if (++n >= maxf) {
				*why = "too many columns";
				return -1;
			}
			sb_append(&fields[n], "", 0);
		} else if (c == '\n') {
			(*lines)++;
			break;
		} else if (c != '\r') {
			sb_append(&fields[n], (char *)&c, 1);
		}
	}
	if (quoted) {
		*why = "unterminated quoted field";
		return -1;
	}
	for (int i = 0; i <= n; i++)
		if (fields[i].oom) {
			*why = "out of memory";
			return -1;
		}
	return any ? n + 1 : 0;
}

static const char *
trimmed(struct sbuf *b)
{
	char *s = b->s ? b->s : "";
	size_t len = strlen(s);

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int
valid_role(const char *r)
{
	return !strcmp(r, "reporter") || !strcmp(r, "admin") || !strcmp(r, "technician") ||
	       !strcmp(r, "leader");
}

int
contacts_import(struct store *s, FILE *f, const char *fname, int country_code, FILE *errs)
{
	struct sbuf fields[16] = { 0 };
	int map[16], nf, line = 1, rowline, bad = 0, done = 0, result = -1;
	const char *why = NULL;
	int64_t now = now_ms();

	nf = csv_record(f, fields, 16, &line, &why);
	if (nf <= 0) {
		fprintf(errs, "%s:1: %s\n", fname, nf == 0 ? "empty file, expected a header line "
			"naming name,phone,email,skpd,role" : why);
		goto out;
	}
	for (int i = 0; i < nf; i++) {
		const char *h = trimmed(&fields[i]);
		map[i] = -1;
		for (int k = 0; k < NCOLS; k++)
			if (strcasecmp(h, colnames[k]) == 0)
				map[i] = k;
		if (map[i] < 0) {
			fprintf(errs, "%s:1: unknown column \"%s\", expected name, phone, email, skpd or role\n",
				fname, h);
			bad++;
		}
	}
	if (bad || store_begin(s) < 0)
		goto out;
	for (;;) {
		const char *v[NCOLS] = { "", "", "", "", "reporter" };
		char phone[PHONE_MAX];
		int n;

		rowline = line;
		n = csv_record(f, fields, 16, &line, &why);
		if (n == 0)
			break;
		if (n < 0) {
			fprintf(errs, "%s:%d: %s\n", fname, rowline, why);
			bad++;
			break;
		}
		if (n == 1 && *trimmed(&fields[0]) == '\0')
			continue;	/* blank line */
		if (n != nf) {
			fprintf(errs, "%s:%d: expected %d columns, got %d\n", fname, rowline, nf, n);
			bad++;
			continue;
		}
		for (int i = 0; i < n; i++)
			if (*trimmed(&fields[i]) != '\0' || map[i] != COL_ROLE)
				v[map[i]] = trimmed(&fields[i]);
		if (*v[COL_PHONE] != '\0' &&
		    phone_normalize(v[COL_PHONE], strlen(v[COL_PHONE]), country_code, phone) != PHONE_NUMBER) {
			fprintf(errs, "%s:%d: phone \"%s\" is not a phone number\n", fname, rowline, v[COL_PHONE]);
			bad++;
			continue;
		}
		if (*v[COL_EMAIL] != '\0' && !address_valid(v[COL_EMAIL], strlen(v[COL_EMAIL]))) {
			fprintf(errs, "%s:%d: email \"%s\" is not an address\n", fname, rowline, v[COL_EMAIL]);
			bad++;
			continue;
		}
		if (*v[COL_PHONE] == '\0' && *v[COL_EMAIL] == '\0') {
			fprintf(errs, "%s:%d: expected a phone or an email\n", fname, rowline);
			bad++;
			continue;
		}
		if (!valid_role(v[COL_ROLE])) {
			fprintf(errs, "%s:%d: role \"%s\": expected reporter, admin, technician or leader\n",
				fname, rowline, v[COL_ROLE]);
			bad++;
			continue;
		}
		/* Update the contact that has this phone or email, else insert. */
		if (store_run(s, "UPDATE contacts SET name = ?1, phone = COALESCE(NULLIF(?2, ''), phone),"
			      " email = COALESCE(NULLIF(?3, ''), email), skpd = ?4, role = ?5, active = 1,"
			      " updated_at = ?6 WHERE phone = NULLIF(?2, '') OR email = NULLIF(?3, '')",
			      "ttttti", v[COL_NAME], *v[COL_PHONE] ? phone : "",
			      v[COL_EMAIL], v[COL_SKPD], v[COL_ROLE], now) != SQLITE_DONE) {
			bad++;
			break;
		}
		if (sqlite3_changes(s->db) == 0 &&
		    store_run(s, "INSERT INTO contacts (name, phone, email, skpd, role, created_at, updated_at)"
			      " VALUES (?1, NULLIF(?2, ''), NULLIF(?3, ''), ?4, ?5, ?6, ?6)",
			      "ttttti", v[COL_NAME], *v[COL_PHONE] ? phone : "", v[COL_EMAIL],
			      v[COL_SKPD], v[COL_ROLE], now) != SQLITE_DONE) {
			fprintf(errs, "%s:%d: %s\n", fname, rowline, sqlite3_errmsg(s->db));
			bad++;
			continue;
		}
		done++;
	}
	if (bad) {
		store_rollback(s);
		goto out;
	}
	if (store_commit(s) == 0)
		result = done;
out:
	for (int i = 0; i < 16; i++)
		sb_free(&fields[i]);
	return result;
}
