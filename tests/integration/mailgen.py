"""mailgen.py: building test emails byte by byte (CRLF line ends).

make_mail() writes the headers and MIME structure itself (not through the
email package) so that a test controls exactly what goes on the wire: the
charset and transfer encoding of the body, encoded-word subjects, broken
boundaries. attachment_content() makes deterministic attachment bytes
("pdf:20000", "png:3000", "random:500", "text:...", "base64:...").

Standard library only; /usr/bin/python3 (3.11).
"""

import base64
import binascii
import datetime as dt
import email.utils
import hashlib
import quopri
import random
import re
import struct
import zlib

_counter = [0]


def new_message_id(domain="test.example", tag="m"):
    _counter[0] += 1
    rnd = random.Random().getrandbits(48)
    return "<%s.%d.%012x@%s>" % (tag, _counter[0], rnd, domain)


def encode_word(text, mode="B", charset="UTF-8"):
    """text as RFC 2047 encoded words (one or more, joined by CRLF SP)."""
    words, chunk = [], b""
    # Split at character boundaries into pieces short enough for 75-column words.
    for ch in text:
        b = ch.encode(charset)
        if len(chunk) + len(b) > 42:
            words.append(chunk)
            chunk = b""
        chunk += b
    if chunk or not words:
        words.append(chunk)
    out = []
    for w in words:
        if mode.upper() == "B":
            enc = base64.b64encode(w).decode("ascii")
        else:
            enc = "".join(chr(c) if 0x21 <= c <= 0x7e and chr(c) not in '=?_"()<>@,;:.[]\\'
                          else ("_" if c == 0x20 else "=%02X" % c) for c in w)
        out.append("=?%s?%s?%s?=" % (charset, mode.upper(), enc))
    return "\r\n ".join(out)


def header_text(value, mode="auto"):
    """A header value: as is when ASCII (or mode "raw"), else encoded words."""
    if mode == "raw" or (mode == "auto" and all(ord(c) < 128 for c in value)):
        return value
    return encode_word(value, "B" if mode in ("auto", "B", "b") else "Q")


def address_header(value):
    """'Name <addr>' with a non-ASCII display name encoded."""
    m = re.match(r"^\s*(.*?)\s*<([^>]*)>\s*$", value)
    if not m or all(ord(c) < 128 for c in value):
        return value
    return "%s <%s>" % (encode_word(m.group(1)), m.group(2))


def rfc2822_date(when):
    """when: datetime, epoch seconds, or a string kept as is."""
    if isinstance(when, str):
        return when
    if isinstance(when, (int, float)):
        return email.utils.formatdate(when, localtime=False)
    return email.utils.format_datetime(when)


def relative_date(spec):
    """'now', '-30d', '-2h', '+10m' relative to now (UTC), or None if spec is
    not of that form."""
    if spec == "now":
        return dt.datetime.now(dt.timezone.utc)
    m = re.match(r"^([+-]\d+)([smhd])$", spec)
    if not m:
        return None
    n = int(m.group(1))
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(**{unit: n})


# ---------------------------------------------------------------------------
# Attachment content

def _png(approx, rng):
    width = max(1, int((max(approx, 100) / 3) ** 0.5))
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(width))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", binascii.crc32(kind + data) & 0xffffffff))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 0))
            + chunk(b"IEND", b""))


def attachment_content(spec, seed=1):
    """Bytes for spec: "pdf:N" (a PDF-looking file of N bytes), "png:N" (a
    valid uncompressed PNG of about N bytes), "random:N", "zeros:N",
    "text:LITERAL", "base64:DATA"."""
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    rng = random.Random("%s/%s" % (seed, spec))
    if kind == "pdf":
        n = int(arg)
        head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\nstream\n"
        tail = b"\nendstream\n%%EOF\n"
        body = rng.randbytes(max(0, n - len(head) - len(tail)))
        return (head + body + tail)[:max(n, 0)] if n < len(head) + len(tail) else head + body + tail
    if kind == "png":
        return _png(int(arg), rng)
    if kind == "random":
        return rng.randbytes(int(arg))
    if kind == "zeros":
        return bytes(int(arg))
    if kind == "text":
        return arg.encode("utf-8")
    if kind == "base64":
        return base64.b64decode(arg)
    raise ValueError("unknown attachment content %r" % spec)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------
# Whole messages

def _b64_lines(data):
    s = base64.b64encode(data).decode("ascii")
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76)).encode("ascii")


def encode_body(text, charset, encoding):
    """(Content-Transfer-Encoding, body bytes with CRLF) for text."""
    raw = text.replace("\r\n", "\n").encode(charset)
    if encoding == "auto":
        encoding = "7bit" if all(b < 128 for b in raw) else "quoted-printable"
    if encoding == "base64":
        return "base64", _b64_lines(raw)
    if encoding == "quoted-printable":
        q = quopri.encodestring(raw)
        return "quoted-printable", q.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return encoding, raw.replace(b"\n", b"\r\n")


def _attachment_part(name, ctype, data, disposition="attachment"):
    params = ""
    if name is not None:
        if all(ord(c) < 128 for c in name):
            q = name.replace("\\", "\\\\").replace('"', '\\"')
            params = '; filename="%s"' % q
            ct_name = '; name="%s"' % q
        else:
            params = "; filename*=utf-8''%s" % "".join(
                c if c.isalnum() and ord(c) < 128 or c in ".-_" else
                "".join("%%%02X" % b for b in c.encode("utf-8")) for c in name)
            ct_name = '; name="%s"' % encode_word(name)
    else:
        ct_name = ""
    head = ("Content-Type: %s%s\r\nContent-Transfer-Encoding: base64\r\n"
            "Content-Disposition: %s%s\r\n\r\n" % (ctype, ct_name, disposition, params))
    return head.encode("utf-8") + _b64_lines(data) + b"\r\n"


def make_mail(frm="Budi Santoso <budi@dinkes.example>", to="helpdesk@diskominfo.example",
              subject="HELPDESK test", body="", charset="utf-8", encoding="auto",
              html=None, headers=(), attachments=(), message_id="auto", date=None,
              subject_mode="auto", boundary=None):
    """The message as bytes. attachments: [(filename or None, content type,
    bytes)]. headers: ["Name: value", ...] added after the standard ones.
    message_id: "auto" (a new unique one), None (no Message-ID header) or
    the value with <>. date: None = now."""
    h = []
    h.append("From: %s" % address_header(frm))
    if to:
        h.append("To: %s" % to)
    if subject is not None:
        h.append("Subject: %s" % header_text(subject, subject_mode))
    h.append("Date: %s" % rfc2822_date(date if date is not None
                                       else dt.datetime.now(dt.timezone.utc)))
    if message_id == "auto":
        message_id = new_message_id()
    if message_id:
        h.append("Message-ID: %s" % message_id)
    h.append("MIME-Version: 1.0")
    h.extend(headers)

    def text_part(ctype, text):
        cte, data = encode_body(text, charset, encoding)
        return ("Content-Type: %s; charset=%s\r\nContent-Transfer-Encoding: %s\r\n\r\n"
                % (ctype, charset, cte)).encode("ascii"), data

    if not attachments and html is None:
        ph, data = text_part("text/plain", body)
        return "\r\n".join(h).encode("utf-8") + b"\r\n" + ph + data + (
            b"" if data.endswith(b"\r\n") else b"\r\n")
    if not attachments and not body:
        ph, data = text_part("text/html", html)
        return "\r\n".join(h).encode("utf-8") + b"\r\n" + ph + data + b"\r\n"

    bnd = boundary or "=_hdtest_%x" % random.Random(str(message_id)).getrandbits(40)

    def multipart(subtype, parts, b):
        out = [("Content-Type: multipart/%s; boundary=\"%s\"\r\n\r\n" % (subtype, b)).encode()]
        out.append(b"This is a multi-part message in MIME format.\r\n")
        for p in parts:
            out.append(("--%s\r\n" % b).encode() + p)
        out.append(("--%s--\r\n" % b).encode())
        return b"".join(out)

    parts = []
    if html is not None and body:
        pa, da = text_part("text/plain", body)
        pb, db = text_part("text/html", html)
        alt = multipart("alternative", [pa + da + b"\r\n", pb + db + b"\r\n"], bnd + "_alt")
        parts.append(alt)
    elif html is not None:
        pb, db = text_part("text/html", html)
        parts.append(pb + db + b"\r\n")
    else:
        pa, da = text_part("text/plain", body)
        parts.append(pa + da + b"\r\n")
    for name, ctype, data in attachments:
        parts.append(_attachment_part(name, ctype, data))
    top = multipart("mixed", parts, bnd)
    return "\r\n".join(h).encode("utf-8") + b"\r\n" + top
