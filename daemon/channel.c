/* channel.c: the loop every channel thread runs: connect, fetch, record, acknowledge, send, sleep. */
#include "channel.h"
#include "health.h"
#include "live.h"
#include "log.h"
#include "util.h"

#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CHANNELS 32
/* A link up this long (ms) counts as working again: its backoff resets. */
#define STABLE_MS 60000

/* Written before the threads start, read-only afterwards. */
static struct channel *registry[MAX_CHANNELS];
static size_t nregistry;

int
channel_register(struct channel *ch)
{
	if (nregistry == MAX_CHANNELS)
		return -1;
	registry[nregistry++] = ch;
	return 0;
}

void
channel_kick_all(void)
{
	uint64_t one = 1;

	for (size_t i = 0; i < nregistry; i++)
		if (registry[i]->ops->outbox != NULL && write(registry[i]->kick_fd, &one, sizeof(one)) < 0) {
			/* EAGAIN: the counter is already non-zero, the kick is pending. */
		}
}

int
channel_sleep(struct channel *ch, int64_t deadline, int extra_fd)
{
	struct pollfd pfd[3] = {
		{ .fd = ch->stop_fd, .events = POLLIN },
		{ .fd = ch->kick_fd, .events = POLLIN },
		{ .fd = extra_fd, .events = POLLIN },
	};
	int64_t now = mono_ms();
	int timeout = -1;
	uint64_t n;

	if (deadline != 0)
		timeout = deadline <= now ? 0 : deadline - now > 600000 ? 600000 : (int)(deadline - now);
	if (poll(pfd, extra_fd >= 0 ? 3 : 2, timeout) <= 0)
		return 0;
	if ((pfd[1].revents & POLLIN) && read(ch->kick_fd, &n, sizeof(n)) < 0) {
		/* Another reader drained it first: nothing to do. */
	}
	return extra_fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}

/* Sleep out a reconnect backoff: only a stop ends it early, not the kicks
 * that every new reply brings (they would undo the backoff). */
static void
backoff_sleep(struct channel *ch, int64_t deadline)
{
	struct pollfd pfd = { .fd = ch->stop_fd, .events = POLLIN };
	int64_t now = mono_ms();

	if (deadline > now)
		poll(&pfd, 1, (int)(deadline - now));
}

/* Record and acknowledge each message; a message whose transaction failed
 * stays at the source and comes back in the next fetch. */
static void
take_in(struct channel *ch, struct inbound *msgs, size_t n)
{
	int queued = 0;

	for (size_t i = 0; i < n && !*ch->stopping; i++) {
		int r = intake_record(ch->store, ch->cfg, &msgs[i]);

		if (r < 0)
			continue;
		queued |= r == 1;
		if (ch->ops->ack(ch, &msgs[i]) < 0)
			log_warn("%s: message from %s recorded but not yet acknowledged at the source;"
				 " it will be acknowledged again", ch->label, msgs[i].sender);
	}
	if (n > 0)
		health_message(ch->store, ch->label);
	if (queued)
		channel_kick_all();	/* replies may be for another channel's outbox */
}

/* Take the configuration in force when a reload changed it. */
static void
refresh_config(struct channel *ch)
{
	const struct hd_config *old = ch->cfg;

	if (old != NULL && live_generation() == ch->cfg_gen)
		return;
	ch->cfg = live_hold(&ch->cfg_gen);
	live_drop(old);
}

/* Record the channel's state for health: st, the transport's detail when
 * up, the error when not. */
static void
note_state(struct channel *ch, enum ch_state st, const char *err)
{
	const char *detail = st == CS_UP && ch->ops->detail ? ch->ops->detail(ch) : NULL;

	health_set(ch->store, ch->label, ch->ops->name, st, detail, err);
}

/* The link failed while doing what. A link that had been up a while is
 * reconnected at once, with the backoff starting over; one that fails again
 * soon after each connect (a modem that answers the connect and hangs on
 * the first listing) waits out a growing backoff first, as a failed connect
 * does. */
static void
lose_link(struct channel *ch, const char *what, int64_t up_since, int64_t *backoff)
{
	char why[64];

	snprintf(why, sizeof(why), "link lost while %s", what);
	ch->ops->close(ch);
	note_state(ch, CS_BACKOFF, why);
	if (mono_ms() - up_since >= STABLE_MS) {
		log_warn("%s: %s; reconnecting", ch->label, why);
		*backoff = ch->reconnect_min;
		return;
	}
	log_warn("%s: %s; reconnecting in %lld s", ch->label, why, (long long)*backoff);
	backoff_sleep(ch, mono_ms() + *backoff * 1000);
	*backoff = *backoff * 2 > ch->reconnect_max ? ch->reconnect_max : *backoff * 2;
}

void *
channel_main(void *arg)
{
	struct channel *ch = arg;
	int64_t backoff = ch->reconnect_min, next_due, up_since = 0;
	char *last_err = NULL;
	int up = 0;

	ch->cfg = NULL;
	refresh_config(ch);
	note_state(ch, CS_STARTING, NULL);
	while (!*ch->stopping) {
		struct inbound *msgs;
		size_t n;

		atomic_store(&ch->alive, mono_ms());
		refresh_config(ch);
		if (!up) {
			char *err = NULL;

			if (ch->ops->open(ch, &err) < 0) {
				/* Log a failure once, and again only when it changes. */
				if (last_err == NULL || err == NULL || strcmp(last_err, err) != 0)
					log_warn("%s: cannot connect: %s; retrying with backoff up to %d s",
						 ch->label, err ? err : "out of memory", ch->reconnect_max);
				free(last_err);
				last_err = err;
				note_state(ch, CS_BACKOFF, err ? err : "cannot connect");
				outbox_note_down(ch, err ? err : "cannot connect");
				backoff_sleep(ch, mono_ms() + backoff * 1000);
				backoff = backoff * 2 > ch->reconnect_max ? ch->reconnect_max : backoff * 2;
				continue;
			}
			if (last_err != NULL)
				log_info("%s: reconnected", ch->label);
			free(last_err);
			last_err = NULL;
			up = 1;
			up_since = mono_ms();
			note_state(ch, CS_UP, NULL);
		}
		if (ch->ops->fetch != NULL) {
			if (ch->ops->fetch(ch, &msgs, &n) < 0) {
				if (*ch->stopping)
					break;
				lose_link(ch, "reading", up_since, &backoff);
				up = 0;
				continue;
			}
			refresh_config(ch);	/* a reload during the fetch applies */
			take_in(ch, msgs, n);
			ch->ops->release(ch, msgs, n);
		}
		next_due = 0;
		if (ch->ops->send != NULL && outbox_send_due(ch, &next_due) < 0) {
			if (*ch->stopping)
				break;
			lose_link(ch, "sending", up_since, &backoff);
			up = 0;
			continue;
		}
		/* Sleep until the transport's next poll or the next retry. */
		int64_t now = now_ms();
		ch->ops->wait(ch, next_due ? mono_ms() + (next_due > now ? next_due - now : 0) : 0);
	}
	if (up)
		ch->ops->close(ch);
	note_state(ch, CS_STOPPED, NULL);
	free(last_err);
	live_drop(ch->cfg);
	ch->cfg = NULL;
	return NULL;
}
