/* phone.h: phone number normalisation. Pure functions, no I/O. */
#ifndef HD_PHONE_H
#define HD_PHONE_H

#include <stddef.h>

/* E.164 allows 15 digits; '+' and NUL make 17. */
#define PHONE_MAX 17

enum phone_kind {
	PHONE_INVALID = -1,	/* empty, too long, or not a number or name */
	PHONE_NAME = 0,		/* alphanumeric sender such as "TELKOMSEL": never replied to */
	PHONE_NUMBER = 1,	/* an E.164 number written to out, e.g. "+628113103001" */
};

/*
 * Normalise the number in s (len bytes). Spaces, dashes, dots and
 * parentheses are ignored; "00" and "+" start an international number; a
 * single leading "0" is replaced by default_cc (62 turns 08113103001 into
 * +628113103001). A number without either is taken as already international
 * when it starts with default_cc and is long enough, else default_cc is
 * prepended. Short codes (fewer than 7 digits, e.g. "3636") are returned as
 * PHONE_NAME with the digits in out. Alphanumeric senders are copied to out
 * (printable ASCII only) as PHONE_NAME.
 * In detail: any ASCII letter makes s a name ("0811abc" too) unless it starts
 * with '+' (then PHONE_INVALID); names are trimmed and cut to PHONE_MAX-1
 * bytes. "Long enough" is at least 8 digits after default_cc. International
 * results need 7..15 digits not starting with 0. Any other character ('#',
 * '/', a second '+', non-ASCII) or a default_cc outside 1..999 where one is
 * needed gives PHONE_INVALID, and out is then "".
 */
enum phone_kind phone_normalize(const char *s, size_t len, int default_cc, char out[PHONE_MAX]);

#endif
