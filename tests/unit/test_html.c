/* test_html.c: unit tests for parsers/html.c: HTML mail rendered as plain text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"
#include "text.h"
#include "unit.h"

#define FFFD	"\xef\xbf\xbd"

static const struct {
	const char *in, *out;
} html_cases[] = {
	{ "", "" },
	{ "HELPDESK printer rusak", "HELPDESK printer rusak" },
	{ "<p>Halo</p><p>Dunia</p>", "Halo\n\nDunia" },
	{ "a<br>b<br/>c<BR />d", "a\nb\nc\nd" },
	{ "a<br><br><br><br>b", "a\n\nb" },
	{ "<p>&nbsp;</p><p>&nbsp;</p><p>x</p><p class=MsoNormal><o:p>&nbsp;</o:p></p>", "x" },
	{ "<ul><li>satu</li><li>dua</ul>", "- satu\n- dua" },
	{ "<ol>\n  <li> satu </li>\n  <li>dua</li>\n</ol>", "- satu\n- dua" },
	{ "<div>satu</div><div>dua</div>", "satu\ndua" },
	{ "<h1>Judul</h1>isi<h2>Sub</h2>", "Judul\n\nisi\n\nSub" },
	{ "a<hr>b", "a\nb" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>", "a b\nc d" },
	{ "<b>te</b>bal <i>miring</i>", "tebal miring" },
	{ "  banyak   spasi\r\n\n dan\tbaris  ", "banyak spasi dan baris" },
	{ "<pre>  kode\n    baris\n\n\n\nakhir</pre>sesudah", "kode\n    baris\n\nakhir\n\nsesudah" },
	/* Links. */
	{ "<a href=\"https://x.go.id/t/1\">lihat</a>", "lihat (https://x.go.id/t/1)" },
	{ "<A HREF='https://x.go.id/'>https://x.go.id</A>", "https://x.go.id" },
	{ "<a href=\"http://x.go.id\">X.GO.ID</a>", "X.GO.ID" },
	{ "<a href=\"mailto:a@b.go.id\">a@b.go.id</a>", "a@b.go.id" },
	{ "<a href=\"MAILTO:a@b.go.id\">tulis</a>", "tulis" },
	{ "<a href=\"javascript:alert(1)\">klik</a>", "klik" },
	{ "<a href='#atas'>atas</a>", "atas" },
	{ "<a href=x.html>tautan</a>", "tautan (x.html)" },
	{ "<a name=x>tanpa href</a>", "tanpa href" },
	{ "<a href=\"u?a=1&amp;b=2\">t</a>", "t (u?a=1&b=2)" },
	{ "<a href=\" https://x.go.id/\n a \">t</a>", "t (https://x.go.id/a)" },
	{ "<a href=\"https://a\">satu</a> <a href=\"https://b\">dua</a>", "satu (https://a) dua (https://b)" },
	{ "<a href=\"https://a\">satu<a href=\"https://b\">dua</a>.", "satu (https://a)dua (https://b)." },
	{ "<a href=\"https://a\"><img src=x></a>", "(https://a)" },
	{ "<a href=\"https://a\">buka", "buka (https://a)" },
	/* Hidden content. */
	{ "<script>var a='<p>';</script>ok", "ok" },
	{ "<SCRIPT type=x>document.write('</p>')</SCRIPT >ok", "ok" },
	{ "<style>p{color:red}</style><title>T</title>ok", "ok" },
	{ "<html><head><title>T</title><body>ok", "ok" },
	{ "<head><meta charset=utf-8></head><body>ok</body>", "ok" },
	{ "x<!-- c <p> -->y", "xy" },
	{ "x<!--[if gte mso 9]><xml>o</xml><![endif]-->y", "xy" },
	{ "x<![CDATA[ c ]]>y", "xy" },
	{ "<!DOCTYPE html><?xml version=\"1.0\"?>ok", "ok" },
	{ "x<!-- unterminated", "x" },
	{ "<script>never closed", "" },
	/* Entities. */
	{ "&amp;&lt;&gt;&quot;&apos;&copy;&reg;&euro;&hellip;&mdash;&ndash;",
	  "&<>\"'\xc2\xa9\xc2\xae\xe2\x82\xac\xe2\x80\xa6\xe2\x80\x94\xe2\x80\x93" },
	{ "&lsquo;&rsquo;&ldquo;&rdquo;&bull;&middot;&laquo;&raquo;",
	  "\xe2\x80\x98\xe2\x80\x99\xe2\x80\x9c\xe2\x80\x9d\xe2\x80\xa2\xc2\xb7\xc2\xab\xc2\xbb" },
	{ "caf&eacute; &Eacute;&ccedil;&uuml;&szlig;&times;&yuml;",
	  "caf\xc3\xa9 \xc3\x89\xc3\xa7\xc3\xbc\xc3\x9f\xc3\x97\xc3\xbf" },
	{ "a&nbsp;b&nbsp;&nbsp;c", "a b c" },
	{ "&#8211;&#x2013;&#X2013;&#150;", "\xe2\x80\x93\xe2\x80\x93\xe2\x80\x93\xe2\x80\x93" },
	{ "&#0;&#xD800;&#1114112;&#99999999999;", FFFD FFFD FFFD FFFD },
	{ "&#65&#x42;C", "ABC" },
	{ "a&#10;&#9;b", "a b" },
	{ "AT&T &unknown; & &amp &lt &copy2024 &eacute", "AT&T &unknown; & & < &copy2024 &eacute" },
	{ "&#x;&#;&", "&#x;&#;&" },
	/* Odd markup. */
	{ "1 < 2 and 3 > 2", "1 < 2 and 3 > 2" },
	{ "a <3 b", "a <3 b" },
	{ "x</ junk>y", "xy" },
	{ "unterminated <a href=\"x", "unterminated" },
	{ "<p title='a>b'>isi</p>", "isi" },
	{ "<p =x>isi</p>", "isi" },
	{ "<p\n>isi</p\n>", "isi" },
	{ "<verylongtagnamethatgoesonandon>x</verylongtagnamethatgoesonandon>", "x" },
	/* Encodings. */
	{ "caf\xc3\xa9 \xc2\xa0 x", "caf\xc3\xa9 x" },
	{ "a\xff" "b", "a" FFFD "b" },
	{ "a\x01\x7f" "b", "ab" },
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof html_cases / sizeof html_cases[0]; i++) {
		size_t len = strlen(html_cases[i].in), outlen = 12345;
		char *in = dup_exact(html_cases[i].in, len);
		char *out = html_to_text(in, len, &outlen);

		CHECK_STR(out, html_cases[i].out);
		CHECK(out != NULL && outlen == strlen(out) && utf8_valid(out, outlen));
		free(out);
		free(in);
	}
	{
		size_t outlen = 7;
		char *out = html_to_text(NULL, 0, &outlen);

		CHECK(out != NULL && out[0] == '\0' && outlen == 0);
		free(out);
		out = html_to_text("<p>x</p>", 8, NULL);
		CHECK_STR(out, "x");
		free(out);
		/* The length, not a terminator, bounds the input. */
		out = html_to_text("abc<script>", 3, NULL);
		CHECK_STR(out, "abc");
		free(out);
	}
}

/* Random markup soup: always valid UTF-8, never more than one blank line. */
static void
test_random(void)
{
	static const char *const parts[] = {
		"<p>", "</p>", "<br>", "<li>", "<a href=\"https://x/", "\">", "</a>", "<script>", "</script>",
		"<pre>", "</pre>", "&amp;", "&#x20AC;", "&#", ";", "<!--", "-->", "text ", "\n", "  ", "<",
		">", "\"", "'", "\xc3\xa9", "\xe2\x80", "\xff", "<![CDATA[", "]]>", "<td>", "<head>", "<body>",
		"&nbsp;", "\r\n",
	};
	char buf[4096];

	for (int it = 0; it < 3000; it++) {
		size_t len = 0, outlen;
		int n = (int)(rng() % 60);
		char *in, *out;

		for (int k = 0; k < n; k++) {
			const char *p = parts[rng() % (sizeof parts / sizeof parts[0])];
			size_t l = strlen(p);

			if (len + l > sizeof buf)
				break;
			memcpy(buf + len, p, l);
			len += l;
		}
		in = dup_exact(buf, len);
		out = html_to_text(in, len, &outlen);
		CHECK(out != NULL && utf8_valid(out, outlen) && strlen(out) == outlen && strstr(out, "\n\n\n") == NULL);
		free(out);
		free(in);
	}
}

/* A large document renders in linear time. */
static void
test_large(void)
{
	size_t n = 4 << 20, len = 0, outlen;
	char *in = malloc(n), *out;
	clock_t t0;
	double secs;

	while (len + 32 <= n) {
		memcpy(in + len, "<p>HELPDESK &amp; baris</p>\n", 28);
		len += 28;
	}
	t0 = clock();
	out = html_to_text(in, len, &outlen);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(out != NULL && strncmp(out, "HELPDESK & baris\n\nHELPDESK", 26) == 0);
	CHECK(secs < 3.0);
	free(out);
	/* Many unclosed <script> tags do not make it quadratic. */
	len = 0;
	while (len + 8 <= n) {
		memcpy(in + len, "<script>", 8);
		len += 8;
	}
	t0 = clock();
	out = html_to_text(in, len, &outlen);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK_STR(out, "");
	CHECK(secs < 3.0);
	free(out);
	free(in);
}

int
main(void)
{
	unit_rng_state = 0x68746d6cu;	/* "html" */
	test_cases();
	test_random();
	test_large();
	return unit_done("html");
}
