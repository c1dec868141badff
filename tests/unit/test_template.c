/* test_template.c: unit tests for parsers/template.c: checking and expanding reply templates. */
#include <stdint.h>
#include <stdlib.h>

#include "template.h"
#include "unit.h"

#define PRAY "\xf0\x9f\x99\x8f"

static const char *const allowed[] = { "ticket", "name", "status", "sla_hours" };
#define NALLOWED (sizeof allowed / sizeof allowed[0])

struct check_case {
	const char *tmpl;
	int ret;
	const char *err;
};

static const struct check_case check_cases[] = {
	{ "", 0, "" },
	{ "Terima kasih, laporan Anda diterima.", 0, "" },
	{ "Tiket {ticket} diterima.", 0, "" },
	{ "{ticket}", 0, "" },
	{ "{ticket}{status}", 0, "" },
	{ "Yth. {name}, tiket {ticket} berstatus {status}. Target {sla_hours} jam.", 0, "" },
	{ "{{literal}}", 0, "" },
	{ "{{ticket}}", 0, "" },
	{ "{{{ticket}}}", 0, "" },
	{ "a{{b", 0, "" },
	{ "a}}b", 0, "" },
	{ "}}{{", 0, "" },
	{ "{{}}", 0, "" },
	{ "Tiket {ticket} sudah diterima " PRAY, 0, "" },
	{ "Ketik: HELPDESK STATUS {{nomor}}", 0, "" },
	{ "Tiket {tiket} diterima", -1, "unknown placeholder {tiket} at offset 6" },
	{ "{ticket} {unknown_x}", -1, "unknown placeholder {unknown_x} at offset 9" },
	{ "{nama}", -1, "unknown placeholder {nama} at offset 0" },
	{ PRAY " {tiket}", -1, "unknown placeholder {tiket} at offset 5" },
	{ "{{ {tiket} }}", -1, "unknown placeholder {tiket} at offset 3" },
	{ "Tiket {ticket", -1, "unbalanced brace '{' at offset 6" },
	{ "{", -1, "unbalanced brace '{' at offset 0" },
	{ "a {{ b {", -1, "unbalanced brace '{' at offset 7" },
	{ "{{{", -1, "unbalanced brace '{' at offset 2" },
	{ "Tiket ticket}", -1, "unbalanced brace '}' at offset 12" },
	{ "}", -1, "unbalanced brace '}' at offset 0" },
	{ "{ticket}}", -1, "unbalanced brace '}' at offset 8" },
	{ "{{ticket}", -1, "unbalanced brace '}' at offset 8" },
	{ "}}}", -1, "unbalanced brace '}' at offset 2" },
	{ "{Ticket}", -1, "bad placeholder at offset 0 (names are a-z and _)" },
	{ "{}", -1, "bad placeholder at offset 0 (names are a-z and _)" },
	{ "x {ticket }", -1, "bad placeholder at offset 2 (names are a-z and _)" },
	{ "{ticket-no}", -1, "bad placeholder at offset 0 (names are a-z and _)" },
	{ "{sla_hours2}", -1, "bad placeholder at offset 0 (names are a-z and _)" },
	{ "{tick\xc3\xa9t}", -1, "bad placeholder at offset 0 (names are a-z and _)" },
	{ "{ {ticket}", -1, "bad placeholder at offset 0 (names are a-z and _)" },
	{ "ok {ticket} then {", -1, "unbalanced brace '{' at offset 17" },
};

static void
test_check_table(void)
{
	for (size_t i = 0; i < sizeof check_cases / sizeof check_cases[0]; i++) {
		const struct check_case *c = &check_cases[i];
		char err[128];
		int ret;

		memset(err, 'x', sizeof err);
		ret = tmpl_check(c->tmpl, allowed, NALLOWED, err, sizeof err);
		CHECK(ret == c->ret);
		if (ret != c->ret)
			fprintf(stderr, "  template \"%s\": %d, want %d\n", c->tmpl, ret, c->ret);
		CHECK_STR(err, c->err);
	}
}

static void
test_check_special(void)
{
	char err[64];
	char small[10];
	char *big;
	size_t n = 100000;

	/* Nothing allowed. */
	CHECK(tmpl_check("{ticket}", NULL, 0, err, sizeof err) == -1);
	CHECK_STR(err, "unknown placeholder {ticket} at offset 0");
	CHECK(tmpl_check("plain {{text}}", NULL, 0, err, sizeof err) == 0);
	CHECK_STR(err, "");
	/* nallowed limits the list. */
	CHECK(tmpl_check("{name}", allowed, 1, err, sizeof err) == -1);
	CHECK(tmpl_check("{ticket}", allowed, 1, err, sizeof err) == 0);
	/* Names are matched whole. */
	{
		static const char *const only[] = { "tick" };

		CHECK(tmpl_check("{ticket}", only, 1, err, sizeof err) == -1);
		CHECK(tmpl_check("{tick}", only, 1, err, sizeof err) == 0);
	}
	/* No room, or no buffer, for the message. */
	CHECK(tmpl_check("{tiket}", allowed, NALLOWED, NULL, 0) == -1);
	CHECK(tmpl_check("{tiket}", allowed, NALLOWED, NULL, 100) == -1);
	small[0] = 'z';
	CHECK(tmpl_check("{tiket}", allowed, NALLOWED, small, 0) == -1);
	CHECK(small[0] == 'z');
	CHECK(tmpl_check("{tiket}", allowed, NALLOWED, small, sizeof small) == -1);
	CHECK_STR(small, "unknown p");
	CHECK(tmpl_check(NULL, allowed, NALLOWED, err, sizeof err) == -1);
	CHECK_STR(err, "no template");

	/* A long unknown name is quoted only in part. */
	big = malloc(n + 3);
	if (big == NULL)
		exit(2);
	big[0] = '{';
	memset(big + 1, 'q', n);
	big[n + 1] = '}';
	big[n + 2] = '\0';
	{
		char msg[200];

		CHECK(tmpl_check(big, allowed, NALLOWED, msg, sizeof msg) == -1);
		CHECK(strncmp(msg, "unknown placeholder {qqqq", 25) == 0);
		CHECK(strstr(msg, "qqq...} at offset 0") != NULL);
		CHECK(strlen(msg) < 120);
	}
	/* 100 KB of valid placeholders and literal braces. */
	for (size_t i = 0; i + 8 <= n; i += 8)
		memcpy(big + i, i % 16 ? "{ticket}" : "{{x}}ab ", 8);
	big[n - n % 8] = '\0';
	CHECK(tmpl_check(big, allowed, NALLOWED, err, sizeof err) == 0);
	free(big);
}

static const struct tmpl_var vars[] = {
	{ "ticket", "HD-2611-0042" },
	{ "name", "Budi" },
	{ "status", "selesai" },
	{ "empty", NULL },
	{ "braces", "{ticket} }}{{" },
	{ "ticket", "second" },	/* a duplicate: the first wins */
	{ NULL, "ignored" },
	{ "emoji", PRAY },
};
#define NVARS (sizeof vars / sizeof vars[0])

struct expand_case {
	const char *tmpl;
	const char *out;
};

static const struct expand_case expand_cases[] = {
	{ "", "" },
	{ "no placeholders", "no placeholders" },
	{ "Tiket {ticket} diterima.", "Tiket HD-2611-0042 diterima." },
	{ "{ticket}", "HD-2611-0042" },
	{ "{ticket}{ticket}", "HD-2611-0042HD-2611-0042" },
	{ "{name}: {status}", "Budi: selesai" },
	{ "Yth. {name}, tiket {ticket} {status}.", "Yth. Budi, tiket HD-2611-0042 selesai." },
	{ "[{empty}]", "[]" },
	{ "{braces}", "{ticket} }}{{" },		/* values are not expanded again */
	{ "{emoji} {name}", PRAY " Budi" },
	{ "{{ticket}}", "{ticket}" },
	{ "{{{ticket}}}", "{HD-2611-0042}" },
	{ "}}{{", "}{" },
	{ "{{}}", "{}" },
	{ "Ketik: HELPDESK STATUS {{nomor}}", "Ketik: HELPDESK STATUS {nomor}" },
	{ "{tiket}", "{tiket}" },			/* unknown: kept */
	{ "a {tiket} b {ticket}", "a {tiket} b HD-2611-0042" },
	{ "a{b", "a{b" },
	{ "a}b", "a}b" },
	{ "{", "{" },
	{ "}", "}" },
	{ "{Ticket}", "{Ticket}" },
	{ "{}", "{}" },
	{ "{ticket", "{ticket" },
	{ "{ {ticket}", "{ HD-2611-0042" },
	{ "{ticket}}", "HD-2611-0042}" },
	{ "caf\xc3\xa9 {name} " PRAY, "caf\xc3\xa9 Budi " PRAY },
};

static void
test_expand_table(void)
{
	for (size_t i = 0; i < sizeof expand_cases / sizeof expand_cases[0]; i++) {
		const struct expand_case *c = &expand_cases[i];
		char *out = tmpl_expand(c->tmpl, vars, NVARS);

		CHECK_STR(out, c->out);
		free(out);
	}
}

static void
test_expand_special(void)
{
	char *out, *big, *value;
	size_t n = 1024 * 1024;

	out = tmpl_expand(NULL, vars, NVARS);
	CHECK_STR(out, "");
	free(out);
	out = tmpl_expand("{ticket} {{x}}", NULL, 0);
	CHECK_STR(out, "{ticket} {x}");
	free(out);
	out = tmpl_expand("{name}", vars, 1);	/* nvars limits the list */
	CHECK_STR(out, "{name}");
	free(out);

	/* A 1 MB value. */
	value = malloc(n + 1);
	if (value == NULL)
		exit(2);
	memset(value, 'v', n);
	value[n] = '\0';
	{
		const struct tmpl_var one[] = { { "ticket", value } };

		out = tmpl_expand("<{ticket}>", one, 1);
		CHECK(out != NULL && strlen(out) == n + 2 && out[0] == '<' && out[n + 1] == '>' &&
		      out[1] == 'v' && out[n] == 'v');
		free(out);
	}
	free(value);

	/* 10000 placeholders. */
	big = malloc(10000 * 8 + 1);
	if (big == NULL)
		exit(2);
	for (size_t i = 0; i < 10000; i++)
		memcpy(big + 8 * i, "{status}", 8);
	big[10000 * 8] = '\0';
	out = tmpl_expand(big, vars, NVARS);
	CHECK(out != NULL && strlen(out) == 10000 * 7 && strncmp(out, "selesaiselesai", 14) == 0);
	free(out);
	free(big);
}

/*
 * Random templates over a small alphabet: check and expand never crash, and
 * a template that passes the check (all its names are given values) expands
 * with exactly one brace for each "{{" or "}}" and no other.
 */
static void
test_random(void)
{
	static const char alphabet[] = "{}{}ab_ xT\xc3\xa9";
	static const char *const names[] = { "a", "b", "ab" };
	static const struct tmpl_var abvars[] = { { "a", "1" }, { "b", "2" }, { "ab", "3" } };
	size_t bad = 0, passed = 0, failed = 0;
	char tmpl[64], err[128];

	for (int k = 0; k < 100000; k++) {
		size_t len = rng() % 24, braces_in = 0, braces_out = 0;
		char *out;
		int ret;

		for (size_t i = 0; i < len; i++)
			tmpl[i] = alphabet[rng() % (sizeof alphabet - 1)];
		tmpl[len] = '\0';
		ret = tmpl_check(tmpl, names, 3, err, sizeof err);
		out = tmpl_expand(tmpl, abvars, 3);
		if (out == NULL || (ret != 0 && ret != -1) || (ret == 0) != (err[0] == '\0')) {
			bad++;
		} else if (ret == 0) {
			passed++;
			/* Every brace left comes from a "{{" or "}}" pair. */
			for (size_t i = 0; tmpl[i] != '\0'; i++)
				if ((tmpl[i] == '{' || tmpl[i] == '}') && tmpl[i + 1] == tmpl[i]) {
					braces_in++;
					i++;
				}
			for (size_t i = 0; out[i] != '\0'; i++)
				braces_out += out[i] == '{' || out[i] == '}';
			if (braces_in != braces_out)
				bad++;
		} else {
			failed++;
		}
		free(out);
	}
	CHECK(bad == 0);
	CHECK(passed > 1000 && failed > 1000);
}

int
main(void)
{
	unit_rng_state = 0xda942042e4dd58b5u;
	test_check_table();
	test_check_special();
	test_expand_table();
	test_expand_special();
	test_random();
	return unit_done("template");
}
