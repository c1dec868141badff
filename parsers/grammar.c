/*
 * grammar.c: owns the HELPDESK message grammar: recognising the keyword,
 * the command words (STATUS, INFO, the staff commands, ...), ticket numbers
 * and priority words. Pure functions: no I/O, no allocation; inputs are
 * (pointer, length) and never read past len.
 */
#include "grammar.h"

#include <stdbool.h>
#include <string.h>

#define KEYWORD		"HELPDESK"
#define KEYWORD_LEN	(sizeof KEYWORD - 1)
#define DEFAULT_PREFIX	"HD"
#define YYMM_DIGITS	4
#define SEQ_MIN_DIGITS	4
#define SEQ_MAX_DIGITS	7
/* What follows the prefix in a canonical number: "-YYMM-" + sequence + NUL. */
#define TICKET_TAIL	(1 + YYMM_DIGITS + 1 + SEQ_MAX_DIGITS + 1)

/* What a command word takes after it. */
enum arg_kind {
	ARG_NONE,	/* nothing: any other text makes the message a complaint */
	ARG_TICKET,	/* an optional ticket number */
	ARG_TICKET_TEXT,	/* a ticket number, then free text (may be empty);
				 * without a number the message is a complaint */
};

/*
 * The command words, matched case-insensitively as whole words right after
 * the keyword. To add a command, add a row (and an enum hd_cmd or enum
 * hd_staff value). docs/grammar.md lists the words for users.
 */
static const struct command {
	const char *word;
	enum hd_cmd cmd;
	enum hd_staff staff;
	enum arg_kind arg;
} commands[] = {
	{ "STATUS",	HD_STATUS,	HS_NONE,	ARG_TICKET },
	{ "CEK",	HD_STATUS,	HS_NONE,	ARG_TICKET },
	{ "INFO",	HD_INFO,	HS_NONE,	ARG_NONE },
	{ "BANTUAN",	HD_INFO,	HS_NONE,	ARG_NONE },
	{ "HELP",	HD_INFO,	HS_NONE,	ARG_NONE },
	{ "?",		HD_INFO,	HS_NONE,	ARG_NONE },

	/* Staff commands: Indonesian first, then the English synonyms. */
	{ "TERIMA",	HD_STAFF,	HS_ACCEPT,	ARG_TICKET_TEXT },
	{ "ACCEPT",	HD_STAFF,	HS_ACCEPT,	ARG_TICKET_TEXT },
	{ "TOLAK",	HD_STAFF,	HS_REJECT,	ARG_TICKET_TEXT },
	{ "REJECT",	HD_STAFF,	HS_REJECT,	ARG_TICKET_TEXT },
	{ "PRIORITAS",	HD_STAFF,	HS_PRIORITY,	ARG_TICKET_TEXT },
	{ "PRIORITY",	HD_STAFF,	HS_PRIORITY,	ARG_TICKET_TEXT },
	{ "TUGASKAN",	HD_STAFF,	HS_ASSIGN,	ARG_TICKET_TEXT },
	{ "ASSIGN",	HD_STAFF,	HS_ASSIGN,	ARG_TICKET_TEXT },
	{ "AMBIL",	HD_STAFF,	HS_TAKE,	ARG_TICKET_TEXT },
	{ "TAKE",	HD_STAFF,	HS_TAKE,	ARG_TICKET_TEXT },
	{ "TUGAS",	HD_STAFF,	HS_TASKS,	ARG_NONE },
	{ "TASKS",	HD_STAFF,	HS_TASKS,	ARG_NONE },
	{ "MINE",	HD_STAFF,	HS_TASKS,	ARG_NONE },
	{ "PENDING",	HD_STAFF,	HS_PENDING,	ARG_TICKET_TEXT },
	{ "TUNDA",	HD_STAFF,	HS_PENDING,	ARG_TICKET_TEXT },
	{ "HOLD",	HD_STAFF,	HS_PENDING,	ARG_TICKET_TEXT },
	{ "LANJUT",	HD_STAFF,	HS_RESUME,	ARG_TICKET_TEXT },
	{ "RESUME",	HD_STAFF,	HS_RESUME,	ARG_TICKET_TEXT },
	{ "SELESAI",	HD_STAFF,	HS_RESOLVE,	ARG_TICKET_TEXT },
	{ "DONE",	HD_STAFF,	HS_RESOLVE,	ARG_TICKET_TEXT },
	{ "RESOLVE",	HD_STAFF,	HS_RESOLVE,	ARG_TICKET_TEXT },
	{ "RESOLVED",	HD_STAFF,	HS_RESOLVE,	ARG_TICKET_TEXT },
	{ "TUTUP",	HD_STAFF,	HS_CLOSE,	ARG_TICKET_TEXT },
	{ "CLOSE",	HD_STAFF,	HS_CLOSE,	ARG_TICKET_TEXT },
	{ "CATATAN",	HD_STAFF,	HS_NOTE,	ARG_TICKET_TEXT },
	{ "NOTE",	HD_STAFF,	HS_NOTE,	ARG_TICKET_TEXT },
	{ "SETUJU",	HD_STAFF,	HS_APPROVE,	ARG_TICKET_TEXT },
	{ "APPROVE",	HD_STAFF,	HS_APPROVE,	ARG_TICKET_TEXT },
};

/* The priority words, Indonesian and English; level 0 (low) .. 3 (emergency). */
static const struct priority_word {
	const char *word;
	int level;
} priority_words[] = {
	{ "RENDAH", 0 },	{ "LOW", 0 },
	{ "NORMAL", 1 },	{ "BIASA", 1 },		{ "SEDANG", 1 },
	{ "TINGGI", 2 },	{ "HIGH", 2 },		{ "PENTING", 2 },
	{ "DARURAT", 3 },	{ "EMERGENCY", 3 },	{ "URGENT", 3 },
};

static const char *const priority_names[] = { "low", "normal", "high", "emergency" };

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_alnum(unsigned char c)
{
	return is_digit(c) || is_alpha(c);
}

/* ASCII punctuation, independent of the locale. */
static bool
is_punct(unsigned char c)
{
	return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static unsigned char
to_upper(unsigned char c)
{
	return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

/* 1 when the n bytes at s equal word (ASCII, case-insensitive). */
static bool
same_word(const char *s, const char *word, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (to_upper((unsigned char)s[i]) != to_upper((unsigned char)word[i]))
			return false;
	return true;
}

/* Length of the white space character at s[i] (ASCII or U+00A0), or 0. */
static size_t
space_at(const char *s, size_t len, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
		return 1;
	if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0)
		return 2;
	return 0;
}

/* Length of a U+FEFF byte order mark at s[i], or 0. */
static size_t
bom_at(const char *s, size_t len, size_t i)
{
	if (len - i >= 3 && (unsigned char)s[i] == 0xef &&
	    (unsigned char)s[i + 1] == 0xbb && (unsigned char)s[i + 2] == 0xbf)
		return 3;
	return 0;
}

/* Punctuation that may separate the keyword or a command from what follows. */
static bool
is_separator(unsigned char c)
{
	return c != '\0' && strchr(":;,.#-=>*~|/_!", c) != NULL;
}

/* Skip white space and separator punctuation from s[i]; return the new index. */
static size_t
skip_separators(const char *s, size_t len, size_t i)
{
	while (i < len) {
		size_t n = space_at(s, len, i);

		if (n == 0 && is_separator((unsigned char)s[i]))
			n = 1;
		if (n == 0)
			break;
		i += n;
	}
	return i;
}

/* 1 when s[i..len) is only white space and ASCII punctuation. */
static bool
only_filler(const char *s, size_t len, size_t i)
{
	while (i < len) {
		size_t n = space_at(s, len, i);

		if (n == 0 && is_punct((unsigned char)s[i]))
			n = 1;
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* Return end moved back over trailing white space, not below start. */
static size_t
trim_end(const char *s, size_t start, size_t end)
{
	while (end > start) {
		unsigned char c = (unsigned char)s[end - 1];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
			end--;
		else if (c == 0xa0 && end - start >= 2 && (unsigned char)s[end - 2] == 0xc2)
			end -= 2;
		else
			break;
	}
	return end;
}

/* 1 when a word may end at s[i]: end of text, white space or punctuation. */
static bool
word_ends_at(const char *s, size_t len, size_t i)
{
	return i == len || space_at(s, len, i) > 0 || is_punct((unsigned char)s[i]);
}

/* 1 when the whole word (case-insensitive) starts at s[i]. */
static bool
word_at(const char *s, size_t len, size_t i, const char *word)
{
	size_t n = strlen(word);

	return len - i >= n && same_word(s + i, word, n) && word_ends_at(s, len, i + n);
}

/*
 * 1 when s[i..len) looks like a mistyped ticket number: the prefix and/or
 * digits, with nothing but white space and punctuation besides.
 */
static bool
ticket_attempt(const char *s, size_t len, size_t i, const char *prefix)
{
	size_t plen = strlen(prefix);
	bool seen = false;

	if (len - i >= plen && same_word(s + i, prefix, plen)) {
		i += plen;
		seen = true;
	}
	while (i < len) {
		size_t n = space_at(s, len, i);

		if (n == 0 && (is_punct((unsigned char)s[i]) || is_digit((unsigned char)s[i]))) {
			seen = seen || is_digit((unsigned char)s[i]);
			n = 1;
		}
		if (n == 0)
			return false;
		i += n;
	}
	return seen;
}

/* Skip a run of ticket separators ('-', ' ', '/', '.') from s[i]. */
static size_t
skip_ticket_separators(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == '-' || s[i] == ' ' || s[i] == '/' || s[i] == '.'))
		i++;
	return i;
}

/*
 * Length of a mistyped ticket number that has text after it, at s[i]: the
 * prefix and two or more runs of digits between ticket separators
 * ("HD-2613-0042", "HD 261 42"), not running on into a letter or digit.
 * 0 if s[i] does not start like that ("HD 500GB", "HD 1 TB").
 */
static size_t
ticket_shape(const char *s, size_t len, size_t i, const char *prefix)
{
	size_t plen = strlen(prefix), start = i, runs = 0;

	if (len - i < plen || !same_word(s + i, prefix, plen))
		return 0;
	i += plen;
	for (;;) {
		size_t j = skip_ticket_separators(s, len, i), d = j;

		while (d < len && is_digit((unsigned char)s[d]))
			d++;
		if (d == j)
			break;
		runs++;
		i = d;
	}
	if (runs < 2 || (i < len && is_alnum((unsigned char)s[i])))
		return 0;
	return i - start;
}

size_t
hd_ticket_parse(const char *s, size_t len, const char *prefix, char out[HD_TICKET_MAX])
{
	size_t plen, i, yymm, seq, nseq, o = 0;
	int month;

	if (out == NULL)
		return 0;
	out[0] = '\0';
	if (s == NULL)
		return 0;
	if (prefix == NULL || prefix[0] == '\0')
		prefix = DEFAULT_PREFIX;
	plen = strlen(prefix);
	if (plen > HD_TICKET_MAX - TICKET_TAIL || len < plen || !same_word(s, prefix, plen))
		return 0;

	i = skip_ticket_separators(s, len, plen);
	if (len - i < YYMM_DIGITS)
		return 0;
	for (size_t k = 0; k < YYMM_DIGITS; k++)
		if (!is_digit((unsigned char)s[i + k]))
			return 0;
	month = (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
	if (month < 1 || month > 12)
		return 0;
	yymm = i;
	i = skip_ticket_separators(s, len, i + YYMM_DIGITS);

	seq = i;
	while (i < len && is_digit((unsigned char)s[i]))
		i++;
	nseq = i - seq;
	if (nseq == 0 || nseq > SEQ_MAX_DIGITS)
		return 0;
	if (i < len && is_alnum((unsigned char)s[i]))
		return 0;

	/* Canonical sequence: leading zeros stripped down to SEQ_MIN_DIGITS. */
	while (nseq > SEQ_MIN_DIGITS && s[seq] == '0') {
		seq++;
		nseq--;
	}
	for (size_t k = 0; k < plen; k++)
		out[o++] = (char)to_upper((unsigned char)prefix[k]);
	out[o++] = '-';
	memcpy(out + o, s + yymm, YYMM_DIGITS);
	o += YYMM_DIGITS;
	out[o++] = '-';
	for (size_t k = nseq; k < SEQ_MIN_DIGITS; k++)
		out[o++] = '0';
	memcpy(out + o, s + seq, nseq);
	o += nseq;
	out[o] = '\0';
	return i;
}

/*
 * Fill *out for the command cmd, whose word starts at text[i], with what
 * follows it up to end. false when that text makes the message a complaint.
 */
static bool
command_args(const struct command *cmd, const char *text, size_t end, size_t i,
	     const char *prefix, struct hd_parsed *out)
{
	size_t j = i + strlen(cmd->word), k, n, rest = end;

	switch (cmd->arg) {
	case ARG_NONE:
		if (!only_filler(text, end, j))
			return false;
		break;
	case ARG_TICKET:
		if (only_filler(text, end, j))
			break;
		k = skip_separators(text, end, j);
		n = hd_ticket_parse(text + k, end - k, prefix, out->ticket);
		if (n > 0)
			out->arg_len = strlen(out->ticket);
		else if (!ticket_attempt(text, end, k, prefix))
			return false;
		break;
	case ARG_TICKET_TEXT:
		/* The word alone is a command without a number, as STATUS is. */
		if (only_filler(text, end, j))
			break;
		k = skip_separators(text, end, j);
		n = hd_ticket_parse(text + k, end - k, prefix, out->ticket);
		if (n == 0)
			n = ticket_shape(text, end, k, prefix);
		if (n > 0)
			rest = skip_separators(text, end, k + n);
		else if (!ticket_attempt(text, end, k, prefix))
			return false;
		break;
	}

	out->cmd = cmd->cmd;
	if (cmd->cmd == HD_STAFF) {
		out->staff = cmd->staff;
		out->word = text + i;
		out->word_len = j - i;
		out->arg = text + rest;
		out->arg_len = end - rest;
	}
	return true;
}

void
hd_parse(const char *text, size_t len, const char *prefix, struct hd_parsed *out)
{
	size_t i = 0, end;

	if (out == NULL)
		return;
	out->cmd = HD_NOT_KEYWORD;
	out->ticket[0] = '\0';
	out->arg = out->ticket;
	out->arg_len = 0;
	out->staff = HS_NONE;
	out->word = NULL;
	out->word_len = 0;
	if (text == NULL)
		return;
	if (prefix == NULL || prefix[0] == '\0')
		prefix = DEFAULT_PREFIX;

	for (;;) {
		size_t n = i < len ? space_at(text, len, i) : 0;

		if (n == 0 && i < len)
			n = bom_at(text, len, i);
		if (n == 0)
			break;
		i += n;
	}
	if (len - i < KEYWORD_LEN || !same_word(text + i, KEYWORD, KEYWORD_LEN) ||
	    !word_ends_at(text, len, i + KEYWORD_LEN))
		return;

	i = skip_separators(text, len, i + KEYWORD_LEN);
	end = trim_end(text, i, len);

	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
		if (!word_at(text, end, i, commands[c].word))
			continue;
		if (command_args(&commands[c], text, end, i, prefix, out))
			return;
		break;	/* a command word followed by other text: a complaint */
	}

	if (only_filler(text, end, i)) {
		out->cmd = HD_EMPTY;
		return;
	}
	out->cmd = HD_COMPLAINT;
	out->arg = text + i;
	out->arg_len = end - i;
}

int
hd_priority_word(const char *s, size_t len)
{
	size_t start = 0, end;

	if (s == NULL)
		return -1;
	while (start < len) {
		size_t n = space_at(s, len, start);

		if (n == 0)
			break;
		start += n;
	}
	end = trim_end(s, start, len);
	for (size_t k = 0; k < sizeof priority_words / sizeof priority_words[0]; k++) {
		const struct priority_word *w = &priority_words[k];
		size_t n = strlen(w->word);

		if (end - start == n && same_word(s + start, w->word, n))
			return w->level;
	}
	return -1;
}

const char *
hd_priority_name(int level)
{
	if (level < 0 || (size_t)level >= sizeof priority_names / sizeof priority_names[0])
		return NULL;
	return priority_names[level];
}
