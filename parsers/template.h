/* template.h: reply templates with {name} placeholders. Pure functions. */
#ifndef HD_TEMPLATE_H
#define HD_TEMPLATE_H

#include <stddef.h>

struct tmpl_var {
	const char *name;	/* without braces: "ticket" */
	const char *value;	/* UTF-8; NULL is expanded as "" */
};

/*
 * Check tmpl against the placeholder names in allowed[0..nallowed).
 * "{{" and "}}" stand for literal braces. Returns 0 when every placeholder is
 * known and every brace is balanced; otherwise -1 with a message such as
 * "unknown placeholder {tiket} at offset 12" written to err (errlen bytes).
 * A '{' that starts no "{name}" with name in [a-z_]+ is also an error.
 */
int tmpl_check(const char *tmpl, const char *const *allowed, size_t nallowed,
	       char *err, size_t errlen);

/*
 * Expand tmpl into a newly allocated string. Unknown placeholders (which
 * tmpl_check rejects at load time) are kept literally. Returns NULL only
 * when out of memory.
 */
char *tmpl_expand(const char *tmpl, const struct tmpl_var *vars, size_t nvars);

#endif
