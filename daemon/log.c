/* log.c: stderr logging for journald (sd-daemon "<N>" prefixes). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int log_level = LOG_PRI_INFO;

void
log_set_level(int pri)
{
	log_level = pri;
}

void
log_msg(int pri, const char *fmt, ...)
{
	char stackbuf[512], *buf = stackbuf;
	va_list ap;
	int n;

	if (pri > log_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(stackbuf + 3, sizeof(stackbuf) - 4, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(stackbuf) - 4) {
		buf = malloc((size_t)n + 5);
		if (buf == NULL) {
			buf = stackbuf;	/* keep the truncated line */
			n = (int)sizeof(stackbuf) - 5;
		} else {
			va_start(ap, fmt);
			vsnprintf(buf + 3, (size_t)n + 1, fmt, ap);
			va_end(ap);
		}
	}
	buf[0] = '<';
	buf[1] = (char)('0' + (pri & 7));
	buf[2] = '>';
	for (int i = 3; i < n + 3; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	buf[n + 3] = '\n';
	/* One write keeps concurrent lines whole; a failed log write has nowhere to go. */
	if (write(STDERR_FILENO, buf, (size_t)n + 4) < 0) {
	}
	if (buf != stackbuf)
		free(buf);
}
