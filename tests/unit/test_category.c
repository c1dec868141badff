/* test_category.c: unit tests for parsers/category.c: keyword matching, the built-in map, names. */
#include <stdlib.h>

#include "category.h"
#include "unit.h"

#define COUNT(a)	(sizeof (a) / sizeof (a)[0])

/* The name of the rule text matches (text copied with dup_exact), or NULL. */
static const char *
match_name(const char *text, size_t len, const struct cat_rule *rules, size_t n)
{
	char *buf = dup_exact(text, len);
	const struct cat_rule *r = category_match(buf, len, rules, n);

	free(buf);
	return r != NULL ? r->name : NULL;
}

/* 1 when got and want are both NULL or the same string; reports a mismatch. */
static int
same_name(const char *text, const char *got, const char *want)
{
	if (got == NULL || want == NULL ? got == want : strcmp(got, want) == 0)
		return 1;
	fprintf(stderr, "  text \"%s\": got %s, want %s\n", text, got != NULL ? got : "NULL",
		want != NULL ? want : "NULL");
	return 0;
}

static void
test_defaults_shape(void)
{
	static const char *const names[] = {
		"listrik", "printer", "jaringan", "email", "aplikasi", "hardware",
	};
	size_t n = 0, bad = 0;
	const struct cat_rule *rules = category_defaults(&n);

	CHECK(rules != NULL && n == COUNT(names));
	CHECK(category_defaults(NULL) == rules);
	for (size_t r = 0; r < n && r < COUNT(names); r++) {
		CHECK_STR(rules[r].name, names[r]);
		CHECK(category_name_ok(rules[r].name));
		CHECK(rules[r].words != NULL && rules[r].nwords > 0);
		for (size_t w = 0; w < rules[r].nwords; w++) {
			const char *kw = rules[r].words[w];
			const char *got;

			/* Lower-case, no stray white space... */
			if (kw == NULL || kw[0] == '\0' || kw[0] == ' ' || kw[strlen(kw) - 1] == ' ') {
				bad++;
				continue;
			}
			for (const char *c = kw; *c != '\0'; c++)
				if (*c >= 'A' && *c <= 'Z')
					bad++;
			/* ...and not hidden by a rule before its own. */
			got = match_name(kw, strlen(kw), rules, n);
			if (!same_name(kw, got, rules[r].name))
				bad++;
		}
	}
	CHECK(bad == 0);
}

struct text_case {
	const char *text;
	const char *want;	/* category name, or NULL */
};

static const struct text_case default_cases[] = {
	/* One realistic complaint or more for each category. */
	{ "Listrik padam, server mati", "listrik" },
	{ "Komputer mati karena listrik padam", "listrik" },
	{ "Mati lampu sejak jam 9, UPS bunyi terus", "listrik" },
	{ "Stabilizer di ruang server berasap", "listrik" },
	{ "Colokan korsleting di ruang Kasubag", "listrik" },
	{ "Printer di Bagian Umum tidak bisa mencetak", "printer" },
	{ "Laporan SPJ tidak bisa dicetak", "printer" },
	{ "Tinta printer Epson L3110 habis", "printer" },
	{ "Scanner di loket pelayanan tidak terdeteksi", "printer" },
	{ "Mau ngeprint surat tapi error", "printer" },
	{ "Printer offline terus", "printer" },
	{ "Internet kantor mati sejak pagi", "jaringan" },
	{ "WiFi ruang rapat tidak bisa konek", "jaringan" },
	{ "Wi-Fi di aula lemot", "jaringan" },
	{ "Port LAN di meja saya rusak", "jaringan" },
	{ "Koneksi putus-putus di Kantor Camat Wonosari", "jaringan" },
	{ "Lampu modem merah", "jaringan" },
	{ "Email dinas tidak bisa kirim lampiran", "email" },
	{ "Kotak masuk surel penuh", "email" },
	{ "Tidak bisa login e-mail dinas", "email" },
	{ "Tidak bisa login SIMPEG", "aplikasi" },
	{ "Lupa password e-Kinerja", "aplikasi" },
	{ "Tidak bisa akses SIPD sejak kemarin", "aplikasi" },
	{ "Aplikasi Srikandi error saat upload surat", "aplikasi" },
	{ "Website dinas tidak bisa dibuka", "aplikasi" },
	{ "Monitor PC bergaris", "hardware" },
	{ "Laptop lemot sekali", "hardware" },
	{ "Mouse dan keyboard tidak berfungsi", "hardware" },
	{ "Proyektor di aula tidak menyala", "hardware" },
	{ "Infocus ruang rapat tidak ada gambar", "hardware" },
	{ "RAM kurang, sering hang", "hardware" },
	{ "Hard disk penuh", "hardware" },
	{ "Komputer di Bidang Akuntansi BPKAD tidak mau menyala", "hardware" },

	/* Indonesian suffixes on keywords of four bytes or more. */
	{ "Printernya macet kertas", "printer" },
	{ "Jaringannya putus di lantai 2", "jaringan" },
	{ "emailnya tidak masuk", "email" },
	{ "layarnya berkedip", "hardware" },
	/* Short keywords are whole words only. */
	{ "Semua lancar, terima kasih", NULL },
	{ "Ramah tamah di aula", NULL },
	{ "Pcnya mati", NULL },
	{ "PC-nya mati", "hardware" },
	{ "lan2 mati", NULL },
	{ "kabel  lan putus", "jaringan" },

	/* Case, and what may come before a keyword. */
	{ "PRINTER RUSAK", "printer" },
	{ "ScAnNeR rusak", "printer" },
	{ "(printer) rusak", "printer" },
	{ "#internet mati", "jaringan" },
	{ "\xc2\xa0printer rusak", "printer" },
	{ "tolong\xc2\xa0printer rusak", "printer" },
	{ "caf\xc3\xa9printer", NULL },
	{ "\xf0\x9f\x99\x8fprinter", NULL },
	{ "mati\xc2\xa0lampu", "listrik" },
	{ "kotak\r\n\tmasuk penuh", "email" },
	{ "kotakmasuk penuh", NULL },

	/* Nothing to go on. */
	{ "", NULL },
	{ "Tolong dibantu secepatnya", NULL },
	{ "Mohon bantuan \xf0\x9f\x99\x8f", NULL },
	{ "\xea\xa6\xa5\xea\xa6\xbf\xea\xa6\xb6\xea\xa6\xa4\xea\xa7\x80"
	  "\xea\xa6\xa0\xea\xa6\xbc\xea\xa6\x82", NULL },	/* Javanese script */
};

static void
test_defaults(void)
{
	size_t n;
	const struct cat_rule *rules = category_defaults(&n);

	for (size_t i = 0; i < COUNT(default_cases); i++) {
		const struct text_case *c = &default_cases[i];

		CHECK(same_name(c->text, match_name(c->text, strlen(c->text), rules, n), c->want));
	}
}

static const char *const spare_words[] = { "suku cadang", "sparepart" };
static const char *const reserve_words[] = { "cadang" };
static const char *const net_words[] = { "lan" };
static const char *const cable_words[] = { "kabel lan" };
static const char *const device_words[] = { "p\xc3\xa9rangkat" };
static const char *const odd_words[] = { "", NULL, "ok" };

static const struct cat_rule custom[] = {
	{ "suku_cadang", spare_words, COUNT(spare_words) },
	{ "cadangan", reserve_words, COUNT(reserve_words) },
	{ "net", net_words, COUNT(net_words) },
	{ "kabel", cable_words, COUNT(cable_words) },
	{ "perangkat", device_words, COUNT(device_words) },
	{ "kosong", NULL, 3 },
	{ "aneh", odd_words, COUNT(odd_words) },
};

static const struct text_case custom_cases[] = {
	{ "Suku cadang habis", "suku_cadang" },
	{ "suku   cadang habis", "suku_cadang" },
	{ "SUKU\tCADANG habis", "suku_cadang" },
	{ "suku\xc2\xa0" "cadang habis", "suku_cadang" },
	{ "suku \xc2\xa0\r\n cadang", "suku_cadang" },
	{ "suku cadangnya habis", "suku_cadang" },
	{ "nunggu sparepart", "suku_cadang" },
	{ "sukucadang", NULL },
	{ "suku\xc2" "cadang", NULL },
	{ "cadangan data", "cadangan" },
	{ "data cadang", "cadangan" },
	/* Both rules match: the first wins, wherever its keyword is. */
	{ "cadang dulu, suku cadang nanti", "suku_cadang" },
	{ "lan", "net" },
	{ "LAN.", "net" },
	{ "lancar", NULL },
	{ "kabel lancar", "kabel" },	/* "kabel lan" is long enough to take a suffix */
	{ "kabellan", NULL },
	{ "kabel  lan", "net" },
	{ "p\xc3\xa9rangkat rusak", "perangkat" },
	{ "P\xc3\xa9RANGKAT rusak", "perangkat" },
	{ "P\xc3\x89RANGKAT rusak", NULL },	/* only ASCII letters fold */
	{ "perangkat rusak", NULL },
	{ "ok", "aneh" },
	{ "oke", NULL },
	{ "tidak ada", NULL },
};

static void
test_custom(void)
{
	static const struct cat_rule only_cable[] = { { "kabel", cable_words, COUNT(cable_words) } };
	size_t n;

	for (size_t i = 0; i < COUNT(custom_cases); i++) {
		const struct text_case *c = &custom_cases[i];

		CHECK(same_name(c->text, match_name(c->text, strlen(c->text), custom, COUNT(custom)), c->want));
	}
	CHECK_STR(match_name("kabel  lan", 10, only_cable, 1), "kabel");
	CHECK_STR(match_name("kabel\xc2\xa0lan", 10, only_cable, 1), "kabel");

	/* Degenerate arguments. */
	CHECK(category_match(NULL, 5, custom, COUNT(custom)) == NULL);
	CHECK(category_match("lan", 3, NULL, 3) == NULL);
	CHECK(category_match("lan", 3, custom, 0) == NULL);
	CHECK(category_match("lan", 0, custom, COUNT(custom)) == NULL);
	CHECK(category_match("", 0, category_defaults(&n), n) == NULL);
	/* The length, not a NUL, bounds the text. */
	CHECK(category_match("xx\0lan", 6, custom, COUNT(custom)) == &custom[2]);
	CHECK(category_match("lancar", 3, custom, COUNT(custom)) == &custom[2]);
	CHECK(category_match("printer", 3, category_defaults(&n), n) == NULL);
}

/* Every cut of a few texts: the answer changes only where a keyword completes. */
static void
test_cuts(void)
{
	static const struct {
		const char *text;
		size_t from, to;	/* cuts with from <= n <= to match want */
		const char *want;
		int custom;		/* against custom[] rather than the defaults */
	} cuts[] = {
		{ "Printer di Bagian Umum", 5, 22, "printer", 0 },	/* "Print" */
		{ "kotak\xc2\xa0masuk", 12, 12, "email", 0 },
		{ "Listrik padam, server mati", 7, 26, "listrik", 0 },
		{ "suku\xc2\xa0\xc2\xa0" "cadang", 14, 14, "suku_cadang", 1 },
		{ "kabel  lan", 10, 10, "net", 1 },
	};
	size_t n, bad = 0;
	const struct cat_rule *defs = category_defaults(&n);

	for (size_t c = 0; c < COUNT(cuts); c++) {
		size_t len = strlen(cuts[c].text);

		for (size_t k = 0; k <= len; k++) {
			const char *got = cuts[c].custom ? match_name(cuts[c].text, k, custom, COUNT(custom))
							 : match_name(cuts[c].text, k, defs, n);
			const char *want = k >= cuts[c].from && k <= cuts[c].to ? cuts[c].want : NULL;

			if (!same_name(cuts[c].text, got, want)) {
				fprintf(stderr, "  (cut at %zu)\n", k);
				bad++;
			}
		}
	}
	CHECK(bad == 0);
}

/* Random bytes and keyword pieces: no crash, no read past the end (ASan). */
static void
test_random(void)
{
	static const char *const pieces[] = {
		"printer", "lan", "kabel", " ", "\xc2\xa0", "\xc2", "\xa0", "-", "nya", "cadang",
		"suku", "\r\n", "\xc3\xa9", "LAN", "mati", "lampu", "x", "1",
	};
	size_t n, seen = 0;
	const struct cat_rule *defs = category_defaults(&n);
	char msg[128];

	unit_rng_state = 0x2545f4914f6cdd1du;
	for (int k = 0; k < 20000; k++) {
		size_t len = 0, count = 1 + rng() % 8;

		for (size_t j = 0; j < count; j++) {
			const char *piece = pieces[rng() % COUNT(pieces)];

			if (k % 4 == 0) {
				msg[len++] = (char)rng();
				continue;
			}
			memcpy(msg + len, piece, strlen(piece));
			len += strlen(piece);
		}
		if (match_name(msg, len, defs, n) != NULL)
			seen++;
		(void)match_name(msg, len, custom, COUNT(custom));
	}
	CHECK(seen > 0);
}

static void
test_names(void)
{
	static const struct {
		const char *name;
		int ok;
	} cases[] = {
		{ "printer", 1 }, { "jaringan_kantor", 1 }, { "e-gov", 1 }, { "a", 1 }, { "2026", 1 },
		{ "_", 1 }, { "abcdefghijklmnopqrstuvwxyz012345", 1 },	/* 32 */
		{ "abcdefghijklmnopqrstuvwxyz0123456", 0 },		/* 33 */
		{ "", 0 }, { "Printer", 0 }, { "PRINTER", 0 }, { "print er", 0 }, { "print\ter", 0 },
		{ "printer ", 0 }, { "pr\xc3\xa9nter", 0 }, { "a.b", 0 }, { "a/b", 0 }, { "a:b", 0 },
		{ "jaringan\n", 0 },
	};

	for (size_t i = 0; i < COUNT(cases); i++) {
		int got = category_name_ok(cases[i].name);

		CHECK(got == cases[i].ok);
		if (got != cases[i].ok)
			fprintf(stderr, "  name \"%s\": %d, want %d\n", cases[i].name, got, cases[i].ok);
	}
	CHECK(category_name_ok(NULL) == 0);
}

int
main(void)
{
	test_defaults_shape();
	test_defaults();
	test_custom();
	test_cuts();
	test_random();
	test_names();
	return unit_done("category");
}
