/* utf7.h: IMAP mailbox names in modified UTF-7 (RFC 3501 section 5.1.3). Pure. */
#ifndef HD_UTF7_H
#define HD_UTF7_H

#include <stddef.h>

/*
 * Encode the UTF-8 mailbox name s (len bytes) as IMAP's modified UTF-7:
 * printable ASCII stays, "&" becomes "&-", and every run of other characters
 * becomes "&" + modified base64 of its UTF-16BE + "-". Invalid UTF-8 is
 * encoded as U+FFFD. Returns a malloc'ed string, NULL when out of memory.
 */
char *imap_utf7_encode(const char *s, size_t len);

#endif
