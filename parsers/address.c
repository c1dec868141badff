/* address.c: checks that an email address is plain and header-safe. */
#include "address.h"

#include <string.h>

int
address_valid(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len), *end = s + len;

	if (at == NULL || at == s || at + 1 == end || memchr(at + 1, '@', (size_t)(end - at - 1)))
		return 0;
	for (const char *p = s; p < end; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>(),;:\"[]\\", *p) != NULL)
			return 0;
	if (at[1] == '.' || end[-1] == '.')
		return 0;
	for (const char *p = at + 1; p + 1 < end; p++)
		if (p[0] == '.' && p[1] == '.')
			return 0;
	return 1;
}
