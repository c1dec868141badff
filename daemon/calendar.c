/*
 * calendar.c: owns the office week behind SLA clocks: parsing a day's working
 * hours and holiday dates, and counting or adding working time between
 * instants, on the local time of the process. Span instants come from mktime
 * of the local date and time, so 23 and 25 hour days count right.
 */
#include "calendar.h"

#include <stdlib.h>
#include <time.h>

#define MIN_MS		INT64_C(60000)
#define DAY_MS		INT64_C(86400000)
#define GIVE_UP_DAYS	146097		/* 400 years: calendar_add stops looking */
#define T_MIN		INT64_C(-62135596800000)	/* 0001-01-01 UTC: instants are clamped */
#define T_MAX		INT64_C(253402300800000)	/* 10000-01-01 UTC */

/* A walk over the working spans of consecutive local days. */
struct walk {
	const struct calendar *c;
	int64_t dn;			/* next day to load, days since 1970-01-01 local */
	int64_t mid;			/* its first instant */
	int64_t stop;			/* load no day from here on */
	int even;			/* days from dn on known to be 24 h long */
	int n, i;			/* spans of the loaded day, and the next to hand out */
	int64_t span[CAL_SPANS][2];
};

static int64_t
clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Local day dn (days since 1970-01-01) at minute (may be 1440), for mktime. */
static struct tm
day_tm(int64_t dn, int minute)
{
	time_t t = (time_t)(dn * 86400 + minute * INT64_C(60));
	struct tm tm = { 0 };

	(void)gmtime_r(&t, &tm);
	tm.tm_isdst = -1;
	return tm;
}

static int64_t
local_instant(int64_t dn, int minute)
{
	struct tm tm = day_tm(dn, minute);

	return (int64_t)mktime(&tm) * 1000;
}

static int
cmp_int(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

static int
is_holiday(const struct calendar *c, int64_t dn)
{
	struct tm tm;
	int ymd;

	if (c->holidays == NULL || c->nholidays == 0)
		return 0;
	tm = day_tm(dn, 0);
	ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	return bsearch(&ymd, c->holidays, c->nholidays, sizeof(ymd), cmp_int) != NULL;
}

/* Load the spans of day w->dn as instants, kept in order and inside the day. */
static void
walk_load(struct walk *w)
{
	int wd = (int)(((w->dn + 4) % 7 + 7) % 7), n = w->c->nspan[wd];
	int64_t next, prev = w->mid;

	/*
	 * One mktime a week while the UTC offset holds still, one a span when
	 * not. A week exactly 7 * 24 h long is taken to have no offset change:
	 * no zone changes its offset twice within 7 days.
	 */
	if (w->even == 0 && local_instant(w->dn + 7, 0) - w->mid == 7 * DAY_MS)
		w->even = 7;
	next = w->even > 0 ? w->mid + DAY_MS : local_instant(w->dn + 1, 0);
	w->even -= w->even > 0;
	w->n = w->i = 0;
	if (n > CAL_SPANS)
		n = CAL_SPANS;
	if (is_holiday(w->c, w->dn))
		n = 0;
	for (int k = 0; k < n; k++) {
		const struct cal_span *s = &w->c->day[wd][k];
		int64_t a, b;

		if (next - w->mid == DAY_MS) {
			a = w->mid + s->start * MIN_MS;
			b = w->mid + s->end * MIN_MS;
		} else {
			a = local_instant(w->dn, s->start);
			b = local_instant(w->dn, s->end);
		}
		a = clamp(a, prev, next);
		prev = b = clamp(b, a, next);
		if (a < b) {
			w->span[w->n][0] = a;
			w->span[w->n++][1] = b;
		}
	}
	w->dn++;
	w->mid = next;
}

static void
walk_start(struct walk *w, const struct calendar *c, int64_t from, int64_t stop)
{
	time_t t = (time_t)(from / 1000 - (from % 1000 < 0));
	struct tm tm;

	w->c = c;
	w->stop = stop;
	w->even = w->n = w->i = 0;
	if (localtime_r(&t, &tm) == NULL)
		tm.tm_gmtoff = 0;
	t += tm.tm_gmtoff;
	w->dn = t / 86400 - (t % 86400 < 0);
	w->mid = local_instant(w->dn, 0);
}

/* The next working span [*a, *b); 0 when the walk is over. */
static int
walk_next(struct walk *w, int64_t *a, int64_t *b)
{
	while (w->i >= w->n) {
		if (w->mid >= w->stop)
			return 0;
		walk_load(w);
	}
	*a = w->span[w->i][0];
	*b = w->span[w->i++][1];
	return 1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse [H]H:MM at *p into minutes after midnight; -1 on bad syntax, -2 out of range. */
static int
parse_hhmm(const char **p, int end)
{
	const char *s = *p;
	int h = 0, i = 0, mm;

	for (; i < 2 && is_digit(s[i]); i++)
		h = h * 10 + s[i] - '0';
	if (i == 0 || s[i] != ':' || !is_digit(s[i + 1]) || !is_digit(s[i + 2]))
		return -1;
	*p = s + i + 3;
	mm = (s[i + 1] - '0') * 10 + s[i + 2] - '0';
	if (end && h == 24 && mm == 0)
		return 1440;
	return h > 23 || mm > 59 ? -2 : h * 60 + mm;
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int
calendar_parse_day(const char *spec, struct cal_span out[CAL_SPANS], int *n, const char **why)
{
	const char *p = skip_space(spec != NULL ? spec : "x"), *err = NULL;
	int a, b, comma;

	*n = 0;
	if (*p == '-' && *skip_space(p + 1) == '\0')
		return 0;
	while (*p != '\0' && err == NULL) {
		a = parse_hhmm(&p, 0);
		p = skip_space(p);
		b = -1;
		if (a != -1 && *p == '-') {
			p = skip_space(p + 1);
			b = parse_hhmm(&p, 1);
			p = skip_space(p);
		}
		if ((comma = *p == ',') != 0)
			p = skip_space(p + 1);
		if (b == -1 || comma == (*p == '\0'))
			err = "expected spans such as \"08:00-12:00, 13:00-17:00\"";
		else if (a < 0 || b < 0)
			err = "hours must be 00..23 and minutes 00..59 (24:00 only as an end)";
		else if (a >= b)
			err = "a span must end after it starts";
		else if (*n > 0 && a < out[*n - 1].end)
			err = "spans must not overlap and must be in order";
		else if (*n == CAL_SPANS)
			err = "at most 6 spans per day";
		else {
			out[*n].start = a;
			out[(*n)++].end = b;
		}
	}
	if (err == NULL)
		return 0;
	if (why != NULL)
		*why = err;
	*n = 0;
	return -1;
}

int
calendar_parse_date(const char *s, int *yyyymmdd)
{
	static const char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !is_digit(s[i]))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (s[10] != '\0' || y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return -1;
	*yyyymmdd = y * 10000 + m * 100 + d;
	return 0;
}

void
calendar_sop(struct calendar *c)
{
	static const struct cal_span full[2] = { { 480, 720 }, { 780, 1020 } };
	static const struct cal_span fri[2] = { { 480, 660 }, { 780, 1020 } };

	*c = (struct calendar){ .nspan = { 0, 2, 2, 2, 2, 2, 1 } };
	for (int wd = 1; wd <= 6; wd++) {
		c->day[wd][0] = wd == 5 ? fri[0] : full[0];
		c->day[wd][1] = wd == 5 ? fri[1] : full[1];
	}
}

int64_t
calendar_elapsed(const struct calendar *c, int64_t from, int64_t to)
{
	struct walk w;
	int64_t a, b, sum = 0;

	from = clamp(from, T_MIN, T_MAX);
	to = clamp(to, T_MIN, T_MAX);
	if (to <= from)
		return 0;
	walk_start(&w, c, from, to);
	while (walk_next(&w, &a, &b) && a < to) {
		a = a > from ? a : from;
		b = b < to ? b : to;
		if (a < b)
			sum += b - a;
	}
	return sum;
}

int64_t
calendar_add(const struct calendar *c, int64_t from, int64_t ms)
{
	struct walk w;
	int64_t a, b;
	int work = 0;

	if (ms <= 0)
		return from;
	for (int wd = 0; wd < 7; wd++)
		for (int k = 0; k < c->nspan[wd] && k < CAL_SPANS; k++)
			work |= c->day[wd][k].start < c->day[wd][k].end;
	if (!work || from >= T_MAX)
		return INT64_MAX;
	from = from > T_MIN ? from : T_MIN;
	walk_start(&w, c, from, clamp(from + GIVE_UP_DAYS * DAY_MS, from, T_MAX));
	while (walk_next(&w, &a, &b)) {
		a = a > from ? a : from;
		if (a >= b)
			continue;
		if (b - a >= ms)
			return a + ms;
		ms -= b - a;
	}
	return INT64_MAX;
}
