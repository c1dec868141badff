"""atpeers.py: what the AT-path tests (test_at.py) and bench/sms_latency.py
share: the helpdeskd SMS settings for a simulated modem, one thin backend
abstraction over the Gammu dummy driver and the AT simulator
(tests/modemsim.py), a log watcher that time-stamps the daemon's log lines
(the daemon writes none itself), and helpdeskctl health's sms verdict.

Backends (make_backend(name, env)):

- "dummy": the default TestEnv modem (Gammu's dummy driver, a directory);
  replies are read from the outbox table (state 'sent'), since the dummy
  driver keeps no sent folder.
- "huawei" / "sim800": a ModemSim on a pty in the test's directory (link
  DIR/ttyGSM; DIR/modem is the dummy modem's directory); replies are the
  SMS-SUBMIT PDUs the simulator accepted with AT+CMGS, decoded.

Each backend can add a plain SMS (long text: all its parts), one part of a
concatenated message, a corrupt message; read the replies as (number, text);
say whether the SIM (or dummy folders) is empty.

Standard library only; /usr/bin/python3 (3.11).
"""

import datetime as dt
import os
import random
import re
import threading
import time

import harness
from harness import Raw, query, wait_for
import dummymodem
import modemsim
from modemsim import ModemSim

WIB = dt.timezone(dt.timedelta(hours=7))
T0 = dt.datetime(2026, 11, 24, 8, 0, 0, tzinfo=WIB)
SIM_NAME = "ttyGSM"
CONNECTED = "sms: modem connected"
ADMIN = "+628110000001"


def at_sms_config(device, **over):
    """The [sms] group for a simulated AT modem (the brief's settings)."""
    c = {"enabled": True, "connection": "at", "device": device, "poll_interval_ms": 500,
         "deadline": 5, "reconnect_min": 1, "reconnect_max": 4, "send_timeout": 5,
         "multipart_timeout": 10}
    c.update(over)
    return c


def when_of(i):
    """A distinct SMSC time stamp for the i-th message of a test."""
    return T0 + dt.timedelta(seconds=37 * i)


# ---------------------------------------------------------------------------
# Log watcher

class LogWatcher:
    """Tails a daemon's log file in a thread and records each new line with
    the monotonic time it was first seen (within ~50 ms of the write)."""

    def __init__(self, path, interval=0.05):
        self.path = path
        self.interval = interval
        self.lines = []             # (t, text)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pos = 0
        self._partial = b""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.interval)
        self.poll()

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self._pos)
                data = f.read()
        except FileNotFoundError:
            return
        if not data:
            return
        now = time.monotonic()
        with self._lock:
            self._pos += len(data)
            data = self._partial + data
            *full, self._partial = data.split(b"\n")
            for ln in full:
                self.lines.append((now, ln.decode("utf-8", "replace")))

    def stop(self):
        self._stop.set()
        self._thread.join(2)

    def since(self, t0=0.0, pattern=None):
        """[(t, line)] seen at or after t0, matching the regex pattern."""
        rx = re.compile(pattern) if pattern else None
        with self._lock:
            return [(t, ln) for t, ln in self.lines if t >= t0 and (rx is None or rx.search(ln))]

    def count(self, pattern, t0=0.0, t1=None):
        return sum(1 for t, _ in self.since(t0, pattern) if t1 is None or t <= t1)

    def first(self, pattern, t0=0.0):
        """Time of the first matching line at or after t0, or None."""
        hits = self.since(t0, pattern)
        return hits[0][0] if hits else None

    def wait(self, pattern, t0=0.0, timeout=20.0):
        """Wait for a matching line at or after t0; its time or None."""
        return wait_for(lambda: self.first(pattern, t0), timeout, 0.05)

    def text(self, t0=0.0):
        return "\n".join(ln for _, ln in self.since(t0))


# ---------------------------------------------------------------------------
# Backends

class Backend:
    name = "?"
    at = False

    def __init__(self, env):
        self.env = env
        self._ref = random.Random(env.dir).randrange(1, 200)

    def next_ref(self):
        self._ref = self._ref % 250 + 1
        return self._ref

    # To override.
    def setup(self):
        pass

    def add(self, sender, text, i):
        raise NotImplementedError

    def split(self, text):
        """The part texts a phone would send for text."""
        raise NotImplementedError

    def add_part(self, sender, text, ref, total, seq, i, coding=None):
        raise NotImplementedError

    def add_corrupt(self, sender, i):
        raise NotImplementedError

    def replies(self):
        """[(number, text)] of the SMS the daemon sent, oldest first."""
        raise NotImplementedError

    def count(self):
        raise NotImplementedError

    def empty(self):
        return self.count() == 0

    def describe(self):
        return ""

    def stop(self):
        pass

    def connected(self, daemon, timeout=20):
        return wait_for(lambda: CONNECTED in daemon.log(), timeout, 0.05)


class DummyBackend(Backend):
    name = "dummy"

    def setup(self):
        self.env.cfg["sms"].update(poll_interval_ms=200, deadline=5, reconnect_min=1,
                                   reconnect_max=4, multipart_timeout=10, send_timeout=5)

    def add(self, sender, text, i):
        self.env.modem.add(text, sender=sender, when=when_of(i))

    def split(self, text):
        coding = "default" if dummymodem.is_gsm(text) else "unicode"
        return coding, dummymodem.split_parts(text, coding)

    def add_part(self, sender, text, ref, total, seq, i, coding=None):
        self.env.modem.add_part(text, ref, total, seq, sender=sender, when=when_of(i),
                                coding=coding or "auto")

    def add_corrupt(self, sender, i):
        # As tests/cases/sms/malformed_random.case: a file of random bytes.
        self.env.modem.add_raw(bytes(random.Random(i).randrange(256) for _ in range(300)))

    def replies(self):
        return [(r["recipient"], r["body"]) for r in query(
            self.env.db_path, "SELECT recipient, body FROM outbox WHERE channel = 'sms'"
            " AND state = 'sent' ORDER BY sent_at, id")]

    def count(self):
        return self.env.modem.count()

    def describe(self):
        return "dummy modem files: %s" % [os.path.relpath(p, self.env.modem_dir)
                                          for p in self.env.modem.files()]


class AtBackend(Backend):
    at = True

    def __init__(self, env, identity, sim_size=30, seed=None):
        super().__init__(env)
        self.name = identity
        self.identity = identity
        self.sim = ModemSim(env.dir, identity=identity, sim_size=sim_size, name=SIM_NAME,
                            seed=seed)
        self.archive = []
        self.archive_raw = []

    def setup(self, **over):
        self.sim.start()
        self.env.cfg["sms"] = at_sms_config(self.sim.device, **over)

    def add(self, sender, text, i, notify=True):
        coding, parts = modemsim.split_text(text)
        if len(parts) == 1:
            return [self.sim.add_sms(sender, text, when=when_of(i), coding=coding, notify=notify)]
        ref = self.next_ref()
        return [self.sim.add_sms(sender, p, when=when_of(i), coding=coding,
                                 concat=(ref, k, len(parts)), notify=notify)
                for k, p in enumerate(parts, 1)]

    def pdus(self, sender, text, i):
        coding, parts = modemsim.split_text(text)
        if len(parts) == 1:
            return [modemsim.deliver_pdu(sender, text, when_of(i), coding)]
        ref = self.next_ref()
        return [modemsim.deliver_pdu(sender, p, when_of(i), coding, concat=(ref, k, len(parts)))
                for k, p in enumerate(parts, 1)]

    def split(self, text):
        return modemsim.split_text(text)

    def add_part(self, sender, text, ref, total, seq, i, coding=None):
        return self.sim.add_sms(sender, text, when=when_of(i), coding=coding,
                                concat=(ref, seq, total))

    def add_corrupt(self, sender, i):
        """huawei: a PDU stored broken (user data cut in half); sim800: a
        good PDU marked with the simulator's corrupt_pdu fault ("udl")."""
        text = "HELPDESK [x%d] pesan rusak di jalan" % i
        if self.identity == "huawei":
            return self.sim.add_pdu(modemsim.corrupt_pdu(
                modemsim.deliver_pdu(sender, text, when_of(i)), "truncate"))
        # Stored without an indication, then marked: the daemon finds it at
        # the full scan that follows the next message's +CMTI.
        idx = self.sim.add_sms(sender, text, when=when_of(i), notify=False)
        self.sim.fault("corrupt_pdu", index=idx, mode="udl")
        return idx

    def replies(self):
        return [(m["number"], m["text"]) for m in self.sent_messages()]

    def sent_messages(self):
        """The simulator's accepted sends joined per message (number, text,
        parts, t), including those of simulator processes before a kill."""
        return self.archive + self.sim.sent_messages()

    def sent(self):
        """Every PDU given to AT+CMGS (accepted or not), across restarts."""
        return self.archive_raw + self.sim.sent()

    def kill(self):
        """The USB modem vanishes (SIGKILL of the simulator); what it sent so
        far is kept here, as a restarted simulator starts with fresh logs."""
        self.archive += self.sim.sent_messages()
        self.archive_raw += self.sim.sent()
        self.sim.kill()

    def restart(self):
        self.sim.restart()

    def count(self):
        return len(self.sim.sim())

    def describe(self):
        try:
            return "SIM: %s" % [(m["index"], m["status"], m["corrupt"]) for m in self.sim.sim()]
        except Exception as e:
            return "SIM: (%s)" % e

    def stop(self):
        try:
            self.sim.stop()
        except Exception:
            pass


def make_backend(name, env, **kw):
    if name == "dummy":
        return DummyBackend(env)
    return AtBackend(env, name, **kw)


# ---------------------------------------------------------------------------
# Health

def sms_health(env):
    """(exit status, sms row state or None, output) of helpdeskctl health."""
    p = harness.ctl(env, "health")
    m = re.search(r"^sms\s+(\S+)", p.stdout, re.M)
    return p.returncode, (m.group(1) if m else None), p.stdout + p.stderr


def command_lines(sim, since=None, prefix=None):
    out = []
    for c in sim.commands(since):
        if prefix is None or c["line"].upper().startswith(prefix.upper()):
            out.append(c)
    return out


def fmt_commands(sim, since=None, limit=60):
    """The simulator's command log since `since`, for a failure message."""
    try:
        cs = sim.commands(since)
    except Exception as e:
        return "(commands: %s)" % e
    base = since or (cs[0]["t"] if cs else 0)
    rows = ["%8.3f %s%s" % (c["t"] - base, c["line"][:70], " [%s]" % c["fault"] if c["fault"] else "")
            for c in cs[-limit:]]
    return "\n".join(rows)


def no_admins(env):
    env.cfg["admins"] = Raw("()")


def children(pid):
    """Pids of the direct children of pid (the modem worker of a daemon)."""
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    out += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def pid_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return False
