/*
 * grammar.c: owns the HELPDESK message grammar: recognising the keyword,
 * the command words (STATUS, INFO, ...) and ticket numbers. Pure functions:
 * no I/O, no allocation; inputs are (pointer, length) and never read past len.
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
};

/*
 * The command words, matched case-insensitively as whole words right after
 * the keyword. To add a command, add a row (and an enum hd_cmd value).
 */
static const struct command {
	const char *word;
	enum hd_cmd cmd;
	enum arg_kind arg;
} commands[] = {
	{ "STATUS",	HD_STATUS,	ARG_TICKET },
	{ "CEK",	HD_STATUS,	ARG_TICKET },
	{ "INFO",	HD_INFO,	ARG_NONE },
	{ "BANTUAN",	HD_INFO,	ARG_NONE },
	{ "HELP",	HD_INFO,	ARG_NONE },
	{ "?",		HD_INFO,	ARG_NONE },
};

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
		const struct command *cmd = &commands[c];
		size_t j, k, n;

		if (!word_at(text, end, i, cmd->word))
			continue;
		j = i + strlen(cmd->word);
		if (only_filler(text, end, j)) {
			out->cmd = cmd->cmd;
			return;
		}
		if (cmd->arg == ARG_TICKET) {
			k = skip_separators(text, end, j);
			n = hd_ticket_parse(text + k, end - k, prefix, out->ticket);
			if (n > 0) {
				out->cmd = cmd->cmd;
				out->arg_len = strlen(out->ticket);
				return;
			}
			if (ticket_attempt(text, end, k, prefix)) {
				out->cmd = cmd->cmd;
				return;
			}
		}
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
