/*
 * modem.h: the GSM modem behind a process boundary. Every libGammu call
 * runs in a child process (modem_worker.c), the way OpenSMTPD keeps its
 * work in separate processes; the SMS channel (sms.c) asks it through a
 * socket (modem_link.c) and gives each request its own deadline. A modem
 * that hangs, whatever libGammu's own timeouts (up to minutes on AT), costs
 * the daemon one deadline: the child is killed, which also frees the serial
 * device, and a new one connects after the channel's backoff. Mail, the
 * outbox, the SLA clocks and systemd's watchdog never wait on the modem.
 */
#ifndef HD_MODEM_H
#define HD_MODEM_H

#include <gammu.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* Requests; the worker answers each with one reply frame. */
enum modem_op {
	MOP_CONNECT = 1,	/* struct mop_connect + strings -> struct mrep_connect */
	MOP_NEXT,		/* struct mop_loc (start) -> struct mrep_sms + SMS */
	MOP_GET,		/* struct mop_loc -> struct mrep_sms + SMS */
	MOP_DELETE,		/* struct mop_loc -> struct mrep */
	MOP_SEND,		/* struct mop_send -> struct mrep_send */
	MOP_SIGNAL,		/* nothing -> struct mrep_signal */
	MOP_MEMORY,		/* nothing -> struct mrep_memory */
	MOP_BYE,		/* nothing -> struct mrep, then the worker exits */
	MEV_REPLY = 100,	/* worker -> daemon: the answer to the request */
	MEV_INCOMING,		/* worker -> daemon, unasked: struct mop_loc of a +CMTI */
};

struct mframe {
	uint32_t kind;		/* enum modem_op */
	uint32_t len;		/* bytes of payload that follow */
};

struct mop_connect {
	int gammurc_section;
	/* then four NUL-terminated strings: gammurc, device, connection, model
	 * ("" for none) */
};

struct mop_loc {
	int start;		/* MOP_NEXT: begin a new listing */
	int folder, location;
};

struct mop_send {
	int timeout_ms;		/* wait this long for the network's status */
	GSM_SMSMessage sms;
};

struct mrep {
	int err;		/* GSM_Error */
};

struct mrep_connect {
	int err;
	int indications;	/* the modem accepted new-message indications */
	char manufacturer[64], model[64];
};

struct mrep_sms {
	int err;
	int number;		/* messages in the reply (GSM_MultiSMSMessage.Number) */
	int count;		/* GSM_SMSMessage records that follow: max(number, 1) */
};

struct mrep_send {
	int err;
	int status;		/* the send status callback: 0 sent, -1 none came */
	int ref;		/* the message reference */
};

struct mrep_signal {
	int err;
	int percent;		/* -1 unknown */
	char network[16];	/* "" unknown */
};

struct mrep_memory {
	int err;
	GSM_SMSMemoryStatus status;
};

/* The daemon's side of one worker. */
struct modem {
	pid_t pid;
	int fd;			/* socket to the worker, -1 when there is none */
	int deadline_ms;	/* each request's budget */
	const char *label;	/* "sms" */
	struct mrep_connect info;
	/* +CMTI announcements not yet taken: folder, location */
	struct mop_loc incoming[32];
	int nincoming;
	int lost;		/* incoming announcements dropped: rescan */
	int quiet;		/* connecting: the caller reports the failure */
	int cancel_fd;		/* readable: give up the request at once (a stop) */
};

/* Start a worker for c and connect it to the modem, within deadline_ms.
 * Returns 0, or -1 with *err allocated (the worker is gone). */
int modem_start(struct modem *m, const struct cfg_sms *c, int deadline_ms, char **err);

/* Ask the worker to hang up and wait briefly; kill it if it does not. */
void modem_stop(struct modem *m);

/* Requests. Each returns libGammu's error for the call, or ERR_TIMEOUT when
 * the worker did not answer within the deadline (it is killed: the caller
 * reconnects) and ERR_DEVICEREADERROR when the worker died. */
GSM_Error modem_next(struct modem *m, int start, GSM_MultiSMSMessage *out);
GSM_Error modem_get(struct modem *m, int folder, int location, GSM_MultiSMSMessage *out);
GSM_Error modem_delete(struct modem *m, int folder, int location);
GSM_Error modem_send(struct modem *m, const GSM_SMSMessage *sms, int timeout_ms, int *status, int *ref);
GSM_Error modem_signal(struct modem *m, int *percent, char *network, size_t len);
GSM_Error modem_memory(struct modem *m, GSM_SMSMemoryStatus *st);

/* Take in the worker's unasked announcements (+CMTI) without waiting. */
void modem_poll(struct modem *m);

/* The child's side (modem_worker.c): serve requests on fd until it closes
 * or MOP_BYE; parent is the daemon's pid. Returns the exit status. */
int modem_worker_main(int fd, pid_t parent);

/* Read or write exactly len bytes of fd before deadline (mono_ms, 0 none),
 * unless cancel_fd (>= 0) becomes readable first. Return 0, or -1 (errno
 * ETIMEDOUT at the deadline, ECANCELED, EPIPE at end of file). */
int modem_io(int fd, void *buf, size_t len, int writing, int64_t deadline, int cancel_fd);

#endif
