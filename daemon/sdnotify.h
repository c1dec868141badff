/*
 * sdnotify.h: systemd's service notification protocol (sd_notify(3)),
 * spoken directly: datagrams "READY=1", "STATUS=...", "WATCHDOG=1" to the
 * socket named by $NOTIFY_SOCKET. Without that variable every call is a
 * no-op, so the daemon runs the same in the foreground.
 */
#ifndef HD_SDNOTIFY_H
#define HD_SDNOTIFY_H

#include <stdint.h>

/* Read $NOTIFY_SOCKET and $WATCHDOG_USEC (honouring $WATCHDOG_PID) and
 * unset them, so that programs the daemon starts do not inherit them.
 * Returns 0, or -1 when NOTIFY_SOCKET is set but unusable (logged). */
int sdn_init(void);

/* Send one notification (a "KEY=value" line or several). Returns 0, or -1
 * (logged once per kind of failure). */
int sdn_send(const char *state);

/* The watchdog interval systemd expects pings within, in ms; 0 = none. */
int64_t sdn_watchdog_ms(void);

void sdn_close(void);

#endif
