"""harness.py: what the integration tests share.

- TestEnv: a temporary directory with a Gammu dummy modem (modem/), a
  helpdeskd config file (helpdeskd.conf), the database path and a spool dir.
- Daemon: runs BUILD/helpdeskd in the foreground with stderr to a file,
  stops it with SIGTERM (so LeakSanitizer reports at exit) or SIGKILL, and
  scans its stderr for sanitizer reports.
- db(): a fresh read-only SQLite connection (the daemon uses WAL).
- wait_for(): bounded polling.
- ctl(): runs BUILD/helpdeskctl.
- TestResult / Check: collecting failed assertions of one test.

Standard library only; /usr/bin/python3 (3.11).
"""

import glob
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, TESTS)

import dummymodem  # noqa: E402

SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}

SANITIZER_RE = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)"
    r"|SUMMARY: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)"
    r"|: runtime error: "
    r"|LeakSanitizer has encountered a fatal error")

# Options given by run.py.
OPTS = {
    "build": "build/check",
    "keep": False,
    "verbose": False,
}


def build_path(*parts):
    b = OPTS["build"]
    if not os.path.isabs(b):
        b = os.path.join(ROOT, b)
    return os.path.join(b, *parts)


def program_env(extra=None):
    env = dict(os.environ)
    env.update(SANITIZER_ENV)
    env.setdefault("LC_ALL", "C.UTF-8")
    if extra:
        env.update(extra)
    return env


def sanitizer_reports(text):
    """Lines of text that look like a sanitizer report (empty list if none)."""
    return [ln for ln in text.splitlines() if SANITIZER_RE.search(ln)]


class TestFailure(Exception):
    pass


class Check:
    """Collects failed assertions; a test fails when any was recorded."""

    def __init__(self):
        self.failures = []
        self.notes = []

    def __call__(self, cond, what):
        if not cond:
            self.failures.append(what)
        return bool(cond)

    def eq(self, got, want, what):
        return self(got == want, "%s: got %r, want %r" % (what, got, want))

    def note(self, text):
        self.notes.append(text)

    @property
    def ok(self):
        return not self.failures


# ---------------------------------------------------------------------------
# Config

class Raw(str):
    """A value written to the config file as is (a libconfig literal)."""


def _lc_value(v, indent):
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"%s"' % v.replace("\\", "\\\\").replace('"', '\\"')
    if isinstance(v, dict):
        inner = " ".join("%s = %s;" % (k, _lc_value(x, indent + 1)) for k, x in v.items())
        return "{ %s }" % inner
    if isinstance(v, (list, tuple)):
        return "( %s )" % ", ".join(_lc_value(x, indent + 1) for x in v)
    raise TypeError("cannot write %r to a config" % (v,))


def render_config(cfg):
    return "".join("%s = %s;\n" % (k, _lc_value(v, 0)) for k, v in cfg.items())


def set_path(cfg, dotted, value):
    keys = dotted.split(".")
    d = cfg
    for k in keys[:-1]:
        if not isinstance(d.get(k), dict):
            d[k] = {}
        d = d[k]
    d[keys[-1]] = value


class TestEnv:
    """A temporary directory holding one daemon's world."""

    def __init__(self, name, overrides=None):
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:40]
        self.dir = tempfile.mkdtemp(prefix="hd-%s-" % safe)
        self.modem_dir = os.path.join(self.dir, "modem")
        self.modem = dummymodem.Modem(self.modem_dir)
        self.db_path = os.path.join(self.dir, "hd.db")
        self.spool = os.path.join(self.dir, "spool")
        os.makedirs(self.spool, exist_ok=True)
        self.conf_path = os.path.join(self.dir, "helpdeskd.conf")
        self.cfg = {
            "database": self.db_path,
            "spool_dir": self.spool,
            "country_code": 62,
            "ticket_prefix": "HD",
            "language": "id",
            "log_level": "debug",
            "sms": {
                "enabled": True,
                "connection": "none",
                "model": "dummy",
                "device": self.modem_dir,
                "poll_interval_ms": 200,
                "multipart_timeout": 10,
                "send_timeout": 5,
            },
            "outbox": {
                "max_attempts": 10,
                "retry_min": 1,
                "retry_max": 60,
                "replies_per_hour": 5,
            },
            "admins": [{"name": "Admin", "phone": "0811-0000-001"}],
        }
        for k, v in (overrides or {}).items():
            set_path(self.cfg, k, v)
        self.write_config()
        self.daemons = []
        self.extra_env = {}     # for helpdeskd and helpdeskctl: TZ, HELPDESKD_NOW

    def write_config(self):
        # As private as on a server: helpdeskd refuses a configuration
        # holding a password that others can read.
        with open(self.conf_path, "w") as f:
            os.fchmod(f.fileno(), 0o640)
            f.write(render_config(self.cfg))

    def daemon(self, binary=None, log_name=None):
        d = Daemon(self, binary=binary,
                   log_path=os.path.join(self.dir, log_name or "daemon-%d.log" % (len(self.daemons) + 1)))
        self.daemons.append(d)
        return d

    def db(self):
        return open_db(self.db_path)

    def cleanup(self, failed):
        for d in self.daemons:
            d.kill()
        if failed or OPTS["keep"]:
            return self.dir
        shutil.rmtree(self.dir, ignore_errors=True)
        return None


# ---------------------------------------------------------------------------
# Database

def open_db(path):
    """A new read-only connection (rows as sqlite3.Row)."""
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    con.row_factory = sqlite3.Row
    return con


def query(path, sql, args=()):
    """All rows of sql, from a fresh read-only connection; [] if the
    database or table does not exist yet."""
    if not os.path.exists(path):
        return []
    try:
        con = open_db(path)
    except sqlite3.Error:
        return []
    try:
        return [dict(r) for r in con.execute(sql, args).fetchall()]
    except sqlite3.OperationalError as e:
        if "no such table" in str(e) or "locked" in str(e) or "unable to open" in str(e):
            return []
        raise
    finally:
        con.close()


def scalar(path, sql, args=()):
    rows = query(path, sql, args)
    if not rows:
        return None
    return next(iter(rows[0].values()))


def db_ready(path):
    try:
        return scalar(path, "SELECT count(*) FROM outbox") is not None
    except sqlite3.Error:
        return False


# ---------------------------------------------------------------------------
# Waiting

def wait_for(pred, timeout, interval=0.1):
    """Call pred until it returns a true value or timeout seconds passed.
    Returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


# ---------------------------------------------------------------------------
# Programs

class Daemon:
    """One run of helpdeskd in the foreground."""

    def __init__(self, env, binary=None, log_path=None):
        self.env = env
        self.binary = binary or build_path("helpdeskd")
        self.log_path = log_path or os.path.join(env.dir, "daemon.log")
        self.proc = None
        self.exit_code = None
        self._logf = None

    def start(self, wait_ready=True, timeout=15):
        self._logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "-c", self.env.conf_path],
            stdin=subprocess.DEVNULL, stdout=self._logf, stderr=self._logf,
            cwd=ROOT, env=program_env(self.env.extra_env), start_new_session=True)
        if wait_ready:
            # Ready: the database exists and the daemon logged its start-up
            # line (written after it blocked SIGTERM/SIGINT for sigwait, so
            # a SIGTERM from now on is a clean stop). A daemon that never
            # logs that line is taken as ready once the database exists and
            # a few seconds passed.
            t0 = time.monotonic()
            ok = wait_for(lambda: self.proc.poll() is not None or (
                db_ready(self.env.db_path) and (
                    " starting" in self.log() or time.monotonic() - t0 > min(5, timeout))),
                timeout, 0.05)
            if self.proc.poll() is not None:
                raise TestFailure("helpdeskd exited at start with %s; log:\n%s"
                                  % (self.proc.returncode, self.log_tail()))
            if not ok:
                raise TestFailure("helpdeskd did not create its database within %ds" % timeout)
        return self

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM and wait; returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return self.exit_code
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                self._close()
                self.exit_code = None
                self.proc = None
                return None
        self.exit_code = self.proc.returncode
        self.proc = None
        self._close()
        return self.exit_code

    def kill(self):
        """SIGKILL (crash) and reap."""
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    self.proc.kill()
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            self.exit_code = self.proc.returncode
            self.proc = None
        self._close()

    def _close(self):
        if self._logf is not None:
            self._logf.close()
            self._logf = None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log().splitlines()[-n:])

    def sanitizer_reports(self):
        return sanitizer_reports(self.log())


def ctl(env, *args, timeout=30, check_sanitizer=True, stdin=None):
    """Run helpdeskctl -c CONF ARGS; returns CompletedProcess (text)."""
    cmd = [build_path("helpdeskctl"), "-c", env.conf_path] + list(args)
    p = subprocess.run(cmd, cwd=ROOT, env=program_env(getattr(env, "extra_env", None)),
                       capture_output=True, timeout=timeout, input=stdin)
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    p.sanitizer = sanitizer_reports(p.stderr) if check_sanitizer else []
    return p


def run_daemon_cmd(args, timeout=30):
    cmd = [build_path("helpdeskd")] + list(args)
    p = subprocess.run(cmd, cwd=ROOT, env=program_env(), capture_output=True, timeout=timeout)
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    p.sanitizer = sanitizer_reports(p.stderr)
    return p


def e164(number, cc=62):
    """Test-side normalisation (only for building expected values)."""
    digits = re.sub(r"[\s().-]", "", number)
    if digits.startswith("+"):
        return digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+%d%s" % (cc, digits[1:])
    return "+" + digits


def finish_daemon(daemon, check, expect_exit=0):
    """Stop a daemon with SIGTERM and record: exit code, time, sanitizer
    reports. Used at the end of every normal test."""
    if daemon is None or daemon.proc is None:
        return
    if daemon.proc.poll() is not None:
        code = daemon.proc.returncode
        daemon.stop()
        check(False, "helpdeskd died during the test with exit code %s; log tail:\n%s"
              % (code, daemon.log_tail()))
    else:
        t0 = time.monotonic()
        code = daemon.stop(timeout=10)
        dt = time.monotonic() - t0
        check(code == expect_exit, "helpdeskd exit code after SIGTERM: %s (want %s) after %.1fs"
              % (code, expect_exit, dt))
        check(dt < 8, "helpdeskd took %.1fs to stop on SIGTERM" % dt)
    rep = daemon.sanitizer_reports()
    check(not rep, "sanitizer report in helpdeskd's stderr:\n  " + "\n  ".join(rep[:10]))


def case_tests(kind, cases_dir, run_case, pattern=None):
    """(name, callable returning Check) for each tests/cases/KIND/*.case,
    named KIND/BASENAME, filtered by the regex pattern."""
    out = []
    for f in sorted(glob.glob(os.path.join(cases_dir, "*.case"))):
        name = kind + "/" + os.path.splitext(os.path.basename(f))[0]
        if pattern and not re.search(pattern, name + ".case"):
            continue
        out.append((name, (lambda f=f: run_case(f))))
    return out


def check_one_ticket_each(check, msgs, tickets, messages, tag_re):
    """A crash test's verdict on intake: msgs (dicts with tag, text and norm,
    the sender in E.164) against the tickets and messages rows. Every message
    recorded as a ticket, exactly one ticket per message (found by the tag
    tag_re matches in its text), with the message's exact text and reporter.
    Returns {tag: [tickets]}."""
    check.eq(len(messages), len(msgs), "messages rows")
    check.eq(len(tickets), len(msgs), "tickets rows")
    bad = [(m["id"], m["outcome"], m["reason"]) for m in messages if m["outcome"] != "ticket"]
    check(not bad, "messages not 'ticket': %r" % bad[:5])
    by_tag = {}
    for t in tickets:
        k = re.search(tag_re, t["text"])
        by_tag.setdefault(k.group(0) if k else None, []).append(t)
    lost = [m["tag"] for m in msgs if m["tag"] not in by_tag]
    dup = [tag for tag, ts in by_tag.items() if len(ts) > 1]
    check(not lost, "%d messages lost (no ticket): %s" % (len(lost), lost[:10]))
    check(not dup, "%d messages ticketed twice: %s" % (len(dup), dup[:10]))
    msg_by_ticket = {m["ticket_id"]: m for m in messages if m["ticket_id"] is not None}
    wrong_text, wrong_reporter = [], []
    for m in msgs:
        for t in by_tag.get(m["tag"], [])[:1]:
            mm = msg_by_ticket.get(t["id"])
            if mm is None or mm["text"] != m["text"]:
                wrong_text.append(m["tag"])
            if t["reporter"] != m["norm"]:
                wrong_reporter.append((m["tag"], t["reporter"], m["norm"]))
    check(not wrong_text, "%d tickets whose message text differs: %s"
          % (len(wrong_text), wrong_text[:10]))
    check(not wrong_reporter, "wrong reporters: %s" % wrong_reporter[:5])
    return by_tag


def kill_plan(rng, items, n_kills):
    """A crash test's timeline: (seconds, "drop", batch) for batches of
    10..40 items 0.2..1.2 s apart, and (seconds, "kill", None) for n_kills
    SIGKILLs, half shortly after a drop (while the daemon is busy), half
    anywhere until a few seconds after the last drop (while the backlog is
    worked off). Sorted by time, a drop before a kill at the same instant."""
    plan, t, i = [], 0.3, 0
    while i < len(items):
        n = rng.randrange(10, 41)
        plan.append((t, "drop", items[i:i + n]))
        i += n
        t += rng.uniform(0.2, 1.2)
    drop_times = [p[0] for p in plan]
    for k in range(n_kills):
        if k % 2 == 0:
            plan.append((rng.choice(drop_times) + rng.uniform(0.02, 0.9), "kill", None))
        else:
            plan.append((rng.uniform(0.3, t + 5.0), "kill", None))
    plan.sort(key=lambda p: (p[0], p[1] == "kill"))
    return plan
