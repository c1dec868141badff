/*
 * sms_read.c: reading the modem for the SMS channel: the full listing of
 * the SIM, the messages a +CMTI announced, slots that will not read (kept
 * in the seen-list until quarantined), and the SIM's fill level. Every call
 * goes to the modem process (modem.h).
 */
#include "sms_priv.h"
#include "log.h"
#include "sms_codec.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
sms_link_error(GSM_Error e)
{
	switch (e) {
	case ERR_DEVICEOPENERROR: case ERR_DEVICELOCKED: case ERR_DEVICENOTEXIST:
	case ERR_DEVICEBUSY: case ERR_DEVICENOPERMISSION: case ERR_DEVICENODRIVER:
	case ERR_DEVICENOTWORK: case ERR_DEVICEDTRRTSERROR: case ERR_DEVICECHANGESPEEDERROR:
	case ERR_DEVICEWRITEERROR: case ERR_DEVICEREADERROR: case ERR_DEVICEPARITYERROR:
	case ERR_TIMEOUT: case ERR_NOTCONNECTED: case ERR_ABORTED:
		return 1;
	default:
		return 0;
	}
}

void
sms_forget_all(struct sms_priv *p)
{
	for (size_t i = 0; i < p->nseen; i++)
		free(p->seen[i].key);
	free(p->seen);
	p->seen = NULL;
	p->nseen = 0;
}

/* How soon to scan again after a delete the modem did not do or an
 * unreadable slot (ms): soon, but not in a tight loop on a modem that keeps
 * failing. */
int
sms_recheck_ms(const struct channel *ch)
{
	return ch->boot->sms.poll_ms > RECHECK_MS ? ch->boot->sms.poll_ms : RECHECK_MS;
}

/* Find or add key in the seen-list; returns NULL when out of memory. */
struct seen *
sms_seen_get(struct sms_priv *p, const char *key)
{
	struct seen *s;

	for (size_t i = 0; i < p->nseen; i++)
		if (strcmp(p->seen[i].key, key) == 0)
			return &p->seen[i];
	if ((s = realloc(p->seen, (p->nseen + 1) * sizeof(*s))) == NULL)
		return NULL;
	p->seen = s;
	s = &p->seen[p->nseen];
	if ((s->key = strdup(key)) == NULL)
		return NULL;
	s->first = mono_ms();
	s->count = 0;
	s->live = 0;
	p->nseen++;
	return s;
}

/* Drop entries not seen in this scan; clear the marks of the rest. */
void
sms_seen_prune(struct sms_priv *p)
{
	size_t j = 0;

	for (size_t i = 0; i < p->nseen; i++) {
		if (!p->seen[i].live) {
			free(p->seen[i].key);
			continue;
		}
		p->seen[i].live = 0;
		p->seen[j++] = p->seen[i];
	}
	p->nseen = j;
}

/* Count a scan in which the slot at folder f, location l could not be read;
 * after BAD_SCANS of them add it to *bad as a quarantined message. Returns 0
 * or -1 (out of memory). */
static int
sms_bad_slot(struct sms_priv *p, int f, int l, const char *why, struct inbound **bad, size_t *nbad)
{
	struct inbound *nb;
	struct seen *s;
	char key[64];

	snprintf(key, sizeof(key), "bad:%d:%d", f, l);
	if ((s = sms_seen_get(p, key)) == NULL)
		return -1;
	s->live = 1;
	log_warn("sms: message at folder %d location %d unreadable (%d of %d): %s", f, l,
		 s->count + 1, BAD_SCANS, why);
	p->recheck = 1;
	if (++s->count < BAD_SCANS)
		return 0;
	if ((nb = realloc(*bad, (*nbad + 1) * sizeof(**bad))) == NULL)
		return -1;
	*bad = nb;
	memset(&nb[*nbad], 0, sizeof(nb[0]));
	return sms_unreadable(f, l, why, &nb[(*nbad)++]);
}

/* Note a full SIM (no SMS can arrive until messages are deleted: the scan
 * that follows records and deletes them) and its end. -1 when the link
 * failed; a modem that cannot tell is fine. */
int
sms_check_memory(struct channel *ch, struct sms_priv *p)
{
	GSM_SMSMemoryStatus st;
	GSM_Error e;
	int full;

	memset(&st, 0, sizeof(st));
	if ((e = modem_memory(&p->modem, &st)) != ERR_NONE) {
		if (!sms_link_error(e))
			return 0;
		if (p->modem.fd >= 0)
			log_warn("%s: asking the SIM's fill level: %s", ch->label, GSM_ErrorString(e));
		return -1;
	}
	full = st.SIMSize > 0 && st.SIMUsed >= st.SIMSize;
	if (full && !p->full)
		log_warn("%s: the SIM is full (%d of %d messages): no SMS can arrive until they are"
			 " recorded and deleted", ch->label, st.SIMUsed, st.SIMSize);
	else if (!full && p->full)
		log_info("%s: the SIM has room again (%d of %d messages)", ch->label, st.SIMUsed,
			 st.SIMSize);
	p->full = full;
	return 0;
}

/* Append m's messages from the inbox to *parts. Returns 0 or -1. */
static int
sms_add_parts(GSM_SMSMessage **parts, size_t *n, size_t *cap, const GSM_MultiSMSMessage *m)
{
	for (int k = 0; k < m->Number; k++) {
		if (!m->SMS[k].InboxFolder)
			continue;	/* sent items and drafts stay */
		if (*n == *cap) {
			GSM_SMSMessage *grown = realloc(*parts, (*cap = *cap ? 2 * *cap : 16) * sizeof(**parts));

			if (grown == NULL)
				return -1;
			*parts = grown;
		}
		(*parts)[(*n)++] = m->SMS[k];
	}
	return 0;
}

/* Read every message in the modem into *parts (each a single part). */
int
sms_scan(struct channel *ch, GSM_SMSMessage **partsp, size_t *np, struct inbound **bad, size_t *nbad)
{
	struct sms_priv *p = ch->priv;
	GSM_MultiSMSMessage *m = calloc(1, sizeof(*m));
	GSM_SMSMessage *parts = NULL;
	size_t n = 0, cap = 0;
	int lastf = -1, lastl = -1, rc = 0;
	GSM_Error e;

	*partsp = NULL;
	*np = 0;
	if (m == NULL)
		return -1;
	for (int i = 0; i < SCAN_MAX; i++) {
		e = modem_next(&p->modem, i == 0, m);
		if (e == ERR_EMPTY)
			break;
		if (sms_link_error(e)) {
			if (p->modem.fd >= 0)	/* else the modem link said why */
				log_warn("sms: reading messages: %s", GSM_ErrorString(e));
			rc = -1;
			break;
		}
		if (e != ERR_NONE || m->Number == 0) {
			int f = m->SMS[0].Folder, l = m->SMS[0].Location;

			/* An error, or a slot that reads as no message at all (a
			 * truncated record), must still leave the modem. */
			if (f == lastf && l == lastl)
				break;	/* no progress: stop this scan */
			lastf = f;
			lastl = l;
			if (sms_bad_slot(p, f, l, e != ERR_NONE ? GSM_ErrorString(e) : "no message in the slot",
				     bad, nbad) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		if (sms_add_parts(&parts, &n, &cap, m) < 0) {
			rc = -1;
			break;
		}
	}
	free(m);
	if (rc < 0) {
		free(parts);
		return -1;
	}
	*partsp = parts;
	*np = n;
	return 0;
}

/*
 * Read the messages the modem announced (+CMTI) one by one, so that the
 * reply leaves within a second. Huawei E1xx sticks announce the location
 * one off from the one libGammu reads: a failed read is tried at the
 * neighbours. Whatever this misses (a multipart part, a read that fails
 * everywhere) the full scan right after finds. Returns 0, or -1 when the
 * link failed.
 */
int
sms_read_announced(struct channel *ch, struct sms_priv *p, GSM_SMSMessage **parts, size_t *n)
{
	GSM_MultiSMSMessage *m = calloc(1, sizeof(*m));
	size_t cap = 0;
	int rc = 0;

	if (m == NULL)
		return -1;
	/* libGammu numbers Huawei E1xx locations from 1 while the stick
	 * announces its index from 0: try one up first there. */
	int huawei = strncasecmp(p->modem.info.manufacturer, "huawei", 6) == 0;

	for (int i = 0; i < p->modem.nincoming && rc == 0; i++) {
		const int tries[] = { huawei, !huawei, -1 };
		const struct mop_loc *l = &p->modem.incoming[i];
		GSM_Error e = ERR_EMPTY;

		for (size_t t = 0; t < sizeof(tries) / sizeof(tries[0]); t++) {
			if (l->location + tries[t] < huawei)
				continue;	/* libGammu's Huawei locations start at 1 */
			e = modem_get(&p->modem, l->folder, l->location + tries[t], m);
			if (e == ERR_NONE || sms_link_error(e))
				break;
		}
		if (sms_link_error(e)) {
			log_warn("%s: reading announced message %d: %s", ch->label, l->location,
				 GSM_ErrorString(e));
			rc = -1;
		} else if (e == ERR_NONE && m->Number > 0 && !sms_is_multipart(&m->SMS[0]) &&
			   sms_add_parts(parts, n, &cap, m) < 0) {
			rc = -1;
		}
	}
	p->modem.nincoming = 0;
	p->modem.lost = 0;
	free(m);
	return rc;
}
