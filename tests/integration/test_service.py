"""test_service.py: helpdeskd as a service (issue 5).

- service/notify: a test plays systemd's notification socket: READY=1 comes
  after the database is migrated, STATUS= names each channel's state, and
  WATCHDOG=1 keeps coming at a quarter of WATCHDOG_USEC, also while the
  modem does not answer at all (a pty nobody serves); SIGTERM then still
  ends the daemon with exit 0 within a few seconds.
- service/sighup: a reload puts new templates and admins in force without
  a restart; a bad file is refused with FILE:LINE problems and the running
  configuration kept; a changed restart-only key is named in a warning.
- service/sigterm_intake: SIGTERM while SMS pour in: exit 0, and after a
  restart every message is ticketed exactly once.
- service/health: helpdeskctl health's verdicts and exit statuses (never
  run, running, a channel reconnecting and then down too long, a reply
  waiting past the outbox target, stopped), --json, usage, the metrics file.
- service/guards: a second daemon on the same database is refused; so is a
  configuration holding a password readable by everyone.
"""

import datetime as dt
import json
import os
import pty
import re
import signal
import socket
import sqlite3
import subprocess
import time
import tty

from harness import Check, TestEnv, ctl, finish_daemon, query, scalar, wait_for

T0 = dt.datetime(2026, 11, 23, 9, 0, 0, tzinfo=dt.timezone.utc)


class NotifySocket:
    """A datagram socket standing in for systemd's: records every message
    with its monotonic arrival time."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.05)
        self.msgs = []

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            for line in data.decode("utf-8", "replace").split("\n"):
                self.msgs.append((time.monotonic(), line))

    def wait_for(self, pred, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(pred(m) for _, m in self.msgs):
                return True
            self.pump(0.1)
        return any(pred(m) for _, m in self.msgs)

    def times(self, line):
        return [t for t, m in self.msgs if m == line]

    def close(self):
        self.sock.close()


def sms_env(name, overrides=None):
    env = TestEnv(name, overrides)
    return env


def reply_bodies(env, recipient):
    return [r["body"] for r in query(env.db_path, "SELECT body FROM outbox WHERE recipient = ?"
                                     " AND kind = 'reply' ORDER BY id", (recipient,))]


def watchdog_gaps(ns, since):
    ts = [t for t in ns.times("WATCHDOG=1") if t >= since]
    return ts, [b - a for a, b in zip(ts, ts[1:])]


def test_notify():
    check = Check()
    env = sms_env("svc-notify")
    master = slave = None
    ns = NotifySocket(os.path.join(env.dir, "notify.sock"))
    try:
        env.extra_env.update(NOTIFY_SOCKET=ns.path, WATCHDOG_USEC="1000000")
        d = env.daemon().start(wait_ready=False)
        check(ns.wait_for(lambda m: m == "READY=1", 15), "no READY=1 within 15 s")
        # READY comes after the migration: the newest table is there.
        check.eq(scalar(env.db_path, "PRAGMA user_version"), 5, "schema version at READY")
        check(ns.wait_for(lambda m: m.startswith("STATUS=") and "sms up" in m, 10),
              "no STATUS= with 'sms up': %r" % [m for _, m in ns.msgs if m.startswith("STATUS")])
        t = time.monotonic()
        ns.pump(4)
        ts, gaps = watchdog_gaps(ns, t)
        check(len(ts) >= 6 and max(gaps or [9]) < 0.8,
              "WATCHDOG=1 at WATCHDOG_USEC/4: %d pings in 4 s, largest gap %.2f s"
              % (len(ts), max(gaps or [0])))
        finish_daemon(d, check)
        ns.pump(0.3)
        check(any(m == "STOPPING=1" for _, m in ns.msgs), "no STOPPING=1 at SIGTERM")

        # A modem that never answers: the sms thread is stuck in libGammu,
        # the rest of the daemon is not.
        master, slave = pty.openpty()
        tty.setraw(slave)
        env.cfg["sms"].update(connection="at", device=os.ttyname(slave), model="")
        del env.cfg["sms"]["poll_interval_ms"]
        env.write_config()
        ns.msgs = []
        d = env.daemon().start(wait_ready=False)
        check(ns.wait_for(lambda m: m == "READY=1", 10), "stuck modem: no READY=1 within 10 s")
        t = time.monotonic()
        ns.pump(8)
        ts, gaps = watchdog_gaps(ns, t)
        check(len(ts) >= 12 and max(gaps or [9]) < 0.8,
              "stuck modem: %d WATCHDOG=1 in 8 s, largest gap %.2f s" % (len(ts), max(gaps or [0])))
        written = os.read(master, 65536) if _readable(master) else b""
        check(b"AT" in written, "the daemon did talk to the silent modem: %r" % written[:80])
        status = [m for _, m in ns.msgs if m.startswith("STATUS=")]
        check(any("sms starting" in m or "sms backoff" in m for m in status),
              "STATUS= while the modem is stuck: %r" % status)
        p = ctl(env, "health")
        check(p.returncode in (1, 2) and "sms" in p.stdout, "health with a stuck modem: %d %s"
              % (p.returncode, p.stdout))
        t0 = time.monotonic()
        code = d.stop(timeout=15)
        took = time.monotonic() - t0
        check(code == 0 and took < 5, "SIGTERM with a stuck modem: exit %s after %.1f s" % (code, took))
        check("stopped" in d.log(), "no 'stopped' line: %s" % d.log_tail(5))
        # The stuck request is abandoned and the modem process killed: no
        # thread is left behind.
        check("stopping without it" not in d.log(), "a thread was left behind: %s" % d.log_tail(5))
    finally:
        ns.close()
        for fd in (master, slave):
            if fd is not None:
                os.close(fd)
        env.cleanup(not check.ok)
    return check


def _readable(fd):
    import select
    return bool(select.select([fd], [], [], 0.5)[0])


def send_and_reply(env, check, sender, text, when, what):
    env.modem.add(text, sender=sender, when=when)
    ok = wait_for(lambda: len(reply_bodies(env, sender)) > 0, 20)
    check(ok, "%s: no reply within 20 s" % what)
    bodies = reply_bodies(env, sender)
    return bodies[-1] if bodies else ""


def test_sighup():
    check = Check()
    env = sms_env("svc-sighup", {"templates": {"ack": "A1 {ticket}"}})
    try:
        d = env.daemon().start()
        body = send_and_reply(env, check, "+6281270000001", "HELPDESK printer macet", T0, "first")
        check(body.startswith("A1 HD-"), "before reload: %r" % body)

        env.cfg["templates"]["ack"] = "A2 {ticket}"
        env.cfg["admins"].append({"name": "Admin Dua", "phone": "0811-0000-002"})
        env.write_config()
        d.proc.send_signal(signal.SIGHUP)
        check(wait_for(lambda: "reload: %s in force" % env.conf_path in d.log(), 10),
              "no 'in force' line after SIGHUP: %s" % d.log_tail(5))
        body = send_and_reply(env, check, "+6281270000002", "HELPDESK jaringan putus",
                              T0 + dt.timedelta(minutes=1), "after reload")
        check(body.startswith("A2 HD-"), "after reload: %r" % body)
        check(wait_for(lambda: scalar(env.db_path, "SELECT count(*) FROM outbox WHERE recipient"
                                      " = '+628110000002'") == 1, 10),
              "the admin added by the reload was not notified")

        # A bad file: problems with FILE:LINE, the running configuration stays.
        good = open(env.conf_path).read()
        bad = good.replace('"A2 {ticket}"', '"A3 {tiket}"') + "\nnot_a_key = 1;\n"
        with open(env.conf_path, "w") as f:
            f.write(bad)
        line_tmpl = next(i + 1 for i, ln in enumerate(bad.splitlines()) if "A3 {tiket}" in ln)
        line_key = next(i + 1 for i, ln in enumerate(bad.splitlines()) if "not_a_key" in ln)
        d.proc.send_signal(signal.SIGHUP)
        check(wait_for(lambda: "rejected; the running configuration stays" in d.log(), 10),
              "no rejection after a bad SIGHUP: %s" % d.log_tail(5))
        log = d.log()
        for ln, key in ((line_tmpl, "templates.ack"), (line_key, "not_a_key")):
            check(re.search(r"<3>reload: %s:%d: %s" % (re.escape(env.conf_path), ln, re.escape(key)),
                            log), "bad reload: no problem line for %s at line %d:\n%s"
                  % (key, ln, d.log_tail(6)))
        body = send_and_reply(env, check, "+6281270000003", "HELPDESK komputer mati",
                              T0 + dt.timedelta(minutes=2), "after a bad reload")
        check(body.startswith("A2 HD-"), "after a bad reload the old templates stay: %r" % body)

        # A restart-only key: applied at restart, named in a warning.
        env.cfg["sms"]["poll_interval_ms"] = 300
        env.write_config()
        d.proc.send_signal(signal.SIGHUP)
        check(wait_for(lambda: "<4>reload: sms changed; it takes effect when helpdeskd restarts"
                       in d.log(), 10), "no warning for a changed sms group: %s" % d.log_tail(5))
        check(d.alive(), "the daemon died on reloads")
        finish_daemon(d, check)
    finally:
        env.cleanup(not check.ok)
    return check


def test_sigterm_intake():
    check = Check()
    env = sms_env("svc-sigterm")
    n = 60
    try:
        d = env.daemon().start()
        for i in range(n):
            env.modem.add("HELPDESK keluhan nomor %d" % i, sender="+62812800%05d" % i,
                          when=T0 + dt.timedelta(seconds=i))
        wait_for(lambda: scalar(env.db_path, "SELECT count(*) FROM messages") >= 15, 20)
        t0 = time.monotonic()
        code = d.stop(timeout=15)
        took = time.monotonic() - t0
        check(code == 0 and took < 5, "SIGTERM during intake: exit %s after %.1f s" % (code, took))
        got = scalar(env.db_path, "SELECT count(*) FROM messages")
        check(0 < got, "nothing recorded before the SIGTERM")
        check.eq(scalar(env.db_path, "PRAGMA integrity_check"), "ok", "integrity after SIGTERM")
        d = env.daemon().start()
        check(wait_for(lambda: env.modem.empty() and scalar(
            env.db_path, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 0 and scalar(
            env.db_path, "SELECT count(*) FROM messages") == n, 60),
            "after restart: %s messages, modem %d" % (scalar(env.db_path, "SELECT count(*) FROM"
                                                             " messages"), env.modem.count()))
        check.eq(scalar(env.db_path, "SELECT count(*) FROM tickets"), n, "one ticket per message")
        check.eq(scalar(env.db_path, "SELECT count(DISTINCT reporter) FROM tickets"), n,
                 "every sender ticketed once")
        check.eq(scalar(env.db_path, "SELECT count(*) FROM outbox WHERE kind = 'reply'"), n,
                 "one reply per ticket")
        finish_daemon(d, check)
    finally:
        env.cleanup(not check.ok)
    return check


def health(env, *args, now=None):
    if now is not None:
        env.extra_env["HELPDESKD_NOW"] = now
    try:
        return ctl(env, "health", *args)
    finally:
        env.extra_env.pop("HELPDESKD_NOW", None)


def local_in(minutes):
    t = dt.datetime.now() + dt.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def test_health():
    check = Check()
    env = sms_env("svc-health", {"health": {"channel_down": "5m", "outbox_age": "30m",
                                            "metrics_interval": 5}})
    metrics = os.path.join(env.dir, "metrics.prom")
    env.cfg["health"]["metrics_file"] = metrics
    env.write_config()
    try:
        p = health(env)
        check(p.returncode == 2 and "CRITICAL: helpdeskd has never run" in p.stdout,
              "before any run: %d %r" % (p.returncode, p.stdout))
        d = env.daemon().start()
        check(wait_for(lambda: health(env).returncode == 0, 15), "running: not OK: %s"
              % health(env).stdout)
        p = health(env)
        check(re.search(r"^sms\s+up\s", p.stdout, re.M), "running: sms up: %s" % p.stdout)
        check(re.search(r"^daemon\s+up\s.*pid %d" % d.pid, p.stdout, re.M), "daemon row: %s" % p.stdout)
        j = json.loads(health(env, "--json").stdout)
        check(j["verdict"] == "OK" and j["running"] is True and j["problems"] == [],
              "--json: %r" % j)
        sms = [c for c in j["channels"] if c["name"] == "sms"]
        check(sms and sms[0]["state"] == "up" and sms[0]["signal_percent"] == 42,
              "--json sms row (the dummy modem reports 42 %%): %r" % sms)
        check(wait_for(lambda: os.path.exists(metrics) and 'channel="sms"} 1' in open(metrics).read(),
                       15), "no metrics file with the sms channel up")
        text = open(metrics).read() if os.path.exists(metrics) else ""
        for want in ('helpdeskd_channel_up{channel="sms"} 1', "helpdeskd_health 0",
                     'helpdeskd_modem_signal_percent{channel="sms"} 42'):
            check(want in text, "metrics file lacks %r:\n%s" % (want, text[:600]))

        # An email reply with no SMTP server configured waits in the outbox.
        p = ctl(env, "new", "--reporter", "kasubag@example.go.id", "--text", "Printer rusak")
        check(p.returncode == 0, "new: %s" % p.stderr)
        p = health(env, now=local_in(41))
        check(p.returncode == 2 and re.search(r"CRITICAL: the oldest of \d+ pending replies has"
                                              r" waited 4[01]m", p.stdout),
              "reply waiting 40 min: %d %s" % (p.returncode, p.stdout))
        finish_daemon(d, check)
        with sqlite3.connect(env.db_path) as con:
            con.execute("DELETE FROM outbox WHERE state = 'pending'")
        p = health(env)
        check(p.returncode == 2 and "CRITICAL: helpdeskd is not running" in p.stdout,
              "stopped: %d %s" % (p.returncode, p.stdout))

        # A modem that is not there: reconnecting (WARNING), then down too long.
        env.cfg["sms"].update(connection="at", device=os.path.join(env.dir, "ttyUSB9"), model="")
        env.write_config()
        d = env.daemon().start()
        check(wait_for(lambda: health(env).returncode == 1, 15), "no modem: not WARNING: %s"
              % health(env).stdout)
        p = health(env)
        check(re.search(r"WARNING: sms reconnecting for \S+: .*ttyUSB9", p.stdout),
              "no modem: %s" % p.stdout)
        p = health(env, now=local_in(11))
        check(p.returncode == 2 and re.search(r"CRITICAL: sms down for 1[01]m", p.stdout),
              "no modem for 10 min: %d %s" % (p.returncode, p.stdout))
        finish_daemon(d, check)
        p = health(env, "--bogus")
        check(p.returncode == 3 and "usage" in p.stderr, "usage error: %d %r" % (p.returncode, p.stderr))
    finally:
        env.cleanup(not check.ok)
    return check


def test_guards():
    check = Check()
    env = sms_env("svc-guards")
    try:
        d = env.daemon().start()
        second = env.daemon(log_name="second.log")
        try:
            second.start()
            check(False, "a second daemon on the same database started")
        except Exception:
            pass
        check("another helpdeskd is running" in second.log(), "second daemon: %s" % second.log_tail(3))
        check(d.alive(), "the first daemon died")
        finish_daemon(d, check)

        env.cfg["smtp"] = {"host": "127.0.0.1", "port": 2525, "tls": "none", "from":
                           "helpdesk@example.go.id", "user": "hd", "password": "rahasia"}
        env.write_config()
        os.chmod(env.conf_path, 0o644)
        p = subprocess.run([d.binary, "-c", env.conf_path], capture_output=True, text=True, timeout=20)
        check(p.returncode == 1 and "smtp.password: expected a file only its owner and group can read"
              in p.stderr, "world-readable password: %d %r" % (p.returncode, p.stderr))
        check("rahasia" not in p.stderr, "the password appears in the error")
    finally:
        env.cleanup(not check.ok)
    return check


def tests():
    return [("service/notify", test_notify), ("service/sighup", test_sighup),
            ("service/sigterm_intake", test_sigterm_intake), ("service/health", test_health),
            ("service/guards", test_guards)]
