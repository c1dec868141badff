/* test_grammar.c: unit tests for parsers/grammar.c: keyword, command words, staff commands,
 * ticket numbers, priority words. */
#include <stdint.h>
#include <stdlib.h>

#include "grammar.h"
#include "unit.h"

/* 1 when the n bytes at q lie inside buf[0..len). */
static int
inside(const char *q, size_t n, const char *buf, size_t len)
{
	return q != NULL && q >= buf && n <= len && (size_t)(q - buf) <= len - n;
}

/* 1 when ticket is "" or a canonical number that parses to itself. */
static int
ticket_sane(const char *ticket)
{
	char again[HD_TICKET_MAX];
	size_t n = strlen(ticket);

	return n == 0 || (hd_ticket_parse(ticket, n, "HD", again) == n && strcmp(again, ticket) == 0);
}

/* 1 when p's arg is what it should be for its command and lies where it should. */
static int
arg_sane(const struct hd_parsed *p, const char *buf, size_t len)
{
	if (p->cmd == HD_STAFF)
		return p->staff > HS_NONE && p->staff <= HS_APPROVE && p->word_len > 0 &&
		       inside(p->word, p->word_len, buf, len) && inside(p->arg, p->arg_len, buf, len) &&
		       ticket_sane(p->ticket);
	if (p->staff != HS_NONE || p->word != NULL || p->word_len != 0)
		return 0;
	if (p->cmd == HD_COMPLAINT)
		return p->arg_len > 0 && inside(p->arg, p->arg_len, buf, len);
	if (p->arg != p->ticket || strlen(p->ticket) != p->arg_len)
		return 0;
	return p->cmd == HD_STATUS || p->ticket[0] == '\0';
}

struct parse_case {
	const char *in;
	enum hd_cmd cmd;
	const char *arg;	/* complaint text, or the ticket for HD_STATUS */
};

static const struct parse_case parse_cases[] = {
	/* The keyword and what may follow it. */
	{ "HELPDESK printer rusak", HD_COMPLAINT, "printer rusak" },
	{ "helpdesk: printer rusak", HD_COMPLAINT, "printer rusak" },
	{ "Helpdesk#printer rusak", HD_COMPLAINT, "printer rusak" },
	{ "HELPDESK-printer", HD_COMPLAINT, "printer" },
	{ "HeLpDeSk printer", HD_COMPLAINT, "printer" },
	{ "HELPDESK,printer", HD_COMPLAINT, "printer" },
	{ "HELPDESK, printer rusak", HD_COMPLAINT, "printer rusak" },
	{ "HELPDESK komputer Bagian Umum mati total\n         kabel power sudah dicek\n", HD_COMPLAINT,
	  "komputer Bagian Umum mati total\n         kabel power sudah dicek" },
	{ "HELPDESK \xea\xa6\xa5\xea\xa6\xbf\xea\xa6\xb6\xea\xa6\xa4\xea\xa7\x80\xea\xa6\xa0\xea\xa6\xbc\xea\xa6\x82 "
	  "\xea\xa6\xab\xea\xa6\xb8\xea\xa6\xb1\xea\xa6\x8f\xea\xa7\x80", HD_COMPLAINT,
	  "\xea\xa6\xa5\xea\xa6\xbf\xea\xa6\xb6\xea\xa6\xa4\xea\xa7\x80\xea\xa6\xa0\xea\xa6\xbc\xea\xa6\x82 "
	  "\xea\xa6\xab\xea\xa6\xb8\xea\xa6\xb1\xea\xa6\x8f\xea\xa7\x80" },
	{ "HELPDESK.printer", HD_COMPLAINT, "printer" },
	{ "HELPDESK;printer", HD_COMPLAINT, "printer" },
	{ "HELPDESK_printer", HD_COMPLAINT, "printer" },
	{ "HELPDESK!!! printer", HD_COMPLAINT, "printer" },
	{ "HELPDESK : - printer", HD_COMPLAINT, "printer" },
	{ "HELPDESK\tprinter", HD_COMPLAINT, "printer" },
	{ "HELPDESK\r\nprinter rusak", HD_COMPLAINT, "printer rusak" },
	{ "HELPDESK\nprinter", HD_COMPLAINT, "printer" },
	{ "HELPDESK(printer rusak)", HD_COMPLAINT, "(printer rusak)" },
	{ "HELPDESK \"printer\" rusak", HD_COMPLAINT, "\"printer\" rusak" },
	{ "HELPDESK 'printer' rusak", HD_COMPLAINT, "'printer' rusak" },
	{ "HELPDESK @admin printer", HD_COMPLAINT, "@admin printer" },
	{ "HELPDESK\xc2\xa0printer rusak", HD_COMPLAINT, "printer rusak" },
	{ "   HELPDESK printer", HD_COMPLAINT, "printer" },
	{ "\t\r\n HELPDESK printer", HD_COMPLAINT, "printer" },
	{ "\xc2\xa0HELPDESK printer", HD_COMPLAINT, "printer" },
	{ "\xc2\xa0\xc2\xa0 HELPDESK printer", HD_COMPLAINT, "printer" },
	{ "\xef\xbb\xbfHELPDESK printer", HD_COMPLAINT, "printer" },
	{ "\xef\xbb\xbf\xc2\xa0 HELPDESK printer", HD_COMPLAINT, "printer" },
	{ " \xef\xbb\xbfhelpdesk printer", HD_COMPLAINT, "printer" },

	/* Not the keyword. */
	{ "", HD_NOT_KEYWORD, "" },
	{ " ", HD_NOT_KEYWORD, "" },
	{ "\xef\xbb\xbf", HD_NOT_KEYWORD, "" },
	{ "HELPDESKS printer", HD_NOT_KEYWORD, "" },
	{ "HELPDESK123", HD_NOT_KEYWORD, "" },
	{ "HELPDESKprinter", HD_NOT_KEYWORD, "" },
	{ "HELPDESK\xc3\x89", HD_NOT_KEYWORD, "" },
	{ "HELPDESK\xf0\x9f\x99\x8f printer", HD_NOT_KEYWORD, "" },
	{ "HELPDESK\xc2", HD_NOT_KEYWORD, "" },
	{ "HELPDESK\xc2\xa1", HD_NOT_KEYWORD, "" },
	{ "H\xc3\x89LPDESK printer rusak", HD_NOT_KEYWORD, "" },
	{ "HELP DESK printer", HD_NOT_KEYWORD, "" },
	{ "HELPDES printer", HD_NOT_KEYWORD, "" },
	{ "HELPDES", HD_NOT_KEYWORD, "" },
	{ "H", HD_NOT_KEYWORD, "" },
	{ "printer rusak HELPDESK", HD_NOT_KEYWORD, "" },
	{ "xHELPDESK printer", HD_NOT_KEYWORD, "" },
	{ "-HELPDESK printer", HD_NOT_KEYWORD, "" },
	{ ":HELPDESK printer", HD_NOT_KEYWORD, "" },
	{ "\xef\xbbHELPDESK printer", HD_NOT_KEYWORD, "" },
	{ "\xc2HELPDESK printer", HD_NOT_KEYWORD, "" },
	{ "\xe2\x80\x8bHELPDESK printer", HD_NOT_KEYWORD, "" },
	{ "Halo, HELPDESK printer", HD_NOT_KEYWORD, "" },
	{ "Re: HELPDESK printer rusak", HD_NOT_KEYWORD, "" },

	/* Keyword with nothing meaningful after it. */
	{ "HELPDESK", HD_EMPTY, "" },
	{ "helpdesk", HD_EMPTY, "" },
	{ "HELPDESK   ", HD_EMPTY, "" },
	{ "HELPDESK\r\n", HD_EMPTY, "" },
	{ "helpdesk:", HD_EMPTY, "" },
	{ "HELPDESK - . , ;", HD_EMPTY, "" },
	{ "HELPDESK ()", HD_EMPTY, "" },
	{ "HELPDESK \"\"", HD_EMPTY, "" },
	{ "HELPDESK\t:\t", HD_EMPTY, "" },
	{ "HELPDESK \xc2\xa0", HD_EMPTY, "" },
	{ "\xef\xbb\xbfHELPDESK\xc2\xa0\r\n", HD_EMPTY, "" },
	{ "HELPDESK#", HD_EMPTY, "" },

	/* STATUS / CEK with a ticket number. */
	{ "HELPDESK STATUS HD-2611-0042", HD_STATUS, "HD-2611-0042" },
	{ "helpdesk status hd-2611-0042", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK CEK HD-2611-0042", HD_STATUS, "HD-2611-0042" },
	{ "Helpdesk Cek hd 2611 42", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK cek: HD 2611 42", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS:HD26110042", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS #HD-2611-0042.", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS - HD/2611/0042", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK: status, hd.2611.7", HD_STATUS, "HD-2611-0007" },
	{ "HELPDESK STATUS HD-2611-0042\r\n", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS\xc2\xa0HD-2611-0042", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS HD-2611-0042 tolong dicek", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS HD-2611-0042, HD-2611-0043", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS HD-2611-12345", HD_STATUS, "HD-2611-12345" },
	{ "HELPDESK STATUS HD-2611-0000042", HD_STATUS, "HD-2611-0042" },
	{ "HELPDESK STATUS HD-2601-1234567", HD_STATUS, "HD-2601-1234567" },
	{ "HELPDESK-STATUS-HD-2611-0042", HD_STATUS, "HD-2611-0042" },
	{ "\xef\xbb\xbf HELPDESK status HD-2611-0042 \xf0\x9f\x99\x8f", HD_STATUS, "HD-2611-0042" },

	/* STATUS / CEK alone, or with a mistyped number: empty ticket. */
	{ "HELPDESK STATUS", HD_STATUS, "" },
	{ "HELPDESK cek", HD_STATUS, "" },
	{ "HELPDESK cek ?", HD_STATUS, "" },
	{ "HELPDESK: STATUS.", HD_STATUS, "" },
	{ "HELPDESK status \r\n", HD_STATUS, "" },
	{ "HELPDESK STATUS HD-2613-0042", HD_STATUS, "" },
	{ "HELPDESK STATUS HD-2600-0042", HD_STATUS, "" },
	{ "HELPDESK STATUS HD-261-0042", HD_STATUS, "" },
	{ "HELPDESK STATUS HD-2611-12345678", HD_STATUS, "" },
	{ "HELPDESK STATUS 2611-0042", HD_STATUS, "" },
	{ "HELPDESK STATUS HD", HD_STATUS, "" },
	{ "HELPDESK cek 42", HD_STATUS, "" },
	{ "HELPDESK CEK?", HD_STATUS, "" },
	{ "HELPDESK STATUS HD-261-42", HD_STATUS, "" },
	{ "HELPDESK cek 2611-0042", HD_STATUS, "" },

	/* STATUS / CEK followed by other text: a complaint. */
	{ "HELPDESK status jaringan mati sejak pagi", HD_COMPLAINT, "status jaringan mati sejak pagi" },
	{ "HELPDESK STATUS: jaringan mati", HD_COMPLAINT, "STATUS: jaringan mati" },
	{ "HELPDESK cek HDMI proyektor tidak ada gambar", HD_COMPLAINT, "cek HDMI proyektor tidak ada gambar" },
	{ "HELPDESK cek HD 500GB rusak", HD_COMPLAINT, "cek HD 500GB rusak" },
	{ "HELPDESK cek HD-2611-0042abc", HD_COMPLAINT, "cek HD-2611-0042abc" },
	{ "HELPDESK STATUSHD-2611-0042", HD_COMPLAINT, "STATUSHD-2611-0042" },
	{ "HELPDESK statuses", HD_COMPLAINT, "statuses" },
	{ "HELPDESK STATUSNYA gimana", HD_COMPLAINT, "STATUSNYA gimana" },
	{ "HELPDESK cekrek kamera", HD_COMPLAINT, "cekrek kamera" },
	{ "HELPDESK status \xf0\x9f\x99\x8f", HD_COMPLAINT, "status \xf0\x9f\x99\x8f" },
	{ "HELPDESK STATUS\xc3\xa9", HD_COMPLAINT, "STATUS\xc3\xa9" },

	/* INFO / BANTUAN / HELP / ?. */
	{ "HELPDESK INFO", HD_INFO, "" },
	{ "helpdesk info", HD_INFO, "" },
	{ "HELPDESK BANTUAN", HD_INFO, "" },
	{ "HELPDESK bantuan", HD_INFO, "" },
	{ "HELPDESK HELP", HD_INFO, "" },
	{ "HELPDESK help!", HD_INFO, "" },
	{ "HELPDESK ?", HD_INFO, "" },
	{ "HELPDESK?", HD_INFO, "" },
	{ "HELPDESK ???", HD_INFO, "" },
	{ "HELPDESK: info?", HD_INFO, "" },
	{ "HELPDESK - info.", HD_INFO, "" },
	{ "HELPDESK info \r\n", HD_INFO, "" },
	{ "HELPDESK\xc2\xa0INFO\xc2\xa0", HD_INFO, "" },

	/* INFO words followed by other text: a complaint. */
	{ "HELPDESK info printer rusak", HD_COMPLAINT, "info printer rusak" },
	{ "HELPDESK bantuan: printer rusak", HD_COMPLAINT, "bantuan: printer rusak" },
	{ "HELPDESK help me", HD_COMPLAINT, "help me" },
	{ "HELPDESK ?printer", HD_COMPLAINT, "?printer" },
	{ "HELPDESK ? printer rusak", HD_COMPLAINT, "? printer rusak" },
	{ "HELPDESK information", HD_COMPLAINT, "information" },
	{ "HELPDESK info.pdf tidak bisa dibuka", HD_COMPLAINT, "info.pdf tidak bisa dibuka" },
	{ "HELPDESK helpdesk", HD_COMPLAINT, "helpdesk" },
	{ "HELPDESK HD-2611-0042", HD_COMPLAINT, "HD-2611-0042" },

	/* Complaint text: trimmed at the end, kept verbatim inside. */
	{ "HELPDESK printer rusak   \r\n", HD_COMPLAINT, "printer rusak" },
	{ "HELPDESK printer rusak\xc2\xa0", HD_COMPLAINT, "printer rusak" },
	{ "HELPDESK printer rusak\xc2\xa0 \xc2\xa0\t", HD_COMPLAINT, "printer rusak" },
	{ "HELPDESK printer\r\nrusak\r\n", HD_COMPLAINT, "printer\r\nrusak" },
	{ "HELPDESK printer  rusak", HD_COMPLAINT, "printer  rusak" },
	{ "HELPDESK printer rusak!!!", HD_COMPLAINT, "printer rusak!!!" },
	{ "HELPDESK printer rusak \xf0\x9f\x99\x8f", HD_COMPLAINT, "printer rusak \xf0\x9f\x99\x8f" },
	{ "HELPDESK \xf0\x9f\x99\x8f", HD_COMPLAINT, "\xf0\x9f\x99\x8f" },
	{ "HELPDESK \xea\xa6\xa5\xea\xa6\xbf\xea\xa6\xb6\xea\xa6\xa4\xea\xa7\x80\xea\xa6\xa0\xea\xa6\xbc\xea\xa6\x82",
	  HD_COMPLAINT,
	  "\xea\xa6\xa5\xea\xa6\xbf\xea\xa6\xb6\xea\xa6\xa4\xea\xa7\x80\xea\xa6\xa0\xea\xa6\xbc\xea\xa6\x82" },
	{ "HELPDESK Printer di ruang Sekretariat Dinas Pendidikan tidak bisa mencetak", HD_COMPLAINT,
	  "Printer di ruang Sekretariat Dinas Pendidikan tidak bisa mencetak" },
	{ "Helpdesk: internet di Kantor Camat Wonosari putus sejak jam 8, mohon dibantu \xf0\x9f\x99\x8f\xf0\x9f\x99\x8f",
	  HD_COMPLAINT, "internet di Kantor Camat Wonosari putus sejak jam 8, mohon dibantu \xf0\x9f\x99\x8f\xf0\x9f\x99\x8f" },
	{ "HELPDESK \xc3\xa9\xc3\xa9 caf\xc3\xa9", HD_COMPLAINT, "\xc3\xa9\xc3\xa9 caf\xc3\xa9" },
	{ "HELPDESK \xff\xfe garbage", HD_COMPLAINT, "\xff\xfe garbage" },

	/* Complaints that begin with a staff command word: no ticket number follows. */
	{ "HELPDESK Selesai rapat printer mati", HD_COMPLAINT, "Selesai rapat printer mati" },
	{ "HELPDESK Tugas kantor tidak bisa upload", HD_COMPLAINT, "Tugas kantor tidak bisa upload" },
	{ "HELPDESK Terima kasih, printer sudah normal lagi", HD_COMPLAINT,
	  "Terima kasih, printer sudah normal lagi" },
	{ "HELPDESK Terima kasih HD-2611-0042 sudah beres", HD_COMPLAINT,
	  "Terima kasih HD-2611-0042 sudah beres" },
	{ "HELPDESK Tugas 3 tidak bisa dicetak", HD_COMPLAINT, "Tugas 3 tidak bisa dicetak" },
	{ "HELPDESK tugas: laporan SPJ hilang", HD_COMPLAINT, "tugas: laporan SPJ hilang" },
	{ "HELPDESK Tugasnya tidak bisa dikirim", HD_COMPLAINT, "Tugasnya tidak bisa dikirim" },
	{ "HELPDESK Tugaskan teknisi ke Kecamatan Playen", HD_COMPLAINT,
	  "Tugaskan teknisi ke Kecamatan Playen" },
	{ "HELPDESK Ambil data dari server gagal", HD_COMPLAINT, "Ambil data dari server gagal" },
	{ "HELPDESK Tutup aplikasi tidak bisa", HD_COMPLAINT, "Tutup aplikasi tidak bisa" },
	{ "HELPDESK Lanjut ke lantai 2, wifi mati", HD_COMPLAINT, "Lanjut ke lantai 2, wifi mati" },
	{ "HELPDESK Pending terus kalau print", HD_COMPLAINT, "Pending terus kalau print" },
	{ "HELPDESK Tunda 2 jam rapat, proyektor mati", HD_COMPLAINT,
	  "Tunda 2 jam rapat, proyektor mati" },
	{ "HELPDESK Catatan HD 500GB penuh", HD_COMPLAINT, "Catatan HD 500GB penuh" },
	{ "HELPDESK Catatan: HD 1 TB rusak", HD_COMPLAINT, "Catatan: HD 1 TB rusak" },
	{ "HELPDESK note: HDMI tidak ada gambar", HD_COMPLAINT, "note: HDMI tidak ada gambar" },
	{ "HELPDESK Mine kraft tidak bisa diinstal", HD_COMPLAINT, "Mine kraft tidak bisa diinstal" },
	{ "HELPDESK Done 2 printer rusak", HD_COMPLAINT, "Done 2 printer rusak" },
	{ "HELPDESK selesainya kapan?", HD_COMPLAINT, "selesainya kapan?" },
	{ "HELPDESK SELESAIHD-2611-0042", HD_COMPLAINT, "SELESAIHD-2611-0042" },
	{ "HELPDESK SELESAI HD-2611-0042abc", HD_COMPLAINT, "SELESAI HD-2611-0042abc" },
	{ "HELPDESK HOLD 2611 0042 menunggu", HD_COMPLAINT, "HOLD 2611 0042 menunggu" },
	{ "HELPDESK Setuju\xc3\xa9", HD_COMPLAINT, "Setuju\xc3\xa9" },
	{ "HELPDESK tugas \xf0\x9f\x99\x8f", HD_COMPLAINT, "tugas \xf0\x9f\x99\x8f" },
};

static void
test_parse_table(void)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		size_t n = strlen(c->in), want = strlen(c->arg);
		char *buf = dup_exact(c->in, n);
		struct hd_parsed p;
		int ok;

		hd_parse(buf, n, "HD", &p);
		ok = p.cmd == c->cmd && p.arg_len == want && memcmp(p.arg, c->arg, want) == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  input \"%s\": cmd %d arg \"%.*s\", want cmd %d arg \"%s\"\n",
				c->in, (int)p.cmd, (int)p.arg_len, p.arg, (int)c->cmd, c->arg);
		CHECK(arg_sane(&p, buf, n));
		if (c->cmd == HD_STATUS)
			CHECK_STR(p.ticket, c->arg);
		else
			CHECK_STR(p.ticket, "");
		free(buf);
	}
}

static void
test_parse_special(void)
{
	struct hd_parsed p;
	char *buf;

	/* Embedded NUL: the length, not a terminator, bounds the text. */
	hd_parse("HELPDESK printer\0rusak", 22, "HD", &p);
	CHECK(p.cmd == HD_COMPLAINT);
	CHECK(p.arg_len == 13 && memcmp(p.arg, "printer\0rusak", 13) == 0);
	hd_parse("HELPDESK\0printer", 16, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD);
	hd_parse("HELPDESK printer rusak", 8, "HD", &p);	/* the length cuts the text */
	CHECK(p.cmd == HD_EMPTY);
	hd_parse("HELPDESK printer rusak", 16, "HD", &p);
	CHECK(p.cmd == HD_COMPLAINT && p.arg_len == 7 && memcmp(p.arg, "printer", 7) == 0);
	hd_parse("HELPDESK STATUS HD-2611-0042", 25, "HD", &p);	/* "...-0" */
	CHECK(p.cmd == HD_STATUS);
	CHECK_STR(p.ticket, "HD-2611-0000");
	hd_parse("HELPDESK", 7, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD);

	/* NULL text and a zero length. */
	hd_parse(NULL, 0, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD && p.arg_len == 0 && p.arg != NULL);
	hd_parse(NULL, 10, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD);
	hd_parse("HELPDESK", 0, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD);
	hd_parse("x", 1, "HD", NULL);	/* must not crash */

	/* Another prefix; NULL and "" fall back to HD. */
	hd_parse("HELPDESK STATUS tik-2611-7", 26, "TIK", &p);
	CHECK(p.cmd == HD_STATUS);
	CHECK_STR(p.ticket, "TIK-2611-0007");
	hd_parse("HELPDESK STATUS TIK 2611 0042", 29, "tik", &p);
	CHECK_STR(p.ticket, "TIK-2611-0042");
	hd_parse("HELPDESK STATUS HD-2611-0042", 28, "TIK", &p);
	CHECK(p.cmd == HD_COMPLAINT);
	hd_parse("HELPDESK STATUS TIK-2613-0042", 29, "TIK", &p);
	CHECK(p.cmd == HD_STATUS && p.ticket[0] == '\0');
	hd_parse("HELPDESK STATUS HD-2611-0042", 28, NULL, &p);
	CHECK(p.cmd == HD_STATUS);
	CHECK_STR(p.ticket, "HD-2611-0042");
	hd_parse("HELPDESK STATUS HD-2611-0042", 28, "", &p);
	CHECK_STR(p.ticket, "HD-2611-0042");

	/* The result does not depend on what is left in *out from before. */
	memset(&p, 0x5a, sizeof p);
	hd_parse("HELPDESK INFO", 13, "HD", &p);
	CHECK(p.cmd == HD_INFO && p.arg_len == 0 && p.ticket[0] == '\0' && p.arg == p.ticket);
	memset(&p, 0x5a, sizeof p);
	hd_parse("nope", 4, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD && p.arg_len == 0 && p.ticket[0] == '\0');

	/* A message that is one ticket-sized status request, not NUL-terminated. */
	buf = dup_exact("hd status hd-2611-0042", 22);
	hd_parse(buf, 22, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD);
	free(buf);
}

struct staff_case {
	const char *in;
	enum hd_staff staff;
	const char *word;	/* the command word as written */
	const char *ticket;	/* canonical number, or "" */
	const char *arg;	/* the text after the number */
};

static const struct staff_case staff_cases[] = {
	/* Every word and synonym, in upper, lower and mixed case. */
	{ "HELPDESK TERIMA HD-2611-0042", HS_ACCEPT, "TERIMA", "HD-2611-0042", "" },
	{ "helpdesk terima hd 2611 42", HS_ACCEPT, "terima", "HD-2611-0042", "" },
	{ "HELPDESK accept HD-2611-0042", HS_ACCEPT, "accept", "HD-2611-0042", "" },
	{ "HELPDESK TOLAK HD-2611-0042 bukan kewenangan Diskominfo", HS_REJECT, "TOLAK", "HD-2611-0042",
	  "bukan kewenangan Diskominfo" },
	{ "HELPDESK Reject hd 2611 42 duplikat HD-2611-0041", HS_REJECT, "Reject", "HD-2611-0042",
	  "duplikat HD-2611-0041" },
	{ "HELPDESK PRIORITAS HD-2611-0042 tinggi", HS_PRIORITY, "PRIORITAS", "HD-2611-0042", "tinggi" },
	{ "helpdesk priority hd-2611-42 HIGH", HS_PRIORITY, "priority", "HD-2611-0042", "HIGH" },
	{ "HELPDESK TUGASKAN HD-2611-0042 Budi", HS_ASSIGN, "TUGASKAN", "HD-2611-0042", "Budi" },
	{ "HELPDESK Assign HD 2611 0042 Siti Aminah", HS_ASSIGN, "Assign", "HD-2611-0042", "Siti Aminah" },
	{ "HELPDESK AMBIL HD-2611-0042", HS_TAKE, "AMBIL", "HD-2611-0042", "" },
	{ "HELPDESK take hd 2611 42", HS_TAKE, "take", "HD-2611-0042", "" },
	{ "HELPDESK TUGAS", HS_TASKS, "TUGAS", "", "" },
	{ "helpdesk tugas?", HS_TASKS, "tugas", "", "" },
	{ "HELPDESK Tasks.\r\n", HS_TASKS, "Tasks", "", "" },
	{ "HELPDESK mine", HS_TASKS, "mine", "", "" },
	{ "HELPDESK: TUGAS\xc2\xa0", HS_TASKS, "TUGAS", "", "" },
	{ "HELPDESK PENDING HD-2611-0042 menunggu pengadaan hardisk", HS_PENDING, "PENDING",
	  "HD-2611-0042", "menunggu pengadaan hardisk" },
	{ "HELPDESK tunda hd 2611 42 - menunggu vendor", HS_PENDING, "tunda", "HD-2611-0042",
	  "menunggu vendor" },
	{ "HELPDESK Hold HD-2611-0042: waiting for parts", HS_PENDING, "Hold", "HD-2611-0042",
	  "waiting for parts" },
	{ "HELPDESK LANJUT HD-2611-0042", HS_RESUME, "LANJUT", "HD-2611-0042", "" },
	{ "HELPDESK resume HD-2611-0042 suku cadang sudah datang", HS_RESUME, "resume", "HD-2611-0042",
	  "suku cadang sudah datang" },
	{ "HELPDESK SELESAI HD-2611-0042 kabel LAN diganti", HS_RESOLVE, "SELESAI", "HD-2611-0042",
	  "kabel LAN diganti" },
	{ "HELPDESK: SELESAI HD-2611-0042 - printer sudah diganti", HS_RESOLVE, "SELESAI", "HD-2611-0042",
	  "printer sudah diganti" },
	{ "HELPDESK done hd 2611 42 ok", HS_RESOLVE, "done", "HD-2611-0042", "ok" },
	{ "HELPDESK Resolve HD-2611-0042 instal ulang driver", HS_RESOLVE, "Resolve", "HD-2611-0042",
	  "instal ulang driver" },
	{ "HELPDESK RESOLVED HD-2611-0042", HS_RESOLVE, "RESOLVED", "HD-2611-0042", "" },
	{ "HELPDESK TUTUP HD-2611-0042 pelapor sudah konfirmasi", HS_CLOSE, "TUTUP", "HD-2611-0042",
	  "pelapor sudah konfirmasi" },
	{ "HELPDESK close hd-2611-0042", HS_CLOSE, "close", "HD-2611-0042", "" },
	{ "HELPDESK CATATAN HD-2611-0042 adaptor rusak, sudah dicek", HS_NOTE, "CATATAN", "HD-2611-0042",
	  "adaptor rusak, sudah dicek" },
	{ "HELPDESK Note HD-2611-0042 call back tomorrow", HS_NOTE, "Note", "HD-2611-0042",
	  "call back tomorrow" },
	{ "HELPDESK SETUJU HD-2611-0042", HS_APPROVE, "SETUJU", "HD-2611-0042", "" },
	{ "helpdesk approve hd 2611 42 terima kasih", HS_APPROVE, "approve", "HD-2611-0042",
	  "terima kasih" },
	{ "HeLpDeSk SeLeSaI Hd-2611-0042 Ok", HS_RESOLVE, "SeLeSaI", "HD-2611-0042", "Ok" },

	/* Separators, white space and the trimmed text. */
	{ "HELPDESK SELESAI HD-2611-0042   kabel diganti  \r\n", HS_RESOLVE, "SELESAI", "HD-2611-0042",
	  "kabel diganti" },
	{ "HELPDESK SELESAI:HD-2611-0042:kabel diganti", HS_RESOLVE, "SELESAI", "HD-2611-0042",
	  "kabel diganti" },
	{ "HELPDESK-SELESAI-HD26110042-kabel diganti", HS_RESOLVE, "SELESAI", "HD-2611-0042",
	  "kabel diganti" },
	{ "HELPDESK SELESAI #HD-2611-0042. Kabel diganti.", HS_RESOLVE, "SELESAI", "HD-2611-0042",
	  "Kabel diganti." },
	{ "HELPDESK SELESAI\xc2\xa0HD-2611-0042\xc2\xa0kabel diganti\xc2\xa0", HS_RESOLVE, "SELESAI",
	  "HD-2611-0042", "kabel diganti" },
	{ "HELPDESK SELESAI HD-2611-0042\nkabel diganti\ntes cetak ok\n", HS_RESOLVE, "SELESAI",
	  "HD-2611-0042", "kabel diganti\ntes cetak ok" },
	{ "HELPDESK CATATAN HD-2611-0042 (menunggu) ok", HS_NOTE, "CATATAN", "HD-2611-0042",
	  "(menunggu) ok" },
	{ "HELPDESK TOLAK HD-2611-0042, HD-2611-0043", HS_REJECT, "TOLAK", "HD-2611-0042",
	  "HD-2611-0043" },
	{ "HELPDESK PRIORITAS HD-2611-0042\xc2\xa0 tinggi \xc2\xa0", HS_PRIORITY, "PRIORITAS",
	  "HD-2611-0042", "tinggi" },
	{ "HELPDESK PENDING HD-2611-12345 menunggu", HS_PENDING, "PENDING", "HD-2611-12345", "menunggu" },

	/* The number without the text the command usually has: arg is empty. */
	{ "HELPDESK TOLAK HD-2611-0042", HS_REJECT, "TOLAK", "HD-2611-0042", "" },
	{ "HELPDESK PENDING HD-2611-0042 - - -", HS_PENDING, "PENDING", "HD-2611-0042", "" },
	{ "HELPDESK TUGASKAN HD-2611-0042\r\n", HS_ASSIGN, "TUGASKAN", "HD-2611-0042", "" },

	/* A mistyped number, or none: the command with an empty ticket. */
	{ "HELPDESK SELESAI HD-2613-0042", HS_RESOLVE, "SELESAI", "", "" },
	{ "HELPDESK TERIMA 2611-0042", HS_ACCEPT, "TERIMA", "", "" },
	{ "HELPDESK AMBIL 42", HS_TAKE, "AMBIL", "", "" },
	{ "HELPDESK TUTUP HD", HS_CLOSE, "TUTUP", "", "" },
	{ "HELPDESK setuju hd-261-42.", HS_APPROVE, "setuju", "", "" },
	{ "HELPDESK PENDING HD-2613-0042 menunggu vendor", HS_PENDING, "PENDING", "", "menunggu vendor" },
	{ "HELPDESK SELESAI HD-261-42 kabel diganti", HS_RESOLVE, "SELESAI", "", "kabel diganti" },
	{ "HELPDESK SELESAI hd 2611 12345678 ok", HS_RESOLVE, "SELESAI", "", "ok" },
	{ "HELPDESK SELESAI", HS_RESOLVE, "SELESAI", "", "" },
	{ "HELPDESK prioritas:", HS_PRIORITY, "prioritas", "", "" },
};

static void
test_staff_table(void)
{
	for (size_t i = 0; i < sizeof staff_cases / sizeof staff_cases[0]; i++) {
		const struct staff_case *c = &staff_cases[i];
		size_t n = strlen(c->in), want = strlen(c->arg), wl = strlen(c->word);
		char *buf = dup_exact(c->in, n);
		struct hd_parsed p;
		int ok;

		hd_parse(buf, n, "HD", &p);
		ok = p.cmd == HD_STAFF && p.staff == c->staff && strcmp(p.ticket, c->ticket) == 0 &&
		     p.arg_len == want && memcmp(p.arg, c->arg, want) == 0 && p.word_len == wl &&
		     p.word != NULL && memcmp(p.word, c->word, wl) == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  input \"%s\": cmd %d staff %d word \"%.*s\" ticket \"%s\" "
				"arg \"%.*s\"\n", c->in, (int)p.cmd, (int)p.staff, (int)p.word_len,
				p.word != NULL ? p.word : "", p.ticket, (int)p.arg_len, p.arg);
		CHECK(arg_sane(&p, buf, n));
		CHECK(p.word == buf + (strstr(c->in, c->word) - c->in));
		free(buf);
	}
}

static void
test_staff_special(void)
{
	/* Messages cut at every length; from the end of the number on, the
	 * result no longer changes. ASan catches a read past the cut. */
	static const struct {
		const char *in;
		const char *written;	/* the number as written */
		enum hd_staff staff;
		const char *ticket;
	} cuts[] = {
		{ "HELPDESK: SELESAI HD-2611-0042 - printer sudah diganti\xc2\xa0", "HD-2611-0042",
		  HS_RESOLVE, "HD-2611-0042" },
		{ "helpdesk tugaskan hd 2611 42 Budi \r\n", "hd 2611 42", HS_ASSIGN, "HD-2611-0042" },
		{ "HELPDESK PENDING HD-2613-0042 menunggu vendor", "HD-2613-0042", HS_PENDING, "" },
		{ "HELPDESK PRIORITAS\xc2\xa0HD-2611-0042\xc2\xa0" "darurat\xc2\xa0", "HD-2611-0042",
		  HS_PRIORITY, "HD-2611-0042" },
		{ "HELPDESK TUGAS\xc2\xa0 \r\n", "TUGAS\xc2\xa0", HS_TASKS, "" },
	};
	struct hd_parsed p;

	for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
		size_t len = strlen(cuts[c].in);
		size_t stable = (size_t)(strstr(cuts[c].in, cuts[c].written) - cuts[c].in) +
				strlen(cuts[c].written);

		for (size_t n = 0; n <= len; n++) {
			char *buf = dup_exact(cuts[c].in, n);

			hd_parse(buf, n, "HD", &p);
			CHECK(arg_sane(&p, buf, n));
			if (n >= stable) {
				CHECK(p.cmd == HD_STAFF && p.staff == cuts[c].staff);
				CHECK_STR(p.ticket, cuts[c].ticket);
			}
			free(buf);
		}
	}

	/* Another prefix. */
	hd_parse("HELPDESK AMBIL tik-2611-7", 25, "TIK", &p);
	CHECK(p.cmd == HD_STAFF && p.staff == HS_TAKE);
	CHECK_STR(p.ticket, "TIK-2611-0007");
	hd_parse("HELPDESK AMBIL HD-2611-0042 sekarang", 36, "TIK", &p);
	CHECK(p.cmd == HD_COMPLAINT && p.staff == HS_NONE && p.word == NULL);

	/* Nothing is left over from a staff command parsed into the same struct. */
	hd_parse("HELPDESK SELESAI HD-2611-0042 ok", 32, "HD", &p);
	CHECK(p.cmd == HD_STAFF && p.staff == HS_RESOLVE);
	hd_parse("HELPDESK STATUS HD-2611-0042", 28, "HD", &p);
	CHECK(p.cmd == HD_STATUS && p.staff == HS_NONE && p.word == NULL && p.word_len == 0);
	CHECK(p.arg == p.ticket);
	memset(&p, 0x5a, sizeof p);
	hd_parse("HELPDESK Selesai rapat printer mati", 35, "HD", &p);
	CHECK(p.cmd == HD_COMPLAINT && p.staff == HS_NONE && p.word == NULL && p.word_len == 0);
	CHECK(p.ticket[0] == '\0');

	/* An embedded NUL is text like any other byte. */
	hd_parse("HELPDESK NOTE HD-2611-0042 a\0b", 30, "HD", &p);
	CHECK(p.cmd == HD_STAFF && p.staff == HS_NOTE && p.arg_len == 3 && memcmp(p.arg, "a\0b", 3) == 0);
}

struct priority_case {
	const char *in;
	int level;
};

static const struct priority_case priority_cases[] = {
	{ "RENDAH", 0 }, { "rendah", 0 }, { "low", 0 }, { "Low", 0 },
	{ "NORMAL", 1 }, { "biasa", 1 }, { "Sedang", 1 }, { "normal", 1 },
	{ "TINGGI", 2 }, { "tinggi", 2 }, { "High", 2 }, { "penting", 2 },
	{ "DARURAT", 3 }, { "darurat", 3 }, { "EMERGENCY", 3 }, { "Urgent", 3 },
	{ "  tinggi ", 2 }, { "\ttinggi\r\n", 2 }, { "\xc2\xa0tinggi\xc2\xa0", 2 },
	{ " \xc2\xa0 DARURAT \xc2\xa0\xc2\xa0", 3 },
	{ "very high", -1 }, { "tinggi sekali", -1 }, { "tinggi!", -1 }, { "tinggi.", -1 },
	{ "ting gi", -1 }, { "tinggix", -1 }, { "tingg", -1 }, { "t", -1 }, { "", -1 }, { "   ", -1 },
	{ "\xc2\xa0", -1 }, { "\xc2", -1 }, { "tinggi\xc2", -1 }, { "2", -1 }, { "urgen", -1 },
	{ "hi", -1 }, { "l\xc3\xb6w", -1 }, { "HD-2611-0042 tinggi", -1 },
};

static void
test_priority(void)
{
	for (size_t i = 0; i < sizeof priority_cases / sizeof priority_cases[0]; i++) {
		const struct priority_case *c = &priority_cases[i];
		size_t n = strlen(c->in);
		char *buf = dup_exact(c->in, n);
		int got = hd_priority_word(buf, n);

		CHECK(got == c->level);
		if (got != c->level)
			fprintf(stderr, "  priority \"%s\": %d, want %d\n", c->in, got, c->level);
		free(buf);
	}
	CHECK(hd_priority_word(NULL, 5) == -1);
	CHECK(hd_priority_word("tinggi", 0) == -1);
	CHECK(hd_priority_word("tinggi sekali", 6) == 2);	/* the length bounds the word */
	CHECK(hd_priority_word("darurat\0x", 9) == -1);

	/* Every cut of a padded word: only the cuts holding the whole word, and
	 * no half of a no-break space after it, match. */
	{
		const char *in = " \xc2\xa0" "darurat\xc2\xa0 ";
		size_t len = strlen(in), bad = 0;

		for (size_t n = 0; n <= len; n++) {
			char *buf = dup_exact(in, n);
			int want = n == 10 || n >= 12 ? 3 : -1;

			if (hd_priority_word(buf, n) != want)
				bad++;
			free(buf);
		}
		CHECK(bad == 0);
	}

	CHECK_STR(hd_priority_name(0), "low");
	CHECK_STR(hd_priority_name(1), "normal");
	CHECK_STR(hd_priority_name(2), "high");
	CHECK_STR(hd_priority_name(3), "emergency");
	CHECK(hd_priority_name(-1) == NULL);
	CHECK(hd_priority_name(4) == NULL);
	/* Names and words agree. */
	for (int level = 0; level <= 3; level++) {
		const char *name = hd_priority_name(level);

		CHECK(name != NULL && hd_priority_word(name, strlen(name)) == level);
	}
}

struct ticket_case {
	const char *in;
	const char *prefix;
	size_t used;
	const char *out;
};

static const struct ticket_case ticket_cases[] = {
	{ "HD-2611-0042", "HD", 12, "HD-2611-0042" },
	{ "hd 2611 42", "HD", 10, "HD-2611-0042" },
	{ "HD26110042", "HD", 10, "HD-2611-0042" },
	{ "Hd2611-42", "HD", 9, "HD-2611-0042" },
	{ "HD/2611/0042", "HD", 12, "HD-2611-0042" },
	{ "HD.2611.0042", "HD", 12, "HD-2611-0042" },
	{ "HD - 2611 - 0042", "HD", 16, "HD-2611-0042" },
	{ "HD--2611--0042", "HD", 14, "HD-2611-0042" },
	{ "HD-2611-42 sisanya", "HD", 10, "HD-2611-0042" },
	{ "HD-2611-0042.", "HD", 12, "HD-2611-0042" },
	{ "HD-2611-0042,HD-2611-0043", "HD", 12, "HD-2611-0042" },
	{ "HD-2611-0042\xc3\xa9", "HD", 12, "HD-2611-0042" },
	{ "HD-2611-0042_", "HD", 12, "HD-2611-0042" },
	{ "HD-2611-1", "HD", 9, "HD-2611-0001" },
	{ "HD-2611-0", "HD", 9, "HD-2611-0000" },
	{ "HD26110", "HD", 7, "HD-2611-0000" },
	{ "HD-2611-00042", "HD", 13, "HD-2611-0042" },
	{ "HD-2611-0000042", "HD", 15, "HD-2611-0042" },
	{ "HD-2611-12345", "HD", 13, "HD-2611-12345" },
	{ "HD-2611-0012345", "HD", 15, "HD-2611-12345" },
	{ "HD-2611-1234567", "HD", 15, "HD-2611-1234567" },
	{ "HD-2601-0001", "HD", 12, "HD-2601-0001" },
	{ "HD-2612-0001", "HD", 12, "HD-2612-0001" },
	{ "HD-0010-0001", "HD", 12, "HD-0010-0001" },
	{ "HD-9909-9999", "HD", 12, "HD-9909-9999" },
	{ "TIK-2611-0042", "tik", 13, "TIK-2611-0042" },
	{ "tik-2611-0042", "TIK", 13, "TIK-2611-0042" },
	{ "ABCDEFGHIJ-2611-1234567", "ABCDEFGHIJ", 23, "ABCDEFGHIJ-2611-1234567" },
	{ "HD-2611-0042", NULL, 12, "HD-2611-0042" },
	{ "HD-2611-0042", "", 12, "HD-2611-0042" },

	/* Not ticket numbers. */
	{ "", "HD", 0, "" },
	{ "H", "HD", 0, "" },
	{ "HD", "HD", 0, "" },
	{ "HD-", "HD", 0, "" },
	{ "HD-2611", "HD", 0, "" },
	{ "HD-2611-", "HD", 0, "" },
	{ "HD-2611-x", "HD", 0, "" },
	{ "HD-2613-0042", "HD", 0, "" },
	{ "HD-2600-0042", "HD", 0, "" },
	{ "HD-2699-0042", "HD", 0, "" },
	{ "HD-261-0042", "HD", 0, "" },
	{ "HD-2611-12345678", "HD", 0, "" },
	{ "HD-2611-0042x", "HD", 0, "" },
	{ "HD-2611-0042X1", "HD", 0, "" },
	{ "HD-A611-0042", "HD", 0, "" },
	{ "HD_2611_0042", "HD", 0, "" },
	{ "HD:2611:0042", "HD", 0, "" },
	{ "HDX-2611-0042", "HD", 0, "" },
	{ "2611-0042", "HD", 0, "" },
	{ " HD-2611-0042", "HD", 0, "" },
	{ "#HD-2611-0042", "HD", 0, "" },
	{ "HD-2611-0042", "TIK", 0, "" },
	{ "ABCDEFGHIJK-2611-0042", "ABCDEFGHIJK", 0, "" },	/* prefix too long to fit */
	{ "\xef\xbc\xa8\xef\xbc\xa4-2611-0042", "HD", 0, "" },	/* fullwidth HD */
};

static void
test_ticket_table(void)
{
	for (size_t i = 0; i < sizeof ticket_cases / sizeof ticket_cases[0]; i++) {
		const struct ticket_case *c = &ticket_cases[i];
		size_t n = strlen(c->in), used;
		char *buf = dup_exact(c->in, n);
		char out[HD_TICKET_MAX];

		memset(out, 'x', sizeof out);
		used = hd_ticket_parse(buf, n, c->prefix, out);
		CHECK(used == c->used);
		if (used != c->used)
			fprintf(stderr, "  input \"%s\": used %zu, want %zu\n", c->in, used, c->used);
		CHECK_STR(out, c->out);
		free(buf);
	}
}

static void
test_ticket_special(void)
{
	char out[HD_TICKET_MAX], again[HD_TICKET_MAX];

	CHECK(hd_ticket_parse(NULL, 5, "HD", out) == 0 && out[0] == '\0');
	CHECK(hd_ticket_parse("HD-2611-0042", 12, "HD", NULL) == 0);
	/* The length bounds the number. */
	CHECK(hd_ticket_parse("HD-2611-0042", 10, "HD", out) == 10);
	CHECK_STR(out, "HD-2611-0000");
	CHECK(hd_ticket_parse("HD-2611-0042", 8, "HD", out) == 0);
	CHECK(hd_ticket_parse("HD-2611-0042", 3, "HD", out) == 0);
	/* The canonical form parses to itself. */
	CHECK(hd_ticket_parse("hd 2611 42", 10, "HD", out) == 10);
	CHECK(hd_ticket_parse(out, strlen(out), "HD", again) == strlen(out));
	CHECK_STR(again, out);
	/* An embedded NUL ends the number like any non-alphanumeric byte. */
	CHECK(hd_ticket_parse("HD-2611-42\0" "7", 12, "HD", out) == 10);
	CHECK_STR(out, "HD-2611-0042");
}

/* A complaint of about 100 KB built in a loop. */
static void
test_long(void)
{
	const char *word = "printer rusak di ruang rapat ";
	size_t wl = strlen(word), n = 0, cap = 100 * 1024 + 64;
	char *buf = malloc(cap);
	struct hd_parsed p;

	if (buf == NULL)
		exit(2);
	memcpy(buf, "HELPDESK ", 9);
	n = 9;
	while (n + wl < 100 * 1024) {
		memcpy(buf + n, word, wl);
		n += wl;
	}
	hd_parse(buf, n, "HD", &p);
	CHECK(p.cmd == HD_COMPLAINT);
	CHECK(p.arg == buf + 9);
	CHECK(p.arg_len == n - 9 - 1);	/* the final space is trimmed */

	/* 100 KB of white space and separators after the keyword. */
	for (size_t i = 9; i < cap; i++)
		buf[i] = " \t:-.\r\n"[i % 7];
	hd_parse(buf, cap, "HD", &p);
	CHECK(p.cmd == HD_EMPTY);

	/* 100 KB of leading white space before the keyword. */
	memset(buf, ' ', cap);
	memcpy(buf + cap - 13, "HELPDESK INFO", 13);
	hd_parse(buf, cap, "HD", &p);
	CHECK(p.cmd == HD_INFO);

	/* STATUS with 100 KB of digits: not a ticket, a mistyped one. */
	memset(buf, '1', cap);
	memcpy(buf, "HELPDESK STATUS HD-", 19);
	hd_parse(buf, cap, "HD", &p);
	CHECK(p.cmd == HD_STATUS && p.ticket[0] == '\0');
	free(buf);
}

/* 1 MB of random bytes, whole and in slices, with and without the keyword. */
static void
test_random(void)
{
	size_t size = 1024 * 1024, bad = 0, seen[6] = { 0 };
	unsigned char *buf = malloc(size);
	struct hd_parsed p;
	char out[HD_TICKET_MAX];

	if (buf == NULL)
		exit(2);
	for (size_t i = 0; i < size; i++)
		buf[i] = (unsigned char)rng();
	hd_parse((const char *)buf, size, "HD", &p);
	CHECK(p.cmd == HD_NOT_KEYWORD || arg_sane(&p, (const char *)buf, size));

	memcpy(buf, "HELPDESK ", 9);
	hd_parse((const char *)buf, size, "HD", &p);
	CHECK(p.cmd == HD_COMPLAINT && arg_sane(&p, (const char *)buf, size));

	for (int k = 0; k < 20000; k++) {
		size_t off = rng() % size, len = rng() % 64;
		char *s;

		if (len > size - off)
			len = size - off;
		s = dup_exact((const char *)buf + off, len);
		if (len > 9 && k % 2 == 0)
			memcpy(s, "helpdesk ", 9);
		hd_parse(s, len, "HD", &p);
		if ((unsigned)p.cmd > HD_STAFF || !arg_sane(&p, s, len))
			bad++;
		else
			seen[p.cmd]++;
		if (hd_ticket_parse(s, len, "HD", out) > len || strlen(out) >= HD_TICKET_MAX)
			bad++;
		free(s);
	}
	CHECK(bad == 0);
	CHECK(seen[HD_NOT_KEYWORD] > 0 && seen[HD_COMPLAINT] > 0);
	free(buf);
}

/* Messages assembled from grammar pieces: the invariants hold for all of them. */
static void
test_pieces(void)
{
	static const char *const pieces[] = {
		"HELPDESK", "helpdesk", " ", "\t", "\r\n", ":", "-", "#", ".", "?", "!",
		"STATUS", "cek", "INFO", "bantuan", "help", "HD", "hd", "-2611-", "2611",
		"0042", "12345678", "13", "\xc2\xa0", "\xef\xbb\xbf", "\xc3\xa9",
		"\xf0\x9f\x99\x8f", "printer", "rusak", "\xff", "\xc2", "(", ")", "",
		"HELPDESK STATUS ", "HELPDESK CEK:", "HD-2611-0042", "hd 2612 7",
		"SELESAI", "tugas", "Tugaskan", "ambil", "PENDING", "mine", "kabel diganti",
		"HELPDESK SELESAI ", "HELPDESK tolak:", "HD-2613-0042",
	};
	size_t np = sizeof pieces / sizeof pieces[0], bad = 0, statuses = 0, staff = 0;
	char msg[256];

	for (int k = 0; k < 50000; k++) {
		size_t n = 0, count = 1 + rng() % 8;
		struct hd_parsed p;
		char *s;

		for (size_t j = 0; j < count; j++) {
			const char *piece = pieces[rng() % np];
			size_t pl = strlen(piece);

			memcpy(msg + n, piece, pl);
			n += pl;
		}
		s = dup_exact(msg, n);
		hd_parse(s, n, "HD", &p);
		if (!arg_sane(&p, s, n))
			bad++;
		if (p.cmd == HD_STAFF)
			staff++;
		if (p.cmd == HD_STATUS && p.ticket[0] != '\0') {
			char again[HD_TICKET_MAX];

			statuses++;
			/* The canonical number is a fixed point. */
			if (hd_ticket_parse(p.ticket, strlen(p.ticket), "HD", again) != strlen(p.ticket) ||
			    strcmp(again, p.ticket) != 0)
				bad++;
		}
		if (p.cmd == HD_COMPLAINT) {
			unsigned char first = (unsigned char)p.arg[0];
			unsigned char last = (unsigned char)p.arg[p.arg_len - 1];

			/* A complaint never starts or ends with white space. */
			if (first == ' ' || first == '\t' || first == '\r' || first == '\n' ||
			    last == ' ' || last == '\t' || last == '\r' || last == '\n')
				bad++;
		}
		free(s);
	}
	CHECK(bad == 0);
	CHECK(statuses > 0);
	CHECK(staff > 0);
}

int
main(void)
{
	unit_rng_state = 0x9e3779b97f4a7c15u;
	test_parse_table();
	test_parse_special();
	test_staff_table();
	test_staff_special();
	test_priority();
	test_ticket_table();
	test_ticket_special();
	test_long();
	test_random();
	test_pieces();
	return unit_done("grammar");
}
