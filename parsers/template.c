/*
 * template.c: owns reply templates: checking them against the known
 * placeholder names when they are loaded, and expanding {name} placeholders
 * into a reply. "{{" and "}}" are literal braces. Pure functions: no I/O;
 * tmpl_expand's result is freshly allocated and every allocation is checked.
 */
#include "template.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest placeholder name quoted in an error message. */
#define ERR_NAME_MAX 64

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/*
 * When t[i] is '{' and starts a placeholder "{name}" (name in [a-z_]+),
 * set *nlen to the length of name and return true.
 */
static bool
placeholder_at(const char *t, size_t i, size_t *nlen)
{
	size_t j = i + 1;

	while (is_name_char(t[j]))
		j++;
	if (j == i + 1 || t[j] != '}')
		return false;
	*nlen = j - i - 1;
	return true;
}

/* 1 when the n bytes at name equal the C string s. */
static bool
name_is(const char *name, size_t n, const char *s)
{
	return s != NULL && strncmp(name, s, n) == 0 && s[n] == '\0';
}

int
tmpl_check(const char *tmpl, const char *const *allowed, size_t nallowed,
	   char *err, size_t errlen)
{
	size_t i = 0, n;
	bool known;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (tmpl == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no template");
		return -1;
	}
	while (tmpl[i] != '\0') {
		if (tmpl[i] == '{' && tmpl[i + 1] == '{') {
			i += 2;
		} else if (tmpl[i] == '{') {
			if (!placeholder_at(tmpl, i, &n)) {
				if (err != NULL && errlen > 0)
					snprintf(err, errlen, strchr(tmpl + i, '}') != NULL ?
						 "bad placeholder at offset %zu (names are a-z and _)" :
						 "unbalanced brace '{' at offset %zu", i);
				return -1;
			}
			known = false;
			for (size_t k = 0; k < nallowed && !known; k++)
				known = allowed != NULL && name_is(tmpl + i + 1, n, allowed[k]);
			if (!known) {
				if (err != NULL && errlen > 0)
					snprintf(err, errlen, "unknown placeholder {%.*s%s} at offset %zu",
						 (int)(n < ERR_NAME_MAX ? n : ERR_NAME_MAX), tmpl + i + 1,
						 n > ERR_NAME_MAX ? "..." : "", i);
				return -1;
			}
			i += n + 2;
		} else if (tmpl[i] == '}' && tmpl[i + 1] == '}') {
			i += 2;
		} else if (tmpl[i] == '}') {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "unbalanced brace '}' at offset %zu", i);
			return -1;
		} else {
			i++;
		}
	}
	return 0;
}

/* The value of variable name (n bytes) in vars, "" for NULL; NULL if absent. */
static const char *
lookup(const char *name, size_t n, const struct tmpl_var *vars, size_t nvars)
{
	for (size_t k = 0; vars != NULL && k < nvars; k++)
		if (name_is(name, n, vars[k].name))
			return vars[k].value != NULL ? vars[k].value : "";
	return NULL;
}

/*
 * Expand tmpl into out (when not NULL, which must have room) and return the
 * length of the expansion, or SIZE_MAX if it does not fit in a size_t.
 */
static size_t
expand(const char *tmpl, const struct tmpl_var *vars, size_t nvars, char *out)
{
	size_t i = 0, o = 0;

	while (tmpl[i] != '\0') {
		const char *piece = tmpl + i;
		size_t plen = 1, used = 1, n;

		if ((tmpl[i] == '{' || tmpl[i] == '}') && tmpl[i + 1] == tmpl[i]) {
			used = 2;	/* "{{" or "}}": one literal brace */
		} else if (tmpl[i] == '{' && placeholder_at(tmpl, i, &n)) {
			const char *value = lookup(tmpl + i + 1, n, vars, nvars);

			used = n + 2;
			if (value != NULL) {
				piece = value;
				plen = strlen(value);
			} else {
				plen = used;	/* unknown: kept literally */
			}
		}
		if (plen >= SIZE_MAX - o)
			return SIZE_MAX;
		if (out != NULL)
			memcpy(out + o, piece, plen);
		o += plen;
		i += used;
	}
	return o;
}

char *
tmpl_expand(const char *tmpl, const struct tmpl_var *vars, size_t nvars)
{
	size_t len;
	char *out;

	if (tmpl == NULL)
		tmpl = "";
	len = expand(tmpl, vars, nvars, NULL);
	if (len == SIZE_MAX)
		return NULL;
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	expand(tmpl, vars, nvars, out);
	out[len] = '\0';
	return out;
}
