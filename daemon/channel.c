/* channel.c: the loop every channel thread runs: connect, fetch, record, acknowledge, send, sleep. */
#include "channel.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Record and acknowledge each message; a message whose transaction failed
 * stays at the source and comes back in the next fetch. */
static void
take_in(struct channel *ch, struct inbound *msgs, size_t n)
{
	for (size_t i = 0; i < n && !*ch->stopping; i++) {
		if (intake_record(ch->store, ch->cfg, &msgs[i]) < 0)
			continue;
		if (ch->ops->ack(ch, &msgs[i]) < 0)
			log_warn("%s: message from %s recorded but not yet removed at the source;"
				 " it will be acknowledged again", ch->ops->name, msgs[i].sender);
	}
}

void *
channel_main(void *arg)
{
	struct channel *ch = arg;
	int64_t backoff = ch->reconnect_min, next_due;
	char *last_err = NULL;
	int up = 0;

	while (!*ch->stopping) {
		struct inbound *msgs;
		size_t n;

		if (!up) {
			char *err = NULL;

			if (ch->ops->open(ch, &err) < 0) {
				/* Log a failure once, and again only when it changes. */
				if (last_err == NULL || err == NULL || strcmp(last_err, err) != 0)
					log_warn("%s: cannot connect: %s; retrying with backoff up to %d s",
						 ch->ops->name, err ? err : "out of memory", ch->reconnect_max);
				free(last_err);
				last_err = err;
				ch->ops->wait(ch, mono_ms() + backoff * 1000);
				backoff = backoff * 2 > ch->reconnect_max ? ch->reconnect_max : backoff * 2;
				continue;
			}
			if (last_err != NULL)
				log_info("%s: reconnected", ch->ops->name);
			free(last_err);
			last_err = NULL;
			backoff = ch->reconnect_min;
			up = 1;
		}
		if (ch->ops->fetch(ch, &msgs, &n) < 0) {
			log_warn("%s: link lost while reading; reconnecting", ch->ops->name);
			ch->ops->close(ch);
			up = 0;
			continue;
		}
		take_in(ch, msgs, n);
		ch->ops->release(ch, msgs, n);
		if (outbox_send_due(ch, &next_due) < 0) {
			log_warn("%s: link lost while sending; reconnecting", ch->ops->name);
			ch->ops->close(ch);
			up = 0;
			continue;
		}
		/* Sleep until the transport's next poll or the next retry. */
		int64_t now = now_ms();
		ch->ops->wait(ch, next_due ? mono_ms() + (next_due > now ? next_due - now : 0) : 0);
	}
	if (up)
		ch->ops->close(ch);
	free(last_err);
	return NULL;
}
