"""test_workflow.py: the SOP after intake, end to end on the real daemon.

A prepared team (two admins, three technicians, a leader, reporters of two
SKPD units) is imported as contacts. The tests drive the helpdesk the way
its users do: complaints by SMS on Gammu's dummy modem, triage and work with
helpdeskctl, staff commands by SMS; and check the database (status,
history, pending spells, escalations) and the outbox (who is told what).
The SLA test moves the daemon's clock with HELPDESKD_NOW instead of
sleeping, and restarts it between the steps.
"""

import datetime as dt
import json
import os

from harness import Check, TestEnv, ctl, finish_daemon, query, scalar, wait_for

TZ = {"TZ": "Asia/Jakarta"}
ADMIN_CFG = "+628110000001"          # the admin of the config file
RINA = "+6281211110009"              # admin contact
BUDI, SARI, ANDI = "+6281211110001", "+6281211110002", "+6281211110003"
KADIS = "+6281211110010"             # leader
DINKES1, DINKES2 = "+6281322220001", "+6281322220002"
DIKBUD = "+6281333330001"            # another unit
STRANGER = "+6281999990001"          # not a contact

TEAM_CSV = """name,phone,email,skpd,role
Rina,0812-1111-0009,rina@diskominfo.example.go.id,Diskominfo,admin
Budi,0812-1111-0001,budi@diskominfo.example.go.id,Diskominfo,technician
Sari,0812-1111-0002,,Diskominfo,technician
Andi,0812-1111-0003,,Diskominfo,technician
Pak Kadis,0812-1111-0010,,Diskominfo,leader
Wati,0813-2222-0001,,Dinas Kesehatan,reporter
Joko,0813-2222-0002,,Dinas Kesehatan,reporter
Dewi,0813-3333-0001,,Dinas Pendidikan,reporter
"""


def team_env(name, overrides=None):
    env = TestEnv(name, overrides)
    env.extra_env = dict(TZ)
    path = os.path.join(env.dir, "team.csv")
    with open(path, "w") as f:
        f.write(TEAM_CSV)
    p = ctl(env, "contacts", "import", path)
    if p.returncode != 0:
        raise AssertionError("contacts import failed: %s" % p.stderr)
    return env


def run(check, env, *args, code=0, as_=None):
    argv = (["--as", as_] if as_ else []) + list(args)
    p = ctl(env, *argv)
    check(p.returncode == code, "helpdeskctl %s: exit %d, want %d; stderr %r"
          % (" ".join(argv), p.returncode, code, p.stderr[-300:]))
    check(not p.sanitizer, "helpdeskctl %s: sanitizer report" % " ".join(argv))
    return p


def ticket(env, number):
    rows = query(env.db_path, "SELECT t.*, c.name AS tech FROM tickets t LEFT JOIN contacts c"
                 " ON c.id = t.assignee_id WHERE number = ?", (number,))
    return rows[0] if rows else None


def outbox(env, number, recipient=None, kind=None):
    sql = ("SELECT o.* FROM outbox o JOIN tickets t ON t.id = o.ticket_id WHERE t.number = ?"
           + (" AND o.recipient = ?" if recipient else "") + (" AND o.kind = ?" if kind else "")
           + " ORDER BY o.id")
    args = [number] + ([recipient] if recipient else []) + ([kind] if kind else [])
    return query(env.db_path, sql, tuple(args))


def replies_to(env, recipient):
    return query(env.db_path, "SELECT * FROM outbox WHERE recipient = ? AND kind = 'reply'"
                 " ORDER BY id", (recipient,))


def events(env, number):
    return [r["kind"] for r in query(env.db_path, "SELECT e.kind FROM events e JOIN tickets t"
                                     " ON t.id = e.ticket_id WHERE t.number = ? ORDER BY e.id",
                                     (number,))]


class Sms:
    """Drops SMS into the dummy modem and waits until each is recorded."""

    def __init__(self, env):
        self.env = env
        self.t = dt.datetime(2026, 11, 23, 2, 0, 0, tzinfo=dt.timezone.utc)

    def send(self, sender, text, timeout=20):
        before = scalar(self.env.db_path, "SELECT count(*) FROM messages") or 0
        self.t += dt.timedelta(seconds=7)
        self.env.modem.add(text, sender=sender, when=self.t)
        ok = wait_for(lambda: (scalar(self.env.db_path, "SELECT count(*) FROM messages") or 0)
                      > before, timeout)
        if not ok:
            raise AssertionError("SMS from %s not recorded in %ds: %r" % (sender, timeout, text))

    def last_reply(self, recipient):
        rows = replies_to(self.env, recipient)
        return rows[-1]["body"] if rows else ""


def sent_all(env, timeout=20):
    """Every queued message left the outbox (the dummy modem takes them)."""
    return wait_for(lambda: scalar(env.db_path, "SELECT count(*) FROM outbox"
                                   " WHERE state = 'pending'") == 0, timeout)


def new_ticket(sms, sender, text):
    sms.send(sender, text)
    return scalar(sms.env.db_path, "SELECT number FROM tickets ORDER BY id DESC LIMIT 1")


def test_sop_end_to_end():
    """One complaint through the whole SOP, SMS in to the monthly report."""
    check = Check()
    env = team_env("wf-e2e")
    d = None
    try:
        d = env.daemon().start()
        sms = Sms(env)
        # Prepared load: Budi already has a normal ticket, Andi is away.
        busy = new_ticket(sms, DIKBUD, "HELPDESK Komputer lab SMPN 1 tidak menyala")
        run(check, env, "assign", busy, "Budi")
        run(check, env, "available", "Andi", "no")

        # 1. SMS in -> reply with the number -> admins told.
        number = new_ticket(sms, DINKES1, "HELPDESK Printer di ruang rapat Dinkes tidak bisa mencetak")
        check(number is not None and number != busy, "no ticket for the complaint")
        check(number in sms.last_reply(DINKES1), "reply lacks the ticket number: %r"
              % sms.last_reply(DINKES1))
        admins = sorted(r["recipient"] for r in outbox(env, number, kind="admin_notice"))
        check.eq(admins, sorted([ADMIN_CFG, RINA]), "admins told of the new ticket")
        check.eq(ticket(env, number)["category"], "printer", "category from the keyword map")

        # 2. Admin: accept, priority, automatic assignment (Sari: least load).
        run(check, env, "accept", number)
        run(check, env, "priority", number, "high")
        p = run(check, env, "assign", number, "--auto")
        t = ticket(env, number)
        check.eq((t["status"], t["priority"], t["tech"]), ("open", "high", "Sari"),
                 "after triage (%s)" % p.stdout.strip())
        check(t["first_response_at"] is not None, "first response recorded")
        check(len(outbox(env, number, SARI, "staff_notice")) == 1, "technician told of the assignment")
        told = [r["body"] for r in outbox(env, number, DINKES1, "status_notice")]
        check(len(told) == 2 and "diverifikasi" in told[0] and "Sari" in told[1],
              "reporter told of acceptance and assignment: %r" % told)

        # 3. Technician by SMS: pending (hardware on order) -> reporter told.
        sms.send(SARI, "HELPDESK PENDING %s menunggu pengadaan toner" % number)
        t = ticket(env, number)
        check.eq(t["status"], "pending", "status after PENDING")
        pause = query(env.db_path, "SELECT * FROM pauses WHERE ticket_id = ?", (t["id"],))
        check(len(pause) == 1 and pause[0]["hardware"] == 1 and pause[0]["ended_at"] is None,
              "pending spell recorded as a hardware wait: %r" % pause)
        told = [r["body"] for r in outbox(env, number, DINKES1, "status_notice")]
        check(len(told) == 3 and "ditunda" in told[2] and "pengadaan toner" in told[2],
              "reporter told of pending with the reason: %r" % told[-1:])
        check(number in sms.last_reply(SARI) and "ditunda" in sms.last_reply(SARI),
              "technician's command confirmed: %r" % sms.last_reply(SARI))

        # 4. SELESAI -> resolved, pending spell closed, reporter told.
        sms.send(SARI, "HELPDESK SELESAI %s toner diganti, printer normal" % number)
        t = ticket(env, number)
        check.eq(t["status"], "resolved", "status after SELESAI")
        check(t["resolved_at"] is not None, "resolved_at set")
        check(scalar(env.db_path, "SELECT count(*) FROM pauses WHERE ended_at IS NULL") == 0,
              "pending spell ended")
        told = [r["body"] for r in outbox(env, number, DINKES1, "status_notice")]
        check(len(told) == 4 and "selesai" in told[3] and "toner diganti" in told[3],
              "reporter told of the resolution: %r" % told[-1:])
        check(sent_all(env), "outbox not drained")
        check.eq(events(env, number)[:1] + [e for e in events(env, number) if e in (
            "accepted", "priority", "assigned", "pending", "resolved")],
            ["created", "accepted", "priority", "assigned", "pending", "resolved"], "history")

        # 5. The month's report counts it.
        month = dt.datetime.fromtimestamp(t["created_at"] / 1000).strftime("%Y-%m")
        p = run(check, env, "report", "--month", month, "--json")
        try:
            rep = json.loads(p.stdout)
        except ValueError:
            rep = None
        check(rep is not None, "report --json is not JSON: %r" % p.stdout[:200])
        text = json.dumps(rep)
        check(rep is not None and rep.get("total") == 2, "report total: %r" % text[:300])
        check('"printer"' in text and '"Sari"' in text, "report names the category and technician")
        finish_daemon(d, check)
        d = None
    finally:
        if d is not None:
            d.kill()
        env.cleanup(not check.ok)
    return check


def test_sms_commands_and_refusals():
    """Every staff command by SMS, and each refusal changes nothing."""
    check = Check()
    env = team_env("wf-sms")
    d = None
    try:
        d = env.daemon().start()
        sms = Sms(env)
        a = new_ticket(sms, DINKES1, "HELPDESK Internet di ruang TU Dinkes mati")
        b = new_ticket(sms, DIKBUD, "HELPDESK Aplikasi SIMPEG tidak bisa login")
        check.eq(ticket(env, a)["category"], "jaringan", "category of a")

        def unchanged(number, before, what):
            now = ticket(env, number)
            check.eq({k: now[k] for k in ("status", "priority", "assignee_id", "updated_at")},
                     {k: before[k] for k in ("status", "priority", "assignee_id", "updated_at")},
                     what + ": ticket changed")

        refusals = [
            (STRANGER, "HELPDESK SELESAI %s beres" % a, "tidak terdaftar"),
            (DINKES1, "HELPDESK TERIMA %s" % a, "tidak terdaftar"),
            (RINA, "HELPDESK PRIORITAS %s sangat" % a, "prioritas tidak dikenal"),
            (RINA, "HELPDESK SELESAI HD-2611-9999 beres", "tidak ditemukan"),
            (BUDI, "HELPDESK PENDING %s tunggu" % a, "tidak berwenang"),
            (RINA, "HELPDESK TUGASKAN %s Bambang" % a, "teknisi tidak dikenal"),
            (BUDI, "HELPDESK TERIMA %s" % a, "tidak berwenang"),
            (RINA, "HELPDESK LANJUT %s" % a, "status tiket"),
            (RINA, "HELPDESK TOLAK %s" % a, "wajib diisi"),
        ]
        for sender, text, why in refusals:
            before = ticket(env, a)
            nev = len(events(env, a))
            sms.send(sender, text)
            reply = sms.last_reply(sender)
            check("tidak dijalankan" in reply and why in reply,
                  "%r from %s: refusal %r, got %r" % (text, sender, why, reply))
            unchanged(a, before, text)
            check.eq(len(events(env, a)), nev, "%r: history grew" % text)

        sms.send(RINA, "HELPDESK PRIORITAS %s darurat" % a)
        check.eq(ticket(env, a)["priority"], "emergency", "PRIORITAS darurat")
        sms.send(RINA, "HELPDESK TUGASKAN %s Budi" % a)
        check.eq(ticket(env, a)["tech"], "Budi", "TUGASKAN Budi")
        check.eq(ticket(env, a)["status"], "open", "assigning accepts")
        check(len(outbox(env, a, BUDI, "staff_notice")) == 1, "Budi told of the assignment")
        sms.send(SARI, "HELPDESK AMBIL %s" % b)
        check.eq(ticket(env, b)["tech"], "Sari", "AMBIL by Sari")
        sms.send(BUDI, "HELPDESK AMBIL %s" % b)
        check("teknisi lain" in sms.last_reply(BUDI), "AMBIL of a taken ticket refused: %r"
              % sms.last_reply(BUDI))
        check.eq(ticket(env, b)["tech"], "Sari", "AMBIL by Budi changed nothing")

        sms.send(BUDI, "HELPDESK TUGAS")
        check(a in sms.last_reply(BUDI) and "(1)" in sms.last_reply(BUDI),
              "TUGAS lists Budi's ticket: %r" % sms.last_reply(BUDI))
        sms.send(BUDI, "HELPDESK CATATAN %s kabel LAN putus, ganti baru" % a)
        sms.send(BUDI, "HELPDESK TUNDA %s menunggu kabel dari gudang" % a)
        check.eq(ticket(env, a)["status"], "pending", "TUNDA")
        sms.send(BUDI, "HELPDESK LANJUT %s" % a)
        check.eq(ticket(env, a)["status"], "open", "LANJUT")

        # STATUS: the reporter and the same unit see it; another unit does not.
        sms.send(DINKES1, "HELPDESK STATUS %s" % a)
        check("Budi" in sms.last_reply(DINKES1), "reporter's STATUS: %r" % sms.last_reply(DINKES1))
        sms.send(DINKES2, "HELPDESK STATUS %s" % a)
        check("Budi" in sms.last_reply(DINKES2), "same unit's STATUS: %r" % sms.last_reply(DINKES2))
        sms.send(DIKBUD, "HELPDESK STATUS %s" % a)
        check("Budi" not in sms.last_reply(DIKBUD) and "tidak ditemukan" in sms.last_reply(DIKBUD),
              "other unit learns nothing: %r" % sms.last_reply(DIKBUD))

        sms.send(BUDI, "HELPDESK DONE %s kabel LAN diganti" % a)
        check.eq(ticket(env, a)["status"], "resolved", "DONE (English synonym)")
        sms.send(SARI, "HELPDESK TUTUP %s sudah normal" % b)
        check.eq(ticket(env, b)["status"], "closed", "TUTUP")
        sms.send(SARI, "HELPDESK TUGAS")
        check("(0)" in sms.last_reply(SARI), "TUGAS when nothing is open: %r" % sms.last_reply(SARI))
        # Staff answers are not held by the reporters' hourly cap.
        check(scalar(env.db_path, "SELECT count(*) FROM outbox WHERE recipient = ? AND state = 'held'",
                     (RINA,)) == 0, "staff replies held by the cap")
        check(sent_all(env), "outbox not drained")
        finish_daemon(d, check)
        d = None
    finally:
        if d is not None:
            d.kill()
        env.cleanup(not check.ok)
    return check


def test_ctl_verbs():
    """Every helpdeskctl workflow verb, with its refusals and usage errors."""
    check = Check()
    env = team_env("wf-ctl", {"workflow.require_approval": True})
    try:
        def new(text, reporter=DINKES1):
            return run(check, env, "new", "--reporter", reporter, "--text", text).stdout.strip()

        a = new("Komputer resepsionis mati total")
        b = new("Wifi aula tidak bisa konek", DIKBUD)
        c = new("Email dinas penuh")
        check.eq(ticket(env, a)["category"], "hardware", "category at creation")
        run(check, env, "accept", a)
        run(check, env, "accept", a, code=1)                       # not new any more
        run(check, env, "priority", a, "tinggi")
        run(check, env, "priority", a, "urgentissimo", code=1)
        run(check, env, "priority", "HD-2611-9999", "high", code=1)
        run(check, env, "priority", "not-a-ticket", "high", code=2)
        run(check, env, "category", a, "listrik")
        run(check, env, "category", a, "Nope!", code=1)
        check.eq((ticket(env, a)["category"], ticket(env, a)["category_auto"]), ("listrik", 0),
                 "category by hand")
        run(check, env, "assign", a, "Budi")
        run(check, env, "assign", a, "Nobody", code=1)
        run(check, env, "assign", b, "--auto")                     # least load: Andi or Sari
        check(ticket(env, b)["tech"] in ("Sari", "Andi"), "auto assignment avoids busy Budi")
        run(check, env, "available", "Sari", "no")
        run(check, env, "available", "Andi", "no")
        run(check, env, "available", "Budi", "no")
        run(check, env, "assign", c, "--auto", code=1)             # nobody available
        run(check, env, "available", "Budi", "yes")
        run(check, env, "available", "Nobody", "yes", code=1)
        p = run(check, env, "load", "--json")
        load = {r["technician"]: r for r in json.loads(p.stdout)}
        check(load["Budi"]["high"] == 1 and load["Budi"]["load"] == 3, "load of Budi: %r" % load["Budi"])
        p = run(check, env, "mine", as_="Budi")
        check(a in p.stdout and b not in p.stdout, "mine lists own tickets: %r" % p.stdout)
        run(check, env, "mine", code=2)                            # whose?
        run(check, env, "pending", a, code=2)                      # --reason missing
        run(check, env, "pending", b, "--reason", "x", as_="Budi", code=1)   # not Budi's
        run(check, env, "pending", a, "--reason", "menunggu PSU", "--hardware", as_="Budi")
        check.eq(scalar(env.db_path, "SELECT hardware FROM pauses"), 1, "--hardware")
        run(check, env, "resume", a, as_="Budi")
        run(check, env, "note", a, "PSU terpasang", as_="Budi")
        run(check, env, "resolve", a, "--note", "PSU diganti", as_="Budi")
        check(len(outbox(env, a, KADIS, "staff_notice")) == 1, "leader asked for approval")
        run(check, env, "close", a, as_="Budi", code=1)            # awaits approval
        run(check, env, "approve", a, as_="Budi", code=1)          # not a leader
        run(check, env, "approve", a, as_="Pak Kadis")
        check.eq(ticket(env, a)["status"], "closed", "approved -> closed")
        run(check, env, "reject", c, code=2)                       # --reason missing
        run(check, env, "reject", c, "--reason", "bukan wewenang TI, hubungi BKD")
        t = ticket(env, c)
        check.eq((t["status"], t["closed_at"] is not None), ("rejected", True), "rejected")
        told = [r["body"] for r in outbox(env, c, DINKES1, "status_notice")]
        check(len(told) == 1 and "bukan wewenang TI" in told[0], "reporter told the reason: %r" % told)
        run(check, env, "take", b, as_="Andi", code=1)             # someone else's
        run(check, env, "take", b, code=1)                         # the operator is nobody
        run(check, env, "sla", "--json")
        run(check, env, "--as", "Nobody", "accept", b, code=2)
        p = ctl(env, "--help")
        for verb in ("accept", "reject", "priority", "assign", "load", "category", "mine",
                     "pending", "resolve", "close", "note", "approve", "sla", "report"):
            check(("  " + verb) in p.stdout, "--help lists %s" % verb)
        shown = run(check, env, "show", a).stdout
        for kind in ("accepted", "priority", "category", "assigned", "pending", "resumed",
                     "note", "resolved", "approved"):
            check(kind in shown, "history shows %s" % kind)
    finally:
        env.cleanup(not check.ok)
    return check


def test_sla_escalation_once():
    """Escalations at the right moment, each once, across restarts."""
    check = Check()
    env = team_env("wf-sla", {"sla.clock": "calendar", "sla.check_interval": 5,
                              "sla.first_response": "30m", "sla.leadership": "2d",
                              "sla.resolution.normal": "1d"})
    t0 = dt.datetime(2026, 11, 23, 9, 0)       # local (Asia/Jakarta)
    d = None

    def at(minutes):
        env.extra_env["HELPDESKD_NOW"] = (t0 + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S")

    def esc():
        return sorted(r["kind"] for r in query(env.db_path, "SELECT kind FROM escalations"))

    def esc_rows(kind):
        return query(env.db_path, "SELECT recipient FROM outbox WHERE kind = 'escalation'"
                     " AND body LIKE ? ORDER BY recipient", (kind,))

    try:
        at(0)
        number = run(check, env, "new", "--reporter", DINKES1, "--text", "Monitor kantor berkedip").stdout.strip()
        for minutes, want in ((20, []), (31, ["first_response"]), (40, ["first_response"])):
            at(minutes)
            d = env.daemon().start()
            ok = wait_for(lambda: esc() == want, 8)
            wait_for(lambda: False, 1.0 if want else 6.0)          # a scan or two more
            check(ok and esc() == want, "at +%d min: escalations %r, want %r" % (minutes, esc(), want))
            finish_daemon(d, check)
            d = None
        check.eq([r["recipient"] for r in esc_rows("%belum dikonfirmasi%")], sorted([ADMIN_CFG, RINA]),
                 "first-response escalation to each admin once")
        run(check, env, "assign", number, "Budi")
        at(24 * 60 + 5)
        d = env.daemon().start()
        check(wait_for(lambda: "resolution" in esc(), 10), "resolution escalation: %r" % esc())
        finish_daemon(d, check)
        at(2 * 24 * 60 + 5)
        d = env.daemon().start()
        check(wait_for(lambda: "leadership" in esc(), 10), "leadership escalation: %r" % esc())
        wait_for(lambda: False, 6.0)
        finish_daemon(d, check)
        d = None
        check.eq(esc(), ["first_response", "leadership", "resolution"], "each escalation once")
        check.eq([r["recipient"] for r in esc_rows("%batas penyelesaian%")], sorted([ADMIN_CFG, BUDI, RINA]),
                 "resolution escalation to the technician and admins")
        check.eq([r["recipient"] for r in esc_rows("%belum selesai%")], [KADIS],
                 "leadership escalation to the leader")
        check(events(env, number).count("escalated") == 3, "escalations in the history")
    finally:
        if d is not None:
            d.kill()
        env.cleanup(not check.ok)
    return check


def test_email_commands():
    """A technician answers by email; a stranger's command is refused."""
    import mailgen
    from test_email import World

    check = Check()
    with World("wf-email", check) as env:
        env.extra_env = dict(TZ)
        path = os.path.join(env.dir, "team.csv")
        with open(path, "w") as f:
            f.write(TEAM_CSV + "Wati Dinkes,,wati@dinkes.example,Dinas Kesehatan,reporter\n")
        run(check, env, "contacts", "import", path)
        d = env.daemon().start()
        env.deliver(mailgen.make_mail(frm="Wati <wati@dinkes.example>",
                                      subject="HELPDESK printer ruang TU rusak",
                                      body="Printer tidak mau menarik kertas."))
        check(wait_for(lambda: scalar(env.db_path, "SELECT count(*) FROM tickets") == 1, 20),
              "complaint by email not ticketed")
        number = scalar(env.db_path, "SELECT number FROM tickets")
        run(check, env, "assign", number, "Budi")
        env.deliver(mailgen.make_mail(frm="Budi <budi@diskominfo.example.go.id>",
                                      subject="Re: [%s] HELPDESK printer ruang TU rusak" % number,
                                      body="HELPDESK SELESAI %s roller diganti\n\n> kutipan" % number))
        check(wait_for(lambda: ticket(env, number)["status"] == "resolved", 20),
              "SELESAI by email not applied: %r" % ticket(env, number)["status"])
        env.deliver(mailgen.make_mail(frm="Orang Lain <lain@example.com>",
                                      subject="HELPDESK TUTUP %s" % number, body="tutup saja"))
        check(wait_for(lambda: scalar(env.db_path, "SELECT count(*) FROM messages") == 3 and
                       scalar(env.db_path, "SELECT count(*) FROM outbox WHERE channel = 'email'"
                              " AND state = 'pending'") == 0, 20), "answers not sent by SMTP")
        check.eq(ticket(env, number)["status"], "resolved", "stranger's TUTUP changed the ticket")
        mails = env.sink.all()
        to = {}
        for m in mails:
            for r in m.rcpt_tos:
                to.setdefault(r, []).append(m)
        wati = [m for m in to.get("wati@dinkes.example", []) if "roller diganti" in m.body()]
        check(len(wati) == 1, "reporter told of the resolution by email")
        check(all("kutipan" not in m.body() for m in wati), "quoted text taken into the note")
        if wati:
            check(number in (wati[0].header("Subject") or ""), "notice subject names the ticket")
            check(bool(wati[0].header("In-Reply-To")), "notice answers the original mail's thread")
        budi = to.get("budi@diskominfo.example.go.id", [])
        check(any(number in m.body() for m in budi), "technician's command confirmed by email")
        lain = to.get("lain@example.com", [])
        check(any("tidak dijalankan" in m.body() for m in lain), "stranger refused politely")
        finish_daemon(d, check)
    return check


def tests(pattern=None):
    return [
        ("workflow/sop_end_to_end", test_sop_end_to_end),
        ("workflow/sms_commands", test_sms_commands_and_refusals),
        ("workflow/ctl_verbs", test_ctl_verbs),
        ("workflow/sla_escalation_once", test_sla_escalation_once),
        ("workflow/email_commands", test_email_commands),
    ]
