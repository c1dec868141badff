/*
 * html.c: owns html_to_text: a small state machine that renders the HTML
 * of a mail as readable plain text (no library, no DOM). Pure: no I/O.
 */
#include "mime_internal.h"
#include "text.h"

#define HREF_MAX	2048

struct out {
	struct mbuf b;
	int nl;			/* newlines at the end of b (at most 2: one blank line) */
	int space;		/* a collapsed space is pending */
	int pre;		/* <pre> nesting: white space kept */
	int in_a;		/* inside <a href> */
	size_t a_start;		/* where the text of that link starts in b */
	struct mbuf href;	/* its URL */
};

/* Append text, preceded by the pending space unless at a line start. */
static void
put(struct out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (o->space && o->b.len > 0 && o->nl == 0 && o->b.p[o->b.len - 1] != ' ')
		mbuf_addc(&o->b, ' ');
	o->space = 0;
	mbuf_add(&o->b, s, n);
	o->nl = 0;
}

/* A line break, unless at the start or after a blank line already. */
static void
newline(struct out *o)
{
	o->space = 0;
	if (o->b.len == 0 || o->nl >= 2)
		return;
	mbuf_addc(&o->b, '\n');
	o->nl++;
}

/* Make sure the text ends in k line breaks (k = 2: a blank line). */
static void
breaks(struct out *o, int k)
{
	while (o->b.len > 0 && o->nl < k)
		newline(o);
	o->space = 0;
}

/* Show code point cp: white space (and U+00A0) collapses outside <pre>,
 * other controls are dropped. */
static void
put_cp(struct out *o, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == 0xa0) {
		if (!o->pre)
			o->space = 1;
		else if (cp == '\n')
			newline(o);
		else if (cp != '\r')
			put(o, " ", 1);
		return;
	}
	if (cp < 0x20 || cp == 0x7f)
		return;
	n = utf8_put(cp, u);
	put(o, u, n);
}

static int
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const struct {
	const char *name;
	uint16_t cp;
	uint8_t legacy;		/* recognised without the ';' too */
} entities[] = {
	{ "amp", '&', 1 }, { "lt", '<', 1 }, { "gt", '>', 1 }, { "quot", '"', 1 }, { "apos", '\'', 0 },
	{ "nbsp", 0xa0, 1 }, { "copy", 0xa9, 1 }, { "reg", 0xae, 1 }, { "trade", 0x2122, 0 },
	{ "euro", 0x20ac, 0 }, { "hellip", 0x2026, 0 }, { "mdash", 0x2014, 0 }, { "ndash", 0x2013, 0 },
	{ "lsquo", 0x2018, 0 }, { "rsquo", 0x2019, 0 }, { "sbquo", 0x201a, 0 }, { "ldquo", 0x201c, 0 },
	{ "rdquo", 0x201d, 0 }, { "bdquo", 0x201e, 0 }, { "bull", 0x2022, 0 }, { "middot", 0xb7, 0 },
	{ "laquo", 0xab, 0 }, { "raquo", 0xbb, 0 }, { "deg", 0xb0, 0 }, { "plusmn", 0xb1, 0 },
	{ "para", 0xb6, 0 }, { "sect", 0xa7, 0 }, { "cent", 0xa2, 0 }, { "pound", 0xa3, 0 },
	{ "yen", 0xa5, 0 }, { "iexcl", 0xa1, 0 }, { "iquest", 0xbf, 0 }, { "shy", 0xad, 0 },
	{ "micro", 0xb5, 0 }, { "frac12", 0xbd, 0 }, { "frac14", 0xbc, 0 }, { "frac34", 0xbe, 0 },
	{ "sup2", 0xb2, 0 }, { "sup3", 0xb3, 0 }, { "ensp", ' ', 0 }, { "emsp", ' ', 0 },
	{ "thinsp", ' ', 0 }, { "zwnj", 0x200c, 0 }, { "zwj", 0x200d, 0 }, { "larr", 0x2190, 0 },
	{ "rarr", 0x2192, 0 }, { "check", 0x2713, 0 },
};

/* Latin-1 letters U+00C0..U+00FF by name ("times" and "divide" included). */
static const char *const latin1[64] = {
	"Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil",
	"Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
	"ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
	"Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
	"agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
	"egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
	"eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide",
	"oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
};

static int
name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(s, name, n) == 0;
}

/*
 * Decode the character reference at s[i] == '&' into *cp and return its
 * length, or 0 when it is not one (the '&' is then text). Named references
 * need their ';' except a few legacy ones.
 */
static size_t
entity(const char *s, size_t n, size_t i, uint32_t *cp)
{
	size_t j = i + 1, k;

	if (j < n && s[j] == '#') {
		int hex = 0;
		uint32_t v = 0;
		size_t d = 0;

		j++;
		if (j < n && (s[j] == 'x' || s[j] == 'X')) {
			hex = 1;
			j++;
		}
		for (; j < n && (hex ? mime_hexval(s[j]) >= 0 : (s[j] >= '0' && s[j] <= '9')); j++, d++)
			if (v < 0x110000)
				v = v * (hex ? 16u : 10u) + (uint32_t)mime_hexval(s[j]);
		if (d == 0)
			return 0;
		if (j < n && s[j] == ';')
			j++;
		if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			v = 0xfffd;
		else if (v >= 0x80 && v <= 0x9f)
			v = cp1252_codepoint((unsigned char)v);	/* as browsers do */
		*cp = v;
		return j - i;
	}
	for (k = j; k < n && k - j < 32 && is_alnum(s[k]); k++)
		;
	if (k == j)
		return 0;
	for (size_t e = 0; e < sizeof entities / sizeof entities[0]; e++)
		if (name_is(s + j, k - j, entities[e].name)) {
			if (k < n && s[k] == ';')
				k++;
			else if (!entities[e].legacy)
				return 0;
			*cp = entities[e].cp;
			return k - i;
		}
	for (size_t e = 0; e < 64; e++)
		if (name_is(s + j, k - j, latin1[e]) && k < n && s[k] == ';') {
			*cp = 0xc0 + (uint32_t)e;
			return k + 1 - i;
		}
	return 0;
}

/* Index of the first case-insensitive occurrence of lit (lower case) in
 * s[from..n), or n. */
static size_t
find_ci(const char *s, size_t n, size_t from, const char *lit)
{
	size_t m = strlen(lit);

	for (size_t i = from; i + m <= n; i++)
		if (span_ieq(s + i, m, lit))
			return i;
	return n;
}

/* Index just after the first occurrence of lit in s[from..n), or n. */
static size_t
skip_past(const char *s, size_t n, size_t from, const char *lit)
{
	size_t m = strlen(lit);
	const char *p = from < n ? memmem(s + from, n - from, lit, m) : NULL;

	return p != NULL ? (size_t)(p - s) + m : n;
}

/* Case-insensitive, scheme- and trailing-slash-blind comparison of a link
 * text and its URL. */
static int
same_link(const char *t, size_t tn, const char *u, size_t un)
{
	static const char *const schemes[] = { "https://", "http://", "mailto:" };

	for (int pass = 0; pass < 2; pass++) {
		const char **s = pass == 0 ? &t : &u;
		size_t *sn = pass == 0 ? &tn : &un;

		for (size_t k = 0; k < 3; k++) {
			size_t m = strlen(schemes[k]);

			if (*sn >= m && span_ieq(*s, m, schemes[k])) {
				*s += m;
				*sn -= m;
				break;
			}
		}
		while (*sn > 0 && (*s)[*sn - 1] == '/')
			(*sn)--;
	}
	if (tn != un)
		return 0;
	for (size_t i = 0; i < tn; i++)
		if (ascii_lower(t[i]) != ascii_lower(u[i]))
			return 0;
	return 1;
}

/* End the open link: append " (url)" when the URL says something the text
 * does not (not mailto:, javascript:, cid:, data: or an #anchor). */
static void
close_a(struct out *o)
{
	const char *t, *u = o->href.p;
	size_t tn, un = o->href.len;

	if (!o->in_a)
		return;
	o->in_a = 0;
	if (o->b.oom || o->href.oom || un == 0)
		return;
	t = o->b.p != NULL ? o->b.p + (o->a_start < o->b.len ? o->a_start : o->b.len) : "";
	tn = o->b.p != NULL ? o->b.len - (size_t)(t - o->b.p) : 0;
	while (tn > 0 && (t[0] == ' ' || t[0] == '\n')) {
		t++;
		tn--;
	}
	while (tn > 0 && (t[tn - 1] == ' ' || t[tn - 1] == '\n'))
		tn--;
	if (u[0] == '#' || (un >= 7 && span_ieq(u, 7, "mailto:")) ||
	    (un >= 11 && span_ieq(u, 11, "javascript:")) || (un >= 4 && span_ieq(u, 4, "cid:")) ||
	    (un >= 5 && span_ieq(u, 5, "data:")) || same_link(t, tn, u, un))
		return;
	o->space = 1;
	put(o, "(", 1);
	put(o, u, un);
	put(o, ")", 1);
}

/* Keep the href of an <a>: references decoded, white space and controls dropped. */
static void
set_href(struct out *o, const char *s, size_t n)
{
	o->href.len = 0;
	for (size_t i = 0; i < n && o->href.len < HREF_MAX;) {
		uint32_t cp;
		size_t k = s[i] == '&' ? entity(s, n, i, &cp) : 0;

		if (k > 0) {
			if (cp > ' ' && cp != 0x7f && cp != 0xa0)
				mbuf_utf8(&o->href, cp);
			i += k;
			continue;
		}
		if ((unsigned char)s[i] > ' ' && s[i] != 0x7f)
			mbuf_addc(&o->href, s[i]);
		i++;
	}
}

/* Elements whose content is not shown. */
static const char *const hidden[] = { "script", "style", "head", "title", "template" };
/* Elements that stand on their own lines, and those set off by blank lines. */
static const char *const blocks[] = {
	"div", "tr", "ul", "ol", "table", "section", "article", "header", "footer", "nav", "address",
	"center", "form", "fieldset", "figure", "figcaption", "dt", "dd", "caption", "main", "aside",
	"hr", "dl", "tbody", "thead", "tfoot",
};
static const char *const paragraphs[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
};

static int
in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

#define IN(name, list) in_list(name, list, sizeof list / sizeof list[0])

/* Handle the markup at s[i] == '<' and return the index after it. */
static size_t
tag(struct out *o, const char *s, size_t n, size_t i)
{
	size_t j = i + 1, k = 0;
	int closing = 0, is_a;
	char name[16];

	if (j < n && s[j] == '!') {
		if (n - j >= 3 && memcmp(s + j, "!--", 3) == 0)
			return skip_past(s, n, j + 3, "-->");
		if (n - j >= 8 && span_ieq(s + j, 8, "![cdata["))
			return skip_past(s, n, j + 8, "]]>");
		return skip_past(s, n, j, ">");
	}
	if (j < n && s[j] == '?')
		return skip_past(s, n, j, ">");
	if (j < n && s[j] == '/') {
		closing = 1;
		j++;
	}
	if (j >= n || !is_alnum(s[j]) || (s[j] >= '0' && s[j] <= '9')) {
		if (closing)	/* "</ junk>": dropped like a comment */
			return skip_past(s, n, j, ">");
		put(o, "<", 1);	/* a lone '<' is text */
		return i + 1;
	}
	for (; j < n && (is_alnum(s[j]) || s[j] == '-' || s[j] == ':'); j++)
		if (k + 1 < sizeof name)
			name[k++] = ascii_lower(s[j]);
	name[k] = '\0';
	is_a = strcmp(name, "a") == 0 && !closing;
	if (is_a) {
		close_a(o);
		o->href.len = 0;
	}
	/* Attributes: name [= value], the value quoted or not. */
	while (j < n && s[j] != '>') {
		size_t an, ae;

		if (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n' || s[j] == '/') {
			j++;
			continue;
		}
		for (an = j; j < n && s[j] != '>' && s[j] != '=' && s[j] != '/' && s[j] != ' ' &&
			     s[j] != '\t' && s[j] != '\r' && s[j] != '\n'; j++)
			;
		ae = j == an ? ++j : j;	/* a stray '=' */
		while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
			j++;
		if (j < n && s[j] == '=') {
			size_t vs, ve;

			for (j++; j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'); j++)
				;
			if (j < n && (s[j] == '"' || s[j] == '\'')) {
				const char *q = memchr(s + j + 1, s[j], n - j - 1);

				vs = j + 1;
				ve = q != NULL ? (size_t)(q - s) : n;
				j = q != NULL ? ve + 1 : n;
			} else {
				for (vs = j; j < n && s[j] != '>' && s[j] != ' ' && s[j] != '\t' &&
					     s[j] != '\r' && s[j] != '\n'; j++)
					;
				ve = j;
			}
			if (is_a && span_ieq(s + an, ae - an, "href"))
				set_href(o, s + vs, ve - vs);
		}
	}
	if (j >= n)
		return n;	/* an unterminated tag shows nothing */
	j++;
	if (!closing && IN(name, hidden)) {
		/* Skip the raw content up to the end tag (for <head>, also up to <body>). */
		char end[2 + sizeof name] = "</";
		size_t e;

		memcpy(end + 2, name, k + 1);
		e = find_ci(s, n, j, end);
		if (strcmp(name, "head") == 0) {
			size_t b = find_ci(s, n, j, "<body");

			if (b < e)
				return b;
		}
		return e < n ? skip_past(s, n, e, ">") : n;
	}
	if (strcmp(name, "br") == 0) {
		newline(o);
	} else if (IN(name, paragraphs)) {
		breaks(o, 2);
		if (strcmp(name, "pre") == 0)
			o->pre = closing ? (o->pre > 0 ? o->pre - 1 : 0) : o->pre + 1;
	} else if (IN(name, blocks)) {
		breaks(o, 1);
	} else if (strcmp(name, "li") == 0) {
		breaks(o, 1);
		if (!closing)
			put(o, "- ", 2);
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		if (!closing)
			o->space = 1;
	} else if (strcmp(name, "a") == 0) {
		if (closing) {
			close_a(o);
		} else if (o->href.len > 0) {
			o->in_a = 1;
			o->a_start = o->b.len;
		}
	}
	return j;
}

char *
html_to_text(const char *html, size_t len, size_t *outlen)
{
	struct out o = { 0 };
	size_t i = 0, a, e;
	char *res;

	if (html == NULL)
		len = 0;
	while (i < len && !o.b.oom) {
		unsigned char ch = (unsigned char)html[i];

		if (ch == '<') {
			i = tag(&o, html, len, i);
		} else if (ch == '&') {
			uint32_t cp;
			size_t k = entity(html, len, i, &cp);

			if (k == 0) {
				put(&o, "&", 1);
				i++;
			} else {
				put_cp(&o, cp);
				i += k;
			}
		} else if (ch == 0xc2 && i + 1 < len && (unsigned char)html[i + 1] == 0xa0) {
			put_cp(&o, 0xa0);	/* a raw no-break space */
			i += 2;
		} else if (ch < 0x80) {
			put_cp(&o, ch);
			i++;
		} else {
			put(&o, html + i, 1);
			i++;
		}
	}
	close_a(&o);
	free(o.href.p);
	if (o.b.oom) {
		free(o.b.p);
		return NULL;
	}
	/* Trim, and make sure of UTF-8 (the input should be, but need not). */
	for (a = 0; a < o.b.len && (o.b.p[a] == ' ' || o.b.p[a] == '\t' || o.b.p[a] == '\n'); a++)
		;
	for (e = o.b.len; e > a && (o.b.p[e - 1] == ' ' || o.b.p[e - 1] == '\t' || o.b.p[e - 1] == '\n'); e--)
		;
	res = utf8_repair(o.b.p != NULL ? o.b.p + a : NULL, e - a, outlen);
	free(o.b.p);
	return res;
}
