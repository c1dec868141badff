/* test_email.c: email_inbound: where the keyword is read, the loop-protection
 * verdicts of rule 4, the deduplication keys, threading references, the
 * spool files of raw messages and attachments, and the reply age limit. */
#include "config.h"
#include "email.h"
#include "unit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64], confpath[128], spool[128];

static struct hd_config *
load_config(void)
{
	struct hd_config *cfg = NULL;
	char *err = NULL;
	FILE *f = fopen(confpath, "w");

	if (f == NULL)
		return NULL;
	fprintf(f, "database = \"%s/t.db\";\nspool_dir = \"%s\";\n"
		"smtp = { host = \"127.0.0.1\"; tls = \"none\"; from = \"helpdesk@diskominfo.example\"; };\n"
		"email = { own_addresses = [ \"noc@diskominfo.example\" ];"
		" msgid_domain = \"helpdesk.diskominfo.example\"; };\n", dir, spool);
	fclose(f);
	if (config_load(confpath, &cfg, &err) < 0) {
		fprintf(stderr, "config: %s\n", err ? err : "?");
		free(err);
	}
	return cfg;
}

/* Parse one message with the given headers and body; returns 0 or -1. */
static int
take(struct hd_config *cfg, const char *headers, const char *body, struct inbound *in)
{
	char raw[8192];
	struct email_src src = { .mailbox = "inbox", .uidvalidity = 7, .uid = 42,
				 .reply_max_age = 72 };
	int n = snprintf(raw, sizeof(raw), "%s\r\n%s", headers, body);

	return email_inbound(cfg, &src, raw, (size_t)n, in);
}

#define PLAIN "From: Budi <Budi@Dinkes.Example>\r\nTo: helpdesk@diskominfo.example\r\n" \
	      "Message-ID: <abc.1@dinkes.example>\r\nDate: %s\r\nSubject: %s\r\n"

static void
test_keyword_place(struct hd_config *cfg)
{
	struct inbound in;
	char h[512];
	char date[64];
	time_t t = time(NULL);

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", gmtime(&t));
	snprintf(h, sizeof(h), PLAIN, date, "HELPDESK Printer rusak");
	CHECK(take(cfg, h, "Printer di ruang rapat macet.\r\n", &in) == 0);
	CHECK_STR(in.sender, "budi@dinkes.example");
	CHECK_STR(in.dedup_key, "imap:inbox:7:42");
	CHECK_STR(in.rfc_message_id, "abc.1@dinkes.example");
	CHECK_STR(in.subject, "HELPDESK Printer rusak");
	CHECK(strncmp(in.text, "HELPDESK Printer rusak\n\nPrinter di ruang rapat macet.", 52) == 0);
	CHECK(in.automated == NULL && in.reply_ok == 1 && in.hold_reply == NULL);
	CHECK(in.raw_path != NULL && strncmp(in.raw_path, "raw/", 4) == 0);
	email_inbound_free(&in);

	/* Subject without the keyword: the body's first line is read. */
	snprintf(h, sizeof(h), PLAIN, date, "Laporan kerusakan");
	CHECK(take(cfg, h, "helpdesk: jaringan putus\r\nsejak pagi\r\n", &in) == 0);
	CHECK(strncmp(in.text, "helpdesk: jaringan putus", 24) == 0);
	email_inbound_free(&in);

	/* Old mail is taken but not answered automatically. */
	snprintf(h, sizeof(h), PLAIN, "Mon, 02 Jan 2023 08:00:00 +0700", "HELPDESK lama");
	CHECK(take(cfg, h, "isi\r\n", &in) == 0);
	CHECK(in.hold_reply != NULL);
	email_inbound_free(&in);
}

static void
test_loops(struct hd_config *cfg)
{
	static const struct {
		const char *headers;
		int automated, person;
	} cases[] = {
		{ "From: a@b.example\r\nSubject: HELPDESK x\r\n", 0, 0 },
		{ "From: a@b.example\r\nAuto-Submitted: no\r\nSubject: HELPDESK x\r\n", 0, 0 },
		{ "From: a@b.example\r\nAuto-Submitted: auto-replied\r\nSubject: Re: x\r\n", 1, 0 },
		{ "From: a@b.example\r\nX-Autoreply: yes\r\nSubject: Out of office\r\n", 1, 0 },
		{ "From: a@b.example\r\nX-Auto-Response-Suppress: All\r\nSubject: x\r\n", 1, 0 },
		{ "From: a@b.example\r\nPrecedence: bulk\r\nSubject: HELPDESK x\r\n", 1, 0 },
		{ "From: a@b.example\r\nPrecedence: list\r\nSubject: HELPDESK x\r\n", 1, 1 },
		{ "From: Budi Santoso\r\nSubject: HELPDESK x\r\n", 1, 0 },
		{ "Subject: HELPDESK no From at all\r\n", 1, 0 },
		{ "From: a@b.example\r\nList-Id: <it.pemkab.example>\r\nSubject: HELPDESK x\r\n", 1, 1 },
		{ "From: a@b.example\r\nReturn-Path: <>\r\nSubject: x\r\n", 1, 0 },
		{ "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\n", 1, 0 },
		{ "From: no-reply@bank.example\r\nSubject: HELPDESK x\r\n", 1, 0 },
		{ "From: Helpdesk <helpdesk@diskominfo.example>\r\nSubject: HELPDESK x\r\n", 1, 0 },
		{ "From: noc@DISKOMINFO.example\r\nSubject: HELPDESK x\r\n", 1, 0 },
		{ "From: a@b.example\r\nMessage-ID: <hd.1a2b.00ff@helpdesk.diskominfo.example>\r\n"
		  "Subject: x\r\n", 1, 0 },
		{ "From: a@b.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report;"
		  " report-type=delivery-status; boundary=\"b\"\r\nSubject: x\r\n", 1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inbound in;

		CHECK(take(cfg, cases[i].headers, "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
			   &in) == 0);
		if ((in.automated != NULL) != cases[i].automated)
			fprintf(stderr, "case %zu: automated = %s\n", i, in.automated ? in.automated : "NULL");
		CHECK((in.automated != NULL) == cases[i].automated);
		CHECK(in.from_person == cases[i].person);
		CHECK(in.reply_ok == !cases[i].automated);
		email_inbound_free(&in);
	}
}

static void
test_keys_and_refs(struct hd_config *cfg)
{
	struct inbound in, again;

	/* No Message-ID: a hash of the header block, the same for the same mail. */
	CHECK(take(cfg, "From: a@b.example\r\nSubject: HELPDESK x\r\n", "body\r\n", &in) == 0);
	CHECK(strncmp(in.rfc_message_id, "sha256:", 7) == 0 && strlen(in.rfc_message_id) == 71);
	CHECK(take(cfg, "From: a@b.example\r\nSubject: HELPDESK x\r\n", "other body\r\n", &again) == 0);
	CHECK_STR(again.rfc_message_id, in.rfc_message_id);
	email_inbound_free(&in);
	email_inbound_free(&again);

	CHECK(take(cfg, "From: a@b.example\r\nSubject: Re: [HD-2611-0042] x\r\n"
		   "In-Reply-To: <hd.1.aa@helpdesk.example>\r\n"
		   "References: <orig@b.example> <hd.1.aa@helpdesk.example>\r\n", "ok\r\n", &in) == 0);
	CHECK(in.nrefs == 2);
	if (in.nrefs == 2) {
		CHECK_STR(in.refs[0], "hd.1.aa@helpdesk.example");
		CHECK_STR(in.refs[1], "orig@b.example");
	}
	email_inbound_free(&in);
}

static void
test_spool(struct hd_config *cfg)
{
	const char *body =
		"--XyZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLihat lampiran.\r\n"
		"--XyZ\r\nContent-Type: application/pdf\r\n"
		"Content-Disposition: attachment; filename=\"../../x\"\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IK\r\n--XyZ--\r\n";
	struct inbound in;
	char path[512];
	struct stat sb;

	CHECK(take(cfg, "From: a@b.example\r\nSubject: HELPDESK lampiran\r\nMIME-Version: 1.0\r\n"
		   "Content-Type: multipart/mixed; boundary=XyZ\r\n", body, &in) == 0);
	CHECK(in.natt == 1);
	if (in.natt == 1) {
		CHECK_STR(in.att[0].filename, "../../x");
		CHECK_STR(in.att[0].content_type, "application/pdf");
		CHECK(in.att[0].size == 15);
		CHECK(strstr(in.att[0].path, "..") == NULL && strncmp(in.att[0].path, "att/", 4) == 0);
		snprintf(path, sizeof(path), "%s/%s", spool, in.att[0].path);
		CHECK(stat(path, &sb) == 0 && sb.st_size == 15);
		char sha[65];
		sha256_hex("%PDF-1.4\n%\xc7\xec\x8f\xa2\n", 15, sha);
		CHECK_STR(in.att[0].sha256, sha);
	}
	snprintf(path, sizeof(path), "%s/%s", spool, in.raw_path ? in.raw_path : "?");
	CHECK(stat(path, &sb) == 0 && sb.st_size > 0);
	email_inbound_free(&in);
	/* Nothing was written outside the spool. */
	snprintf(path, sizeof(path), "%s/x", dir);
	CHECK(stat(path, &sb) < 0);

	/* Over max_size: only the header block is there; quarantined, answered. */
	struct email_src src = { .mailbox = "inbox", .uidvalidity = 7, .uid = 43, .headers_only = 1,
				 .size = 90000000 };
	const char *hdr = "From: a@b.example\r\nSubject: HELPDESK besar\r\n\r\n";
	CHECK(email_inbound(cfg, &src, hdr, strlen(hdr), &in) == 0);
	CHECK(in.too_large == 1 && in.quarantine != NULL && in.reply_ok == 1);
	email_inbound_free(&in);
}

static void
rm_tree(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

int
main(void)
{
	struct hd_config *cfg;

	snprintf(dir, sizeof(dir), "/tmp/hd-email-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(confpath, sizeof(confpath), "%s/t.conf", dir);
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	cfg = load_config();
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		test_keyword_place(cfg);
		test_loops(cfg);
		test_keys_and_refs(cfg);
		test_spool(cfg);
		config_free(cfg);
	}
	rm_tree(dir);
	return unit_done("email");
}
