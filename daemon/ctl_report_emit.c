/*
 * ctl_report_emit.c: the recap report's plain forms: the labels and number
 * formats shared with the HTML page, the terminal text, CSV (RFC 4180, one
 * row per figure) and JSON. Each emitter only reads the struct report that
 * ctl_report.c gathered.
 */
#include "ctl.h"
#include "ctl_report.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* [label][0 English, 1 Indonesian] */
static const char *const labels[L__COUNT][2] = {
	[L_TITLE] = { "IT Helpdesk Service Recap", "Rekapitulasi Layanan Helpdesk TIK" },
	[L_SUBTITLE] = { "Tickets created in the period", "Tiket yang masuk pada periode ini" },
	[L_PERIOD] = { "Period", "Periode" },
	[L_CLOCK] = { "SLA clock", "Jam SLA" },
	[L_CLOCK_OFFICE] = { "office hours", "jam kerja" },
	[L_CLOCK_CAL] = { "calendar time", "waktu kalender" },
	[L_GENERATED] = { "Generated", "Dibuat" },
	[L_TOTAL] = { "Total tickets", "Jumlah tiket" },
	[L_BY_CHANNEL] = { "By channel", "Menurut saluran" },
	[L_BY_STATUS] = { "By status", "Menurut status" },
	[L_BY_PRIORITY] = { "By priority", "Menurut prioritas" },
	[L_BY_CATEGORY] = { "By category", "Menurut kategori" },
	[L_BY_SKPD] = { "By SKPD unit", "Menurut unit SKPD" },
	[L_RESPONSE] = { "Time to first response", "Waktu tanggapan pertama" },
	[L_RESOLUTION] = { "Time to resolution", "Waktu penyelesaian" },
	[L_TIMES] = { "Response and resolution times", "Waktu tanggapan dan penyelesaian" },
	[L_SLA] = { "SLA compliance by priority", "Kepatuhan SLA per prioritas" },
	[L_SLA_ALL] = { "Resolved within SLA", "Selesai sesuai SLA" },
	[L_PENDING] = { "Pending (clock stopped)", "Penundaan (pending)" },
	[L_TECH] = { "Per technician", "Kinerja teknisi" },
	[L_TOP] = { "Most frequent problems", "Masalah yang paling sering" },
	[L_MEAN] = { "Mean", "Rata-rata" },
	[L_P90] = { "90th percentile", "Persentil ke-90" },
	[L_COMPLIANCE] = { "Within target", "Sesuai target" },
	[L_TARGET] = { "Target", "Target" },
	[L_MET] = { "Met", "Tercapai" },
	[L_BREACHED] = { "Breached", "Terlampaui" },
	[L_OPEN_BREACHED] = { "Open, overdue", "Belum selesai, lewat" },
	[L_TICKETS] = { "Tickets", "Tiket" },
	[L_TOTAL_TIME] = { "Total time", "Total waktu" },
	[L_HARDWARE] = { "Waiting for hardware", "Menunggu perangkat keras" },
	[L_OTHER] = { "Other pending", "Penundaan lain" },
	[L_ALL_PENDING] = { "All pending", "Semua penundaan" },
	[L_NAME] = { "Technician", "Teknisi" },
	[L_ASSIGNED] = { "Assigned", "Ditugaskan" },
	[L_RESOLVED] = { "Resolved", "Selesai" },
	[L_MEAN_RES] = { "Mean resolution", "Rata-rata selesai" },
	[L_BREACHES] = { "Breaches", "Lewat SLA" },
	[L_ESCALATIONS] = { "Escalations", "Eskalasi" },
	[L_CATEGORY] = { "Category", "Kategori" },
	[L_LATEST] = { "Latest report", "Laporan terakhir" },
	[L_PRIORITY] = { "Priority", "Prioritas" },
	[L_NO_TICKETS] = { "No tickets in this period.", "Tidak ada tiket pada periode ini." },
	[L_NOTE_CLOCK] = { "Durations are counted in", "Durasi dihitung dalam" },
	[L_NOTE] = { "Pending time does not count toward resolution. 90th percentile: nine tickets in"
		     " ten took at most this long.", "Waktu tunda (pending) tidak dihitung dalam waktu"
		     " penyelesaian. Persentil ke-90: sembilan dari sepuluh tiket selesai dalam waktu ini." },
	[L_HOURS] = { "hours", "jam" },
	[L_YEAR] = { "Year", "Tahun" },
	[L_TO] = { "to", "s.d." },
	[L_OF] = { "of", "dari" },
};

static const char *const months[2][12] = {
	{ "January", "February", "March", "April", "May", "June", "July", "August",
	  "September", "October", "November", "December" },
	{ "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	  "September", "Oktober", "November", "Desember" },
};

const char *
rp_label(const struct report *r, enum rp_label l)
{
	return labels[l][!r->english];
}

const char *
rp_label_en(enum rp_label l)
{
	return labels[l][0];
}

void
rp_period_words(const struct report *r, char *out, size_t len)
{
	if (r->form == RP_MONTH)
		snprintf(out, len, "%s %d", months[!r->english][r->month - 1], r->year);
	else if (r->form == RP_YEAR)
		snprintf(out, len, "%s %d", rp_label(r, L_YEAR), r->year);
	else
		snprintf(out, len, "%s %s %s", r->first_day, rp_label(r, L_TO), r->last_day);
}

void
rp_clock_words(const struct report *r, char *out, size_t len)
{
	const char *clock = rp_label(r, r->calendar_clock ? L_CLOCK_CAL : L_CLOCK_OFFICE);
	long long min = r->day_ms / 60000;

	if (min % 60 == 0)
		snprintf(out, len, "%s (1d = %lld %s)", clock, min / 60, rp_label(r, L_HOURS));
	else
		snprintf(out, len, "%s (1d = %lldh %02lldm)", clock, min / 60, min % 60);
}

void
rp_dur(const struct report *r, int64_t ms, char *out, size_t len)
{
	long long m = ms > 0 ? (ms + 30000) / 60000 : 0;
	long long day = r->day_ms >= 60000 ? r->day_ms / 60000 : 1440;
	long long d = m / day, h = m % day / 60, mm = m % day % 60;

	if (d > 0 && h == 0 && mm == 0)
		snprintf(out, len, "%lldd", d);
	else if (d > 0)
		snprintf(out, len, "%lldd %lldh %02lldm", d, h, mm);
	else if (h > 0 && mm == 0)
		snprintf(out, len, "%lldh", h);
	else if (h > 0)
		snprintf(out, len, "%lldh %02lldm", h, mm);
	else
		snprintf(out, len, "%lldm", mm);
}

/* num / den (0 <= num <= den) in tenths of a percent, rounded half up. */
static int
tenths(long num, long den)
{
	long long t = ((long long)num * 2000 + den) / (2LL * den);

	return t < 0 ? 0 : t > 1000 ? 1000 : (int)t;
}

void
rp_pct(long num, long den, char *out, size_t len)
{
	int t;

	if (den <= 0) {
		snprintf(out, len, "-");
		return;
	}
	t = tenths(num, den);
	snprintf(out, len, "%d.%d", t / 10, t % 10);
}

/* Whole seconds of ms, rounded half up. */
long long
rp_secs(int64_t ms)
{
	return (long long)((ms + 500) / 1000);
}

/* ------------------------------------------------------------------ */
/* Text */

/* s left-aligned in width columns (UTF-8 aware), cut with "~" when longer. */
static void
cell(struct sbuf *b, const char *s, size_t width)
{
	size_t cols = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (cols + 1 == width && utf8_chars(s + i, strlen(s + i)) > 1) {
			sb_append(b, s, i);
			sb_puts(b, "~");
			return;
		}
		cols++;
	}
	sb_puts(b, s);
	for (; cols < width; cols++)
		sb_puts(b, " ");
}

/* One breakdown row: key, count, share of the total and a bar. */
static void
text_row(struct sbuf *b, const struct report *r, const char *key, long n, long max)
{
	char pct[16];

	rp_pct(n, r->total, pct, sizeof(pct));
	sb_puts(b, "  ");
	cell(b, key, 40);
	sb_printf(b, " %6ld %7s%%  ", n, pct);
	for (long k = max > 0 ? (n * 30 + max - 1) / max : 0; k > 0; k--)
		sb_puts(b, "#");
	sb_puts(b, "\n");
}

static void
text_fixed(struct sbuf *b, const struct report *r, enum rp_label l, const char *const *words,
	   const long *v)
{
	long max = 0;

	sb_printf(b, "\n%s\n", rp_label(r, l));
	for (int i = 0; words[i] != NULL; i++)
		max = v[i] > max ? v[i] : max;
	for (int i = 0; words[i] != NULL; i++)
		text_row(b, r, words[i], v[i], max);
}

static void
text_groups(struct sbuf *b, const struct report *r, enum rp_label l, const struct rp_groups *g)
{
	sb_printf(b, "\n%s\n", rp_label(r, l));
	for (size_t i = 0; i < g->n; i++)
		text_row(b, r, g->v[i].key, g->v[i].n, g->v[0].n);
}

/* "label  value" lines of a distribution. */
static void
text_dist(struct sbuf *b, const struct report *r, enum rp_label l, const struct rp_dist *d)
{
	char mean[32] = "-", p90[32] = "-";

	if (d->n) {
		rp_dur(r, d->mean_ms, mean, sizeof(mean));
		rp_dur(r, d->p90_ms, p90, sizeof(p90));
	}
	sb_printf(b, "\n%s\n  ", rp_label(r, l));
	cell(b, rp_label(r, L_TICKETS), 24);
	sb_printf(b, "%ld\n  ", d->n);
	cell(b, rp_label(r, L_MEAN), 24);
	sb_printf(b, "%s\n  ", mean);
	cell(b, rp_label(r, L_P90), 24);
	sb_printf(b, "%s\n", p90);
}

void
rp_text(const struct report *r, struct sbuf *b)
{
	char words[96], t1[32], t2[32], pct[16];
	long met = 0, br = 0;

	rp_period_words(r, words, sizeof(words));
	sb_printf(b, "%s\n", rp_label(r, L_TITLE));
	for (size_t i = strlen(rp_label(r, L_TITLE)); i > 0; i--)
		sb_puts(b, "=");
	sb_puts(b, "\n");
	cell(b, rp_label(r, L_PERIOD), 11);
	sb_printf(b, ": %s (%s %s %s)\n", words, r->first_day, rp_label(r, L_TO), r->last_day);
	rp_clock_words(r, words, sizeof(words));
	cell(b, rp_label(r, L_CLOCK), 11);
	sb_printf(b, ": %s\n", words);
	fmt_local_time(r->now, t1, sizeof(t1));
	cell(b, rp_label(r, L_GENERATED), 11);
	sb_printf(b, ": %s\n\n%s: %ld\n", t1, rp_label(r, L_TOTAL), r->total);
	if (r->total == 0)
		sb_printf(b, "%s\n", rp_label(r, L_NO_TICKETS));

	text_fixed(b, r, L_BY_CHANNEL, ctl_channels, r->channel);
	text_fixed(b, r, L_BY_STATUS, ctl_statuses, r->status);
	text_fixed(b, r, L_BY_PRIORITY, ctl_priorities, r->priority);
	text_groups(b, r, L_BY_CATEGORY, &r->category);
	text_groups(b, r, L_BY_SKPD, &r->skpd);

	text_dist(b, r, L_RESPONSE, &r->response);
	rp_pct(r->response_met, r->response.n, pct, sizeof(pct));
	rp_dur(r, r->response_target, t1, sizeof(t1));
	sb_puts(b, "  ");
	cell(b, rp_label(r, L_COMPLIANCE), 24);
	sb_printf(b, "%s%% (%ld %s %ld, %s %s)\n", pct, r->response_met, rp_label(r, L_OF), r->response.n,
		  rp_label(r, L_TARGET), t1);
	text_dist(b, r, L_RESOLUTION, &r->resolution);

	sb_printf(b, "\n%s\n  ", rp_label(r, L_SLA));
	cell(b, rp_label(r, L_PRIORITY), 14);
	cell(b, rp_label(r, L_TARGET), 11);
	sb_printf(b, "%10s %11s %8s  %s\n", rp_label(r, L_MET), rp_label(r, L_BREACHED), "%",
		  rp_label(r, L_OPEN_BREACHED));
	for (int p = 0; p <= 4; p++) {
		long m = p < 4 ? r->sla_met[p] : met, x = p < 4 ? r->sla_breached[p] : br;
		long o = 0;

		for (int q = 0; q < 4; q++)
			o += p < 4 ? (q == p ? r->open_breached[q] : 0) : r->open_breached[q];
		rp_pct(m, m + x, pct, sizeof(pct));
		if (p < 4)
			rp_dur(r, r->target[p], t1, sizeof(t1));
		sb_puts(b, "  ");
		cell(b, p < 4 ? ctl_priorities[p] : rp_label(r, L_TOTAL), 14);
		cell(b, p < 4 ? t1 : "", 11);
		sb_printf(b, "%10ld %11ld %7s%s  %ld\n", m, x, pct, m + x ? "%" : " ", o);
		met += m;
		br += x;
	}

	sb_printf(b, "\n%s\n  ", rp_label(r, L_PENDING));
	cell(b, "", 28);
	sb_printf(b, "%7s  %-14s %s\n", rp_label(r, L_TICKETS), rp_label(r, L_TOTAL_TIME), rp_label(r, L_MEAN));
	for (int k = 0; k < 3; k++) {
		long n = k == 0 ? r->pend_n : k == 1 ? r->pend_hw_n : r->pend_other_n;
		int64_t ms = k == 0 ? r->pend_ms : k == 1 ? r->pend_hw_ms : r->pend_ms - r->pend_hw_ms;

		rp_dur(r, ms, t1, sizeof(t1));
		if (n)
			rp_dur(r, ms / n, t2, sizeof(t2));
		sb_puts(b, "  ");
		cell(b, rp_label(r, k == 0 ? L_ALL_PENDING : k == 1 ? L_HARDWARE : L_OTHER), 28);
		sb_printf(b, "%7ld  %-14s %s\n", n, t1, n ? t2 : "-");
	}

	sb_printf(b, "\n%s\n  ", rp_label(r, L_TECH));
	cell(b, rp_label(r, L_NAME), 26);
	sb_printf(b, "%10s %9s  %-17s %9s %11s\n", rp_label(r, L_ASSIGNED), rp_label(r, L_RESOLVED),
		  rp_label(r, L_MEAN_RES), rp_label(r, L_BREACHES), rp_label(r, L_ESCALATIONS));
	for (size_t i = 0; i < r->tech.n; i++) {
		const struct rp_group *g = &r->tech.v[i];

		if (g->resolved)
			rp_dur(r, g->res_sum / g->resolved, t1, sizeof(t1));
		sb_puts(b, "  ");
		cell(b, g->key, 26);
		sb_printf(b, "%10ld %9ld  %-17s %9ld %11ld\n", g->n, g->resolved, g->resolved ? t1 : "-",
			  g->breaches, g->escalations);
	}

	sb_printf(b, "\n%s\n  #  ", rp_label(r, L_TOP));
	cell(b, rp_label(r, L_CATEGORY), 18);
	sb_printf(b, "%7s  %s\n", rp_label(r, L_TICKETS), rp_label(r, L_LATEST));
	for (size_t i = 0; i < r->category.n && i < RP_TOP; i++) {
		sb_printf(b, "  %zu  ", i + 1);
		cell(b, r->category.v[i].key, 18);
		sb_printf(b, "%7ld  %s\n", r->category.v[i].n, r->category.v[i].last_text);
	}
}


/* ------------------------------------------------------------------ */
/* CSV: "section,key,metric,value", one row per figure */

/* Append s as one CSV field, quoted when it must be. */
static void
csv_field(struct sbuf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL && *s != ' ' && (*s == '\0' || s[strlen(s) - 1] != ' ')) {
		sb_puts(b, s);
		return;
	}
	sb_puts(b, "\"");
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		sb_append(b, s, (size_t)(q - s + 1));
		sb_puts(b, "\"");
	}
	sb_puts(b, s);
	sb_puts(b, "\"");
}

static void
csv_row(struct sbuf *b, const char *section, const char *key, const char *metric, const char *value)
{
	sb_printf(b, "%s,", section);
	csv_field(b, key);
	sb_printf(b, ",%s,", metric);
	csv_field(b, value);
	sb_puts(b, "\r\n");
}

/* A number; with n == 0 the empty value (a mean of nothing). */
static void
csv_num(struct sbuf *b, const char *section, const char *key, const char *metric, long long v, long n)
{
	char s[32] = "";

	if (n != 0)
		snprintf(s, sizeof(s), "%lld", v);
	csv_row(b, section, key, metric, s);
}

static void
csv_pct(struct sbuf *b, const char *section, const char *key, long num, long den)
{
	char s[16] = "";

	if (den > 0)
		rp_pct(num, den, s, sizeof(s));
	csv_row(b, section, key, "compliance_pct", s);
}

/* The mean of a total over n tickets, in seconds. */
static long long
mean_s(int64_t total_ms, long n)
{
	return n > 0 ? rp_secs(total_ms / n) : 0;
}

void
rp_csv(const struct report *r, struct sbuf *b)
{
	static const char *const pend_keys[3] = { "all", "hardware", "other" };
	char when[32];

	sb_puts(b, "section,key,metric,value\r\n");
	csv_row(b, "meta", "period", "first_day", r->first_day);
	csv_row(b, "meta", "period", "last_day", r->last_day);
	csv_row(b, "meta", "clock", "name", r->calendar_clock ? "calendar" : "office");
	csv_num(b, "meta", "clock", "day_s", rp_secs(r->day_ms), 1);
	fmt_local_time(r->now, when, sizeof(when));
	csv_row(b, "meta", "generated", "at", when);
	csv_num(b, "total", "all", "count", r->total, 1);
	for (int i = 0; i < 3; i++)
		csv_num(b, "channel", ctl_channels[i], "count", r->channel[i], 1);
	for (int i = 0; i < 6; i++)
		csv_num(b, "status", ctl_statuses[i], "count", r->status[i], 1);
	for (int i = 0; i < 4; i++)
		csv_num(b, "priority", ctl_priorities[i], "count", r->priority[i], 1);
	for (size_t i = 0; i < r->category.n; i++)
		csv_num(b, "category", r->category.v[i].key, "count", r->category.v[i].n, 1);
	for (size_t i = 0; i < r->skpd.n; i++)
		csv_num(b, "skpd", r->skpd.v[i].key, "count", r->skpd.v[i].n, 1);

	csv_num(b, "first_response", "all", "count", r->response.n, 1);
	csv_num(b, "first_response", "all", "mean_s", rp_secs(r->response.mean_ms), r->response.n);
	csv_num(b, "first_response", "all", "p90_s", rp_secs(r->response.p90_ms), r->response.n);
	csv_num(b, "first_response", "all", "target_s", rp_secs(r->response_target), 1);
	csv_num(b, "first_response", "all", "met", r->response_met, 1);
	csv_pct(b, "first_response", "all", r->response_met, r->response.n);
	csv_num(b, "resolution", "all", "count", r->resolution.n, 1);
	csv_num(b, "resolution", "all", "mean_s", rp_secs(r->resolution.mean_ms), r->resolution.n);
	csv_num(b, "resolution", "all", "p90_s", rp_secs(r->resolution.p90_ms), r->resolution.n);
	for (int p = 0; p < 4; p++) {
		const char *k = ctl_priorities[p];

		csv_num(b, "sla", k, "target_s", rp_secs(r->target[p]), 1);
		csv_num(b, "sla", k, "met", r->sla_met[p], 1);
		csv_num(b, "sla", k, "breached", r->sla_breached[p], 1);
		csv_pct(b, "sla", k, r->sla_met[p], r->sla_met[p] + r->sla_breached[p]);
		csv_num(b, "sla", k, "open_breached", r->open_breached[p], 1);
	}
	for (int k = 0; k < 3; k++) {
		long n = k == 0 ? r->pend_n : k == 1 ? r->pend_hw_n : r->pend_other_n;
		int64_t ms = k == 0 ? r->pend_ms : k == 1 ? r->pend_hw_ms : r->pend_ms - r->pend_hw_ms;

		csv_num(b, "pending", pend_keys[k], "tickets", n, 1);
		csv_num(b, "pending", pend_keys[k], "total_s", rp_secs(ms), 1);
		csv_num(b, "pending", pend_keys[k], "mean_s", mean_s(ms, n), n);
	}
	for (size_t i = 0; i < r->tech.n; i++) {
		const struct rp_group *g = &r->tech.v[i];

		csv_num(b, "technician", g->key, "assigned", g->n, 1);
		csv_num(b, "technician", g->key, "resolved", g->resolved, 1);
		csv_num(b, "technician", g->key, "mean_resolution_s", mean_s(g->res_sum, g->resolved), g->resolved);
		csv_num(b, "technician", g->key, "breaches", g->breaches, 1);
		csv_num(b, "technician", g->key, "escalations", g->escalations, 1);
	}
	for (size_t i = 0; i < r->category.n && i < RP_TOP; i++) {
		csv_num(b, "top_problem", r->category.v[i].key, "rank", (long long)i + 1, 1);
		csv_num(b, "top_problem", r->category.v[i].key, "count", r->category.v[i].n, 1);
		csv_row(b, "top_problem", r->category.v[i].key, "latest_text", r->category.v[i].last_text);
	}
}

/* ------------------------------------------------------------------ */
/* JSON */

/* ", "key": v" or null when n == 0 (a mean of nothing). */
static void
json_num(struct sbuf *b, const char *key, long long v, long n)
{
	if (n != 0)
		sb_printf(b, ", \"%s\": %lld", key, v);
	else
		sb_printf(b, ", \"%s\": null", key);
}

static void
json_pct(struct sbuf *b, long num, long den)
{
	char s[16];

	rp_pct(num, den, s, sizeof(s));
	sb_printf(b, ", \"compliance_pct\": %s", den > 0 ? s : "null");
}

static void
json_counts(struct sbuf *b, const char *name, const char *const *words, const long *v)
{
	sb_printf(b, ",\n \"%s\": {", name);
	for (int i = 0; words[i] != NULL; i++)
		sb_printf(b, "%s\"%s\": %ld", i ? ", " : "", words[i], v[i]);
	sb_puts(b, "}");
}

static void
json_groups(struct sbuf *b, const char *name, const char *field, const struct rp_groups *g)
{
	sb_printf(b, ",\n \"%s\": [", name);
	for (size_t i = 0; i < g->n; i++) {
		sb_puts(b, i ? ", {" : "{");
		ctl_json_kv(b, field, g->v[i].key, 0);
		sb_printf(b, ", \"count\": %ld}", g->v[i].n);
	}
	sb_puts(b, "]");
}

void
rp_json(const struct report *r, struct sbuf *b)
{
	static const char *const pend_keys[3] = { "all", "hardware", "other" };
	char words[96], when[32];

	rp_period_words(r, words, sizeof(words));
	fmt_local_time(r->now, when, sizeof(when));
	sb_puts(b, "{\"period\": {");
	ctl_json_kv(b, "first_day", r->first_day, 0);
	ctl_json_kv(b, "last_day", r->last_day, 1);
	ctl_json_kv(b, "name", words, 1);
	sb_printf(b, ", \"start_ms\": %lld, \"end_ms\": %lld},\n ", (long long)r->start, (long long)r->end);
	ctl_json_kv(b, "clock", r->calendar_clock ? "calendar" : "office", 0);
	sb_printf(b, ", \"day_s\": %lld, \"generated_at_ms\": %lld", rp_secs(r->day_ms), (long long)r->now);
	ctl_json_kv(b, "generated_at", when, 1);
	sb_printf(b, ",\n \"total\": %ld", r->total);
	json_counts(b, "by_channel", ctl_channels, r->channel);
	json_counts(b, "by_status", ctl_statuses, r->status);
	json_counts(b, "by_priority", ctl_priorities, r->priority);
	json_groups(b, "by_category", "category", &r->category);
	json_groups(b, "by_skpd", "skpd", &r->skpd);

	sb_printf(b, ",\n \"first_response\": {\"count\": %ld", r->response.n);
	json_num(b, "mean_s", rp_secs(r->response.mean_ms), r->response.n);
	json_num(b, "p90_s", rp_secs(r->response.p90_ms), r->response.n);
	sb_printf(b, ", \"target_s\": %lld, \"met\": %ld", rp_secs(r->response_target), r->response_met);
	json_pct(b, r->response_met, r->response.n);
	sb_printf(b, "},\n \"resolution\": {\"count\": %ld", r->resolution.n);
	json_num(b, "mean_s", rp_secs(r->resolution.mean_ms), r->resolution.n);
	json_num(b, "p90_s", rp_secs(r->resolution.p90_ms), r->resolution.n);
	sb_puts(b, "},\n \"sla_by_priority\": {");
	for (int p = 0; p < 4; p++) {
		sb_printf(b, "%s\"%s\": {\"target_s\": %lld, \"met\": %ld, \"breached\": %ld", p ? ", " : "",
			  ctl_priorities[p], rp_secs(r->target[p]), r->sla_met[p], r->sla_breached[p]);
		json_pct(b, r->sla_met[p], r->sla_met[p] + r->sla_breached[p]);
		sb_printf(b, ", \"open_breached\": %ld}", r->open_breached[p]);
	}
	sb_puts(b, "},\n \"pending\": {");
	for (int k = 0; k < 3; k++) {
		long n = k == 0 ? r->pend_n : k == 1 ? r->pend_hw_n : r->pend_other_n;
		int64_t ms = k == 0 ? r->pend_ms : k == 1 ? r->pend_hw_ms : r->pend_ms - r->pend_hw_ms;

		sb_printf(b, "%s\"%s\": {\"tickets\": %ld, \"total_s\": %lld", k ? ", " : "", pend_keys[k], n,
			  rp_secs(ms));
		json_num(b, "mean_s", mean_s(ms, n), n);
		sb_puts(b, "}");
	}
	sb_puts(b, "},\n \"technicians\": [");
	for (size_t i = 0; i < r->tech.n; i++) {
		const struct rp_group *g = &r->tech.v[i];

		sb_puts(b, i ? ",\n  {" : "\n  {");
		ctl_json_kv(b, "name", g->key, 0);
		sb_printf(b, ", \"contact_id\": %lld, \"assigned\": %ld, \"resolved\": %ld", (long long)g->id,
			  g->n, g->resolved);
		json_num(b, "mean_resolution_s", mean_s(g->res_sum, g->resolved), g->resolved);
		sb_printf(b, ", \"breaches\": %ld, \"escalations\": %ld}", g->breaches, g->escalations);
	}
	sb_puts(b, "],\n \"top_problems\": [");
	for (size_t i = 0; i < r->category.n && i < RP_TOP; i++) {
		sb_puts(b, i ? ",\n  {" : "\n  {");
		ctl_json_kv(b, "category", r->category.v[i].key, 0);
		sb_printf(b, ", \"count\": %ld", r->category.v[i].n);
		ctl_json_kv(b, "latest_text", r->category.v[i].last_text, 1);
		sb_puts(b, "}");
	}
	sb_puts(b, "]}\n");
}
