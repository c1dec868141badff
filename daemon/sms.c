/*
 * sms.c: the SMS channel: reads the message a +CMTI announces at once and
 * every inbox message at each full scan, groups multipart messages (waiting
 * for missing parts), deletes messages once recorded and confirms that they
 * are gone, and sends replies. The modem itself is driven by a separate
 * process with a deadline on every request (modem.h); sms_codec.c does the
 * conversions.
 */
#include "channel.h"
#include "health.h"
#include "modem.h"
#include "sms_codec.h"
#include "log.h"
#include "util.h"

#include <gammu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Upper bound of GetNextSMS calls in one scan: a SIM holds 20-30 messages,
 * a phone memory a few hundred. */
#define SCAN_MAX 1000
/* An unreadable slot is quarantined after failing this many scans. */
#define BAD_SCANS 3
/* At least this long between rechecks of undeleted or unreadable slots (ms). */
#define RECHECK_MS 2000
/* With new-message indications, still scan this often (ms). */
#define RESCAN_MS 60000
/* Ask the modem for its signal strength and network this often (ms): also
 * how soon an idle modem that vanished is noticed. */
#define SIGNAL_MS 15000

/* A location that failed to read, or a multipart set still incomplete. */
struct seen {
	char *key;
	int64_t first;		/* mono_ms when first seen */
	int count;		/* scans it was seen in */
	int live;		/* seen in the current scan */
};

struct sms_priv {
	struct modem modem;
	int indications;		/* the phone accepted new-message indications */
	int trusted;			/* ... and one has arrived: poll less */
	int scan_soon;			/* announced messages were read: scan all next */
	int full;			/* the SIM reported itself full */
	int recheck;			/* a delete not confirmed, a slot unreadable:
					 * scan at poll_interval_ms, not RESCAN_MS */
	int64_t last_scan;		/* mono_ms */
	int64_t last_signal;		/* mono_ms of the last signal report */
	char detail[96];		/* for health: the modem's model and device */
	struct seen *seen;
	size_t nseen;
};

static int
link_error(GSM_Error e)
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

static void
forget_all(struct sms_priv *p)
{
	for (size_t i = 0; i < p->nseen; i++)
		free(p->seen[i].key);
	free(p->seen);
	p->seen = NULL;
	p->nseen = 0;
}

static void
sms_close(struct channel *ch)
{
	struct sms_priv *p = ch->priv;

	if (p == NULL)
		return;
	modem_stop(&p->modem);
	forget_all(p);
	free(p);
	ch->priv = NULL;
}

static int
sms_open(struct channel *ch, char **err)
{
	const struct cfg_sms *c = &ch->boot->sms;
	struct sms_priv *p;

	*err = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		*err = strdup("out of memory");
		return -1;
	}
	p->modem.label = ch->label;
	p->modem.cancel_fd = ch->stop_fd;
	if (modem_start(&p->modem, c, c->deadline * 1000, err) < 0) {
		free(p);
		return -1;
	}
	ch->priv = p;
	p->indications = p->modem.info.indications;
	log_info("sms: modem connected (%s, %s %s); polling every %d ms%s", c->device ? c->device :
		 c->gammurc, p->modem.info.manufacturer[0] ? p->modem.info.manufacturer : "modem",
		 p->modem.info.model[0] ? p->modem.info.model : "of unknown model", c->poll_ms,
		 p->indications ? ", new-message indications requested" : "");
	return 0;
}

/* Record the modem's signal strength and network for health. Either may
 * be missing: the dummy driver and some modems report neither. */
static int
report_signal(struct channel *ch, struct sms_priv *p)
{
	char network[16] = "";
	int percent = -1;
	GSM_Error e;

	p->last_signal = mono_ms();
	if ((e = modem_signal(&p->modem, &percent, network, sizeof(network))) != ERR_NONE)
		percent = -1;
	/* The query doubles as the check that an idle modem is still there: a
	 * vanished device fails the next write. */
	if (link_error(e)) {
		if (p->modem.fd >= 0)
			log_warn("%s: the modem does not answer a signal query: %s", ch->label,
				 GSM_ErrorString(e));
		return -1;
	}
	health_modem(ch->store, ch->label, percent, network[0] != '\0' ? network : NULL);
	return 0;
}

static const char *
sms_detail(struct channel *ch)
{
	struct sms_priv *p = ch->priv;
	const char *model;

	if (p == NULL)
		return NULL;
	model = p->modem.info.model;
	if (strcmp(model, "unknown") == 0)
		model = "";
	snprintf(p->detail, sizeof(p->detail), "%s%s%s", ch->boot->sms.device ? ch->boot->sms.device :
		 ch->boot->sms.gammurc, model[0] ? ", model " : "", model);
	return p->detail;
}

/* How soon to scan again after a delete the modem did not do or an
 * unreadable slot (ms): soon, but not in a tight loop on a modem that keeps
 * failing. */
static int
recheck_ms(const struct channel *ch)
{
	return ch->boot->sms.poll_ms > RECHECK_MS ? ch->boot->sms.poll_ms : RECHECK_MS;
}

/* Find or add key in the seen-list; returns NULL when out of memory. */
static struct seen *
seen_get(struct sms_priv *p, const char *key)
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
static void
seen_prune(struct sms_priv *p)
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

static void
sms_release(struct channel *ch, struct inbound *msgs, size_t n)
{
	(void)ch;
	for (size_t i = 0; i < n; i++)
		sms_inbound_free(&msgs[i]);
	free(msgs);
}

/* Count a scan in which the slot at folder f, location l could not be read;
 * after BAD_SCANS of them add it to *bad as a quarantined message. Returns 0
 * or -1 (out of memory). */
static int
bad_slot(struct sms_priv *p, int f, int l, const char *why, struct inbound **bad, size_t *nbad)
{
	struct inbound *nb;
	struct seen *s;
	char key[64];

	snprintf(key, sizeof(key), "bad:%d:%d", f, l);
	if ((s = seen_get(p, key)) == NULL)
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

static int sms_ack(struct channel *ch, struct inbound *in);

/* Note a full SIM (no SMS can arrive until messages are deleted: the scan
 * that follows records and deletes them) and its end. -1 when the link
 * failed; a modem that cannot tell is fine. */
static int
check_memory(struct channel *ch, struct sms_priv *p)
{
	GSM_SMSMemoryStatus st;
	GSM_Error e;
	int full;

	memset(&st, 0, sizeof(st));
	if ((e = modem_memory(&p->modem, &st)) != ERR_NONE) {
		if (!link_error(e))
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
add_parts(GSM_SMSMessage **parts, size_t *n, size_t *cap, const GSM_MultiSMSMessage *m)
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
static int
scan(struct channel *ch, GSM_SMSMessage **partsp, size_t *np, struct inbound **bad, size_t *nbad)
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
		if (link_error(e)) {
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
			if (bad_slot(p, f, l, e != ERR_NONE ? GSM_ErrorString(e) : "no message in the slot",
				     bad, nbad) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		if (add_parts(&parts, &n, &cap, m) < 0) {
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
 * An incomplete multipart message in is either what a crash left behind of
 * a message already recorded (every part known: delete it now), or still
 * waiting for its missing parts (until multipart_timeout). Returns 1 when
 * in is not to be recorded now, 0 when it is to be recorded as it is.
 */
static int
leftover_or_waiting(struct channel *ch, const GSM_SMSMessage *first, size_t nu,
		    struct inbound *in, int64_t now)
{
	struct sms_priv *p = ch->priv;
	char key[160], *num;
	struct seen *s;

	if (intake_known(ch->store, in) == 1) {
		log_info("sms: %zu part%s from %s of a message already recorded: removing", nu,
			 nu == 1 ? "" : "s", in->sender);
		sms_ack(ch, in);
		return 1;
	}
	num = sms_number_utf8(first->Number);
	snprintf(key, sizeof(key), "part:%.100s:%d:%d:%d", num ? num : "?", first->UDH.ID8bit,
		 first->UDH.ID16bit, first->UDH.AllParts);
	free(num);
	if ((s = seen_get(p, key)) == NULL)
		return 1;	/* out of memory: look again next time */
	s->live = 1;
	if (now - s->first < (int64_t)ch->boot->sms.multipart_timeout * 1000)
		return 1;	/* wait for the missing parts */
	log_warn("sms: multipart message from %s has %zu of %d parts after %d s: recording what"
		 " arrived", in->sender, nu, first->UDH.AllParts, ch->boot->sms.multipart_timeout);
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
static int
read_announced(struct channel *ch, struct sms_priv *p, GSM_SMSMessage **parts, size_t *n)
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
			if (e == ERR_NONE || link_error(e))
				break;
		}
		if (link_error(e)) {
			log_warn("%s: reading announced message %d: %s", ch->label, l->location,
				 GSM_ErrorString(e));
			rc = -1;
		} else if (e == ERR_NONE && m->Number > 0 && !sms_is_multipart(&m->SMS[0]) &&
			   add_parts(parts, n, &cap, m) < 0) {
			rc = -1;
		}
	}
	p->modem.nincoming = 0;
	p->modem.lost = 0;
	free(m);
	return rc;
}

static int
sms_fetch(struct channel *ch, struct inbound **msgsp, size_t *np)
{
	struct sms_priv *p = ch->priv;
	GSM_SMSMessage *parts = NULL, **group = NULL, **uniq = NULL;
	struct inbound *msgs = NULL;
	size_t n = 0, nmsgs = 0;
	unsigned char *used = NULL;
	int64_t now = mono_ms();
	int rc = -1, full = 0;

	*msgsp = NULL;
	*np = 0;
	modem_poll(&p->modem);
	if (p->modem.fd < 0)
		return -1;	/* the modem process failed (logged) */
	if ((p->last_signal == 0 || now - p->last_signal >= SIGNAL_MS) && report_signal(ch, p) < 0)
		return -1;
	if (p->modem.nincoming > 0 || p->modem.lost) {
		if (!p->trusted)
			log_info("sms: the modem announces new messages; full scans every %d s from now on",
				 RESCAN_MS / 1000);
		p->trusted = 1;
		p->scan_soon = 1;	/* the safety net, right after the answer */
		if (read_announced(ch, p, &parts, &n) < 0)
			goto out;
	} else if (!p->scan_soon && p->last_scan != 0 &&
		   now - p->last_scan < (p->recheck ? recheck_ms(ch) : p->trusted ? RESCAN_MS :
					 ch->boot->sms.poll_ms)) {
		/* A phone may accept indications and never send one: until one
		 * has arrived, poll at the configured interval. */
		return 0;
	} else {
		p->scan_soon = 0;
		p->recheck = 0;
		p->last_scan = now;
		full = 1;
		if (check_memory(ch, p) < 0 || scan(ch, &parts, &n, &msgs, &nmsgs) < 0)
			goto out;
	}
	if (n > 0 && ((used = calloc(n, 1)) == NULL || (group = calloc(n, sizeof(*group))) == NULL ||
		      (uniq = calloc(n, sizeof(*uniq))) == NULL))
		goto out;
	for (size_t i = 0; i < n; i++) {
		size_t g = 0, nu = 0;
		int incomplete = 0;

		if (used[i])
			continue;
		group[g++] = &parts[i];
		used[i] = 1;
		/* Parts are grouped on the UDH fields libGammu decoded rather than
		 * with GSM_LinkSMS, which splits a message with a part missing in
		 * the middle into separate messages: after the timeout they would
		 * become separate tickets instead of one with what arrived. */
		if (sms_is_multipart(&parts[i])) {
			for (size_t j = i + 1; j < n; j++)
				if (!used[j] && sms_is_multipart(&parts[j]) && sms_same_message(&parts[i], &parts[j])) {
					group[g++] = &parts[j];
					used[j] = 1;
				}
			qsort(group, g, sizeof(*group), sms_by_part);
		}
		/* uniq: one copy of each part number, for the text. */
		for (size_t k = 0; k < g; k++)
			if (nu == 0 || group[k]->UDH.PartNumber != uniq[nu - 1]->UDH.PartNumber)
				uniq[nu++] = group[k];
		incomplete = sms_is_multipart(&parts[i]) && (int)nu < parts[i].UDH.AllParts;
		struct inbound *nm = realloc(msgs, (nmsgs + 1) * sizeof(*msgs));
		if (nm == NULL)
			goto out;
		msgs = nm;
		if (sms_decode(ch->cfg, uniq, nu, group, g, incomplete, &msgs[nmsgs]) < 0) {
			sms_inbound_free(&msgs[nmsgs]);
			goto out;
		}
		if (incomplete && leftover_or_waiting(ch, &parts[i], nu, &msgs[nmsgs], now)) {
			sms_inbound_free(&msgs[nmsgs]);
			continue;
		}
		nmsgs++;
	}
	/* Only a full scan shows what is gone: after reading announced
	 * messages alone, every entry (waiting parts, undeleted slots) stays. */
	if (full)
		seen_prune(p);
	rc = 0;
out:
	free(parts);
	free(group);
	free(uniq);
	free(used);
	if (rc < 0) {
		sms_release(ch, msgs, nmsgs);
		return -1;
	}
	*msgsp = msgs;
	*np = nmsgs;
	return 0;
}

/* Delete part i of tok, and make sure it is gone: a modem may answer OK to
 * a delete it did not do (garbage, then OK). 0, 1 when still there, or -1
 * when the link failed. */
static int
delete_part(struct channel *ch, struct sms_priv *p, const struct sms_token *tok, size_t i,
	    const char *sender)
{
	int f = tok->part[i].folder, l = tok->part[i].location;
	GSM_MultiSMSMessage *m;
	GSM_Error e = modem_delete(&p->modem, f, l);

	if (e != ERR_NONE && e != ERR_EMPTY) {
		log_warn("%s: deleting folder %d location %d from %s: %s", ch->label, f, l, sender,
			 GSM_ErrorString(e));
		return link_error(e) ? -1 : 1;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return 1;
	e = modem_get(&p->modem, f, l, m);
	if (e == ERR_NONE && m->Number > 0 && tok->part[i].print != 0 &&
	    sms_print(&m->SMS[0]) == tok->part[i].print) {
		char key[64];
		struct seen *s;

		/* Said once per location: the modem may keep doing it. */
		snprintf(key, sizeof(key), "undeleted:%d:%d", f, l);
		if ((s = seen_get(p, key)) != NULL && s->count++ == 0)
			log_warn("%s: folder %d location %d from %s is still there after its delete;"
				 " deleting it again every %d s until it goes", ch->label, f, l, sender,
				 recheck_ms(ch) / 1000);
		if (s != NULL)
			s->live = 1;
		p->recheck = 1;
		free(m);
		return 1;
	}
	free(m);
	return link_error(e) ? -1 : 0;
}

/* Only a failed link is an error to the channel: a delete the modem did not
 * do is retried by the next scans (and said once, by delete_part). */
static int
sms_ack(struct channel *ch, struct inbound *in)
{
	struct sms_priv *p = ch->priv;
	struct sms_token *tok = in->token;

	for (size_t i = 0; i < tok->nparts; i++)
		if (delete_part(ch, p, tok, i, in->sender) < 0)
			return -1;
	return 0;
}

static enum send_result
sms_send(struct channel *ch, const struct outmsg *om, char **ref, char **err)
{
	struct sms_priv *p = ch->priv;
	GSM_MultiSMSMessage *multi = calloc(1, sizeof(*multi));
	struct sbuf refs = { 0 };
	enum send_result rc = SEND_OK;

	*ref = *err = NULL;
	if (multi == NULL)
		return SEND_RETRY;
	if (sms_encode(om->body, ch->boot->sms.max_parts, multi, GSM_GetGlobalDebug()) < 0) {
		*err = strdup("cannot encode the text as SMS");
		free(multi);
		return SEND_FATAL;
	}
	for (int i = 0; i < multi->Number && rc == SEND_OK; i++) {
		GSM_SMSMessage *m = &multi->SMS[i];
		int status = -1, sref = 0;
		GSM_Error e;

		m->SMSC.Location = 1;	/* the SIM's message centre */
		m->PDU = SMS_Submit;
		EncodeUnicode(m->Number, om->recipient, strlen(om->recipient));
		e = modem_send(&p->modem, m, ch->boot->sms.send_timeout * 1000, &status, &sref);
		if (e != ERR_NONE) {
			if (asprintf(err, "part %d/%d: %s", i + 1, multi->Number, GSM_ErrorString(e)) < 0)
				*err = NULL;
			rc = link_error(e) ? SEND_LINK : SEND_RETRY;
			break;
		}
		if (status != 0) {
			if (asprintf(err, "part %d/%d: %s", i + 1, multi->Number,
				     status == -1 ? "no send status from the modem"
						  : "the network refused it") < 0)
				*err = NULL;
			rc = status == -1 ? SEND_LINK : SEND_RETRY;
			break;
		}
		sb_printf(&refs, "%s%d", i ? "," : "", sref);
	}
	free(multi);
	if (rc == SEND_OK) {
		if (refs.oom) {
			sb_free(&refs);
			return SEND_RETRY;
		}
		*ref = refs.s;
	} else {
		sb_free(&refs);
	}
	return rc;
}

static void
sms_wait(struct channel *ch, int64_t deadline)
{
	struct sms_priv *p = ch->priv;

	/* Wake for the next poll of the modem, or the next outbox retry. */
	if (p != NULL) {
		int64_t next_scan = p->last_scan + ch->boot->sms.poll_ms;
		if (deadline == 0 || next_scan < deadline)
			deadline = next_scan;
	}
	/* The modem process's socket wakes us for a +CMTI at once. */
	channel_sleep(ch, p != NULL && !p->scan_soon ? deadline : mono_ms(),
		      p != NULL ? p->modem.fd : -1);
}

const struct channel_ops sms_ops = {
	.name = "sms",
	.outbox = "sms",
	.open = sms_open,
	.close = sms_close,
	.fetch = sms_fetch,
	.ack = sms_ack,
	.release = sms_release,
	.send = sms_send,
	.wait = sms_wait,
	.detail = sms_detail,
};
