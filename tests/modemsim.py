#!/usr/bin/python3
"""modemsim.py: a simulated GSM modem on a pseudo-terminal, for libGammu's AT driver.

What it owns
------------
A program and a module (standard library only, /usr/bin/python3 3.11):

- the program opens a pty, puts a symlink LINK -> /dev/pts/N (replacing an
  existing symlink, so a restarted simulator takes over the same path), and
  answers AT commands on it the way a Huawei E173 USB stick or a SIMCom
  SIM800 module does, well enough for libGammu 1.42 (`connection = at`):
  identification, SMS storage on a simulated SIM (PDU mode: +CPMS, +CMGL,
  +CMGR, +CMGD, +CMGW), sending (+CMGS with the "> " prompt, the PDU ended by
  Ctrl-Z, ESC cancels), new-message indications (+CNMI, then
  `+CMTI: "SM",<index>`), and the usual status queries. It is driven and
  inspected through a Unix stream socket (JSON lines, below);
- PDU helpers (pure functions): SMS-DELIVER encoding (GSM 7-bit with the
  extension table, UCS-2, concatenation UDH with 8- or 16-bit reference,
  alphanumeric senders), splitting long texts into parts, and decoding of
  SMS-SUBMIT (what libGammu sends with AT+CMGS) and SMS-DELIVER PDUs
  (3GPP TS 23.038 / 23.040);
- `ModemSim`, which runs the program as a subprocess for a test and talks to
  its control socket.

Program:

    /usr/bin/python3 tests/modemsim.py --link PATH --control SOCKPATH
        [--identity huawei|sim800] [--sim-size N] [--log FILE] [--seed N]
        [--parent PID]

SIGTERM (or SIGINT) ends it cleanly, removing the link and the socket (each
only if it is still this instance's). After SIGKILL both stay behind; the
next instance replaces the link and the stale socket. With --parent (which
ModemSim passes) it also ends cleanly, within a second, once that process
is gone: a test killed with SIGKILL leaves no simulator behind. Timestamps
everywhere are time.monotonic() seconds (CLOCK_MONOTONIC, the same clock in
every process of the machine, so a test can compare them with its own).

Module use:

    from modemsim import ModemSim
    with ModemSim(tmpdir, identity="huawei", sim_size=20) as m:  # starts it
        rc = m.gammurc()                 # a gammurc for `gammu -c rc ...`
        i = m.add_sms("+628123456789", "HELPDESK printer rusak")
        idx = m.add_multipart("+628123456789", "x" * 400)       # 3 parts
        m.sim(); m.sent(); m.sent_messages(); m.commands(); m.urcs()
        m.fault("hang", command="AT+CMGL"); m.clear_fault("hang")
        m.kill(); m.restart()            # the USB modem vanishes, comes back

The simulated modem
-------------------
- Echo is on at start (ATE1/ATE0 switch it): each command line is echoed
  back, with its CR, when the line is complete, then the reply follows in
  V.25ter verbose form ("\\r\\n<info>\\r\\n" lines and "\\r\\nOK\\r\\n").
  libGammu needs the echo: it parses replies by line number, the echo being
  line 1.
- SIM indexes: huawei counts from 0 (Huawei E1xx sticks do, and libGammu
  knows E173 as an F_SMS_LOCATION_0 model), sim800 from 1. `--sim-size`
  slots; a message goes to the lowest free index.
- Message status as in TS 27.005: 0 REC UNREAD, 1 REC READ, 2 STO UNSENT,
  3 STO SENT. +CMGR and +CMGL turn REC UNREAD into REC READ.
- +CMTI is sent when a message is stored and AT+CNMI set <mode> 1..3 and
  <mt> 1 (or 3); with <mt> 2 the message is routed as "+CMT: ,<len>" plus
  the PDU and not stored. While the PDU of +CMGS/+CMGW is being typed,
  indications wait until the command is done.
- A full SIM (all slots used, or the sim_full fault): adding a message fails
  (reply {"ok": false, "full": true}); the huawei identity emits
  `^SMMEMFULL: "SM"` then, sim800 emits nothing. +CMGS is not affected.
- Text mode (AT+CMGF=1) is accepted, but SMS commands then answer
  "+CMS ERROR: 302": libGammu uses PDU mode whenever AT+CMGF=0 works.
- Only the "SM" memory exists (+CPMS=? lists it alone); +CPMS reports
  used/total of the SIM.
- An unknown command gets ERROR (a "+CME ERROR: <n>" once AT+CMEE=1/2);
  the huawei identity answers an unknown ^ command "COMMAND NOT SUPPORT".
- AT+CFUN=1,1 (which libGammu sends to reset a modem after a timeout)
  restarts the simulated modem: settings back to power-on values (echo on,
  +CNMI off, +CMEE 0, PDU mode, IRA), SIM contents and faults kept, and
  1.5 s later the boot lines (huawei: ^BOOT:..., sim800: RDY, +CFUN: 1,
  +CPIN: READY, Call Ready, SMS Ready) as unsolicited output.

Control protocol
----------------
One JSON object per line to the socket, one JSON object per line back. Every
reply has "ok" (true/false) and, when false, "error" (text). Requests:

  {"cmd": "ping"}
      -> {"ok": true, "pid": N, "device": "/dev/pts/N", "link": PATH,
          "identity": "huawei", "sim_size": N, "first_index": 0|1}
  {"cmd": "add_pdu", "pdu": HEX, "status": 0, "notify": true}
      HEX is a whole SMS-DELIVER as a modem shows it (SMSC part first).
      Stores it in the lowest free slot and, if notify and AT+CNMI asks for
      it, emits +CMTI. -> {"ok": true, "index": N, "t": T, "urc": LINE|null}
      or {"ok": false, "full": true, "error": "SIM full"}. With +CNMI <mt>=2
      the message is routed (+CMT) instead: {"ok": true, "index": null, ...}.
  {"cmd": "add_sms", "sender": S, "text": S, "coding": "gsm7"|"ucs2"|null,
   "smsc": S, "time": "YYYY-MM-DDTHH:MM:SS+07:00", "ref": N, "ref16": false,
   "status": 0, "notify": true}
      Encodes the text as one or more SMS-DELIVER parts and stores each as
      add_pdu does. -> {"ok": true, "indexes": [N, ...], "pdus": [HEX, ...]}
      (on a full SIM: "ok": false, "full": true, and the parts stored so far)
  {"cmd": "sim"}
      -> {"ok": true, "size": N, "first_index": N, "messages":
          [{"index": N, "pdu": HEX, "status": N, "corrupt": null|KIND}]}
  {"cmd": "delete", "index": N}  /  {"cmd": "clear_sim"}   -> {"ok": true}
  {"cmd": "sent", "since": T}
      Every PDU received with +CMGS, oldest first: -> {"ok": true, "sent":
        [{"t": T, "pdu": HEX, "length": N, "ok": bool, "error": N|"hang"|null,
          "mr": N|null, "number": S, "text": S, "coding": S,
          "concat": {"ref": N, "part": N, "total": N}|null,
          "decode_error": S|null}]}
      ("ok" false: the modem answered +CMS ERROR "error" to it.)
  {"cmd": "commands", "since": T}
      -> {"ok": true, "commands": [{"t": T, "line": "AT+CMGR=1",
          "fault": null|KIND}]} every command line received (CR stripped),
          oldest first; "fault" names a fault that changed the answer.
  {"cmd": "urcs", "since": T}
      -> {"ok": true, "urcs": [{"t": T, "line": "+CMTI: \\"SM\\",0",
          "sent": true}]} unsolicited lines ("sent" false: suppressed by a
          global hang).
  {"cmd": "fault", "kind": KIND, ...params} -> {"ok": true, ...}
  {"cmd": "clear_fault", "kind": KIND}  (no kind: clear all) -> {"ok": true}
  {"cmd": "state"}
      -> {"ok": true, "echo": bool, "cmgf": N, "cnmi": [5 ints], "cmee": N,
          "faults": {KIND: params}, "charset": S, "pdu_mode": bool,
          "resets": N (AT+CFUN=1,1 so far)}
  {"cmd": "reset_logs"}  forget commands, urcs and sent -> {"ok": true}

Faults (settable and clearable at run time):

  hang         {"command": PREFIX, "stage": "pdu"}? Without a command: the
               modem says nothing at all (no echo, no reply, no indication).
               With one: command lines starting with PREFIX (case-insensitive,
               e.g. "AT+CMGL") are echoed but never answered. With
               "command": "AT+CMGS", "stage": "pdu": the prompt comes, the PDU
               is taken (logged in sent with "error": "hang") and never
               answered. The pty stays open.
  random       {"command": PREFIX}? Each (matching) command is answered with
               4..40 random bytes instead of echo and reply; nothing runs.
  junk         {"interval": 0.5, "lines": [S, ...]}? An unsolicited junk line
               every interval seconds, cycling through the identity's
               (huawei: ^RSSI, ^BOOT, ^DSFLOWRPT, random text; sim800: RDY,
               +CFUN: 1, Call Ready, SMS Ready, random text) or the given
               lines ("" stands for random printable text).
  garbage_ok   {"command": PREFIX}? Each (matching) command is echoed and
               answered with a line of garbage bytes then OK; it does not
               run (AT+CMGD deletes nothing, AT+CMGS gives no prompt).
  corrupt_pdu  {"index": N, "mode": "truncate"|"udl"}? Marks a stored
               message (default: the one stored last): +CMGR/+CMGL return it
               with right framing (the length matches the hex) but corrupt
               content: "truncate" cuts its user data in half, "udl" claims
               a user-data length longer than the data. Reply has "index".
               Cleared by clear_fault (all marks) or deleting the message.
  cms_error    {"code": 500, "count": N}? Sends (+CMGS) fail with
               "+CMS ERROR: code" after the PDU; with count, only the next N
               sends, then the fault clears itself.
  sim_full     +CPMS reports used == total and new messages are refused.

(The USB modem vanishing is ModemSim.kill() then ModemSim.restart().)

libGammu 1.42 on this simulator (measured with the gammu CLI)
-------------------------------------------------------------
- Connecting costs ~3.4 s (4.2 s on a fresh modem): ESC CR, AT, ATE1,
  AT+MODE=2, AT+CMEE=1, AT+CSCS?, AT+CSCS=?, (AT+CSCS="GSM" / "HEX"),
  AT+CGMM, AT+CGMI typed one byte per ms with 0.4 s after each command; then
  the same again at full speed plus AT+CPROT=?, AT+SYNCML=?, AT$TSSPCSW=?,
  AT+CHUP=?, AT+CGMR, AT+CFUN=1 (huawei also AT^CURC=0, AT^PORTSEL=1).
- Reading: AT+CPMS=?, AT+CMGF=0, AT+CPMS="SM","SM", AT+CMGL=4; one message:
  AT+CPMS="SM", AT+CMGR=n; deleting: AT+CMGR=n then AT+CMGD=n; sending:
  AT+CSCA?, AT+CMGF=0, AT+CMGS=len, PDU, Ctrl-Z (0.5 s after the PDU).
- Incoming SMS (GSM_SetIncomingSMS): AT+CNMI=?, AT+CNMI=2,1,0,2,0. The
  callback gets the +CMTI index as its location, but on an E173
  (F_SMS_LOCATION_0) locations are index + 1, so reading that location
  reads the previous index: +CMTI: "SM",1 gives AT+CMGR=0.
- A hung command (echoed, never answered) is given up after: AT+CMGD ~23 s,
  AT+CMGS without prompt ~47 s (sim800 ~28 s), AT+CSCA? ~57 s, AT+CMGR
  ~67 s (sim800 ~48 s), AT+CPMS ~435 s, AT+CMGL ~500 s (and then it does not
  resync); a silent modem at connect ~30 s, random bytes ~29 s, garbage
  before OK fails at once ("Unknown response from phone"). A PDU never
  answered keeps the gammu CLI waiting (more than 9 minutes). After such a
  timeout on the huawei identity libGammu sends AT+CFUN=1,1 (a modem reset)
  and AT^SRESET before giving up.
- Its timeouts count from the last byte received: junk lines that are not
  in its list of unsolicited answers (^RSSI, ^BOOT, ^MODE, +CMTI, RING...)
  coming every few seconds keep it waiting for as long as they come.
- A vanished device is noticed at the next write ("Error writing to the
  device"); a command already in flight first waits for its timeout.
"""

import argparse
import atexit
import datetime as _dt
import errno
import fcntl
import json
import os
import random
import selectors
import signal
import socket
import stat
import subprocess
import sys
import termios
import threading
import time
import traceback
import tty

# ---------------------------------------------------------------------------
# GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 6.2.1).

# Index = septet value. 0x1B is the escape to the extension table.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
GSM7_ESCAPE = 0x1B
# Extension table: septet after the escape -> character.
GSM7_EXTENSION = {
    0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
    0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}
assert len(GSM7_BASIC) == 128

_GSM7_CODE = {ch: i for i, ch in enumerate(GSM7_BASIC) if i != GSM7_ESCAPE}
_GSM7_EXT_CODE = {ch: code for code, ch in GSM7_EXTENSION.items()}

# Payload sizes (TS 23.040 9.2.3.16 / 9.2.3.24): 140 octets of user data.
UD_OCTETS = 140
CONCAT8_UDH_OCTETS = 6      # UDHL + IEI 00 + IEDL 03 + ref, total, part
CONCAT16_UDH_OCTETS = 7     # UDHL + IEI 08 + IEDL 04 + ref(2), total, part


class PDUError(ValueError):
    """A PDU that cannot be decoded (too short, inconsistent lengths...)."""


def gsm7_encodable(text):
    """True when every character of text is in the GSM 7-bit alphabet or
    its extension table."""
    return all(ch in _GSM7_CODE or ch in _GSM7_EXT_CODE for ch in text)


def gsm7_septets(text):
    """The septet values of text (extension characters are two septets).
    Raises ValueError for a character outside the alphabet."""
    out = []
    for ch in text:
        if ch in _GSM7_CODE:
            out.append(_GSM7_CODE[ch])
        elif ch in _GSM7_EXT_CODE:
            out += [GSM7_ESCAPE, _GSM7_EXT_CODE[ch]]
        else:
            raise ValueError("character %r is not in the GSM 7-bit alphabet" % ch)
    return out


def gsm7_text(septets):
    """Text of a septet sequence. An escape followed by a septet that is not
    in the extension table gives the basic character (TS 23.038 says a
    receiver shows the default-table character); a trailing escape is
    dropped."""
    out = []
    i = 0
    while i < len(septets):
        s = septets[i]
        if s == GSM7_ESCAPE:
            if i + 1 < len(septets):
                nxt = septets[i + 1]
                out.append(GSM7_EXTENSION.get(nxt, GSM7_BASIC[nxt] if nxt != GSM7_ESCAPE else " "))
            i += 2
            continue
        out.append(GSM7_BASIC[s])
        i += 1
    return "".join(out)


def pack_septets(septets, header=b""):
    """User data: header octets (the UDH including its length octet), fill
    bits up to the next septet boundary, then the septets, LSB first."""
    start = (len(header) * 8 + 6) // 7          # septets taken by the header
    value = int.from_bytes(header, "little")
    for i, s in enumerate(septets):
        value |= (s & 0x7F) << (7 * (start + i))
    nbits = 7 * (start + len(septets))
    return value.to_bytes((nbits + 7) // 8, "little")


def unpack_septets(data, count, header_octets=0):
    """count septets from user data whose first header_octets octets are a
    UDH (the fill bits after it are skipped)."""
    start = (header_octets * 8 + 6) // 7
    need = (7 * (start + count) + 7) // 8
    if len(data) < need:
        raise PDUError("user data has %d octets, %d septets need %d" % (len(data), count, need))
    value = int.from_bytes(data[:need], "little")
    return [(value >> (7 * (start + i))) & 0x7F for i in range(count)]


def ucs2_units(text):
    """Number of UTF-16 code units of text (a character outside the BMP is
    a surrogate pair: two units)."""
    return len(text.encode("utf-16-be", "surrogatepass")) // 2


# ---------------------------------------------------------------------------
# Addresses, time stamps

def _bcd_digits(digits):
    """Semi-octet (swapped nibble) encoding of a digit string, F-padded."""
    table = {str(d): d for d in range(10)}
    table.update({"*": 0xA, "#": 0xB, "a": 0xC, "b": 0xD, "c": 0xE})
    nibbles = [table[c] for c in digits.lower()]
    if len(nibbles) % 2:
        nibbles.append(0xF)
    return bytes(nibbles[i] | (nibbles[i + 1] << 4) for i in range(0, len(nibbles), 2))


def _bcd_text(data, ndigits=None):
    chars = "0123456789*#abc"
    out = []
    for b in data:
        for nib in (b & 0xF, b >> 4):
            if nib == 0xF:
                continue
            out.append(chars[nib])
    s = "".join(out)
    return s[:ndigits] if ndigits is not None else s


def _is_phone_number(s):
    body = s[1:] if s.startswith("+") else s
    return bool(body) and all(c.isdigit() or c in "*#" for c in body)


def encode_address(number):
    """TP-OA / TP-DA: length (useful semi-octets), type of address, value.
    "+62..." is international (0x91), other digit strings unknown-type
    (0x81), anything else alphanumeric (0xD0, GSM 7-bit, at most 11
    characters)."""
    if _is_phone_number(number):
        if number.startswith("+"):
            digits, toa = number[1:], 0x91
        else:
            digits, toa = number, 0x81
        return bytes([len(digits), toa]) + _bcd_digits(digits)
    septets = gsm7_septets(number)
    if len(septets) > 11:
        raise ValueError("alphanumeric address %r longer than 11 septets" % number)
    packed = pack_septets(septets)
    return bytes([(len(septets) * 7 + 3) // 4, 0xD0]) + packed


def decode_address(data, pos):
    """(number, toa, next position) of the address at data[pos]."""
    if pos + 2 > len(data):
        raise PDUError("address runs past the end")
    n, toa = data[pos], data[pos + 1]
    nbytes = (n + 1) // 2
    value = data[pos + 2:pos + 2 + nbytes]
    if len(value) < nbytes:
        raise PDUError("address runs past the end")
    if (toa & 0x70) == 0x50:                       # alphanumeric
        text = gsm7_text(unpack_septets(value, n * 4 // 7))
        return text, toa, pos + 2 + nbytes
    digits = _bcd_text(value, n)
    if (toa & 0x70) == 0x10:
        digits = "+" + digits
    return digits, toa, pos + 2 + nbytes


def encode_smsc(number):
    """The SMSC part that leads a PDU in +CMGR/+CMGL/+CMGS: length in
    octets (type octet included), type, BCD digits. None or "" gives 00."""
    if not number:
        return b"\x00"
    digits, toa = (number[1:], 0x91) if number.startswith("+") else (number, 0x81)
    value = bytes([toa]) + _bcd_digits(digits)
    return bytes([len(value)]) + value


def decode_smsc(data):
    """(number or "", length of the SMSC part) of a PDU that starts with one."""
    if not data:
        raise PDUError("empty PDU")
    n = data[0]
    if n == 0:
        return "", 1
    if 1 + n > len(data):
        raise PDUError("SMSC part runs past the end")
    toa = data[1]
    digits = _bcd_text(data[2:1 + n])
    return ("+" + digits if (toa & 0x70) == 0x10 else digits), 1 + n


def _swap(v):
    return ((v % 10) << 4) | (v // 10)


def encode_timestamp(when):
    """TP-SCTS (7 semi-octets) of an aware datetime (naive = UTC+7)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone(_dt.timedelta(hours=7)))
    quarters = int(when.utcoffset().total_seconds() // 900)
    tz = _swap(abs(quarters))
    if quarters < 0:
        tz |= 0x08
    return bytes([_swap(when.year % 100), _swap(when.month), _swap(when.day),
                  _swap(when.hour), _swap(when.minute), _swap(when.second), tz])


def decode_timestamp(data):
    """Aware datetime of a 7-octet TP-SCTS."""
    if len(data) < 7:
        raise PDUError("time stamp runs past the end")

    def unswap(b):
        return (b & 0x0F) * 10 + (b >> 4)
    tzb = data[6]
    quarters = (tzb & 0x07) * 10 + (tzb >> 4)
    if tzb & 0x08:
        quarters = -quarters
    try:
        return _dt.datetime(2000 + unswap(data[0]), unswap(data[1]), unswap(data[2]),
                            unswap(data[3]), unswap(data[4]), unswap(data[5]),
                            tzinfo=_dt.timezone(_dt.timedelta(minutes=15 * quarters)))
    except ValueError as e:
        raise PDUError("bad time stamp: %s" % e)


# ---------------------------------------------------------------------------
# Coding choice, splitting

def choose_coding(text):
    """"gsm7" when the text fits the GSM alphabet, else "ucs2"."""
    return "gsm7" if gsm7_encodable(text) else "ucs2"


def _concat_udh_octets(ref16):
    return CONCAT16_UDH_OCTETS if ref16 else CONCAT8_UDH_OCTETS


def part_capacity(coding, concatenated, ref16=False):
    """Characters (GSM: septets, UCS-2: code units) one part carries."""
    udh = _concat_udh_octets(ref16) if concatenated else 0
    if coding == "gsm7":
        return (UD_OCTETS * 8) // 7 - ((udh * 8 + 6) // 7)
    return (UD_OCTETS - udh) // 2


def split_text(text, coding=None, ref16=False):
    """(coding, parts): the text in one part if it fits (160 GSM septets or
    70 UCS-2 units), else in parts of at most 153/67 (8-bit reference) or
    152/66 (16-bit reference). An escape pair or a surrogate pair is never
    cut."""
    coding = coding or choose_coding(text)
    if coding not in ("gsm7", "ucs2"):
        raise ValueError("coding must be gsm7 or ucs2, not %r" % coding)

    def cost(ch):
        if coding == "gsm7":
            return 2 if ch in _GSM7_EXT_CODE else 1
        return 2 if ord(ch) > 0xFFFF else 1

    if coding == "gsm7":
        gsm7_septets(text)          # raises for a character outside the alphabet
    total = sum(cost(ch) for ch in text)
    if total <= part_capacity(coding, False):
        return coding, [text]
    room = part_capacity(coding, True, ref16)
    parts, cur, used = [], [], 0
    for ch in text:
        c = cost(ch)
        if used + c > room:
            parts.append("".join(cur))
            cur, used = [], 0
        cur.append(ch)
        used += c
    if cur:
        parts.append("".join(cur))
    if len(parts) > 255:
        raise ValueError("text needs %d parts, more than 255" % len(parts))
    return coding, parts


def concat_udh(ref, part, total, ref16=False):
    """The UDH (with its length octet) of part `part` of `total`."""
    if not 1 <= part <= total <= 255:
        raise ValueError("bad part %r of %r" % (part, total))
    if ref16:
        ie = bytes([0x08, 4, (ref >> 8) & 0xFF, ref & 0xFF, total, part])
    else:
        ie = bytes([0x00, 3, ref & 0xFF, total, part])
    return bytes([len(ie)]) + ie


# ---------------------------------------------------------------------------
# SMS-DELIVER encoding

DEFAULT_SMSC = "+6281100000"


def deliver_pdu(sender, text, when=None, coding=None, smsc=DEFAULT_SMSC,
                concat=None, ref16=False, pid=0):
    """Hex of one SMS-DELIVER as a modem reports it (SMSC part first).

    coding: "gsm7", "ucs2" or None (GSM when the text allows it).
    concat: (ref, part, total) to make it part of a concatenated message;
    the text must then fit in one part (see split_text)."""
    when = when or _dt.datetime(2026, 1, 5, 9, 30, 0,
                                tzinfo=_dt.timezone(_dt.timedelta(hours=7)))
    coding = coding or choose_coding(text)
    header = concat_udh(*concat, ref16=ref16) if concat else b""
    if coding == "gsm7":
        septets = gsm7_septets(text)
        ud = pack_septets(septets, header)
        udl = (len(header) * 8 + 6) // 7 + len(septets)
        dcs = 0x00
        if udl > 160:
            raise ValueError("text too long for one part (%d septets)" % udl)
    elif coding == "ucs2":
        ud = header + text.encode("utf-16-be", "surrogatepass")
        udl = len(ud)
        dcs = 0x08
        if udl > UD_OCTETS:
            raise ValueError("text too long for one part (%d octets)" % udl)
    else:
        raise ValueError("coding must be gsm7 or ucs2, not %r" % coding)
    first = 0x04 | (0x40 if header else 0)      # SMS-DELIVER, no more messages
    tpdu = (bytes([first]) + encode_address(sender) + bytes([pid, dcs])
            + encode_timestamp(when) + bytes([udl]) + ud)
    return (encode_smsc(smsc) + tpdu).hex().upper()


def deliver_pdus(sender, text, when=None, coding=None, smsc=DEFAULT_SMSC,
                 ref=None, ref16=False):
    """Hex PDUs of a whole message: one, or the concatenated parts."""
    coding, parts = split_text(text, coding, ref16)
    if len(parts) == 1:
        return [deliver_pdu(sender, text, when, coding, smsc)]
    if ref is None:
        ref = random.randrange(1, 0x10000 if ref16 else 0x100)
    return [deliver_pdu(sender, p, when, coding, smsc, (ref, i, len(parts)), ref16)
            for i, p in enumerate(parts, 1)]


def submit_pdu(number, text, coding=None, smsc=None, concat=None, ref16=False,
               mr=0, validity=0xA7):
    """Hex of an SMS-SUBMIT (with SMSC part, "00" by default), the form
    AT+CMGS takes. For tests of decode_submit."""
    coding = coding or choose_coding(text)
    header = concat_udh(*concat, ref16=ref16) if concat else b""
    if coding == "gsm7":
        septets = gsm7_septets(text)
        ud = pack_septets(septets, header)
        udl = (len(header) * 8 + 6) // 7 + len(septets)
        dcs = 0x00
    else:
        ud = header + text.encode("utf-16-be", "surrogatepass")
        udl = len(ud)
        dcs = 0x08
    first = 0x01 | 0x10 | (0x40 if header else 0)   # SMS-SUBMIT, relative VP
    tpdu = (bytes([first, mr & 0xFF]) + encode_address(number)
            + bytes([0, dcs, validity, udl]) + ud)
    return (encode_smsc(smsc) + tpdu).hex().upper()


# ---------------------------------------------------------------------------
# Decoding

def _dcs_coding(dcs):
    """"gsm7", "8bit" or "ucs2" of a TP-DCS (TS 23.038 4)."""
    group = dcs >> 4
    if group <= 0x7:                    # general data coding (and auto-delete)
        alphabet = (dcs >> 2) & 3
        return {0: "gsm7", 1: "8bit", 2: "ucs2"}.get(alphabet, "gsm7")
    if group == 0xF:
        return "8bit" if dcs & 0x04 else "gsm7"
    if group == 0xE:
        return "ucs2"
    return "gsm7"


def _parse_udh(udh):
    """{"concat": {...}|None, "ies": [(iei, hex)]} of UDH octets (without
    the length octet)."""
    ies, concat, i = [], None, 0
    while i + 2 <= len(udh):
        iei, n = udh[i], udh[i + 1]
        data = udh[i + 2:i + 2 + n]
        if len(data) < n:
            raise PDUError("UDH information element runs past the header")
        ies.append((iei, data.hex().upper()))
        if iei == 0x00 and n == 3:
            concat = {"ref": data[0], "total": data[1], "part": data[2]}
        elif iei == 0x08 and n == 4:
            concat = {"ref": (data[0] << 8) | data[1], "total": data[2], "part": data[3]}
        i += 2 + n
    if i != len(udh):
        raise PDUError("UDH has trailing octets")
    return {"concat": concat, "ies": ies}


def _decode_user_data(first, dcs, udl, ud):
    """(coding, text, udh dict or None, raw data hex) of TP-UD."""
    coding = _dcs_coding(dcs)
    if dcs >> 4 <= 0x7 and dcs & 0x20:
        raise PDUError("compressed user data is not supported")
    udh = None
    hlen = 0
    if first & 0x40:
        if not ud:
            raise PDUError("UDHI set but no user data")
        hlen = ud[0] + 1
        if hlen > len(ud):
            raise PDUError("UDH longer than the user data")
        udh = _parse_udh(ud[1:hlen])
    if coding == "gsm7":
        hs = (hlen * 8 + 6) // 7
        if udl < hs or udl > 160:
            raise PDUError("bad user-data length %d septets" % udl)
        if len(ud) != (udl * 7 + 7) // 8:
            raise PDUError("user data has %d octets, UDL %d septets needs %d"
                           % (len(ud), udl, (udl * 7 + 7) // 8))
        text = gsm7_text(unpack_septets(ud, udl - hs, hlen))
        return coding, text, udh, ud[hlen:].hex().upper()
    if udl > UD_OCTETS or len(ud) != udl:
        raise PDUError("user data has %d octets, UDL says %d" % (len(ud), udl))
    body = ud[hlen:]
    if coding == "ucs2":
        if len(body) % 2:
            raise PDUError("odd number of UCS-2 octets")
        return coding, body.decode("utf-16-be", "surrogatepass"), udh, body.hex().upper()
    return coding, body.decode("latin-1"), udh, body.hex().upper()


def decode_submit(pdu_hex, with_smsc=True):
    """Decode an SMS-SUBMIT (hex, by default with the leading SMSC part as
    AT+CMGS carries it). Returns a dict: smsc, number, toa, mr, pid, dcs,
    coding, validity (raw VP hex or None), srr, udh (IE list or None),
    concat ({ref, part, total} or None), text (UCS-2 halves of a split
    surrogate pair stay as lone surrogates), data (user data without UDH,
    hex), tpdu_length. Raises PDUError."""
    try:
        data = bytes.fromhex(pdu_hex.strip())
    except ValueError:
        raise PDUError("not hex")
    smsc, pos = decode_smsc(data) if with_smsc else ("", 0)
    tpdu_start = pos
    if pos + 2 > len(data):
        raise PDUError("too short")
    first = data[pos]
    if first & 0x03 != 0x01:
        raise PDUError("not an SMS-SUBMIT (TP-MTI %d)" % (first & 3))
    mr = data[pos + 1]
    number, toa, pos = decode_address(data, pos + 2)
    if pos + 2 > len(data):
        raise PDUError("too short for PID/DCS")
    pid, dcs = data[pos], data[pos + 1]
    pos += 2
    vpf = (first >> 3) & 3
    vplen = {0: 0, 2: 1, 1: 7, 3: 7}[vpf]
    validity = data[pos:pos + vplen].hex().upper() if vplen else None
    pos += vplen
    if pos >= len(data):
        raise PDUError("too short for UDL")
    udl = data[pos]
    ud = data[pos + 1:]
    coding, text, udh, raw = _decode_user_data(first, dcs, udl, ud)
    return {
        "smsc": smsc, "number": number, "toa": toa, "mr": mr, "pid": pid,
        "dcs": dcs, "coding": coding, "validity": validity,
        "srr": bool(first & 0x20), "udh": udh["ies"] if udh else None,
        "concat": udh["concat"] if udh else None, "text": text, "data": raw,
        "tpdu_length": len(data) - tpdu_start,
    }


def decode_deliver(pdu_hex, with_smsc=True):
    """Decode an SMS-DELIVER (hex, by default with the SMSC part). Returns a
    dict: smsc, sender, toa, pid, dcs, coding, time (aware datetime), udh,
    concat, text, data, tpdu_length. Raises PDUError."""
    try:
        data = bytes.fromhex(pdu_hex.strip())
    except ValueError:
        raise PDUError("not hex")
    smsc, pos = decode_smsc(data) if with_smsc else ("", 0)
    tpdu_start = pos
    if pos >= len(data):
        raise PDUError("too short")
    first = data[pos]
    if first & 0x03 != 0x00:
        raise PDUError("not an SMS-DELIVER (TP-MTI %d)" % (first & 3))
    sender, toa, pos = decode_address(data, pos + 1)
    if pos + 10 > len(data):
        raise PDUError("too short for PID/DCS/SCTS/UDL")
    pid, dcs = data[pos], data[pos + 1]
    when = decode_timestamp(data[pos + 2:pos + 9])
    udl = data[pos + 9]
    coding, text, udh, raw = _decode_user_data(first, dcs, udl, data[pos + 10:])
    return {
        "smsc": smsc, "sender": sender, "toa": toa, "pid": pid, "dcs": dcs,
        "coding": coding, "time": when, "udh": udh["ies"] if udh else None,
        "concat": udh["concat"] if udh else None, "text": text, "data": raw,
        "tpdu_length": len(data) - tpdu_start,
    }


def join_utf16(pieces):
    """Concatenate decoded UCS-2 pieces, mending surrogate pairs a sender
    split across parts."""
    return "".join(pieces).encode("utf-16-be", "surrogatepass").decode("utf-16-be", "replace")


def corrupt_pdu(pdu_hex, mode):
    """A corrupt variant of a stored SMS-DELIVER: "truncate" keeps half of
    the user data (UDL unchanged), "udl" raises UDL above the data present.
    The result is still whole octets of hex, so +CMGR framing stays valid."""
    data = bytearray(bytes.fromhex(pdu_hex))
    _smsc, pos = decode_smsc(bytes(data))
    _num, _toa, pos = decode_address(bytes(data), pos + 1)
    udl_pos = pos + 9
    ud_len = len(data) - udl_pos - 1
    if mode == "truncate":
        keep = max(1, ud_len // 2)
        return bytes(data[:udl_pos + 1 + keep]).hex().upper()
    if mode == "udl":
        data[udl_pos] = min(255, data[udl_pos] + 40)
        return bytes(data).hex().upper()
    raise ValueError("corrupt mode must be truncate or udl, not %r" % mode)


# ---------------------------------------------------------------------------
# Identities

def _luhn_complete(body):
    """body (14 digits) + its Luhn check digit: a well-formed IMEI."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


IDENTITIES = {
    "huawei": {
        "manufacturer": "huawei",
        "model": "E173",
        "revision": "11.126.16.04.00",
        "imei": _luhn_complete("35314204657288"),
        "imsi": "510101234567890",
        "first_index": 0,
        "ati": ["Manufacturer: huawei", "Model: E173", "Revision: 11.126.16.04.00",
                "IMEI: %(imei)s", "+GCAP: +CGSM,+DS,+ES"],
        "cscs_list": '("IRA","UCS2","GSM")',
        "cnmi_test": "+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)",
        "cpms_test": '+CPMS: ("SM"),("SM"),("SM")',
        "memfull_urc": '^SMMEMFULL: "SM"',
        "junk": ["^RSSI:17", "^BOOT:27710117,0,0,0,75",
                 "^DSFLOWRPT:00000124,00000082,00000EA6,0000000000012325,"
                 "000000000022771D,0000BB80,0001F400", ""],
        "unknown_ext": "COMMAND NOT SUPPORT",   # answer to an unknown ^ command
        "boot": ["^BOOT:27710117,0,0,0,75"],
    },
    "sim800": {
        "manufacturer": "SIMCOM_Ltd",
        "model": "SIMCOM_SIM800",
        "revision": "Revision:1418B04SIM800L24",
        "imei": _luhn_complete("86547703123456"),
        "imsi": "510109876543210",
        "first_index": 1,
        "ati": ["SIM800 R14.18"],
        "cscs_list": '("IRA","GSM","UCS2","HEX","PCCP","PCDN","8859-1")',
        "cnmi_test": "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)",
        "cpms_test": '+CPMS: ("SM"),("SM"),("SM")',
        "memfull_urc": None,
        "junk": ["RDY", "+CFUN: 1", "Call Ready", "SMS Ready", ""],
        "unknown_ext": None,
        "boot": ["RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready"],
    },
}

# What garbage_ok puts before its OK: any byte but NUL, CR and LF.
GARBAGE_BYTES = bytes(c for c in range(1, 256) if c not in (10, 13))
FAULT_KINDS = ("hang", "random", "junk", "garbage_ok", "corrupt_pdu", "cms_error", "sim_full")
OPERATOR = ("TELKOMSEL", "51010")
SMSC_NUMBER = "+6281100000"


class Slot:
    """One stored message."""

    __slots__ = ("pdu", "status", "corrupt")

    def __init__(self, pdu, status, corrupt=None):
        self.pdu = pdu
        self.status = status
        self.corrupt = corrupt


class Reply:
    """What a command produced: info lines and a final result code."""

    def __init__(self, lines=(), final="OK"):
        self.lines = list(lines)
        self.final = final


class Modem:
    """The AT engine. No I/O of its own: feed() takes bytes from the line and
    write() (given) puts bytes on it; the server calls tick() and the control
    methods. Single-threaded (the server's loop), so no locking."""

    MAX_LINE = 2048            # a longer command line is dropped
    MAX_PDU_CHARS = 2 * 200    # hex digits after the "> " prompt (with SMSC)
    MAX_LOG = 100000           # entries kept in each log
    BOOT_DELAY = 1.5           # seconds from AT+CFUN=1,1 to the boot lines

    def __init__(self, identity, sim_size, write, log=None, rng=None):
        if identity not in IDENTITIES:
            raise ValueError("identity must be one of %s" % ", ".join(IDENTITIES))
        self.ident = IDENTITIES[identity]
        self.identity = identity
        self.sim_size = sim_size
        self.first_index = self.ident["first_index"]
        self.write_raw = write
        self.log = log or (lambda text: None)
        self.rng = rng or random.Random()
        self.slots = {}
        self.last_stored = None
        self.echo = True
        self.cmee = 0
        self.cmgf = 0
        self.charset = "IRA"
        self.cnmi = [0, 0, 0, 0, 0]
        self.creg = 0
        self.cgreg = 0
        self.cops_format = 0
        self.cpbs = "SM"
        self.mr = 0
        self.line = bytearray()
        self.pdu_input = None       # while a PDU is typed: kind, length, status, chars
        self.pending_urcs = []
        self.faults = {}
        self.next_junk = None
        self.junk_i = 0
        self.scheduled = []         # (monotonic time, unsolicited line)
        self.resets = 0
        self.commands = []
        self.urcs = []
        self.sent = []

    # -- output -------------------------------------------------------------

    def write(self, data):
        if self._globally_hung():
            return                          # a hung modem says nothing at all
        if isinstance(data, str):
            data = data.encode("latin-1", "replace")
        self.write_raw(data)

    def _globally_hung(self):
        h = self.faults.get("hang")
        return h is not None and not h.get("command")

    def send_reply(self, reply):
        out = "".join("\r\n%s\r\n" % ln for ln in reply.lines)
        if reply.final is not None:
            out += "\r\n%s\r\n" % reply.final
        self.write(out)

    def emit_urc(self, line):
        """An unsolicited line; waits while a PDU is being typed, dropped
        (and logged as not sent) while the modem hangs."""
        entry = {"t": time.monotonic(), "line": line, "sent": True}
        if self._globally_hung():
            entry["sent"] = False
            self._log_append(self.urcs, entry)
            return entry
        self._log_append(self.urcs, entry)
        if self.pdu_input is not None:
            self.pending_urcs.append(line)
        else:
            self.write("\r\n%s\r\n" % line)
        return entry

    def _log_append(self, log, entry):
        log.append(entry)
        if len(log) > self.MAX_LOG:
            del log[:len(log) - self.MAX_LOG]

    # -- input --------------------------------------------------------------

    def feed(self, data):
        """Bytes from the line (what libGammu wrote)."""
        for b in data:
            if self.pdu_input is not None:
                self._feed_pdu(b)
                continue
            if b == 0x0D:
                line = bytes(self.line)
                self.line.clear()
                self._command_line(line)
            elif b == 0x0A and not self.line:
                continue                    # LF after CR
            elif len(self.line) < self.MAX_LINE:
                self.line.append(b)
            else:
                self.line.clear()

    def _feed_pdu(self, b):
        p = self.pdu_input
        if b == 0x1A:                       # Ctrl-Z: send / store
            text = bytes(p["chars"]).decode("ascii", "replace")
            self.pdu_input = None
            if self.echo and not self._globally_hung():
                self.write(text)
            self._finish_pdu(p, text)
            self._flush_urcs()
        elif b == 0x1B:                     # ESC: cancel
            self.pdu_input = None
            self._log_append(self.commands, {"t": time.monotonic(), "line": "<ESC>",
                                             "fault": None})
            if not self._globally_hung():
                self.send_reply(Reply())
            self._flush_urcs()
        elif b == 0x08:                     # backspace
            if p["chars"]:
                p["chars"].pop()
        elif b in (0x0D, 0x0A, 0x20):
            return
        elif len(p["chars"]) < self.MAX_PDU_CHARS:
            p["chars"].append(b)
        else:                               # far too long: the modem gives up
            self.pdu_input = None
            self.send_reply(Reply(final="+CMS ERROR: 304"))
            self._flush_urcs()

    def _flush_urcs(self):
        pending, self.pending_urcs = self.pending_urcs, []
        for line in pending:
            self.write("\r\n%s\r\n" % line)

    def _fault_for(self, kind, line):
        f = self.faults.get(kind)
        if f is None:
            return None
        prefix = f.get("command")
        if prefix and not line.upper().startswith(prefix.upper()):
            return None
        return f

    def _command_line(self, raw):
        text = raw.decode("latin-1").strip("\n")
        stripped = text.strip()
        if not stripped:
            return                          # a bare CR: nothing
        # libGammu sends ESC CR when it connects and after a failed prompt.
        shown = stripped.replace("\x1b", "<ESC>")
        entry = {"t": time.monotonic(), "line": shown, "fault": None}
        self._log_append(self.commands, entry)
        self.log("<- %r" % stripped)
        if self._globally_hung():
            entry["fault"] = "hang"
            return                          # silence: no echo, no reply
        if stripped[:2].upper() != "AT":
            if self.echo:
                self.write(text + "\r")
            return                          # not a command: a modem ignores it
        hang = self._fault_for("hang", stripped)
        if hang is not None and hang.get("stage", "command") != "pdu":
            entry["fault"] = "hang"
            if self.echo:
                self.write(text + "\r")     # echoed, never answered
            return
        if self._fault_for("random", stripped) is not None:
            entry["fault"] = "random"
            n = self.rng.randint(4, 40)
            self.write(bytes(self.rng.randrange(256) for _ in range(n)))
            return
        if self.echo:
            self.write(text + "\r")
        if self._fault_for("garbage_ok", stripped) is not None:
            entry["fault"] = "garbage_ok"
            n = self.rng.randint(6, 24)
            junk = bytes(self.rng.choice(GARBAGE_BYTES) for _ in range(n))
            self.write(b"\r\n" + junk + b"\r\n\r\nOK\r\n")
            return
        try:
            reply = self.execute(stripped[2:])
        except Exception:                   # a simulator bug: say ERROR, keep going
            self.log("command error: %s" % traceback.format_exc())
            reply = Reply(final="ERROR")
        if reply is not None:
            self.log("-> %r %r" % (reply.lines, reply.final))
            self.send_reply(reply)

    # -- command execution --------------------------------------------------

    def error(self, cme=None, cms=None):
        if cms is not None:
            return Reply(final="+CMS ERROR: %d" % cms)
        if self.cmee and cme is not None:
            return Reply(final="+CME ERROR: %d" % cme)
        return Reply(final="ERROR")

    def execute(self, body):
        """Run the command line after "AT". None: the reply comes later (the
        PDU prompt)."""
        lines = []
        rest = body
        while rest:
            if rest[0] in "+^%$*#":
                seg, _, rest = rest.partition(";")
                r = self.extended(seg)
            else:
                seg, rest = self._basic_token(rest)
                r = self.basic(seg)
            if r is None:
                return None
            lines += r.lines
            if r.final != "OK":
                return Reply(lines, r.final)
        return Reply(lines)

    @staticmethod
    def _basic_token(s):
        """Split off one basic command (E1, V1, &F, S0=0, I, Z...)."""
        i = 1
        if s[0] == "&" and len(s) > 1:
            i = 2
        if s[0].upper() == "S":
            while i < len(s) and (s[i].isdigit() or s[i] in "=?"):
                i += 1
            return s[:i], s[i:]
        while i < len(s) and s[i].isdigit():
            i += 1
        return s[:i], s[i:]

    def basic(self, tok):
        cmd = tok.upper()
        letter = cmd.rstrip("0123456789")
        arg = cmd[len(letter):]
        if letter == "E":
            self.echo = arg != "0"
            return Reply()
        if letter in ("V", "Q", "X", "&C", "&D", "&K", "&W", "L", "M") or letter.startswith("S"):
            return Reply()
        if letter in ("Z", "&F"):
            self.echo = True
            self.cmee = 0
            return Reply()
        if letter == "I":
            return Reply([ln % self.ident for ln in self.ident["ati"]])
        return self.error(cme=100)

    def extended(self, seg):
        """One extended command: name, then "=?", "?", "=args" or nothing."""
        up = seg.upper()
        name = up
        op, args = "", ""
        for i, c in enumerate(seg):
            if c in "=?":
                name = up[:i]
                if seg[i:i + 2] == "=?":
                    op = "=?"
                elif c == "?":
                    op = "?"
                else:
                    op, args = "=", seg[i + 1:]
                break
        handler = getattr(self, "at_" + name[1:].replace("^", "_").lower(), None) \
            if name[0] == "+" else getattr(self, "hw_" + name[1:].lower(), None)
        if handler is None:
            if name[0] == "^" and self.ident["unknown_ext"]:
                return Reply(final=self.ident["unknown_ext"])
            return self.error(cme=100)
        return handler(op, args)

    # Identification
    def _info(self, value):
        def h(op, args):
            if op == "=?":
                return Reply()
            return Reply([value])
        return h

    def at_cgmi(self, op, args):
        return self._info(self.ident["manufacturer"])(op, args)

    at_gmi = at_cgmi

    def at_cgmm(self, op, args):
        return self._info(self.ident["model"])(op, args)

    at_gmm = at_cgmm

    def at_cgmr(self, op, args):
        return self._info(self.ident["revision"])(op, args)

    at_gmr = at_cgmr

    def at_cgsn(self, op, args):
        return self._info(self.ident["imei"])(op, args)

    at_gsn = at_cgsn

    def at_cimi(self, op, args):
        return self._info(self.ident["imsi"])(op, args)

    def at_gcap(self, op, args):
        return Reply(["+GCAP: +CGSM,+DS,+ES"])

    # Settings
    def at_cmee(self, op, args):
        if op == "=?":
            return Reply(["+CMEE: (0-2)"])
        if op == "?":
            return Reply(["+CMEE: %d" % self.cmee])
        if op == "=" and args.strip() in ("0", "1", "2", ""):
            self.cmee = int(args.strip() or "0")
            return Reply()
        return self.error(cme=3)

    def at_cscs(self, op, args):
        if op == "=?":
            return Reply(["+CSCS: %s" % self.ident["cscs_list"]])
        if op == "?":
            return Reply(['+CSCS: "%s"' % self.charset])
        cs = args.strip().strip('"').upper()
        if op == "=" and '"%s"' % cs in self.ident["cscs_list"]:
            self.charset = cs
            return Reply()
        return self.error(cme=3)

    def at_cfun(self, op, args):
        if op == "=?":
            return Reply(["+CFUN: (0,1,4),(0,1)"])
        if op == "?":
            return Reply(["+CFUN: 1"])
        parts = [p.strip() for p in args.split(",")]
        if parts[0] not in ("0", "1", "4") or (len(parts) > 1 and parts[1] not in ("0", "1")):
            return self.error(cme=3)
        if len(parts) > 1 and parts[1] == "1":
            self.reset()
        return Reply()

    def reset(self):
        """AT+CFUN=1,1: the modem restarts. Settings go back to their power-on
        values (echo on, +CNMI 0,0,0,0,0, +CMEE 0, PDU mode, IRA); the SIM and
        the faults stay. The identity's boot lines follow after BOOT_DELAY."""
        self.echo = True
        self.cmee = 0
        self.cmgf = 0
        self.charset = "IRA"
        self.cnmi = [0, 0, 0, 0, 0]
        self.creg = self.cgreg = self.cops_format = 0
        self.cpbs = "SM"
        self.pending_urcs = []
        when = time.monotonic() + self.BOOT_DELAY
        self.scheduled += [(when, line) for line in self.ident["boot"]]
        self.resets += 1

    def at_cpin(self, op, args):
        if op == "?":
            return Reply(["+CPIN: READY"])
        if op == "=?":
            return Reply()
        return self.error(cme=3)           # no PIN wanted

    def at_csq(self, op, args):
        if op == "=?":
            return Reply(["+CSQ: (0-31,99),(0-7,99)"])
        return Reply(["+CSQ: 17,99"])

    def at_cops(self, op, args):
        if op == "=?":
            return Reply(['+COPS: (2,"%s","TSEL","%s",2),,(0,1,2,3,4),(0,1,2)'
                          % (OPERATOR[0], OPERATOR[1])])
        if op == "?":
            if self.cops_format == 2:
                return Reply(['+COPS: 0,2,"%s",2' % OPERATOR[1]])
            if self.cops_format == 1:
                return Reply(['+COPS: 0,1,"TSEL",2'])
            return Reply(['+COPS: 0,0,"%s",2' % OPERATOR[0]])
        parts = args.split(",")
        if len(parts) >= 2 and parts[1].strip().isdigit():
            self.cops_format = int(parts[1])
        return Reply()

    def _reg(self, name, n):
        if n == 2:
            return '+%s: 2,1,"2F3A","0D4C"' % name
        return "+%s: %d,1" % (name, n)

    def at_creg(self, op, args):
        if op == "=?":
            return Reply(["+CREG: (0-2)"])
        if op == "?":
            return Reply([self._reg("CREG", self.creg)])
        if args.strip() in ("0", "1", "2"):
            self.creg = int(args)
            return Reply()
        return self.error(cme=3)

    def at_cgreg(self, op, args):
        if op == "=?":
            return Reply(["+CGREG: (0-2)"])
        if op == "?":
            return Reply([self._reg("CGREG", self.cgreg)])
        if args.strip() in ("0", "1", "2"):
            self.cgreg = int(args)
            return Reply()
        return self.error(cme=3)

    def at_cgatt(self, op, args):
        if op == "=?":
            return Reply(["+CGATT: (0,1)"])
        if op == "?":
            return Reply(["+CGATT: 1"])
        return Reply()

    def at_crc(self, op, args):
        if op == "?":
            return Reply(["+CRC: 0"])
        if op == "=?":
            return Reply(["+CRC: (0,1)"])
        return Reply()

    def at_cbc(self, op, args):
        if self.identity == "sim800":
            return Reply(["+CBC: 0,95,4150"])
        return self.error(cme=4)           # a USB stick has no battery

    def at_cclk(self, op, args):
        if op == "?":
            now = _dt.datetime.now(_dt.timezone(_dt.timedelta(hours=7)))
            return Reply([now.strftime('+CCLK: "%y/%m/%d,%H:%M:%S+28"')])
        return Reply()

    def at_cpbs(self, op, args):
        if op == "=?":
            return Reply(['+CPBS: ("SM","EN","ON")'])
        if op == "?":
            return Reply(['+CPBS: "%s",0,%d' % (self.cpbs, 250 if self.cpbs == "SM" else 4)])
        mem = args.strip().strip('"').upper()
        if mem not in ("SM", "EN", "ON"):
            return self.error(cme=3)
        self.cpbs = mem
        return Reply()

    def at_cpbr(self, op, args):
        if op == "=?":
            return Reply(["+CPBR: (1-250),40,16"])
        return self.error(cme=22)          # not found

    def at_csms(self, op, args):
        if op == "=?":
            return Reply(["+CSMS: (0,1)"])
        if op == "?":
            return Reply(["+CSMS: 0,1,1,1"])
        return Reply(["+CSMS: 1,1,1"])

    def at_csdh(self, op, args):
        if op == "?":
            return Reply(["+CSDH: 0"])
        if op == "=?":
            return Reply(["+CSDH: (0,1)"])
        return Reply()

    def at_csmp(self, op, args):
        if op == "?":
            return Reply(["+CSMP: 17,167,0,0"])
        return Reply()

    def at_cmms(self, op, args):
        return Reply()

    def at_clip(self, op, args):
        if op == "?":
            return Reply(["+CLIP: 0,1"])
        return Reply()

    def at_cusd(self, op, args):
        return Reply()

    def at_cscb(self, op, args):
        return Reply()

    def at_cnmi(self, op, args):
        if op == "=?":
            return Reply([self.ident["cnmi_test"]])
        if op == "?":
            return Reply(["+CNMI: %s" % ",".join(str(v) for v in self.cnmi)])
        vals = list(self.cnmi)
        for i, a in enumerate(args.split(",")[:5]):
            a = a.strip()
            if a == "":
                continue
            if not a.isdigit() or int(a) > 3:
                return self.error(cms=303)
            vals[i] = int(a)
        self.cnmi = vals
        return Reply()

    def at_cmgf(self, op, args):
        if op == "=?":
            return Reply(["+CMGF: (0,1)"])
        if op == "?":
            return Reply(["+CMGF: %d" % self.cmgf])
        if args.strip() in ("0", "1"):
            self.cmgf = int(args)
            return Reply()
        return self.error(cms=303)

    def at_csca(self, op, args):
        if op == "?":
            number = SMSC_NUMBER
            if self.charset == "UCS2":
                number = number.encode("utf-16-be").hex().upper()
            return Reply(['+CSCA: "%s",145' % number])
        return Reply()

    # Huawei specific
    def hw_curc(self, op, args):
        return Reply(["^CURC: 0"]) if op == "?" else Reply()

    def hw_portsel(self, op, args):
        return Reply(["^PORTSEL: 1"]) if op == "?" else Reply()

    def hw_sysinfo(self, op, args):
        return Reply(["^SYSINFO:2,3,0,5,1,,4"])

    def hw_hwver(self, op, args):
        return Reply(['^HWVER:"CD25TCPU"'])

    def hw_cardlock(self, op, args):
        return Reply(["^CARDLOCK: 2,10,0"]) if op == "?" else Reply()

    def hw_u2diag(self, op, args):
        return Reply(["^U2DIAG:0"]) if op == "?" else Reply()

    # SMS storage
    def _indexes(self):
        return range(self.first_index, self.first_index + self.sim_size)

    def _used(self):
        return self.sim_size if "sim_full" in self.faults else len(self.slots)

    def at_cpms(self, op, args):
        if op == "=?":
            return Reply([self.ident["cpms_test"]])
        u, t = self._used(), self.sim_size
        if op == "?":
            return Reply(['+CPMS: "SM",%d,%d,"SM",%d,%d,"SM",%d,%d' % (u, t, u, t, u, t)])
        mems = [m.strip().strip('"').upper() for m in args.split(",") if m.strip()]
        if not mems or any(m != "SM" for m in mems):
            return self.error(cms=302)
        return Reply(["+CPMS: %d,%d,%d,%d,%d,%d" % (u, t, u, t, u, t)])

    def _sms_mode_error(self):
        return self.error(cms=302) if self.cmgf != 0 else None

    def _wire_pdu(self, slot):
        pdu = corrupt_pdu(slot.pdu, slot.corrupt) if slot.corrupt else slot.pdu
        _smsc, smsc_len = decode_smsc(bytes.fromhex(pdu[:2 * 12]))
        return pdu, len(pdu) // 2 - smsc_len

    def at_cmgl(self, op, args):
        if op == "=?":
            return Reply(["+CMGL: (0-4)"])
        err = self._sms_mode_error()
        if err:
            return err
        a = args.strip().strip('"')
        if op != "=" or not a.isdigit() or int(a) > 4:
            return self.error(cms=303)
        want = int(a)
        lines = []
        for idx in sorted(self.slots):
            slot = self.slots[idx]
            if want != 4 and slot.status != want:
                continue
            pdu, length = self._wire_pdu(slot)
            lines.append("+CMGL: %d,%d,,%d" % (idx, slot.status, length))
            lines.append(pdu)
            if slot.status == 0:
                slot.status = 1
        # Real modems put the list lines one after the other, no blank lines.
        return Reply(["\r\n".join(lines)] if lines else [])

    def at_cmgr(self, op, args):
        if op == "=?":
            return Reply()
        err = self._sms_mode_error()
        if err:
            return err
        a = args.strip()
        if op != "=" or not a.isdigit():
            return self.error(cms=303)
        idx = int(a)
        if idx not in self._indexes():
            return self.error(cms=321)
        slot = self.slots.get(idx)
        if slot is None:
            return Reply()                  # empty slot: plain OK
        pdu, length = self._wire_pdu(slot)
        status = slot.status
        if slot.status == 0:
            slot.status = 1
        return Reply(["+CMGR: %d,,%d\r\n%s" % (status, length, pdu)])

    def at_cmgd(self, op, args):
        if op == "=?":
            return Reply(["+CMGD: (%s),(0-4)" % ",".join(str(i) for i in sorted(self.slots))])
        err = self._sms_mode_error()
        if err:
            return err
        parts = [p.strip() for p in args.split(",")]
        if op != "=" or not parts[0].isdigit():
            return self.error(cms=303)
        idx = int(parts[0])
        flag = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if flag == 0:
            if idx not in self._indexes():
                return self.error(cms=321)
            self.slots.pop(idx, None)
            return Reply()
        drop = {1: (1,), 2: (1, 3), 3: (1, 2, 3), 4: (0, 1, 2, 3)}.get(flag)
        if drop is None:
            return self.error(cms=303)
        for i in [i for i, s in self.slots.items() if s.status in drop]:
            del self.slots[i]
        return Reply()

    def at_cmgs(self, op, args):
        if op == "=?":
            return Reply()
        err = self._sms_mode_error()
        if err:
            return err
        a = args.strip()
        if op != "=" or not a.isdigit() or not 7 <= int(a) <= 164:
            return self.error(cms=304)
        self.pdu_input = {"kind": "send", "length": int(a), "chars": bytearray()}
        self.write("\r\n> ")
        return None

    def at_cmgw(self, op, args):
        if op == "=?":
            return Reply()
        err = self._sms_mode_error()
        if err:
            return err
        parts = [p.strip() for p in args.split(",")]
        if op != "=" or not parts[0].isdigit():
            return self.error(cms=304)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 2
        if self._free_index() is None:
            return self.error(cms=322)
        self.pdu_input = {"kind": "store", "length": int(parts[0]), "status": status,
                          "chars": bytearray()}
        self.write("\r\n> ")
        return None

    def at_cmss(self, op, args):
        return self.error(cms=303)

    def _finish_pdu(self, p, text):
        """Ctrl-Z arrived after the PDU of +CMGS or +CMGW."""
        now = time.monotonic()
        logged = {"t": now, "line": "<PDU %d hex digits + Ctrl-Z>" % len(text), "fault": None}
        self._log_append(self.commands, logged)
        try:
            data = bytes.fromhex(text)
            _smsc, smsc_len = decode_smsc(data)
            ok_len = len(data) - smsc_len == p["length"]
        except (ValueError, PDUError):
            ok_len = False
        if p["kind"] == "store":
            if not ok_len:
                self.send_reply(self.error(cms=304))
                return
            idx = self._free_index()
            if idx is None:
                self.send_reply(self.error(cms=322))
                return
            self.slots[idx] = Slot(text.upper(), p["status"])
            self.last_stored = idx
            self.send_reply(Reply(["+CMGW: %d" % idx]))
            return
        entry = {"t": now, "pdu": text.upper(), "length": p["length"], "ok": False,
                 "error": None, "mr": None, "number": None, "text": None,
                 "coding": None, "concat": None, "decode_error": None}
        try:
            d = decode_submit(text)
            entry.update(number=d["number"], text=d["text"], coding=d["coding"],
                         concat=d["concat"])
        except PDUError as e:
            entry["decode_error"] = str(e)
        self._log_append(self.sent, entry)
        hang = self._fault_for("hang", "AT+CMGS")
        if hang is not None and hang.get("stage") == "pdu":
            entry["error"] = logged["fault"] = "hang"
            return                          # PDU taken, never answered
        f = self.faults.get("cms_error")
        if not ok_len or entry["decode_error"]:
            entry["error"] = 304
            self.send_reply(self.error(cms=304))
        elif f is not None:
            entry["error"] = int(f.get("code", 500))
            if f.get("count") is not None:
                f["count"] = int(f["count"]) - 1
                if f["count"] <= 0:
                    del self.faults["cms_error"]
            self.send_reply(self.error(cms=entry["error"]))
        else:
            self.mr = (self.mr + 1) % 256
            entry["ok"] = True
            entry["mr"] = self.mr
            self.send_reply(Reply(["+CMGS: %d" % self.mr]))

    # -- control ------------------------------------------------------------

    def _free_index(self):
        if "sim_full" in self.faults:
            return None
        for i in self._indexes():
            if i not in self.slots:
                return i
        return None

    def add_pdu(self, pdu, status=0, notify=True):
        """Store a received SMS-DELIVER; emit +CMTI (or route +CMT)."""
        pdu = pdu.strip().upper()
        data = bytes.fromhex(pdu)           # ValueError for bad hex
        _smsc, smsc_len = decode_smsc(data)
        mode, mt = self.cnmi[0], self.cnmi[1]
        now = time.monotonic()
        if notify and mode in (1, 2, 3) and mt == 2:
            entry = self.emit_urc("+CMT: ,%d\r\n%s" % (len(data) - smsc_len, pdu))
            return {"ok": True, "index": None, "t": entry["t"], "urc": entry["line"]}
        idx = self._free_index()
        if idx is None:
            if self.ident["memfull_urc"]:
                self.emit_urc(self.ident["memfull_urc"])
            return {"ok": False, "full": True, "error": "SIM full", "t": now}
        self.slots[idx] = Slot(pdu, int(status))
        self.last_stored = idx
        urc = None
        if notify and mode in (1, 2, 3) and mt in (1, 3):
            urc = self.emit_urc('+CMTI: "SM",%d' % idx)
        return {"ok": True, "index": idx, "t": urc["t"] if urc else now,
                "urc": urc["line"] if urc else None}

    def set_fault(self, kind, params):
        if kind not in FAULT_KINDS:
            raise ValueError("unknown fault %r (one of %s)" % (kind, ", ".join(FAULT_KINDS)))
        extra = {}
        if kind == "corrupt_pdu":
            idx = params.get("index", self.last_stored)
            if idx is None or idx not in self.slots:
                raise ValueError("no stored message at index %r" % idx)
            mode = params.get("mode", "truncate")
            if mode not in ("truncate", "udl"):
                raise ValueError("corrupt mode must be truncate or udl")
            self.slots[idx].corrupt = mode
            extra["index"] = idx
        if kind == "junk":
            interval = float(params.get("interval", 0.5))
            if not 0.01 <= interval <= 3600:
                raise ValueError("junk interval out of range")
            params = dict(params, interval=interval)
            self.next_junk = time.monotonic() + interval
        if kind == "cms_error":
            params = dict(params, code=int(params.get("code", 500)))
        self.faults[kind] = dict(params)
        return extra

    def clear_fault(self, kind=None):
        kinds = [kind] if kind else list(self.faults) + ["corrupt_pdu"]
        for k in kinds:
            if k not in FAULT_KINDS:
                raise ValueError("unknown fault %r" % k)
            self.faults.pop(k, None)
            if k == "corrupt_pdu":
                for s in self.slots.values():
                    s.corrupt = None
            if k == "junk":
                self.next_junk = None

    def timeout(self):
        """Seconds until tick() has something to do (None: nothing)."""
        times = [t for t, _ in self.scheduled]
        if self.next_junk is not None:
            times.append(self.next_junk)
        if not times:
            return None
        return max(0.0, min(times) - time.monotonic())

    def tick(self):
        now = time.monotonic()
        due = [line for t, line in self.scheduled if t <= now]
        self.scheduled = [(t, line) for t, line in self.scheduled if t > now]
        for line in due:
            self.emit_urc(line)
        f = self.faults.get("junk")
        if f is None or self.next_junk is None or time.monotonic() < self.next_junk:
            return
        lines = f.get("lines") or self.ident["junk"]
        line = lines[self.junk_i % len(lines)]
        self.junk_i += 1
        if not line:
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;!?-+#"
            line = "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(5, 30)))
        if not self._globally_hung():
            self.write("\r\n%s\r\n" % line)
        self.next_junk = time.monotonic() + f["interval"]

    def state(self):
        return {"echo": self.echo, "cmgf": self.cmgf, "cnmi": self.cnmi, "cmee": self.cmee,
                "charset": self.charset, "faults": self.faults,
                "pdu_mode": self.pdu_input is not None, "resets": self.resets}


# ---------------------------------------------------------------------------
# The server: pty, control socket, signals

def _since(entries, since):
    if since is None:
        return entries
    return [e for e in entries if e["t"] >= float(since)]


class Server:
    """One select loop over the pty master, the control socket and its
    clients, and a self-pipe for SIGTERM/SIGINT."""

    MAX_CLIENT_BUFFER = 1 << 20
    MAX_PENDING_OUTPUT = 256 * 1024  # unread output kept for the line
    STALE_OUTPUT = 5.0               # seconds without a reader: output dropped
    PARENT_CHECK = 1.0               # seconds between checks of --parent

    def __init__(self, link, control, identity, sim_size, log_path=None, seed=None,
                 parent=None):
        self.parent = parent
        self.link = os.path.abspath(link)
        self.control = os.path.abspath(control)
        self.logf = open(log_path, "a", buffering=1) if log_path else None
        self.master, self.slave = os.openpty()
        # The simulator keeps the slave open: reads on the master then never
        # fail with EIO between two libGammu sessions. Raw mode matters:
        # with the line discipline echoing, the modem would read its own
        # output back.
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.slave_name = os.ttyname(self.slave)
        self.out = bytearray()
        self.out_progress = time.monotonic()   # last time the line took output
        self.modem = Modem(identity, sim_size, self._queue_output, self._log,
                           random.Random(seed))
        self.sel = selectors.DefaultSelector()
        self.clients = {}
        self.running = True
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)

    def _log(self, text):
        if self.logf:
            self.logf.write("%.3f %s\n" % (time.monotonic(), text))

    def _queue_output(self, data):
        self._log("-> %r" % bytes(data))
        if len(self.out) + len(data) > self.MAX_PENDING_OUTPUT:
            return                          # nobody reads the line: dropped
        if not self.out:
            self.out_progress = time.monotonic()
        self.out += data
        self._flush_output()

    def _flush_output(self):
        while self.out:
            try:
                n = os.write(self.master, self.out)
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno == errno.EIO:
                    self.out.clear()
                    break
                raise
            del self.out[:n]
            self.out_progress = time.monotonic()
        self._update_master_events()

    def _drop_stale_output(self):
        # The kernel holds what the pty cannot pass on yet (about 64 KiB) and
        # libGammu flushes that when it opens the device. Output queued here
        # beyond it for STALE_OUTPUT seconds has no reader: like a serial
        # line without flow control, the modem loses it, so that a later
        # session does not get old replies.
        if self.out and time.monotonic() - self.out_progress > self.STALE_OUTPUT:
            self._log("dropped %d bytes nobody read" % len(self.out))
            self.out.clear()
            self._update_master_events()

    def _update_master_events(self):
        ev = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.out else 0)
        try:
            self.sel.modify(self.master, ev, "pty")
        except (KeyError, ValueError):
            pass

    def _replace_link(self):
        """Point self.link at the slave; an older symlink is replaced
        atomically. Refuses to replace anything but a symlink."""
        if os.path.lexists(self.link) and not os.path.islink(self.link):
            raise SystemExit("modemsim: %s exists and is not a symlink" % self.link)
        tmp = "%s.%d.tmp" % (self.link, os.getpid())
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(self.slave_name, tmp)
        os.replace(tmp, self.link)

    def _bind_control(self):
        """Listen on the control path; a stale socket left by a killed
        instance is removed, a live one is an error."""
        if os.path.lexists(self.control):
            if not stat.S_ISSOCK(os.lstat(self.control).st_mode):
                raise SystemExit("modemsim: %s exists and is not a socket" % self.control)
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.settimeout(1.0)
                probe.connect(self.control)
            except OSError:                 # nobody listens: left by a killed instance
                try:
                    os.unlink(self.control)
                except FileNotFoundError:
                    pass
            else:
                raise SystemExit("modemsim: another simulator listens on %s" % self.control)
            finally:
                probe.close()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.control)
        self.listener.listen(8)
        self.listener.setblocking(False)
        self.control_ino = os.stat(self.control).st_ino

    def _on_signal(self, signum, frame):
        self.running = False
        try:
            os.write(self.wake_w, b"x")
        except OSError:
            pass

    def cleanup(self):
        try:
            if os.readlink(self.link) == self.slave_name:
                os.unlink(self.link)
        except OSError:
            pass
        try:
            if os.stat(self.control).st_ino == self.control_ino:
                os.unlink(self.control)
        except (OSError, AttributeError):
            pass
        if self.logf:
            self._log("exit")
            self.logf.close()

    def serve(self):
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            self._bind_control()
            self._replace_link()
            self._log("start pid %d identity %s device %s"
                      % (os.getpid(), self.modem.identity, self.slave_name))
            self.sel.register(self.master, selectors.EVENT_READ, "pty")
            self.sel.register(self.listener, selectors.EVENT_READ, "listen")
            self.sel.register(self.wake_r, selectors.EVENT_READ, "wake")
            while self.running:
                if self.parent is not None and os.getppid() != self.parent:
                    self._log("parent %d gone" % self.parent)
                    break
                for key, events in self.sel.select(self._select_timeout()):
                    what = key.data
                    if what == "pty":
                        if events & selectors.EVENT_READ:
                            self._read_pty()
                        if events & selectors.EVENT_WRITE:
                            self._flush_output()
                    elif what == "listen":
                        self._accept()
                    elif what == "wake":
                        try:
                            os.read(self.wake_r, 64)
                        except BlockingIOError:
                            pass
                    else:
                        self._client_event(key.fileobj, events)
                self.modem.tick()
                self._drop_stale_output()
                self._clear_exclusive()
        finally:
            self.cleanup()

    def _select_timeout(self):
        """How long the loop may sleep: until the modem's next timed event,
        the next stale-output check, the next parent check (None: as long
        as nothing happens)."""
        limits = [self.modem.timeout()]
        if self.out:
            limits.append(self.STALE_OUTPUT)
        if self.parent is not None:
            limits.append(self.PARENT_CHECK)
        limits = [x for x in limits if x is not None]
        return min(limits) if limits else None

    def _clear_exclusive(self):
        # libGammu sets TIOCEXCL on open. A pty keeps that flag until its
        # master closes, so without this a non-root libGammu could not open
        # the device a second time. Root is not affected either way.
        try:
            fcntl.ioctl(self.slave, termios.TIOCNXCL)
        except OSError:
            pass

    def _read_pty(self):
        try:
            data = os.read(self.master, 4096)
        except BlockingIOError:
            return
        except OSError as e:
            if e.errno == errno.EIO:
                return
            raise
        if data:
            self._log("<- raw %r" % data)
            self.modem.feed(data)

    def _accept(self):
        try:
            conn, _ = self.listener.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self.clients[conn] = {"in": bytearray(), "out": bytearray()}
        self.sel.register(conn, selectors.EVENT_READ, "client")

    def _drop_client(self, conn):
        self.clients.pop(conn, None)
        try:
            self.sel.unregister(conn)
        except (KeyError, ValueError):
            pass
        conn.close()

    def _client_event(self, conn, events):
        c = self.clients.get(conn)
        if c is None:
            return
        if events & selectors.EVENT_READ:
            try:
                data = conn.recv(65536)
            except BlockingIOError:
                data = None
            except OSError:
                data = b""
            if data == b"":
                self._drop_client(conn)
                return
            if data:
                c["in"] += data
                if len(c["in"]) > self.MAX_CLIENT_BUFFER:
                    self._drop_client(conn)
                    return
                while b"\n" in c["in"]:
                    line, _, rest = bytes(c["in"]).partition(b"\n")
                    c["in"] = bytearray(rest)
                    reply = self._control(line)
                    c["out"] += (json.dumps(reply) + "\n").encode()
        if c["out"]:
            try:
                n = conn.send(c["out"])
                del c["out"][:n]
            except BlockingIOError:
                pass
            except OSError:
                self._drop_client(conn)
                return
        ev = selectors.EVENT_READ | (selectors.EVENT_WRITE if c["out"] else 0)
        self.sel.modify(conn, ev, "client")

    def _control(self, line):
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise ValueError("request must be a JSON object")
            return self.handle(req)
        except Exception as e:              # a bad request must not end the modem
            self._log("control error: %s" % traceback.format_exc())
            return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}

    def handle(self, req):
        m = self.modem
        cmd = req.get("cmd")
        if cmd == "ping":
            return {"ok": True, "pid": os.getpid(), "device": self.slave_name, "link": self.link,
                    "identity": m.identity, "sim_size": m.sim_size, "first_index": m.first_index}
        if cmd == "add_pdu":
            return m.add_pdu(req["pdu"], req.get("status", 0), req.get("notify", True))
        if cmd == "add_sms":
            when = _dt.datetime.fromisoformat(req["time"]) if req.get("time") else None
            pdus = deliver_pdus(req["sender"], req["text"], when, req.get("coding"),
                                req.get("smsc", DEFAULT_SMSC), req.get("ref"),
                                bool(req.get("ref16")))
            indexes = []
            for pdu in pdus:
                r = m.add_pdu(pdu, req.get("status", 0), req.get("notify", True))
                if not r["ok"]:
                    return dict(r, indexes=indexes, pdus=pdus)
                indexes.append(r["index"])
            return {"ok": True, "indexes": indexes, "pdus": pdus}
        if cmd == "sim":
            msgs = [{"index": i, "pdu": s.pdu, "status": s.status, "corrupt": s.corrupt}
                    for i, s in sorted(m.slots.items())]
            return {"ok": True, "size": m.sim_size, "first_index": m.first_index,
                    "messages": msgs}
        if cmd == "delete":
            m.slots.pop(int(req["index"]), None)
            return {"ok": True}
        if cmd == "clear_sim":
            m.slots.clear()
            return {"ok": True}
        if cmd == "sent":
            return {"ok": True, "sent": _since(m.sent, req.get("since"))}
        if cmd == "commands":
            return {"ok": True, "commands": _since(m.commands, req.get("since"))}
        if cmd == "urcs":
            return {"ok": True, "urcs": _since(m.urcs, req.get("since"))}
        if cmd == "fault":
            params = {k: v for k, v in req.items() if k not in ("cmd", "kind")}
            extra = m.set_fault(req["kind"], params)
            self._log("fault %s %r" % (req["kind"], params))
            return dict({"ok": True}, **extra)
        if cmd == "clear_fault":
            m.clear_fault(req.get("kind"))
            self._log("clear_fault %s" % req.get("kind"))
            return {"ok": True}
        if cmd == "state":
            return dict({"ok": True}, **m.state())
        if cmd == "reset_logs":
            m.commands.clear()
            m.urcs.clear()
            m.sent.clear()
            return {"ok": True}
        return {"ok": False, "error": "unknown cmd %r" % cmd}


def main(argv=None):
    ap = argparse.ArgumentParser(description="Simulated GSM modem on a pty for libGammu.")
    ap.add_argument("--link", required=True, help="symlink to create to the pty slave")
    ap.add_argument("--control", required=True, help="Unix socket for control commands")
    ap.add_argument("--identity", choices=sorted(IDENTITIES), default="huawei")
    ap.add_argument("--sim-size", type=int, default=20)
    ap.add_argument("--log", help="append a trace of the line and control traffic here")
    ap.add_argument("--seed", type=int, help="seed of the random faults")
    ap.add_argument("--parent", type=int,
                    help="exit (cleanly) once this process is no longer the parent")
    a = ap.parse_args(argv)
    if not 1 <= a.sim_size <= 255:
        ap.error("--sim-size must be 1..255")
    Server(a.link, a.control, a.identity, a.sim_size, a.log, a.seed, a.parent).serve()
    return 0


# ---------------------------------------------------------------------------
# The test-side handle

_LIVE = set()
_LIVE_LOCK = threading.Lock()


def _cleanup_all():
    with _LIVE_LOCK:
        sims = list(_LIVE)
    for s in sims:
        try:
            s.stop()
        except Exception:
            pass


atexit.register(_cleanup_all)


class ModemSimError(RuntimeError):
    pass


class ModemSim:
    """Runs modemsim.py as a subprocess and talks to its control socket.

    ModemSim(dirpath, identity="huawei", sim_size=20): .device is the link
    DIR/NAME (NAME defaults to "modem"; give it to gammu as `device`),
    .control_path the socket DIR/NAME.ctl, .log_path the trace DIR/NAME.log
    (the program's stderr goes to DIR/NAME.log.stderr), .first_index the
    identity's first SIM index, .pty the current /dev/pts/N once started.
    Usable as a context manager (start on enter, stop on exit); any
    simulator still running at interpreter exit is stopped, and one whose
    test process died without exiting stops by itself (--parent). Each
    control call uses its own connection, so the object can be shared
    between threads. Control methods raise ModemSimError when the
    simulator answers "ok": false (or is not running)."""

    START_TIMEOUT = 10.0
    CALL_TIMEOUT = 10.0

    def __init__(self, dirpath, identity="huawei", sim_size=20, name="modem", seed=None):
        if identity not in IDENTITIES:
            raise ValueError("identity must be one of %s" % ", ".join(IDENTITIES))
        self.dir = os.path.abspath(dirpath)
        self.identity = identity
        self.sim_size = sim_size
        self.seed = seed
        self.device = os.path.join(self.dir, name)
        self.control_path = os.path.join(self.dir, name + ".ctl")
        self.log_path = os.path.join(self.dir, name + ".log")
        self.first_index = IDENTITIES[identity]["first_index"]
        self.pty = None
        self.proc = None
        self._lock = threading.Lock()
        if len(self.control_path.encode()) >= 100:
            raise ValueError("control socket path too long for AF_UNIX: %s" % self.control_path)

    # -- process ------------------------------------------------------------

    def start(self):
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                raise ModemSimError("simulator already running (pid %d)" % self.proc.pid)
            argv = [sys.executable or "/usr/bin/python3", os.path.abspath(__file__),
                    "--link", self.device, "--control", self.control_path,
                    "--identity", self.identity, "--sim-size", str(self.sim_size),
                    "--log", self.log_path, "--parent", str(os.getpid())]
            if self.seed is not None:
                argv += ["--seed", str(self.seed)]
            self._stderr = open(self.log_path + ".stderr", "ab")
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=self._stderr, stderr=self._stderr)
            with _LIVE_LOCK:
                _LIVE.add(self)
        deadline = time.monotonic() + self.START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                self._end(signal.SIGKILL, 0)        # reap, forget
                raise ModemSimError("simulator exited with %s: %s"
                                    % (self.proc.returncode, self._stderr_tail()))
            try:
                r = self.call({"cmd": "ping"}, timeout=1.0)
                if r.get("pid") == self.proc.pid and os.path.islink(self.device) \
                        and os.readlink(self.device) == r.get("device"):
                    self.pty = r["device"]
                    return self
            except (OSError, ModemSimError):
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise ModemSimError("simulator did not come up in %.0fs" % self.START_TIMEOUT)
            time.sleep(0.05)

    def _stderr_tail(self):
        try:
            with open(self.log_path + ".stderr", "rb") as f:
                return f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def _end(self, sig, timeout):
        """Send sig unless the process has ended, then reap it (SIGKILL if
        it outlives timeout). Idempotent."""
        with self._lock:
            if self.proc is None:
                return
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            self._stderr.close()
            with _LIVE_LOCK:
                _LIVE.discard(self)

    def stop(self, timeout=5.0):
        """SIGTERM and wait (SIGKILL after timeout). The link and socket go."""
        self._end(signal.SIGTERM, timeout)

    def kill(self):
        """SIGKILL: the device vanishes, the link dangles."""
        self._end(signal.SIGKILL, 5.0)

    def restart(self):
        """Stop (if still running) and start a new process on the same link.
        The new modem has an empty SIM and fresh logs."""
        self.stop()
        return self.start()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- control ------------------------------------------------------------

    def call(self, req, timeout=None):
        """Send one request (a dict, see the control protocol), return the
        reply dict. Raises ModemSimError when "ok" is false, unless the
        request has "check": false; OSError when nobody listens."""
        check = req.pop("check", True) if isinstance(req, dict) else True
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(timeout or self.CALL_TIMEOUT)
            s.connect(self.control_path)
            s.sendall((json.dumps(req) + "\n").encode())
            buf = bytearray()
            while b"\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    raise ModemSimError("control connection closed")
                buf += chunk
        finally:
            s.close()
        reply = json.loads(bytes(buf).partition(b"\n")[0])
        if check and not reply.get("ok"):
            raise ModemSimError(reply.get("error", "request failed"))
        return reply

    def add_pdu(self, pdu_hex, status=0, notify=True):
        """Store one SMS-DELIVER PDU; returns its index (None if routed with
        +CMT). Raises ModemSimError("SIM full") when the SIM is full."""
        return self.call({"cmd": "add_pdu", "pdu": pdu_hex, "status": status,
                          "notify": notify})["index"]

    def add_sms(self, sender, text, when=None, coding=None, smsc=DEFAULT_SMSC,
                concat=None, ref16=False, status=0, notify=True):
        """Store one SMS-DELIVER (or one given part: concat=(ref, i, n));
        returns its index. A text longer than one part raises ValueError
        (use add_multipart)."""
        if concat is None and len(split_text(text, coding)[1]) > 1:
            raise ValueError("text needs several parts: use add_multipart")
        return self.add_pdu(deliver_pdu(sender, text, when, coding, smsc, concat, ref16),
                            status, notify)

    def add_multipart(self, sender, text, when=None, coding=None, smsc=DEFAULT_SMSC,
                      ref=None, ref16=False, status=0, notify=True):
        """Store every part of a message; returns the list of indexes."""
        return [self.add_pdu(p, status, notify)
                for p in deliver_pdus(sender, text, when, coding, smsc, ref, ref16)]

    def try_add_pdu(self, pdu_hex, status=0, notify=True):
        """Like add_pdu but returns the whole reply (ok false when full)."""
        return self.call({"cmd": "add_pdu", "pdu": pdu_hex, "status": status,
                          "notify": notify, "check": False})

    def sim(self):
        """Stored messages: [{index, pdu, status, corrupt}] by index."""
        return self.call({"cmd": "sim"})["messages"]

    def delete(self, index):
        """Remove one stored message (as if the SIM lost it)."""
        self.call({"cmd": "delete", "index": index})

    def clear_sim(self):
        self.call({"cmd": "clear_sim"})

    def sent(self, since=None):
        """Every PDU received with AT+CMGS (at or after since), decoded:
        [{t, pdu, length, ok, error, mr, number, text, coding, concat,
        decode_error}]."""
        return self.call({"cmd": "sent", "since": since})["sent"]

    def sent_messages(self, since=None):
        """Accepted sends joined per message: [{number, text, parts, t}],
        parts of one concatenated message (same number and reference)
        put together in part order; t is the time of the last part."""
        groups, order = {}, []
        for e in self.sent(since):
            if not e["ok"]:
                continue
            c = e["concat"]
            key = (e["number"], c["ref"], c["total"]) if c else (id(e),)
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(e)
        out = []
        for key in order:
            parts = sorted(groups[key], key=lambda e: e["concat"]["part"] if e["concat"] else 0)
            out.append({"number": parts[0]["number"],
                        "text": join_utf16(p["text"] or "" for p in parts),
                        "parts": len(parts), "t": max(p["t"] for p in parts)})
        return out

    def commands(self, since=None):
        """Command lines received (at or after since): [{t, line, fault}];
        a PDU typed after the prompt shows as "<PDU n hex digits + Ctrl-Z>",
        ESC as "<ESC>"."""
        return self.call({"cmd": "commands", "since": since})["commands"]

    def urcs(self, since=None):
        """Unsolicited lines emitted (at or after since): [{t, line, sent}]."""
        return self.call({"cmd": "urcs", "since": since})["urcs"]

    def state(self):
        """Echo, +CMGF, +CNMI, +CMEE, charset, faults, resets."""
        return self.call({"cmd": "state"})

    def reset_logs(self):
        """Forget commands, urcs and sent."""
        self.call({"cmd": "reset_logs"})

    def fault(self, kind, **params):
        """Set a fault (see the module docstring); returns the reply."""
        return self.call(dict({"cmd": "fault", "kind": kind}, **params))

    def clear_fault(self, kind=None):
        """Clear one fault, or all of them."""
        self.call({"cmd": "clear_fault", "kind": kind})

    def wait_command(self, prefix, since=None, timeout=30.0):
        """The first command line starting with prefix (case-insensitive)
        logged at or after since; polls every 0.1 s, None after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for c in self.commands(since):
                if c["line"].upper().startswith(prefix.upper()):
                    return c
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    def gammurc(self, path=None, extra=""):
        """Write a gammurc for this modem (connection = at); returns its path."""
        path = path or os.path.join(self.dir, "gammurc")
        with open(path, "w") as f:
            f.write("[gammu]\ndevice = %s\nconnection = at\n%s" % (self.device, extra))
        return path


if __name__ == "__main__":
    sys.exit(main())
