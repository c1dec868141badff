/*
 * phone.c: owns phone number normalisation: turning the sender of an SMS
 * (or a number typed by an operator) into E.164 "+CCNNN..." form, or
 * recognising it as an alphanumeric sender or short code that is never
 * replied to. Pure functions: no I/O, no allocation.
 */
#include "phone.h"

#include <stdbool.h>
#include <string.h>

#define E164_MAX_DIGITS		15	/* digits in an E.164 number */
#define E164_MIN_DIGITS		7	/* shortest international number accepted */
#define SHORT_CODE_MAX_DIGITS	6	/* "3636": fewer than 7 digits */
#define NATIONAL_MIN_DIGITS	8	/* digits after default_cc to read "62..." as international */
/* Digits that can still give at most 15 after removing an "00" prefix. */
#define RAW_MAX_DIGITS		(E164_MAX_DIGITS + 2)

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Characters a number may be written with besides its digits. */
static bool
is_number_filler(unsigned char c)
{
	return is_space(c) || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Copy the printable ASCII of an alphanumeric sender to out, trimmed and truncated. */
static enum phone_kind
copy_name(const char *s, size_t len, char out[PHONE_MAX])
{
	size_t o = 0;

	for (size_t i = 0; i < len && o < PHONE_MAX - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c <= 0x7e && !(o == 0 && c == ' '))
			out[o++] = (char)c;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o > 0 ? PHONE_NAME : PHONE_INVALID;
}

/* Write "+" and the n digits at d to out, if they make a plausible E.164 number. */
static enum phone_kind
write_international(const char *d, size_t n, char out[PHONE_MAX])
{
	if (n < E164_MIN_DIGITS || n > E164_MAX_DIGITS || d[0] == '0')
		return PHONE_INVALID;
	out[0] = '+';
	memcpy(out + 1, d, n);
	out[n + 1] = '\0';
	return PHONE_NUMBER;
}

/* Write the digits of country code cc (1..999) to buf; return their count, or 0. */
static size_t
format_cc(int cc, char buf[3])
{
	size_t o = 0;

	if (cc < 1 || cc > 999)
		return 0;
	if (cc >= 100)
		buf[o++] = (char)('0' + cc / 100);
	if (cc >= 10)
		buf[o++] = (char)('0' + cc / 10 % 10);
	buf[o++] = (char)('0' + cc % 10);
	return o;
}

/* Write "+", country code cc and the n national digits at d to out. */
static enum phone_kind
write_national(const char *d, size_t n, int cc, char out[PHONE_MAX])
{
	char num[3 + RAW_MAX_DIGITS];
	size_t o = format_cc(cc, num);

	if (o == 0 || n == 0 || n > RAW_MAX_DIGITS)
		return PHONE_INVALID;
	memcpy(num + o, d, n);
	return write_international(num, o + n, out);
}

enum phone_kind
phone_normalize(const char *s, size_t len, int default_cc, char out[PHONE_MAX])
{
	char d[RAW_MAX_DIGITS];
	size_t b = 0, e = len, n = 0, i, cclen;
	bool plus = false, letters = false;
	char cc[3];

	if (out == NULL)
		return PHONE_INVALID;
	out[0] = '\0';
	if (s == NULL)
		return PHONE_INVALID;
	while (b < e && is_space((unsigned char)s[b]))
		b++;
	while (e > b && is_space((unsigned char)s[e - 1]))
		e--;
	if (b == e)
		return PHONE_INVALID;

	for (i = b; i < e; i++)
		if (is_alpha((unsigned char)s[i]))
			letters = true;
	if (letters)
		return s[b] == '+' ? PHONE_INVALID : copy_name(s + b, e - b, out);

	i = b;
	if (s[i] == '+') {
		plus = true;
		i++;
	}
	for (; i < e; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_digit(c)) {
			if (n == RAW_MAX_DIGITS)
				return PHONE_INVALID;
			d[n++] = (char)c;
		} else if (!is_number_filler(c)) {
			return PHONE_INVALID;	/* a second '+', '#', '*', non-ASCII... */
		}
	}
	if (n == 0)
		return PHONE_INVALID;

	if (plus)
		return write_international(d, n, out);
	if (n <= SHORT_CODE_MAX_DIGITS) {
		memcpy(out, d, n);
		out[n] = '\0';
		return PHONE_NAME;
	}
	if (d[0] == '0' && d[1] == '0')
		return write_international(d + 2, n - 2, out);
	if (d[0] == '0')
		return write_national(d + 1, n - 1, default_cc, out);

	/* No prefix: international if it starts with default_cc and is long enough. */
	cclen = format_cc(default_cc, cc);
	if (cclen == 0)
		return PHONE_INVALID;
	if (n >= cclen + NATIONAL_MIN_DIGITS && memcmp(d, cc, cclen) == 0)
		return write_international(d, n, out);
	return write_national(d, n, default_cc, out);
}
