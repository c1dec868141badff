/* imap_internal.h: what imap.c and imap_batch.c share: a mailbox connection's state. */
#ifndef HD_IMAP_INTERNAL_H
#define HD_IMAP_INTERNAL_H

#include <libetpan/libetpan.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"

struct imap_priv {
	mailimap *imap;
	const struct cfg_imap *mb;
	uint32_t uidvalidity;
	uint32_t last_uid;	/* every UID up to here is done */
	uint32_t backlog;	/* unseen mail up to this UID still to take, 0 = none */
	uint32_t saved_backlog;	/* as the database has it */
	int more;		/* search again before waiting */
	uint32_t exists_mark;	/* EXISTS as it was when the last search began */
	int failed;		/* a message could not be taken: retry after poll_interval */
	int can_idle, can_move;
	int broken;		/* the link failed during wait() */
	int64_t last_check;	/* mono_ms */
	char detail[48];	/* for health: "IDLE" or "polling every N s" */
	/* The batch being taken, in UID order. */
	struct item *items;
	size_t nitems;
	char *folder, *move_to;	/* in modified UTF-7, as IMAP wants them */
};

/* One UID of the batch. */
struct item {
	uint32_t uid;
	size_t size;		/* RFC822.SIZE */
	int64_t internaldate;	/* ms */
	int listed;		/* the server answered the size FETCH for it */
	int too_large;		/* headers only; \Flagged as well as \Seen */
	int done;		/* recorded (or vanished): acknowledge it */
};

/* What ack() needs of a message. */
struct imap_token {
	uint32_t uid;
};

/* Bodies fetched in one command, at most this many bytes (and BATCH mails). */
#define CHUNK_BYTES (32u << 20)

const char *imap_error(int r);
int imap_link_failed(int r);

/* One command for the size and arrival date of every mail of the batch. */
int imap_fetch_sizes(struct imap_priv *p);

/*
 * Fetch items [from, to) (all whole, or all headers only) in one command and
 * turn each into msgs[*n]. Returns the libetpan result, or -1 when a mail
 * could not be turned into a message (out of memory, spool): it is taken
 * again later.
 */
int imap_fetch_bodies(struct channel *ch, struct imap_priv *p, size_t from, size_t to,
		      int headers_only, struct inbound *msgs, size_t *n);

/* Acknowledge every recorded mail of the batch at once: \Seen (and
 * \Flagged for the too large), then the move. Their commits are done. */
int imap_store_done(struct channel *ch, struct imap_priv *p);

struct item *imap_find_item(struct imap_priv *p, uint32_t uid);

#endif
