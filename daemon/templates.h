/* templates.h: the built-in reply templates and the placeholders any template may use. */
#ifndef HD_TEMPLATES_H
#define HD_TEMPLATES_H

#include "config.h"

#include <stddef.h>

/* Built-in text of template id for language: the English set for "en", the
 * Indonesian one otherwise. NULL when id is out of range. */
const char *templates_builtin(const char *language, enum tmpl_id id);

/* Placeholder names, without braces, that templates may use; *n gets their
 * count. */
const char *const *templates_placeholders(size_t *n);

#endif
