/*
 * sms.c: the SMS channel: reads the message a +CMTI announces at once and
 * every inbox message at each full scan, groups multipart messages (waiting
 * for missing parts), deletes messages once recorded and confirms that they
 * are gone, and sends replies. The modem itself is driven by a separate
 * process with a deadline on every request (modem.h); sms_codec.c does the
 * conversions.
 */
#include "sms_priv.h"
#include "health.h"
#include "sms_codec.h"
#include "log.h"
#include "util.h"

#include <gammu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
sms_close(struct channel *ch)
{
	struct sms_priv *p = ch->priv;

	if (p == NULL)
		return;
	modem_stop(&p->modem);
	sms_forget_all(p);
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
	if (sms_link_error(e)) {
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

static void
sms_release(struct channel *ch, struct inbound *msgs, size_t n)
{
	(void)ch;
	for (size_t i = 0; i < n; i++)
		sms_inbound_free(&msgs[i]);
	free(msgs);
}

static int sms_ack(struct channel *ch, struct inbound *in);

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
	if ((s = sms_seen_get(p, key)) == NULL)
		return 1;	/* out of memory: look again next time */
	s->live = 1;
	if (now - s->first < (int64_t)ch->boot->sms.multipart_timeout * 1000)
		return 1;	/* wait for the missing parts */
	log_warn("sms: multipart message from %s has %zu of %d parts after %d s: recording what"
		 " arrived", in->sender, nu, first->UDH.AllParts, ch->boot->sms.multipart_timeout);
	return 0;
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
		if (sms_read_announced(ch, p, &parts, &n) < 0)
			goto out;
	} else if (!p->scan_soon && p->last_scan != 0 &&
		   now - p->last_scan < (p->recheck ? sms_recheck_ms(ch) : p->trusted ? RESCAN_MS :
					 ch->boot->sms.poll_ms)) {
		/* A phone may accept indications and never send one: until one
		 * has arrived, poll at the configured interval. */
		return 0;
	} else {
		p->scan_soon = 0;
		p->recheck = 0;
		p->last_scan = now;
		full = 1;
		if (sms_check_memory(ch, p) < 0 || sms_scan(ch, &parts, &n, &msgs, &nmsgs) < 0)
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
		sms_seen_prune(p);
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
		return sms_link_error(e) ? -1 : 1;
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
		if ((s = sms_seen_get(p, key)) != NULL && s->count++ == 0)
			log_warn("%s: folder %d location %d from %s is still there after its delete;"
				 " deleting it again every %d s until it goes", ch->label, f, l, sender,
				 sms_recheck_ms(ch) / 1000);
		if (s != NULL)
			s->live = 1;
		p->recheck = 1;
		free(m);
		return 1;
	}
	free(m);
	return sms_link_error(e) ? -1 : 0;
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
			rc = sms_link_error(e) ? SEND_LINK : SEND_RETRY;
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
