"""test_report.py: helpdeskctl report, the monthly/yearly recap.

No daemon runs: helpdeskctl creates and migrates the database, the test
seeds a hand-made November 2026 directly with sqlite3 and checks every
figure of the four forms (terminal text, CSV, JSON, HTML) against values
worked out by hand below. The HTML page is also rendered by headless
Chromium and the screenshot checked.

helpdeskctl runs with TZ=Asia/Jakarta (UTC+7, no DST) and its clock set
to NOW with HELPDESKD_NOW, so the figures that depend on "now" (open
tickets already breached, the open pending spell) are fixed.
"""

import csv
import datetime
import html.parser
import io
import json
import os
import sqlite3
import struct
import subprocess
import zlib

from harness import Check, TestEnv, ctl

TZ = "Asia/Jakarta"
WIB = datetime.timezone(datetime.timedelta(hours=7))
MIN = 60 * 1000
HOUR = 60 * MIN
CHROMIUM = "/usr/bin/chromium"
NOW = "2026-12-05T10:00:00"     # the report's "now" (HELPDESKD_NOW, local time)


def at(day, hh=0, mm=0, month=11, ss=0, ms=0):
    """Epoch ms of 2026-MONTH-DAY HH:MM:SS.ms in Jakarta."""
    d = datetime.datetime(2026, month, day, hh, mm, ss, tzinfo=WIB)
    return int(d.timestamp()) * 1000 + ms


def run(check, env, args, want_code=0):
    p = ctl(env, *args, timeout=60)
    what = "helpdeskctl " + " ".join(args)
    check(p.returncode == want_code, "%s: exit %d, want %d; stderr %r"
          % (what, p.returncode, want_code, p.stderr[-400:]))
    check(not p.sanitizer, "%s: sanitizer report: %s" % (what, p.sanitizer[:5]))
    return p


# ---------------------------------------------------------------------------
# Seeding

CONTACTS = [  # id, name, phone, role
    (1, "Rina Admin", "+628110000001", "admin"),
    (2, "Budi Santoso", "+628110000002", "technician"),
    (3, "Agus Wibowo", "+628110000003", "technician"),
    (4, "Dewi Lestari", "+628110000004", "technician"),
]
BUDI, AGUS, DEWI = 2, 3, 4

T11_TEXT = ("Aplikasi SIMDA keuangan tidak bisa dibuka sejak pagi,\n"
            "muncul pesan error koneksi database di semua komputer")
T12_TEXT = 'Server <SIMPEG> & "e-Kinerja" down, tidak bisa login'


def seed(env, tickets, pauses=(), escalations=()):
    """Insert contacts, tickets (dicts), pauses (ticket, start, end, hardware)
    and escalations (ticket, kind, at). Ticket ids are 1.. in list order."""
    con = sqlite3.connect(env.db_path, timeout=10)
    with con:
        for cid, name, phone, role in CONTACTS:
            con.execute("INSERT INTO contacts (id, name, phone, skpd, role, created_at, updated_at)"
                        " VALUES (?, ?, ?, 'Diskominfo', ?, 0, 0)", (cid, name, phone, role))
        for i, t in enumerate(tickets, 1):
            row = {"id": i, "number": "HD-2611-%04d" % i, "reporter": "+62812000%05d" % i,
                   "updated_at": t["created_at"], "text": "Laporan nomor %d" % i}
            row.update(t)
            cols = ",".join(row)
            con.execute("INSERT INTO tickets (%s) VALUES (%s)" % (cols, ",".join("?" * len(row))),
                        list(row.values()))
            con.execute("INSERT INTO events (ticket_id, at, actor, channel, kind) VALUES (?, ?,"
                        " 'helpdeskd', 'daemon', 'created')", (i, t["created_at"]))
        for tid, start, end, hw in pauses:
            con.execute("INSERT INTO pauses (ticket_id, started_at, ended_at, reason, hardware)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (tid, start, end, "menunggu perangkat keras" if hw else "menunggu user", hw))
        for tid, kind, when in escalations:
            con.execute("INSERT INTO escalations (ticket_id, kind, at) VALUES (?, ?, ?)",
                        (tid, kind, when))
    con.close()


def tk(created, channel, priority, category, skpd, status, assignee, fr=None, res=None,
       closed=None, text=None):
    t = {"created_at": created, "channel": channel, "priority": priority, "category": category,
         "skpd": skpd, "status": status, "assignee_id": assignee, "first_response_at": fr,
         "resolved_at": res, "closed_at": closed}
    if text:
        t["text"] = text
    return t


# November 2026: the 1st is a Sunday. Calendar clock: first response 30m;
# resolution low/normal 5d = 120h, high 1d = 24h, emergency 2h.
NOV = [
    # T1 at the very start of the period: response 20m met; resolution 3h met
    tk(at(1), "sms", "normal", "jaringan", "Dinas Pendidikan", "closed", BUDI,
       at(1, 0, 20), at(1, 3), at(1, 4)),
    # T2 response 10m; resolution Nov 2 09:00 -> Nov 3 12:00 = 27h > 24h: breached
    tk(at(2, 9), "email", "high", "jaringan", "BPKAD", "resolved", BUDI, at(2, 9, 10), at(3, 12)),
    # T3 response 5m; resolution 1h30m <= 2h: met
    tk(at(3, 8), "phone", "emergency", "aplikasi", "Dinas Kesehatan", "closed", AGUS,
       at(3, 8, 5), at(3, 9, 30), at(3, 10)),
    # T4 response 25m; 120h with a 72h hardware wait -> 48h: met
    tk(at(4, 10), "sms", "normal", "hardware", "Dinas Pendidikan", "closed", AGUS,
       at(4, 10, 25), at(9, 10), at(9, 11)),
    # T5 response 45m: breached; resolution 24h <= 120h: met
    tk(at(5, 13), "sms", "low", "aplikasi", "Kecamatan Juwana", "resolved", DEWI,
       at(5, 13, 45), at(6, 13)),
    # T6 response 15m; open since Nov 6 08:00, more than 120h ago: open, breached
    tk(at(6, 8), "email", "normal", "jaringan", "BPKAD", "open", BUDI, at(6, 8, 15)),
    # T7 response 29m; pending since Nov 10 16:00 (open spell): 2h counted, running
    tk(at(10, 14), "sms", "high", "email", "Sekretariat DPRD", "pending", DEWI, at(10, 14, 29),
       text="Email dinas tidak bisa kirim lampiran"),
    # T8 rejected: response 5m; no resolution clock
    tk(at(12, 9), "phone", "normal", "printer", "", "rejected", None, at(12, 9, 5)),
    # T9 new, unassigned, no response; created Nov 15 10:00, > 120h ago: open, breached
    tk(at(15, 10), "sms", "normal", "", "Dinas Kesehatan", "new", None,
       text="Komputer\tloket pelayanan mati total"),
    # T10 response 60m: breached; 120h with a 48h wait (not hardware) -> 72h: met
    tk(at(16, 11), "email", "low", "hardware", "Kecamatan Juwana", "closed", AGUS,
       at(16, 12), at(21, 11), at(21, 12), text="Monitor ruang arsip berkedip"),
    # T11 response 20m; resolution 8h: met
    tk(at(18, 8, 30), "sms", "normal", "aplikasi", "Dinas Kesehatan", "resolved", DEWI,
       at(18, 8, 50), at(18, 16, 30), text=T11_TEXT),
    # T12 response 3m; resolution 3h > 2h: breached
    tk(at(19, 7), "email", "emergency", "jaringan", "Sekretariat DPRD", "closed", BUDI,
       at(19, 7, 3), at(19, 10), at(19, 11), text=T12_TEXT),
    # Outside the period, one on each side: 1 ms before the start, at the end.
    tk(at(1) - 1, "phone", "normal", "printer", "BPKAD", "new", BUDI, at(1, 1)),
    tk(at(1, month=12), "phone", "high", "printer", "BPKAD", "closed", BUDI,
       at(1, 0, 10, month=12), at(1, 1, month=12), at(1, 2, month=12)),
]
NOV_PAUSES = [(4, at(4, 12), at(7, 12), 1), (10, at(17, 9), at(19, 9), 0), (7, at(10, 16), None, 0)]
NOV_ESC = [(2, "resolution", at(3, 9)), (6, "resolution", at(11, 8)), (6, "leadership", at(11, 8)),
           (12, "resolution", at(19, 9)), (5, "first_response", at(5, 13, 30)),
           (10, "first_response", at(16, 11, 30)), (9, "resolution", at(20, 10)),
           (13, "resolution", at(6, 0))]   # T13 is outside the period

# Response times (11 tickets; T9 has none), minutes:
#   20 10 5 25 45 15 29 5 60 20 3 -> sum 237, mean 237/11 = 21.545m
#   = 1292727 ms -> 1293 s ("22m"); sorted 3 5 5 10 15 20 20 25 29 45 60,
#   p90 index ceil(9.9) - 1 = 9 -> 45m = 2700 s; met (<= 30m): 9/11 = 81.8 %.
# Resolution times (8 resolved), minutes:
#   T1 180, T2 1620, T3 90, T4 2880, T5 1440, T10 4320, T11 480, T12 180
#   -> sum 11190, mean 1398.75m = 83925 s ("23h 19m"); p90 index
#   ceil(7.2) - 1 = 7 -> 4320m = 259200 s ("3d").
EXP_JSON = {
    "total": 12,
    "by_channel": {"sms": 6, "email": 4, "phone": 2},
    "by_status": {"new": 1, "open": 1, "pending": 1, "resolved": 3, "closed": 5, "rejected": 1},
    "by_priority": {"low": 2, "normal": 6, "high": 2, "emergency": 2},
    # count desc, then name: "(none)" sorts before letters
    "by_category": [{"category": "jaringan", "count": 4}, {"category": "aplikasi", "count": 3},
                    {"category": "hardware", "count": 2}, {"category": "(none)", "count": 1},
                    {"category": "email", "count": 1}, {"category": "printer", "count": 1}],
    "by_skpd": [{"skpd": "Dinas Kesehatan", "count": 3}, {"skpd": "BPKAD", "count": 2},
                {"skpd": "Dinas Pendidikan", "count": 2}, {"skpd": "Kecamatan Juwana", "count": 2},
                {"skpd": "Sekretariat DPRD", "count": 2}, {"skpd": "(unknown)", "count": 1}],
    "first_response": {"count": 11, "mean_s": 1293, "p90_s": 2700, "target_s": 1800, "met": 9,
                       "compliance_pct": 81.8},
    "resolution": {"count": 8, "mean_s": 83925, "p90_s": 259200},
    # low: T5, T10 met; normal: T1, T4, T11 met, T6 and T9 open and breached
    # (T8 rejected: no clock); high: T2 breached, T7 running (2h of 24h);
    # emergency: T3 met, T12 breached.
    "sla_by_priority": {
        "low": {"target_s": 432000, "met": 2, "breached": 0, "compliance_pct": 100.0,
                "open_breached": 0},
        "normal": {"target_s": 432000, "met": 3, "breached": 0, "compliance_pct": 100.0,
                   "open_breached": 2},
        "high": {"target_s": 86400, "met": 0, "breached": 1, "compliance_pct": 0.0,
                 "open_breached": 0},
        "emergency": {"target_s": 7200, "met": 1, "breached": 1, "compliance_pct": 50.0,
                      "open_breached": 0}},
    # Agus: T3 90 + T4 2880 + T10 4320 = 7290m / 3 = 2430m = 145800 s; esc T10
    # Budi: T1 180 + T2 1620 + T12 180 = 1980m / 3 = 660m = 39600 s; breaches
    #   T2, T6, T12; escalations T2, T6 x2, T12 (T13, outside, not counted)
    # Dewi: T5 1440 + T11 480 = 1920m / 2 = 960m = 57600 s; esc T5
    # unassigned: T8 (rejected), T9 (open, breached, one escalation)
    "technicians": [
        {"name": "Agus Wibowo", "contact_id": AGUS, "assigned": 3, "resolved": 3,
         "mean_resolution_s": 145800, "breaches": 0, "escalations": 1},
        {"name": "Budi Santoso", "contact_id": BUDI, "assigned": 4, "resolved": 3,
         "mean_resolution_s": 39600, "breaches": 3, "escalations": 4},
        {"name": "Dewi Lestari", "contact_id": DEWI, "assigned": 3, "resolved": 2,
         "mean_resolution_s": 57600, "breaches": 0, "escalations": 1},
        {"name": "(unassigned)", "contact_id": 0, "assigned": 2, "resolved": 0,
         "mean_resolution_s": None, "breaches": 1, "escalations": 1}],
    # the top 5 of 6 categories (printer is 6th), each with its latest text,
    # on one line and cut to 60 bytes ("..." included)
    "top_problems": [
        {"category": "jaringan", "count": 4, "latest_text": T12_TEXT},
        {"category": "aplikasi", "count": 3,
         "latest_text": "Aplikasi SIMDA keuangan tidak bisa dibuka sejak pagi, mun..."},
        {"category": "hardware", "count": 2, "latest_text": "Monitor ruang arsip berkedip"},
        {"category": "(none)", "count": 1, "latest_text": "Komputer loket pelayanan mati total"},
        {"category": "email", "count": 1, "latest_text": "Email dinas tidak bisa kirim lampiran"}],
}
# Pending: T4 hardware 72h = 259200 s; other: T10 48h = 172800 s and T7
# from Nov 10 16:00 to NOW, Dec 5 10:00 = 24d 18h = 2138400 s -> 2311200 s
# ("26d 18h 00m"); all 2570400 s ("29d 18h 00m"), mean /3 = 856800 s
# ("9d 22h 00m"); other mean /2 = 1155600 s.
EXP_JSON["pending"] = {"all": {"tickets": 3, "total_s": 2570400, "mean_s": 856800},
                       "hardware": {"tickets": 1, "total_s": 259200, "mean_s": 259200},
                       "other": {"tickets": 2, "total_s": 2311200, "mean_s": 1155600}}


# ---------------------------------------------------------------------------
# Checks of the forms

class TagChecker(html.parser.HTMLParser):
    """Every end tag closes the innermost open element; nothing left open."""
    VOID = {"meta", "br", "link", "img", "hr", "input", "col", "wbr", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %r" % (tag, self.stack[-1:] or None))
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(check, data, what, numbers, charts=5):
    try:
        page = data.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, "%s: not UTF-8: %s" % (what, e))
        return ""
    low = page.lower()
    check(low.startswith("<!doctype html>"), "%s: no doctype" % what)
    check("<svg" in low, "%s: no inline SVG chart" % what)
    check(low.count("<svg") >= charts, "%s: %d charts, want %d (channel, priority, status,"
          " category, SKPD)" % (what, low.count("<svg"), charts))
    for bad in ("<script", "http://", "https://", "@import", "url(", "src=", "href="):
        check(bad not in low, "%s: contains %r" % (what, bad))
    check("@media print" in page, "%s: no print stylesheet" % what)
    p = TagChecker()
    try:
        p.feed(page)
        p.close()
    except Exception as e:  # noqa: BLE001 - any parser failure fails the test
        check(False, "%s: html.parser: %s" % (what, e))
    check(not p.errors, "%s: mismatched tags: %s" % (what, p.errors[:5]))
    check(not p.stack, "%s: elements left open: %s" % (what, p.stack))
    text = " ".join(" ".join(p.text).split())
    for n in numbers:
        check(n in text, "%s: %r not in the page text" % (what, n))
    return page


def png_info(path):
    """(width, height, decompressed image bytes) of a PNG, or None."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    w, h = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    return w, h, zlib.decompress(idat), len(data)


def screenshot(check, env, html_path, name):
    """Render html_path with headless Chromium; check the PNG. Returns its path."""
    out = os.path.join(env.dir, name + ".png")
    if not os.access(CHROMIUM, os.X_OK):
        check(False, "%s not installed (Makefile TEST_DEBS has chromium)" % CHROMIUM)
        return None
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--user-data-dir=" + os.path.join(env.dir, "chromium"),
           "--window-size=1200,1800", "--screenshot=" + out, "file://" + html_path]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60, cwd=env.dir,
                           env=dict(os.environ, HOME=env.dir))
    except subprocess.TimeoutExpired:
        check(False, "chromium: no screenshot within 60 s")
        return None
    check(p.returncode == 0, "chromium: exit %d: %s" % (p.returncode, p.stderr[-500:]))
    info = png_info(out) if os.path.exists(out) else None
    if not check(info is not None, "chromium: no PNG at %s" % out):
        return None
    w, h, pixels, size = info
    check.eq((w, h), (1200, 1800), "screenshot size")
    # A blank page compresses to a few KB and its rows are nearly all one value.
    check(size > 30000, "screenshot only %d bytes: a blank page?" % size)
    check(len(set(pixels)) > 100, "screenshot has %d distinct byte values: a blank page?"
          % len(set(pixels)))
    return out


def csv_rows(check, text, what):
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        check(False, "%s: csv: %s" % (what, e))
        return {}
    check(rows and rows[0] == ["section", "key", "metric", "value"], "%s: header %r"
          % (what, rows[:1]))
    check(all(len(r) == 4 for r in rows), "%s: rows of other than 4 fields" % what)
    check(text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""),
          "%s: line ends are not CRLF" % what)
    return {(r[0], r[1], r[2]): r[3] for r in rows[1:] if len(r) == 4}


# ---------------------------------------------------------------------------
# Tests

def new_env(name, overrides):
    env = TestEnv(name, overrides)
    env.extra_env = {"TZ": TZ, "HELPDESKD_NOW": NOW}
    return env


def test_november():
    """The hand-made month on the calendar clock, in all four forms."""
    check = Check()
    env = new_env("report-nov", {"sla.clock": "calendar"})
    try:
        run(check, env, ["list"])
        seed(env, NOV, NOV_PAUSES, NOV_ESC)
        pj = run(check, env, ["report", "--month", "2026-11", "--json"])
        try:
            j = json.loads(pj.stdout)
        except ValueError as e:
            check(False, "--json: not JSON (%s): %r" % (e, pj.stdout[:300]))
            return check
        for k, want in EXP_JSON.items():
            check.eq(j.get(k), want, "json %s" % k)
        check.eq(j.get("period", {}).get("first_day"), "2026-11-01", "json period first_day")
        check.eq(j.get("period", {}).get("last_day"), "2026-11-30", "json period last_day")
        check.eq(j.get("period", {}).get("start_ms"), at(1), "json period start_ms")
        check.eq(j.get("period", {}).get("end_ms"), at(1, month=12), "json period end_ms")
        check.eq(j.get("clock"), "calendar", "json clock")
        check.eq(j.get("generated_at"), "2026-12-05 10:00", "json generated_at (HELPDESKD_NOW)")

        # Terminal text (language "id").
        pt = run(check, env, ["report", "--month", "2026-11"])
        text = pt.stdout
        check(all(len(ln) <= 100 for ln in text.splitlines()),
              "text: lines over 100 columns: %r" % [ln for ln in text.splitlines() if len(ln) > 100][:3])
        for s in ("Rekapitulasi Layanan Helpdesk TIK", "November 2026", "2026-11-01", "2026-11-30",
                  "waktu kalender", "Jumlah tiket: 12", "81.8%", "22m", "45m", "23h 19m", "3d",
                  "Budi Santoso", "Agus Wibowo", "Dewi Lestari", "(unassigned)", "1d 16h 30m",
                  "11h", "16h", "(none)", "(unknown)", "75.0%", "50.0%", "2026-12-05 10:00",
                  "29d 18h 00m", "26d 18h 00m", "9d 22h 00m",
                  "Aplikasi SIMDA keuangan tidak bisa dibuka sejak pagi, mun...", T12_TEXT):
            check(s in text, "text: %r missing" % s)
        check("printer" in text.split("Masalah yang paling sering")[0]
              and "printer" not in text.split("Masalah yang paling sering")[-1],
              "text: printer is a category but not in the top 5")
        check.note("terminal report:\n" + text)

        # CSV.
        pc = run(check, env, ["report", "--month", "2026-11", "--csv"])
        c = csv_rows(check, pc.stdout, "csv")
        want = {("total", "all", "count"): "12", ("channel", "sms", "count"): "6",
                ("channel", "phone", "count"): "2", ("status", "closed", "count"): "5",
                ("priority", "normal", "count"): "6", ("category", "(none)", "count"): "1",
                ("skpd", "(unknown)", "count"): "1", ("first_response", "all", "mean_s"): "1293",
                ("first_response", "all", "p90_s"): "2700",
                ("first_response", "all", "compliance_pct"): "81.8",
                ("resolution", "all", "count"): "8", ("resolution", "all", "mean_s"): "83925",
                ("resolution", "all", "p90_s"): "259200", ("sla", "emergency", "compliance_pct"): "50.0",
                ("sla", "normal", "open_breached"): "2", ("sla", "high", "breached"): "1",
                ("pending", "hardware", "total_s"): "259200", ("pending", "all", "tickets"): "3",
                ("pending", "other", "total_s"): "2311200", ("pending", "other", "mean_s"): "1155600",
                ("technician", "Budi Santoso", "escalations"): "4",
                ("technician", "(unassigned)", "mean_resolution_s"): "",
                ("technician", "Agus Wibowo", "mean_resolution_s"): "145800",
                ("top_problem", "jaringan", "latest_text"): T12_TEXT,
                ("top_problem", "email", "rank"): "5", ("meta", "clock", "name"): "calendar",
                ("meta", "period", "last_day"): "2026-11-30"}
        for k, v in want.items():
            check.eq(c.get(k), v, "csv %s" % ",".join(k))
        check(("top_problem", "printer", "count") not in c, "csv: printer in the top 5")

        # HTML, written with --output (atomically: nothing else left beside it).
        out_dir = os.path.join(env.dir, "out")
        os.makedirs(out_dir)
        html_path = os.path.join(out_dir, "report-2026-11.html")
        ph = run(check, env, ["report", "--month", "2026-11", "--html", "--output", html_path])
        check.eq(ph.stdout, "", "--output: nothing on stdout")
        check.eq(os.listdir(out_dir), ["report-2026-11.html"], "--output: files in the directory")
        if os.path.exists(html_path):
            with open(html_path, "rb") as f:
                data = f.read()
            page = check_html(check, data, "html", [
                "Rekapitulasi Layanan Helpdesk TIK", "November 2026", "12", "81.8%", "22m",
                "23h 19m", "75.0%", "Budi Santoso", "(unassigned)", "1d 16h 30m", "Dinas Kesehatan",
                "(unknown)", "(none)", T12_TEXT, "waktu kalender", "29d 18h 00m", "9d 22h 00m"])
            check("&lt;SIMPEG&gt; &amp; &quot;e-Kinerja&quot;" in page,
                  "html: ticket text not escaped")
            shot = screenshot(check, env, html_path, "report-2026-11")
            if shot:
                check.note("screenshot: " + shot)
        # The same with --json to a file, replacing what is there.
        json_path = os.path.join(out_dir, "r.json")
        with open(json_path, "w") as f:
            f.write("old")
        run(check, env, ["report", "--month", "2026-11", "--json", "--output", json_path])
        with open(json_path) as f:
            check.eq(json.load(f).get("total"), 12, "--output FILE.json replaced")

        # The other period forms and the boundaries: each side ticket alone.
        for args, total in ((["--year", "2026"], 14), (["--from", "2026-10-31", "--to", "2026-10-31"], 1),
                            (["--from", "2026-12-01", "--to", "2026-12-01"], 1),
                            (["--from", "2026-11-01", "--to", "2026-11-01"], 1),
                            (["--from", "2026-11-02", "--to", "2026-11-30"], 11),
                            (["--month", "2026-10"], 1), (["--year", "2025"], 0)):
            p = run(check, env, ["report"] + args + ["--json"])
            try:
                check.eq(json.loads(p.stdout).get("total"), total, "report %s: total" % " ".join(args))
            except ValueError:
                check(False, "report %s --json: not JSON" % " ".join(args))
    finally:
        env.cleanup(not check.ok)
    return check


# Office clock (SOP week: Mon-Thu 08-12, 13-17; Fri 08-11, 13-17; Sat 08-12),
# targets 30m; normal 5d = 40h, high 1d = 8h, emergency 2h (1d = 8h).
OFFICE = [
    # O1 Fri Nov 6 10:30, first response Fri 13:05: 10:30-11:00 + 13:00-13:05
    # = 35m, breached (calendar: 2h35m); resolved Sat 09:00: 30m + 4h (Fri
    # afternoon) + 1h (Sat) = 5h30m = 330m <= 8h: met
    tk(at(6, 10, 30), "sms", "high", "jaringan", "Dinas Pendidikan", "closed", BUDI,
       at(6, 13, 5), at(7, 9), at(7, 10)),
    # O2 Sat Nov 7 11:00, first response Mon 08:20: 60m + 20m = 80m, breached;
    # resolved Tue 10:00: Sat 1h + Mon 8h + Tue 2h = 11h, less the hardware
    # wait Mon 13:00 - Tue 09:00 = Mon 4h + Tue 1h = 5h -> 6h = 360m: met
    tk(at(7, 11), "email", "normal", "aplikasi", "BPKAD", "resolved", AGUS,
       at(9, 8, 20), at(10, 10)),
    # O3 Sun Nov 8 20:00, first response Mon 08:10: 10m, met; resolved Mon
    # 12:30: 08:00-12:00 = 4h = 240m > 2h: breached
    tk(at(8, 20), "sms", "emergency", "jaringan", "Kecamatan Juwana", "closed", BUDI,
       at(9, 8, 10), at(9, 12, 30), at(9, 13)),
]
OFFICE_PAUSES = [(2, at(9, 13), at(10, 9), 1)]
# response 35 80 10 -> mean 125/3 m = 2500 s, p90 index ceil(2.7) - 1 = 2
# -> 80m = 4800 s, met 1/3 = 33.3 %; resolution 330 360 240 -> mean 310m =
# 18600 s ("5h 10m"), p90 360m = 21600 s ("6h"); pending 5h = 18000 s.
EXP_OFFICE = {
    "total": 3,
    "first_response": {"count": 3, "mean_s": 2500, "p90_s": 4800, "target_s": 1800, "met": 1,
                       "compliance_pct": 33.3},
    "resolution": {"count": 3, "mean_s": 18600, "p90_s": 21600},
    "pending": {"all": {"tickets": 1, "total_s": 18000, "mean_s": 18000},
                "hardware": {"tickets": 1, "total_s": 18000, "mean_s": 18000},
                "other": {"tickets": 0, "total_s": 0, "mean_s": None}},
    "clock": "office",
    "day_s": 28800,
}


def test_office_clock():
    """A small case on the default office clock, in English."""
    check = Check()
    env = new_env("report-office", {"language": "en"})
    try:
        run(check, env, ["list"])
        seed(env, OFFICE, OFFICE_PAUSES)
        p = run(check, env, ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--json"])
        try:
            j = json.loads(p.stdout)
        except ValueError:
            check(False, "--json: not JSON: %r" % p.stdout[:300])
            return check
        for k, want in EXP_OFFICE.items():
            check.eq(j.get(k), want, "json %s" % k)
        sla = j.get("sla_by_priority", {})
        check.eq(sla.get("high", {}).get("met"), 1, "high met")
        check.eq(sla.get("normal", {}).get("met"), 1, "normal met")
        check.eq(sla.get("emergency", {}).get("breached"), 1, "emergency breached")
        check.eq(sla.get("normal", {}).get("target_s"), 144000, "normal target 5d = 40h")
        p = run(check, env, ["report", "--from", "2026-11-01", "--to", "2026-11-30"])
        for s in ("IT Helpdesk Service Recap", "office hours (1d = 8 hours)", "33.3%", "42m",
                  "1h 20m", "5h 10m", "6h", "5h", "2026-11-01 to 2026-11-30", "Total tickets: 3"):
            check(s in p.stdout, "text: %r missing" % s)
        p = run(check, env, ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--html"])
        check_html(check, p.stdout.encode(), "html (en)",
                   ["IT Helpdesk Service Recap", "office hours", "33.3%", "5h 10m"])
    finally:
        env.cleanup(not check.ok)
    return check


def test_usage_and_empty():
    """Usage errors exit 2; an empty period is valid in every form, all zeros."""
    check = Check()
    env = new_env("report-usage", {"sla.clock": "calendar"})
    try:
        run(check, env, ["list"])
        for args in ([], ["--csv"], ["--month", "2026-11", "--year", "2026"],
                     ["--month", "2026-13"], ["--month", "2026-1"], ["--month", "26-11"],
                     ["--year", "20x6"], ["--from", "2026-11-01"], ["--to", "2026-11-01"],
                     ["--from", "2026-02-30", "--to", "2026-03-01"],
                     ["--from", "2026-11-02", "--to", "2026-11-01"],
                     ["--month", "2026-11", "--csv", "--json"], ["--month", "2026-11", "extra"],
                     ["--month", "2026-11", "--month", "2026-12"], ["--bogus"]):
            p = run(check, env, ["report"] + args, 2)
            check(p.stderr.strip() != "", "report %s: nothing said on stderr" % " ".join(args))
            check.eq(p.stdout, "", "report %s: stdout" % " ".join(args))
        p = run(check, env, ["report", "--month", "2026-13"], 2)
        check("--month 2026-13" in p.stderr, "bad month: the message names it: %r" % p.stderr[:200])
        p = run(check, env, ["report", "--month", "2026-11", "--output", "/nonexistent/dir/r.html",
                             "--html"], 1)

        p = run(check, env, ["report", "--month", "2026-11", "--json"])
        try:
            j = json.loads(p.stdout)
            check.eq(j.get("total"), 0, "empty: total")
            check.eq(j.get("by_channel"), {"sms": 0, "email": 0, "phone": 0}, "empty: by_channel")
            check.eq(j.get("first_response"), {"count": 0, "mean_s": None, "p90_s": None,
                                               "target_s": 1800, "met": 0, "compliance_pct": None},
                     "empty: first_response")
            check.eq(j.get("technicians"), [], "empty: technicians")
            check.eq(j.get("top_problems"), [], "empty: top_problems")
        except ValueError:
            check(False, "empty --json: not JSON: %r" % p.stdout[:300])
        p = run(check, env, ["report", "--month", "2026-11", "--csv"])
        c = csv_rows(check, p.stdout, "empty csv")
        check.eq(c.get(("total", "all", "count")), "0", "empty csv: total")
        check.eq(c.get(("resolution", "all", "mean_s")), "", "empty csv: mean")
        p = run(check, env, ["report", "--month", "2026-11"])
        check("Jumlah tiket: 0" in p.stdout, "empty text: total 0")
        p = run(check, env, ["report", "--month", "2026-11", "--html"])
        # channel, priority and status (all zero); no category or SKPD to draw
        check_html(check, p.stdout.encode(), "empty html", ["Tidak ada tiket pada periode ini."], 3)
    finally:
        env.cleanup(not check.ok)
    return check


def tests():
    return [("report/november", test_november), ("report/office_clock", test_office_clock),
            ("report/usage_empty", test_usage_and_empty)]
