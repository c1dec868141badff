/* text.h: text encodings: UCS-2/UTF-16 to UTF-8, UTF-8 repair, sanitising. Pure functions. */
#ifndef HD_TEXT_H
#define HD_TEXT_H

#include <stddef.h>

/*
 * Convert nunits big-endian UTF-16 code units (2 * nunits bytes, as libGammu
 * stores SMS text) to a newly allocated NUL-terminated UTF-8 string.
 * Surrogate pairs are joined; unpaired surrogates and U+0000 become U+FFFD.
 * *outlen gets the byte length. Returns NULL only when out of memory.
 */
char *utf16be_to_utf8(const unsigned char *in, size_t nunits, size_t *outlen);

/*
 * Convert UTF-8 (len bytes) to big-endian UTF-16 in a newly allocated buffer
 * terminated by two zero bytes (the form libGammu's EncodeUnicode makes).
 * Invalid sequences (and U+0000) become U+FFFD. *nunits gets the number of
 * code units. Returns NULL only when out of memory.
 */
unsigned char *utf8_to_utf16be(const char *in, size_t len, size_t *nunits);

/* Return 1 when in (len bytes) is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *in, size_t len);

/*
 * Copy in to a newly allocated NUL-terminated string in which every invalid
 * UTF-8 sequence is replaced by U+FFFD. Returns NULL only when out of memory.
 */
char *utf8_repair(const char *in, size_t len, size_t *outlen);

/*
 * Copy in to a newly allocated string fit for one log line or a mail
 * header: CR, LF, TAB and other control characters (C0, DEL, C1) become a
 * single space, runs of spaces are folded, and the result is cut (at a
 * character boundary, with "...") to at most max bytes. Input must be UTF-8.
 * (U+2028/U+2029 become a space too, leading and trailing spaces go, invalid
 * sequences become U+FFFD; the NUL is not counted in max; when max is below
 * 3 a cut result has no "...". Returns NULL only when out of memory.)
 */
char *text_oneline(const char *in, size_t len, size_t max);

/*
 * Number of Unicode characters in valid UTF-8 text; in other text, each
 * U+FFFD that utf8_repair would make counts as one.
 */
size_t utf8_chars(const char *in, size_t len);

#endif
