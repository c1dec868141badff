/* compose.h: building an outgoing RFC 5322 message. Pure: no I/O. */
#ifndef HD_COMPOSE_H
#define HD_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

struct mail_out {
	const char *from_addr;	/* our address: helpdesk@example.go.id */
	const char *from_name;	/* display name, UTF-8, or NULL */
	const char *to_addr;	/* the recipient's bare address */
	const char *subject;	/* UTF-8; sanitised and encoded here */
	const char *message_id;	/* without <> */
	const char *in_reply_to;	/* msg-id without <>, or NULL */
	const char *references;	/* space-separated msg-ids without <>, or NULL */
	int64_t date;		/* epoch ms, rendered in local time with its offset */
	const char *body;	/* UTF-8 text */
	int auto_reply;		/* 1: Auto-Submitted: auto-replied (answers a message);
				 * 0: auto-generated (a notice) */
};

/*
 * Build the message with CRLF line ends: Date, From, To, Subject,
 * Message-ID, In-Reply-To, References, MIME-Version, Content-Type
 * text/plain; charset=utf-8, Content-Transfer-Encoding: quoted-printable,
 * Auto-Submitted; header lines folded under 78 columns. Text from the
 * fields never brings CR, LF or other control characters into a header;
 * non-ASCII display names and subjects become RFC 2047 encoded words.
 * Returns a malloc'ed NUL-terminated message and its length, or NULL when
 * out of memory or when an address or msg-id is not header-safe.
 */
char *mail_compose(const struct mail_out *m, size_t *len);

/* 1 when id[0..n) can stand between < and > in a header: printable ASCII
 * without space, < or >, holding an '@', and not too long to fit a line. */
int mail_msgid_valid(const char *id, size_t n);

#endif
