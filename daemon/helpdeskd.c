/* helpdeskd.c: the daemon's main: configuration, database, channel threads, signals. */
#include "channel.h"
#include "config.h"
#include "health.h"
#include "live.h"
#include "log.h"
#include "modem.h"
#include "sdnotify.h"
#include "service.h"
#include "smtp.h"
#include "spool.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONFIG "/etc/helpdeskd/helpdeskd.conf"
/* Reconnect backoff of the IMAP channels, seconds. */
#define MAIL_RECONNECT_MIN 2
#define MAIL_RECONNECT_MAX 300
/* How long a stop waits for the channel threads, ms. */
#define STOP_GRACE_MS 5000

static volatile int stopping;

static void
usage(FILE *f)
{
	fprintf(f, "usage: helpdeskd [-c FILE] [--check-config]\n"
		"  -c, --config FILE   configuration file (default %s)\n"
		"      --check-config  validate the configuration and exit 0 or 1\n"
		"  -V, --version       print the version\n", DEFAULT_CONFIG);
}

struct running {
	struct channel ch;
	pthread_t thread;
	int started;
	char label[64];
};

/* Prepare one channel (its own database connection and kick eventfd) and
 * register it; the thread starts later, in start_channels. */
static int
add_channel(struct running *r, const struct channel_ops *ops, const struct hd_config *cfg,
	    int stop_fd, void *mailbox, const char *name, int rmin, int rmax)
{
	char *err = NULL;

	memset(r, 0, sizeof(*r));
	snprintf(r->label, sizeof(r->label), "%s%s%s", ops->name, name ? " " : "", name ? name : "");
	r->ch.kick_fd = -1;
	/* Each channel thread has its own connection: SQLite serialises writers. */
	if (store_open(cfg->database, &r->ch.store, &err) < 0) {
		log_err("%s: database: %s", r->label, err ? err : "out of memory");
		free(err);
		return -1;
	}
	if ((r->ch.kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		log_err("%s: eventfd: %s", r->label, strerror(errno));
		return -1;
	}
	r->ch.ops = ops;
	r->ch.boot = cfg;
	r->ch.stop_fd = stop_fd;
	r->ch.stopping = &stopping;
	r->ch.label = r->label;
	r->ch.mailbox = mailbox;
	r->ch.reconnect_min = rmin;
	r->ch.reconnect_max = rmax;
	return channel_register(&r->ch);
}

static int
start_channel(struct running *r)
{
	if ((errno = pthread_create(&r->thread, NULL, channel_main, &r->ch)) != 0) {
		log_err("%s: cannot start its thread: %s", r->label, strerror(errno));
		return -1;
	}
	r->started = 1;
	return 0;
}

/* Wait for the channel's thread until deadline (mono_ms) and free what it
 * used. Returns 0, or -1 when the thread is still busy (a call into a modem
 * or a server that does not return): it is left running and its resources
 * alone, and the caller must end the process without freeing more. */
static int
stop_channel(struct running *r, int64_t deadline)
{
	if (r->started) {
		int64_t left = deadline - mono_ms();
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		left = left < 0 ? 0 : left;
		ts.tv_sec += left / 1000 + (ts.tv_nsec + (left % 1000) * 1000000) / 1000000000;
		ts.tv_nsec = (ts.tv_nsec + (left % 1000) * 1000000) % 1000000000;
		if (pthread_timedjoin_np(r->thread, NULL, &ts) != 0) {
			log_warn("%s: still busy after %d s (a call into the modem or a server);"
				 " stopping without it", r->label, STOP_GRACE_MS / 1000);
			return -1;
		}
	}
	r->started = 0;
	store_close(r->ch.store);
	r->ch.store = NULL;
	if (r->ch.kick_fd >= 0)
		close(r->ch.kick_fd);
	r->ch.kick_fd = -1;
	return 0;
}

/* Warn once at start about every account whose TLS is not verified. */
static void
warn_tls(const struct hd_config *cfg)
{
	for (size_t i = 0; i < cfg->nimap; i++)
		if (cfg->imap[i].tls == TLS_NONE || !cfg->imap[i].tls_verify)
			log_warn("imap %s: %s: the connection to %s can be read or altered by anyone on"
				 " the way", cfg->imap[i].name, cfg->imap[i].tls == TLS_NONE
				 ? "TLS is off" : "tls_verify = false", cfg->imap[i].host);
	if (cfg->smtp.enabled && (cfg->smtp.tls == TLS_NONE || !cfg->smtp.tls_verify))
		log_warn("smtp: %s: the connection to %s can be read or altered by anyone on the way",
			 cfg->smtp.tls == TLS_NONE ? "TLS is off" : "tls_verify = false", cfg->smtp.host);
}

/* Wait for signals while doing the service's periodic duties; returns the
 * stopping signal. */
static int
serve(struct service *sv, const sigset_t *set, const char *path)
{
	for (;;) {
		int wait = service_tick(sv), sig;
		struct timespec ts = { wait / 1000, (long)(wait % 1000) * 1000000 };

		if ((sig = sigtimedwait(set, NULL, &ts)) < 0)
			continue;	/* the timeout, or EINTR */
		if (sig != SIGHUP) {
			log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			return sig;
		}
		log_info("SIGHUP: reloading %s", path);
		sdn_send("RELOADING=1");
		live_reload(path);
		sdn_send("READY=1");
		sv->next_beat = 0;	/* a new STATUS= at once */
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	struct hd_config *cfg = NULL;
	struct store *store = NULL;
	struct running *run = NULL;
	struct service sv = { 0 };
	size_t nrun = 0;
	int check = 0, opt, wake[2] = { -1, -1 }, status = 1, curl = 0, lock = -1, abandoned = 0;
	char *err = NULL;
	sigset_t set;

	/* The modem process (modem_link.c starts it with its socket on fd 3). */
	if (argc == 3 && strcmp(argv[1], "--modem-worker") == 0)
		return modem_worker_main(3, (pid_t)strtol(argv[2], NULL, 10));

	/* Signals are taken synchronously by this thread from the start (a
	 * SIGTERM during start-up still ends in a clean exit); channels never see them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	while ((opt = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'C': check = 1; break;
		case 'V': puts("helpdeskd " HD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (config_load(path, &cfg, &err) < 0) {
		fprintf(stderr, "%s", err ? err : "out of memory\n");
		if (err && err[strlen(err) - 1] != '\n')
			fputc('\n', stderr);
		free(err);
		return 1;
	}
	if (check) {
		printf("%s: configuration is valid\n", path);
		config_free(cfg);
		return 0;
	}
	live_start(cfg);	/* live owns cfg from here on */
	log_set_level(config_log_priority(cfg));
	sdn_init();

	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());

	char *spool = strdup(cfg->spool_dir);
	int made = spool != NULL && spool_mkdirs(spool) == 0;

	free(spool);
	if (!made) {
		log_err("spool directory %s: %s", cfg->spool_dir, strerror(errno));
		goto out;
	}
	switch (store_lock(cfg->database, &lock)) {
	case 0:
		break;
	case 1:
		log_err("database %s: another helpdeskd is running on it", cfg->database);
		goto out;
	default:
		log_err("database %s: cannot take its lock file: %s", cfg->database, strerror(errno));
		goto out;
	}
	if (store_open(cfg->database, &store, &err) < 0) {
		log_err("database: %s", err ? err : "out of memory");
		goto out;
	}
	sv.store = store;
	if (health_start(store, (int64_t)getpid()) < 0)
		goto out;	/* logged */
	if (pipe(wake) < 0) {
		log_err("pipe: %s", strerror(errno));
		goto out;
	}
	log_info("helpdeskd " HD_VERSION " starting: database %s, sms %s, %zu mailbox%s, smtp %s,"
		 " %zu admin%s", cfg->database, cfg->sms.enabled ? "on" : "off", cfg->nimap,
		 cfg->nimap == 1 ? "" : "es", cfg->smtp.enabled ? "on" : "off", cfg->nadmins,
		 cfg->nadmins == 1 ? "" : "s");
	warn_tls(cfg);
	if (cfg->smtp.enabled) {
		if (smtp_global_init() < 0)
			goto out;	/* logged */
		curl = 1;
	}
	if ((run = calloc(cfg->nimap + 3, sizeof(*run))) == NULL) {
		log_err("out of memory");
		goto out;
	}
	if (cfg->sms.enabled &&
	    add_channel(&run[nrun++], &sms_ops, cfg, wake[0], NULL, NULL, cfg->sms.reconnect_min,
			cfg->sms.reconnect_max) < 0)
		goto out;
	for (size_t i = 0; i < cfg->nimap; i++)
		if (add_channel(&run[nrun++], &imap_ops, cfg, wake[0], &cfg->imap[i], cfg->imap[i].name,
				MAIL_RECONNECT_MIN, MAIL_RECONNECT_MAX) < 0)
			goto out;
	/* SMTP down is an outbox matter: reconnect as often as replies are retried. */
	if (cfg->smtp.enabled &&
	    add_channel(&run[nrun++], &smtp_ops, cfg, wake[0], NULL, NULL, cfg->outbox.retry_min,
			cfg->outbox.retry_max) < 0)
		goto out;
	if (add_channel(&run[nrun++], &clock_ops, cfg, wake[0], NULL, NULL, 1, 60) < 0)
		goto out;
	atomic_store(&run[nrun - 1].ch.alive, mono_ms());
	for (size_t i = 0; i < nrun; i++)
		if (start_channel(&run[i]) < 0)
			goto out;

	/* Migrated, and every channel started (connecting goes on in the
	 * channels' own time: a slow modem does not hold up the mail). */
	sv.sentinel = &run[nrun - 1].ch;
	sdn_send("READY=1\nSTATUS=started");
	log_info("ready: %zu channel thread%s", nrun, nrun == 1 ? "" : "s");
	serve(&sv, &set, path);
	status = 0;
out:
	service_stop(&sv, 0);
	stopping = 1;
	if (wake[1] >= 0 && write(wake[1], "x", 1) < 0)
		log_err("waking the channels: %s", strerror(errno));
	int64_t deadline = mono_ms() + STOP_GRACE_MS;
	for (size_t i = 0; i < nrun; i++)
		abandoned |= stop_channel(&run[i], deadline) < 0;
	if (abandoned) {
		/* A thread is inside a call that does not return: freeing what
		 * it may still touch is unsafe. The database is consistent (every
		 * change is a committed transaction); leave at once. */
		service_stop(&sv, 1);
		log_info("stopped");
		_exit(status);
	}
	free(run);
	if (curl)
		smtp_global_cleanup();
	if (store != NULL)
		service_stop(&sv, 1);
	service_free(&sv);
	store_close(store);
	if (lock >= 0)
		close(lock);
	if (wake[0] >= 0) {
		close(wake[0]);
		close(wake[1]);
	}
	free(err);
	sdn_close();
	live_end();
	if (status == 0)
		log_info("stopped");
	return status;
}
