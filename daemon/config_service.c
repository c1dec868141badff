/*
 * config_service.c: the groups of the configuration that concern running
 * helpdeskd as a service: "health" (when helpdeskctl health calls for
 * attention, and the Prometheus metrics file) and "retention" (how long the
 * raw copies of messages are kept).
 */
#include "config.h"
#include "config_diag.h"

#include "util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24LL * 3600 * 1000)

/* What the health group holds before its durations are turned into ms. */
struct health_raw {
	char *channel_down, *outbox_age, *metrics_file;
	int metrics_interval;
};

static int
abs_path_ok(const char *v)
{
	return v[0] == '/';
}

enum { H_CHANNEL_DOWN, H_OUTBOX_AGE, H_METRICS_FILE, H_METRICS_INTERVAL, H__COUNT };
#define RAW(field) offsetof(struct health_raw, field)
static const struct keyspec health_keys[H__COUNT] = {
	[H_CHANNEL_DOWN] = { "channel_down", K_STR, .offset = RAW(channel_down),
			     .ok = cfg_duration_ok, .expect = DURATION_EXPECT },
	[H_OUTBOX_AGE] = { "outbox_age", K_STR, .offset = RAW(outbox_age), .ok = cfg_duration_ok,
			   .expect = DURATION_EXPECT },
	[H_METRICS_FILE] = { "metrics_file", K_STR, .offset = RAW(metrics_file), .ok = abs_path_ok,
			     .expect = "expected an absolute path such as "
				       "\"/var/lib/helpdeskd/metrics.prom\"" },
	[H_METRICS_INTERVAL] = { "metrics_interval", K_INT, 5, 3600, .offset = RAW(metrics_interval) },
};

void
cfg_load_health(struct loader *ld, const config_setting_t *grp)
{
	struct cfg_health *h = &ld->cfg->health;
	struct health_raw raw = { .metrics_interval = h->metrics_interval };

	cfg_load_keys(ld, grp, health_keys, H__COUNT, &raw, NULL);
	if (raw.channel_down != NULL)
		h->channel_down = cfg_duration_ms(raw.channel_down, DAY_MS);
	if (raw.outbox_age != NULL)
		h->outbox_age = cfg_duration_ms(raw.outbox_age, DAY_MS);
	if (raw.metrics_file != NULL) {
		free(h->metrics_file);
		h->metrics_file = raw.metrics_file;
		raw.metrics_file = NULL;
	}
	h->metrics_interval = raw.metrics_interval;
	free(raw.channel_down);
	free(raw.outbox_age);
}

static const struct keyspec retention_keys[] = {
	{ "raw_days", K_INT, 0, 36500, .offset = offsetof(struct cfg_retention, raw_days) },
};

void
cfg_load_retention(struct loader *ld, const config_setting_t *grp)
{
	cfg_load_keys(ld, grp, retention_keys, 1, &ld->cfg->retention, NULL);
}

void
cfg_service_defaults(struct hd_config *cfg)
{
	cfg->health.channel_down = 10 * 60 * 1000;
	cfg->health.outbox_age = 30 * 60 * 1000;
	cfg->health.metrics_interval = 30;
	cfg->retention.raw_days = 0;
}

void
cfg_service_free(struct hd_config *cfg)
{
	free(cfg->health.metrics_file);
	for (int i = 0; i < CFG_RESTART_KEYS; i++)
		free(cfg->restart_fp[i]);
}

static const char *const restart_keys[CFG_RESTART_KEYS] = {
	"database", "spool_dir", "sms", "imap", "smtp",
};

/* Append setting s to b as canonical text: its name, its type and value, and
 * for groups, lists and arrays each element in turn. */
static void
canon(struct sbuf *b, const config_setting_t *s, int depth)
{
	const char *name = config_setting_name(s);
	int n;

	sb_printf(b, "%s%s", name ? name : "", name ? "=" : "");
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		sb_printf(b, "%lld;", config_setting_get_int64(s));
		return;
	case CONFIG_TYPE_FLOAT:
		sb_printf(b, "%.17g;", config_setting_get_float(s));
		return;
	case CONFIG_TYPE_BOOL:
		sb_printf(b, "%s;", config_setting_get_bool(s) ? "true" : "false");
		return;
	case CONFIG_TYPE_STRING:
		sb_json_str(b, config_setting_get_string(s));
		sb_puts(b, ";");
		return;
	default:
		break;
	}
	/* Group, list or array: libconfig nests no deeper than its parser's
	 * stack; stop at a sane depth all the same. */
	sb_puts(b, "{");
	n = config_setting_length(s);
	for (int i = 0; i < n && depth < 16; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (e != NULL)
			canon(b, e, depth + 1);
	}
	sb_puts(b, "};");
}

void
cfg_fingerprint(struct loader *ld, const config_setting_t *root)
{
	for (int i = 0; i < CFG_RESTART_KEYS; i++) {
		const config_setting_t *s = config_setting_get_member(root, restart_keys[i]);
		struct sbuf b = { 0 };

		if (s != NULL)
			canon(&b, s, 0);
		if (!b.oom && b.s == NULL)
			b.oom = (b.s = strdup("")) == NULL;
		if (b.oom) {
			sb_free(&b);
			diag_nomem(&ld->diag);
			return;
		}
		ld->cfg->restart_fp[i] = b.s;
	}
}

const char *
config_restart_change(const struct hd_config *a, const struct hd_config *b)
{
	for (int i = 0; i < CFG_RESTART_KEYS; i++)
		if (a->restart_fp[i] == NULL || b->restart_fp[i] == NULL ||
		    strcmp(a->restart_fp[i], b->restart_fp[i]) != 0)
			return restart_keys[i];
	return NULL;
}
