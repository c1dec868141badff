/*
 * live.c: the configuration in force in the running daemon, reference
 * counted under one mutex, and its reload on SIGHUP.
 */
#include "live.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hd_config *current, *boot;
static unsigned generation;
/* References per configuration: a handful of threads and at most a few
 * configurations alive at once, so a short table does. */
#define MAX_LIVE 16
static struct {
	const struct hd_config *cfg;
	int refs;
} held[MAX_LIVE];

/* Under lock: the slot of cfg, adding one when add. */
static int
slot(const struct hd_config *cfg, int add)
{
	int free_slot = -1;

	for (int i = 0; i < MAX_LIVE; i++) {
		if (held[i].cfg == cfg)
			return i;
		if (held[i].cfg == NULL && free_slot < 0)
			free_slot = i;
	}
	if (add && free_slot >= 0)
		held[free_slot].cfg = cfg;
	return add ? free_slot : -1;
}

/* Under lock: drop one reference to cfg, freeing it with the last. */
static void
unref(const struct hd_config *cfg)
{
	int i = slot(cfg, 0);

	if (i < 0 || --held[i].refs > 0)
		return;
	held[i].cfg = NULL;
	config_free((struct hd_config *)cfg);
}

void
live_start(struct hd_config *cfg)
{
	pthread_mutex_lock(&lock);
	current = boot = cfg;
	held[0].cfg = cfg;
	held[0].refs = 2;	/* in force, and the boot configuration */
	pthread_mutex_unlock(&lock);
}

const struct hd_config *
live_hold(unsigned *gen)
{
	const struct hd_config *cfg;

	pthread_mutex_lock(&lock);
	cfg = current;
	held[slot(cfg, 0)].refs++;	/* current always has a slot */
	if (gen != NULL)
		*gen = generation;
	pthread_mutex_unlock(&lock);
	return cfg;
}

void
live_drop(const struct hd_config *cfg)
{
	if (cfg == NULL)
		return;
	pthread_mutex_lock(&lock);
	unref(cfg);
	pthread_mutex_unlock(&lock);
}

unsigned
live_generation(void)
{
	unsigned g;

	pthread_mutex_lock(&lock);
	g = generation;
	pthread_mutex_unlock(&lock);
	return g;
}

/* Log each line of a problem text. */
static void
log_lines(const char *text)
{
	while (text != NULL && *text != '\0') {
		const char *nl = strchr(text, '\n');
		int n = nl ? (int)(nl - text) : (int)strlen(text);

		if (n > 0)
			log_err("reload: %.*s", n, text);
		text += n + (nl != NULL);
	}
}

int
live_reload(const char *path)
{
	struct hd_config *cfg;
	const struct hd_config *old;
	const char *changed;
	char *err = NULL;
	int i;

	if (config_load(path, &cfg, &err) < 0) {
		log_lines(err ? err : "out of memory");
		log_err("reload: %s rejected; the running configuration stays in force", path);
		free(err);
		return -1;
	}
	pthread_mutex_lock(&lock);
	if ((i = slot(cfg, 1)) < 0) {
		pthread_mutex_unlock(&lock);
		log_err("reload: too many configurations still in use; try again later");
		config_free(cfg);
		return -1;
	}
	held[i].refs = 1;
	changed = config_restart_change(boot, cfg);
	old = current;
	current = cfg;
	generation++;
	unref(old);
	pthread_mutex_unlock(&lock);

	if (changed != NULL)
		log_warn("reload: %s changed; it takes effect when helpdeskd restarts"
			 " (systemctl restart helpdeskd)", changed);
	log_set_level(config_log_priority(cfg));
	log_info("reload: %s in force: language %s, %zu admin%s, sla clock %s", path, cfg->language,
		 cfg->nadmins, cfg->nadmins == 1 ? "" : "s",
		 cfg->sla.clock == CLOCK_OFFICE ? "office" : "calendar");
	return 0;
}

void
live_end(void)
{
	pthread_mutex_lock(&lock);
	if (current != NULL)
		unref(current);
	if (boot != NULL)
		unref(boot);
	current = boot = NULL;
	pthread_mutex_unlock(&lock);
}
