/*
 * ctl_report.h: private to the recap report. ctl_report.c gathers the
 * figures of one period into a struct report; ctl_report_emit.c writes the
 * text, CSV and JSON forms, ctl_report_html.c the printable HTML page.
 */
#ifndef HD_CTL_REPORT_H
#define HD_CTL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define RP_TOP 5		/* most frequent problems shown */
#define RP_TEXT_MAX 60		/* bytes of a ticket's text shown with them */

/* One row of an open-ended breakdown: a category, an SKPD unit or a technician. */
struct rp_group {
	char *key;		/* display name: one line of valid UTF-8, never NULL */
	int64_t id;		/* technician: contact id; 0 = unassigned */
	long n;			/* tickets */
	long resolved;		/* of which with resolved_at */
	int64_t res_sum;	/* their resolution_ms added up */
	long breaches;		/* resolution state SLA_BREACHED */
	long escalations;	/* escalations rows of its tickets */
	int64_t last_at, last_id;	/* its most recent ticket */
	char *last_text;	/* that ticket's text, one line, at most RP_TEXT_MAX bytes */
};

struct rp_groups {
	struct rp_group *v;
	size_t n, cap;
};

/* Count, mean and nearest-rank 90th percentile of some durations. */
struct rp_dist {
	long n;
	int64_t sum_ms, mean_ms, p90_ms;
};

enum { RP_MONTH, RP_YEAR, RP_RANGE };

struct report {
	int64_t start, end, now;	/* tickets created in [start, end); generated at */
	int form, year, month;		/* RP_MONTH (year, month), RP_YEAR (year), RP_RANGE */
	char first_day[16], last_day[16];	/* "YYYY-MM-DD", both inclusive */
	int english;			/* labels in English (language "en") */
	int calendar_clock;		/* sla.clock: 1 calendar time, 0 office hours */
	int64_t day_ms;			/* what "1d" is on that clock */

	long total;
	long channel[3], status[6], priority[4];	/* in ctl_channels, ctl_statuses, ctl_priorities order */
	struct rp_groups category, skpd, tech;	/* sorted: count desc, count desc, name */

	struct rp_dist response, resolution;
	long response_met;
	int64_t response_target, target[4];	/* ms, per priority */
	long sla_met[4], sla_breached[4], open_breached[4];

	long pend_n, pend_hw_n, pend_other_n;	/* tickets with any, hardware, other pauses */
	int64_t pend_ms, pend_hw_ms;		/* counted pending time, of which hardware */
};

/* Labels of the human-readable forms, in the configured language. */
enum rp_label {
	L_TITLE, L_SUBTITLE, L_PERIOD, L_CLOCK, L_CLOCK_OFFICE, L_CLOCK_CAL, L_GENERATED,
	L_TOTAL, L_BY_CHANNEL, L_BY_STATUS, L_BY_PRIORITY, L_BY_CATEGORY, L_BY_SKPD,
	L_RESPONSE, L_RESOLUTION, L_TIMES, L_SLA, L_SLA_ALL, L_PENDING, L_TECH, L_TOP,
	L_MEAN, L_P90, L_COMPLIANCE, L_TARGET, L_MET, L_BREACHED,
	L_OPEN_BREACHED, L_TICKETS, L_TOTAL_TIME, L_HARDWARE, L_OTHER, L_ALL_PENDING,
	L_NAME, L_ASSIGNED, L_RESOLVED, L_MEAN_RES, L_BREACHES, L_ESCALATIONS,
	L_CATEGORY, L_LATEST, L_PRIORITY, L_NO_TICKETS, L_NOTE_CLOCK, L_NOTE, L_HOURS, L_YEAR, L_TO, L_OF,
	L__COUNT
};

/* The label in the report's language, and in English (for subtitles). */
const char *rp_label(const struct report *r, enum rp_label l);
const char *rp_label_en(enum rp_label l);
/* The period as words: "November 2026", "Tahun 2026", "2026-11-01 s.d. 2026-11-15". */
void rp_period_words(const struct report *r, char *out, size_t len);
/* sla.clock in words: "office hours (1d = 8 hours)". */
void rp_clock_words(const struct report *r, char *out, size_t len);
/* A duration as "25m", "1h 05m" or "2d 3h 10m" (a day as the clock counts it). */
void rp_dur(const struct report *r, int64_t ms, char *out, size_t len);
/* num / den as a percentage with one decimal ("83.3"), or "-" when den is 0. */
void rp_pct(long num, long den, char *out, size_t len);

/* ms as whole seconds, rounded half up (the "_s" figures of CSV and JSON). */
long long rp_secs(int64_t ms);

/* Append the report in one form: terminal text, CSV, JSON (ctl_report_emit.c),
 * the printable HTML page (ctl_report_html.c). */
void rp_text(const struct report *r, struct sbuf *b);
void rp_csv(const struct report *r, struct sbuf *b);
void rp_json(const struct report *r, struct sbuf *b);
void rp_html(const struct report *r, struct sbuf *b);

#endif
