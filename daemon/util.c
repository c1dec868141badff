/* util.c: clock, growable strings, JSON escaping and hashing shared by both programs. */
#include "util.h"

#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t clock_offset;

static void
clock_init(void)
{
	const char *fake = getenv("HELPDESKD_NOW");
	struct timespec ts;
	int64_t at;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (fake != NULL && parse_local_time(fake, &at) == 0)
		clock_offset = at - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
now_ms(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct timespec ts;

	pthread_once(&once, clock_init);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset;
}

int
parse_local_time(const char *s, int64_t *ms)
{
	static const char *const formats[] = {
		"%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct tm tm = { 0 };
		const char *end = strptime(s, formats[i], &tm);
		time_t t;

		if (end == NULL || *end != '\0')
			continue;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1)
			return -1;
		*ms = (int64_t)t * 1000;
		return 0;
	}
	return -1;
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
fmt_local_time(int64_t ms, char *out, size_t outlen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(out, outlen, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, outlen, "-");
}

static int
sb_grow(struct sbuf *b, size_t extra)
{
	size_t want;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	want = b->cap ? b->cap : 64;
	while (want < b->len + extra + 1)
		want *= 2;
	if ((p = realloc(b->s, want)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->s = p;
	b->cap = want;
	return 0;
}

void
sb_append(struct sbuf *b, const char *s, size_t len)
{
	if (sb_grow(b, len) < 0)
		return;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void
sb_puts(struct sbuf *b, const char *s)
{
	sb_append(b, s, strlen(s));
}

void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sb_grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sb_json_str(struct sbuf *b, const char *s)
{
	sb_append(b, "\"", 1);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			sb_append(b, esc, 2);
		} else if (c == '\n')
			sb_puts(b, "\\n");
		else if (c == '\r')
			sb_puts(b, "\\r");
		else if (c == '\t')
			sb_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_printf(b, "\\u%04x", c);
		else
			sb_append(b, (const char *)&c, 1);
	}
	sb_append(b, "\"", 1);
}

void
sb_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}
