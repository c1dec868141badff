/* address.h: email address checks. Pure functions, no I/O. */
#ifndef HD_ADDRESS_H
#define HD_ADDRESS_H

#include <stddef.h>

/*
 * Return 1 when s (len bytes) is a plain email address "local@domain":
 * exactly one '@' with text on both sides, no white space, control
 * characters or the specials < > ( ) , ; : " [ ] \, and a domain that
 * neither starts nor ends with a dot nor holds "..". Such an address is
 * safe to put in a mail header as it is.
 */
int address_valid(const char *s, size_t len);

#endif
