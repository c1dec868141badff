/*
 * category.c: owns guessing a ticket's category from its text: keyword
 * matching at word boundaries and the built-in Indonesian keyword map.
 * Pure functions: no I/O, no allocation; inputs are (pointer, length) and
 * never read past len.
 */
#include "category.h"

#include <stdbool.h>
#include <string.h>

#define NAME_MAX_LEN	32
/* A keyword at least this long may run on into a suffix ("printernya"). */
#define PREFIX_MIN_LEN	4

#define COUNT(a)	(sizeof (a) / sizeof (a)[0])

/* The built-in keywords, lower-case. */
static const char *const listrik_words[] = {
	"listrik", "padam", "mati lampu", "ups", "stabilizer", "korslet", "konslet", "genset",
};
static const char *const printer_words[] = {
	"printer", "cetak", "mencetak", "dicetak", "print", "ngeprin", "tinta", "toner",
	"scanner", "scan",
};
static const char *const jaringan_words[] = {
	"jaringan", "internet", "wifi", "wi-fi", "lan", "kabel lan", "koneksi", "router", "modem",
	"hotspot", "offline",
};
static const char *const email_words[] = {
	"email", "e-mail", "surel", "webmail", "outlook", "kotak masuk",
};
static const char *const aplikasi_words[] = {
	"aplikasi", "sim", "simda", "simpeg", "e-kinerja", "ekinerja", "sipd", "srikandi", "login",
	"password", "kata sandi", "username", "website", "web", "server",
};
static const char *const hardware_words[] = {
	"komputer", "pc", "laptop", "monitor", "keyboard", "mouse", "harddisk", "hardisk",
	"hard disk", "ssd", "ram", "hardware", "cpu", "layar", "proyektor", "infocus",
};

/*
 * The built-in map, first match wins: electricity before everything (a
 * computer that is off because the power is out is an electricity problem),
 * printer before network ("printer offline"), network and email before
 * applications ("login email"), hardware last as the catch-all for devices.
 */
static const struct cat_rule defaults[] = {
	{ "listrik",	listrik_words,	COUNT(listrik_words) },
	{ "printer",	printer_words,	COUNT(printer_words) },
	{ "jaringan",	jaringan_words,	COUNT(jaringan_words) },
	{ "email",	email_words,	COUNT(email_words) },
	{ "aplikasi",	aplikasi_words,	COUNT(aplikasi_words) },
	{ "hardware",	hardware_words,	COUNT(hardware_words) },
};

static bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static unsigned char
to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Length of the white space character at s[i] (space, tab, CR, LF, U+00A0), or 0. */
static size_t
space_at(const char *s, size_t len, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return 1;
	if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0)
		return 2;
	return 0;
}

/*
 * 1 when a word may start at s[i]: the start of the text, or after a byte
 * that is neither an ASCII letter or digit nor part of a multi-byte UTF-8
 * character, or after U+00A0.
 */
static bool
word_starts_at(const char *s, size_t i)
{
	unsigned char prev;

	if (i == 0)
		return true;
	prev = (unsigned char)s[i - 1];
	if (prev == 0xa0 && i >= 2 && (unsigned char)s[i - 2] == 0xc2)
		return true;
	return prev < 0x80 && !is_alnum(prev);
}

/*
 * The end of the keyword kw when it matches at s[i], or 0: ASCII letters
 * compare case-insensitively, other bytes exactly, and a space in kw matches
 * a run of white space.
 */
static size_t
keyword_end(const char *s, size_t len, size_t i, const char *kw)
{
	for (; *kw != '\0'; kw++) {
		if (*kw == ' ') {
			size_t n = i < len ? space_at(s, len, i) : 0;

			if (n == 0)
				return 0;
			do {
				i += n;
				n = i < len ? space_at(s, len, i) : 0;
			} while (n > 0);
			continue;
		}
		if (i >= len || to_lower((unsigned char)s[i]) != to_lower((unsigned char)*kw))
			return 0;
		i++;
	}
	return i;
}

/* 1 when the keyword kw occurs in text (len bytes) as described in category.h. */
static bool
keyword_in(const char *text, size_t len, const char *kw)
{
	size_t kwlen = strlen(kw);

	if (kwlen == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		size_t end;

		if (!word_starts_at(text, i))
			continue;
		end = keyword_end(text, len, i, kw);
		if (end == 0)
			continue;
		if (kwlen >= PREFIX_MIN_LEN || end == len || !is_alnum((unsigned char)text[end]))
			return true;
	}
	return false;
}

const struct cat_rule *
category_match(const char *text, size_t len, const struct cat_rule *rules, size_t n)
{
	if (text == NULL || rules == NULL)
		return NULL;
	for (size_t r = 0; r < n; r++) {
		if (rules[r].words == NULL)
			continue;
		for (size_t w = 0; w < rules[r].nwords; w++)
			if (rules[r].words[w] != NULL && keyword_in(text, len, rules[r].words[w]))
				return &rules[r];
	}
	return NULL;
}

const struct cat_rule *
category_defaults(size_t *n)
{
	if (n != NULL)
		*n = sizeof defaults / sizeof defaults[0];
	return defaults;
}

int
category_name_ok(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= NAME_MAX_LEN)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return i > 0;
}
