/*
 * imap.c: the IMAP intake channel on libetpan, one per configured mailbox:
 * connects (TLS verified by tls.c, since libetpan does not), fetches new
 * mail by UID, flags or moves it only after it is recorded, keeps the
 * mailbox's place (UIDVALIDITY, last UID) in the database, and waits in
 * IDLE when the server offers it. imap_batch.c fetches and flags a batch.
 */
#include "channel.h"
#include "email.h"
#include "imap_internal.h"
#include "log.h"
#include "tls.h"
#include "utf7.h"
#include "util.h"

#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Messages taken per fetch: the loop comes straight back for more. */
#define BATCH 50
/* IDLE is re-issued before the 29 minutes RFC 2177 allows. */
#define IDLE_MS (28 * 60 * 1000)

const char *
imap_error(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM: return "connection lost or timed out";
	case MAILIMAP_ERROR_CONNECTION_REFUSED: return "connection refused";
	case MAILIMAP_ERROR_LOGIN: return "login refused";
	case MAILIMAP_ERROR_SSL: return "TLS handshake failed";
	case MAILIMAP_ERROR_STARTTLS: return "STARTTLS failed";
	case MAILIMAP_ERROR_BAD_STATE: return "bad state";
	case MAILIMAP_ERROR_PARSE: return "unreadable server response";
	case MAILIMAP_ERROR_MEMORY: return "out of memory";
	default: return "command failed";
	}
}

/* A failure that means the connection is gone, not just one command. */
int
imap_link_failed(int r)
{
	return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_CONNECTION_REFUSED ||
	       r == MAILIMAP_ERROR_SSL || r == MAILIMAP_ERROR_BAD_STATE || r == MAILIMAP_ERROR_PARSE ||
	       r == MAILIMAP_ERROR_MEMORY;
}

static void
set_sni(struct mailstream_ssl_context *ctx, void *host)
{
	if (mailstream_ssl_set_server_name(ctx, host) < 0)
		log_warn("imap: cannot set TLS server name %s", (const char *)host);
}

/* Verify the server's certificate chain against the CA store and the host
 * name, before anything (LOGIN) is sent over the connection. */
static int
verify_peer(struct imap_priv *p, char **err)
{
	carray *chain = mailstream_get_certificate_chain(p->imap->imap_stream);
	struct tls_cert *certs = NULL;
	size_t n = chain ? carray_count(chain) : 0;
	int rc = -1;

	if (n == 0) {
		*err = strdup("the server presented no certificate");
		goto out;
	}
	if ((certs = calloc(n, sizeof(*certs))) == NULL) {
		*err = strdup("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		MMAPString *der = carray_get(chain, (unsigned)i);
		certs[i].der = (const unsigned char *)der->str;
		certs[i].len = der->len;
	}
	rc = tls_verify_chain(certs, n, p->mb->host, p->mb->ca_file, err);
out:
	free(certs);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return rc;
}

static int
load_place(struct channel *ch, struct imap_priv *p, uint32_t uidnext)
{
	sqlite3_stmt *st;
	int64_t validity = -1, last = 0, backlog = 0;
	const char *why = NULL;

	st = store_stmt(ch->store, "SELECT uidvalidity, last_uid, backlog_until FROM mailboxes"
			" WHERE name = ?1", "t", p->mb->name);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		validity = sqlite3_column_int64(st, 0);
		last = sqlite3_column_int64(st, 1);
		backlog = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (validity == (int64_t)p->uidvalidity) {
		p->last_uid = (uint32_t)last;
		p->backlog = p->saved_backlog = (uint32_t)backlog;
		return 0;
	}
	/* First connection, or the server renumbered the mailbox: apply the
	 * configured start (deduplication by Message-ID guards the rest). */
	why = validity < 0 ? "first connection" : "UIDVALIDITY changed";
	p->last_uid = p->mb->initial == INITIAL_ALL ? 0 : uidnext > 0 ? uidnext - 1 : 0;
	p->backlog = p->saved_backlog = p->mb->initial == INITIAL_UNSEEN ? p->last_uid : 0;
	log_notice("%s: %s (UIDVALIDITY %u): taking %s", ch->label, why, p->uidvalidity,
		   p->mb->initial == INITIAL_ALL ? "all mail already there"
		   : p->mb->initial == INITIAL_NEW ? "only mail arriving from now on"
						   : "unseen mail already there and new mail");
	if (store_run(ch->store, "INSERT INTO mailboxes (name, uidvalidity, last_uid, backlog_until,"
		      " updated_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO UPDATE SET"
		      " uidvalidity = ?2, last_uid = ?3, backlog_until = ?4, updated_at = ?5",
		      "tiiii", p->mb->name, (int64_t)p->uidvalidity, (int64_t)p->last_uid,
		      (int64_t)p->backlog, now_ms()) != SQLITE_DONE)
		return -1;
	return 0;
}

static void imap_close(struct channel *ch);

static int
imap_open(struct channel *ch, char **err)
{
	const struct cfg_imap *mb = ch->mailbox;
	struct imap_priv *p;
	int r;

	*err = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->imap = mailimap_new(0, NULL)) == NULL) {
		free(p);
		*err = strdup("out of memory");
		return -1;
	}
	p->mb = mb;
	ch->priv = p;
	mailimap_set_timeout(p->imap, mb->timeout);
	if (mb->tls == TLS_IMPLICIT)
		r = mailimap_ssl_connect_with_callback(p->imap, mb->host, (uint16_t)mb->port, set_sni,
						       mb->host);
	else
		r = mailimap_socket_connect(p->imap, mb->host, (uint16_t)mb->port);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		if (asprintf(err, "%s:%d: %s", mb->host, mb->port, imap_error(r)) < 0)
			*err = NULL;
		goto fail;
	}
	if (mb->tls == TLS_STARTTLS &&
	    (r = mailimap_socket_starttls_with_callback(p->imap, set_sni, mb->host)) != MAILIMAP_NO_ERROR) {
		if (asprintf(err, "%s:%d: STARTTLS: %s (plain text is never used instead)", mb->host,
			     mb->port, imap_error(r)) < 0)
			*err = NULL;
		goto fail;
	}
	if (mb->tls != TLS_NONE && mb->tls_verify && verify_peer(p, err) < 0) {
		char *e = *err;
		if (asprintf(err, "%s:%d: certificate not trusted: %s; not logging in", mb->host,
			     mb->port, e ? e : "?") < 0)
			*err = NULL;
		free(e);
		goto fail;
	}
	if ((r = mailimap_login(p->imap, mb->user, mb->password)) != MAILIMAP_NO_ERROR) {
		if (asprintf(err, "%s:%d: login as %s: %s", mb->host, mb->port, mb->user,
			     imap_error(r)) < 0)
			*err = NULL;
		goto fail;
	}
	if ((p->folder = imap_utf7_encode(mb->folder, strlen(mb->folder))) == NULL ||
	    (mb->move_to && (p->move_to = imap_utf7_encode(mb->move_to, strlen(mb->move_to))) == NULL)) {
		*err = strdup("out of memory");
		goto fail;
	}
	if ((r = mailimap_select(p->imap, p->folder)) != MAILIMAP_NO_ERROR ||
	    p->imap->imap_selection_info == NULL) {
		if (asprintf(err, "select %s: %s", mb->folder, imap_error(r)) < 0)
			*err = NULL;
		goto fail;
	}
	p->uidvalidity = p->imap->imap_selection_info->sel_uidvalidity;
	if (load_place(ch, p, p->imap->imap_selection_info->sel_uidnext) < 0) {
		*err = strdup("database: cannot load the mailbox's place");
		goto fail;
	}
	/* Capabilities may change after login: ask again. */
	struct mailimap_capability_data *caps = NULL;
	if (mailimap_capability(p->imap, &caps) == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(caps);
	p->can_idle = mb->idle && mailimap_has_idle(p->imap);
	p->can_move = mailimap_has_extension(p->imap, "MOVE");
	log_info("%s: logged in to %s:%d as %s, folder %s (UIDVALIDITY %u, last UID %u%s); %s",
		 ch->label, mb->host, mb->port, mb->user, mb->folder, p->uidvalidity, p->last_uid,
		 p->backlog ? ", unseen backlog" : "", p->can_idle ? "waiting in IDLE" : "polling");
	return 0;
fail:
	imap_close(ch);
	return -1;
}

static void
imap_close(struct channel *ch)
{
	struct imap_priv *p = ch->priv;

	if (p == NULL)
		return;
	if (p->imap != NULL) {
		if (p->imap->imap_state != MAILIMAP_STATE_DISCONNECTED && !p->broken)
			mailimap_logout(p->imap);
		mailimap_free(p->imap);
	}
	free(p->items);
	free(p->folder);
	free(p->move_to);
	free(p);
	ch->priv = NULL;
}

static struct mailimap_search_key *
key_unseen(void)
{
	return mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN, NULL, NULL, NULL, NULL, NULL,
				       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
				       NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL);
}

/* UID SEARCH for key (consumed) into uids; returns 0 or the libetpan error. */
static int
search(struct imap_priv *p, struct mailimap_search_key *key, uint32_t lo, uint32_t hi,
       uint32_t **uids, size_t *n)
{
	clist *res = NULL;
	int r;

	if (key == NULL)
		return MAILIMAP_ERROR_MEMORY;
	r = mailimap_uid_search(p->imap, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	for (clistiter *it = clist_begin(res); it != NULL; it = clist_next(it)) {
		uint32_t uid = *(uint32_t *)clist_content(it), *grown;
		int dup = 0;

		/* "N:*" also matches the highest UID when it is below N. */
		if (uid < lo || uid > hi)
			continue;
		for (size_t i = 0; i < *n && !dup; i++)
			dup = (*uids)[i] == uid;
		if (dup)
			continue;
		if ((grown = realloc(*uids, (*n + 1) * sizeof(**uids))) == NULL) {
			mailimap_search_result_free(res);
			return MAILIMAP_ERROR_MEMORY;
		}
		*uids = grown;
		(*uids)[(*n)++] = uid;
	}
	mailimap_search_result_free(res);
	return MAILIMAP_NO_ERROR;
}

static int
by_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs to take now: new mail above last_uid, and the unseen backlog. */
static int
pending_uids(struct imap_priv *p, uint32_t **uids, size_t *n)
{
	struct mailimap_search_key *k = NULL, *all;
	struct mailimap_set *set;
	int r;

	*uids = NULL;
	*n = 0;
	if (p->backlog > 0) {
		if ((set = mailimap_set_new_interval(1, p->backlog)) == NULL ||
		    (all = mailimap_search_key_new_multiple_empty()) == NULL) {
			if (set)
				mailimap_set_free(set);
			return MAILIMAP_ERROR_MEMORY;
		}
		if ((k = mailimap_search_key_new_uid(set)) == NULL)
			mailimap_set_free(set);
		if (k == NULL || mailimap_search_key_multiple_add(all, k) != MAILIMAP_NO_ERROR ||
		    (k = key_unseen()) == NULL || mailimap_search_key_multiple_add(all, k) != MAILIMAP_NO_ERROR) {
			mailimap_search_key_free(all);
			return MAILIMAP_ERROR_MEMORY;
		}
		if ((r = search(p, all, 1, p->backlog, uids, n)) != MAILIMAP_NO_ERROR)
			return r;
		if (*n == 0)
			p->backlog = 0;	/* done: recorded at the next release */
	}
	if ((set = mailimap_set_new_interval(p->last_uid + 1, 0)) == NULL)
		return MAILIMAP_ERROR_MEMORY;
	if ((k = mailimap_search_key_new_uid(set)) == NULL) {
		mailimap_set_free(set);
		return MAILIMAP_ERROR_MEMORY;
	}
	if ((r = search(p, k, p->last_uid + 1, UINT32_MAX, uids, n)) != MAILIMAP_NO_ERROR)
		return r;
	if (*n > 1)
		qsort(*uids, *n, sizeof(**uids), by_uid);
	return MAILIMAP_NO_ERROR;
}

static void
imap_release(struct channel *ch, struct inbound *msgs, size_t n)
{
	struct imap_priv *p = ch->priv;
	uint32_t last;
	int r;

	for (size_t i = 0; i < n; i++)
		email_inbound_free(&msgs[i]);
	free(msgs);
	if (p == NULL)
		return;
	if (p->nitems > 0 && (r = imap_store_done(ch, p)) != MAILIMAP_NO_ERROR) {
		/* Not flagged: taken again (and found recorded) next time. */
		log_warn("%s: flagging processed mail as seen: %s", ch->label, imap_error(r));
		for (size_t i = 0; i < p->nitems; i++)
			p->items[i].done = 0;
		p->broken = imap_link_failed(r);
	}
	/* Advance last_uid only over a run of acknowledged UIDs: one that
	 * failed is taken again next time. */
	last = p->last_uid;
	for (size_t i = 0; i < p->nitems; i++) {
		if (p->items[i].uid <= p->last_uid)
			continue;	/* backlog */
		if (!p->items[i].done)
			break;
		last = p->items[i].uid;
	}
	if ((last != p->last_uid || p->backlog != p->saved_backlog) &&
	    store_run(ch->store, "UPDATE mailboxes SET last_uid = ?1, backlog_until = ?2,"
		      " updated_at = ?3 WHERE name = ?4", "iiit", (int64_t)last,
		      (int64_t)p->backlog, now_ms(), p->mb->name) == SQLITE_DONE) {
		p->last_uid = last;
		p->saved_backlog = p->backlog;
	}
	free(p->items);
	p->items = NULL;
	p->nitems = 0;
}

static int
imap_fetch(struct channel *ch, struct inbound **msgsp, size_t *np)
{
	struct imap_priv *p = ch->priv;
	struct inbound *msgs = NULL;
	uint32_t *uids = NULL;
	size_t n = 0, nmsgs = 0;
	int r;

	*msgsp = NULL;
	*np = 0;
	if (p->broken)
		return -1;
	p->last_check = mono_ms();
	if (p->imap->imap_selection_info != NULL)
		p->exists_mark = p->imap->imap_selection_info->sel_exists;
	if ((r = pending_uids(p, &uids, &n)) != MAILIMAP_NO_ERROR) {
		log_warn("%s: UID SEARCH: %s", ch->label, imap_error(r));
		free(uids);
		return imap_link_failed(r) ? -1 : 0;
	}
	/* Mail that arrives while a batch is taken is announced in the
	 * answers to our own commands, not again in IDLE: after any batch,
	 * search once more before waiting. */
	p->more = n > 0;
	p->failed = 0;
	if (n > BATCH)
		n = BATCH;
	if (n > 0 && ((msgs = calloc(n, sizeof(*msgs))) == NULL ||
		      (p->items = calloc(n, sizeof(*p->items))) == NULL)) {
		free(msgs);
		free(uids);
		return 0;	/* out of memory: try again at the next wake-up */
	}
	for (size_t i = 0; i < n; i++)
		p->items[i].uid = uids[i];
	p->nitems = n;
	free(uids);
	if (n == 0)
		return 0;
	if ((r = imap_fetch_sizes(p)) != MAILIMAP_NO_ERROR)
		goto fail;
	/* Bodies in chunks of bounded size; mail over max_size as headers. */
	for (size_t i = 0; i < n;) {
		int big = (long long)p->items[i].size > ch->cfg->email.max_size;
		size_t j = i, bytes = 0;

		while (j < n && ((long long)p->items[j].size > ch->cfg->email.max_size) == big &&
		       (j == i || big || bytes + p->items[j].size <= CHUNK_BYTES)) {
			p->items[j].too_large = big;
			bytes += p->items[j].size;
			j++;
		}
		r = imap_fetch_bodies(ch, p, i, j, big, msgs, &nmsgs);
		if (r > 0)
			goto fail;
		if (r < 0)
			p->failed = 1;	/* taken again after poll_interval, not in a tight loop */
		i = j;
	}
	*msgsp = msgs;
	*np = nmsgs;
	return 0;
fail:
	log_warn("%s: fetching mail: %s", ch->label, imap_error(r));
	for (size_t k = 0; k < nmsgs; k++)
		email_inbound_free(&msgs[k]);
	free(msgs);
	if (imap_link_failed(r))
		return -1;	/* the batch is fetched again after reconnecting */
	imap_release(ch, NULL, 0);
	p->failed = 1;
	return 0;
}

/* Mark the mail recorded; the flags are set for the whole batch in release. */
static int
imap_ack(struct channel *ch, struct inbound *in)
{
	struct imap_priv *p = ch->priv;
	struct imap_token *tok = in->token;
	struct item *item = imap_find_item(p, tok->uid);

	if (item != NULL)
		item->done = 1;
	return 0;
}

/* IDLE until the server reports something, the deadline, or a stop. */
static void
idle_wait(struct channel *ch, struct imap_priv *p, int64_t deadline)
{
	int64_t until = mono_ms() + IDLE_MS;
	int r;

	if (deadline != 0 && deadline < until)
		until = deadline;
	if ((r = mailimap_idle(p->imap)) != MAILIMAP_NO_ERROR) {
		log_warn("%s: IDLE: %s", ch->label, imap_error(r));
		p->broken = imap_link_failed(r);
		if (!p->broken)
			channel_sleep(ch, p->last_check + p->mb->poll_interval * 1000LL, -1);
		return;
	}
	/* Data already buffered does not make the socket readable. */
	if (p->imap->imap_stream == NULL || p->imap->imap_stream->read_buffer_len == 0)
		channel_sleep(ch, until, mailimap_idle_get_fd(p->imap));
	if ((r = mailimap_idle_done(p->imap)) != MAILIMAP_NO_ERROR) {
		log_warn("%s: ending IDLE: %s", ch->label, imap_error(r));
		p->broken = 1;
	}
}

static void
imap_wait(struct channel *ch, int64_t deadline)
{
	struct imap_priv *p = ch->priv;

	if (p == NULL || p->broken) {
		channel_sleep(ch, deadline, -1);
		return;
	}
	if (p->more) {
		/* A full batch: come straight back, unless asked to stop. */
		channel_sleep(ch, mono_ms(), -1);
		return;
	}
	/* EXISTS grew (in an answer to a command) since the last search:
	 * IDLE would not announce it again. */
	if (p->imap->imap_selection_info != NULL &&
	    p->imap->imap_selection_info->sel_exists != p->exists_mark) {
		channel_sleep(ch, mono_ms(), -1);
		return;
	}
	if (p->can_idle && !p->failed) {
		idle_wait(ch, p, deadline);
		return;
	}
	int64_t next = p->last_check + p->mb->poll_interval * 1000LL;
	channel_sleep(ch, deadline != 0 && deadline < next ? deadline : next, -1);
}

static const char *
imap_detail(struct channel *ch)
{
	struct imap_priv *p = ch->priv;

	if (p == NULL)
		return NULL;
	if (p->can_idle)
		snprintf(p->detail, sizeof(p->detail), "IDLE");
	else
		snprintf(p->detail, sizeof(p->detail), "polling every %d s", p->mb->poll_interval);
	return p->detail;
}

const struct channel_ops imap_ops = {
	.name = "imap",
	.outbox = NULL,
	.open = imap_open,
	.close = imap_close,
	.fetch = imap_fetch,
	.ack = imap_ack,
	.release = imap_release,
	.send = NULL,
	.wait = imap_wait,
	.detail = imap_detail,
};
