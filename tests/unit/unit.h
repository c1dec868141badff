/* unit.h: the smallest test harness: CHECK counts, unit_done() prints the tally. */
#ifndef HD_UNIT_H
#define HD_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond) do { \
	if (cond) unit_passed++; \
	else { unit_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) unit_passed++; \
	else { unit_failed++; fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
	       g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

/* A malloc'ed copy of s[0..n) without a terminator, so that ASan catches a
 * parser reading past the end. Exits on out of memory: tests only. */
static inline char *
dup_exact(const char *s, size_t n)
{
	char *p = malloc(n > 0 ? n : 1);

	if (p == NULL) {
		perror("malloc");
		exit(2);
	}
	if (n > 0)
		memcpy(p, s, n);
	return p;
}

/* xorshift64*: deterministic, so a failure reproduces. Each test seeds
 * unit_rng_state itself. */
static uint64_t unit_rng_state = 0x9e3779b97f4a7c15u;

static inline uint64_t
rng(void)
{
	unit_rng_state ^= unit_rng_state >> 12;
	unit_rng_state ^= unit_rng_state << 25;
	unit_rng_state ^= unit_rng_state >> 27;
	return unit_rng_state * 0x2545f4914f6cdd1du;
}

/* Print "NAME: N passed, N failed" and return the exit status for main. */
static inline int
unit_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed == 0 ? 0 : 1;
}

#endif
