/*
 * modem_worker.c: the modem process. "helpdeskd --modem-worker" with its
 * socket on fd 3, started by modem_link.c: owns the one libGammu state
 * machine, carries out one request at a time, and while idle reads the
 * device so that a +CMTI announcement reaches the daemon at once. It holds
 * nothing that matters: killed at any moment, nothing is lost.
 */
#include "modem.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* While idle with indications on, read the device this often (ms). */
#define IDLE_READ_MS 50
#define MAX_REQUEST (sizeof(struct mop_send) + 4096)

struct worker {
	int fd;
	GSM_StateMachine *sm;
	int connected;
	volatile int send_status, send_ref;
	GSM_MultiSMSMessage *multi;	/* NEXT keeps its cursor here */
};

static int
put_frame(int fd, uint32_t kind, const void *a, size_t alen, const void *b, size_t blen)
{
	struct mframe h = { kind, (uint32_t)(alen + blen) };

	return modem_io(fd, &h, sizeof(h), 1, 0, -1) < 0 || (alen && modem_io(fd, (void *)a, alen, 1, 0, -1) < 0) ||
	       (blen && modem_io(fd, (void *)b, blen, 1, 0, -1) < 0) ? -1 : 0;
}

static void
send_status_cb(GSM_StateMachine *sm, int status, int ref, void *data)
{
	struct worker *w = data;

	(void)sm;
	w->send_ref = ref;
	w->send_status = status;
}

/* +CMTI: only folder and location are known; the daemon reads it. */
static void
incoming_cb(GSM_StateMachine *sm, GSM_SMSMessage *msg, void *data)
{
	struct worker *w = data;
	struct mop_loc loc = { 0, msg->Folder, msg->Location };

	(void)sm;
	if (put_frame(w->fd, MEV_INCOMING, &loc, sizeof(loc), NULL, 0) < 0)
		_exit(0);	/* the daemon is gone */
}

/* Fill libGammu's configuration from a gammurc or from the four settings. */
static GSM_Error
configure(GSM_StateMachine *sm, int section, const char *rc, const char *device,
	  const char *connection, const char *model)
{
	GSM_Config *gc = GSM_GetConfig(sm, 0);
	INI_Section *ini = NULL;
	GSM_Error e;

	if (rc[0] != '\0') {
		if ((e = GSM_FindGammuRC(&ini, rc)) == ERR_NONE)
			e = GSM_ReadConfig(ini, gc, section);
		INI_Free(ini);
		if (e != ERR_NONE)
			return e;
	} else {
		/* No gammurc: start from libGammu's defaults, then set ours. */
		e = GSM_ReadConfig(NULL, gc, 0);
		if (e != ERR_USING_DEFAULTS && e != ERR_NONE)
			return e;
		free(gc->Device);
		free(gc->Connection);
		gc->Device = strdup(device);
		gc->Connection = strdup(connection);
		if (gc->Device == NULL || gc->Connection == NULL)
			return ERR_MOREMEMORY;
		snprintf(gc->Model, sizeof(gc->Model), "%s", model);
	}
	GSM_SetConfigNum(sm, 1);
	return ERR_NONE;
}

static void
do_connect(struct worker *w, char *req, size_t len)
{
	struct mop_connect *c = (struct mop_connect *)req;
	struct mrep_connect r = { 0 };
	const char *s[4];
	size_t off = sizeof(*c);

	for (int i = 0; i < 4; i++) {
		const char *nul = off < len ? memchr(req + off, '\0', len - off) : NULL;

		if (nul == NULL) {
			r.err = ERR_UNKNOWN;
			goto out;
		}
		s[i] = req + off;
		off = (size_t)(nul - req) + 1;
	}
	r.err = configure(w->sm, c->gammurc_section, s[0], s[1], s[2], s[3]);
	if (r.err == ERR_NONE)
		r.err = GSM_InitConnection(w->sm, 1);
	if (r.err == ERR_NONE) {
		GSM_PhoneModel *pm = GSM_GetModelInfo(w->sm);

		w->connected = 1;
		GSM_SetSendSMSStatusCallback(w->sm, send_status_cb, w);
		GSM_SetIncomingSMSCallback(w->sm, incoming_cb, w);
		r.indications = GSM_SetIncomingSMS(w->sm, TRUE) == ERR_NONE;
		if (GSM_GetManufacturer(w->sm, r.manufacturer) != ERR_NONE)
			r.manufacturer[0] = '\0';
		/* The modem's own name for itself (AT+CGMM), else libGammu's. */
		if (GSM_GetModel(w->sm, r.model) != ERR_NONE || r.model[0] == '\0')
			snprintf(r.model, sizeof(r.model), "%s", pm && pm->model ? pm->model : "");
	}
out:
	put_frame(w->fd, MEV_REPLY, &r, sizeof(r), NULL, 0);
}

/* NEXT or GET: the messages libGammu returns, at least one record (its
 * folder and location name a slot that failed to read). */
static void
do_sms(struct worker *w, int op, const struct mop_loc *l)
{
	struct mrep_sms r = { 0 };

	if (op == MOP_GET || l->start)
		memset(w->multi, 0, sizeof(*w->multi));
	if (op == MOP_GET) {
		w->multi->Number = 1;
		w->multi->SMS[0].Folder = l->folder;
		w->multi->SMS[0].Location = l->location;
		r.err = GSM_GetSMS(w->sm, w->multi);
	} else {
		r.err = GSM_GetNextSMS(w->sm, w->multi, l->start ? TRUE : FALSE);
	}
	r.number = r.err == ERR_NONE ? w->multi->Number : 0;
	if (r.number < 0 || r.number > GSM_MAX_MULTI_SMS)
		r.number = 0;
	r.count = r.number > 0 ? r.number : 1;
	put_frame(w->fd, MEV_REPLY, &r, sizeof(r), w->multi->SMS, (size_t)r.count * sizeof(GSM_SMSMessage));
}

static void
do_send(struct worker *w, struct mop_send *s)
{
	struct mrep_send r = { 0 };
	int64_t end;

	w->send_status = -1;
	w->send_ref = 0;
	r.err = GSM_SendSMS(w->sm, &s->sms);
	if (r.err == ERR_NONE) {
		/* The status arrives through the callback while reading. */
		end = mono_ms() + s->timeout_ms;
		while (w->send_status == -1 && mono_ms() < end)
			GSM_ReadDevice(w->sm, TRUE);
	}
	r.status = w->send_status;
	r.ref = w->send_ref;
	put_frame(w->fd, MEV_REPLY, &r, sizeof(r), NULL, 0);
}

static void
do_signal(struct worker *w)
{
	struct mrep_signal r = { .percent = -1 };
	GSM_SignalQuality sig;
	GSM_NetworkInfo net;

	memset(&sig, 0, sizeof(sig));
	memset(&net, 0, sizeof(net));
	r.err = GSM_GetSignalQuality(w->sm, &sig);
	if (r.err == ERR_NONE && sig.SignalPercent >= 0 && sig.SignalPercent <= 100)
		r.percent = sig.SignalPercent;
	if (GSM_GetNetworkInfo(w->sm, &net) == ERR_NONE)
		snprintf(r.network, sizeof(r.network), "%.*s", (int)sizeof(net.NetworkCode), net.NetworkCode);
	put_frame(w->fd, MEV_REPLY, &r, sizeof(r), NULL, 0);
}

static void
serve(struct worker *w, uint32_t op, char *req, size_t len)
{
	struct mrep r = { 0 };

	if (op != MOP_CONNECT && op != MOP_BYE && !w->connected) {
		r.err = ERR_NOTCONNECTED;
		put_frame(w->fd, MEV_REPLY, &r, sizeof(r), NULL, 0);
		return;
	}
	switch (op) {
	case MOP_CONNECT:
		do_connect(w, req, len);
		return;
	case MOP_NEXT:
	case MOP_GET:
		if (len < sizeof(struct mop_loc))
			break;
		do_sms(w, (int)op, (struct mop_loc *)req);
		return;
	case MOP_DELETE:
		if (len < sizeof(struct mop_loc))
			break;
		{
			GSM_SMSMessage m;
			const struct mop_loc *l = (struct mop_loc *)req;

			memset(&m, 0, sizeof(m));
			m.Folder = l->folder;
			m.Location = l->location;
			r.err = GSM_DeleteSMS(w->sm, &m);
		}
		put_frame(w->fd, MEV_REPLY, &r, sizeof(r), NULL, 0);
		return;
	case MOP_SEND:
		if (len < sizeof(struct mop_send))
			break;
		do_send(w, (struct mop_send *)req);
		return;
	case MOP_SIGNAL:
		do_signal(w);
		return;
	case MOP_MEMORY: {
		struct mrep_memory rm = { 0 };

		rm.err = GSM_GetSMSStatus(w->sm, &rm.status);
		put_frame(w->fd, MEV_REPLY, &rm, sizeof(rm), NULL, 0);
		return;
	}
	default:
		break;
	}
	r.err = ERR_UNKNOWN;
	put_frame(w->fd, MEV_REPLY, &r, sizeof(r), NULL, 0);
}

int
modem_worker_main(int fd, pid_t parent)
{
	struct worker w = { .fd = fd };
	char *req = malloc(MAX_REQUEST);
	int status = 0;

	/* The daemon ends this process (BYE, or closing the socket, or a kill
	 * at its deadline): a Ctrl-C or systemd's SIGTERM to the whole group
	 * must not cut the modem off before the daemon has finished. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* A daemon that dies (SIGKILL, a crash) takes this process with it, at
	 * once: left alone it would hold the serial port its successor needs.
	 * The daemon may already be gone by the time this runs. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) {
		free(req);
		return 1;
	}
	if (req == NULL || (w.sm = GSM_AllocStateMachine()) == NULL ||
	    (w.multi = calloc(1, sizeof(*w.multi))) == NULL) {
		log_err("sms worker: out of memory");
		free(req);
		return 1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct mframe h;

		/* Idle: let libGammu read the device, which runs the callbacks. */
		if (poll(&pfd, 1, w.connected ? IDLE_READ_MS : -1) == 0) {
			GSM_ReadDevice(w.sm, FALSE);
			continue;
		}
		if (modem_io(fd, &h, sizeof(h), 0, 0, -1) < 0 || h.len > MAX_REQUEST ||
		    (h.len > 0 && modem_io(fd, req, h.len, 0, 0, -1) < 0))
			break;	/* the daemon closed the socket, or garbled it */
		if (h.kind == MOP_BYE) {
			struct mrep r = { 0 };

			put_frame(fd, MEV_REPLY, &r, sizeof(r), NULL, 0);
			break;
		}
		serve(&w, h.kind, req, h.len);
	}
	if (w.connected)
		GSM_TerminateConnection(w.sm);
	GSM_FreeStateMachine(w.sm);
	free(w.multi);
	free(req);
	close(fd);
	return status;
}
