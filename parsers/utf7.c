/* utf7.c: encodes mailbox names in IMAP's modified UTF-7. */
#include "utf7.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

char *
imap_utf7_encode(const char *s, size_t len)
{
	size_t nunits, i = 0, o = 0;
	unsigned char *u16 = utf8_to_utf16be(s, len, &nunits);
	char *out;

	/* Worst case: every unit alone in its own "&xxx-" run. */
	if (u16 == NULL || (out = malloc(nunits * 6 + 1)) == NULL) {
		free(u16);
		return NULL;
	}
	while (i < nunits) {
		unsigned c = (unsigned)u16[2 * i] << 8 | u16[2 * i + 1];

		if (c >= 0x20 && c <= 0x7e) {
			out[o++] = (char)c;
			if (c == '&')
				out[o++] = '-';
			i++;
			continue;
		}
		/* A run of units outside printable ASCII, base64'd as bytes. */
		unsigned long bits = 0;
		int nbits = 0;

		out[o++] = '&';
		for (; i < nunits; i++) {
			c = (unsigned)u16[2 * i] << 8 | u16[2 * i + 1];
			if (c >= 0x20 && c <= 0x7e)
				break;
			bits = bits << 16 | c;
			nbits += 16;
			while (nbits >= 6) {
				nbits -= 6;
				out[o++] = b64[(bits >> nbits) & 0x3f];
			}
		}
		if (nbits > 0)
			out[o++] = b64[(bits << (6 - nbits)) & 0x3f];
		out[o++] = '-';
	}
	out[o] = '\0';
	free(u16);
	return out;
}
