/*
 * ctl_report.c: helpdeskctl report, the monthly, yearly or ad-hoc recap of
 * the tickets created in a period (SOP: "rekapitulasi bulanan atau
 * tahunan"). One pass gathers the figures into a struct report, taking every
 * per-ticket duration and SLA state from sla_view() so that the report
 * agrees with the daemon's escalations; then one emitter per format (text,
 * CSV, JSON in ctl_report_emit.c; HTML in ctl_report_html.c), written to
 * stdout or atomically to a file.
 */
#include "ctl.h"
#include "ctl_report.h"
#include "sla.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DAY_MS 86400000LL

/* ------------------------------------------------------------------ */
/* The period */

static int
days_in(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : dm[m - 1];
}

/* Parse exactly "YYYY", "YYYY-MM" or "YYYY-MM-DD" (parts 1, 2, 3) of a real
 * date from 1970 on; missing parts are 1. Returns 0 or -1. */
static int
parse_date(const char *s, int parts, int v[3])
{
	static const int width[3] = { 4, 2, 2 };

	v[1] = v[2] = 1;
	for (int i = 0; i < parts; i++) {
		if (i > 0 && *s++ != '-')
			return -1;
		v[i] = 0;
		for (int k = 0; k < width[i]; k++, s++) {
			if (*s < '0' || *s > '9')
				return -1;
			v[i] = v[i] * 10 + (*s - '0');
		}
	}
	if (*s != '\0' || v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > days_in(v[0], v[1]))
		return -1;
	return 0;
}

/* Local midnight of y-m-d (normalised: m 13 is January of y + 1) as epoch ms. */
static int
midnight(int y, int m, int d, int64_t *ms)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1 };
	time_t t = mktime(&tm);

	if (t == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

static void
day_str(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(out, len, "%Y-%m-%d", &tm) == 0)
		snprintf(out, len, "-");
}

/* Fill r's period from the options; 0, or EX_USAGE after saying why. */
static int
set_period(struct report *r, const char *month, const char *year, const char *from, const char *to)
{
	int a[3], z[3], forms = (month != NULL) + (year != NULL) + (from != NULL || to != NULL);

	if (forms != 1) {
		fprintf(stderr, "helpdeskctl report: give %s period: --month YYYY-MM, --year YYYY or"
			" --from YYYY-MM-DD --to YYYY-MM-DD\n", forms ? "only one" : "the");
		return EX_USAGE;
	}
	if ((from == NULL) != (to == NULL)) {
		fprintf(stderr, "helpdeskctl report: --from and --to go together\n");
		return EX_USAGE;
	}
	if (month != NULL && parse_date(month, 2, a) < 0) {
		fprintf(stderr, "helpdeskctl report: --month %s: expected YYYY-MM (month 01 to 12)\n", month);
		return EX_USAGE;
	}
	if (year != NULL && parse_date(year, 1, a) < 0) {
		fprintf(stderr, "helpdeskctl report: --year %s: expected YYYY (1970 or later)\n", year);
		return EX_USAGE;
	}
	if (from != NULL && (parse_date(from, 3, a) < 0 || parse_date(to, 3, z) < 0)) {
		fprintf(stderr, "helpdeskctl report: --from %s --to %s: expected two real dates YYYY-MM-DD\n",
			from, to);
		return EX_USAGE;
	}
	if (from != NULL && (z[0] - a[0]) * 10000 + (z[1] - a[1]) * 100 + z[2] - a[2] < 0) {
		fprintf(stderr, "helpdeskctl report: --from %s is after --to %s\n", from, to);
		return EX_USAGE;
	}
	r->form = month ? RP_MONTH : year ? RP_YEAR : RP_RANGE;
	r->year = a[0];
	r->month = a[1];
	if (midnight(a[0], a[1], a[2], &r->start) < 0 ||
	    midnight(month ? a[0] : year ? a[0] + 1 : z[0], month ? a[1] + 1 : year ? 1 : z[1],
		     month || year ? 1 : z[2] + 1, &r->end) < 0 || r->end <= r->start) {
		fprintf(stderr, "helpdeskctl report: the period cannot be represented in local time\n");
		return EX_USAGE;
	}
	day_str(r->start, r->first_day, sizeof(r->first_day));
	day_str(r->end - 1000, r->last_day, sizeof(r->last_day));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Gathering */

/* What the second pass needs of each ticket. */
struct rp_ticket {
	int64_t id;
	int prio;		/* index in ctl_priorities, -1 if unknown */
	size_t tech;		/* index in r->tech */
	int responded, resolved;
};

static int
word_index(const char *s, const char *const *words)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

/* The group with this key and id, added if new; NULL when out of memory. */
static struct rp_group *
group_get(struct rp_groups *g, const char *key, int64_t id)
{
	struct rp_group *v;

	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].id == id && strcmp(g->v[i].key, key) == 0)
			return &g->v[i];
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;

		if ((v = realloc(g->v, cap * sizeof(*v))) == NULL)
			return NULL;
		g->v = v;
		g->cap = cap;
	}
	v = &g->v[g->n];
	memset(v, 0, sizeof(*v));
	if ((v->key = strdup(key)) == NULL)
		return NULL;
	v->id = id;
	g->n++;
	return v;
}

static void
groups_free(struct rp_groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].key);
		free(g->v[i].last_text);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static int
by_count(const void *a, const void *b)
{
	const struct rp_group *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Technicians by name, the unassigned row last. */
static int
by_name(const void *a, const void *b)
{
	const struct rp_group *x = a, *y = b;
	int c;

	if ((x->id == 0) != (y->id == 0))
		return x->id == 0 ? 1 : -1;
	if ((c = strcasecmp(x->key, y->key)) != 0 || (c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
by_ms(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Count, mean and nearest-rank p90 (index ceil(0.9 n) - 1 of the sorted values). */
static void
dist(struct rp_dist *d, int64_t *v, long n)
{
	memset(d, 0, sizeof(*d));
	d->n = n;
	if (n == 0)
		return;
	qsort(v, (size_t)n, sizeof(*v), by_ms);
	for (long i = 0; i < n; i++)
		d->sum_ms += v[i];
	d->mean_ms = d->sum_ms / n;
	d->p90_ms = v[(9 * n + 9) / 10 - 1];
}

/* One line of valid UTF-8 from column i, cut to max bytes; dflt when empty. */
static char *
clean_col(sqlite3_stmt *st, int i, size_t max, const char *dflt)
{
	const char *s = ctl_col(st, i);
	char *t = text_oneline(s, strlen(s), max);

	if (t != NULL && *t == '\0' && dflt != NULL) {
		free(t);
		t = strdup(dflt);
	}
	return t;
}

/* First pass: the ticket rows, counted and grouped. Returns the number of
 * tickets in *tk (allocated), or -1. */
static long
gather_rows(struct store *s, struct report *r, struct rp_ticket **tk)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	long n = 0;
	int rc;

	*tk = NULL;
	st = store_stmt(s, "SELECT t.id, t.channel, t.status, t.priority, t.category, t.skpd,"
			" COALESCE(t.assignee_id, 0), COALESCE(c.name, ''), t.first_response_at IS NOT NULL,"
			" t.resolved_at IS NOT NULL, t.created_at, t.text,"
			" (SELECT count(*) FROM escalations e WHERE e.ticket_id = t.id),"
			" (SELECT count(*) FROM pauses p WHERE p.ticket_id = t.id AND p.hardware = 1),"
			" (SELECT count(*) FROM pauses p WHERE p.ticket_id = t.id AND p.hardware = 0)"
			" FROM tickets t LEFT JOIN contacts c ON c.id = t.assignee_id"
			" WHERE t.created_at >= ?1 AND t.created_at < ?2 ORDER BY t.id", "ii", r->start, r->end);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), tech_id = sqlite3_column_int64(st, 6);
		int64_t created = sqlite3_column_int64(st, 10);
		int i, prio, hw = sqlite3_column_int(st, 13) > 0, other = sqlite3_column_int(st, 14) > 0;
		char *cat = clean_col(st, 4, 120, "(none)"), *skpd = clean_col(st, 5, 120, "(unknown)");
		char *name = tech_id ? clean_col(st, 7, 120, NULL) : strdup("(unassigned)"), fb[32];
		struct rp_group *gc = NULL, *gs = NULL, *gt = NULL;

		if (name != NULL && *name == '\0') {
			snprintf(fb, sizeof(fb), "#%lld", (long long)tech_id);
			free(name);
			name = strdup(fb);
		}
		if (cat && skpd && name) {
			gc = group_get(&r->category, cat, 0);
			gs = group_get(&r->skpd, skpd, 0);
			gt = group_get(&r->tech, name, tech_id);
		}
		free(cat);
		free(skpd);
		free(name);
		if ((size_t)n == cap) {
			struct rp_ticket *t = realloc(*tk, (cap ? cap * 2 : 64) * sizeof(**tk));

			if (t != NULL) {
				*tk = t;
				cap = cap ? cap * 2 : 64;
			}
		}
		if (gc == NULL || gs == NULL || gt == NULL || (size_t)n == cap) {
			fprintf(stderr, "helpdeskctl report: out of memory\n");
			sqlite3_reset(st);
			return -1;
		}
		r->total++;
		if ((i = word_index(ctl_col(st, 1), ctl_channels)) >= 0)
			r->channel[i]++;
		if ((i = word_index(ctl_col(st, 2), ctl_statuses)) >= 0)
			r->status[i]++;
		if ((prio = word_index(ctl_col(st, 3), ctl_priorities)) >= 0)
			r->priority[prio]++;
		gc->n++;
		gs->n++;
		gt->n++;
		gt->escalations += sqlite3_column_int(st, 12);
		if (gc->last_text == NULL || created > gc->last_at || (created == gc->last_at && id > gc->last_id)) {
			char *text = clean_col(st, 11, RP_TEXT_MAX, NULL);

			if (text == NULL) {
				fprintf(stderr, "helpdeskctl report: out of memory\n");
				sqlite3_reset(st);
				return -1;
			}
			free(gc->last_text);
			gc->last_text = text;
			gc->last_at = created;
			gc->last_id = id;
		}
		r->pend_n += hw || other;
		r->pend_hw_n += hw;
		r->pend_other_n += other;
		(*tk)[n++] = (struct rp_ticket){ .id = id, .prio = prio, .tech = (size_t)(gt - r->tech.v),
						 .responded = sqlite3_column_int(st, 8),
						 .resolved = sqlite3_column_int(st, 9) };
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "helpdeskctl report: database: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	return n;
}

/* Gather every figure of r's period at r->now. Returns 0 or 1. */
static int
gather(struct ctl *c, struct report *r)
{
	struct rp_ticket *tk;
	int64_t *resp = NULL, *res = NULL;
	long n, nresp = 0, nres = 0;
	int rc = 1;

	/* One read transaction: both passes see the same snapshot. */
	if (sqlite3_exec(c->store->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "helpdeskctl report: database: %s\n", sqlite3_errmsg(c->store->db));
		return 1;
	}
	if ((n = gather_rows(c->store, r, &tk)) < 0)
		goto out;
	if (n > 0 && ((resp = malloc((size_t)n * sizeof(*resp))) == NULL ||
		      (res = malloc((size_t)n * sizeof(*res))) == NULL)) {
		fprintf(stderr, "helpdeskctl report: out of memory\n");
		goto out;
	}
	for (long i = 0; i < n; i++) {
		struct rp_group *g = &r->tech.v[tk[i].tech];
		struct sla_view v;
		int p = tk[i].prio, found = sla_view(c->store, c->cfg, tk[i].id, r->now, &v);

		if (found < 0) {
			fprintf(stderr, "helpdeskctl report: the SLA clocks of ticket %lld could not be read\n",
				(long long)tk[i].id);
			goto out;
		}
		if (found == 1)
			continue;
		if (tk[i].responded) {
			resp[nresp++] = v.response_ms;
			r->response_met += v.response == SLA_MET;
		}
		if (tk[i].resolved) {
			res[nres++] = v.resolution_ms;
			g->resolved++;
			g->res_sum += v.resolution_ms;
			if (p >= 0 && v.resolution == SLA_MET)
				r->sla_met[p]++;
			else if (p >= 0 && v.resolution == SLA_BREACHED)
				r->sla_breached[p]++;
		} else if (p >= 0 && v.resolution == SLA_BREACHED) {
			r->open_breached[p]++;
		}
		g->breaches += v.resolution == SLA_BREACHED;
		r->pend_ms += v.pending_ms;
		r->pend_hw_ms += v.pending_hw_ms;
	}
	dist(&r->response, resp, nresp);
	dist(&r->resolution, res, nres);
	if (r->category.n)
		qsort(r->category.v, r->category.n, sizeof(*r->category.v), by_count);
	if (r->skpd.n)
		qsort(r->skpd.v, r->skpd.n, sizeof(*r->skpd.v), by_count);
	if (r->tech.n)
		qsort(r->tech.v, r->tech.n, sizeof(*r->tech.v), by_name);
	rc = 0;
out:
	sqlite3_exec(c->store->db, "COMMIT", NULL, NULL, NULL);
	free(tk);
	free(resp);
	free(res);
	return rc;
}


/* ------------------------------------------------------------------ */
/* Output */

/* Write b's text to path through a temporary file in the same directory and
 * rename(2), so that a reader never sees half a report. Returns 0 or 1. */
static int
write_file(const char *path, const struct sbuf *b)
{
	size_t len = strlen(path), done = 0;
	char *tmp = malloc(len + 8);
	mode_t mask;
	int fd, closed;

	if (tmp == NULL) {
		fprintf(stderr, "helpdeskctl report: out of memory\n");
		return 1;
	}
	snprintf(tmp, len + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "helpdeskctl report: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return 1;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
		goto fail;
	while (done < b->len) {
		ssize_t n = write(fd, b->s + done, b->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	closed = close(fd);
	fd = -1;
	if (closed < 0 || rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	fprintf(stderr, "helpdeskctl report: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return 1;
}

int
ctl_report(struct ctl *c, int argc, char **argv)
{
	VERB_OPTS({ "month", required_argument, NULL, 'm' }, { "year", required_argument, NULL, 'y' },
		  { "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		  { "csv", no_argument, NULL, 'C' }, { "json", no_argument, NULL, 'j' },
		  { "html", no_argument, NULL, 'H' }, { "output", required_argument, NULL, 'o' });
	const char *month = NULL, *year = NULL, *from = NULL, *to = NULL, *output = NULL;
	void (*emit)(const struct report *, struct sbuf *) = rp_text;
	struct report r = { 0 };
	struct sbuf b = { 0 };
	int opt, forms = 0, rc;

	while ((opt = getopt_long(argc, argv, "", vopts, NULL)) != -1) {
		const char **slot = opt == 'm' ? &month : opt == 'y' ? &year : opt == 'f' ? &from :
				    opt == 't' ? &to : opt == 'o' ? &output : NULL;

		if (slot != NULL && *slot != NULL) {
			fprintf(stderr, "helpdeskctl report: --%s given twice\n",
				opt == 'm' ? "month" : opt == 'y' ? "year" : opt == 'f' ? "from" :
				opt == 't' ? "to" : "output");
			return EX_USAGE;
		}
		if (slot != NULL)
			*slot = optarg;
		else if (opt == 'C' || opt == 'j' || opt == 'H') {
			emit = opt == 'C' ? rp_csv : opt == 'j' ? rp_json : rp_html;
			forms++;
		} else
			return EX_USAGE;
	}
	if (optind != argc)
		return EX_USAGE;
	if (forms > 1) {
		fprintf(stderr, "helpdeskctl report: choose one of --csv, --json and --html\n");
		return EX_USAGE;
	}
	if (output != NULL && *output == '\0') {
		fprintf(stderr, "helpdeskctl report: --output needs a file name\n");
		return EX_USAGE;
	}
	if ((rc = set_period(&r, month, year, from, to)) != 0)
		return rc;
	r.now = now_ms();
	r.english = c->cfg->language != NULL && strcmp(c->cfg->language, "en") == 0;
	r.calendar_clock = c->cfg->sla.clock == CLOCK_CALENDAR;
	r.day_ms = r.calendar_clock || c->cfg->sla.office_day <= 0 ? DAY_MS : c->cfg->sla.office_day;
	r.response_target = c->cfg->sla.first_response;
	memcpy(r.target, c->cfg->sla.resolution, sizeof(r.target));
	if ((rc = gather(c, &r)) == 0) {
		emit(&r, &b);
		if (b.oom) {
			fprintf(stderr, "helpdeskctl report: out of memory\n");
			rc = 1;
		} else if (output != NULL) {
			rc = write_file(output, &b);
		} else {
			fwrite(b.s, 1, b.len, stdout);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "helpdeskctl report: standard output: %s\n", strerror(errno));
				rc = 1;
			}
		}
	}
	sb_free(&b);
	groups_free(&r.category);
	groups_free(&r.skpd);
	groups_free(&r.tech);
	return rc;
}
