/*
 * config_diag.c: builds config_load's problem text, one "FILE:LINE: KEY: ..."
 * line per problem, naming libconfig settings by their dotted keys.
 */
#include "config_diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
diag_nomem(struct cfg_diag *d)
{
	d->oom = 1;
}

static void diag_vadd(struct cfg_diag *d, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Append formatted text to d->err. */
static void
diag_vadd(struct cfg_diag *d, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (d->oom)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		diag_nomem(d);
		return;
	}
	if (d->errlen + (size_t)n + 1 > d->errcap) {
		size_t cap = d->errcap ? d->errcap : 256;
		char *p;

		while (cap < d->errlen + (size_t)n + 1)
			cap *= 2;
		p = realloc(d->err, cap);
		if (p == NULL) {
			diag_nomem(d);
			return;
		}
		d->err = p;
		d->errcap = cap;
	}
	vsnprintf(d->err + d->errlen, (size_t)n + 1, fmt, ap);
	d->errlen += (size_t)n;
}

void
diag_add(struct cfg_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, fmt, ap);
	va_end(ap);
}

void
diag_begin_line(struct cfg_diag *d, const char *file, int line)
{
	if (d->nproblems++ > 0)
		diag_add(d, "\n");
	/* libconfig names included files as written in @include, relative to the
	 * include directory, which is the main file's directory. */
	if (file == NULL || strcmp(file, d->path) == 0)
		diag_add(d, "%s", d->path);
	else if (file[0] == '/')
		diag_add(d, "%s", file);
	else
		diag_add(d, "%.*s%s", (int)d->dirlen, d->path, file);
	if (line > 0)
		diag_add(d, ":%d", line);
	diag_add(d, ": ");
}

void
diag_key(struct cfg_diag *d, const config_setting_t *s)
{
	const config_setting_t *parent = config_setting_parent(s);

	if (parent != NULL && !config_setting_is_root(parent)) {
		diag_key(d, parent);
		if (config_setting_name(s) == NULL) {
			diag_add(d, "[%d]", config_setting_index(s));
			return;
		}
		diag_add(d, ".");
	}
	diag_add(d, "%s", config_setting_name(s) ? config_setting_name(s) : "?");
}

void
diag_problem(struct cfg_diag *d, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	if (s != NULL) {
		diag_begin_line(d, config_setting_source_file(s),
			(int)config_setting_source_line(s));
		diag_key(d, s);
		diag_add(d, ": ");
	} else {
		diag_begin_line(d, NULL, 0);
	}
	va_start(ap, fmt);
	diag_vadd(d, fmt, ap);
	va_end(ap);
}

void
diag_quoted(struct cfg_diag *d, const char *str)
{
	size_t i;

	diag_add(d, "\"");
	for (i = 0; i < 60 && str[i] != '\0'; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c == '\n')
			diag_add(d, "\\n");
		else if (c == '\r')
			diag_add(d, "\\r");
		else if (c == '\t')
			diag_add(d, "\\t");
		else if (c == '"' || c == '\\')
			diag_add(d, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			diag_add(d, "\\x%02x", c);
		else
			diag_add(d, "%c", c);
	}
	diag_add(d, str[i] != '\0' ? "\"..." : "\"");
}

const char *
diag_type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a floating-point number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "nothing";
	}
}

/* The string arrays of the key-spec walker (config_diag.h). */
void
cfg_str_array(struct loader *ld, const config_setting_t *s, char ***out, size_t *n, int max,
	      const char *what, const char *example, int (*ok)(const char *v), const char *expect)
{
	int len;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		diag_problem(&ld->diag, s, "expected an array of %s [ \"%s\", ... ], got %s",
			what, example, diag_type_name(s));
		return;
	}
	len = config_setting_length(s);
	if (len > max) {
		diag_problem(&ld->diag, s, "expected at most %d %s, got %d", max, what, len);
		return;
	}
	/* The file's array replaces the defaults, an empty one included. */
	for (size_t i = 0; i < *n; i++)
		free((*out)[i]);
	free(*out);
	*out = NULL;
	*n = 0;
	if (len <= 0)
		return;
	if ((*out = calloc((size_t)len, sizeof((*out)[0]))) == NULL) {
		diag_nomem(&ld->diag);
		return;
	}
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v;

		if (e == NULL)
			continue;
		v = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
		if (v == NULL) {
			diag_problem(&ld->diag, e, "%s, got %s", expect, diag_type_name(e));
		} else if (ok != NULL && !ok(v)) {
			diag_problem(&ld->diag, e, "%s, got ", expect);
			diag_quoted(&ld->diag, v);
		} else if (cfg_set_str(ld, &(*out)[*n], v) == 0) {
			(*n)++;
		}
	}
}

void *
cfg_group_list(struct loader *ld, const config_setting_t *list, size_t *n, size_t size, int max,
	       const char *what, const char *shape,
	       void (*load)(struct loader *ld, const config_setting_t *grp, void *elem))
{
	char *arr;
	int len;

	*n = 0;
	if (!config_setting_is_list(list)) {
		diag_problem(&ld->diag, list, "expected a list of groups ( %s, ... ), got %s", shape,
			     diag_type_name(list));
		return NULL;
	}
	len = config_setting_length(list);
	if (max > 0 && len > max) {
		diag_problem(&ld->diag, list, "expected at most %d %s, got %d", max, what, len);
		return NULL;
	}
	if (len <= 0)
		return NULL;
	if ((arr = calloc((size_t)len, size)) == NULL) {
		diag_nomem(&ld->diag);
		return NULL;
	}
	*n = (size_t)len;
	for (int i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);

		if (g != NULL && cfg_is_group(ld, g))
			load(ld, g, arr + (size_t)i * size);
	}
	return arr;
}
