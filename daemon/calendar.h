/*
 * calendar.h: the office week, for SLA clocks that count office hours: which
 * minutes of each weekday are working time, and the holidays. Pure functions
 * on local time (the TZ of the process); no I/O.
 */
#ifndef HD_CALENDAR_H
#define HD_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

/* Most working spans in one day ("08:00-12:00, 13:00-17:00" is two). */
#define CAL_SPANS 6

/* One working span, minutes after local midnight: 0 <= start < end <= 1440. */
struct cal_span {
	int start, end;
};

struct calendar {
	struct cal_span day[7][CAL_SPANS];	/* index as struct tm's tm_wday: 0 = Sunday */
	int nspan[7];				/* spans of each day, sorted, not overlapping */
	int *holidays;				/* local dates as YYYYMMDD, sorted ascending; not working */
	size_t nholidays;
};

/*
 * Parse one day's working hours: "" or "-" (a day off), or a comma-separated
 * list of spans "HH:MM-HH:MM" (white space allowed around the items; "24:00"
 * allowed as an end). Spans must be increasing and may not overlap.
 * On success returns 0 and fills out[0..*n). On error returns -1 and sets
 * *why to a static text saying what was expected.
 */
int calendar_parse_day(const char *spec, struct cal_span out[CAL_SPANS], int *n, const char **why);

/* Parse a holiday "YYYY-MM-DD" into YYYYMMDD. Returns 0, or -1 if it is not a real date. */
int calendar_parse_date(const char *s, int *yyyymmdd);

/* Fill c with the SOP's week: Mon-Thu 08:00-12:00, 13:00-17:00; Fri
 * 08:00-11:00, 13:00-17:00; Sat 08:00-12:00; Sunday off; no holidays
 * (c->holidays NULL). */
void calendar_sop(struct calendar *c);

/* Working milliseconds in [from, to) (epoch ms); 0 when to <= from. */
int64_t calendar_elapsed(const struct calendar *c, int64_t from, int64_t to);

/*
 * The earliest instant t >= from with calendar_elapsed(c, from, t) == ms
 * (ms >= 0): the deadline of a clock started at from that may run for ms of
 * working time. With ms == 0 that is from itself. INT64_MAX when the calendar
 * has no working time at all.
 */
int64_t calendar_add(const struct calendar *c, int64_t from, int64_t ms);

#endif
