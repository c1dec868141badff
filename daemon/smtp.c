/*
 * smtp.c: the SMTP channel: sends the "email" outbox rows through the
 * configured server with libcurl, one message per transaction, over a
 * connection kept open between sends. It owns the libcurl handle, the TLS
 * policy of that link (verified unless configured otherwise, never a silent
 * fall back to plain text) and the mapping of SMTP replies to send results.
 * It takes nothing in: fetch, ack and release are NULL.
 */
#include "channel.h"
#include "smtp.h"

#include "address.h"
#include "compose.h"
#include "log.h"
#include "text.h"
#include "util.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#define REPLY_MAX	300	/* bytes of a server reply kept for errors and logs */
#define ERR_MAX		600	/* bytes of an error text */

/* How far the current transaction got, from the commands libcurl sent. */
enum phase {
	PH_SESSION,	/* connect, greeting, EHLO, STARTTLS, AUTH */
	PH_PROBE,	/* NOOP, sent by open() */
	PH_MAIL,	/* MAIL FROM */
	PH_RCPT,	/* RCPT TO */
	PH_DATA,	/* DATA */
	PH_BODY,	/* the message went out: waiting for the final reply */
};

static const char *const phase_name[] = {
	[PH_SESSION] = "session", [PH_PROBE] = "NOOP", [PH_MAIL] = "MAIL FROM",
	[PH_RCPT] = "RCPT TO", [PH_DATA] = "DATA", [PH_BODY] = "end of data",
};

struct smtp_priv {
	struct channel *ch;
	CURL *curl;
	char *url;			/* smtp[s]://host:port/ehlo-name */
	char *where;			/* smtp[s]://host:port, for logs */
	char errbuf[CURL_ERROR_SIZE];	/* libcurl's error text (its size is libcurl's API) */
	enum phase phase;
	char *reply;			/* last reply line from the server, one line, or NULL */
	bool quitting;			/* QUIT sent: later replies are not about the message */
	const char *data;		/* the message being uploaded */
	size_t len, off;
};

int
smtp_global_init(void)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc != CURLE_OK) {
		log_err("smtp: cannot initialise libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
smtp_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Set *err to a newly allocated one-line message (NULL when out of memory). */
static void __attribute__((format(printf, 2, 3)))
set_err(char **err, const char *fmt, ...)
{
	char *raw;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&raw, fmt, ap);
	va_end(ap);
	*err = NULL;
	if (n < 0)
		return;
	*err = text_oneline(raw, (size_t)n, ERR_MAX);
	free(raw);
}

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp_priv *p = arg;
	size_t n = p->len - p->off;

	if (n > size * nitems)
		n = size * nitems;
	memcpy(buf, p->data + p->off, n);
	p->off += n;
	return n;
}

/* Replies to commands are not wanted as output. */
static size_t
discard_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	(void)buf;
	(void)arg;
	return size * nmemb;
}

/* Abort a transfer when the daemon is stopping. */
static int
progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct smtp_priv *p = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return *p->ch->stopping ? 1 : 0;
}

/*
 * libcurl's protocol trace: follows the phase from the commands sent and
 * keeps the last reply line. Only the command verb is looked at: AUTH
 * lines carry credentials and are never stored or logged. A failed
 * command makes libcurl send QUIT: the reply kept is the one before it.
 */
static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct smtp_priv *p = arg;

	(void)h;
	if (type == CURLINFO_HEADER_OUT) {
		/* Base64 AUTH lines never hold ':' or a space, so cannot match. */
		if (size >= 10 && strncasecmp(data, "MAIL FROM:", 10) == 0)
			p->phase = PH_MAIL;
		else if (size >= 8 && strncasecmp(data, "RCPT TO:", 8) == 0)
			p->phase = PH_RCPT;
		else if (size >= 6 && strncasecmp(data, "DATA\r\n", 6) == 0)
			p->phase = PH_DATA;
		else if (size >= 6 && strncasecmp(data, "NOOP\r\n", 6) == 0)
			p->phase = PH_PROBE;
		else if (size >= 6 && strncasecmp(data, "QUIT\r\n", 6) == 0)
			p->quitting = true;
	} else if (type == CURLINFO_DATA_OUT && p->phase == PH_DATA) {
		p->phase = PH_BODY;
	} else if (type == CURLINFO_HEADER_IN && !p->quitting) {
		char *line = text_oneline(data, size, REPLY_MAX);

		if (line != NULL && *line != '\0') {
			free(p->reply);
			p->reply = line;
		} else {
			free(line);
		}
	}
	return 0;
}

/* 1 when the reply refuses for policy (enhanced status 5.7.x, or 530
 * authentication required) rather than for the address itself: relaying
 * denied is a configuration problem, not a bad recipient. */
static bool
policy_refusal(long code, const char *reply)
{
	if (code == 530)
		return true;
	if (reply == NULL || strlen(reply) < 8)
		return false;
	/* "550 5.7.1 ..." or "550-5.7.1 ..." */
	return reply[4] == '5' && reply[5] == '.' && reply[6] == '7' && reply[7] == '.';
}

/*
 * Map a finished transfer to a send result. Before a transaction started
 * (connect, TLS, greeting, AUTH) the link is at fault: SEND_LINK closes
 * the channel and reconnects with backoff. In a transaction, 4xx is
 * temporary; 5xx to RCPT TO, DATA or the message is permanent for this
 * message, except a policy refusal of the recipient (retried, as relaying
 * denied hits every message); 5xx to MAIL FROM concerns our sender and is
 * retried, except 552 (too large). 421 means the server closes the link.
 */
static enum send_result
classify(CURLcode rc, long code, enum phase ph, const char *reply)
{
	if (rc == CURLE_OK)
		return SEND_OK;
	if (rc == CURLE_ABORTED_BY_CALLBACK || rc == CURLE_OUT_OF_MEMORY || rc == CURLE_READ_ERROR)
		return SEND_RETRY;
	if (ph >= PH_MAIL && code >= 400 && code <= 599) {
		if (code == 421)
			return SEND_LINK;
		if (code < 500)
			return SEND_RETRY;
		if (ph == PH_MAIL)
			return code == 552 ? SEND_FATAL : SEND_RETRY;
		if (ph == PH_RCPT && policy_refusal(code, reply))
			return SEND_RETRY;
		return SEND_FATAL;
	}
	return SEND_LINK;
}

/* The one-line reason for a failed transfer, with the server's reply
 * (and so its response code) when it sent one. */
static void
describe(struct smtp_priv *p, CURLcode rc, long code, char **err)
{
	const char *detail = p->errbuf[0] != '\0' ? p->errbuf : curl_easy_strerror(rc);

	if (code >= 400 && p->reply != NULL)
		set_err(err, "%s %s: server replied \"%s\" (%s)", p->where, phase_name[p->phase], p->reply,
			detail);
	else
		set_err(err, "%s %s: %s", p->where, phase_name[p->phase], detail);
}

/* Reset the per-transfer trace, run the transfer, and return its result
 * with the last response code in *code. */
static CURLcode
perform(struct smtp_priv *p, long *code)
{
	CURLcode rc;

	p->phase = PH_SESSION;
	p->quitting = false;
	p->errbuf[0] = '\0';
	free(p->reply);
	p->reply = NULL;
	rc = curl_easy_perform(p->curl);
	*code = 0;
	if (curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, code) != CURLE_OK)
		*code = 0;
	return rc;
}

static void
smtp_close(struct channel *ch)
{
	struct smtp_priv *p = ch->priv;

	if (p == NULL)
		return;
	if (p->curl != NULL)
		curl_easy_cleanup(p->curl);	/* QUIT on a live connection */
	free(p->url);
	free(p->where);
	free(p->reply);
	free(p);
	ch->priv = NULL;
}

/* 1 when host can go in a URL as it is: a DNS name or an IP literal. */
static bool
host_ok(const char *host)
{
	if (host == NULL || *host == '\0' || strlen(host) > 253)
		return false;
	for (const char *s = host; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '-' || *s == '_' || *s == ':'))
			return false;
	return true;
}

/* The name we give in EHLO: this machine's name when it is fully
 * qualified, else the domain of our From address. */
static const char *
ehlo_name(const struct cfg_smtp *c, struct utsname *u)
{
	const char *at = strchr(c->from, '@');

	if (uname(u) == 0 && strchr(u->nodename, '.') != NULL && host_ok(u->nodename) &&
	    strchr(u->nodename, ':') == NULL)
		return u->nodename;
	if (at != NULL && host_ok(at + 1) && strchr(at + 1, ':') == NULL)
		return at + 1;
	return "localhost";
}

#define SETOPT(opt, val)							\
	do {									\
		if ((rc = curl_easy_setopt(p->curl, opt, val)) != CURLE_OK) {	\
			set_err(err, "libcurl option %s: %s", #opt,		\
				curl_easy_strerror(rc));			\
			return -1;						\
		}								\
	} while (0)

/* Set every option that stays the same between sends. Returns 0, or -1
 * with *err set. */
static int
setup(struct smtp_priv *p, const struct cfg_smtp *c, char **err)
{
	const char *env = c->envelope_from != NULL && *c->envelope_from != '\0' ? c->envelope_from : "<>";
	long verify = c->tls_verify ? 1L : 0L, timeout = c->timeout > 0 ? c->timeout : 60;
	CURLcode rc;

	SETOPT(CURLOPT_URL, p->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, p->errbuf);
	SETOPT(CURLOPT_CONNECTTIMEOUT, timeout);
	SETOPT(CURLOPT_TIMEOUT, timeout);
	SETOPT(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);	/* also bounds QUIT in close() */
	/* STARTTLS is required, never optional: no fall back to plain text. */
	SETOPT(CURLOPT_USE_SSL, c->tls == TLS_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	SETOPT(CURLOPT_SSL_VERIFYPEER, verify);
	SETOPT(CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (c->ca_file != NULL && *c->ca_file != '\0')
		SETOPT(CURLOPT_CAINFO, c->ca_file);
	if (c->user != NULL && *c->user != '\0') {
		SETOPT(CURLOPT_USERNAME, c->user);
		SETOPT(CURLOPT_PASSWORD, c->password != NULL ? c->password : "");
	}
	SETOPT(CURLOPT_MAIL_FROM, env);
	SETOPT(CURLOPT_READFUNCTION, read_cb);
	SETOPT(CURLOPT_READDATA, p);
	SETOPT(CURLOPT_WRITEFUNCTION, discard_cb);
	SETOPT(CURLOPT_WRITEDATA, p);
	SETOPT(CURLOPT_DEBUGFUNCTION, debug_cb);
	SETOPT(CURLOPT_DEBUGDATA, p);
	SETOPT(CURLOPT_VERBOSE, 1L);	/* feeds debug_cb; nothing is printed */
	SETOPT(CURLOPT_XFERINFOFUNCTION, progress_cb);
	SETOPT(CURLOPT_XFERINFODATA, p);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	return 0;
}

/*
 * Check the configuration and connect: greeting, EHLO, STARTTLS with
 * certificate checks, AUTH, then NOOP. The connection stays open for the
 * sends. Returns 0, or -1 with *err set (the channel retries with backoff).
 */
static int
smtp_open(struct channel *ch, char **err)
{
	const struct cfg_smtp *c = &ch->boot->smtp;
	const char *scheme = c->tls == TLS_IMPLICIT ? "smtps" : "smtp";
	int port = c->port > 0 ? c->port : c->tls == TLS_IMPLICIT ? 465 : c->tls == TLS_STARTTLS ? 587 : 25;
	bool v6 = c->host != NULL && strchr(c->host, ':') != NULL;
	struct smtp_priv *p;
	struct utsname u;
	CURLcode rc;
	long code;

	*err = NULL;
	if (!host_ok(c->host)) {
		set_err(err, "smtp.host is not a host name or address");
		return -1;
	}
	if (c->from == NULL || !address_valid(c->from, strlen(c->from))) {
		set_err(err, "smtp.from is not a plain email address");
		return -1;
	}
	if (c->envelope_from != NULL && *c->envelope_from != '\0' &&
	    !address_valid(c->envelope_from, strlen(c->envelope_from))) {
		set_err(err, "smtp.envelope_from is not a plain email address");
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		set_err(err, "out of memory");
		return -1;
	}
	p->ch = ch;
	ch->priv = p;
	if (asprintf(&p->where, "%s://%s%s%s:%d", scheme, v6 ? "[" : "", c->host, v6 ? "]" : "", port) < 0) {
		p->where = NULL;
		goto oom;
	}
	if (asprintf(&p->url, "%s/%s", p->where, ehlo_name(c, &u)) < 0) {
		p->url = NULL;
		goto oom;
	}
	if ((p->curl = curl_easy_init()) == NULL) {
		set_err(err, "cannot create a libcurl handle");
		smtp_close(ch);
		return -1;
	}
	if (setup(p, c, err) < 0) {
		smtp_close(ch);
		return -1;
	}
	/* The probe: a NOOP, so that an unreachable server, a bad certificate
	 * or refused credentials show here, where the channel backs off. */
	if ((rc = curl_easy_setopt(p->curl, CURLOPT_CUSTOMREQUEST, "NOOP")) != CURLE_OK) {
		set_err(err, "libcurl: %s", curl_easy_strerror(rc));
		smtp_close(ch);
		return -1;
	}
	rc = perform(p, &code);
	/* A server without NOOP still proved the session up to AUTH. */
	if (rc != CURLE_OK && !(p->phase == PH_PROBE && code >= 500)) {
		describe(p, rc, code, err);
		smtp_close(ch);
		return -1;
	}
	if ((rc = curl_easy_setopt(p->curl, CURLOPT_CUSTOMREQUEST, NULL)) != CURLE_OK) {
		set_err(err, "libcurl: %s", curl_easy_strerror(rc));
		smtp_close(ch);
		return -1;
	}
	/* helpdeskd warns once at start when TLS or its verification is off. */
	log_info("smtp: connected to %s (%s%s%s), MAIL FROM:<%s>", p->where,
		 c->tls == TLS_IMPLICIT ? "TLS" : c->tls == TLS_STARTTLS ? "STARTTLS" : "no TLS",
		 c->tls != TLS_NONE && !c->tls_verify ? ", certificate NOT verified" : "",
		 c->user != NULL && *c->user != '\0' ? ", AUTH" : "",
		 c->envelope_from != NULL ? c->envelope_from : "");
	return 0;
oom:
	set_err(err, "out of memory");
	smtp_close(ch);
	return -1;
}

static enum send_result
smtp_send(struct channel *ch, const struct outmsg *m, char **ref, char **err)
{
	struct smtp_priv *p = ch->priv;
	const struct cfg_smtp *c = &ch->boot->smtp;
	struct curl_slist *rcpt = NULL;
	struct mail_out mo;
	enum send_result res;
	char *msg;
	size_t len;
	CURLcode rc;
	long code;

	*ref = *err = NULL;
	if (p == NULL) {
		set_err(err, "not connected");
		return SEND_LINK;
	}
	if (m->rfc_message_id == NULL || *m->rfc_message_id == '\0') {
		set_err(err, "no Message-ID");
		return SEND_FATAL;
	}
	if (m->recipient == NULL || !address_valid(m->recipient, strlen(m->recipient))) {
		set_err(err, "the recipient is not a plain email address");
		return SEND_FATAL;
	}
	mo = (struct mail_out){
		.from_addr = c->from,
		.from_name = c->from_name,
		.to_addr = m->recipient,
		.subject = m->subject,
		.message_id = m->rfc_message_id,
		.in_reply_to = m->in_reply_to,
		.references = m->refs,
		.date = now_ms(),
		.body = m->body,
		.auto_reply = m->kind != NULL && strcmp(m->kind, "reply") == 0,
	};
	if ((msg = mail_compose(&mo, &len)) == NULL) {
		/* The addresses were checked above: a msg-id is not header-safe
		 * (or memory ran out, which retrying would not help much). */
		set_err(err, "cannot build the message: its Message-ID or In-Reply-To is not a plain msg-id");
		return SEND_FATAL;
	}
	/* Allocated before sending: once the server accepted, nothing may fail. */
	if (asprintf(ref, "<%s>", m->rfc_message_id) < 0) {
		*ref = NULL;
		free(msg);
		set_err(err, "out of memory");
		return SEND_RETRY;
	}
	if ((rcpt = curl_slist_append(NULL, m->recipient)) == NULL) {
		free(*ref);
		*ref = NULL;
		free(msg);
		set_err(err, "out of memory");
		return SEND_RETRY;
	}
	p->data = msg;
	p->len = len;
	p->off = 0;
	if ((rc = curl_easy_setopt(p->curl, CURLOPT_MAIL_RCPT, rcpt)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_UPLOAD, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len)) != CURLE_OK) {
		set_err(err, "libcurl: %s", curl_easy_strerror(rc));
		res = SEND_RETRY;
	} else {
		log_debug("smtp: outbox %lld to %s: sending %zu bytes as <%s>", (long long)m->id,
			  m->recipient, len, m->rfc_message_id);
		rc = perform(p, &code);
		res = classify(rc, code, p->phase, p->reply);
		if (res == SEND_OK) {
			log_info("smtp: outbox %lld to %s accepted by %s: %s", (long long)m->id, m->recipient,
				 p->where, p->reply ? p->reply : "(no reply text)");
		} else {
			describe(p, rc, code, err);
			log_debug("smtp: outbox %lld to %s: %s: %s", (long long)m->id, m->recipient,
				  res == SEND_FATAL ? "refused for good" : res == SEND_LINK ? "link failure"
				  : "temporary failure", *err ? *err : "?");
		}
	}
	if (res != SEND_OK) {
		free(*ref);
		*ref = NULL;
	}
	/* Nothing may point at freed memory between sends. */
	if (curl_easy_setopt(p->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL) != CURLE_OK ||
	    curl_easy_setopt(p->curl, CURLOPT_UPLOAD, 0L) != CURLE_OK)
		log_warn("smtp: cannot reset libcurl options");
	curl_slist_free_all(rcpt);
	free(msg);
	p->data = NULL;
	p->len = p->off = 0;
	return res;
}

static void
smtp_wait(struct channel *ch, int64_t deadline)
{
	channel_sleep(ch, deadline, -1);
}

const struct channel_ops smtp_ops = {
	.name = "smtp",
	.outbox = "email",
	.open = smtp_open,
	.close = smtp_close,
	.fetch = NULL,
	.ack = NULL,
	.release = NULL,
	.send = smtp_send,
	.wait = smtp_wait,
};
