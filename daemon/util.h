/* util.h: small shared helpers: clock, growable strings, JSON escaping. */
#ifndef HD_UTIL_H
#define HD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Wall-clock time in Unix epoch milliseconds. When the environment sets
 * HELPDESKD_NOW (a parse_local_time value), the clock starts there instead
 * and runs on at real speed: for tests and drills of the SLA clocks. */
int64_t now_ms(void);

/* Local "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DDTHH:MM[:SS]" as
 * epoch ms. Returns 0, or -1 when s is not such a time. */
int parse_local_time(const char *s, int64_t *ms);

/* Monotonic time in milliseconds, for timeouts. */
int64_t mono_ms(void);

/* Format ms (epoch) as local "YYYY-MM-DD HH:MM" into out (at least 17 bytes). */
void fmt_local_time(int64_t ms, char *out, size_t outlen);

/* A growable NUL-terminated string. A failed allocation sets oom and
 * turns later appends into no-ops, so callers check once at the end. */
struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
};

void sb_append(struct sbuf *b, const char *s, size_t len);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included. */
void sb_json_str(struct sbuf *b, const char *s);
void sb_free(struct sbuf *b);

/* Lower-case hex SHA-256 of data into out[65]. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
