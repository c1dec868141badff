"""test_email.py: email scenarios that need more than a case file: peers
going away and coming back, first-connection behaviour, TLS trust changed
between runs, timeouts of silent servers, UIDVALIDITY changes.

Each test builds a mailpeers.EmailEnv (private Dovecot, SMTP sink, its own
database) and runs helpdeskd (the build under test) against it:

- tls_untrusted_then_trusted: IMAPS against a certificate from another CA
  is refused (no LOGIN in Dovecot's log, mail stays unseen, a "certificate"
  warning, retried with backoff, daemon keeps running); the same setup with
  ca_file = that CA works.
- dovecot_restart: Dovecot stopped and started again while helpdeskd waits
  in IDLE; a mail delivered after the restart is processed; the daemon
  logged the lost connection and reconnected (and did not log every retry).
- smtp_down: a complaint arrives while the relay is down: the reply stays
  pending with last_error; when the sink comes back it is sent, exactly
  once, and the row is 'sent'.
- initial_unseen / initial_new / initial_all: what the very first
  connection takes from a mailbox that already has seen and unseen mail.
- idle_latency: with IDLE, mails delivered one at a time get their reply
  within a few seconds (the sanitizer build; the benchmark measures the
  optimised one).
- imap_silent / smtp_silent: a server that accepts the connection and never
  says a word: the network timeout (5 s) applies (logged; for SMTP the
  reply keeps last_error and stays pending), intake goes on while SMTP
  hangs, and SIGTERM still stops the daemon promptly.
- unseen_by_staff: mail processed, then staff mark it unread in the shared
  mailbox: after a restart nothing is recorded or answered twice, and new
  mail is still processed. (A crash between commit and flagging is the
  SIGKILL test's business: test_email_crash.py.)
- uidvalidity_change: the folder is deleted and made again with the same
  mails (new UIDVALIDITY): nothing is re-ticketed, a new mail is.
- exists_outside_idle: mail 2 arrives while mail 1 is being recorded (the
  test holds the database's write lock): the server announces it in the
  response to UID STORE, before IDLE; it must still be taken at once.
- two_mailboxes: two IMAP accounts; the same mail delivered to both is
  recorded once (by Message-ID), both copies are \\Seen.
"""

import os
import socket
import sqlite3
import threading
import re
import time

import harness
import mailgen
import mailpeers
from harness import Check, Raw, TestFailure, finish_daemon, query, scalar, wait_for


def counts(env):
    out = {}
    for t in ("messages", "tickets", "outbox"):
        out[t] = scalar(env.db_path, "SELECT count(*) FROM %s" % t) or 0
    out["pending"] = scalar(env.db_path, "SELECT count(*) FROM outbox WHERE state = 'pending'") or 0
    out["sink"] = env.sink.count()
    return out


def mail(n, frm="budi@dinkes.example", subject=None, **kw):
    return mailgen.make_mail(frm=frm, subject=subject or "HELPDESK [t%d] komputer nomor %d mati" % (n, n),
                             body="Keluhan nomor %d." % n, **kw)


def settled(env, messages):
    c = counts(env)
    try:
        mb = env.mailbox()
    except Exception:
        return False
    return c["messages"] >= messages and c["pending"] == 0 and mb["unseen"] == 0


class World:
    """with World(name, check, ...) as env: an EmailEnv with peers started,
    configured, cleaned up at the end (kept when the check failed)."""

    def __init__(self, name, check, overrides=None, imap=None, peers=None, start_sink=True):
        self.check = check
        self.env = mailpeers.EmailEnv(name, peers=peers)
        self.overrides = overrides or {}
        self.imap = imap or {}
        self.start_sink = start_sink

    def __enter__(self):
        env = self.env
        try:
            env.start_peers(sink=self.start_sink)
            paths = env.paths()
            for k, v in self.overrides.items():
                env.overrides[k] = Raw(v.format(**paths)) if isinstance(v, str) else v
            for k, v in self.imap.items():
                env.imap_overrides[k] = Raw(v.format(**paths)) if isinstance(v, str) else v
            env.configure()
        except Exception:
            env.cleanup(True)
            raise
        return env

    def __exit__(self, et, ev, tb):
        if et is not None and issubclass(et, TestFailure):
            self.check(False, str(ev))
        kept = self.env.cleanup(et is not None or not self.check.ok)
        if kept:
            self.check.note("kept %s" % kept)
        return et is not None and issubclass(et, TestFailure)


def dump(env, d=None):
    out = ["counts %r, mailbox %r" % (counts(env), _safe(env.mailbox))]
    for r in query(env.db_path, "SELECT id, kind, recipient, state, attempts, last_error "
                   "FROM outbox ORDER BY id")[:10]:
        out.append("  outbox %r" % r)
    if d is not None:
        out.append("  daemon log tail:\n    " + "\n    ".join(d.log_tail(25).splitlines()))
    return "\n".join(out)


def _safe(fn):
    try:
        return fn()
    except Exception as e:
        return "(%s)" % e


# ---------------------------------------------------------------------------

def test_tls_untrusted_then_trusted():
    check = Check()
    with World("email-tls", check, peers={"cert": "other"},
               imap={"tls": '"imaps"', "port": "{imaps_port}", "tls_verify": "true",
                     "ca_file": '"{ca_file}"'}) as env:
        env.deliver(mail(1))
        d = env.daemon().start()
        t0 = time.monotonic()
        wait_for(lambda: "certificate" in d.log().lower(), 10)
        time.sleep(max(0.0, 8 - (time.monotonic() - t0)))
        log = d.log()
        check(d.alive(), "helpdeskd died with an untrusted certificate:\n" + d.log_tail())
        check("certificate" in log.lower(), "no log line naming the certificate:\n" + d.log_tail())
        check.eq(env.dovecot.logins(), 0, "IMAP logins with an untrusted certificate")
        check.eq(counts(env)["messages"], 0, "messages recorded with an untrusted certificate")
        check.eq(env.mailbox()["unseen"], 1, "unseen mails")
        tries = sum(1 for ln in log.splitlines() if "certificate" in ln.lower())
        check(1 <= tries <= 12, "%d certificate log lines in 8 s (want a retry with backoff, "
              "not a tight loop)" % tries)
        check.note("untrusted: %d log lines naming the certificate in 8 s" % tries)
        finish_daemon(d, check)

        # The same server with ca_file = the CA that signed its certificate.
        env.imap_overrides["ca_file"] = Raw('"%s"' % env.certs.other_ca)
        env.configure()
        d = env.daemon().start()
        ok = wait_for(lambda: settled(env, 1) and env.sink.count() >= 1, 20)
        check(ok, "trusted CA: mail not processed in 20 s: " + dump(env, d))
        check.eq(counts(env)["tickets"], 1, "tickets with the right ca_file")
        check(env.dovecot.logins() >= 1, "no IMAP login with the right ca_file")
        finish_daemon(d, check)
    return check


def test_dovecot_restart():
    check = Check()
    with World("email-dvrestart", check, overrides={"sms.reconnect_min": 1,
                                                    "sms.reconnect_max": 4}) as env:
        d = env.daemon().start()
        env.deliver(mail(1))
        check(wait_for(lambda: settled(env, 1) and env.sink.count() == 1, 20),
              "first mail not processed: " + dump(env, d))
        log_before = len(d.log().splitlines())
        env.dovecot.stop()
        time.sleep(4)
        check(d.alive(), "helpdeskd died when Dovecot stopped:\n" + d.log_tail())
        down_lines = d.log().splitlines()[log_before:]
        env.dovecot.start()
        t_up = time.monotonic()
        env.deliver(mail(2))
        ok = wait_for(lambda: settled(env, 2) and env.sink.count() == 2, 30)
        check(ok, "mail delivered after the restart not processed in 30 s: " + dump(env, d))
        check.note("processed %.1f s after Dovecot came back" % (time.monotonic() - t_up))
        check(d.alive(), "helpdeskd died after the Dovecot restart")
        after = d.log().splitlines()[log_before:]
        check(any(("connect" in ln.lower() or "lost" in ln.lower() or "closed" in ln.lower())
                  for ln in after), "no log line about the lost connection / reconnect:\n"
              + "\n".join(after[-20:]))
        warn = [ln for ln in down_lines if "warn" in ln.lower() or "error" in ln.lower()]
        check(len(warn) <= 4, "%d warning/error lines in 4 s while Dovecot was down (log once, "
              "then back off):\n%s" % (len(warn), "\n".join(warn[:10])))
        check.note("log while Dovecot was down (%d lines):\n%s"
                   % (len(down_lines), "\n".join(down_lines[:8])))
        c = counts(env)
        check.eq((c["tickets"], c["sink"]), (2, 2), "tickets, sink messages")
        finish_daemon(d, check)
    return check


def test_smtp_down():
    check = Check()
    with World("email-smtpdown", check, start_sink=False,
               overrides={"outbox.retry_min": 1, "outbox.retry_max": 3}) as env:
        d = env.daemon().start()
        env.deliver(mail(1))
        # A relay that cannot be reached is the link being down, not a failed
        # attempt of the row (max_attempts is not used up by an outage): the
        # row gets last_error, attempts may stay 0.
        ok = wait_for(lambda: scalar(env.db_path, "SELECT count(*) FROM outbox WHERE kind = 'reply' "
                                     "AND last_error IS NOT NULL") or 0, 15)
        check(ok, "no last_error on the reply while SMTP is down: " + dump(env, d))
        time.sleep(3)
        r = query(env.db_path, "SELECT * FROM outbox WHERE kind = 'reply'")
        check(len(r) == 1 and r[0]["state"] == "pending",
              "reply while SMTP is down: %r" % [(x["state"], x["attempts"]) for x in r])
        check.eq(env.mailbox()["unseen"], 0, "unseen mails while SMTP is down (intake goes on)")
        if r:
            check.note("while down: attempts %s, last_error %r" % (r[0]["attempts"], r[0]["last_error"]))
        env.sink.start()
        t_up = time.monotonic()
        ok = wait_for(lambda: env.sink.count() >= 1 and counts(env)["pending"] == 0, 20)
        check(ok, "reply not sent within 20 s after SMTP came back: " + dump(env, d))
        check.note("sent %.1f s after the sink came back" % (time.monotonic() - t_up))
        time.sleep(3)
        check.eq(env.sink.count(), 1, "messages at the sink (exactly once)")
        r = query(env.db_path, "SELECT * FROM outbox WHERE kind = 'reply'")
        check(len(r) == 1 and r[0]["state"] == "sent" and r[0]["sent_at"] and r[0]["provider_ref"],
              "reply row after SMTP came back: %r" % r)
        finish_daemon(d, check)
    return check


def _initial(mode, expect_tags, name):
    """Three mails before the first start: [i1] seen, [i2] and [i3] unseen;
    then [i4] after the start. expect_tags: the tags ticketed in the end."""
    check = Check()
    with World("email-init-" + mode, check, imap={"initial": '"%s"' % mode}) as env:
        env.dovecot.append(mail(1, subject="HELPDESK [i1] sudah dibaca orang"), flags="\\Seen")
        env.deliver(mail(2, subject="HELPDESK [i2] belum dibaca"))
        env.deliver(mail(3, subject="HELPDESK [i3] belum dibaca juga"))
        d = env.daemon().start()
        time.sleep(3)
        env.deliver(mail(4, subject="HELPDESK [i4] datang setelah mulai"))
        ok = wait_for(lambda: any("[i4]" in (t["text"] or "") for t in query(
            env.db_path, "SELECT text FROM tickets")) and counts(env)["pending"] == 0, 20)
        check(ok, "the mail after the start was not ticketed: " + dump(env, d))
        time.sleep(1.5)
        tags = sorted(tag for t in query(env.db_path, "SELECT text FROM tickets")
                      for tag in ("[i1]", "[i2]", "[i3]", "[i4]") if tag in (t["text"] or ""))
        check.eq(tags, sorted(expect_tags), "tickets taken with initial = %s" % mode)
        fl = env.dovecot.flags()
        check("\\Seen" in fl.get(1, set()), "the already seen mail lost \\Seen: %r" % fl)
        check.eq(env.sink.count(), len(expect_tags), "replies at the sink")
        if mode == "new":
            check("\\Seen" not in fl.get(2, set()) and "\\Seen" not in fl.get(3, set()),
                  "initial = new touched the old unseen mails: %r" % fl)
        finish_daemon(d, check)
    return check


def test_initial_unseen():
    return _initial("unseen", ["[i2]", "[i3]", "[i4]"], "unseen")


def test_initial_new():
    return _initial("new", ["[i4]"], "new")


def test_initial_all():
    return _initial("all", ["[i1]", "[i2]", "[i3]", "[i4]"], "all")


def test_idle_latency():
    check = Check()
    with World("email-idle", check) as env:
        d = env.daemon().start()
        time.sleep(1.0)
        lat = []
        for i in range(1, 6):
            t = env.deliver(mail(i, frm="user%d@opd.example" % i))
            ok = env.sink.wait_count(i, 10)
            if ok < i:
                check(False, "mail %d: no reply within 10 s: %s" % (i, dump(env, d)))
                break
            lat.append(env.sink.get(i).time - t)
            time.sleep(0.3)
        if lat:
            check.note("delivery -> reply at the sink: %s s" % ", ".join("%.2f" % x for x in lat))
            check(max(lat) <= 3.0, "IDLE latency over 3 s: %s" % ["%.2f" % x for x in lat])
        finish_daemon(d, check)
        # SIGTERM ends the IMAP session with LOGOUT, not a dropped link.
        check(wait_for(lambda: re.search(r"imap\(helpdesk\).*: Logged out", env.dovecot.log()), 5),
              "no LOGOUT at SIGTERM in Dovecot's log:\n" + env.dovecot.log()[-600:])
    return check


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.t.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


def test_imap_silent():
    check = Check()
    srv = SilentServer()
    try:
        with World("email-imapsilent", check, imap={"timeout": 5}) as env:
            env.imap_overrides["port"] = srv.port
            env.configure()
            d = env.daemon().start()
            t0 = time.monotonic()
            ok = wait_for(lambda: "timed out" in d.log() or "timeout" in d.log().lower(), 20, 0.2)
            dt = time.monotonic() - t0
            check(ok, "no timeout logged within 20 s for a silent IMAP server (timeout = 5):\n"
                  + d.log_tail(10))
            check(d.alive(), "helpdeskd died with a silent IMAP server:\n" + d.log_tail())
            check.note("silent IMAP server: timeout logged after %.1f s (imap.timeout = 5), "
                       "%d connections" % (dt, len(srv.conns)))
            finish_daemon(d, check)
    finally:
        srv.close()
    return check


def test_smtp_silent():
    check = Check()
    srv = SilentServer()
    try:
        with World("email-smtpsilent", check, overrides={"smtp.timeout": 5}) as env:
            env.overrides["smtp.port"] = srv.port
            env.configure()
            d = env.daemon().start()
            env.deliver(mail(1))
            time.sleep(1.0)
            env.deliver(mail(2, frm="siti@bpkad.example"))
            ok = wait_for(lambda: counts(env)["tickets"] >= 2 and env.mailbox()["unseen"] == 0, 15)
            check(ok, "intake stalled while SMTP hangs: " + dump(env, d))
            ok = wait_for(lambda: scalar(env.db_path, "SELECT count(*) FROM outbox WHERE "
                                         "last_error IS NOT NULL") or 0, 20)
            check(ok, "no last_error after the SMTP timeout: " + dump(env, d))
            r = query(env.db_path, "SELECT state, attempts, last_error FROM outbox")
            check(all(x["state"] == "pending" for x in r), "replies: %r" % r)
            check.note("replies with a silent SMTP server: %r" % r[:2])
            finish_daemon(d, check)
    finally:
        srv.close()
    return check


def test_unseen_by_staff():
    check = Check()
    with World("email-unseenagain", check) as env:
        d = env.daemon().start()
        for i in range(1, 4):
            env.deliver(mail(i, frm="user%d@opd.example" % i))
        check(wait_for(lambda: settled(env, 3) and env.sink.count() == 3, 20),
              "three mails not processed: " + dump(env, d))
        finish_daemon(d, check)
        before = counts(env)
        c = env.dovecot.connect()
        try:
            c.select("INBOX")
            c.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
        finally:
            c.logout()
        check.eq(env.mailbox()["unseen"], 3, "unseen after removing \\Seen")
        d = env.daemon().start()
        env.deliver(mail(4, frm="user4@opd.example"))
        ok = wait_for(lambda: counts(env)["tickets"] >= 4 and counts(env)["pending"] == 0
                      and env.sink.count() >= 4, 20)
        check(ok, "the new mail was not processed after the restart: " + dump(env, d))
        time.sleep(1.5)
        after = counts(env)
        check.eq((after["messages"], after["tickets"], after["sink"]),
                 (before["messages"] + 1, before["tickets"] + 1, before["sink"] + 1),
                 "messages, tickets, sink after staff marked three processed mails unread")
        fl = env.dovecot.flags()
        check.note("flags after the restart: %s" % {u: sorted(f) for u, f in fl.items()})
        finish_daemon(d, check)
    return check


def test_uidvalidity_change():
    check = Check()
    with World("email-uidvalidity", check, peers={"folders": ["Helpdesk"]},
               imap={"folder": '"Helpdesk"'}) as env:
        d = env.daemon().start()
        raws = [mail(i, frm="user%d@opd.example" % i) for i in range(1, 4)]
        for r in raws:
            env.deliver(r, folder="Helpdesk")
        ok = wait_for(lambda: counts(env)["tickets"] >= 3 and counts(env)["pending"] == 0
                      and env.dovecot.summary(env.user, "Helpdesk")["unseen"] == 0, 20)
        check(ok, "three mails not processed: " + dump(env, d))
        uv1 = env.dovecot.uidvalidity(env.user, "Helpdesk")
        finish_daemon(d, check)
        env.dovecot.doveadm("mailbox", "delete", "-u", env.user, "Helpdesk")
        time.sleep(1.1)      # Dovecot's UIDVALIDITY is a time stamp
        env.dovecot.create_folder("Helpdesk", env.user)
        for r in raws:
            env.deliver(r, folder="Helpdesk")
        uv2 = env.dovecot.uidvalidity(env.user, "Helpdesk")
        check(uv1 != uv2, "UIDVALIDITY did not change (%s)" % uv1)
        d = env.daemon().start()
        env.deliver(mail(9, frm="user9@opd.example"), folder="Helpdesk")
        ok = wait_for(lambda: counts(env)["tickets"] >= 4 and counts(env)["pending"] == 0
                      and env.dovecot.summary(env.user, "Helpdesk")["unseen"] == 0, 20)
        check(ok, "after the UIDVALIDITY change: not settled: " + dump(env, d))
        time.sleep(1)
        c = counts(env)
        check.eq((c["tickets"], c["sink"]), (4, 4), "tickets, sink after the UIDVALIDITY change")
        mb = query(env.db_path, "SELECT * FROM mailboxes")
        check(len(mb) == 1 and mb[0]["uidvalidity"] == uv2,
              "mailboxes row after the change: %r (new UIDVALIDITY %s)" % (mb, uv2))
        finish_daemon(d, check)
    return check


def test_two_mailboxes():
    check = Check()
    with World("email-twomb", check, peers={"users": {"helpdesk": "pw", "pengaduan": "pw2"}}) as env:
        second = dict(env.cfg["imap"][0], name="pengaduan", user="pengaduan", password="pw2")
        env.cfg["imap"].append(second)
        env.write_config()
        d = env.daemon().start()
        same = mail(1, subject="HELPDESK [two] dikirim ke dua alamat helpdesk")
        env.dovecot.deliver(same, "helpdesk")
        env.dovecot.deliver(same, "pengaduan")
        env.dovecot.deliver(mail(2, frm="siti@bpkad.example"), "pengaduan")
        ok = wait_for(lambda: counts(env)["tickets"] >= 2 and counts(env)["pending"] == 0
                      and env.dovecot.summary("helpdesk")["unseen"] == 0
                      and env.dovecot.summary("pengaduan")["unseen"] == 0, 20)
        check(ok, "two mailboxes not processed: %s; pengaduan %r" % (
            dump(env, d), _safe(lambda: env.dovecot.summary("pengaduan"))))
        time.sleep(1)
        c = counts(env)
        check.eq((c["messages"], c["tickets"], c["sink"]), (2, 2, 2),
                 "messages, tickets, sink (the same mail in two mailboxes is recorded once)")
        mb = sorted(r["name"] for r in query(env.db_path, "SELECT name FROM mailboxes"))
        check.eq(mb, ["inbox", "pengaduan"], "mailboxes rows")
        finish_daemon(d, check)
    return check


def test_exists_outside_idle():
    """New mail announced while helpdeskd is busy with another command: the
    untagged EXISTS comes in the response to UID STORE, not in IDLE. Made
    deterministic by holding the database's write lock while mail 1 is
    being recorded (helpdeskd waits, busy_timeout 10 s) and delivering mail
    2 meanwhile."""
    check = Check()
    with World("email-exists", check) as env:
        d = env.daemon().start()
        time.sleep(1.0)
        con = sqlite3.connect(env.db_path, timeout=10)
        try:
            con.execute("BEGIN IMMEDIATE")
            env.deliver(mail(1, frm="user1@opd.example"))
            time.sleep(1.5)            # mail 1 fetched; its transaction waits
            env.deliver(mail(2, frm="user2@opd.example"))
            time.sleep(1.0)            # Dovecot has seen mail 2
        finally:
            con.rollback()
            con.close()
        t0 = time.monotonic()
        ok = wait_for(lambda: counts(env)["messages"] >= 2, 8)
        check(ok, "mail 2 (delivered while mail 1 was being recorded) not processed within 8 s "
              "after the lock was released: %s" % dump(env, d))
        if ok:
            check.note("both processed %.1f s after the lock was released" % (time.monotonic() - t0))
        finish_daemon(d, check)
    return check


def tests(pattern=None):
    return [
        ("emailnet/tls_untrusted_then_trusted", test_tls_untrusted_then_trusted),
        ("emailnet/dovecot_restart", test_dovecot_restart),
        ("emailnet/smtp_down", test_smtp_down),
        ("emailnet/initial_unseen", test_initial_unseen),
        ("emailnet/initial_new", test_initial_new),
        ("emailnet/initial_all", test_initial_all),
        ("emailnet/idle_latency", test_idle_latency),
        ("emailnet/imap_silent", test_imap_silent),
        ("emailnet/smtp_silent", test_smtp_silent),
        ("emailnet/unseen_by_staff", test_unseen_by_staff),
        ("emailnet/uidvalidity_change", test_uidvalidity_change),
        ("emailnet/two_mailboxes", test_two_mailboxes),
        ("emailnet/exists_outside_idle", test_exists_outside_idle),
    ]
