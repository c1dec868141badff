/* test_mime.c: unit tests for parsers/mime*.c: headers, MIME tree, bodies, attachments, malformed input, fuzzing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"
#include "text.h"
#include "unit.h"

#define FFFD	"\xef\xbf\xbd"
#ifndef FUZZ_ITERS
#define FUZZ_ITERS	2500	/* raise with -DFUZZ_ITERS=... for a long run */
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED	0x6d696d65u	/* "mime" */
#endif
#define NDASH	"\xe2\x80\x93"

/* Parse an unterminated copy of raw[0..len) so that ASan catches overreads. */
static int
parse_n(const char *raw, size_t len, struct mail *m)
{
	char *copy = dup_exact(raw, len);
	int rc = mail_parse(copy, len, m);

	free(copy);
	return rc;
}

static int
parse(const char *raw, struct mail *m)
{
	return parse_n(raw, strlen(raw), m);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s (run from the repository root)\n", path);
		exit(2);
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* 1 when s is NULL or valid UTF-8 with no C0, DEL, C1, U+2028 or U+2029. */
static int
oneline_ok(const char *s)
{
	if (s == NULL)
		return 1;
	if (!utf8_valid(s, strlen(s)))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			return 0;
	}
	return 1;
}

/* The contract's invariants for any input; 1 when all hold. */
static int
invariants_ok(const struct mail *m, size_t len)
{
	const char *hs[] = { m->subject, m->from_addr, m->from_name, m->reply_to, m->message_id,
			     m->in_reply_to, m->return_path, m->auto_submitted, m->precedence,
			     m->problems };

	if (m->text == NULL || strlen(m->text) != m->text_len || !utf8_valid(m->text, m->text_len))
		return 0;
	if (m->header_len > len)
		return 0;
	for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
		if (!oneline_ok(hs[i]))
			return 0;
	if ((m->nreferences == 0) != (m->references == NULL))
		return 0;
	for (size_t i = 0; i < m->nreferences; i++)
		if (m->references[i] == NULL || m->references[i][0] == '\0' || !oneline_ok(m->references[i]))
			return 0;
	for (size_t i = 0; i < m->natt; i++) {
		const struct mail_attachment *a = &m->att[i];

		if (a->filename == NULL || !oneline_ok(a->filename) || a->content_type == NULL ||
		    !oneline_ok(a->content_type) || a->data == NULL || a->len == 0 || a->len > len)
			return 0;
	}
	return 1;
}

static int
has_problem(const struct mail *m, const char *needle)
{
	return m->problems != NULL && strstr(m->problems, needle) != NULL;
}

/* ---- table: whole messages ---- */

struct mcase {
	const char *raw;
	const char *subject;	/* NULL: absent */
	const char *from_addr;
	const char *from_name;
	const char *text;
	int from_html;
	size_t natt;
	const char *problem;	/* NULL: problems must be NULL; else a substring */
};

static const struct mcase cases[] = {
	/* Plain UTF-8, CRLF. */
	{ "From: \"Budi Santoso\" <budi.santoso@bappeda.example.go.id>\r\n"
	  "To: helpdesk@diskominfo.example.go.id\r\n"
	  "Subject: HELPDESK printer di ruang rapat tidak bisa mencetak\r\n"
	  "Date: Tue, 7 May 2024 09:15:00 +0700\r\n"
	  "MIME-Version: 1.0\r\n"
	  "Content-Type: text/plain; charset=utf-8\r\n"
	  "Content-Transfer-Encoding: 8bit\r\n"
	  "\r\n"
	  "HELPDESK Printer HP LaserJet di ruang rapat lantai 2 tidak bisa mencetak.\r\n"
	  "Lampu indikator berkedip oranye. Mohon dibantu \xe2\x80\x94 terima kasih.\r\n",
	  "HELPDESK printer di ruang rapat tidak bisa mencetak", "budi.santoso@bappeda.example.go.id",
	  "Budi Santoso",
	  "HELPDESK Printer HP LaserJet di ruang rapat lantai 2 tidak bisa mencetak.\n"
	  "Lampu indikator berkedip oranye. Mohon dibantu \xe2\x80\x94 terima kasih.\n", 0, 0, NULL },
	/* ISO-8859-1, quoted-printable, LF line ends. */
	{ "From: kantin@setda.example.go.id\n"
	  "Subject: HELPDESK =?iso-8859-1?Q?Caf=E9?= lantai 3\n"
	  "Content-Type: text/plain; charset=ISO-8859-1\n"
	  "Content-Transfer-Encoding: quoted-printable\n"
	  "\n"
	  "HELPDESK Komputer kasir di caf=E9 lantai 3 mati, layar biru.=\n"
	  " Total kerugian Rp 1.500 =96 tagihan =80 5.\n",
	  "HELPDESK Caf\xc3\xa9 lantai 3", "kantin@setda.example.go.id", NULL,
	  "HELPDESK Komputer kasir di caf\xc3\xa9 lantai 3 mati, layar biru. Total kerugian Rp 1.500 "
	  NDASH " tagihan \xe2\x82\xac 5.\n", 0, 0, NULL },
	/* windows-1252, 8bit: 0x96 is an en dash, 0x93/0x94 curly quotes, 0x81 undefined. */
	{ "From: keuangan@bpkad.example.go.id\r\n"
	  "Subject: HELPDESK tagihan\r\n"
	  "Content-Type: text/plain; charset=\"windows-1252\"\r\n"
	  "\r\n"
	  "HELPDESK Rp 1.500 \x96 tagihan \x93listrik\x94 caf\xe9\r\n",
	  "HELPDESK tagihan", "keuangan@bpkad.example.go.id", NULL,
	  "HELPDESK Rp 1.500 " NDASH " tagihan \xe2\x80\x9clistrik\xe2\x80\x9d caf\xc3\xa9\n", 0, 0, NULL },
	{ "From: a@b.go.id\r\nContent-Type: text/plain; charset=cp1252\r\n\r\nx\x81y",
	  NULL, "a@b.go.id", NULL, "x" FFFD "y", 0, 0, "bytes invalid in charset cp1252" },
	/* No charset: valid UTF-8 stays UTF-8, anything else is windows-1252. */
	{ "From: a@b.go.id\r\n\r\nHELPDESK jaringan putus \xe2\x80\x93 sejak pagi\r\n",
	  NULL, "a@b.go.id", NULL, "HELPDESK jaringan putus " NDASH " sejak pagi\n", 0, 0, NULL },
	{ "From: a@b.go.id\r\nContent-Type: text/plain\r\n\r\nHELPDESK caf\xe9 \x96 tutup\r\n",
	  NULL, "a@b.go.id", NULL, "HELPDESK caf\xc3\xa9 " NDASH " tutup\n", 0, 0, NULL },
	/* base64 body. */
	{ "From: operator@kecamatan.example.go.id\r\n"
	  "Subject: =?UTF-8?B?R2FuZ2d1YW4gamFyaW5nYW4g4oCTIGthbnRvciBrZWNhbWF0YW4=?=\r\n"
	  "Content-Type: text/plain; charset=UTF-8\r\n"
	  "Content-Transfer-Encoding: base64\r\n"
	  "\r\n"
	  "TW9ob24gYmFudHVhbjoga29tcHV0ZXIgdGlkYWsgbWVueWFsYS4NClN1ZGFo\r\n"
	  "IGRpY29iYSBnYW50aSBrYWJlbCBkYXlhLg0K\r\n",
	  "Gangguan jaringan " NDASH " kantor kecamatan", "operator@kecamatan.example.go.id", NULL,
	  "Mohon bantuan: komputer tidak menyala.\nSudah dicoba ganti kabel daya.\n", 0, 0, NULL },
	/* HTML only. */
	{ "From: a@b.go.id\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	  "<html><head><title>x</title></head><body><p>HELPDESK&nbsp;proyektor</p>"
	  "<p>rusak &amp; berasap</p></body></html>",
	  NULL, "a@b.go.id", NULL, "HELPDESK proyektor\n\nrusak & berasap", 1, 0, NULL },
	/* multipart/alternative: the plain part is the text, the HTML is dropped. */
	{ "From: a@b.go.id\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
	  "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHELPDESK teks biasa\r\n"
	  "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HELPDESK <b>html</b></p>\r\n"
	  "--alt--\r\n",
	  NULL, "a@b.go.id", NULL, "HELPDESK teks biasa", 0, 0, NULL },
	/* An empty plain alternative gives way to the HTML. */
	{ "From: a@b.go.id\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n"
	  "--alt\r\nContent-Type: text/plain\r\n\r\n \r\n"
	  "--alt\r\nContent-Type: text/html\r\n\r\n<div>HELPDESK scanner</div>\r\n"
	  "--alt--\r\n",
	  NULL, "a@b.go.id", NULL, "HELPDESK scanner", 1, 0, NULL },
	/* A text part marked as attachment is an attachment, not the text. */
	{ "From: a@b.go.id\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
	  "--m\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=log.txt\r\n\r\n"
	  "error 42\r\n--m--\r\n",
	  NULL, "a@b.go.id", NULL, "", 0, 1, NULL },
	/* Malformed: no blank line after the header. */
	{ "From: a@b.go.id\r\nSubject: x\r\nIni isi laporan\r\nbaris dua\r\n",
	  "x", "a@b.go.id", NULL, "Ini isi laporan\nbaris dua\n", 0, 0, "header not ended by a blank line" },
	/* Malformed: no header at all. */
	{ "HELPDESK printer rusak, tolong\r\n", NULL, NULL, NULL, "HELPDESK printer rusak, tolong\n", 0, 0,
	  "no header found" },
	/* Malformed: multipart without boundary. */
	{ "From: a@b.go.id\r\nContent-Type: multipart/mixed\r\n\r\nHELPDESK tanpa batas\r\n",
	  NULL, "a@b.go.id", NULL, "HELPDESK tanpa batas\n", 0, 0,
	  "multipart without boundary: body taken as text" },
	/* Malformed: the boundary never occurs. */
	{ "From: a@b.go.id\r\nContent-Type: multipart/mixed; boundary=\"\x01\x02garbage\"\r\n\r\n"
	  "--other\r\n\r\nHELPDESK isi\r\n--other--\r\n",
	  NULL, "a@b.go.id", NULL, "--other\n\nHELPDESK isi\n--other--\n", 0, 0,
	  "multipart boundary not found" },
	/* Malformed: unterminated multipart. */
	{ "From: a@b.go.id\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
	  "--b\r\nContent-Type: text/plain\r\n\r\nisi laporan\r\n",
	  NULL, "a@b.go.id", NULL, "isi laporan\n", 0, 0, "multipart not terminated" },
	/* Malformed: bad base64 (junk, missing padding). */
	{ "From: a@b.go.id\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVs!!bG8g*d2\r\n9ybGQ",
	  NULL, "a@b.go.id", NULL, "Hello world", 0, 0, "bad base64" },
	{ "From: a@b.go.id\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29ybGQhI",
	  NULL, "a@b.go.id", NULL, "Hello world!", 0, 0, "base64 truncated" },
	/* Malformed: quoted-printable with bad escapes. */
	{ "From: a@b.go.id\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
	  "a=ZZb=\r\nc =3D d=4 \t\r\nakhir=",
	  NULL, "a@b.go.id", NULL, "a=ZZbc = d=4\nakhir", 0, 0, "bad quoted-printable escape" },
	/* Malformed: unknown charset. */
	{ "From: a@b.go.id\r\nContent-Type: text/plain; charset=x-foo\r\n\r\ncaf\xe9",
	  NULL, "a@b.go.id", NULL, "caf\xc3\xa9", 0, 0, "unknown charset x-foo, read as windows-1252" },
	{ "From: a@b.go.id\r\nContent-Type: text/plain; charset=\"X-Foo\"\r\n\r\ncaf\xc3\xa9",
	  NULL, "a@b.go.id", NULL, "caf\xc3\xa9", 0, 0, "unknown charset X-Foo, read as UTF-8" },
	/* A label that lies: UTF-8 bytes labelled ISO-2022-JP. */
	{ "From: a@b.go.id\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\ncaf\xc3\xa9",
	  NULL, "a@b.go.id", NULL, "caf\xc3\xa9", 0, 0, "is UTF-8, read as UTF-8" },
	/* Malformed: NUL bytes (the length is sizeof - 1, not strlen). */
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
	/* Unknown transfer encoding. */
	{ "From: a@b.go.id\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nisi",
	  NULL, "a@b.go.id", NULL, "isi", 0, 0, "unknown transfer encoding x-uuencode" },
	/* Garbage Content-Type. */
	{ "From: a@b.go.id\r\nContent-Type: ;;; /\r\n\r\nHELPDESK halo",
	  NULL, "a@b.go.id", NULL, "HELPDESK halo", 0, 0, "unreadable Content-Type" },
	/* Lone CR: lines ended by CR alone, and stray CRs in a CRLF message. */
	{ "Subject: x\rFrom: a@b.go.id\r\rHELPDESK body\r",
	  "x", "a@b.go.id", NULL, "HELPDESK body\n", 0, 0, "lines ended by CR alone" },
	{ "Subject: a\rBcc: evil@x.com\r\nFrom: a@b.go.id\r\n\r\nline1\rline2\r\n",
	  "a Bcc: evil@x.com", "a@b.go.id", NULL, "line1\nline2\n", 0, 0, NULL },
	/* Empty header block, body only; and a header with no body at all. */
	{ "\r\nHELPDESK hanya isi", NULL, NULL, NULL, "HELPDESK hanya isi", 0, 0, NULL },
	{ "Subject: hanya header\r\n", "hanya header", NULL, NULL, "", 0, 0, NULL },
	/* An mbox envelope line is skipped. */
	{ "From budi@x.go.id Tue May  7 09:15:00 2024\nFrom: budi@x.go.id\n\nisi\n",
	  NULL, "budi@x.go.id", NULL, "isi\n", 0, 0, NULL },
	/* Byte order mark at the start of the text goes. */
	{ "From: a@b.go.id\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xef\xbb\xbfHELPDESK bom",
	  NULL, "a@b.go.id", NULL, "HELPDESK bom", 0, 0, NULL },
};

static const char nul_mail[] = "From: a@b.go.id\r\nSubject: a\0b\r\n\r\nhal\0o";

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct mcase *c = &cases[i];
		struct mail m;
		int rc;

		if (c->raw == NULL) {
			rc = parse_n(nul_mail, sizeof nul_mail - 1, &m);
			CHECK(rc == 0);
			CHECK_STR(m.subject, "a b");
			CHECK_STR(m.text, "hal" FFFD "o");
			CHECK(m.text_len == strlen("hal" FFFD "o"));
			CHECK(has_problem(&m, "NUL bytes in the text"));
			CHECK(invariants_ok(&m, sizeof nul_mail - 1));
			mail_free(&m);
			continue;
		}
		rc = parse(c->raw, &m);
		CHECK(rc == 0);
		if (c->subject != NULL)
			CHECK_STR(m.subject, c->subject);
		else
			CHECK(m.subject == NULL);
		if (c->from_addr != NULL)
			CHECK_STR(m.from_addr, c->from_addr);
		else
			CHECK(m.from_addr == NULL);
		if (c->from_name != NULL)
			CHECK_STR(m.from_name, c->from_name);
		else
			CHECK(m.from_name == NULL);
		CHECK_STR(m.text, c->text);
		CHECK(m.text != NULL && m.text_len == strlen(m.text));
		CHECK(m.text_from_html == c->from_html);
		CHECK(m.natt == c->natt);
		if (c->problem == NULL) {
			CHECK(m.problems == NULL);
			if (m.problems != NULL)
				fprintf(stderr, "  case %zu: problems \"%s\"\n", i, m.problems);
		} else {
			CHECK(has_problem(&m, c->problem));
			if (!has_problem(&m, c->problem))
				fprintf(stderr, "  case %zu: problems \"%s\", want \"%s\"\n", i,
					m.problems ? m.problems : "(null)", c->problem);
		}
		CHECK(invariants_ok(&m, strlen(c->raw)));
		mail_free(&m);
	}
}

/* ---- subjects: RFC 2047 ---- */

static const struct {
	const char *in, *out;
	const char *problem;
} subjects[] = {
	{ "=?UTF-8?B?R2FuZ2d1YW4gamFyaW5nYW4g4oCTIGthbnRvciBrZWNhbWF0YW4=?=",
	  "Gangguan jaringan " NDASH " kantor kecamatan", NULL },
	{ "=?iso-8859-1?Q?Caf=E9_kantin_rusak?=", "Caf\xc3\xa9 kantin rusak", NULL },
	/* A character split across two words. */
	{ "=?UTF-8?B?TGFwb3JhbiDigA==?= =?UTF-8?B?kyBwcmludGVyIHJ1c2Fr?=",
	  "Laporan " NDASH " printer rusak", NULL },
	{ "=?utf-8?q?Laporan_=E2=80?=\r\n =?UTF-8?Q?=93_printer?=", "Laporan " NDASH " printer", NULL },
	{ "Re: =?utf-8?q?Printer_rusak?= lagi", "Re: Printer rusak lagi", NULL },
	{ "=?utf-8?q?a?= =?utf-8?q?b?=", "ab", NULL },
	{ "=?utf-8?q?a?=  \r\n\t=?iso-8859-1?q?_b?=", "a b", NULL },
	{ "=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", NULL },
	{ "Re:=?utf-8?q?x?=", "Re:x", NULL },
	{ "=?x-foo?Q?caf=E9?=", "caf\xc3\xa9", "unknown charset x-foo, read as windows-1252" },
	{ "Printer rusak " NDASH " mohon bantuan", "Printer rusak " NDASH " mohon bantuan", NULL },
	{ "Caf\xe9 \x96 kantin", "Caf\xc3\xa9 " NDASH " kantin", NULL },
	{ "=?UTF-8?Q?a=0D=0ABcc:_x@y?=", "a Bcc: x@y", NULL },
	{ "=?utf-8?b?SGFsbw", "=?utf-8?b?SGFsbw", NULL },
	{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", NULL },
	{ "=?windows-1252?Q?=93Kutip=94?=", "\xe2\x80\x9cKutip\xe2\x80\x9d", NULL },
	{ "=?UTF-8*id?Q?Halo?=", "Halo", NULL },
	{ "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", NULL },
	{ "=?koi8-r?B?8NLJztTF0g==?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbd\xd1\x82\xd0\xb5\xd1\x80", NULL },
	{ "HELPDESK\t  printer\r\n   rusak  ", "HELPDESK printer rusak", NULL },
	{ "=?utf-8?q?tab=09and=7Fdel=C2=85nel?=", "tab and del nel", NULL },
	{ "", "", NULL },
	{ "=?utf-8?b?!!!?=", "", "bad base64 in an encoded word" },
	{ "=?utf-8?q?caf=C3?=", "caf" FFFD, "bytes invalid in charset utf-8" },
};

static void
test_subjects(void)
{
	for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		char raw[512];
		struct mail m;
		int n = snprintf(raw, sizeof raw, "Subject: %s\r\nFrom: a@b.go.id\r\n\r\nx", subjects[i].in);

		CHECK(parse_n(raw, (size_t)n, &m) == 0);
		CHECK_STR(m.subject, subjects[i].out);
		if (subjects[i].problem != NULL)
			CHECK(has_problem(&m, subjects[i].problem));
		else
			CHECK(m.problems == NULL);
		CHECK(invariants_ok(&m, (size_t)n));
		mail_free(&m);
	}
	/* A long subject is cut to one bounded line. */
	{
		size_t n = 20000;
		char *raw = malloc(n);
		struct mail m;

		memcpy(raw, "Subject: ", 9);
		for (size_t i = 9; i < n - 4; i++)
			raw[i] = (char)('a' + i % 26);
		memcpy(raw + n - 4, "\r\n\r\n", 4);
		CHECK(parse_n(raw, n, &m) == 0);
		CHECK(m.subject != NULL && strlen(m.subject) <= 998 && strlen(m.subject) > 900);
		CHECK(m.subject != NULL && strcmp(m.subject + strlen(m.subject) - 3, "...") == 0);
		CHECK(m.header_len == n);
		mail_free(&m);
		free(raw);
	}
}

/* ---- addresses ---- */

static const struct {
	const char *from;
	const char *addr, *name;
} froms[] = {
	{ "\"Budi Santoso\" <budi@bappeda.example.go.id>", "budi@bappeda.example.go.id", "Budi Santoso" },
	{ "Budi Santoso, S.Kom <budi@x.go.id>", "budi@x.go.id", "Budi Santoso, S.Kom" },
	{ "budi@x.go.id (Budi Santoso)", "budi@x.go.id", "Budi Santoso" },
	{ "=?UTF-8?B?U3JpIFdhaHl1bmk=?= <sri@x.go.id>", "sri@x.go.id", "Sri Wahyuni" },
	{ "\"=?UTF-8?B?U3JpIFdhaHl1bmk=?=\" <sri@x.go.id>", "sri@x.go.id", "Sri Wahyuni" },
	{ "<budi@x.go.id>", "budi@x.go.id", NULL },
	{ "budi@x.go.id", "budi@x.go.id", NULL },
	{ "  budi @ x.go.id  ", "budi@x.go.id", NULL },
	{ "a@x.go.id, Budi <b@y.go.id>", "a@x.go.id", NULL },
	{ "Undisclosed recipients:;", "", NULL },
	{ "MAILER-DAEMON", "MAILER-DAEMON", NULL },
	{ "Budi Santoso", "", "Budi Santoso" },
	{ "\"Budi \\\"BS\\\" Santoso\" <b@x.go.id>", "b@x.go.id", "Budi \"BS\" Santoso" },
	{ "Jos\xe9 <j@x.go.id>", "j@x.go.id", "Jos\xc3\xa9" },
	{ "Budi <budi@x.go.id", "budi@x.go.id", "Budi" },
	{ "Tim TI: ti@x.go.id, tu@x.go.id;", "ti@x.go.id", NULL },
	{ "<@relay.x.go.id:budi@x.go.id>", "budi@x.go.id", NULL },
	{ "=?UTF-8?Q?Budi=0D=0ABcc:_x@y?= <b@x.go.id>", "b@x.go.id", "Budi Bcc: x@y" },
	{ "Budi (Dinas (Kominfo)) <b@x.go.id>", "b@x.go.id", "Budi" },
	{ "\"unterminated <b@x.go.id>", "\"unterminated<b@x.go.id>", NULL },
};

static void
test_addresses(void)
{
	for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
		char raw[512];
		struct mail m;
		int n = snprintf(raw, sizeof raw, "From: %s\r\n\r\nx", froms[i].from);

		CHECK(parse_n(raw, (size_t)n, &m) == 0);
		CHECK_STR(m.from_addr, froms[i].addr);
		if (froms[i].name != NULL)
			CHECK_STR(m.from_name, froms[i].name);
		else
			CHECK(m.from_name == NULL);
		if (froms[i].name == NULL && m.from_name != NULL)
			fprintf(stderr, "  from %zu: name \"%s\"\n", i, m.from_name);
		CHECK(invariants_ok(&m, (size_t)n));
		mail_free(&m);
	}
	{
		struct mail m;

		CHECK(parse("Return-Path: <>\r\nReply-To: Tim TI <tim.ti@x.go.id>\r\n\r\n", &m) == 0);
		CHECK_STR(m.return_path, "");
		CHECK_STR(m.reply_to, "tim.ti@x.go.id");
		CHECK(m.from_addr == NULL && m.from_name == NULL);
		mail_free(&m);
		CHECK(parse("Return-Path: < >\r\n\r\n", &m) == 0);
		CHECK_STR(m.return_path, "");
		mail_free(&m);
		CHECK(parse("Return-Path: <bounce+123=x@lists.x.go.id>\r\nReturn-Path: <other@x>\r\n\r\n", &m) == 0);
		CHECK_STR(m.return_path, "bounce+123=x@lists.x.go.id");
		CHECK(m.reply_to == NULL);
		mail_free(&m);
		CHECK(parse("Subject: x\r\n\r\n", &m) == 0);
		CHECK(m.return_path == NULL);
		mail_free(&m);
	}
}

/* ---- msg-ids ---- */

static void
test_msgids(void)
{
	struct mail m;
	size_t len;
	char *raw;

	CHECK(parse("Message-ID: <20240507.abc@x.go.id>\r\n"
		    "In-Reply-To: Your message of Tue, 7 May 2024 <orig@x.go.id> (sent)\r\n"
		    "References: <root@x.go.id> <mid@x.go.id>\r\n <orig@x.go.id>\r\n\r\n", &m) == 0);
	CHECK_STR(m.message_id, "20240507.abc@x.go.id");
	CHECK_STR(m.in_reply_to, "orig@x.go.id");
	CHECK(m.nreferences == 3);
	if (m.nreferences == 3) {
		CHECK_STR(m.references[0], "root@x.go.id");
		CHECK_STR(m.references[1], "mid@x.go.id");
		CHECK_STR(m.references[2], "orig@x.go.id");
	}
	mail_free(&m);

	/* Without <>, folded inside, empty, commas, junk. */
	CHECK(parse("Message-ID: abc@x.go.id\r\nIn-Reply-To: <a@b> <c@d>\r\n"
		    "References: <a@b>,<c\r\n @d>\r\n\r\n", &m) == 0);
	CHECK_STR(m.message_id, "abc@x.go.id");
	CHECK_STR(m.in_reply_to, "a@b");
	CHECK(m.nreferences == 2 && strcmp(m.references[1], "c@d") == 0);
	mail_free(&m);
	CHECK(parse("Message-ID: <>\r\nIn-Reply-To: junk only\r\nReferences: a@b c@d junk\r\n\r\n", &m) == 0);
	CHECK(m.message_id == NULL);
	CHECK(m.in_reply_to == NULL);
	CHECK(m.nreferences == 2 && strcmp(m.references[0], "a@b") == 0 && strcmp(m.references[1], "c@d") == 0);
	mail_free(&m);
	CHECK(parse("In-Reply-To: orig@x.go.id\r\nReferences:\r\nMessage-ID: <a\x01\x7f@b\r\n\r\n", &m) == 0);
	CHECK_STR(m.in_reply_to, "orig@x.go.id");
	CHECK(m.nreferences == 0 && m.references == NULL);
	CHECK_STR(m.message_id, "a@b");
	mail_free(&m);

	/* 150 references: the first and the last 99 are kept. */
	raw = malloc(150 * 24 + 64);
	len = (size_t)sprintf(raw, "References:");
	for (int i = 0; i < 150; i++)
		len += (size_t)sprintf(raw + len, " <r%d@x>", i);
	len += (size_t)sprintf(raw + len, "\r\n\r\n");
	CHECK(parse_n(raw, len, &m) == 0);
	CHECK(m.nreferences == 100);
	if (m.nreferences == 100) {
		CHECK_STR(m.references[0], "r0@x");
		CHECK_STR(m.references[1], "r51@x");
		CHECK_STR(m.references[99], "r149@x");
	}
	mail_free(&m);
	free(raw);
}

/* ---- dates ---- */

static const struct {
	const char *in;
	int64_t ms;
} dates[] = {
	{ "Tue, 7 May 2024 09:15:00 +0700", 1715048100000 },
	{ "7 May 2024 09:15 +0700", 1715048100000 },
	{ "Tue, 07 May 24 09:15:00 WIB", 1715048100000 },
	{ "Tue, 7 May 2024 09:15:00 +0700 (WIB)", 1715048100000 },
	{ "Tue, 7 May 2024 09:15:00 +07:00", 1715048100000 },
	{ "Tue, 7 May 2024 02:15:00 GMT", 1715048100000 },
	{ "Tue, 7 May 2024 10:15:00 WITA", 1715048100000 },
	{ "Tue, 7 May 2024 11:15:00 WIT", 1715048100000 },
	{ "Tue, 7 May 2024 09:15:00 GMT", 1715073300000 },
	{ "Tue, 7 May 2024 09:15:00 -0500 (EST)", 1715091300000 },
	{ "Tue,\r\n  7 May 2024 09:15:00 EDT", 1715087700000 },
	{ "Tue May  7 09:15:00 2024", 1715073300000 },
	{ "7 May 124 09:15:00 +0000", 1715073300000 },
	{ "Tue, 7 May 2024 09:15:00 XYZ", 1715073300000 },	/* unknown zone: +0000 */
	{ "Tue, 7 May 2024 09:15:00 Z", 1715073300000 },
	{ "Tue, 7 May 2024 09:15:00.123 +0000", 1715073300000 },
	{ "Tue, 7 May 2024 09:15:60 +0000", 1715073359000 },
	{ "7 May 2024 9:15:00 PM +0700", 1715091300000 },
	{ "Kamis, 29 Feb 2024 23:59:59 +0700", 1709225999000 },
	{ "Sel, 7 Mei 2024 09:15 +0700", 1715048100000 },
	{ "31 Dec 49 00:00:00 +0000", 2524521600000 },
	{ "1 Jan 99 00:00:00 +0000", 915148800000 },
	{ "29 Feb 2023 10:00:00 +0000", 0 },
	{ "31 Apr 2024 10:00:00 +0000", 0 },
	{ "Tue, 7 May 2024 25:00:00 +0000", 0 },
	{ "Tue, 7 May 2024 +0000", 0 },
	{ "2024-05-07 09:15:00", 0 },
	{ "Sel, 7 Mei 2024 09.15", 0 },
	{ "31 Dec 1969 23:00:00 +0000", 0 },
	{ "garbage", 0 },
	{ "", 0 },
	{ "7 May 2024 09:15:00 +0799", 0 },
};

static void
test_dates(void)
{
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		char raw[256];
		struct mail m;
		int n = snprintf(raw, sizeof raw, "Date: %s\r\n\r\n", dates[i].in);

		CHECK(parse_n(raw, (size_t)n, &m) == 0);
		CHECK(m.date == dates[i].ms);
		if (m.date != dates[i].ms)
			fprintf(stderr, "  date \"%s\": got %lld\n", dates[i].in, (long long)m.date);
		CHECK((dates[i].ms == 0) == has_problem(&m, "unreadable Date"));
		mail_free(&m);
	}
	{
		struct mail m;

		CHECK(parse("Subject: x\r\n\r\n", &m) == 0);
		CHECK(m.date == 0 && m.problems == NULL);
		mail_free(&m);
	}
}

/* ---- loop-protection headers ---- */

static void
test_loop_headers(void)
{
	struct mail m;

	CHECK(parse("Auto-Submitted: Auto-Replied (vacation)\r\nPrecedence: Bulk\r\n"
		    "List-Id: Pengumuman <pengumuman.x.go.id>\r\nX-Autoreply: yes\r\n\r\n", &m) == 0);
	CHECK_STR(m.auto_submitted, "auto-replied");
	CHECK_STR(m.precedence, "bulk");
	CHECK(m.list_headers == 1);
	CHECK(m.autoreply_headers == 1);
	CHECK(m.is_report == 0);
	mail_free(&m);
	CHECK(parse("auto-submitted: no\r\nLIST-UNSUBSCRIBE: <mailto:u@x>\r\n"
		    "X-Auto-Response-Suppress: All\r\n\r\n", &m) == 0);
	CHECK_STR(m.auto_submitted, "no");
	CHECK(m.precedence == NULL);
	CHECK(m.list_headers == 1 && m.autoreply_headers == 1);
	mail_free(&m);
	CHECK(parse("X-Autorespond: 1\r\nPrecedence:  junk ; x\r\n\r\n", &m) == 0);
	CHECK(m.autoreply_headers == 1 && m.list_headers == 0);
	CHECK_STR(m.precedence, "junk");
	CHECK(m.auto_submitted == NULL);
	mail_free(&m);
	CHECK(parse("From: a@b\r\n\r\n", &m) == 0);
	CHECK(m.list_headers == 0 && m.autoreply_headers == 0 && m.auto_submitted == NULL);
	mail_free(&m);
	/* A read receipt is a report too. */
	CHECK(parse("Content-Type: multipart/mixed; boundary=r\r\n\r\n--r\r\n"
		    "Content-Type: message/disposition-notification\r\n\r\nReporting-UA: x\r\n--r--\r\n", &m) == 0);
	CHECK(m.is_report == 1 && m.natt == 1);
	mail_free(&m);
}

/* ---- sample files ---- */

static unsigned char *
sample_pdf(size_t *len)
{
	static const char head[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", tail[] = "%%EOF\n";
	unsigned char *p = malloc(sizeof head - 1 + 3000 + sizeof tail - 1);
	size_t n = 0;

	memcpy(p, head, sizeof head - 1);
	n += sizeof head - 1;
	for (int i = 0; i < 3000; i++)
		p[n++] = (unsigned char)((i * 7) % 256);
	memcpy(p + n, tail, sizeof tail - 1);
	*len = n + sizeof tail - 1;
	return p;
}

static unsigned char *
sample_png(size_t *len)
{
	unsigned char *p = malloc(8 + 1200);

	memcpy(p, "\x89PNG\r\n\x1a\n", 8);
	for (int i = 0; i < 1200; i++)
		p[8 + i] = (unsigned char)((i * 13 + 5) % 256);
	*len = 8 + 1200;
	return p;
}

static void
test_files(void)
{
	size_t len, plen, glen;
	unsigned char *pdf = sample_pdf(&plen), *png = sample_png(&glen);
	char *raw;
	struct mail m;

	/* Outlook: mixed[related[alternative[plain, html], png], pdf]. */
	raw = slurp("tests/unit/mail/outlook_related.eml", &len);
	CHECK(parse_n(raw, len, &m) == 0);
	CHECK_STR(m.subject, "HELPDESK Printer bidang P2P macet (lampiran laporan & foto)");
	CHECK_STR(m.from_addr, "siti.rahayu@dinkes.example.go.id");
	CHECK_STR(m.from_name, "Siti Rahayu, S.Kom");
	CHECK_STR(m.return_path, "siti.rahayu@dinkes.example.go.id");
	CHECK_STR(m.message_id, "SG2PR06MB5310A1B2C3D4E5F6@SG2PR06MB5310.apcprd06.prod.outlook.com");
	CHECK(m.date == 1715137325000);
	CHECK(m.text_from_html == 0);
	CHECK(m.text != NULL && strncmp(m.text, "HELPDESK Printer di bidang P2P macet", 36) == 0);
	CHECK(m.text != NULL && strstr(m.text, "Siti Rahayu " NDASH " Dinas Kesehatan") != NULL);
	CHECK(m.natt == 2);
	if (m.natt == 2) {
		CHECK_STR(m.att[0].filename, "image001.png");
		CHECK_STR(m.att[0].content_type, "image/png");
		CHECK(m.att[0].is_inline == 1);
		CHECK(m.att[0].len == glen && memcmp(m.att[0].data, png, glen) == 0);
		CHECK_STR(m.att[1].filename, "Laporan Kerusakan " NDASH " Printer.pdf");
		CHECK_STR(m.att[1].content_type, "application/pdf");
		CHECK(m.att[1].is_inline == 0);
		CHECK(m.att[1].len == plen && memcmp(m.att[1].data, pdf, plen) == 0);
	}
	CHECK(m.header_len > 0 && m.header_len < len && memcmp(raw + m.header_len, "--_004_", 7) == 0);
	CHECK(m.problems == NULL);
	mail_free(&m);
	free(raw);

	/* Apple Mail: alternative[plain, related[html, png]], LF, no disposition. */
	raw = slurp("tests/unit/mail/apple_alt_related.eml", &len);
	CHECK(parse_n(raw, len, &m) == 0);
	CHECK_STR(m.subject, "HELPDESK Wi-Fi ruang guru SMPN 2 putus" NDASH "sambung");
	CHECK_STR(m.text, "HELPDESK Wi-Fi ruang guru putus-sambung sejak Senin.\nTangkapan layar terlampir.\n");
	CHECK(m.natt == 1);
	if (m.natt == 1) {
		CHECK_STR(m.att[0].filename, "Screen Shot 2024-05-09 at 14.19.02.png");
		CHECK(m.att[0].is_inline == 1);
		CHECK(m.att[0].len == glen && memcmp(m.att[0].data, png, glen) == 0);
	}
	CHECK(m.problems == NULL);
	mail_free(&m);
	free(raw);

	/* A delivery status notification. */
	raw = slurp("tests/unit/mail/dsn_bounce.eml", &len);
	CHECK(parse_n(raw, len, &m) == 0);
	CHECK(m.is_report == 1);
	CHECK_STR(m.return_path, "");
	CHECK_STR(m.auto_submitted, "auto-replied");
	CHECK_STR(m.from_addr, "MAILER-DAEMON@mx.diskominfo.example.go.id");
	CHECK(m.text != NULL && strncmp(m.text, "This is the mail system", 23) == 0);
	CHECK(m.natt == 2);
	if (m.natt == 2) {
		CHECK_STR(m.att[0].content_type, "message/delivery-status");
		CHECK_STR(m.att[1].content_type, "message/rfc822");
		CHECK(m.att[1].len > 10 && memcmp(m.att[1].data, "From: helpdesk@", 15) == 0);
	}
	mail_free(&m);
	free(raw);

	/* Gmail reply: QP with an emoji split by a soft break; threading headers. */
	raw = slurp("tests/unit/mail/gmail_reply.eml", &len);
	CHECK(parse_n(raw, len, &m) == 0);
	CHECK_STR(m.in_reply_to, "CAJx9=Qm1aB2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ@mail.gmail.com");
	CHECK(m.nreferences == 2 && strcmp(m.references[0], "hd-2405-0042.1@diskominfo.example.go.id") == 0);
	CHECK(m.text != NULL &&
	      strncmp(m.text, "Printernya sudah bisa dipakai lagi, terima kasih banyak Pak Teknisi \xf0\x9f\x99\x8f\n", 73) == 0);
	CHECK(m.natt == 0);
	CHECK(m.problems == NULL);
	mail_free(&m);
	free(raw);

	/* Outlook Express: HTML only, windows-1252, raw 8-bit subject, obsolete date. */
	raw = slurp("tests/unit/mail/oe_html_only.eml", &len);
	CHECK(parse_n(raw, len, &m) == 0);
	CHECK_STR(m.subject, "HELPDESK Aplikasi SIMPEG error " NDASH " tidak bisa login");
	CHECK_STR(m.from_name, "Kantor Camat Sukamaju");
	CHECK(m.date == 1715659380000);
	CHECK(m.text_from_html == 1);
	CHECK_STR(m.text, "HELPDESK Aplikasi SIMPEG error " NDASH " tidak bisa login sejak pagi.\n\n"
		  "Pesan: \xe2\x80\x9cSesi habis\xe2\x80\x9d\n\n- PC operator 1\n- PC operator 2\n\n"
		  "Lihat halaman status (https://simpeg.example.go.id/status) & hubungi.");
	mail_free(&m);
	free(raw);
	free(pdf);
	free(png);
}

/* ---- attachments and filenames ---- */

static const struct {
	const char *headers;	/* the part's Content-Type and Content-Disposition lines */
	const char *filename;
	const char *ctype;
	int is_inline;
} atts[] = {
	{ "Content-Type: application/pdf\r\n"
	  "Content-Disposition: attachment; filename*=UTF-8''Laporan%20Kerusakan%20%E2%80%93%20Printer.pdf\r\n",
	  "Laporan Kerusakan " NDASH " Printer.pdf", "application/pdf", 0 },
	{ "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
	  "Content-Disposition: attachment;\r\n filename*0*=UTF-8''Laporan%20Bulanan%20;\r\n"
	  " filename*1*=Mei%202024%20%E2%80%93%20;\r\n filename*2=\"Dinas Kominfo.xlsx\"\r\n",
	  "Laporan Bulanan Mei 2024 " NDASH " Dinas Kominfo.xlsx",
	  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 0 },
	/* Sections out of order, plain continuations. */
	{ "Content-Type: application/pdf\r\n"
	  "Content-Disposition: attachment; filename*1=\"Mei.pdf\"; filename*0=\"Laporan \"\r\n",
	  "Laporan Mei.pdf", "application/pdf", 0 },
	{ "Content-Type: text/plain; name=\"=?iso-8859-1?Q?Caf=E9.txt?=\"\r\n"
	  "Content-Disposition: attachment\r\n", "Caf\xc3\xa9.txt", "text/plain", 0 },
	{ "Content-Type: application/octet-stream; name=\"../../x\"\r\n"
	  "Content-Disposition: attachment; filename=\"../../x\"\r\n", "../../x", "application/octet-stream", 0 },
	{ "Content-Type: application/pdf\r\n"
	  "Content-Disposition: attachment; filename=\"C:\\Users\\budi\\laporan.pdf\"\r\n",
	  "C:\\Users\\budi\\laporan.pdf", "application/pdf", 0 },
	{ "Content-Type: application/pdf\r\n"
	  "Content-Disposition: attachment; filename=\"=?UTF-8?Q?a=0D=0Ab.pdf?=\"\r\n", "a b.pdf",
	  "application/pdf", 0 },
	{ "Content-Type: application/pdf\r\n"
	  "Content-Disposition: attachment; filename=laporan akhir.pdf ; size=3\r\n", "laporan akhir.pdf",
	  "application/pdf", 0 },
	{ "Content-Type: application/pdf\r\n"
	  "Content-Disposition: attachment; filename*=iso-8859-1'id'caf%E9%ZZ.pdf\r\n", "caf\xc3\xa9%ZZ.pdf",
	  "application/pdf", 0 },
	{ "Content-Type: IMAGE/JPEG\r\nContent-Disposition: INLINE\r\n", "", "image/jpeg", 1 },
	{ "Content-Type: image/gif\r\nContent-ID: <logo@x>\r\n", "", "image/gif", 1 },
	{ "Content-Type: application/zip\r\nContent-Disposition: form-data; name=x\r\n", "", "application/zip", 0 },
	{ "Content-Type: application\r\nContent-Disposition: attachment; filename=\"\"\r\n", "",
	  "application/octet-stream", 0 },
};

static void
test_attachments(void)
{
	for (size_t i = 0; i < sizeof atts / sizeof atts[0]; i++) {
		char raw[1024];
		struct mail m;
		int n = snprintf(raw, sizeof raw,
				 "From: a@b.go.id\r\nContent-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n"
				 "--=_b\r\nContent-Type: text/plain\r\n\r\nHELPDESK lampiran\r\n"
				 "--=_b\r\n%sContent-Transfer-Encoding: base64\r\n\r\nAAEC/w==\r\n--=_b--\r\n",
				 atts[i].headers);

		CHECK(parse_n(raw, (size_t)n, &m) == 0);
		CHECK_STR(m.text, "HELPDESK lampiran");
		CHECK(m.natt == 1);
		if (m.natt == 1) {
			CHECK_STR(m.att[0].filename, atts[i].filename);
			CHECK_STR(m.att[0].content_type, atts[i].ctype);
			CHECK(m.att[0].is_inline == atts[i].is_inline);
			CHECK(m.att[0].len == 4 && memcmp(m.att[0].data, "\x00\x01\x02\xff", 4) == 0);
		}
		CHECK(invariants_ok(&m, (size_t)n));
		mail_free(&m);
	}
}

/* ---- header injection ---- */

static void
test_injection(void)
{
	static const char raw[] =
		"From: =?UTF-8?Q?Budi=0D=0ABcc:_victim@x.com?= <budi@x.go.id>\r\n"
		"Subject: =?UTF-8?Q?a=0D=0ABcc:_x@y?=\r\n"
		"Reply-To: <evil@x.com\r\n Bcc: victim@x.com>\r\n"
		"Message-ID: <id\r\nBcc: x@y>\r\n"
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		"--b\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?YQ0KQmNjOiB4QHkucGRm?=\"\r\n\r\nx\r\n--b--\r\n";
	struct mail m;

	CHECK(parse_n(raw, sizeof raw - 1, &m) == 0);
	CHECK_STR(m.subject, "a Bcc: x@y");
	CHECK_STR(m.from_name, "Budi Bcc: victim@x.com");
	CHECK(m.reply_to != NULL && strchr(m.reply_to, '\n') == NULL && strchr(m.reply_to, ' ') == NULL);
	CHECK(m.message_id != NULL && strchr(m.message_id, '\r') == NULL);
	CHECK(m.natt == 1 && strcmp(m.att[0].filename, "a Bcc: x@y.pdf") == 0);
	CHECK(invariants_ok(&m, sizeof raw - 1));
	mail_free(&m);
}

/* ---- limits: nesting, part count, size ---- */

static void
test_limits(void)
{
	struct mail m;
	size_t cap = 1 << 20, n = 0;
	char *raw = malloc(cap);
	clock_t t0;
	double secs;

	/* 100 nested multiparts. */
	n += (size_t)sprintf(raw + n, "From: a@b.go.id\r\n");
	for (int d = 0; d < 100; d++)
		n += (size_t)sprintf(raw + n, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", d, d);
	n += (size_t)sprintf(raw + n, "Content-Type: text/plain\r\n\r\nHELPDESK dalam sekali\r\n");
	for (int d = 99; d >= 0; d--)
		n += (size_t)sprintf(raw + n, "--b%d--\r\n", d);
	CHECK(parse_n(raw, n, &m) == 0);
	CHECK(has_problem(&m, "nesting deeper than 32 levels cut"));
	CHECK_STR(m.text, "");
	CHECK(invariants_ok(&m, n));
	mail_free(&m);

	/* 10,000 parts: the first 1000 entities count. */
	n = (size_t)sprintf(raw, "From: a@b.go.id\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)sprintf(raw + n, "--p\r\nContent-Type: text/plain\r\n\r\np%d\r\n", i);
	n += (size_t)sprintf(raw + n, "--p--\r\n");
	t0 = clock();
	CHECK(parse_n(raw, n, &m) == 0);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(secs < 2.0);
	CHECK(has_problem(&m, "more than 1000 MIME parts"));
	CHECK_STR(m.text, "p0");
	CHECK(m.natt == 998);
	CHECK(invariants_ok(&m, n));
	mail_free(&m);
	free(raw);

	/* A 5 MB base64 attachment decodes exactly and fast. */
	{
		static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		size_t dlen = 5 * 1024 * 1024 + 2, k = 0, col = 0;
		unsigned char *data = malloc(dlen);
		char *msg = malloc(dlen * 2 + 1024);

		for (size_t i = 0; i < dlen; i++)
			data[i] = (unsigned char)(rng() >> 56);
		k = (size_t)sprintf(msg, "From: a@b.go.id\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n"
				    "--z\r\nContent-Type: text/plain\r\n\r\nHELPDESK rekaman CCTV\r\n"
				    "--z\r\nContent-Type: video/mp4\r\nContent-Disposition: attachment; filename=cctv.mp4\r\n"
				    "Content-Transfer-Encoding: base64\r\n\r\n");
		for (size_t i = 0; i < dlen; i += 3) {
			uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < dlen ? (uint32_t)data[i + 1] << 8 : 0) |
				     (i + 2 < dlen ? data[i + 2] : 0);

			msg[k++] = b64[v >> 18];
			msg[k++] = b64[v >> 12 & 63];
			msg[k++] = i + 1 < dlen ? b64[v >> 6 & 63] : '=';
			msg[k++] = i + 2 < dlen ? b64[v & 63] : '=';
			if ((col += 4) == 76) {
				msg[k++] = '\r';
				msg[k++] = '\n';
				col = 0;
			}
		}
		k += (size_t)sprintf(msg + k, "\r\n--z--\r\n");
		t0 = clock();
		CHECK(parse_n(msg, k, &m) == 0);
		secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		CHECK(secs < 3.0);
		printf("mime: 5 MB base64 attachment parsed in %.2f s\n", secs);
		CHECK(m.natt == 1 && m.att[0].len == dlen && memcmp(m.att[0].data, data, dlen) == 0);
		CHECK_STR(m.text, "HELPDESK rekaman CCTV");
		CHECK(m.problems == NULL);
		mail_free(&m);
		free(data);
		free(msg);
	}

	/* Empty and NULL input. */
	CHECK(mail_parse(NULL, 0, &m) == 0);
	CHECK_STR(m.text, "");
	CHECK(m.header_len == 0 && m.problems == NULL);
	mail_free(&m);
	mail_free(&m);	/* twice is harmless */
	mail_free(NULL);
}

/* ---- fuzzing ---- */

static const char *const tokens[] = {
	"=?", "?=", "=?utf-8?b?", "=?x-foo?q?=E9", "--", "\r\n", "\n\n", "\r", "\0", "boundary=",
	"Content-Type: multipart/mixed; boundary=x\r\n", "Content-Transfer-Encoding: base64\r\n",
	"Content-Transfer-Encoding: quoted-printable\r\n", "filename*0*=", "%E2%80", "\"", "<", ">",
	"&#x", "&amp", "<a href=\"", "<script>", "(", ")", "\\", ";", "\xff", "\xe2\x80", "=\r\n", "=Z",
};

/* Apply one random mutation to buf (len, capacity cap). */
static void
mutate(char *buf, size_t *len, size_t cap)
{
	size_t n = *len, pos = n > 0 ? (size_t)(rng() % n) : 0;

	switch (rng() % 8) {
	case 0:	/* flip bytes */
		for (int k = 0; k < 4 && n > 0; k++)
			buf[rng() % n] = (char)(rng() >> 56);
		break;
	case 1:	/* truncate */
		*len = pos;
		break;
	case 2:	/* insert NULs */
		if (n + 3 <= cap) {
			memmove(buf + pos + 3, buf + pos, n - pos);
			memset(buf + pos, 0, 3);
			*len = n + 3;
		}
		break;
	case 3:	/* duplicate a boundary-looking line */
	case 4: {	/* or remove one */
		const char *p = n > 0 ? memmem(buf + pos, n - pos, "\n--", 3) : NULL;
		const char *e;
		size_t s, l;

		if (p == NULL)
			break;
		s = (size_t)(p - buf) + 1;
		e = memchr(buf + s, '\n', n - s);
		l = (e != NULL ? (size_t)(e - buf) + 1 : n) - s;
		if (rng() % 8 < 4 && n + l <= cap) {
			memmove(buf + s + l, buf + s, n - s);
			*len = n + l;
		} else {
			memmove(buf + s, buf + s + l, n - s - l);
			*len = n - l;
		}
		break;
	}
	case 5: {	/* a huge header line at the top */
		size_t l = 1000 + (size_t)(rng() % 60000);

		if (n + l + 16 <= cap) {
			memmove(buf + l + 12, buf, n);
			memcpy(buf, "Subject: ", 9);
			for (size_t i = 9; i < l + 10; i++)
				buf[i] = "=?utf-8?q?a=E2?= x\t"[rng() % 19];
			buf[l + 10] = '\r';
			buf[l + 11] = '\n';
			*len = n + l + 12;
		}
		break;
	}
	default: {	/* insert a tricky token */
		const char *t = tokens[rng() % (sizeof tokens / sizeof tokens[0])];
		size_t l = t[0] == '\0' ? 1 : strlen(t);

		if (n + l <= cap) {
			memmove(buf + pos + l, buf + pos, n - pos);
			memcpy(buf + pos, t, l);
			*len = n + l;
		}
		break;
	}
	}
}

static void
test_fuzz(void)
{
	static const char *const files[] = {
		"tests/unit/mail/outlook_related.eml", "tests/unit/mail/apple_alt_related.eml",
		"tests/unit/mail/dsn_bounce.eml", "tests/unit/mail/gmail_reply.eml",
		"tests/unit/mail/oe_html_only.eml",
	};
	const size_t nfiles = sizeof files / sizeof files[0], ncases = sizeof cases / sizeof cases[0];
	const size_t cap = 256 * 1024;
	char *samples[sizeof files / sizeof files[0]];
	size_t slen[sizeof files / sizeof files[0]];
	char *buf = malloc(cap);
	int bad = 0, iters = FUZZ_ITERS;

	for (size_t i = 0; i < nfiles; i++)
		samples[i] = slurp(files[i], &slen[i]);
	for (int it = 0; it < iters; it++) {
		size_t pick = (size_t)(rng() % (nfiles + ncases)), len;
		struct mail m;
		int rounds = 1 + (int)(rng() % 4);

		if (pick < nfiles) {
			len = slen[pick];
			memcpy(buf, samples[pick], len);
		} else if (cases[pick - nfiles].raw != NULL) {
			len = strlen(cases[pick - nfiles].raw);
			memcpy(buf, cases[pick - nfiles].raw, len);
		} else {
			len = sizeof nul_mail - 1;
			memcpy(buf, nul_mail, len);
		}
		for (int r = 0; r < rounds; r++)
			mutate(buf, &len, cap);
		if (parse_n(buf, len, &m) != 0 || !invariants_ok(&m, len)) {
			if (bad++ < 5)
				fprintf(stderr, "fuzz iteration %d failed (len %zu)\n", it, len);
		}
		mail_free(&m);
	}
	CHECK(bad == 0);
	for (size_t i = 0; i < nfiles; i++)
		free(samples[i]);
	free(buf);
}

int
main(void)
{
	unit_rng_state = FUZZ_SEED;
	test_cases();
	test_subjects();
	test_addresses();
	test_msgids();
	test_dates();
	test_loop_headers();
	test_files();
	test_attachments();
	test_injection();
	test_limits();
	test_fuzz();
	return unit_done("mime");
}
