#!/usr/bin/python3
"""dummymodem.py: put incoming SMS into a Gammu "dummy" phone directory.

Gammu's dummy driver (model = dummy, connection = none) treats a directory
as a phone. Incoming messages are files DIR/sms/FOLDER/N (N = 1, 2, ...;
folder 1 is the SIM inbox, 3 the phone inbox) in Gammu's SMS backup (INI)
format, one [SMSBackup000] section per file. Each part of a multipart
message is its own file with a UDH "050003RRTTNN" (RR reference, TT total
parts, NN this part).

Every file is written atomically: the content goes to a dot-file in the
same directory, which is then hard-linked to the first free numeric name
(link(2) fails instead of overwriting when another writer got that slot
first, so the next slot is tried) and the dot-file is removed. A reader
polling the directory sees either no file or the complete file.

Standard library only; runs with /usr/bin/python3 (3.11).

Library use:

    from dummymodem import Modem
    m = Modem("/tmp/x/modem")                 # creates sms/1..5, fs, pbk
    m.add("HELPDESK printer rusak", sender="0812-3456-7890")
    m.add("HELPDESK Komputer mati 😢")        # Unicode coding chosen by itself
    m.add("HELPDESK " + "x" * 400)            # split into 3 parts, same ref
    m.add_raw(os.urandom(200))                # garbage for malformed tests
    m.count(); m.files(); m.empty()

Command line (for the README and the demo):

    /usr/bin/python3 tests/dummymodem.py DIR --from 0812-3456-7890 "HELPDESK printer rusak"
    /usr/bin/python3 tests/dummymodem.py DIR --list
"""

import argparse
import datetime as _dt
import os
import random
import sys

MAX_SLOT = 10000            # Gammu's DUMMY_MAX_LOCATION
DEFAULT_SENDER = "+6281234567"

# GSM 03.38 default alphabet (one septet each) and its extension table
# (escape + one septet each).
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXT = "^{}\\[~]|€\f"
GSM_BASIC_SET = frozenset(GSM_BASIC) - {"\x1b"}
GSM_EXT_SET = frozenset(GSM_EXT)

CODING_NAMES = {
    "default": "Default_No_Compression",
    "gsm": "Default_No_Compression",
    "unicode": "Unicode_No_Compression",
    "8bit": "8bit",
}


def is_gsm(text):
    """True when every character of text is in the GSM 7-bit alphabet."""
    return all(c in GSM_BASIC_SET or c in GSM_EXT_SET for c in text)


def gsm_septets(text):
    return sum(2 if c in GSM_EXT_SET else 1 for c in text)


def utf16_units(text):
    return len(text.encode("utf-16-be")) // 2


def ucs2_hex(text):
    """Text as upper-case hex of big-endian UTF-16, as Gammu writes Text00."""
    return text.encode("utf-16-be").hex().upper()


def format_time(when):
    """Gammu's backup DateTime: 20261122T101500Z (UTC). when may be a
    datetime, a Unix time, or a ready string (used as given)."""
    if when is None:
        when = _dt.datetime.now(_dt.timezone.utc)
    if isinstance(when, str):
        return when
    if isinstance(when, (int, float)):
        when = _dt.datetime.fromtimestamp(when, _dt.timezone.utc)
    if when.tzinfo is not None:
        when = when.astimezone(_dt.timezone.utc)
    return when.strftime("%Y%m%dT%H%M%SZ")


def split_parts(text, coding):
    """Split text into SMS parts the way a phone would: 160 septets / 70
    UTF-16 units fit one SMS; a concatenated SMS carries 153 / 67 per part.
    A GSM extension character or a surrogate pair is never split."""
    if coding == "unicode":
        single, per = 70, 67
        size = utf16_units
        csize = lambda c: 2 if ord(c) > 0xFFFF else 1
    else:
        single, per = 160, 153
        size = gsm_septets
        csize = lambda c: 2 if c in GSM_EXT_SET else 1
    if size(text) <= single:
        return [text]
    parts, cur, n = [], [], 0
    for c in text:
        w = csize(c)
        if n + w > per:
            parts.append("".join(cur))
            cur, n = [], 0
        cur.append(c)
        n += w
    if cur:
        parts.append("".join(cur))
    return parts


def _chunks(s, n):
    return [s[i:i + n] for i in range(0, len(s), n)] or [""]


def render(number, text_hex, coding_name, when, udh=None, state="UnRead",
           folder=1, comment=None, length=None):
    """One [SMSBackup000] file, in the layout `gammu savesms` writes."""
    lines = [
        "; This file format was designed for Gammu and is compatible with Gammu+",
        "; See <http://www.gammu.org> for more info",
        "; Written by tests/dummymodem.py",
        "",
        "[SMSBackup000]",
    ]
    if comment is not None:
        lines.append("; " + "".join(c if " " <= c <= "~" else "?" for c in comment)[:160])
    lines += [
        "PDU = Deliver",
        "DateTime = %s" % format_time(when),
        "State = %s" % state,
        'Number = "%s"' % number,
        'Name = ""',
    ]
    if udh:
        lines.append("UDH = %s" % udh)
    # Gammu cuts long values into Text00, Text01, ... of 200 hex digits.
    for i, chunk in enumerate(_chunks(text_hex, 200)):
        lines.append("Text%02d = %s" % (i, chunk))
    lines += [
        "Coding = %s" % coding_name,
        "Folder = %d" % folder,
    ]
    if length is not None:
        lines.append("Length = %d" % length)
    lines += [
        "Class = -1",
        "ReplySMSC = False",
        "RejectDuplicates = False",
        "ReplaceMessage = 0",
        "MessageReference = 0",
        "",
    ]
    return ("\n".join(lines)).encode("ascii")


class Modem:
    """A Gammu dummy phone directory."""

    def __init__(self, root, folder=1, create=True):
        self.root = os.path.abspath(root)
        self.folder = folder
        self._ref = random.Random(os.getpid() ^ id(self)).randrange(256)
        if create:
            for sub in ("sms/1", "sms/2", "sms/3", "sms/4", "sms/5", "fs", "pbk"):
                os.makedirs(os.path.join(self.root, sub), exist_ok=True)

    # -- writing ---------------------------------------------------------

    def folder_dir(self, folder=None):
        return os.path.join(self.root, "sms", str(folder or self.folder))

    def write_file(self, data, folder=None):
        """Write bytes atomically into the first free slot; return its path."""
        d = self.folder_dir(folder)
        tmp = os.path.join(d, ".dm-%d-%d.tmp" % (os.getpid(), random.randrange(1 << 30)))
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            for slot in range(1, MAX_SLOT + 1):
                path = os.path.join(d, str(slot))
                if os.path.exists(path):
                    continue
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    continue
                return path
            raise RuntimeError("dummy modem %s is full" % d)
        finally:
            os.unlink(tmp)

    def next_ref(self):
        self._ref = (self._ref + 1) % 256
        return self._ref

    def add(self, text, sender=DEFAULT_SENDER, when=None, coding="auto",
            folder=None, ref=None, state="UnRead", parts=None):
        """Drop one message; long text becomes a multipart message. coding is
        "auto" (GSM when every character fits, else Unicode), "default" or
        "unicode". parts, if given, is the explicit list of part texts.
        Returns the list of written paths (one per part)."""
        if coding == "auto":
            coding = "default" if is_gsm(text if parts is None else "".join(parts)) else "unicode"
        if coding not in ("default", "gsm", "unicode"):
            raise ValueError("coding must be auto, default or unicode")
        if parts is None:
            parts = split_parts(text, "unicode" if coding == "unicode" else "default")
        cname = CODING_NAMES[coding]
        if len(parts) == 1:
            data = render(sender, ucs2_hex(parts[0]), cname, when, state=state,
                          folder=folder or self.folder, comment=parts[0],
                          length=utf16_units(parts[0]))
            return [self.write_file(data, folder)]
        if ref is None:
            ref = self.next_ref()
        total = len(parts)
        paths = []
        for i, p in enumerate(parts, 1):
            udh = "050003%02X%02X%02X" % (ref & 0xFF, total, i)
            data = render(sender, ucs2_hex(p), cname, when, udh=udh, state=state,
                          folder=folder or self.folder, comment=p, length=utf16_units(p))
            paths.append(self.write_file(data, folder))
        return paths

    def add_part(self, text, ref, total, seq, sender=DEFAULT_SENDER, when=None,
                 coding="auto", folder=None):
        """Drop a single part of a multipart message (for out-of-order or
        missing-part tests)."""
        if coding == "auto":
            coding = "default" if is_gsm(text) else "unicode"
        udh = "050003%02X%02X%02X" % (ref & 0xFF, total, seq)
        data = render(sender, ucs2_hex(text), CODING_NAMES[coding], when, udh=udh,
                      folder=folder or self.folder, comment=text, length=utf16_units(text))
        return self.write_file(data, folder)

    def add_fields(self, sender=DEFAULT_SENDER, when=None, text_hex="",
                   coding_name="Default_No_Compression", udh=None, folder=None,
                   length=None):
        """Drop a message with raw field values (e.g. non-hex Text00, or
        coding "8bit" with binary Text00)."""
        data = render(sender, text_hex, coding_name, when, udh=udh,
                      folder=folder or self.folder, length=length)
        return self.write_file(data, folder)

    def add_binary(self, payload, sender=DEFAULT_SENDER, when=None, folder=None):
        """An 8-bit (binary) coded SMS with payload bytes."""
        return self.add_fields(sender, when, payload.hex().upper(), "8bit", folder=folder,
                               length=len(payload))

    def add_raw(self, data, folder=None):
        """Drop arbitrary bytes (garbage, truncated INI ...) as a message file."""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        return self.write_file(data, folder)

    # -- reading ---------------------------------------------------------

    def files(self, folders=(1, 2, 3, 4, 5)):
        """Paths of message files (numeric names) left in the given folders."""
        out = []
        for fo in folders:
            d = os.path.join(self.root, "sms", str(fo))
            try:
                names = os.listdir(d)
            except FileNotFoundError:
                continue
            out += [os.path.join(d, n) for n in sorted(names, key=lambda n: (len(n), n))
                    if n.isdigit()]
        return out

    def count(self, folders=(1, 2, 3, 4, 5)):
        return len(self.files(folders))

    def empty(self, folders=(1, 2, 3, 4, 5)):
        return self.count(folders) == 0

    def describe(self, path):
        """(sender, datetime, text, udh) of a file written in the INI format,
        or None when it cannot be parsed."""
        try:
            with open(path, "rb") as f:
                raw = f.read().decode("ascii")
        except (OSError, UnicodeDecodeError):
            return None
        fields, texts = {}, []
        for line in raw.splitlines():
            if "=" not in line or line.startswith(";"):
                continue
            k, v = (s.strip() for s in line.split("=", 1))
            if k.startswith("Text") and k[4:].isdigit():
                texts.append((int(k[4:]), v))
            else:
                fields[k] = v
        try:
            hexs = "".join(v for _, v in sorted(texts))
            if fields.get("Coding") == "8bit":
                text = "<8bit %s>" % hexs
            else:
                text = bytes.fromhex(hexs).decode("utf-16-be")
        except ValueError:
            return None
        return (fields.get("Number", "").strip('"'), fields.get("DateTime"), text,
                fields.get("UDH"))


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Drop an incoming SMS into a Gammu dummy modem directory.")
    ap.add_argument("dir", help="the dummy modem directory (Gammu 'device')")
    ap.add_argument("text", nargs="?", help="message text (long text becomes multipart)")
    ap.add_argument("--from", dest="sender", default=DEFAULT_SENDER,
                    help="sender number or name (default %(default)s)")
    ap.add_argument("--time", help="SMSC time stamp, YYYYMMDDTHHMMSS[Z] (default: now, UTC)")
    ap.add_argument("--coding", choices=("auto", "default", "unicode"), default="auto")
    ap.add_argument("--folder", type=int, default=1, choices=(1, 2, 3, 4, 5),
                    help="1 = SIM inbox (default), 3 = phone inbox")
    ap.add_argument("--garbage", type=int, metavar="N",
                    help="write N random bytes instead of a message")
    ap.add_argument("--list", action="store_true", help="list the messages left")
    ap.add_argument("--count", action="store_true", help="print how many files are left")
    a = ap.parse_intermixed_args(argv)
    m = Modem(a.dir, folder=a.folder)
    if a.list:
        for p in m.files():
            d = m.describe(p)
            if d is None:
                print("%s: (unreadable)" % os.path.relpath(p, m.root))
            else:
                print("%s: from %s at %s%s: %s" % (os.path.relpath(p, m.root), d[0], d[1],
                                                   " udh %s" % d[3] if d[3] else "", d[2]))
        return 0
    if a.count:
        print(m.count())
        return 0
    if a.garbage is not None:
        print(m.add_raw(os.urandom(max(0, a.garbage))))
        return 0
    if a.text is None:
        ap.error("give the message text (or --list / --count / --garbage)")
    when = a.time
    if when is not None and not when.endswith("Z"):
        when += "Z"
    for p in m.add(a.text, sender=a.sender, when=when, coding=a.coding):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
