/* category.h: guessing a ticket's category from its text with a keyword map. Pure functions. */
#ifndef HD_CATEGORY_H
#define HD_CATEGORY_H

#include <stddef.h>

/* One category and the keywords that suggest it (lower-case UTF-8). */
struct cat_rule {
	const char *name;
	const char *const *words;
	size_t nwords;
};

/*
 * The first rule (in order) with a keyword in text (len bytes, UTF-8, need
 * not be NUL-terminated), or NULL when none matches. A keyword matches
 * case-insensitively (ASCII) where it starts at a word boundary; it must also
 * end at one unless it is at least 4 bytes long, so that Indonesian suffixes
 * ("printernya", "jaringannya") still match. A keyword may hold spaces
 * ("suku cadang"), which match any run of white space.
 */
const struct cat_rule *category_match(const char *text, size_t len, const struct cat_rule *rules,
				      size_t n);

/* The built-in Indonesian map: printer, jaringan, aplikasi, email, hardware,
 * listrik, ... (*n gets the count). */
const struct cat_rule *category_defaults(size_t *n);

/* 1 when s is a usable category name: 1..32 bytes of [a-z0-9_-]. */
int category_name_ok(const char *s);

#endif
