/*
 * modem_link.c: the daemon's side of the modem process: starts
 * "helpdeskd --modem-worker" on a socket pair, asks it one request at a
 * time within the request's deadline, keeps the +CMTI announcements that
 * arrive in between, and kills the worker when it does not answer in time.
 */
#include "modem.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* How long a send may still take once the daemon is stopping, ms. */
#define SEND_GRACE_MS 3000

int
modem_io(int fd, void *buf, size_t len, int writing, int64_t deadline, int cancel_fd)
{
	char *p = buf;

	while (len > 0) {
		struct pollfd pfd[2] = { { .fd = fd, .events = writing ? POLLOUT : POLLIN },
					 { .fd = cancel_fd, .events = POLLIN } };
		int64_t left = deadline ? deadline - mono_ms() : -1;
		ssize_t n;

		if (deadline && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(pfd, cancel_fd >= 0 ? 2 : 1, deadline ? (int)(left > 600000 ? 600000 : left) : -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* Cancel between frames only, never in the middle of one. */
		if (cancel_fd >= 0 && pfd[1].revents && p == (char *)buf) {
			errno = ECANCELED;
			return -1;
		}
		if (pfd[0].revents == 0)
			continue;
		n = writing ? write(fd, p, len) : read(fd, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Kill the worker (if any) and reap it. */
static void
kill_worker(struct modem *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	if (m->pid > 0) {
		kill(m->pid, SIGKILL);
		while (waitpid(m->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	m->pid = 0;
}

/* Keep one +CMTI announcement. */
static void
keep_incoming(struct modem *m, const struct mop_loc *l)
{
	if (m->nincoming < (int)(sizeof(m->incoming) / sizeof(m->incoming[0])))
		m->incoming[m->nincoming++] = *l;
	else
		m->lost = 1;
}

/* Read one frame's header and payload into buf (cap bytes; a larger
 * payload is an error). */
static int
get_frame(struct modem *m, struct mframe *h, void *buf, size_t cap, int64_t deadline)
{
	if (modem_io(m->fd, h, sizeof(*h), 0, deadline, m->cancel_fd) < 0)
		return -1;
	if (h->len > cap) {
		errno = EPROTO;
		return -1;
	}
	return h->len ? modem_io(m->fd, buf, h->len, 0, deadline, m->cancel_fd) : 0;
}

/*
 * One request: send op with its payload, wait for the reply within budget
 * ms into rep (cap bytes), taking in announcements on the way. Returns the
 * reply's length, or -1 after killing the worker (logged once).
 */
static ssize_t
ask(struct modem *m, enum modem_op op, const void *req, size_t len, void *rep, size_t cap, int budget)
{
	struct mframe h = { op, (uint32_t)len };
	int64_t deadline = mono_ms() + budget;
	int e, cancel = m->cancel_fd;

	if (m->fd < 0) {
		errno = ENOTCONN;
		return -1;
	}
	if (modem_io(m->fd, &h, sizeof(h), 1, deadline, m->cancel_fd) < 0 ||
	    (len && modem_io(m->fd, (void *)req, len, 1, deadline, m->cancel_fd) < 0))
		goto fail;
	for (;;) {
		struct mop_loc l;

		if (modem_io(m->fd, &h, sizeof(h), 0, deadline, cancel) < 0) {
			/* A stop during a send: the network may already have the
			 * message; wait a moment for the answer rather than
			 * send it again at the next start. */
			if (errno == ECANCELED && op == MOP_SEND && cancel >= 0) {
				cancel = -1;
				if (deadline > mono_ms() + SEND_GRACE_MS)
					deadline = mono_ms() + SEND_GRACE_MS;
				continue;
			}
			goto fail;
		}
		if (h.kind == MEV_INCOMING && h.len == sizeof(l)) {
			if (modem_io(m->fd, &l, sizeof(l), 0, deadline, cancel) < 0)
				goto fail;
			keep_incoming(m, &l);
			continue;
		}
		if (h.kind != MEV_REPLY || h.len > cap) {
			errno = EPROTO;
			goto fail;
		}
		if (h.len && modem_io(m->fd, rep, h.len, 0, deadline, cancel) < 0)
			goto fail;
		return (ssize_t)h.len;
	}
fail:
	e = errno;
	if (!m->quiet && e == ECANCELED)
		log_info("%s: stopping: the modem request is abandoned", m->label);
	else if (!m->quiet && e == ETIMEDOUT)
		log_warn("%s: the modem did not answer within %d s; stopping its process", m->label,
			 budget / 1000);
	else if (!m->quiet)
		log_warn("%s: the modem process failed: %s", m->label, strerror(e));
	kill_worker(m);
	errno = e;	/* for the caller: a timeout or a failure */
	return -1;
}

/* A failed ask as a libGammu error: both are link errors to the channel. */
static GSM_Error
lost(void)
{
	return errno == ETIMEDOUT ? ERR_TIMEOUT : ERR_DEVICEREADERROR;
}

int
modem_start(struct modem *m, const struct cfg_sms *c, int deadline_ms, char **err)
{
	static const char *const nothing = "";
	char parent[24], *argv[] = { "helpdeskd-modem", "--modem-worker", parent, NULL }, exe[4096];
	const char *strs[4] = { c->gammurc ? c->gammurc : nothing, c->device ? c->device : nothing,
				c->connection ? c->connection : nothing, c->model ? c->model : nothing };
	struct mop_connect head = { c->gammurc_section };
	struct sbuf req = { 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct mrep_connect r;
	sigset_t none;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int sv[2], e;

	*err = NULL;
	m->fd = -1;
	m->pid = 0;
	m->deadline_ms = deadline_ms;
	m->nincoming = 0;
	m->lost = 0;
	m->quiet = 0;
	if (n <= 0 || (size_t)n >= sizeof(exe) - 1) {
		*err = strdup("cannot find helpdeskd's own executable (/proc/self/exe)");
		return -1;
	}
	exe[n] = '\0';
	snprintf(parent, sizeof(parent), "%ld", (long)getpid());
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		if (asprintf(err, "socketpair: %s", strerror(errno)) < 0)
			*err = NULL;
		return -1;
	}
	/* The worker gets its end as fd 3, default signals and none blocked
	 * (systemd's SIGTERM at stop reaches it too). */
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	e = posix_spawn(&m->pid, exe, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	if (e != 0) {
		close(sv[0]);
		m->pid = 0;
		if (asprintf(err, "cannot start the modem process %s: %s", exe, strerror(e)) < 0)
			*err = NULL;
		return -1;
	}
	m->fd = sv[0];
	sb_append(&req, (const char *)&head, sizeof(head));
	for (int i = 0; i < 4; i++)
		sb_append(&req, strs[i], strlen(strs[i]) + 1);
	if (req.oom) {
		kill_worker(m);
		*err = strdup("out of memory");
		return -1;
	}
	m->quiet = 1;
	n = ask(m, MOP_CONNECT, req.s, req.len, &r, sizeof(r), deadline_ms);
	m->quiet = 0;
	sb_free(&req);
	if (n != (ssize_t)sizeof(r) || r.err != ERR_NONE) {
		if (asprintf(err, "%s (%s): %s", c->device ? c->device : c->gammurc,
			     c->connection ? c->connection : "gammurc",
			     n < 0 ? (errno == ETIMEDOUT ? "no answer in time" : "the modem process died")
				   : GSM_ErrorString((GSM_Error)r.err)) < 0)
			*err = NULL;
		kill_worker(m);
		return -1;
	}
	m->info = r;
	return 0;
}

void
modem_stop(struct modem *m)
{
	struct mrep r;

	/* A short budget, even while stopping: hanging up is a courtesy, the
	 * kill is the guarantee. */
	m->cancel_fd = -1;
	if (m->fd >= 0 && ask(m, MOP_BYE, NULL, 0, &r, sizeof(r), 3000) >= 0) {
		int64_t end = mono_ms() + 2000;

		while (mono_ms() < end && waitpid(m->pid, NULL, WNOHANG) == 0)
			usleep(20000);
	}
	kill_worker(m);	/* reaps one that already left, kills one that did not */
}

void
modem_poll(struct modem *m)
{
	struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
	struct mop_loc l;
	struct mframe h;

	while (m->fd >= 0 && poll(&pfd, 1, 0) == 1) {
		if (get_frame(m, &h, &l, sizeof(l), mono_ms() + m->deadline_ms) < 0) {
			log_warn("%s: the modem process failed: %s", m->label, strerror(errno));
			kill_worker(m);
			return;
		}
		if (h.kind == MEV_INCOMING && h.len == sizeof(l))
			keep_incoming(m, &l);
	}
}

/* NEXT and GET: the reply header, then its records into out. */
static GSM_Error
ask_sms(struct modem *m, enum modem_op op, const struct mop_loc *l, GSM_MultiSMSMessage *out)
{
	size_t cap = sizeof(struct mrep_sms) + GSM_MAX_MULTI_SMS * sizeof(GSM_SMSMessage);
	char *buf = malloc(cap);
	struct mrep_sms r;
	ssize_t n;

	if (buf == NULL)
		return ERR_MOREMEMORY;
	if ((n = ask(m, op, l, sizeof(*l), buf, cap, m->deadline_ms)) < 0) {
		free(buf);
		return lost();
	}
	memcpy(&r, buf, sizeof(r));
	if (r.count < 1 || r.count > GSM_MAX_MULTI_SMS ||
	    (size_t)n != sizeof(r) + (size_t)r.count * sizeof(GSM_SMSMessage)) {
		free(buf);
		log_warn("%s: the modem process sent a malformed reply", m->label);
		kill_worker(m);
		return ERR_DEVICEREADERROR;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->SMS, buf + sizeof(r), (size_t)r.count * sizeof(GSM_SMSMessage));
	out->Number = r.number;
	free(buf);
	return (GSM_Error)r.err;
}

GSM_Error
modem_next(struct modem *m, int start, GSM_MultiSMSMessage *out)
{
	struct mop_loc l = { start, 0, 0 };

	return ask_sms(m, MOP_NEXT, &l, out);
}

GSM_Error
modem_get(struct modem *m, int folder, int location, GSM_MultiSMSMessage *out)
{
	struct mop_loc l = { 0, folder, location };

	return ask_sms(m, MOP_GET, &l, out);
}

GSM_Error
modem_delete(struct modem *m, int folder, int location)
{
	struct mop_loc l = { 0, folder, location };
	struct mrep r;

	if (ask(m, MOP_DELETE, &l, sizeof(l), &r, sizeof(r), m->deadline_ms) != (ssize_t)sizeof(r))
		return lost();
	return (GSM_Error)r.err;
}

GSM_Error
modem_send(struct modem *m, const GSM_SMSMessage *sms, int timeout_ms, int *status, int *ref)
{
	struct mop_send *s = malloc(sizeof(*s));
	struct mrep_send r;
	ssize_t n;

	if (s == NULL)
		return ERR_MOREMEMORY;
	s->timeout_ms = timeout_ms;
	s->sms = *sms;
	/* The worker waits up to timeout_ms for the network: allow for it. */
	n = ask(m, MOP_SEND, s, sizeof(*s), &r, sizeof(r), m->deadline_ms + timeout_ms);
	free(s);
	if (n != (ssize_t)sizeof(r))
		return lost();
	*status = r.status;
	*ref = r.ref;
	return (GSM_Error)r.err;
}

GSM_Error
modem_signal(struct modem *m, int *percent, char *network, size_t len)
{
	struct mrep_signal r;

	if (ask(m, MOP_SIGNAL, NULL, 0, &r, sizeof(r), m->deadline_ms) != (ssize_t)sizeof(r))
		return lost();
	*percent = r.percent;
	snprintf(network, len, "%.*s", (int)sizeof(r.network), r.network);
	return (GSM_Error)r.err;
}

GSM_Error
modem_memory(struct modem *m, GSM_SMSMemoryStatus *st)
{
	struct mrep_memory r;

	if (ask(m, MOP_MEMORY, NULL, 0, &r, sizeof(r), m->deadline_ms) != (ssize_t)sizeof(r))
		return lost();
	*st = r.status;
	return (GSM_Error)r.err;
}
