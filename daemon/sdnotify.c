/*
 * sdnotify.c: systemd's notification protocol without libsystemd: one
 * AF_UNIX datagram socket, connected to $NOTIFY_SOCKET (a path, or an
 * abstract name when it starts with '@').
 */
#include "sdnotify.h"
#include "log.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fd = -1;
static int64_t watchdog_ms;
static int warned;

int
sdn_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET"), *usec = getenv("WATCHDOG_USEC");
	const char *wpid = getenv("WATCHDOG_PID");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;

	if (usec != NULL && (wpid == NULL || strtol(wpid, NULL, 10) == (long)getpid())) {
		long long us = strtoll(usec, NULL, 10);

		watchdog_ms = us > 0 ? us / 1000 : 0;
	}
	if (path == NULL || path[0] == '\0')
		goto out;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
		log_err("NOTIFY_SOCKET=%s: expected an absolute path or an @abstract name", path);
		goto fail;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		log_err("NOTIFY_SOCKET=%s: %s", path, strerror(errno));
		goto fail;
	}
out:
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return 0;
fail:
	sdn_close();
	unsetenv("NOTIFY_SOCKET");
	return -1;
}

int
sdn_send(const char *state)
{
	ssize_t n;

	if (fd < 0)
		return 0;
	do
		n = send(fd, state, strlen(state), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0) {
		warned = 0;
		return 0;
	}
	if (!warned)
		log_warn("systemd notification: %s", strerror(errno));
	warned = 1;
	return -1;
}

int64_t
sdn_watchdog_ms(void)
{
	return watchdog_ms;
}

void
sdn_close(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
}
