/* contacts.h: who is who: phone numbers and addresses mapped to names, units and roles. */
#ifndef HD_CONTACTS_H
#define HD_CONTACTS_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

struct contact {
	int64_t id;
	char *name, *skpd, *role;
};

/* Find the active contact whose phone (E.164) or email equals address.
 * Returns 0 when found, 1 when not, -1 on error. Free with contact_free. */
int contact_find(struct store *s, const char *address, struct contact *c);
void contact_free(struct contact *c);

/*
 * Import contacts from CSV text read from f (named fname in messages): a
 * header line naming the columns name, phone, email, skpd, role (any order;
 * phone or email per row), then one contact per line; quoted fields may hold
 * commas, quotes ("") and newlines. Rows are upserted on phone or email.
 * Every problem is written to errs as "FILE:LINE: ..." and, if there is any,
 * nothing is imported. Returns the number of rows imported, or -1.
 */
int contacts_import(struct store *s, FILE *f, const char *fname, int country_code,
		    FILE *errs);

#endif
