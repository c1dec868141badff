"""test_modemsim.py: the simulated GSM modem (tests/modemsim.py).

Two kinds of checks:

- pure ones of the PDU helpers: SMS-DELIVER encoding and decoding round
  trips (GSM 7-bit with the extension table, UCS-2, concatenated parts,
  alphanumeric and national senders), splitting, SMS-SUBMIT decoding, and
  two published example PDUs;
- the simulator against the real `gammu` CLI (libGammu's AT driver over the
  pty), for both identities: identify, getallsms and geteachsms of stored
  messages, deletesms, sendsms of a short and of a long UCS-2 text decoded
  back by the simulator, the cms_error and hang faults, kill + restart on the
  same link path (under a connected gammu), Huawei ^RSSI/^BOOT junk (which
  libGammu filters); one test shows libGammu's off-by-one location in the
  incoming-SMS callback of the Huawei E173 (+CMTI: "SM",1 makes it read
  AT+CMGR=0);
- the simulator straight on the pty (a small AT client here): echo, +CMTI, a
  full SIM, +CMGS and ESC, read status, the sim_full, corrupt_pdu,
  garbage_ok, random, junk and hang faults, the AT+CFUN=1,1 reset.

A gammu run costs ~3.5-4.5 s (libGammu types its first commands one byte
per millisecond with a 0.4 s pause after each), so a test batches its gammu
commands in one run (`gammu -c RC batch -`) where it can.
"""

import datetime as _dt
import os
import select
import shutil
import subprocess
import tempfile
import time
import tty

from harness import Check
import modemsim
from modemsim import (ModemSim, PDUError, decode_deliver, decode_submit, deliver_pdu,
                      deliver_pdus, split_text, submit_pdu)

GAMMU = shutil.which("gammu") or "/usr/bin/gammu"
WIB = _dt.timezone(_dt.timedelta(hours=7))
WHEN = _dt.datetime(2026, 3, 14, 8, 5, 9, tzinfo=WIB)

GSM_TEXT = "HELPDESK printer rusak {lt 2} [r.3] ~ ^ | \\ € @£$ ÄÖÑÜ§¿äöñüà_Δ"
UCS2_TEXT = "Komputer ruang rapat mati total 😢, mohon dicek. Terima kasih — Disdik"
LONG_TEXT = " ".join("Kalimat nomor %02d dari laporan yang panjang sekali." % i
                     for i in range(1, 9))                   # 3 GSM parts
LONG_UCS2 = ("Laporan panjang: jaringan di kantor kecamatan putus sejak pagi 😢, mohon "
             "bantuan teknisi segera. Terima kasih atas perhatiannya — salam dari Dinas "
             "Pendidikan, lantai 2 ruang server. Ünïcödé ✓.")   # 3 UCS-2 parts


# ---------------------------------------------------------------------------
# Helpers

def gammu_env():
    return dict(os.environ, LC_ALL="C.UTF-8")


def gammu_popen(rc, args, **kw):
    """Start gammu in the background (the caller kills and reaps it)."""
    return subprocess.Popen([GAMMU, "-c", rc] + list(args), env=gammu_env(), **kw)


def gammu(rc, args, timeout=60, stdin=None):
    """Run gammu; returns (exit code or None on timeout, output, seconds).
    On timeout the process is killed (SIGKILL) and reaped."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([GAMMU, "-c", rc] + list(args), capture_output=True,
                           timeout=timeout, env=gammu_env(), input=stdin)
        out = (p.stdout + p.stderr).decode("utf-8", "replace")
        return p.returncode, out, time.monotonic() - t0
    except subprocess.TimeoutExpired as e:
        out = ((e.stdout or b"") + (e.stderr or b"")).decode("utf-8", "replace")
        return None, out, time.monotonic() - t0


def batch(rc, lines, timeout=60):
    """Several gammu commands in one connection (`gammu batch -`, the
    commands on stdin)."""
    return gammu(rc, ["batch", "-"], timeout, ("\n".join(lines) + "\n").encode())


def command_lines(sim, since=None):
    return [c["line"] for c in sim.commands(since)]


def wait_idle(sim, quiet, timeout):
    """Wait until the simulator got no command for `quiet` seconds (it
    answers at once, so the client then waits for nothing). False after
    timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cmds = sim.commands()
        if cmds and time.monotonic() - cmds[-1]["t"] >= quiet:
            return True
        time.sleep(0.1)
    return False


class AtPort:
    """A bare AT client on the simulator's pty (what a terminal program
    would do): write a command line, read until a final result code."""

    FINALS = (b"\r\nOK\r\n", b"ERROR\r\n", b"\r\nCOMMAND NOT SUPPORT\r\n")

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        self.buf = bytearray()

    def close(self):
        os.close(self.fd)

    def read_for(self, seconds, until=None, at_least=None):
        """Read for up to `seconds`, or until a byte string appears, or
        until at_least bytes came."""
        deadline = time.monotonic() + seconds
        while True:
            if until is not None and until in self.buf:
                break
            if at_least is not None and len(self.buf) >= at_least:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.buf += os.read(self.fd, 4096)
                except BlockingIOError:
                    pass
        out = bytes(self.buf)
        self.buf.clear()
        return out

    def cmd(self, line, timeout=3.0, raw_end=b"\r"):
        """Send a command; returns everything up to and including the final
        result code or the "> " prompt (or what came in timeout seconds)."""
        os.write(self.fd, line.encode("latin-1") + raw_end)
        deadline = time.monotonic() + timeout
        while not any(f in self.buf for f in self.FINALS) and b"+CMS ERROR" not in self.buf \
                and b"+CME ERROR" not in self.buf and not self.buf.endswith(b"\r\n> "):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.buf += os.read(self.fd, 4096)
                except BlockingIOError:
                    pass
        # give an error line its CR LF
        if b"ERROR" in self.buf and not self.buf.endswith(b"\r\n"):
            self.read_for(0.2, b"\r\n")
        out = bytes(self.buf)
        self.buf.clear()
        return out.decode("latin-1")


class World:
    """A temporary directory with one running simulator and a gammurc for
    it; close() stops the simulator and removes the directory."""

    def __init__(self, identity, sim_size=20):
        self.dir = tempfile.mkdtemp(prefix="hd-modemsim-%s-" % identity)
        self.sim = ModemSim(self.dir, identity=identity, sim_size=sim_size, seed=7)
        try:
            self.sim.start()
        except Exception:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.rc = self.sim.gammurc()

    def close(self):
        try:
            self.sim.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------
# Pure PDU checks

def test_pdu_gsm7():
    check = Check()
    # Published example (the "hellohello" SMS-DELIVER of many PDU tutorials).
    d = decode_deliver("07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37")
    check.eq(d["text"], "hellohello", "example deliver text")
    check.eq(d["smsc"], "+27381000015", "example deliver SMSC")
    check.eq(d["sender"], "27838890001", "example deliver sender (TOA 0xC8, national)")
    check.eq(d["time"].strftime("%y-%m-%d %H:%M:%S"), "99-03-29 15:16:59", "example deliver time")
    s = decode_submit("0011000B916407281553F80000AA0AE8329BFD4697D9EC37")
    check.eq((s["number"], s["text"], s["validity"], s["smsc"]),
             ("+46708251358", "hellohello", "AA", ""), "example submit")

    for sender in ("+6281234567890", "081234567890", "TELKOMSEL", "Info-123"):
        pdu = deliver_pdu(sender, GSM_TEXT, WHEN)
        d = decode_deliver(pdu)
        check.eq(d["sender"], sender, "sender round trip")
        check.eq(d["text"], GSM_TEXT, "GSM-7 text round trip (%s)" % sender)
        check.eq(d["coding"], "gsm7", "GSM text is sent as GSM-7")
        check.eq(d["time"], WHEN, "time stamp round trip")
    # septet count: every extension character is two septets
    data = bytes.fromhex(deliver_pdu("+628123", "{}[]~€", WHEN))
    ud_octets = (12 * 7 + 7) // 8
    check.eq(data[-ud_octets - 1], 12, "UDL counts 6 extension characters as 12 septets")
    check.eq(decode_deliver(deliver_pdu("+628123", "{}[]~€", WHEN))["text"], "{}[]~€",
             "extension characters round trip")
    # 8 septets fill 7 octets exactly, 7 leave a spare bit: '@' (0) must not appear
    for n in (7, 8, 15, 16, 160):
        t = ("abcdefg" * 30)[:n]
        check.eq(decode_deliver(deliver_pdu("+62812", t, WHEN))["text"], t, "length %d" % n)
    check.eq(modemsim.decode_timestamp(modemsim.encode_timestamp(
        _dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=_dt.timezone(-_dt.timedelta(hours=3,
                                                                             minutes=30))))),
        _dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=_dt.timezone(-_dt.timedelta(hours=3,
                                                                             minutes=30))),
        "negative time zone round trip")
    return check


def test_pdu_ucs2():
    check = Check()
    pdu = deliver_pdu("+628111", UCS2_TEXT, WHEN)
    d = decode_deliver(pdu)
    check.eq(d["coding"], "ucs2", "text with an emoji is sent as UCS-2 by itself")
    check.eq(d["text"], UCS2_TEXT, "UCS-2 round trip")
    d = decode_deliver(deliver_pdu("+628111", "plain ascii", WHEN, coding="ucs2"))
    check.eq((d["coding"], d["text"]), ("ucs2", "plain ascii"), "forced UCS-2")
    check.eq(d["dcs"], 0x08, "UCS-2 DCS")
    s = decode_submit(submit_pdu("+628111", UCS2_TEXT, smsc="+6281100000"))
    check.eq((s["number"], s["text"], s["coding"], s["smsc"]),
             ("+628111", UCS2_TEXT, "ucs2", "+6281100000"), "UCS-2 submit round trip")
    return check


def test_pdu_concat():
    check = Check()
    # sizes: 160 / 153 (8-bit ref) / 152 (16-bit ref) septets, 70 / 67 / 66 units
    check.eq([len(p) for p in split_text("a" * 160)[1]], [160], "160 GSM chars: one part")
    check.eq([len(p) for p in split_text("a" * 161)[1]], [153, 8], "161 GSM chars: 153 + 8")
    check.eq([len(p) for p in split_text("a" * 161, ref16=True)[1]], [152, 9],
             "16-bit reference: 152 + 9")
    parts = split_text("a" * 152 + "€" + "b" * 10)[1]
    check.eq([len(p) for p in parts], [152, 11], "an escape pair is not cut")
    check.eq(split_text("ä" * 70, "ucs2")[1], ["ä" * 70], "70 UCS-2 units: one part")
    check.eq([len(p) for p in split_text("ä" * 71, "ucs2")[1]], [67, 4], "71 units: 67 + 4")
    check.eq([len(p) for p in split_text("ä" * 71, "ucs2", ref16=True)[1]], [66, 5],
             "16-bit reference: 66 + 5")
    parts = split_text("x" * 66 + "😀" + "y" * 10)[1]
    check.eq([modemsim.ucs2_units(p) for p in parts], [66, 12], "a surrogate pair is not cut")

    for text, ref16 in ((LONG_TEXT, False), (LONG_TEXT, True), (LONG_UCS2, False),
                        (LONG_UCS2, True)):
        pdus = deliver_pdus("+628222", text, WHEN, ref=0x1234 if ref16 else 0x42, ref16=ref16)
        ds = [decode_deliver(p) for p in pdus]
        check.eq(len(pdus), 3, "3 parts (%s, ref16=%s)" % (ds[0]["coding"], ref16))
        check.eq([d["concat"]["part"] for d in ds], [1, 2, 3], "part numbers")
        check.eq({d["concat"]["total"] for d in ds}, {3}, "total parts")
        check.eq({d["concat"]["ref"] for d in ds}, {0x1234 if ref16 else 0x42}, "reference")
        check.eq("".join(d["text"] for d in ds), text, "parts join to the text")
    # SMS-SUBMIT with UDH: GSM-7 fill bits (6-octet UDH: 1 fill bit; 7 octets: none)
    for ref16 in (False, True):
        for coding, text in (("gsm7", "Bagian {dua} dari tiga €"), ("ucs2", "Bagian 😀 dua")):
            s = decode_submit(submit_pdu("+6281", text, coding, concat=(200, 2, 3),
                                         ref16=ref16))
            check.eq((s["text"], s["coding"], s["concat"]),
                     (text, coding, {"ref": 200, "total": 3, "part": 2}),
                     "submit with concatenation UDH (%s, ref16=%s)" % (coding, ref16))
    # 8-bit data (DCS 0x04) with a UDH, built by hand
    ud = bytes([5, 0, 3, 9, 2, 1]) + b"\x01\x02\xff"
    pdu = "00" + (bytes([0x51, 0, 4, 0x81]) + bytes.fromhex("2143") + bytes([0, 4, 0xA7, len(ud)])
                  + ud).hex()
    s = decode_submit(pdu)
    check.eq((s["coding"], s["data"], s["concat"], s["number"]),
             ("8bit", "0102FF", {"ref": 9, "total": 2, "part": 1}, "1234"), "8-bit submit")
    # a split surrogate pair is mended when parts are joined
    check.eq(modemsim.join_utf16(["ab\ud83d", "\ude00cd"]), "ab😀cd", "join_utf16")
    return check


def test_pdu_errors():
    check = Check()
    good = deliver_pdu("+628123", "Halo apa kabar", WHEN)
    for mode in ("truncate", "udl"):
        bad = modemsim.corrupt_pdu(good, mode)
        try:
            decode_deliver(bad)
            check(False, "corrupt_pdu %s should not decode" % mode)
        except PDUError:
            pass
    for bad in ("", "00", "0011000B91", "zz", "07917283010010F504"):
        try:
            decode_submit(bad)
            check(False, "decode_submit(%r) should fail" % bad)
        except PDUError:
            pass
    try:
        decode_submit(good)
        check(False, "a DELIVER is not a SUBMIT")
    except PDUError:
        pass
    try:
        split_text("Ω😀", "gsm7")
        check(False, "an emoji cannot be GSM-7")
    except ValueError:
        pass
    return check


# ---------------------------------------------------------------------------
# With gammu

IDENT_OUT = {
    "huawei": ["Manufacturer         : Huawei", "Model                : E173 (E173)",
               "Firmware             : 11.126.16.04.00", "SIM IMSI             : 510101234567890"],
    "sim800": ["Manufacturer         : SIMCOM_Ltd", "(SIMCOM_SIM800)",
               "Firmware             : Revision:1418B04SIM800L24"],
}


def test_read_delete(identity):
    def run():
        check = Check()
        with World(identity) as w:
            sim = w.sim
            first = sim.first_index
            check.eq(sim.add_sms("+628123456789", GSM_TEXT, WHEN), first, "first index")
            sim.add_sms("081298765432", UCS2_TEXT, WHEN)
            idx = sim.add_multipart("+628111222333", LONG_TEXT, WHEN, ref=77)
            check.eq(idx, [first + 2, first + 3, first + 4], "3 parts in the next slots")
            sim.add_sms("TELKOMSEL", "Sisa pulsa Anda Rp 5.000", WHEN)
            rc, out, secs = batch(w.rc, ["identify", "getallsms", "geteachsms",
                                         "deletesms 1 1 6"])
            check.eq(rc, 0, "gammu batch exit code; output %r" % out[-600:])
            ident = IDENT_OUT[identity]
            for want in ident:
                check(want in out, "identify shows %r" % want)
            for want in ('Remote number        : "+628123456789"', GSM_TEXT,
                         'Remote number        : "081298765432"', UCS2_TEXT,
                         'Remote number        : "+628111222333"',
                         'Remote number        : "TELKOMSEL"', "Sisa pulsa Anda Rp 5.000",
                         "Coding               : Unicode (no compression)",
                         "ID (8 bit) 77, part 3 of 3", LONG_TEXT):
                check(want in out, "gammu output has %r" % want)
            # getallsms lists 6 parts, geteachsms 4 messages (the 3 parts joined)
            check("6 SMS parts in 6 SMS sequences" in out, "getallsms: 6 parts")
            check("6 SMS parts in 4 SMS sequences" in out, "geteachsms: 4 messages")
            check.eq(sim.sim(), [], "SIM empty after deletesms 1 1 6")
            lines = command_lines(sim)
            check("AT+CMGL=4" in lines, "messages listed with AT+CMGL=4")
            check.eq([ln for ln in lines if ln.startswith("AT+CMGD=")],
                     ["AT+CMGD=%d" % i for i in range(first, first + 6)],
                     "each location deleted (locations from %d)" % first)
            check.note("%s read/delete batch: %.1f s" % (identity, secs))
        return check
    return run


def test_send(identity):
    def run():
        check = Check()
        with World(identity) as w:
            sim = w.sim
            rc, out, secs = batch(w.rc, [
                'sendsms TEXT +628123456 -text "HELPDESK test"',
                'sendsms TEXT 081234567 -unicode -autolen 600 -text "%s"' % LONG_UCS2,
            ])
            check.eq(rc, 0, "gammu batch exit code; output %r" % out[-600:])
            msgs = sim.sent_messages()
            check.eq([(m["number"], m["text"], m["parts"]) for m in msgs],
                     [("+628123456", "HELPDESK test", 1), ("081234567", LONG_UCS2, 3)],
                     "what the simulator decoded")
            sent = sim.sent()
            check.eq([e["coding"] for e in sent], ["gsm7", "ucs2", "ucs2", "ucs2"], "codings")
            check(all(e["ok"] and e["decode_error"] is None for e in sent), "all accepted")
            refs = {e["concat"]["ref"] for e in sent[1:]}
            check.eq(len(refs), 1, "one reference for the 3 parts")
            check("message reference=" in out, "gammu reports the reference")
            lines = command_lines(sim)
            check.eq([ln for ln in lines if ln.startswith("AT+CMGS=")],
                     ["AT+CMGS=%d" % e["length"] for e in sent], "AT+CMGS lengths")
            check("AT+CSCA?" in lines, "SMSC asked with AT+CSCA?")
            check.note("%s send batch: %.1f s" % (identity, secs))
        return check
    return run


def test_cms_error(identity):
    def run():
        check = Check()
        with World(identity) as w:
            sim = w.sim
            sim.fault("cms_error", code=500)
            rc, out, _ = gammu(w.rc, ["sendsms", "TEXT", "+628123", "-text", "HELPDESK satu"])
            check(rc not in (0, None), "sendsms fails under cms_error (exit %r)" % rc)
            check("error 500" in out, "gammu reports error 500: %r" % out[-300:])
            check.eq([e["ok"] for e in sim.sent()], [False], "send logged as refused")
            sim.clear_fault("cms_error")
            rc, out, _ = gammu(w.rc, ["sendsms", "TEXT", "+628123", "-text", "HELPDESK dua"])
            check.eq(rc, 0, "sendsms works once cleared: %r" % out[-300:])
            check.eq([m["text"] for m in sim.sent_messages()], ["HELPDESK dua"], "sent after")
        return check
    return run


def test_hang_one_command(identity, command, args):
    """gammu reaches the hung command and is still waiting 3 s later (its
    own timeouts are 20 s to minutes); it is killed. Once the fault is
    cleared the next gammu run works."""
    def run():
        check = Check()
        with World(identity) as w:
            sim = w.sim
            sim.add_sms("+628123", "Halo", WHEN)
            sim.fault("hang", command=command)
            p = gammu_popen(w.rc, args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
            try:
                check(sim.wait_command(command, timeout=30) is not None,
                      "gammu %s reaches %s" % (args[0], command))
                time.sleep(3)
                check.eq(p.poll(), None, "gammu %s still waits on %s" % (args[0], command))
            finally:
                p.kill()
                p.wait()
            hung = [c for c in sim.commands() if c["fault"] == "hang"]
            check.eq([c["line"].split("=")[0] for c in hung], [command],
                     "only %s hung" % command)
            sim.clear_fault("hang")
            t = time.monotonic()
            rc, out, _ = gammu(w.rc, ["getallsms"], timeout=30)
            check.eq(rc, 0, "next gammu run works: %r" % out[-300:])
            check("Halo" in out, "message read after the hang")
            check(not [c for c in sim.commands(t) if c["fault"]], "no fault after clearing")
        return check
    return run


def test_junk_urcs():
    """Huawei sticks emit ^RSSI/^BOOT lines unless told otherwise; libGammu
    filters those (its list of special answers), so they do no harm."""
    check = Check()
    with World("huawei") as w:
        w.sim.add_sms("+628123", "Halo dari junk", WHEN)
        w.sim.fault("junk", interval=0.3, lines=["^RSSI:17", "^BOOT:27710117,0,0,0,75"])
        rc, out, secs = gammu(w.rc, ["getallsms"], timeout=30)
        check.eq(rc, 0, "getallsms with ^RSSI/^BOOT junk: %r" % out[-300:])
        check("Halo dari junk" in out, "message read")
        check(len(w.sim.urcs()) == 0, "junk is not logged as an indication")
    return check


def test_kill_restart(identity):
    def run():
        check = Check()
        with World(identity) as w:
            sim = w.sim
            old_pty = os.readlink(sim.device)
            sim.add_sms("+628123", "sebelum", WHEN)
            # the modem vanishes under a connected gammu
            p = gammu_popen(w.rc, ["monitor"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
            try:
                # Between two monitor rounds gammu idles for a few seconds;
                # libGammu notices the vanished device at its next write.
                # (Killed while a command is in flight, it first waits for
                # that command's timeout: 8 s for AT+CSCS, more for others.)
                check(sim.wait_command("AT+COPS?", timeout=20) is not None,
                      "gammu monitor connected")
                check(wait_idle(sim, 0.5, 15), "gammu idles between monitor rounds")
                sim.kill()
                t = time.monotonic()
                out = p.communicate(timeout=10)[0].decode("utf-8", "replace")
                gone = time.monotonic() - t
                check(p.returncode != 0, "gammu ends with an error (exit %r)" % p.returncode)
                check("Error writing to the device" in out, "write error: %r" % out[-200:])
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                gone = None
                check(False, "gammu still runs 10 s after the modem vanished")
            check(os.path.islink(sim.device), "the link stays after SIGKILL")
            rc, out, secs = gammu(w.rc, ["identify"], timeout=40)
            check(rc not in (0, None), "gammu fails while the modem is gone (exit %r)" % rc)
            sim.restart()
            check(os.path.islink(sim.device), "link replaced")
            check.eq(sim.sim(), [], "a new modem has an empty SIM")
            sim.add_sms("+628123", "sesudah", WHEN)
            rc, out, _ = gammu(w.rc, ["getallsms"], timeout=30)
            check.eq(rc, 0, "gammu works again after restart: %r" % out[-300:])
            check("sesudah" in out and "sebelum" not in out, "reads the new modem")
            check.note("%s: old pty %s, new %s; connected gammu stopped %s after the "
                       "kill; gammu on the dead link failed in %.1f s"
                       % (identity, old_pty, os.readlink(sim.device),
                          "%.1f s" % gone if gone is not None else "not within 10 s", secs))
            sim.stop()
            check(not os.path.lexists(sim.device), "SIGTERM removes the link")
            check(not os.path.exists(sim.control_path), "SIGTERM removes the socket")
        return check
    return run


def test_cmti_off_by_one():
    """gammu monitor enables +CNMI; a new message gives +CMTI: "SM",<idx>
    and libGammu's callback reads location idx, which for the E173
    (F_SMS_LOCATION_0) is AT index idx-1: the previous message."""
    check = Check()
    with World("huawei") as w:
        sim = w.sim
        sim.add_sms("+628100", "pesan lama", WHEN)
        p = gammu_popen(w.rc, ["monitor"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            cnmi = sim.wait_command("AT+CNMI=2,1", timeout=20)
            check(cnmi is not None, "gammu monitor sends AT+CNMI=2,1,...")
            idx = sim.add_sms("+628200", "pesan baru", WHEN)
            check.eq(idx, 1, "new message at index 1")
            urc = [u for u in sim.urcs() if u["line"].startswith("+CMTI")]
            check.eq([u["line"] for u in urc], ['+CMTI: "SM",1'], "+CMTI emitted")
            read = sim.wait_command("AT+CMGR=", since=urc[0]["t"] if urc else None,
                                    timeout=15)
            check(read is not None, "gammu reads the new message")
            if read:
                check.eq(read["line"], "AT+CMGR=0", "libGammu reads index 0 for +CMTI 1")
                check.note("+CMTI to AT+CMGR: %.2f s" % (read["t"] - urc[0]["t"]))
        finally:
            p.send_signal(2)                # SIGINT: monitor leaves cleanly
            try:
                out = p.communicate(timeout=15)[0].decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                p.kill()
                out = p.communicate()[0].decode("utf-8", "replace")
        check("SMS message received" in out, "monitor saw the incoming SMS")
        check("pesan lama" in out, "...and printed the previous message (off by one)")
    return check


# ---------------------------------------------------------------------------
# Straight on the pty

def test_pty_sms(identity):
    """+CMTI, a full SIM, +CMGS on it, ESC, sim_full, read status, empty and
    out-of-range slots, corrupt_pdu, +CMGL."""
    def run():
        check = Check()
        with World(identity, sim_size=3) as w:
            sim = w.sim
            first = sim.first_index
            port = AtPort(sim.device)
            try:
                r = port.cmd("AT+CNMI=2,1,0,2,0")
                check.eq(r, "AT+CNMI=2,1,0,2,0\r\r\nOK\r\n", "echo then OK")
                i = sim.add_sms("+628123", "satu", WHEN)
                got = port.read_for(3.0, b'"SM",%d\r\n' % i)
                check.eq(got, b'\r\n+CMTI: "SM",%d\r\n' % i, "+CMTI for the new message")
                sim.add_sms("+628123", "dua", WHEN)
                last = sim.add_sms("+628123", "tiga", WHEN)
                port.read_for(3.0, b'"SM",%d\r\n' % last)
                r = sim.try_add_pdu(deliver_pdu("+628123", "empat", WHEN))
                check(not r["ok"] and r.get("full"), "fourth message refused: %r" % r)
                huawei = identity == "huawei"
                got = port.read_for(3.0, b'"SM"\r\n') if huawei else port.read_for(0.5)
                want = b'\r\n^SMMEMFULL: "SM"\r\n' if huawei else b""
                check.eq(got, want, "full SIM indication")
                r = port.cmd('AT+CPMS="SM","SM"')
                check("+CPMS: 3,3,3,3,3,3" in r, "CPMS full: %r" % r)
                # AT+CMGS still works on a full SIM
                pdu = submit_pdu("+628999", "kirim walau penuh", smsc="")
                r = port.cmd("AT+CMGS=%d" % (len(pdu) // 2 - 1), timeout=1.0)
                check(r.endswith("\r\n> "), "prompt: %r" % r)
                r = port.cmd(pdu, raw_end=b"\x1a")
                check("+CMGS: " in r and r.endswith("OK\r\n"), "sent on a full SIM: %r" % r)
                check.eq(sim.sent_messages()[-1]["text"], "kirim walau penuh", "decoded")
                # ESC cancels
                port.cmd("AT+CMGS=20", timeout=1.0)
                r = port.cmd("0011", raw_end=b"\x1b")
                check.eq(len(sim.sent()), 1, "ESC sends nothing")
                # sim_full fault
                sim.delete(first)
                r = port.cmd('AT+CPMS="SM"')
                check("+CPMS: 2,3" in r, "one slot free: %r" % r)
                sim.fault("sim_full")
                r = port.cmd('AT+CPMS="SM"')
                check("+CPMS: 3,3" in r, "sim_full reports used == total: %r" % r)
                check(not sim.try_add_pdu(deliver_pdu("+62", "x", WHEN))["ok"],
                      "sim_full refuses messages")
                sim.clear_fault("sim_full")
                if huawei:
                    port.read_for(3.0, b'"SM"\r\n')       # its ^SMMEMFULL
                # reading turns REC UNREAD into REC READ
                r = port.cmd("AT+CMGR=%d" % (first + 1))
                check(r.startswith("AT+CMGR=%d\r\r\n+CMGR: 0,," % (first + 1)),
                      "unread at first: %r" % r)
                pdu_line = r.split("\r\n")[2]
                check.eq(decode_deliver(pdu_line)["text"], "dua", "CMGR PDU decodes")
                r = port.cmd("AT+CMGR=%d" % (first + 1))
                check("+CMGR: 1,," in r, "read afterwards")
                r = port.cmd("AT+CMGR=%d" % first)
                check.eq(r, "AT+CMGR=%d\r\r\nOK\r\n" % first, "empty slot: OK alone")
                r = port.cmd("AT+CMGR=%d" % (first + 7))
                check("+CMS ERROR: 321" in r, "index out of range: %r" % r)
                # corrupt_pdu: framing right, content wrong
                rep = sim.fault("corrupt_pdu", index=first + 2, mode="truncate")
                check.eq(rep.get("index"), first + 2, "corrupt_pdu reply names the index")
                r = port.cmd("AT+CMGR=%d" % (first + 2))
                head, pdu_line = r.split("\r\n")[1], r.split("\r\n")[2]
                length = int(head.rsplit(",", 1)[1])
                smsc_len = modemsim.decode_smsc(bytes.fromhex(pdu_line))[1]
                check.eq(len(pdu_line) // 2 - smsc_len, length, "length matches the corrupt hex")
                try:
                    decode_deliver(pdu_line)
                    check(False, "corrupt PDU decoded")
                except PDUError:
                    pass
                sim.clear_fault("corrupt_pdu")
                r = port.cmd("AT+CMGL=4")
                check.eq(r.count("+CMGL:"), 2, "CMGL lists 2 messages: %r" % r)
            finally:
                port.close()
        return check
    return run


def test_pty_faults(identity):
    """garbage_ok, random, junk, hang (one command, all), echo, reset."""
    def run():
        check = Check()
        with World(identity) as w:
            sim = w.sim
            first = sim.first_index
            sim.add_sms("+628123", "satu", WHEN)
            sim.add_sms("+628123", "dua", WHEN)
            port = AtPort(sim.device)
            try:
                # garbage_ok: CMGD answers OK but deletes nothing
                sim.fault("garbage_ok")
                r = port.cmd("AT+CMGD=%d" % (first + 1))
                check(r.endswith("\r\nOK\r\n") and len(r) > len("AT+CMGD=1\r\r\nOK\r\n") + 4,
                      "garbage then OK: %r" % r)
                check.eq(len(sim.sim()), 2, "garbage_ok CMGD deleted nothing")
                sim.clear_fault("garbage_ok")
                # random: no echo, no OK, random bytes
                sim.fault("random")
                os.write(port.fd, b"AT+CSQ\r")
                got = port.read_for(3.0, at_least=4)
                check(got and b"AT+CSQ" not in got and not got.endswith(b"OK\r\n"),
                      "random bytes instead of a reply: %r" % got)
                sim.clear_fault("random")
                # junk every 0.1 s
                sim.fault("junk", interval=0.1, lines=["^RSSI:9", ""])
                got = port.read_for(1.5)
                check(got.count(b"^RSSI:9") >= 2, "junk lines: %r" % got)
                sim.clear_fault("junk")
                port.read_for(0.3)
                check.eq(port.read_for(0.5), b"", "junk stops when cleared")
                # hang on one command: echoed, not answered; others answered
                sim.fault("hang", command="AT+CSQ")
                r = port.cmd("AT+CSQ", timeout=1.0)
                check.eq(r, "AT+CSQ\r", "hung command echoed only")
                r = port.cmd("AT+CGMI")
                check(r.endswith("OK\r\n"), "other commands answered: %r" % r)
                sim.fault("hang")
                r = port.cmd("AT", timeout=0.7)
                check.eq(r, "", "global hang: silence")
                sim.clear_fault()
                r = port.cmd("ATE0")
                check.eq(r, "ATE0\r\r\nOK\r\n", "ATE0 echoed")
                r = port.cmd("AT")
                check.eq(r, "\r\nOK\r\n", "no echo after ATE0")
                check.eq(sim.state()["faults"], {}, "no fault left")
                # AT+CFUN=1,1 restarts the modem: settings reset, boot lines later
                port.cmd("AT+CNMI=2,1,0,2,0")
                r = port.cmd("AT+CFUN=1,1")
                check.eq(r, "\r\nOK\r\n", "reset acknowledged")
                st = sim.state()
                check.eq((st["cnmi"], st["echo"], st["resets"]), ([0] * 5, True, 1),
                         "power-on settings after the reset")
                boot = modemsim.IDENTITIES[identity]["boot"]
                got = port.read_for(3.0, boot[-1].encode() + b"\r\n").decode("latin-1")
                check.eq(got, "".join("\r\n%s\r\n" % ln for ln in boot), "boot lines")
                check.eq(len(sim.sim()), 2, "the SIM survives the reset")
            finally:
                port.close()
        return check
    return run


def tests(pattern=None):
    out = [
        ("modemsim/pdu_gsm7", test_pdu_gsm7),
        ("modemsim/pdu_ucs2", test_pdu_ucs2),
        ("modemsim/pdu_concat", test_pdu_concat),
        ("modemsim/pdu_errors", test_pdu_errors),
    ]
    for ident in ("huawei", "sim800"):
        out += [
            ("modemsim/%s/pty_sms" % ident, test_pty_sms(ident)),
            ("modemsim/%s/pty_faults" % ident, test_pty_faults(ident)),
            ("modemsim/%s/read_delete" % ident, test_read_delete(ident)),
            ("modemsim/%s/send" % ident, test_send(ident)),
            ("modemsim/%s/cms_error" % ident, test_cms_error(ident)),
            ("modemsim/%s/kill_restart" % ident, test_kill_restart(ident)),
        ]
    out += [
        ("modemsim/huawei/hang_cmgl", test_hang_one_command("huawei", "AT+CMGL", ["getallsms"])),
        ("modemsim/sim800/hang_cmgs", test_hang_one_command(
            "sim800", "AT+CMGS", ["sendsms", "TEXT", "+628123", "-text", "x"])),
        ("modemsim/huawei/junk_urcs", test_junk_urcs),
        ("modemsim/huawei/cmti_off_by_one", test_cmti_off_by_one),
    ]
    return out
