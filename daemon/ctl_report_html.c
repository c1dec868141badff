/*
 * ctl_report_html.c: the recap report as one self-contained printable HTML
 * page: inline CSS with a print stylesheet, inline SVG bar charts, no
 * script and no external reference of any kind. Every text from the
 * database is escaped; the struct report holds only valid UTF-8.
 */
#include "ctl.h"
#include "ctl_report.h"

#include <stdio.h>
#include <string.h>

#define CHART_ROWS 12		/* bars in one chart; the rest are added up as one */

static const char style[] =
	":root{--ink:#1f2937;--muted:#6b7280;--line:#d6dae1;--accent:#1e40af;--bad:#b91c1c;--good:#15803d}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:#eef0f3;color:var(--ink);font:13px/1.4 \"DejaVu Sans\",\"Liberation Sans\","
	"Arial,Helvetica,sans-serif}\n"
	".page{max-width:1120px;margin:20px auto;background:#fff;padding:26px 34px;"
	"box-shadow:0 1px 4px rgba(0,0,0,.18)}\n"
	"header{display:flex;justify-content:space-between;align-items:flex-end;gap:20px;"
	"border-bottom:3px solid var(--accent);padding-bottom:10px;margin-bottom:16px}\n"
	"h1{font-size:22px;margin:0;color:var(--accent)}\n"
	".sub{color:var(--muted);font-size:12px;margin-top:2px}\n"
	".meta{text-align:right;font-size:12px;white-space:nowrap}\n"
	".kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;margin-bottom:16px}\n"
	".kpi{border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:4px;padding:8px 10px}\n"
	".kpi .v{font-size:21px;font-weight:bold}\n"
	".kpi .l{font-size:11px;color:var(--muted)}\n"
	".kpi.bad{border-left-color:var(--bad)}.kpi.bad .v{color:var(--bad)}\n"
	".grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}\n"
	"section{border:1px solid var(--line);border-radius:4px;padding:10px 12px;margin-bottom:14px;"
	"break-inside:avoid}\n"
	".grid section{margin-bottom:0}.grid{margin-bottom:14px}\n"
	"h2{font-size:14px;margin:0 0 8px;color:var(--accent)}\n"
	"h2 small{color:var(--muted);font-weight:normal;font-size:11px;margin-left:6px}\n"
	"table{border-collapse:collapse;width:100%;font-size:12px}\n"
	"th,td{padding:3px 6px;border-bottom:1px solid #e6e8ec;text-align:left;vertical-align:top}\n"
	"th{background:#f5f6f8;font-weight:bold}\n"
	".n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
	"td{overflow-wrap:break-word}@media (max-width:900px){th.n{white-space:normal}}\n"
	"td.bad{color:var(--bad);font-weight:bold}\n"
	"svg{display:block;max-width:100%;height:auto}\n"
	"svg text{font-size:12px;fill:#1f2937}\n"
	"footer{margin-top:6px;border-top:1px solid var(--line);padding-top:6px;font-size:11px;"
	"color:var(--muted)}\n"
	"@media print{@page{size:A4;margin:12mm}body{background:#fff;font-size:11px}"
	".page{box-shadow:none;margin:0;padding:0;max-width:none}"
	"section,.kpi,tr{break-inside:avoid}h2{break-after:avoid}.grid.pair{grid-template-columns:1fr}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static const char *const prio_colors[] = { "#94a3b8", "#3b82f6", "#f59e0b", "#dc2626" };

/* Append s with &, <, >, " and ' as character references. */
static void
esc(struct sbuf *b, const char *s)
{
	for (const char *p; *s != '\0'; s = p + 1) {
		p = s + strcspn(s, "&<>\"'");
		sb_append(b, s, (size_t)(p - s));
		if (*p == '\0')
			return;
		sb_puts(b, *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" :
			*p == '"' ? "&quot;" : "&#39;");
	}
}

/* <h2>label <small>English</small></h2>: the English subtitle only when the
 * report is in another language. */
static void
heading(struct sbuf *b, const struct report *r, enum rp_label l)
{
	sb_printf(b, "<h2>%s", rp_label(r, l));
	if (!r->english)
		sb_printf(b, " <small>%s</small>", rp_label_en(l));
	sb_puts(b, "</h2>\n");
}

/* At most max bytes of s, cut at a character boundary with an ellipsis. */
static void
esc_cut(struct sbuf *b, const char *s, size_t max)
{
	char tmp[128];
	size_t n = strlen(s);

	if (n <= max || max + 4 > sizeof(tmp)) {
		esc(b, s);
		return;
	}
	while (n > 0 && (n > max || ((unsigned char)s[n] & 0xc0) == 0x80))
		n--;
	memcpy(tmp, s, n);
	memcpy(tmp + n, "\xe2\x80\xa6", 4);
	esc(b, tmp);
}

/* A horizontal bar chart w pixels wide of n bars (labels, values; colors or
 * NULL), with each value and its share of the total. */
static void
chart(struct sbuf *b, const struct report *r, int w, const char *title, const char *const *labels,
      const long *values, size_t n, const char *const *colors)
{
	const int row = 24, lw = w > 500 ? 250 : 120, bw = w - lw - 90;
	long max = 1;
	char pct[16];

	for (size_t i = 0; i < n; i++)
		max = values[i] > max ? values[i] : max;
	sb_printf(b, "<svg width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"",
		  w, n * (size_t)row + 4, w, n * (size_t)row + 4);
	esc(b, title);
	sb_puts(b, "\">\n");
	for (size_t i = 0; i < n; i++) {
		long y = (long)i * row + 2, len = values[i] > 0 ? values[i] * bw / max : 0;

		rp_pct(values[i], r->total, pct, sizeof(pct));
		sb_printf(b, "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\">", lw - 8, y + 16);
		esc_cut(b, labels[i], w > 500 ? 36 : 16);
		sb_printf(b, "</text><rect x=\"%d\" y=\"%ld\" width=\"%d\" height=\"%d\" fill=\"#eef1f6\"/>"
			  "<rect x=\"%d\" y=\"%ld\" width=\"%ld\" height=\"%d\" fill=\"%s\"/>"
			  "<text x=\"%ld\" y=\"%ld\">%ld (%s%%)</text>\n", lw, y + 3, bw, row - 6, lw, y + 3,
			  len < 1 && values[i] > 0 ? 1 : len, row - 6, colors ? colors[i % 4] : "#1e40af",
			  (long)lw + bw + 6, y + 16, values[i], pct);
	}
	sb_puts(b, "</svg>\n");
}

static void
chart_fixed(struct sbuf *b, const struct report *r, enum rp_label l, const char *const *words,
	    const long *v, size_t n, const char *const *colors)
{
	sb_puts(b, "<section>");
	heading(b, r, l);
	chart(b, r, 400, rp_label(r, l), words, v, n, colors);
	sb_puts(b, "</section>\n");
}

/* A chart of a sorted group list: the first CHART_ROWS - 1 bars, then the
 * rest added up when there are more. */
static void
chart_groups(struct sbuf *b, const struct report *r, enum rp_label l, const struct rp_groups *g, int w)
{
	const char *labels[CHART_ROWS];
	long values[CHART_ROWS];
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++) {
		if (i < CHART_ROWS - 1 || g->n == CHART_ROWS) {
			labels[n] = g->v[i].key;
			values[n++] = g->v[i].n;
		} else if (i == CHART_ROWS - 1) {
			labels[n] = r->english ? "(others)" : "(lainnya)";
			values[n++] = g->v[i].n;
		} else {
			values[n - 1] += g->v[i].n;
		}
	}
	sb_puts(b, "<section>");
	heading(b, r, l);
	if (n == 0)
		sb_printf(b, "<p class=\"sub\">%s</p>", rp_label(r, L_NO_TICKETS));
	else
		chart(b, r, w, rp_label(r, l), labels, values, n, NULL);
	sb_puts(b, "</section>\n");
}

static void
kpi(struct sbuf *b, const char *value, const struct report *r, enum rp_label l, const char *extra, int bad)
{
	sb_printf(b, "<div class=\"kpi%s\"><div class=\"v\">%s</div><div class=\"l\">%s%s</div></div>\n",
		  bad ? " bad" : "", value, rp_label(r, l), extra);
}

/* <th> cells: the first (and with text_last the last) left-aligned, the
 * others numeric; L__COUNT: empty. */
static void
head_row(struct sbuf *b, const struct report *r, const enum rp_label *l, int n, int text_last)
{
	sb_puts(b, "<table><tr>");
	for (int i = 0; i < n; i++)
		sb_printf(b, "<th%s>%s</th>", i && !(text_last && i == n - 1) ? " class=\"n\"" : "",
			  l[i] == L__COUNT ? "" : rp_label(r, l[i]));
	sb_puts(b, "</tr>\n");
}

static void
times(struct sbuf *b, const struct report *r, long met, long br)
{
	static const enum rp_label h[] = { L__COUNT, L_TICKETS, L_MEAN, L_P90, L_COMPLIANCE };
	char mean[32], p90[32], pct[16], tgt[32];

	sb_puts(b, "<section>");
	heading(b, r, L_TIMES);
	head_row(b, r, h, 5, 0);
	for (int k = 0; k < 2; k++) {
		const struct rp_dist *d = k ? &r->resolution : &r->response;

		rp_dur(r, d->mean_ms, mean, sizeof(mean));
		rp_dur(r, d->p90_ms, p90, sizeof(p90));
		rp_pct(k ? met : r->response_met, k ? met + br : d->n, pct, sizeof(pct));
		rp_dur(r, r->response_target, tgt, sizeof(tgt));
		sb_printf(b, "<tr><td>%s</td><td class=\"n\">%ld</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			  "<td class=\"n\">%s%s", rp_label(r, k ? L_RESOLUTION : L_RESPONSE), d->n,
			  d->n ? mean : "-", d->n ? p90 : "-", pct, strcmp(pct, "-") ? "%" : "");
		if (k == 0)
			sb_printf(b, "<br><span class=\"sub\">%s %s</span>", rp_label(r, L_TARGET), tgt);
		sb_puts(b, "</td></tr>\n");
	}
	sb_puts(b, "</table></section>\n");
}

static void
pending(struct sbuf *b, const struct report *r)
{
	static const enum rp_label h[] = { L__COUNT, L_TICKETS, L_TOTAL_TIME, L_MEAN };
	char tot[32], mean[32];

	sb_puts(b, "<section>");
	heading(b, r, L_PENDING);
	head_row(b, r, h, 4, 0);
	for (int k = 0; k < 3; k++) {
		long n = k == 0 ? r->pend_n : k == 1 ? r->pend_hw_n : r->pend_other_n;
		int64_t ms = k == 0 ? r->pend_ms : k == 1 ? r->pend_hw_ms : r->pend_ms - r->pend_hw_ms;

		rp_dur(r, ms, tot, sizeof(tot));
		rp_dur(r, n ? ms / n : 0, mean, sizeof(mean));
		sb_printf(b, "<tr><td>%s</td><td class=\"n\">%ld</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
			  rp_label(r, k == 0 ? L_ALL_PENDING : k == 1 ? L_HARDWARE : L_OTHER), n, tot, n ? mean : "-");
	}
	sb_puts(b, "</table></section>\n");
}

static void
sla(struct sbuf *b, const struct report *r)
{
	static const enum rp_label h[] = { L_PRIORITY, L_TARGET, L_MET, L_BREACHED, L_COMPLIANCE,
					   L_OPEN_BREACHED };
	char tgt[32], pct[16];

	sb_puts(b, "<section>");
	heading(b, r, L_SLA);
	head_row(b, r, h, 6, 0);
	for (int p = 0; p < 4; p++) {
		long m = r->sla_met[p], x = r->sla_breached[p];

		rp_dur(r, r->target[p], tgt, sizeof(tgt));
		rp_pct(m, m + x, pct, sizeof(pct));
		sb_printf(b, "<tr><td><span style=\"color:%s\">&#9632;</span> %s</td><td class=\"n\">%s</td>"
			  "<td class=\"n\">%ld</td><td class=\"n%s\">%ld</td><td class=\"n\">%s%s</td>"
			  "<td class=\"n%s\">%ld</td></tr>\n", prio_colors[p], ctl_priorities[p], tgt, m,
			  x ? " bad" : "", x, pct, m + x ? "%" : "", r->open_breached[p] ? " bad" : "",
			  r->open_breached[p]);
	}
	sb_puts(b, "</table></section>\n");
}

static void
technicians(struct sbuf *b, const struct report *r)
{
	static const enum rp_label h[] = { L_NAME, L_ASSIGNED, L_RESOLVED, L_MEAN_RES, L_BREACHES,
					   L_ESCALATIONS };
	char mean[32];

	sb_puts(b, "<section>");
	heading(b, r, L_TECH);
	head_row(b, r, h, 6, 0);
	for (size_t i = 0; i < r->tech.n; i++) {
		const struct rp_group *g = &r->tech.v[i];

		rp_dur(r, g->resolved ? g->res_sum / g->resolved : 0, mean, sizeof(mean));
		sb_puts(b, "<tr><td>");
		esc(b, g->key);
		sb_printf(b, "</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td><td class=\"n\">%s</td>"
			  "<td class=\"n%s\">%ld</td><td class=\"n\">%ld</td></tr>\n", g->n, g->resolved,
			  g->resolved ? mean : "-", g->breaches ? " bad" : "", g->breaches, g->escalations);
	}
	sb_puts(b, "</table></section>\n");
}

static void
top(struct sbuf *b, const struct report *r)
{
	static const enum rp_label h[] = { L_CATEGORY, L_TICKETS, L_LATEST };

	sb_puts(b, "<section>");
	heading(b, r, L_TOP);
	head_row(b, r, h, 3, 1);
	for (size_t i = 0; i < r->category.n && i < RP_TOP; i++) {
		sb_printf(b, "<tr><td>%zu. ", i + 1);
		esc(b, r->category.v[i].key);
		sb_printf(b, "</td><td class=\"n\">%ld</td><td>", r->category.v[i].n);
		esc(b, r->category.v[i].last_text);
		sb_puts(b, "</td></tr>\n");
	}
	sb_puts(b, "</table></section>\n");
}

void
rp_html(const struct report *r, struct sbuf *b)
{
	char words[96], clock[96], when[32], v[48], x[80], tgt[32];
	long met = 0, br = 0, open = 0;

	rp_period_words(r, words, sizeof(words));
	rp_clock_words(r, clock, sizeof(clock));
	fmt_local_time(r->now, when, sizeof(when));
	for (int p = 0; p < 4; p++) {
		met += r->sla_met[p];
		br += r->sla_breached[p];
		open += r->open_breached[p];
	}
	sb_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		  "<title>%s: %s</title>\n<style>\n%s</style>\n</head>\n<body>\n<div class=\"page\">\n",
		  r->english ? "en" : "id", rp_label(r, L_TITLE), words, style);
	sb_printf(b, "<header><div><h1>%s</h1><div class=\"sub\">%s%s%s</div></div>\n",
		  rp_label(r, L_TITLE), r->english ? "" : rp_label_en(L_TITLE), r->english ? "" : " &#183; ",
		  rp_label(r, L_SUBTITLE));
	sb_printf(b, "<div class=\"meta\"><b>%s:</b> %s (%s %s %s)<br><b>%s:</b> %s<br><b>%s:</b> %s</div>"
		  "</header>\n", rp_label(r, L_PERIOD), words, r->first_day, rp_label(r, L_TO), r->last_day,
		  rp_label(r, L_CLOCK), clock, rp_label(r, L_GENERATED), when);

	sb_puts(b, "<div class=\"kpis\">\n");
	snprintf(v, sizeof(v), "%ld", r->total);
	kpi(b, v, r, L_TOTAL, "", 0);
	rp_pct(r->response_met, r->response.n, v, sizeof(v));
	strcat(v, r->response.n ? "%" : "");
	rp_dur(r, r->response_target, tgt, sizeof(tgt));
	snprintf(x, sizeof(x), " (%s %s)", rp_label(r, L_TARGET), tgt);
	kpi(b, v, r, L_RESPONSE, x, 0);
	if (r->resolution.n)
		rp_dur(r, r->resolution.mean_ms, v, sizeof(v));
	else
		snprintf(v, sizeof(v), "-");
	snprintf(x, sizeof(x), " (%s)", rp_label(r, L_MEAN));
	kpi(b, v, r, L_RESOLUTION, x, 0);
	rp_pct(met, met + br, v, sizeof(v));
	strcat(v, met + br ? "%" : "");
	kpi(b, v, r, L_SLA_ALL, "", br > 0 && met * 10 < (met + br) * 9);
	snprintf(v, sizeof(v), "%ld", open);
	kpi(b, v, r, L_OPEN_BREACHED, "", open > 0);
	sb_puts(b, "</div>\n");

	sb_puts(b, "<div class=\"grid\">\n");
	chart_fixed(b, r, L_BY_CHANNEL, ctl_channels, r->channel, 3, NULL);
	chart_fixed(b, r, L_BY_PRIORITY, ctl_priorities, r->priority, 4, prio_colors);
	chart_fixed(b, r, L_BY_STATUS, ctl_statuses, r->status, 6, NULL);
	chart_groups(b, r, L_BY_CATEGORY, &r->category, 400);
	sb_puts(b, "</div>\n");
	chart_groups(b, r, L_BY_SKPD, &r->skpd, 800);
	sb_puts(b, "<div class=\"grid pair\">\n");
	times(b, r, met, br);
	pending(b, r);
	sb_puts(b, "</div>\n");
	sla(b, r);
	technicians(b, r);
	top(b, r);
	sb_printf(b, "<footer>%s %s. %s<br>helpdeskctl report &#183; %s &#183; %s %s %s</footer>\n"
		  "</div>\n</body>\n</html>\n", rp_label(r, L_NOTE_CLOCK), clock, rp_label(r, L_NOTE),
		  when, r->first_day, rp_label(r, L_TO), r->last_day);
}
