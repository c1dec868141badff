"""test_at.py: the SMS channel on the AT path (libGammu in the modem process,
helpdeskd --modem-worker) against the simulated modem tests/modemsim.py,
and the same message scenarios on Gammu's dummy driver.

at/<backend>/messages (backend: dummy, huawei, sim800), one daemon run each,
scenarios in sequence:
  plain GSM-7 complaint -> one ticket, the reply holds its number; a 3-part
  message arriving 3, 1, 2 -> one ticket with the whole text, one reply;
  parts 1 and 3, part 2 a few seconds later (within multipart_timeout) ->
  nothing recorded before, one ticket with the whole text after; UCS-2 with
  an emoji -> exact text, reply decoded; no keyword -> 'ignored', no ticket,
  no reply, removed; a corrupt message -> 'quarantined', removed, the next
  complaint still answered; GSM-7 text with characters of the extension
  table ([ ] { } EUR ~ ^ | \\, two septets each) -> its exact text. At the
  end the SIM (dummy: the folders) is empty, each message ticketed once, one
  admin notice per ticket. Tags in the texts are "(m1)", not "[m1]", so that
  only the extension scenario depends on the extension table.

atfault/<kind> (AT, huawei unless named): the fault is injected while the
daemon runs; after it is cleared the daemon must recover within
deadline + reconnect_max + the connect time measured in the same test (+ 2 s
for reading and answering; a send fault adds send_timeout and the outbox
retry delay); nothing lost, nothing ticketed or answered twice, the daemon
alive, and the log telling each state change once (lines are counted):
  hang            the modem falls silent while idle and messages arrive:
                  noticed through the signal query (<= 15 s + deadline),
                  health not OK while down, OK again after;
  hang_cmgl       AT+CMGL never answered: announced messages still answered;
  hang_cmgs       AT+CMGS never answered (no prompt): intake goes on, the
                  replies leave after the fault;
  hang_cmgs_pdu   the PDU taken, no result ever: retried, sent once after;
  random          every command answered with random bytes;
  junk/<identity> the identity's own unsolicited lines every 0.5 s: messages
                  answered meanwhile, no reconnect; then random text lines
                  every 0.5 s: recovered within the bound after they stop;
  garbage_ok      AT+CMGD says OK and deletes nothing: stays on the SIM, not
                  ticketed twice, deleted once the fault is cleared;
  cms_error       +CMS ERROR: 500 on every send, then 322 twice: retried,
                  each reply sent once;
  sim_full        a full SIM of recorded leftovers (daemon down meanwhile) is
                  emptied at start, a new message then arrives and is answered;
  vanish          the device disappears (simulator killed): noticed while
                  idle (signal query: <= 15 s + deadline), reconnected after
                  the simulator is back on the same path, the messages added
                  after that answered;
  email_hang      mail is answered within a few seconds while the modem
                  hangs (a send stuck in AT+CMGS, then a silent modem);
  sigkill_worker  helpdeskd SIGKILLed while its worker waits on a hung
                  AT+CMGR: the worker goes too (it holds the device), the
                  daemon restarted at once opens the modem and answers.

atcrash/200: 200 complaints from 50 senders (GSM-7, UCS-2, multipart; the
texts of test_crash.py with "(c001)" tags) added to a 255-slot simulated SIM
over time (held back while it is full, as an SMSC does), helpdeskd
SIGKILLed at seeded random moments (harness.kill_plan) and restarted each
time. As in test_crash.py: exactly one ticket per message with its exact
text and reporter, one 'created' event and one sent reply row per ticket,
ticket numbers without gaps; here also: the SIM empty, and at the modem one
accepted reply PDU per ticket -- a second copy only when a SIGKILL fell
between the two copies (the send happened, its commit did not), and the
modem worker of each SIGKILLed daemon gone within deadline + 2 s (it holds
the device; the test kills a later one and fails). Uses build/helpdeskd like
test_crash.py. Takes ~2.5 min: each AT+CMGS costs ~0.6 s inside libGammu.
HD_ATCRASH_SEED, HD_ATCRASH_KILLS, HD_ATCRASH_MESSAGES change the run.
"""

import collections
import os
import random
import re
import time

import harness
from harness import (Check, check_one_ticket_each, TestEnv, finish_daemon, kill_plan, query, scalar, wait_for, e164,
                     ROOT)
import atpeers
from atpeers import (ADMIN, CONNECTED, AtBackend, LogWatcher, make_backend, no_admins, sms_health,
                     fmt_commands)

DEADLINE = 5
RECONNECT_MAX = 4
SEND_TIMEOUT = 5
RETRY_MAX = 4           # outbox.retry_max in these tests
SIGNAL_S = 15           # sms.c SIGNAL_MS
SLACK = 2.0             # reading, recording and answering after reconnecting

TAG_RE = re.compile(r"\([a-z]\w*\)")
WARN_RE = re.compile(r"^<[0-4]>")


# ---------------------------------------------------------------------------
# One test's world

class Run:
    """A TestEnv with a backend, the daemon and a log watcher."""

    def __init__(self, name, backend="huawei", admins=False, sim_size=30, overrides=None,
                 sms=None, env=None, seed=11):
        ov = {"outbox.retry_max": RETRY_MAX, "outbox.replies_per_hour": 100}
        ov.update(overrides or {})
        self.env = env or TestEnv(name, ov)
        if env is not None:
            for k, v in ov.items():
                harness.set_path(self.env.cfg, k, v)
        if not admins:
            no_admins(self.env)
        self.admins = admins
        kw = {} if backend == "dummy" else {"sim_size": sim_size, "seed": seed}
        self.b = make_backend(backend, self.env, **kw)
        if backend == "dummy":
            self.b.setup()
        else:
            self.b.setup(**(sms or {}))
        self.env.write_config()
        self.d = None
        self.lw = None
        self.watchers = []
        self.connect_time = None
        self.i = 0
        self.expect = []
        self.prefix = random.Random(name).randrange(10, 99)

    # -- daemon --------------------------------------------------------------

    def start(self, check, binary=None, what="first connect"):
        """Start helpdeskd and wait for the modem; False if it did not come."""
        t = time.monotonic()
        self.d = self.env.daemon(binary).start()
        self.lw = LogWatcher(self.d.log_path)
        self.watchers.append(self.lw)
        got = self.lw.wait(re.escape(CONNECTED), 0, 25)
        if not check(got, "%s: no '%s' within 25 s; log:\n%s" % (what, CONNECTED, self.d.log_tail())):
            return False
        if self.connect_time is None:
            self.connect_time = got - t
            check.note("connect time %.1f s (daemon start -> '%s')" % (self.connect_time, CONNECTED))
        return True

    def bound(self, extra=0.0):
        """deadline + reconnect_max + connect time (+ slack, + extra)."""
        return DEADLINE + RECONNECT_MAX + (self.connect_time or 5.0) + SLACK + extra

    def finish(self, check):
        if self.d is not None and self.d.proc is not None:
            finish_daemon(self.d, check)
        for w in self.watchers:
            w.stop()
        self.b.stop()
        kept = self.env.cleanup(not check.ok)
        if kept:
            check.note("kept %s" % kept)

    # -- messages -------------------------------------------------------------

    def sender(self):
        return "+62812%02d%06d" % (self.prefix, self.i)

    def send(self, text, sender=None, outcome="ticket", add=True, **kw):
        """Add a message (the next of this test) and remember what it should
        become."""
        self.i += 1
        sender = sender or self.sender()
        m = {"i": self.i, "sender": sender, "norm": e164(sender), "text": text,
             "outcome": outcome, "t": time.monotonic()}
        k = TAG_RE.search(text)
        m["tag"] = k.group(0) if k else None
        if add:
            self.b.add(sender, text, self.i, **kw)
        self.expect.append(m)
        return m

    def tickets_for(self, m):
        return query(self.env.db_path, "SELECT * FROM tickets WHERE instr(text, ?) > 0 ORDER BY id",
                     (m["tag"],))

    def replies_to(self, norm, containing=None):
        return [tx for n, tx in self.b.replies() if n == norm and (containing is None or
                                                                   containing in tx)]

    def answered(self, m):
        """(ticket, [reply texts]) once m has its ticket and a reply holding
        the ticket's number, else None."""
        ts = self.tickets_for(m)
        if len(ts) != 1:
            return None
        rs = self.replies_to(m["norm"], ts[0]["number"])
        return (ts[0], rs) if rs else None

    def wait_answered(self, m, timeout):
        return wait_for(lambda: self.answered(m), timeout, 0.1)

    def reply_time(self, m):
        """Monotonic time of the first accepted reply PDU to m's sender (AT)."""
        ts = [e["t"] for e in self.b.sent_messages() if e["number"] == m["norm"]]
        return min(ts) if ts else None

    def counts(self):
        out = {}
        for t in ("messages", "tickets"):
            out[t] = scalar(self.env.db_path, "SELECT count(*) FROM %s" % t)
        out["pending"] = scalar(self.env.db_path, "SELECT count(*) FROM outbox WHERE state = 'pending'")
        out["modem"] = self.b.count()
        return out

    def settled(self):
        c = self.counts()
        return c["modem"] == 0 and c["pending"] == 0 and (c["messages"] or 0) >= len(self.expect)

    def dump(self, t0=None):
        out = ["counts %r" % self.counts(), self.b.describe()]
        for r in query(self.env.db_path, "SELECT id, kind, recipient, state, attempts, last_error"
                       " FROM outbox ORDER BY id")[-8:]:
            out.append("  outbox %r" % r)
        if self.d is not None:
            out.append("  log tail:\n    " + "\n    ".join(self.d.log_tail(25).splitlines()))
        if self.b.at:
            out.append("  simulator commands (last 40):\n" + fmt_commands(self.b.sim, t0, 40))
        return "\n".join(out)

    # -- final checks ---------------------------------------------------------

    def final(self, check, timeout=20, extra_tickets=0):
        """Wait until settled, then: every expected message recorded as
        expected, tickets once, exactly one accepted reply per ticket (a PDU
        the modem took without a result does not count), ticket numbers
        without gaps (extra_tickets: made by other channels), modem empty."""
        ok = wait_for(self.settled, timeout, 0.2)
        check(ok, "not settled within %d s: %s" % (timeout, self.dump()))
        check(self.d is None or self.d.alive(), "helpdeskd died; log tail:\n%s"
              % (self.d.log_tail() if self.d else ""))
        tickets = query(self.env.db_path, "SELECT * FROM tickets ORDER BY id")
        messages = query(self.env.db_path, "SELECT * FROM messages ORDER BY id")
        replies = self.b.replies()
        n_tickets = 0
        for m in self.expect:
            what = "message %d %s from %s" % (m["i"], m["tag"], m["sender"])
            mine = [t for t in tickets if m["tag"] and m["tag"] in t["text"]]
            if m["outcome"] == "ticket":
                n_tickets += 1
                if not check.eq(len(mine), 1, "%s: tickets" % what):
                    continue
                t = mine[0]
                check.eq(t["reporter"], m["norm"], "%s: reporter" % what)
                mm = [x for x in messages if x["ticket_id"] == t["id"] and x["outcome"] == "ticket"]
                check(len(mm) == 1 and mm[0]["text"] == m["text"],
                      "%s: message text %r, want %r" % (what, [x["text"] for x in mm], m["text"]))
                copies = [tx for n, tx in replies if n == m["norm"] and t["number"] in tx]
                check(len(copies) == 1, "%s: %d accepted replies holding %s (want 1)"
                      % (what, len(copies), t["number"]))
            elif m["outcome"] == "ignored":
                check.eq(len(mine), 0, "%s: tickets" % what)
                rows = [x for x in messages if x["text"] == m["text"]]
                check(len(rows) == 1 and rows[0]["outcome"] == "ignored",
                      "%s: want one 'ignored' row, got %r" % (what, [(x["outcome"], x["reason"])
                                                                  for x in rows]))
                check.eq([tx for n, tx in replies if n == m["norm"]], [],
                         "%s: replies to it" % what)
        q_want = sum(1 for m in self.expect if m["outcome"] == "quarantined")
        check.eq(sum(1 for x in messages if x["outcome"] == "quarantined"), q_want,
                 "quarantined messages")
        check.eq(len(tickets), n_tickets + extra_tickets, "tickets in all")
        nums = [t["number"] for t in tickets]
        seqs = sorted(int(n.rsplit("-", 1)[1]) for n in nums)
        check(seqs == list(range(1, len(nums) + 1)), "ticket numbers: %r" % nums)
        if self.admins:
            notices = [tx for n, tx in replies if n == ADMIN]
            check.eq(len(notices), n_tickets, "admin notices sent")
        check(self.b.empty(), "modem not empty at the end: %s" % self.b.describe())


def log_kinds(lines):
    """Counter of log lines with digits and paths blurred."""
    c = collections.Counter()
    for _, ln in lines:
        c[re.sub(r"\d+", "N", re.sub(r"(^|[\s(])/\S+", r"\1PATH", ln))] += 1
    return c


def check_no_flood(check, run, t0, t1, what, per_kind=2, total=8):
    """Warnings/errors between t0 and t1: each kind at most per_kind times,
    all together at most total. Notes what was logged."""
    lines = [(t, ln) for t, ln in run.lw.since(t0) if t <= t1 and WARN_RE.match(ln)]
    kinds = log_kinds(lines)
    check.note("%s: %d warning lines in %.1f s: %s" % (what, len(lines), t1 - t0,
                                                     dict(kinds.most_common(6))))
    flood = {k: n for k, n in kinds.items() if n > per_kind}
    check(not flood and len(lines) <= total,
          "%s: the log repeats itself (%d warning lines in %.1f s; more than %d of a kind: %s)"
          % (what, len(lines), t1 - t0, per_kind,
             "; ".join("%dx %s" % (n, k) for k, n in sorted(flood.items(), key=lambda x: -x[1]))))
    return lines


def health_not_up(check, run, what, timeout=8):
    """helpdeskctl health says the sms channel is not up (exit 1 or 2)."""
    got = wait_for(lambda: (lambda h: h if h[0] in (1, 2) and h[1] != "up" else None)(
        sms_health(run.env)), timeout, 0.3)
    check(got, "%s: health does not show sms down within %d s: %s"
          % (what, timeout, sms_health(run.env)[2]))
    if got:
        check.note("%s: health exit %d, sms %s" % (what, got[0], got[1]))


def health_ok(check, run, what, timeout=8):
    got = wait_for(lambda: sms_health(run.env)[0] == 0, timeout, 0.3)
    check(got, "%s: health not OK within %d s: %s" % (what, timeout, sms_health(run.env)[2]))


def long_text(tag, n_parts, seed):
    """A GSM text of exactly n_parts concatenated parts (153 septets each)."""
    rng = random.Random(seed)
    words = ("jaringan kantor kecamatan putus sejak pagi mohon bantuan teknisi segera "
             "server aplikasi absensi tidak bisa login printer lantai dua macet").split()
    text = "HELPDESK %s" % tag
    while len(text) < 153 * (n_parts - 1) + 40:
        text += " " + rng.choice(words)
    return text + " selesai."


# ---------------------------------------------------------------------------
# at/<backend>/messages

def test_messages(backend):
    check = Check()
    run = Run("at-%s-msgs" % backend, backend, admins=True)
    try:
        if not run.start(check):
            return check
        b = run.b

        # 1. plain GSM-7, a national sender number
        m = run.send("HELPDESK (m1) Printer di ruang rapat Bappeda macet, kertas tersangkut terus",
                     sender="0812%02d100001" % run.prefix)
        got = run.wait_answered(m, 10)
        if check(got, "plain: no ticket + reply within 10 s: %s" % run.dump()):
            check.note("plain: answered in %.2f s (%s)" % (time.monotonic() - m["t"], got[0]["number"]))

        # 2. three parts arriving 3, 1, 2
        text = long_text("(m2)", 3, 2)
        coding, parts = b.split(text)
        check.eq(len(parts), 3, "multipart: parts of the text")
        m = run.send(text, add=False)
        ref = b.next_ref()
        for seq in (3, 1, 2):
            time.sleep(0.3)
            b.add_part(m["sender"], parts[seq - 1], ref, len(parts), seq, m["i"], coding)
        t_last = time.monotonic()
        got = run.wait_answered(m, 10)
        if check(got, "out-of-order multipart: no ticket + reply within 10 s: %s" % run.dump()):
            row = query(run.env.db_path, "SELECT text, parts FROM messages WHERE ticket_id = ?",
                        (got[0]["id"],))
            check(row and row[0]["text"] == text and row[0]["parts"] == 3,
                  "out-of-order multipart: recorded %r" % row)
            check.note("multipart 3,1,2: answered %.2f s after the last part"
                       % (time.monotonic() - t_last))

        # 3. part 2 of 3 arrives late (within multipart_timeout)
        text = long_text("(m3)", 3, 3)
        coding, parts = b.split(text)
        m = run.send(text, add=False)
        ref = b.next_ref()
        for seq in (1, 3):
            b.add_part(m["sender"], parts[seq - 1], ref, 3, seq, m["i"], coding)
        time.sleep(3.5)
        early = query(run.env.db_path, "SELECT id, outcome, text FROM messages WHERE sender = ?",
                      (m["norm"],))
        check.eq(early, [], "late part: recorded before part 2 came")
        check.eq(b.count(), 2, "late part: parts waiting in the modem")
        t2 = time.monotonic()
        b.add_part(m["sender"], parts[1], ref, 3, 2, m["i"], coding)
        got = run.wait_answered(m, 10)
        if check(got, "late part: no ticket + reply within 10 s of part 2: %s" % run.dump()):
            row = query(run.env.db_path, "SELECT text, parts FROM messages WHERE ticket_id = ?",
                        (got[0]["id"],))
            check(row and row[0]["text"] == text and row[0]["parts"] == 3,
                  "late part: recorded %r" % row)
            check.note("late part: answered %.2f s after part 2" % (time.monotonic() - t2))

        # 4. UCS-2 with an emoji
        body = "Komputer kasir RSUD mati total 😢 mohon dibantu"
        m = run.send("HELPDESK (m4) " + body)
        got = run.wait_answered(m, 10)
        if check(got, "UCS-2: no ticket + reply within 10 s: %s" % run.dump()):
            t, rs = got
            row = query(run.env.db_path, "SELECT text FROM messages WHERE ticket_id = ?", (t["id"],))
            check(row and row[0]["text"] == m["text"], "UCS-2: message text %r, want %r"
                  % (row and row[0]["text"], m["text"]))
            check.eq(t["text"], "(m4) " + body, "UCS-2: ticket text")
            check(rs[0].startswith("Terima kasih") and t["number"] in rs[0],
                  "UCS-2: reply decoded as %r" % rs[0])

        # 5. no keyword: ignored, not answered, removed
        m = run.send("Selamat pagi pak (m5), printer di ruang rapat rusak lagi", outcome="ignored")
        ok = wait_for(lambda: query(run.env.db_path, "SELECT outcome FROM messages WHERE text = ?",
                                    (m["text"],)), 10)
        check.eq(ok and ok[0]["outcome"], "ignored", "no keyword: outcome")

        # 6. a corrupt message, then a good one
        run.i += 1
        b.add_corrupt("+62812%02d900009" % run.prefix, run.i)
        run.expect.append({"i": run.i, "sender": "?", "norm": "?", "text": None, "tag": None,
                           "outcome": "quarantined", "t": time.monotonic()})
        m = run.send("HELPDESK (m6) Scanner di Bappeda tidak terdeteksi")
        got = run.wait_answered(m, 10)
        check(got, "after a corrupt message: no ticket + reply within 10 s: %s" % run.dump())
        q = wait_for(lambda: query(run.env.db_path, "SELECT reason FROM messages WHERE outcome ="
                                   " 'quarantined'"), 10)
        check(q and q[0]["reason"], "corrupt: not quarantined within 10 s: %s" % run.dump())

        # 7. GSM-7 with characters of the extension table (two septets each)
        m = run.send("HELPDESK (m7) Toner [HP 85A] habis, anggaran 50€ {segera} ~ ^ | \\ ok")
        got = run.wait_answered(m, 10)
        if not check(got, "GSM-7 extension characters: no ticket + reply within 10 s: %r"
                     % query(run.env.db_path, "SELECT outcome, reason FROM messages WHERE sender = ?",
                             (m["norm"],))):
            run.expect.remove(m)        # reported; the rest is checked without it
            run.expect.append(dict(m, outcome="quarantined", tag=None))

        run.final(check, 20)
        before = run.counts()
        time.sleep(1.0)     # nothing more comes afterwards
        check.eq(run.counts(), before, "a second after settling")
        check.eq(before["messages"], 8, "messages in all")
    finally:
        run.finish(check)
    return check


# ---------------------------------------------------------------------------
# atfault/*

def wait_idle(run, since, timeout=5):
    """Wait until the daemon made its safety scan (AT+CMGL) after `since`
    and has been quiet for a moment."""
    run.b.sim.wait_command("AT+CMGL", since=since, timeout=timeout)
    time.sleep(0.4)


def test_hang():
    check = Check()
    run = Run("atfault-hang")
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        m1 = run.send("HELPDESK (h1) Printer lantai dua macet")
        check(run.wait_answered(m1, 10), "before the fault: no answer: %s" % run.dump())
        wait_idle(run, m1["t"])

        t_fault = time.monotonic()
        sim.fault("hang")
        waiting = [run.send("HELPDESK (h2) Komputer ruang server mati"),
                   run.send("HELPDESK (h3) Jaringan kecamatan putus 😢")]
        t_det = run.lw.wait(r"did not answer|link lost|process failed", t_fault,
                            SIGNAL_S + DEADLINE + 3)
        if check(t_det, "a silent modem not noticed within %d s (signal query every %d s + "
                 "deadline %d s): %s" % (SIGNAL_S + DEADLINE + 3, SIGNAL_S, DEADLINE, run.dump(t_fault))):
            check.note("hang noticed %.1f s after it began (bound %d s)"
                       % (t_det - t_fault, SIGNAL_S + DEADLINE + 1))
            check(t_det - t_fault <= SIGNAL_S + DEADLINE + 1,
                  "hang noticed only after %.1f s" % (t_det - t_fault))
        health_not_up(check, run, "while hung")
        # At least one reconnect fails before the fault goes.
        check(run.lw.wait(r"cannot connect", t_fault, DEADLINE + 8),
              "no failed reconnect logged while hung: %s" % run.dump(t_fault))
        for m in waiting:
            check(not run.answered(m), "%s answered while the modem was silent" % m["tag"])

        t_clear = time.monotonic()
        sim.clear_fault()
        got = [run.wait_answered(m, run.bound() + 8) for m in waiting]
        check(all(got), "after the hang: messages not answered within %.0f s: %s"
              % (run.bound() + 8, run.dump(t_clear)))
        rt = [run.reply_time(m) for m in waiting]
        if all(rt):
            rec = max(rt) - t_clear
            check.note("hang: recovery %.1f s after clear (bound deadline %d + reconnect_max %d +"
                       " connect %.1f + %.0f = %.1f s)" % (rec, DEADLINE, RECONNECT_MAX,
                                                          run.connect_time, SLACK, run.bound()))
            check(rec <= run.bound(), "hang: recovered only %.1f s after clear (bound %.1f s)"
                  % (rec, run.bound()))
        health_ok(check, run, "after the hang")
        t_up = run.lw.first(r"sms: reconnected", t_clear)
        check(t_up, "no 'sms: reconnected' line after the hang")
        check_no_flood(check, run, t_fault, time.monotonic(), "hang", per_kind=1, total=4)
        check.eq(run.lw.count(r"sms: reconnected", t_fault), 1, "'reconnected' lines")
        run.final(check, 15)
    finally:
        run.finish(check)
    return check


def test_hang_cmgl():
    check = Check()
    run = Run("atfault-hang-cmgl")
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        m1 = run.send("HELPDESK (g1) Printer lantai dua macet")
        check(run.wait_answered(m1, 10), "before the fault: no answer: %s" % run.dump())
        wait_idle(run, m1["t"])

        t_fault = time.monotonic()
        sim.fault("hang", command="AT+CMGL")
        # Announced at once: read with AT+CMGR, answered despite the fault.
        m2 = run.send("HELPDESK (g2) Komputer ruang server mati")
        check(run.wait_answered(m2, 8), "an announced message not answered while AT+CMGL hangs: %s"
              % run.dump(t_fault))
        t_det = run.lw.wait(r"did not answer", t_fault, DEADLINE + 4)
        check(t_det, "the hung listing not noticed within %d s: %s" % (DEADLINE + 4, run.dump(t_fault)))
        # A message the daemon is not told about while it reconnects.
        time.sleep(1.0)
        m3 = run.send("HELPDESK (g3) Jaringan kecamatan putus", notify=False)
        time.sleep(8.0)
        t_clear = time.monotonic()
        sim.clear_fault()
        got = run.wait_answered(m3, run.bound() + 8)
        check(got, "after the AT+CMGL hang: [g3] not answered within %.0f s: %s"
              % (run.bound() + 8, run.dump(t_clear)))
        rt = run.reply_time(m3)
        if rt:
            rec = rt - t_clear
            check.note("hang AT+CMGL: recovery %.1f s after clear (bound %.1f s)" % (rec, run.bound()))
            check(rec <= run.bound(), "hang AT+CMGL: recovered only %.1f s after clear (bound %.1f s)"
                  % (rec, run.bound()))
        check_no_flood(check, run, t_fault, t_clear, "hang AT+CMGL", per_kind=3, total=10)
        conn = run.lw.count(re.escape(CONNECTED), t_fault, t_clear)
        check.note("hang AT+CMGL: %d reconnects in the %.0f s of the fault" % (conn, t_clear - t_fault))
        run.final(check, 15)
    finally:
        run.finish(check)
    return check


def _hang_cmgs(stage):
    check = Check()
    name = "atfault-hang-cmgs" + ("-pdu" if stage else "")
    what = "hang AT+CMGS" + (" (after the PDU)" if stage else "")
    run = Run(name)
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        m1 = run.send("HELPDESK (s1) Printer lantai dua macet")
        check(run.wait_answered(m1, 10), "before the fault: no answer: %s" % run.dump())
        wait_idle(run, m1["t"])

        t_fault = time.monotonic()
        if stage:
            sim.fault("hang", command="AT+CMGS", stage="pdu")
        else:
            sim.fault("hang", command="AT+CMGS")
        m2 = run.send("HELPDESK (s2) Komputer ruang server mati")
        # Recorded at once; the reply's send hangs.
        check(wait_for(lambda: run.tickets_for(m2), 5), "%s: [s2] not ticketed: %s" % (what, run.dump()))
        t_det = run.lw.wait(r"link lost while sending|did not answer", t_fault,
                            DEADLINE + SEND_TIMEOUT + 4)
        check(t_det, "%s: the hung send not noticed within %d s: %s"
              % (what, DEADLINE + SEND_TIMEOUT + 4, run.dump(t_fault)))
        row = query(run.env.db_path, "SELECT state, attempts, last_error FROM outbox WHERE recipient = ?",
                    (m2["norm"],))
        check(row and row[0]["state"] == "pending" and row[0]["attempts"] >= 1 and row[0]["last_error"],
              "%s: the reply's row after a failed send: %r" % (what, row))
        # Intake goes on while sends hang.
        m3 = run.send("HELPDESK (s3) Jaringan kecamatan putus")
        check(wait_for(lambda: run.tickets_for(m3), DEADLINE + SEND_TIMEOUT + run.connect_time + 4),
              "%s: intake stopped while sends hang: %s" % (what, run.dump(t_fault)))
        t_clear = time.monotonic()
        sim.clear_fault()
        # A send in flight when the fault goes still waits out its budget.
        bound = run.bound(SEND_TIMEOUT + RETRY_MAX * 1.1)
        got = [run.wait_answered(m, bound + 8) for m in (m2, m3)]
        check(all(got), "%s: replies not sent within %.0f s of clearing: %s"
              % (what, bound + 8, run.dump(t_clear)))
        rt = [run.reply_time(m) for m in (m2, m3)]
        if all(rt):
            rec = max(rt) - t_clear
            check.note("%s: recovery %.1f s after clear (bound deadline + send_timeout + "
                       "reconnect_max + connect + retry_max + %.0f = %.1f s)" % (what, rec, SLACK, bound))
            check(rec <= bound, "%s: recovered only %.1f s after clear (bound %.1f s)" % (what, rec, bound))
        hung = [e for e in run.b.sent() if e["error"] == "hang"]
        if stage:
            check(hung, "%s: no PDU taken by the hung modem" % what)
            check.note("%s: %d PDUs taken without a result (maybe delivered: "
                       "allowed as second copies)" % (what, len(hung)))
        check_no_flood(check, run, t_fault, t_clear, what, per_kind=3, total=10)
        run.final(check, 15)
    finally:
        run.finish(check)
    return check


def test_hang_cmgs():
    return _hang_cmgs(False)


def test_hang_cmgs_pdu():
    return _hang_cmgs(True)


def test_random():
    check = Check()
    run = Run("atfault-random", seed=5)
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        m1 = run.send("HELPDESK (r1) Printer lantai dua macet")
        check(run.wait_answered(m1, 10), "before the fault: no answer: %s" % run.dump())
        wait_idle(run, m1["t"])

        t_fault = time.monotonic()
        sim.fault("random")
        m2 = run.send("HELPDESK (r2) Komputer ruang server mati")
        t_det = run.lw.wait(r"did not answer|link lost|process failed|cannot connect", t_fault,
                            DEADLINE + 6)
        check(t_det, "random answers not noticed within %d s: %s" % (DEADLINE + 6, run.dump(t_fault)))
        health_not_up(check, run, "random answers", timeout=DEADLINE + 6)
        time.sleep(4)
        check(not run.answered(m2), "[r2] answered during the random fault?")
        t_clear = time.monotonic()
        sim.clear_fault()
        got = run.wait_answered(m2, run.bound() + 8)
        check(got, "after random answers: [r2] not answered within %.0f s: %s"
              % (run.bound() + 8, run.dump(t_clear)))
        rt = run.reply_time(m2)
        if rt:
            rec = rt - t_clear
            check.note("random: recovery %.1f s after clear (bound %.1f s)" % (rec, run.bound()))
            check(rec <= run.bound(), "random: recovered only %.1f s after clear (bound %.1f s)"
                  % (rec, run.bound()))
        health_ok(check, run, "after random answers")
        check_no_flood(check, run, t_fault, time.monotonic(), "random", per_kind=2, total=6)
        run.final(check, 15)
    finally:
        run.finish(check)
    return check


def test_junk(identity):
    """Phase 1: the identity's own unsolicited lines every 0.5 s (Huawei:
    ^RSSI, ^BOOT, ^DSFLOWRPT; SIM800: RDY, +CFUN: 1, Call Ready, SMS Ready):
    messages answered meanwhile within 3 s, no reconnect. Phase 2: random
    text lines every 0.5 s for 6 s: whatever it costs, recovered within the
    bound after they stop. Nothing lost or doubled; the log not flooded."""
    import modemsim
    check = Check()
    run = Run("atfault-junk-" + identity, identity)
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        m0 = run.send("HELPDESK (j0) Printer lantai dua macet")
        check(run.wait_answered(m0, 10), "before the fault: no answer: %s" % run.dump())
        wait_idle(run, m0["t"])

        own = [ln for ln in modemsim.IDENTITIES[identity]["junk"] if ln]
        t_fault = time.monotonic()
        sim.fault("junk", interval=0.5, lines=own)
        lat, late = [], []
        for k in range(1, 4):
            time.sleep(1.0)
            m = run.send("HELPDESK (j%d) Komputer nomor %d mati" % (k, k))
            if run.wait_answered(m, 4):
                lat.append(time.monotonic() - m["t"])
            else:
                late.append(m)
        t_clear = time.monotonic()
        sim.clear_fault()
        check.note("junk %s: answers while they flow in %s; %d not answered within 4 s"
                   % (own, ", ".join("%.2f s" % x for x in lat) or "-", len(late)))
        recon = run.lw.since(t_fault, r"did not answer|link lost|cannot connect|process failed")
        if identity == "huawei":
            # libGammu knows the Huawei lines (^RSSI, ^BOOT, ^DSFLOWRPT).
            check(not late, "%s's own unsolicited lines every 0.5 s: %s not answered while they"
                  " flow (log: %s)" % (identity, [m["tag"] for m in late],
                                       [ln for _, ln in run.lw.since(t_fault) if WARN_RE.match(ln)][:4]))
            check(not recon, "%s's own unsolicited lines made the daemon reconnect: %s"
                  % (identity, [ln for _, ln in recon][:3]))
        else:
            # libGammu 1.42 does not know SIM800's boot lines (RDY, +CFUN: 1,
            # Call Ready, SMS Ready): a reply behind one is never matched, so
            # the request runs into the daemon's deadline and the modem is
            # reconnected. A real module sends them once, at power-up; here
            # they keep coming, and what counts is the recovery after.
            check.note("junk %s: %d reconnect line(s) while they flowed" % (identity, len(recon)))
        if late:
            got = [run.wait_answered(m, run.bound() + 6) for m in late]
            check(all(got), "own junk: not answered within %.0f s of clearing: %s"
                  % (run.bound() + 6, run.dump(t_clear)))
            rt = [run.reply_time(m) for m in late]
            if all(rt):
                rec = max(rt) - t_clear
                check.note("junk %s: recovery %.1f s after clear (bound %.1f s)"
                           % (identity, rec, run.bound()))
                check(rec <= run.bound(), "own junk: recovered only %.1f s after clear" % rec)
        wait_idle(run, time.monotonic() - 0.5, 3)

        # Phase 2: random text (a line libGammu cannot place).
        t_f2 = time.monotonic()
        sim.fault("junk", interval=0.5, lines=[""])
        time.sleep(2.5)         # a few lines while idle, before the next command
        m = run.send("HELPDESK (j8) Proyektor aula rusak")
        during = run.wait_answered(m, 6)
        t_c2 = time.monotonic()
        sim.clear_fault()
        got = during or run.wait_answered(m, run.bound() + 6)
        check(got, "random junk: (j8) not answered within %.0f s of clearing: %s"
              % (run.bound() + 6, run.dump(t_f2)))
        rt = run.reply_time(m)
        if rt:
            check.note("random junk: (j8) %s, %.1f s after clear (bound %.1f s)"
                       % ("answered while it flowed" if during else "answered after", rt - t_c2,
                          run.bound()))
            check(rt - t_c2 <= run.bound(), "random junk: recovered only %.1f s after clear"
                  % (rt - t_c2))
        m = run.send("HELPDESK (j9) Scanner tidak terdeteksi")
        check(run.wait_answered(m, run.bound() + 4), "after junk: no answer: %s" % run.dump(t_c2))
        check_no_flood(check, run, t_fault, time.monotonic(), "junk", per_kind=2, total=8)
        run.final(check, 15)
    finally:
        run.finish(check)
    return check


def test_garbage_ok():
    check = Check()
    run = Run("atfault-garbage-ok")
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        t_fault = time.monotonic()
        sim.fault("garbage_ok", command="AT+CMGD")
        m1 = run.send("HELPDESK (d1) Printer lantai dua macet")
        check(run.wait_answered(m1, 10), "garbage OK: [d1] not answered: %s" % run.dump())
        m2 = run.send("HELPDESK (d2) Komputer ruang server mati")
        check(run.wait_answered(m2, 10), "garbage OK: [d2] not answered: %s" % run.dump())
        time.sleep(5.0)
        check.eq(run.b.count(), 2, "garbage OK: messages left on the SIM while deletes do nothing")
        c = run.counts()
        check.eq((c["messages"], c["tickets"]), (2, 2), "garbage OK: messages and tickets while"
                 " the deletes do nothing")
        for m in (m1, m2):
            check.eq(len(run.replies_to(m["norm"])), 1, "garbage OK: replies to %s" % m["tag"])
        dels = len([c for c in sim.commands(t_fault) if c["line"].upper().startswith("AT+CMGD")])
        t_clear = time.monotonic()
        check.note("garbage OK: %d AT+CMGD in %.1f s" % (dels, t_clear - t_fault))
        sim.clear_fault()
        gone = wait_for(lambda: run.b.count() == 0, 3 * 0.5 + 4)
        if check(gone, "garbage OK: the undeleted messages still on the SIM %.0f s after clearing: %s"
                 % (3 * 0.5 + 4, run.dump(t_clear))):
            check.note("garbage OK: SIM empty %.1f s after clear" % (time.monotonic() - t_clear))
        check_no_flood(check, run, t_fault, t_clear, "garbage OK", per_kind=2, total=6)
        infos = [ln for _, ln in run.lw.since(t_fault) if ln.startswith("<6>") and "already recorded" in ln]
        check(len(infos) <= 4, "garbage OK: %d 'already recorded' lines in %.1f s"
              % (len(infos), t_clear - t_fault))
        run.final(check, 10)
    finally:
        run.finish(check)
    return check


def test_cms_error():
    check = Check()
    run = Run("atfault-cms-error")
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        t_fault = time.monotonic()
        sim.fault("cms_error", code=500)
        m1 = run.send("HELPDESK (e1) Printer lantai dua macet")
        check(wait_for(lambda: run.tickets_for(m1), 8), "cms 500: not ticketed: %s" % run.dump())
        ok = wait_for(lambda: (lambda r: r if r and r[0]["attempts"] >= 2 else None)(
            query(run.env.db_path, "SELECT * FROM outbox WHERE recipient = ?", (m1["norm"],))), 10)
        check(ok and ok[0]["state"] == "pending" and ok[0]["last_error"],
              "cms 500: the reply's row after refused sends: %r" % ok)
        refused = [e for e in run.b.sent() if not e["ok"]]
        check(refused and all(e["error"] == 500 for e in refused), "cms 500: refused sends %r"
              % [(e["ok"], e["error"]) for e in refused])
        check.eq(run.replies_to(m1["norm"]), [], "cms 500: accepted replies while refused")
        t_clear = time.monotonic()
        sim.clear_fault()
        got = run.wait_answered(m1, RETRY_MAX * 1.1 + 6)
        check(got, "cms 500: reply not sent within %.0f s after clearing: %s"
              % (RETRY_MAX * 1.1 + 6, run.dump(t_clear)))
        rt = run.reply_time(m1)
        if rt:
            check.note("cms 500: %d refused sends; sent %.1f s after clear (bound retry_max %d s +"
                       " %.0f)" % (len(refused), rt - t_clear, RETRY_MAX, SLACK))
            check(rt - t_clear <= RETRY_MAX * 1.1 + SLACK, "cms 500: sent only %.1f s after clear"
                  % (rt - t_clear))
        recon = run.lw.since(t_fault, r"link lost|did not answer|cannot connect")
        check(not recon, "cms 500: a refused send made the daemon reconnect: %s"
              % [ln for _, ln in recon])

        # 322 (memory full) twice, then the modem clears by itself.
        t322 = time.monotonic()
        sim.fault("cms_error", code=322, count=2)
        m2 = run.send("HELPDESK (e2) Komputer ruang server mati")
        got = run.wait_answered(m2, RETRY_MAX * 2.2 + 8)
        check(got, "cms 322 x2: reply not sent: %s" % run.dump(t322))
        check.eq(len([e for e in run.b.sent() if e["t"] >= t322 and e["error"] == 322]), 2,
                 "cms 322: refused sends")
        check_no_flood(check, run, t_fault, time.monotonic(), "cms_error", per_kind=4, total=8)
        run.final(check, 10)
    finally:
        run.finish(check)
    return check


def test_sim_full():
    check = Check()
    size = 5
    run = Run("atfault-sim-full", sim_size=size)
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        first = [run.send("HELPDESK (f%d) Keluhan nomor %d" % (k, k)) for k in range(1, size + 1)]
        for m in first:
            check(run.wait_answered(m, 15), "first run: %s not answered: %s" % (m["tag"], run.dump()))
        check(wait_for(lambda: run.b.count() == 0, 5), "first run: SIM not emptied")
        # Every reply committed before the stop (a SIGTERM during a send
        # abandons it and the next run sends it again: reported separately).
        check(wait_for(lambda: scalar(run.env.db_path, "SELECT count(*) FROM outbox WHERE state"
                                      " = 'pending'") == 0, 5), "first run: replies not committed")
        finish_daemon(run.d, check)
        run.d = None

        # The daemon is down; the same messages come back (a modem that kept
        # them) and fill the SIM; a new one is refused.
        for m in first:
            for pdu in run.b.pdus(m["sender"], m["text"], m["i"]):
                sim.add_pdu(pdu, notify=False)
        check.eq(run.b.count(), size, "leftovers on the SIM")
        new = run.send("HELPDESK (f9) Proyektor aula rusak", add=False)
        r = sim.try_add_pdu(run.b.pdus(new["sender"], new["text"], new["i"])[0])
        check(not r.get("ok") and r.get("full"), "a full SIM took a message: %r" % r)

        t_start = time.monotonic()
        if not run.start(check, what="second start"):
            return check
        emptied = wait_for(lambda: run.b.count() == 0, 15)
        check(emptied, "the full SIM of leftovers not emptied within 15 s of connecting: %s"
              % run.dump(t_start))
        if emptied:
            check.note("sim_full: leftovers removed %.1f s after the second start"
                       % (time.monotonic() - t_start))
        full_lines = run.lw.since(t_start, r"SIM is full")
        room_lines = run.lw.since(t_start, r"SIM has room again")
        check.eq(len(full_lines), 1, "'SIM is full' lines")
        check(len(room_lines) <= 1, "'room again' lines: %d" % len(room_lines))
        new["t"] = time.monotonic()
        r = sim.try_add_pdu(run.b.pdus(new["sender"], new["text"], new["i"])[0])
        check(r.get("ok"), "the emptied SIM refuses a new message: %r" % r)
        check(run.wait_answered(new, 8), "the new message not answered: %s" % run.dump(t_start))
        run.final(check, 10)
        check_no_flood(check, run, t_start, time.monotonic(), "sim_full", per_kind=1, total=2)
    finally:
        run.finish(check)
    return check


def test_vanish():
    check = Check()
    run = Run("atfault-vanish")
    try:
        if not run.start(check):
            return check
        m1 = run.send("HELPDESK (v1) Printer lantai dua macet")
        check(run.wait_answered(m1, 10), "before: no answer: %s" % run.dump())
        check(wait_for(lambda: scalar(run.env.db_path, "SELECT count(*) FROM outbox WHERE state"
                                      " = 'pending'") == 0, 5), "before: reply not committed")
        wait_idle(run, m1["t"])

        t_kill = time.monotonic()
        run.b.kill()
        try:
            run.b.sim.add_sms("+6281299999999", "HELPDESK tidak mungkin")
            check(False, "a message was added to a vanished modem")
        except Exception:
            pass
        bound_det = SIGNAL_S + DEADLINE + 1
        t_det = run.lw.wait(r"link lost|did not answer|process failed|cannot connect", t_kill,
                            bound_det + 2)
        if t_det:
            check.note("vanish noticed %.1f s after the device went (bound: signal query every %d s"
                       " + deadline %d s = %d s)" % (t_det - t_kill, SIGNAL_S, DEADLINE, bound_det))
        check(t_det and t_det - t_kill <= bound_det,
              "an idle modem that vanished not noticed within %d s (signal query every %d s +"
              " deadline): %s" % (bound_det, SIGNAL_S, "noticed after %.1f s" % (t_det - t_kill)
                                  if t_det else "not noticed at all"))
        if t_det:
            health_not_up(check, run, "vanished")
        time.sleep(2.0)
        t_back = time.monotonic()
        run.b.restart()
        late = [run.send("HELPDESK (v2) Komputer ruang server mati", notify=False),
                run.send("HELPDESK (v3) Jaringan kecamatan putus", notify=False)]
        # Without the fix the daemon only notices at its 60 s full scan.
        limit = max(run.bound() + 6, 60 + DEADLINE + run.connect_time + 6 - (t_back - t_kill))
        got = [run.wait_answered(m, limit) for m in late]
        check(all(got), "after the modem came back: not answered within %.0f s: %s"
              % (limit, run.dump(t_back)))
        rt = [run.reply_time(m) for m in late]
        if all(rt):
            rec = max(rt) - t_back
            check.note("vanish: answered %.1f s after the modem came back (bound reconnect_max %d"
                       " + connect %.1f + %.0f = %.1f s); %.1f s after it went"
                       % (rec, RECONNECT_MAX, run.connect_time, SLACK,
                          RECONNECT_MAX + run.connect_time + SLACK, max(rt) - t_kill))
            check(rec <= RECONNECT_MAX + run.connect_time + SLACK,
                  "vanish: answered only %.1f s after the modem came back" % rec)
        health_ok(check, run, "after the modem came back")
        check_no_flood(check, run, t_kill, time.monotonic(), "vanish", per_kind=1, total=4)
        run.final(check, 15)
    finally:
        run.finish(check)
    return check


def test_sigkill_worker():
    """helpdeskd SIGKILLed while its modem worker waits on the modem (an
    AT+CMGR never answered): the worker must go with it (it holds the
    device), and the daemon restarted at once must open the modem and
    answer the message."""
    check = Check()
    run = Run("atfault-sigkill-worker")
    try:
        if not run.start(check):
            return check
        sim = run.b.sim
        m1 = run.send("HELPDESK (k1) Printer lantai dua macet")
        check(run.wait_answered(m1, 10), "before: no answer: %s" % run.dump())
        wait_idle(run, m1["t"])
        t_f = time.monotonic()
        sim.fault("hang", command="AT+CMGR")
        m2 = run.send("HELPDESK (k2) Komputer ruang server mati")
        check(sim.wait_command("AT+CMGR", since=t_f, timeout=5), "no AT+CMGR for (k2)")
        workers = atpeers.children(run.d.pid)
        check(workers, "no modem worker under pid %d" % run.d.pid)
        run.d.kill()
        t_kill = time.monotonic()
        sim.clear_fault()
        run.d = run.env.daemon().start()          # at once, as a supervisor would
        run.lw = LogWatcher(run.d.log_path)
        run.watchers.append(run.lw)
        gone = wait_for(lambda: not any(atpeers.pid_alive(p) for p in workers), DEADLINE + 2, 0.05)
        if not check(gone, "the modem worker %s outlived its daemon's SIGKILL by more than %d s (it"
                     " holds the device; libGammu may wait a minute or more on its own); killed by"
                     " the test" % (workers, DEADLINE + 2)):
            for p in workers:
                if atpeers.pid_alive(p):
                    os.kill(p, 9)
        else:
            check.note("the orphaned worker went %.1f s after the SIGKILL" % (time.monotonic() - t_kill))
        check(run.lw.wait(re.escape(CONNECTED), 0, 20), "restart after SIGKILL: no '%s' within 20 s:"
              " %s" % (CONNECTED, run.dump(t_kill)))
        busy = run.lw.since(t_kill, r"cannot connect")
        check(not busy, "the restarted daemon could not open the modem: %s" % [ln for _, ln in busy])
        got = run.wait_answered(m2, DEADLINE + 2 + run.bound())
        check(got, "(k2) not answered after the restart: %s" % run.dump(t_kill))
        rt = run.reply_time(m2)
        if rt:
            check.note("(k2) answered %.1f s after the SIGKILL (bound deadline %d + connect %.1f + %.0f ="
                       " %.1f s)" % (rt - t_kill, DEADLINE, run.connect_time, SLACK,
                                     DEADLINE + run.connect_time + SLACK))
            check(rt - t_kill <= DEADLINE + run.connect_time + SLACK,
                  "(k2) answered only %.1f s after the SIGKILL" % (rt - t_kill))
        run.final(check, 15)
    finally:
        run.finish(check)
    return check


def test_email_hang():
    import mailgen
    import test_email
    check = Check()
    try:
        with test_email.World("atfault-email", check) as env:
            run = Run("atfault-email", env=env,
                      overrides={"outbox.retry_max": RETRY_MAX, "outbox.replies_per_hour": 100})
            try:
                if not run.start(check):
                    return check
                sim = run.b.sim
                m1 = run.send("HELPDESK (w1) Printer lantai dua macet")
                check(run.wait_answered(m1, 10), "before: no SMS answer: %s" % run.dump())
                wait_idle(run, m1["t"])
                lat = []

                def mail_round(n, what):
                    t = env.deliver(mailgen.make_mail(
                        frm="user%d@opd.example" % n, subject="HELPDESK (w%d) laptop rusak" % (10 + n),
                        body="Keluhan nomor %d." % n))
                    got = env.sink.wait_count(n, 8)
                    if check(got >= n, "%s: mail %d not answered within 8 s: %s"
                             % (what, n, run.dump())):
                        lat.append((what, env.sink.get(n).time - t))

                # 1. The SMS thread stuck in a send (AT+CMGS never answered).
                sim.fault("hang", command="AT+CMGS")
                t_f = time.monotonic()
                m2 = run.send("HELPDESK (w2) Komputer ruang server mati")
                check(sim.wait_command("AT+CMGS", since=t_f, timeout=8),
                      "the reply's AT+CMGS not seen: %s" % run.dump(t_f))
                time.sleep(0.5)
                mail_round(1, "send hung")
                # 2. A silent modem, the SMS thread reconnecting.
                sim.fault("hang")
                t_g = run.lw.wait(r"did not answer|link lost", t_f, DEADLINE + SEND_TIMEOUT + 4)
                check(t_g, "the hung send not noticed: %s" % run.dump(t_f))
                time.sleep(1.0)
                mail_round(2, "modem silent")
                health_not_up(check, run, "modem silent")
                p = harness.ctl(run.env, "health")
                check(re.search(r"^imap inbox\s+up", p.stdout, re.M),
                      "email channel not up while the modem hangs:\n%s" % p.stdout)
                time.sleep(2.0)
                mail_round(3, "modem silent")
                check.note("mail answered in %s" % ", ".join("%.2f s (%s)" % (x, w) for w, x in lat))
                check(lat and max(x for _, x in lat) <= 5.0, "mail answered too slowly while the modem"
                      " hangs: %s" % lat)
                t_clear = time.monotonic()
                sim.clear_fault()
                got = run.wait_answered(m2, run.bound(SEND_TIMEOUT + RETRY_MAX * 1.1) + 8)
                check(got, "[w2] not answered after the modem came back: %s" % run.dump(t_clear))
                health_ok(check, run, "after the hang")
                run.final(check, 15, extra_tickets=3)
            finally:
                if run.d is not None and run.d.proc is not None:
                    finish_daemon(run.d, check)
                for w in run.watchers:
                    w.stop()
                run.b.stop()
    except harness.TestFailure as e:
        check(False, str(e))
    return check


# ---------------------------------------------------------------------------
# atcrash/200

CRASH_SEED = int(os.environ.get("HD_ATCRASH_SEED", "20261124"))
CRASH_KILLS = int(os.environ.get("HD_ATCRASH_KILLS", "6"))
CRASH_MESSAGES = int(os.environ.get("HD_ATCRASH_MESSAGES", "200"))


def crash_messages(rng):
    import test_crash
    msgs = test_crash.make_messages(rng)[:CRASH_MESSAGES]
    for m in msgs:
        m["sender"] = m["sender"].replace("-", "")      # an SMS carries digits only
        # "(c001)", not "[c001]": brackets are GSM extension characters,
        # which at/*/messages covers on its own (gsm_extension).
        tag = "(%s)" % m["tag"][1:-1]
        m["text"] = m["text"].replace(m["tag"], tag, 1)
        m["tag"] = tag
    return msgs


def test_atcrash():
    import test_crash
    check = Check()
    rng = random.Random(CRASH_SEED)
    msgs = crash_messages(rng)
    env = TestEnv("atcrash", {"log_level": "info", "outbox.replies_per_hour": 1000,
                              "outbox.retry_max": RETRY_MAX})
    no_admins(env)
    b = AtBackend(env, "huawei", sim_size=255, seed=CRASH_SEED)
    binary = test_crash.crash_binary()
    check.note("binary %s" % os.path.relpath(binary, ROOT))
    d = None
    workers = set()
    kill_times = []
    t_start = time.monotonic()
    try:
        b.setup()
        env.write_config()
        queue = collections.deque()
        sizes = {}
        full_until = [0.0]
        orphans = []

        def flush():
            # The network holds what a full SIM cannot take and delivers it
            # once there is room (it does not retry into a full SIM: each
            # refusal would make the Huawei say ^SMMEMFULL, see the report).
            if not queue or time.monotonic() < full_until[0]:
                return
            free = 255 - b.count()
            while queue and free > 0:
                r = b.sim.try_add_pdu(queue[0])
                if not r.get("ok"):
                    raise RuntimeError("simulator refused a PDU: %r" % r)
                queue.popleft()
                free -= 1
            if queue:
                full_until[0] = time.monotonic() + 0.25

        watch = []          # (pid, kill number, monotonic time of the kill)

        def reap_orphans():
            """A SIGKILLed daemon's modem worker must go by itself (it holds
            the device): one still there deadline + 2 s after the kill is
            recorded and killed by the test."""
            for item in list(watch):
                p, k, t = item
                if not atpeers.pid_alive(p):
                    watch.remove(item)
                elif time.monotonic() > t + DEADLINE + 2:
                    watch.remove(item)
                    orphans.append((p, k))
                    try:
                        os.kill(p, 9)
                    except OSError:
                        pass

        def pump(until):
            while True:
                flush()
                reap_orphans()
                left = until - time.monotonic()
                if left <= 0:
                    return
                time.sleep(min(0.05, left))

        def note_worker(dm):
            wait_for(lambda: atpeers.children(dm.pid), 2, 0.02)
            workers.update(atpeers.children(dm.pid))

        plan = kill_plan(rng, msgs, CRASH_KILLS)
        d = env.daemon(binary).start()
        note_worker(d)
        t_base = time.monotonic()
        for when, what, batch in plan:
            pump(t_base + when)
            if what == "drop":
                for m in batch:
                    pdus = [modemsim_deliver(m, p) for p in _parts(m)]
                    sizes[m["tag"]] = len(pdus)
                    queue.extend(pdus)
                flush()
            else:
                if not d.alive():
                    check(False, "helpdeskd died on its own before kill %d; log tail:\n%s"
                          % (len(kill_times) + 1, d.log_tail()))
                mine = atpeers.children(d.pid)
                workers.update(mine)
                d.kill()
                kill_times.append(time.monotonic())
                d = env.daemon(binary).start(timeout=20)
                watch.extend((p, len(kill_times), kill_times[-1]) for p in mine)
                note_worker(d)
        check.note("%d messages (%d PDUs, SIM of 255), %d SIGKILLs in %.1f s"
                   % (len(msgs), sum(sizes.values()), len(kill_times), time.monotonic() - t_base))

        def done():
            flush()
            reap_orphans()
            if queue or b.count():
                return False
            r = scalar(env.db_path, "SELECT count(*) FROM outbox WHERE state = 'pending'")
            n = scalar(env.db_path, "SELECT count(*) FROM messages")
            return r == 0 and n is not None and n >= len(msgs)

        ok = wait_for(done, 240, 0.25)
        check(ok, "not settled 240 s after the last drop: queue %d, SIM %d, %r"
              % (len(queue), b.count(), query(env.db_path, "SELECT state, count(*) AS n FROM outbox"
                                                            " GROUP BY state")))
        check(d.alive(), "helpdeskd died at the end; log tail:\n" + d.log_tail())
        finish_daemon(d, check)
        d = None

        tickets = query(env.db_path, "SELECT * FROM tickets ORDER BY id")
        messages = query(env.db_path, "SELECT * FROM messages ORDER BY id")
        outbox = query(env.db_path, "SELECT * FROM outbox ORDER BY id")
        events = query(env.db_path, "SELECT * FROM events WHERE kind = 'created'")
        by_tag = check_one_ticket_each(check, msgs, tickets, messages, r"\(c\d{3}\)")
        ids = {t["id"] for t in tickets}
        created = collections.Counter(e["ticket_id"] for e in events)
        check(all(created.get(i) == 1 for i in ids), "tickets without exactly one 'created' event: %d"
              % sum(1 for i in ids if created.get(i) != 1))
        replies = collections.defaultdict(list)
        for o in outbox:
            if o["kind"] == "reply":
                replies[o["ticket_id"]].append(o)
        not_one = [i for i in ids if len(replies.get(i, [])) != 1]
        check(not not_one, "%d tickets without exactly one reply row" % len(not_one))
        unsent = [o["id"] for rs in replies.values() for o in rs
                  if o["state"] != "sent" or not o["provider_ref"]]
        check(not unsent, "%d reply rows not sent: %s" % (len(unsent), unsent[:5]))
        seqs = sorted(int(t["number"].rsplit("-", 1)[1]) for t in tickets)
        check(seqs == list(range(1, len(tickets) + 1)), "ticket numbers have gaps or repeats: %s"
              % [(i + 1, s) for i, s in enumerate(seqs) if s != i + 1][:5])
        check(b.empty(), "SIM not empty: %s" % b.describe())

        # At the modem: one accepted reply PDU per ticket; a second copy only
        # when a SIGKILL fell between the two (sent, not committed).
        sent = b.sent_messages()
        dups, unexplained, missing = 0, [], []
        for t in tickets:
            copies = sorted(e["t"] for e in sent if e["number"] == t["reporter"] and t["number"] in e["text"])
            if not copies:
                missing.append(t["number"])
            for a, c in zip(copies, copies[1:]):
                dups += 1
                if not any(a <= k <= c for k in kill_times):
                    unexplained.append((t["number"], round(c - a, 2)))
        check(not missing, "%d tickets without a reply at the modem: %s" % (len(missing), missing[:5]))
        check(not unexplained, "reply sent twice with no SIGKILL in between: %s" % unexplained[:5])
        check.note("modem: %d accepted reply PDUs for %d tickets, %d second copies (each after a"
                   " SIGKILL between send and commit)" % (len(sent), len(tickets), dups))
        check(not orphans, "%d of %d SIGKILLs left the modem worker running more than %d s (it"
              " holds the device: the restarted daemon cannot open it); killed by the test: %s"
              % (len(orphans), len(kill_times), DEADLINE + 2, orphans))
        left = [p for p in workers if atpeers.pid_alive(p)]
        check(not left, "modem workers still running at the end: %s" % left)
        check.note("total %.1f s" % (time.monotonic() - t_start))
    finally:
        if d:
            d.kill()
        for p in workers:
            if atpeers.pid_alive(p):
                try:
                    os.kill(p, 9)
                except OSError:
                    pass
        b.stop()
        env.cleanup(not check.ok)
    return check


def _parts(m):
    import modemsim
    coding, parts = modemsim.split_text(m["text"])
    m["coding"] = coding
    return [(k, len(parts), p) for k, p in enumerate(parts, 1)] if len(parts) > 1 else [(0, 1, m["text"])]


def modemsim_deliver(m, part):
    import modemsim
    k, n, text = part
    concat = (m["ref"], k, n) if n > 1 else None
    return modemsim.deliver_pdu(m["sender"], text, m["when"], m["coding"], concat=concat)


# ---------------------------------------------------------------------------

def tests(pattern=None):
    # The crash test first: the longest, it overlaps the others under -j.
    out = [("atcrash/200", test_atcrash)]
    out += [
        ("atfault/vanish", test_vanish),
        ("atfault/hang", test_hang),
        ("atfault/junk/sim800", lambda: test_junk("sim800")),
        ("atfault/hang_cmgs", test_hang_cmgs),
        ("atfault/junk/huawei", lambda: test_junk("huawei")),
        ("atfault/email_hang", test_email_hang),
        ("atfault/sigkill_worker", test_sigkill_worker),
        ("atfault/hang_cmgl", test_hang_cmgl),
        ("atfault/random", test_random),
        ("atfault/hang_cmgs_pdu", test_hang_cmgs_pdu),
        ("atfault/cms_error", test_cms_error),
        ("atfault/sim_full", test_sim_full),
        ("atfault/garbage_ok", test_garbage_ok),
    ]
    out += [("at/%s/messages" % b, (lambda b=b: test_messages(b))) for b in ("huawei", "sim800", "dummy")]
    return out
