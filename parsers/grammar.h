/* grammar.h: the HELPDESK message grammar. Pure functions, no I/O. */
#ifndef HD_GRAMMAR_H
#define HD_GRAMMAR_H

#include <stddef.h>

enum hd_cmd {
	HD_NOT_KEYWORD = 0,	/* text does not start with the HELPDESK keyword */
	HD_EMPTY,		/* keyword with no text after it */
	HD_COMPLAINT,		/* a new complaint; arg is its text */
	HD_STATUS,		/* STATUS/CEK <ticket>; arg is the normalised number, or empty */
	HD_INFO,		/* INFO/BANTUAN/HELP: usage text */
	HD_STAFF,		/* a staff command; staff says which, ticket and arg what on */
};

/* Staff commands (docs/grammar.md has the words, Indonesian and English). */
enum hd_staff {
	HS_NONE = 0,
	HS_ACCEPT,		/* TERIMA <ticket>: validate a new ticket */
	HS_REJECT,		/* TOLAK <ticket> <reason> */
	HS_PRIORITY,		/* PRIORITAS <ticket> <level> */
	HS_ASSIGN,		/* TUGASKAN <ticket> <technician> */
	HS_TAKE,		/* AMBIL <ticket>: assign it to oneself */
	HS_TASKS,		/* TUGAS: my open tickets (no argument) */
	HS_PENDING,		/* PENDING <ticket> <reason> */
	HS_RESUME,		/* LANJUT <ticket>: back to work after pending */
	HS_RESOLVE,		/* SELESAI <ticket> <note> */
	HS_CLOSE,		/* TUTUP <ticket> <note> */
	HS_NOTE,		/* CATATAN <ticket> <text> */
	HS_APPROVE,		/* SETUJU <ticket>: a leader approves a resolved ticket */
};

/* Longest normalised ticket number, with its NUL: "PREFIX-YYMM-NNNNNNN". */
#define HD_TICKET_MAX 24

struct hd_parsed {
	enum hd_cmd cmd;
	const char *arg;	/* into the input (complaint, staff command's text after
				 * the ticket, trimmed) or into ticket[] (status) */
	size_t arg_len;
	char ticket[HD_TICKET_MAX];	/* normalised ticket number for HD_STATUS and
					 * HD_STAFF, or "" */
	enum hd_staff staff;	/* HD_STAFF: which command; else HS_NONE */
	const char *word;	/* HD_STAFF: the command word as written, into the input */
	size_t word_len;
};

/*
 * Parse the UTF-8 text of one message (len bytes, need not be NUL-terminated).
 * The keyword HELPDESK matches case-insensitively after optional white space
 * and must be followed by white space, punctuation or the end of the text.
 * prefix is the ticket prefix ("HD") used to recognise ticket numbers.
 * Always succeeds; out->cmd says what the text is.
 * Details (docs/grammar.md): U+00A0 counts as white space; STATUS with a
 * valid number ignores text after it; STATUS with a malformed number (the
 * prefix and/or digits, no letters) gives HD_STATUS with an empty ticket;
 * out->arg is never NULL (it is out->ticket, "" when there is no argument).
 */
void hd_parse(const char *text, size_t len, const char *prefix, struct hd_parsed *out);

/*
 * Recognise a ticket number in s (len bytes) such as "HD-2611-0042",
 * "hd 2611 42" or "HD26110042" and write the canonical form
 * "HD-2611-0042" (prefix upper-cased, sequence at least 4 digits) to out.
 * Returns the number of input bytes consumed, or 0 if s does not start with
 * a ticket number.
 */
size_t hd_ticket_parse(const char *s, size_t len, const char *prefix, char out[HD_TICKET_MAX]);

/*
 * A priority word, Indonesian or English, case-insensitive: RENDAH/LOW,
 * NORMAL/BIASA/SEDANG, TINGGI/HIGH/PENTING, DARURAT/EMERGENCY/URGENT.
 * Returns 0 (low) .. 3 (emergency), or -1 for anything else (s, len bytes,
 * may be surrounded by white space).
 */
int hd_priority_word(const char *s, size_t len);

/* The English name of priority level 0..3 ("low" .. "emergency"), NULL otherwise. */
const char *hd_priority_name(int level);

#endif
