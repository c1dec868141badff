/* mime_codec.c: owns the transfer decodings: tolerant base64 and quoted-printable. Pure: no I/O. */
#include "mime_internal.h"

static int
b64val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int
mime_base64(const char *s, size_t n, struct mbuf *out)
{
	uint32_t acc = 0;
	int q = 0, flags = 0;

	if (mbuf_room(out, n / 4 * 3 + 3) != 0)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		unsigned char ch = i < n ? (unsigned char)s[i] : '=';
		int v = b64val(ch);

		if (v >= 0) {
			acc = acc << 6 | (uint32_t)v;
			if (++q == 4) {
				mbuf_addc(out, (char)(acc >> 16));
				mbuf_addc(out, (char)(acc >> 8 & 0xff));
				mbuf_addc(out, (char)(acc & 0xff));
				q = 0;
				acc = 0;
			}
		} else if (ch == '=') {
			/* Padding, or the end: flush a partial quantum. */
			if (q == 1)
				flags |= 2;
			if (q >= 2)
				mbuf_addc(out, (char)(acc >> (q == 2 ? 4 : 10) & 0xff));
			if (q == 3)
				mbuf_addc(out, (char)(acc >> 2 & 0xff));
			q = 0;
			acc = 0;
		} else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
			flags |= 1;
		}
	}
	return flags;
}

int
mime_qp(const char *s, size_t n, struct mbuf *out)
{
	int bad = 0;

	if (mbuf_room(out, n) != 0)
		return 0;
	for (size_t i = 0; i < n;) {
		char ch = s[i];
		size_t j;

		if (ch == '=') {
			for (j = i + 1; j < n && (s[j] == ' ' || s[j] == '\t'); j++)
				;
			if (j == n || s[j] == '\n' || s[j] == '\r') {	/* soft line break */
				i = j < n && s[j] == '\r' && j + 1 < n && s[j + 1] == '\n' ? j + 2 : j + 1;
				continue;
			}
			if (i + 2 < n && mime_hexval(s[i + 1]) >= 0 && mime_hexval(s[i + 2]) >= 0) {
				mbuf_addc(out, (char)(mime_hexval(s[i + 1]) * 16 + mime_hexval(s[i + 2])));
				i += 3;
				continue;
			}
			bad = 1;
			mbuf_addc(out, '=');
			i++;
			continue;
		}
		if (ch == ' ' || ch == '\t') {
			/* Trailing white space on a line is transport padding. */
			for (j = i; j < n && (s[j] == ' ' || s[j] == '\t'); j++)
				;
			if (j < n && s[j] != '\r' && s[j] != '\n')
				mbuf_add(out, s + i, j - i);
			i = j;
			continue;
		}
		mbuf_addc(out, ch);
		i++;
	}
	return bad;
}
