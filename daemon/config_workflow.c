/*
 * config_workflow.c: the "workflow" and "sla" groups of the configuration:
 * approval and automatic assignment, the category keyword map, the SLA
 * targets as durations ("30m", "2h", "5d") and the office week.
 */
#include "config.h"
#include "category.h"
#include "config_diag.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE_MS	60000LL
#define HOUR_MS		(60 * MINUTE_MS)
#define MAX_WORDS	200

static const char *const hardware_defaults[] = {
	"hardware", "hardisk", "harddisk", "perangkat", "suku cadang", "sparepart", "spare part",
	"pengadaan", "pemesanan", "dipesan", "stok", "order",
};

/*
 * "30m", "2h", "1d 4h": whole numbers with the units d, h, m, in that order,
 * each at most once. Days are kept apart: their length depends on the clock.
 * Returns 0, or -1 when v is not such a duration (or is zero or over a year).
 */
static int
parse_duration(const char *v, int64_t *days, int64_t *ms)
{
	static const char units[] = "dhm";
	const char *p = v;
	int last = -1, any = 0;

	*days = *ms = 0;
	while (*p != '\0') {
		char *end;
		long long n;
		const char *u;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p < '0' || *p > '9')
			return -1;
		n = strtoll(p, &end, 10);
		if (end == p || n > 525600 || *end == '\0' || (u = strchr(units, *end)) == NULL ||
		    u - units <= last)
			return -1;
		last = (int)(u - units);
		if (*u == 'd')
			*days = n;
		else
			*ms += n * (*u == 'h' ? HOUR_MS : MINUTE_MS);
		p = end + 1;
		any = 1;
	}
	return any && (*days > 0 || *ms > 0) && *days <= 366 ? 0 : -1;
}

int
cfg_duration_ok(const char *v)
{
	int64_t d, m;

	return parse_duration(v, &d, &m) == 0;
}

static int
day_ok(const char *v)
{
	struct cal_span spans[CAL_SPANS];
	const char *why;
	int n;

	return calendar_parse_day(v, spans, &n, &why) == 0;
}

/* What the sla group holds before days can be turned into ms. */
struct sla_raw {
	int clock;
	char *first_response, *pending_max, *leadership, *office_day;
	char *resolution[4];
	char *day[7];
	int at_risk, check_interval;
};

static void
later(struct loader *ld, const config_setting_t *s)
{
	(void)ld;
	(void)s;	/* read by load_sla once the other keys are known */
}

static const char *const clocks[] = { "office", "calendar", NULL };

enum { L_CLOCK, L_FIRST, L_RESOLUTION, L_PENDING, L_LEADERSHIP, L_OFFICE_DAY, L_AT_RISK,
       L_INTERVAL, L_CALENDAR, L__COUNT };
#define RAW(field) offsetof(struct sla_raw, field)
#define DURATION(key, field) { key, K_STR, .offset = RAW(field), .ok = cfg_duration_ok, \
			       .expect = DURATION_EXPECT }
static const struct keyspec sla_keys[L__COUNT] = {
	[L_CLOCK] = { "clock", K_ENUM, .offset = RAW(clock), .names = clocks },
	[L_FIRST] = DURATION("first_response", first_response),
	[L_RESOLUTION] = { "resolution", K_GROUP, .load = later },
	[L_PENDING] = DURATION("pending_max", pending_max),
	[L_LEADERSHIP] = DURATION("leadership", leadership),
	[L_OFFICE_DAY] = DURATION("office_day", office_day),
	[L_AT_RISK] = { "at_risk", K_INT, 1, 100, .offset = RAW(at_risk) },
	[L_INTERVAL] = { "check_interval", K_INT, 5, 3600, .offset = RAW(check_interval) },
	[L_CALENDAR] = { "calendar", K_GROUP, .load = later },
};

static const char *const resolution_defaults[4] = { "5d", "5d", "1d", "2h" };

static const struct keyspec resolution_keys[4] = {
	DURATION("low", resolution[0]), DURATION("normal", resolution[1]),
	DURATION("high", resolution[2]), DURATION("emergency", resolution[3]),
};

#define DAY(key, i) { key, K_STR_ANY, .offset = RAW(day[i]), .ok = day_ok, \
		      .expect = "expected working hours such as \"08:00-12:00, 13:00-17:00\", " \
				"or \"\" for a day off" }
enum { D_HOLIDAYS = 7, D__COUNT };
static const struct keyspec calendar_keys[D__COUNT] = {
	DAY("sunday", 0), DAY("monday", 1), DAY("tuesday", 2), DAY("wednesday", 3),
	DAY("thursday", 4), DAY("friday", 5), DAY("saturday", 6),
	[D_HOLIDAYS] = { "holidays", K_CUSTOM, .load = later },
};

int64_t
cfg_duration_ms(const char *v, int64_t day_ms)
{
	int64_t d, m;

	return parse_duration(v, &d, &m) == 0 ? d * day_ms + m : 0;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void
load_holidays(struct loader *ld, const config_setting_t *s, struct calendar *cal)
{
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		diag_problem(&ld->diag, s, "expected an array of dates [ \"2026-12-25\", ... ], got %s",
			diag_type_name(s));
		return;
	}
	if ((n = config_setting_length(s)) <= 0)
		return;
	if ((cal->holidays = calloc((size_t)n, sizeof(cal->holidays[0]))) == NULL) {
		diag_nomem(&ld->diag);
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = e && config_setting_type(e) == CONFIG_TYPE_STRING ?
				config_setting_get_string(e) : NULL;

		if (v == NULL || calendar_parse_date(v, &cal->holidays[cal->nholidays]) < 0) {
			diag_problem(&ld->diag, e ? e : s, "expected a date \"YYYY-MM-DD\", got ");
			if (v)
				diag_quoted(&ld->diag, v);
			else
				diag_add(&ld->diag, "%s", e ? diag_type_name(e) : "nothing");
			continue;
		}
		cal->nholidays++;
	}
	qsort(cal->holidays, cal->nholidays, sizeof(cal->holidays[0]), cmp_int);
}

static void
load_calendar(struct loader *ld, const config_setting_t *grp, struct sla_raw *raw)
{
	struct calendar *cal = &ld->cfg->sla.cal;
	struct seen seen[D__COUNT];
	const char *why;

	cfg_load_keys(ld, grp, calendar_keys, D__COUNT, raw, seen);
	for (int d = 0; d < 7; d++)
		if (raw->day[d] != NULL && !seen[d].bad &&
		    calendar_parse_day(raw->day[d], cal->day[d], &cal->nspan[d], &why) < 0)
			diag_problem(&ld->diag, seen[d].at, "%s", why);
	if (seen[D_HOLIDAYS].at != NULL)
		load_holidays(ld, seen[D_HOLIDAYS].at, cal);
}

void
cfg_load_sla(struct loader *ld, const config_setting_t *grp)
{
	struct cfg_sla *sla = &ld->cfg->sla;
	struct sla_raw raw = { .clock = sla->clock, .at_risk = sla->at_risk,
			       .check_interval = sla->check_interval };
	struct seen seen[L__COUNT];
	int64_t day;

	cfg_load_keys(ld, grp, sla_keys, L__COUNT, &raw, seen);
	if (seen[L_RESOLUTION].at != NULL && config_setting_is_group(seen[L_RESOLUTION].at))
		cfg_load_keys(ld, seen[L_RESOLUTION].at, resolution_keys, 4, &raw, NULL);
	if (seen[L_CALENDAR].at != NULL && config_setting_is_group(seen[L_CALENDAR].at))
		load_calendar(ld, seen[L_CALENDAR].at, &raw);
	sla->clock = raw.clock;
	sla->at_risk = raw.at_risk;
	sla->check_interval = raw.check_interval;
	if (raw.office_day != NULL) {
		int64_t d, m;

		if (parse_duration(raw.office_day, &d, &m) == 0 && (d > 0 || m > 24 * HOUR_MS))
			diag_problem(&ld->diag, seen[L_OFFICE_DAY].at,
				"expected hours of one working day, at most \"24h\"");
		else
			sla->office_day = m;
	}
	/* Unset durations take the SOP's defaults, days counted on the clock. */
	day = sla->clock == CLOCK_OFFICE ? sla->office_day : 24 * HOUR_MS;
	sla->first_response = cfg_duration_ms(raw.first_response ? raw.first_response : "30m", day);
	sla->pending_max = cfg_duration_ms(raw.pending_max ? raw.pending_max : "7d", day);
	sla->leadership = cfg_duration_ms(raw.leadership ? raw.leadership : "5d", day);
	for (int p = 0; p < 4; p++)
		sla->resolution[p] = cfg_duration_ms(raw.resolution[p] ? raw.resolution[p] :
						 resolution_defaults[p], day);
	free(raw.first_response);
	free(raw.pending_max);
	free(raw.leadership);
	free(raw.office_day);
	for (int i = 0; i < 4; i++)
		free(raw.resolution[i]);
	for (int i = 0; i < 7; i++)
		free(raw.day[i]);
}

static int
lower_word_ok(const char *v)
{
	if (*v == '\0' || strlen(v) > 64)
		return 0;
	for (; *v != '\0'; v++)
		if ((*v >= 'A' && *v <= 'Z') || (unsigned char)*v < 0x20)
			return 0;
	return 1;
}

#define WORD_EXPECT "expected a lower-case keyword (at most 64 bytes)"

static void
load_hardware_words(struct loader *ld, const config_setting_t *s)
{
	struct cfg_workflow *w = &ld->cfg->workflow;

	cfg_str_array(ld, s, &w->hardware_words, &w->nhardware_words, MAX_WORDS, "keywords",
		      "hardware", lower_word_ok, WORD_EXPECT);
}

static void
load_category(struct loader *ld, const config_setting_t *grp, void *elem)
{
	struct cfg_category *c = elem;
	static const struct keyspec keys[2] = {
		{ "name", K_STR, .offset = offsetof(struct cfg_category, name), .ok = category_name_ok,
		  .expect = "expected a category name of 1 to 32 characters a-z, 0-9, _ or -" },
		{ "keywords", K_CUSTOM, .load = later },
	};
	struct seen seen[2];

	cfg_load_keys(ld, grp, keys, 2, c, seen);
	if (seen[0].at == NULL)
		diag_problem(&ld->diag, grp, "name is missing");
	if (seen[1].at == NULL)
		diag_problem(&ld->diag, grp, "keywords is missing; expected [ \"printer\", ... ]");
	else
		cfg_str_array(ld, seen[1].at, &c->words, &c->nwords, MAX_WORDS, "keywords",
			      "printer", lower_word_ok, WORD_EXPECT);
}

static void
load_categories(struct loader *ld, const config_setting_t *list)
{
	struct cfg_workflow *w = &ld->cfg->workflow;

	w->categories = cfg_group_list(ld, list, &w->ncategories, sizeof(w->categories[0]), 0,
				       "categories", "{ name = ...; keywords = [ ... ]; }", load_category);
}

static const struct keyspec workflow_keys[] = {
	{ "require_approval", K_BOOL, .offset = offsetof(struct cfg_workflow, require_approval) },
	{ "auto_assign", K_BOOL, .offset = offsetof(struct cfg_workflow, auto_assign) },
	{ "categories", K_CUSTOM, .load = load_categories },
	{ "hardware_words", K_CUSTOM, .load = load_hardware_words },
};

void
cfg_load_workflow(struct loader *ld, const config_setting_t *grp)
{
	cfg_load_keys(ld, grp, workflow_keys, (int)(sizeof(workflow_keys) / sizeof(workflow_keys[0])),
		      &ld->cfg->workflow, NULL);
}

int
cfg_workflow_defaults(struct hd_config *cfg)
{
	struct cfg_workflow *w = &cfg->workflow;
	struct cfg_sla *sla = &cfg->sla;
	size_t n = sizeof(hardware_defaults) / sizeof(hardware_defaults[0]);

	sla->clock = CLOCK_OFFICE;
	sla->office_day = 8 * HOUR_MS;
	sla->first_response = 30 * MINUTE_MS;
	sla->resolution[0] = sla->resolution[1] = 5 * sla->office_day;
	sla->resolution[2] = sla->office_day;
	sla->resolution[3] = 2 * HOUR_MS;
	sla->pending_max = 7 * sla->office_day;
	sla->leadership = 5 * sla->office_day;
	sla->at_risk = 75;
	sla->check_interval = 60;
	calendar_sop(&sla->cal);
	if ((w->hardware_words = calloc(n, sizeof(w->hardware_words[0]))) == NULL)
		return -1;
	for (; w->nhardware_words < n; w->nhardware_words++)
		if ((w->hardware_words[w->nhardware_words] = strdup(hardware_defaults[w->nhardware_words])) == NULL)
			return -1;
	return 0;
}

void
cfg_workflow_free(struct hd_config *cfg)
{
	struct cfg_workflow *w = &cfg->workflow;

	for (size_t i = 0; i < w->ncategories; i++) {
		free(w->categories[i].name);
		for (size_t j = 0; j < w->categories[i].nwords; j++)
			free(w->categories[i].words[j]);
		free(w->categories[i].words);
	}
	free(w->categories);
	for (size_t i = 0; i < w->nhardware_words; i++)
		free(w->hardware_words[i]);
	free(w->hardware_words);
	free(cfg->sla.cal.holidays);
}
