/* mime.h: one RFC 5322/MIME message parsed into what intake needs. Pure: no I/O. */
#ifndef HD_MIME_H
#define HD_MIME_H

#include <stddef.h>
#include <stdint.h>

struct mail_attachment {
	char *filename;		/* UTF-8 as the sender named it (RFC 2231/2047 decoded,
				 * control characters removed, one line, at most 998
				 * bytes); "" when none. Never a path: "../../x" stays
				 * "../../x", so never use it as one. Taken from
				 * Content-Disposition filename, else Content-Type name. */
	char *content_type;	/* lower case "type/subtype" ("application/octet-stream"
				 * for a type without subtype) */
	int is_inline;		/* Content-Disposition: inline, or (without a
				 * disposition) an image with a Content-ID or
				 * inside multipart/related */
	unsigned char *data;	/* decoded content (base64/quoted-printable undone),
				 * never converted between charsets */
	size_t len;		/* > 0: empty parts are not attachments */
};

struct mail {
	/* Headers, decoded to UTF-8 (RFC 2047), one line each, control
	 * characters (C0, DEL, C1, U+2028/9) removed, white space folded, cut
	 * to at most 998 bytes. NULL when the header is absent. The first
	 * occurrence of a repeated header counts. Raw 8-bit header bytes are
	 * read as UTF-8 when valid, else as windows-1252. */
	char *subject;
	char *from_addr;	/* bare address "user@domain" of the first mailbox of
				 * From, as written (case kept); "" when From holds
				 * no address ("From: Budi Santoso"): check it with
				 * address_valid before replying */
	char *from_name;	/* its display name (or the comment of
				 * "user@domain (Name)"), or NULL when empty */
	char *reply_to;		/* bare address of Reply-To, or NULL */
	char *message_id;	/* without <>, or NULL (also when it holds no id) */
	char *in_reply_to;	/* first msg-id of In-Reply-To, without <>, or NULL */
	char **references;	/* msg-ids of References, without <>, in order; at most
				 * 100 (the first and the last 99); NULL when none */
	size_t nreferences;
	int64_t date;		/* Date: in epoch ms, 0 when absent, unreadable or
				 * before 1970. Obsolete forms are read; unknown zone
				 * names count as +0000, WIB/WITA/WIT as +0700/+0800/+0900. */
	char *return_path;	/* Return-Path address; "" for <>; NULL when absent */

	/* Loop-protection facts (design rule 4). */
	char *auto_submitted;	/* Auto-Submitted keyword ("auto-replied"), lower case,
				 * without comments or parameters, or NULL */
	char *precedence;	/* Precedence keyword, lower case, or NULL */
	int list_headers;	/* List-Id or List-Unsubscribe present */
	int autoreply_headers;	/* X-Auto-Response-Suppress, X-Autoreply or X-Autorespond */
	int is_report;		/* multipart/report (delivery or read report) or a
				 * message/(global-)delivery-status or
				 * message/(global-)disposition-notification part */

	/* Body. */
	char *text;		/* never NULL; valid UTF-8, NUL-terminated, no NUL
				 * inside (U+FFFD instead), LF line ends, no BOM: the
				 * first text/plain part with non-blank content that is
				 * not an attachment (Content-Disposition: attachment,
				 * or a file name and no disposition), else a
				 * plain-text rendering of the first such text/html,
				 * else "" */
	size_t text_len;
	int text_from_html;
	struct mail_attachment *att;	/* every other leaf part with content, in
				 * order; text/plain and text/html parts that are
				 * alternatives of the text (under the same outermost
				 * multipart/alternative) or blank are left out.
				 * message/rfc822 is one attachment, not descended. */
	size_t natt;

	size_t header_len;	/* offset of the body in the raw message (after the
				 * blank line); 0 when there is no header, len when
				 * the header runs to the end */
	char *problems;		/* NULL, or "; "-separated notes (each once, at most
				 * 2000 bytes, one line) on what was malformed and how
				 * it was recovered (unknown charset, bad base64,
				 * missing boundary, nesting over 32 levels, over 1000
				 * parts, ...) */
};

/*
 * Parse the raw message raw[0..len) (CRLF or LF line ends; CR alone when
 * the input has no LF at all; need not be NUL-terminated). Malformed input
 * is recovered as far as possible and noted in out->problems; a message
 * with no recognisable header is still returned (text = the whole input,
 * read as UTF-8 or else windows-1252). Time and memory are linear in len
 * (multipart nesting is cut at 32 levels, parts at 1000). Returns 0, or -1
 * only when out of memory (out is then freed). Free with mail_free.
 */
int mail_parse(const char *raw, size_t len, struct mail *out);

/* Free what mail_parse allocated and zero *m; NULL and repeated calls are fine. */
void mail_free(struct mail *m);

/*
 * Convert len bytes in charset to newly allocated, valid UTF-8 (NUL-
 * terminated; *outlen excludes the NUL; NUL bytes in the input stay).
 * Names are case-insensitive, quotes and white space around them ignored.
 * ISO-8859-1, Latin-1 and US-ASCII are read as windows-1252 (its five
 * undefined bytes become U+FFFD); under US-ASCII or an empty/NULL charset
 * valid UTF-8 stays UTF-8. Other charsets go through iconv(3). An unknown
 * charset falls back to UTF-8 when the bytes are valid UTF-8, else to
 * windows-1252; a known charset that fails on bytes that are valid UTF-8
 * (with some non-ASCII, no NUL) falls back to UTF-8, otherwise the bad
 * bytes become U+FFFD. *lossy is set (1) on any of these fallbacks or
 * replacements, else 0. outlen and lossy may be NULL. Returns NULL only
 * when out of memory.
 */
char *charset_to_utf8(const char *charset, const char *in, size_t len, size_t *outlen,
		      int *lossy);

/*
 * Render HTML as readable plain text: tags removed, script/style/head/title,
 * comments and CDATA dropped, block elements and <br> as line breaks (<p>,
 * headings, <pre>, <blockquote> as paragraphs), list items as "- ", table
 * cells separated by a space, links as "text (url)" when they differ (not
 * for mailto:, javascript:, cid:, data: or #anchors), entities decoded
 * (&nbsp; and U+00A0 as an ordinary space), white space collapsed except
 * in <pre>, at most one blank line in a row, the result trimmed. Input
 * UTF-8 (html[0..len), need not be NUL-terminated), output valid UTF-8;
 * outlen may be NULL. Returns NULL only when out of memory.
 */
char *html_to_text(const char *html, size_t len, size_t *outlen);

#endif
