/* email.h: a fetched email as an inbound message. */
#ifndef HD_EMAIL_H
#define HD_EMAIL_H

#include <stddef.h>
#include <stdint.h>

#include "channel.h"

struct email_src {
	const char *mailbox;		/* cfg_imap name */
	uint32_t uidvalidity, uid;
	int64_t internaldate;		/* ms, 0 = unknown */
	size_t size;			/* RFC822.SIZE */
	int headers_only;		/* raw is only the header block: too large */
	int reply_max_age;		/* hours, 0 = any */
};

/*
 * Turn the raw message (or, when src->headers_only, its header block) into
 * *in: sender, deduplication keys (mailbox+UIDVALIDITY+UID; Message-ID or a
 * hash of the headers), the text the HELPDESK grammar reads (the subject
 * and body when the subject starts with the keyword, else the body),
 * threading references, the loop-protection verdict (rule 4), and the raw
 * message and attachments stored in the spool. Returns 0, or -1 when out
 * of memory or the spool cannot be written (nothing to acknowledge then);
 * on -1 the caller still frees *in with email_inbound_free.
 */
int email_inbound(const struct hd_config *cfg, const struct email_src *src, const char *raw,
		  size_t len, struct inbound *in);

void email_inbound_free(struct inbound *in);

#endif
