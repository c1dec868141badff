/* test_calendar.c: unit tests for daemon/calendar.c: parsing, and working time counted and added. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "calendar.h"
#include "unit.h"

#define MIN	INT64_C(60000)
#define HOUR	INT64_C(3600000)

/* Epoch ms of a local date and time. */
static int64_t
at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* Parse one day's spec into c's weekday wd; 0 or -1. */
static int
set_day(struct calendar *c, int wd, const char *spec)
{
	const char *why = NULL;

	return calendar_parse_day(spec, c->day[wd], &c->nspan[wd], &why);
}

/* Working ms in [from, to) counted minute by minute with localtime_r: an
 * oracle independent of mktime, for minute-aligned instants. */
static int64_t
brute_elapsed(const struct calendar *c, int64_t from, int64_t to)
{
	int64_t sum = 0;

	for (int64_t t = from; t < to; t += MIN) {
		time_t s = (time_t)(t / 1000);
		struct tm tm;
		int mod, ymd, hol = 0;

		if (localtime_r(&s, &tm) == NULL)
			return -1;
		mod = tm.tm_hour * 60 + tm.tm_min;
		ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
		for (size_t i = 0; i < c->nholidays; i++)
			hol |= c->holidays[i] == ymd;
		for (int k = 0; k < c->nspan[tm.tm_wday] && !hol; k++)
			if (mod >= c->day[tm.tm_wday][k].start && mod < c->day[tm.tm_wday][k].end)
				sum += MIN;
	}
	return sum;
}

static void
test_parse_day(void)
{
	struct cal_span s[CAL_SPANS];
	const char *why;
	int n;

	static const struct {
		const char *spec;
		int n, start0, end0, startlast, endlast;
	} good[] = {
		{ "08:00-12:00, 13:00-17:00", 2, 480, 720, 780, 1020 },
		{ "  08:00 - 12:00 ,13:00-17:00  ", 2, 480, 720, 780, 1020 },
		{ "\t08:00-12:00,\t12:00-13:00", 2, 480, 720, 720, 780 },
		{ "00:00-24:00", 1, 0, 1440, 0, 1440 },
		{ "22:30-24:00", 1, 1350, 1440, 1350, 1440 },
		{ "8:05-9:59", 1, 485, 599, 485, 599 },
		{ "00:00-00:01,01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,23:59-24:00", 6, 0, 1, 1439, 1440 },
	};
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{ "8-12", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:00", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:00-", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:00-12:00,", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:00-12:00 ,  ", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:00-12:00 13:00-17:00", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:00-12:00;13:00-17:00", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:00-12:00x", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08.00-12.00", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "008:00-12:00", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "08:0-12:00", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ ",08:00-12:00", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "--", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "off", "expected spans such as \"08:00-12:00, 13:00-17:00\"" },
		{ "25:00-26:00", "hours must be 00..23 and minutes 00..59 (24:00 only as an end)" },
		{ "08:60-09:00", "hours must be 00..23 and minutes 00..59 (24:00 only as an end)" },
		{ "08:00-23:60", "hours must be 00..23 and minutes 00..59 (24:00 only as an end)" },
		{ "24:00-24:00", "hours must be 00..23 and minutes 00..59 (24:00 only as an end)" },
		{ "23:00-24:01", "hours must be 00..23 and minutes 00..59 (24:00 only as an end)" },
		{ "12:00-08:00", "a span must end after it starts" },
		{ "12:00-12:00", "a span must end after it starts" },
		{ "08:00-12:00, 11:00-13:00", "spans must not overlap and must be in order" },
		{ "13:00-14:00, 08:00-09:00", "spans must not overlap and must be in order" },
		{ "00:00-01:00,01:00-02:00,02:00-03:00,03:00-04:00,04:00-05:00,05:00-06:00,06:00-07:00",
		  "at most 6 spans per day" },
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		n = -1;
		CHECK(calendar_parse_day(good[i].spec, s, &n, &why) == 0);
		CHECK(n == good[i].n);
		if (n == good[i].n) {
			CHECK(s[0].start == good[i].start0 && s[0].end == good[i].end0);
			CHECK(s[n - 1].start == good[i].startlast && s[n - 1].end == good[i].endlast);
		}
	}
	static const char *const off[] = { "", "-", "   ", " - ", "\t-\t" };
	for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
		n = -1;
		CHECK(calendar_parse_day(off[i], s, &n, &why) == 0);
		CHECK(n == 0);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		CHECK(calendar_parse_day(bad[i].spec, s, &n, &why) == -1);
		CHECK_STR(why, bad[i].why);
	}
	CHECK(calendar_parse_day("x", s, &n, NULL) == -1);
}

static void
test_parse_date(void)
{
	static const char *const bad[] = {
		"2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00",
		"2026-01-32", "0000-01-01", "2026-3-2", "2026-03-02 ", " 2026-03-02", "2026/03/02",
		"20260302", "2026-03", "", "x", "2026-03-0x", "+026-03-02",
	};
	int d = 0;

	CHECK(calendar_parse_date("2026-03-02", &d) == 0 && d == 20260302);
	CHECK(calendar_parse_date("2024-02-29", &d) == 0 && d == 20240229);
	CHECK(calendar_parse_date("2000-02-29", &d) == 0 && d == 20000229);
	CHECK(calendar_parse_date("1999-12-31", &d) == 0 && d == 19991231);
	CHECK(calendar_parse_date("2026-12-31", &d) == 0 && d == 20261231);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		d = 7;
		CHECK(calendar_parse_date(bad[i], &d) == -1);
		CHECK(d == 7);
	}
}

/* The SOP calendar; 2026-03-02 is a Monday, 2026-03-07 a Saturday. */
static void
test_elapsed(void)
{
	struct calendar c;
	int hol[] = { 20260302 };

	calendar_sop(&c);
	CHECK(c.holidays == NULL && c.nholidays == 0 && c.nspan[0] == 0);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 9, 0), at(2026, 3, 2, 10, 30)) == 90 * MIN);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 11, 0), at(2026, 3, 2, 14, 0)) == 2 * HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 3, 6, 10, 0), at(2026, 3, 6, 14, 0)) == 2 * HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 3, 6, 16, 0), at(2026, 3, 9, 9, 0)) == 6 * HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 18, 0), at(2026, 3, 3, 9, 0)) == HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 0, 0), at(2026, 3, 9, 0, 0)) == 43 * HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 3, 4, 15, 0), at(2026, 3, 11, 15, 0)) == 43 * HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 0, 0), at(2027, 3, 1, 0, 0)) == 52 * 43 * HOUR);
	/* From and to outside working hours. */
	CHECK(calendar_elapsed(&c, at(2026, 3, 8, 10, 0), at(2026, 3, 8, 20, 0)) == 0);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 6, 0), at(2026, 3, 2, 7, 59)) == 0);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 12, 10), at(2026, 3, 2, 12, 50)) == 0);
	CHECK(calendar_elapsed(&c, at(2026, 3, 7, 12, 0), at(2026, 3, 9, 8, 0)) == 0);
	CHECK(calendar_elapsed(&c, at(2026, 3, 7, 13, 0), at(2026, 3, 9, 8, 30)) == 30 * MIN);
	/* to <= from. */
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 10, 0), at(2026, 3, 2, 10, 0)) == 0);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 11, 0), at(2026, 3, 2, 10, 0)) == 0);
	CHECK(calendar_elapsed(&c, INT64_MAX, INT64_MIN) == 0);
	/* Milliseconds. */
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 10, 0) + 500, at(2026, 3, 2, 10, 1)) == MIN - 500);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 12, 0) - 1, at(2026, 3, 2, 13, 0) + 1) == 2);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 10, 0) + 1, at(2026, 3, 2, 10, 0) + 2) == 1);
	/* A Monday holiday removes its 8 h. */
	c.holidays = hol;
	c.nholidays = 1;
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 0, 0), at(2026, 3, 9, 0, 0)) == 35 * HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 2, 27, 16, 0), at(2026, 3, 3, 9, 0)) == 6 * HOUR);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 9, 0), at(2026, 3, 2, 16, 0)) == 0);
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 0, 0), at(2027, 3, 1, 0, 0)) == 52 * 43 * HOUR - 8 * HOUR);
}

static void
test_add(void)
{
	struct calendar c, off;
	int hol[] = { 20260101, 20260302, 20261225 };
	int64_t t;

	calendar_sop(&c);
	CHECK(calendar_add(&c, at(2026, 3, 2, 11, 45), 30 * MIN) == at(2026, 3, 2, 13, 15));
	CHECK(calendar_add(&c, at(2026, 3, 6, 10, 0), 2 * HOUR) == at(2026, 3, 6, 14, 0));
	CHECK(calendar_add(&c, at(2026, 3, 7, 10, 0), 8 * HOUR) == at(2026, 3, 9, 15, 0));
	CHECK(calendar_add(&c, at(2026, 3, 8, 10, 0), HOUR) == at(2026, 3, 9, 9, 0));
	CHECK(calendar_add(&c, at(2026, 3, 8, 10, 0), 43 * HOUR) == at(2026, 3, 14, 12, 0));
	CHECK(calendar_add(&c, at(2026, 3, 2, 17, 30), MIN) == at(2026, 3, 3, 8, 1));
	CHECK(calendar_add(&c, at(2026, 3, 2, 12, 30), 1) == at(2026, 3, 2, 13, 0) + 1);
	CHECK(calendar_add(&c, at(2026, 3, 2, 10, 0) + 500, MIN) == at(2026, 3, 2, 10, 1) + 500);
	/* ms == 0: from itself, even outside working hours. */
	CHECK(calendar_add(&c, at(2026, 3, 8, 10, 0), 0) == at(2026, 3, 8, 10, 0));
	CHECK(calendar_add(&c, at(2026, 3, 2, 10, 0) + 7, 0) == at(2026, 3, 2, 10, 0) + 7);
	/* The budget running out at a span end gives that end. */
	CHECK(calendar_add(&c, at(2026, 3, 2, 11, 0), HOUR) == at(2026, 3, 2, 12, 0));
	CHECK(calendar_add(&c, at(2026, 3, 2, 8, 0), 8 * HOUR) == at(2026, 3, 2, 17, 0));
	CHECK(calendar_add(&c, at(2026, 3, 6, 8, 0), 3 * HOUR) == at(2026, 3, 6, 11, 0));
	CHECK(calendar_add(&c, at(2026, 3, 7, 8, 0), 4 * HOUR) == at(2026, 3, 7, 12, 0));
	CHECK(calendar_add(&c, at(2026, 3, 2, 0, 0), 43 * HOUR) == at(2026, 3, 7, 12, 0));
	CHECK(calendar_add(&c, at(2026, 3, 2, 0, 0), 52 * 43 * HOUR) == at(2027, 2, 27, 12, 0));
	/* Holidays. */
	c.holidays = hol;
	c.nholidays = 3;
	CHECK(calendar_add(&c, at(2026, 2, 27, 16, 0), 6 * HOUR) == at(2026, 3, 3, 9, 0));
	CHECK(calendar_add(&c, at(2026, 3, 2, 9, 0), HOUR) == at(2026, 3, 3, 9, 0));
	CHECK(calendar_add(&c, at(2025, 12, 31, 16, 30), HOUR) == at(2026, 1, 2, 8, 30));
	/* No working time at all. */
	calendar_sop(&off);
	for (int wd = 0; wd < 7; wd++)
		CHECK(set_day(&off, wd, "-") == 0);
	CHECK(calendar_add(&off, at(2026, 3, 2, 10, 0), 1) == INT64_MAX);
	CHECK(calendar_add(&off, at(2026, 3, 2, 10, 0), 0) == at(2026, 3, 2, 10, 0));
	CHECK(calendar_elapsed(&off, at(2026, 3, 2, 0, 0), at(2036, 3, 2, 0, 0)) == 0);
	/* Working only on Mondays, and every Monday for 401 years a holiday. */
	CHECK(set_day(&off, 1, "08:00-09:00") == 0);
	{
		size_t n = 0, cap = 401 * 53;
		int *mondays = malloc(cap * sizeof *mondays);

		CHECK(mondays != NULL);
		for (t = at(2026, 3, 2, 12, 0); mondays != NULL && n < cap; t += 7 * 24 * HOUR) {
			time_t s = (time_t)(t / 1000);
			struct tm tm;

			if (localtime_r(&s, &tm) == NULL)
				break;
			mondays[n++] = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
		}
		off.holidays = mondays;
		off.nholidays = n;
		CHECK(calendar_add(&off, at(2026, 3, 2, 10, 0), 1) == INT64_MAX);
		CHECK(calendar_add(&off, at(2026, 3, 1, 10, 0), 1) == INT64_MAX);
		off.nholidays = 52;
		CHECK(calendar_add(&off, at(2026, 3, 2, 10, 0), HOUR) == at(2027, 3, 1, 9, 0));
		free(mondays);
	}
}

/* Extreme instants, and a calendar filled with nonsense rather than parsed. */
static void
test_edges(void)
{
	struct calendar c;
	int64_t t;

	calendar_sop(&c);
	CHECK(calendar_elapsed(&c, INT64_MAX - 5, INT64_MAX) == 0);
	CHECK(calendar_elapsed(&c, INT64_MIN, INT64_MIN + 5) == 0);
	CHECK(calendar_add(&c, INT64_MAX - 5, 1) == INT64_MAX);
	CHECK(calendar_add(&c, INT64_MAX, 0) == INT64_MAX);
	t = calendar_add(&c, INT64_MIN, HOUR);
	CHECK(t != INT64_MAX && calendar_elapsed(&c, INT64_MIN, t) == HOUR);

	c.day[1][0] = (struct cal_span){ 900, 600 };
	c.day[1][1] = (struct cal_span){ -100, 100 };
	c.day[1][2] = (struct cal_span){ 1400, 2000 };
	c.nspan[1] = 3;
	c.nspan[2] = 1000;
	c.nspan[3] = -4;
	for (int wd = 0; wd < CAL_SPANS; wd++)
		c.day[2][wd] = (struct cal_span){ 0, 0 };
	CHECK(calendar_elapsed(&c, at(2026, 3, 2, 0, 0), at(2026, 3, 3, 0, 0)) == 40 * MIN);
	CHECK(calendar_elapsed(&c, at(2026, 3, 3, 0, 0), at(2026, 3, 5, 0, 0)) == 0);
	CHECK(calendar_add(&c, at(2026, 3, 2, 0, 0), 40 * MIN) == at(2026, 3, 3, 0, 0));
	CHECK(calendar_add(&c, at(2026, 3, 2, 0, 0), 41 * MIN) == at(2026, 3, 5, 8, 1));
}

/* Random checks of add against elapsed, additivity, and the minute-by-minute
 * oracle, over [lo, hi). */
static void
check_random(const struct calendar *c, int64_t lo, int64_t hi, int rounds)
{
	for (int r = 0; r < rounds; r++) {
		int64_t a = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
		int64_t b = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
		int64_t m = lo + (int64_t)(rng() % (uint64_t)(hi - lo));
		int64_t ms = (int64_t)(rng() % (uint64_t)(60 * HOUR)), t, x;

		if (rng() % 4 == 0)
			ms -= ms % MIN;
		t = calendar_add(c, a, ms);
		CHECK(calendar_elapsed(c, a, t) == ms);
		if (ms > 0)
			CHECK(calendar_elapsed(c, a, t - 1) < ms);
		if (a > b)
			x = a, a = b, b = x;
		if (m < a)
			x = a, a = m, m = x;
		if (m > b)
			x = b, b = m, m = x;
		CHECK(calendar_elapsed(c, a, m) + calendar_elapsed(c, m, b) == calendar_elapsed(c, a, b));
		if (r % 8 == 0) {
			a -= a % MIN;
			b = a + (int64_t)(rng() % (uint64_t)(10 * 24 * HOUR / MIN)) * MIN;
			CHECK(calendar_elapsed(c, a, b) == brute_elapsed(c, a, b));
		}
	}
}

static void
test_property(void)
{
	struct calendar sop, hol, odd, all;
	int holidays[] = { 20260101, 20260302, 20260303, 20260329, 20260817, 20261025, 20261225 };

	unit_rng_state = 0x63616c656e646172u;	/* "calendar" */
	calendar_sop(&sop);
	hol = sop;
	hol.holidays = holidays;
	hol.nholidays = sizeof holidays / sizeof holidays[0];
	calendar_sop(&odd);
	CHECK(set_day(&odd, 0, "00:00-00:30, 01:00-04:00, 23:00-24:00") == 0);
	CHECK(set_day(&odd, 1, "00:00-24:00") == 0);
	CHECK(set_day(&odd, 3, "-") == 0);
	CHECK(set_day(&odd, 4, "02:00-02:30,02:30-03:30, 12:00-12:01") == 0);
	CHECK(set_day(&odd, 6, "23:59-24:00") == 0);
	calendar_sop(&all);
	for (int wd = 0; wd < 7; wd++)
		CHECK(set_day(&all, wd, "00:00-24:00") == 0);

	check_random(&sop, at(2025, 1, 1, 0, 0), at(2028, 1, 1, 0, 0), 300);
	check_random(&hol, at(2025, 12, 1, 0, 0), at(2027, 1, 1, 0, 0), 300);
	check_random(&odd, at(2025, 12, 1, 0, 0), at(2027, 1, 1, 0, 0), 300);

	/* A zone with summer time: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00. */
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	CHECK(calendar_elapsed(&all, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0)) == 23 * HOUR);
	CHECK(calendar_elapsed(&all, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0)) == 25 * HOUR);
	CHECK(calendar_elapsed(&odd, at(2026, 3, 29, 0, 45), at(2026, 3, 29, 12, 0)) == 2 * HOUR);
	CHECK(calendar_elapsed(&odd, at(2026, 10, 25, 0, 45), at(2026, 10, 25, 12, 0)) == 4 * HOUR);
	CHECK(calendar_elapsed(&sop, at(2026, 3, 23, 0, 0), at(2026, 4, 6, 0, 0)) == 86 * HOUR);
	CHECK(calendar_add(&all, at(2026, 3, 28, 12, 0), 24 * HOUR) == at(2026, 3, 29, 13, 0));
	CHECK(calendar_add(&all, at(2026, 10, 24, 12, 0), 24 * HOUR) == at(2026, 10, 25, 11, 0));
	CHECK(calendar_add(&odd, at(2026, 3, 29, 0, 30), 2 * HOUR) == at(2026, 3, 29, 4, 0));
	for (int r = 0; r < 200; r++) {
		int64_t a = at(2026, 3, 1, 0, 0) + (int64_t)(rng() % (uint64_t)(60 * 24 * HOUR));
		int64_t b = a + (int64_t)(rng() % (uint64_t)(60 * 24 * HOUR));

		CHECK(calendar_elapsed(&all, a, b) == b - a);
		a = at(2026, 10, 1, 0, 0) + (int64_t)(rng() % (uint64_t)(60 * 24 * HOUR));
		b = a + (int64_t)(rng() % (uint64_t)(60 * 24 * HOUR));
		CHECK(calendar_elapsed(&all, a, b) == b - a);
	}
	check_random(&sop, at(2026, 3, 15, 0, 0), at(2026, 4, 10, 0, 0), 200);
	check_random(&odd, at(2026, 3, 15, 0, 0), at(2026, 4, 10, 0, 0), 200);
	check_random(&hol, at(2026, 10, 10, 0, 0), at(2026, 11, 5, 0, 0), 200);
	check_random(&odd, at(2026, 10, 10, 0, 0), at(2026, 11, 5, 0, 0), 200);
	setenv("TZ", "WIB-7", 1);
	tzset();
}

int
main(void)
{
	setenv("TZ", "WIB-7", 1);
	tzset();
	test_parse_day();
	test_parse_date();
	test_elapsed();
	test_add();
	test_edges();
	test_property();
	return unit_done("calendar");
}
