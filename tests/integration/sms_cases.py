"""sms_cases.py: one runner for the data-driven SMS cases in tests/cases/sms/.

Each case file starts a fresh helpdeskd (own directory, dummy modem,
database), drops the SMS it describes into the modem while the daemon runs,
waits until the expectations hold (bounded), stops the daemon with SIGTERM
and checks its exit code and stderr (sanitizer reports fail the case).

FORMAT (also in tests/cases/README.md)
--------------------------------------
UTF-8 text. Blank lines and lines starting with '#' are ignored. "[name]"
starts a section; sections may repeat and are applied in order. Inside a
section, "key = value" (split at the first '='; both sides stripped). A
value in double quotes is unescaped like a Python string literal (\\n, \\t,
\\", \\\\, \\xHH, \\uHHHH, \\UHHHHHHHH) and keeps its spaces.

  [case]      title = one line saying what the case shows
              timeout = seconds to wait for the expectations (default 20)

  [config]    dotted.key = libconfig literal, overriding the test config,
              e.g.  outbox.replies_per_hour = 2   admins = ()

  [sms]       one incoming message, dropped into the modem
              from = sender as the network gives it (default +6281234567)
              time = SMSC time stamp YYYYMMDDTHHMMSS (default: a fixed base
                     time plus one minute per message dropped so far)
              text = the text (long text is split into concatenated parts)
              coding = auto | default | unicode  (default auto)
              part = text of one part (repeat the key: an explicit
                     multipart message; with ref = N, order = 3,1,2 to drop
                     the parts in another order, omit = 2 to leave one out)
              binary = HEX   an 8-bit (binary) coded SMS with these bytes
              hex = TEXT00   raw Text00 value (e.g. not hex) with
              coding_name = Gammu Coding value (default Default_No_Compression)
              raw = "bytes" the whole file, verbatim (escapes allowed)
              random = N    the whole file is N random bytes (seed = S)
              folder = 1 (SIM inbox, default) or 3 (phone inbox)
              repeat = N    drop N such messages; {i} in text becomes 1..N

  [wait]      until = processed  (modem empty and no pending outbox row)
              messages = N / tickets = N  (wait until at least N rows)
              seconds = S        (sleep)

  [expect]    checked after the daemon settled; retried until timeout
              messages|tickets|replies|notices|outbox|events = N   row counts
              events.KIND = N      count of events with that kind
              outcome.OUTCOME = N  count of messages with that outcome
              OBJ.N.FIELD[.OP] = VALUE
                OBJ: message, ticket, event, outbox (all rows), reply (outbox
                     kind 'reply'), notice (outbox kind 'admin_notice'),
                     quarantined (messages with that outcome), in id order; N is 1-based, 'last', or '*' (every row)
                FIELD: a column of that table
                OP: (none) equal; match (regex search); contains;
                    not_contains; in (a|b|c); nonempty (yes|no); null (yes|no)
              modem_empty = yes|no       modem_count = N
              log.contains = TEXT        log.not_contains = TEXT
              log.match = REGEX
            Values may use {ticket:N} (number of the N-th ticket), {text:N}
            (its text), {ticket_id:N}, {yymm} (UTC year and month now),
            {admin} (the admin's E.164 number).

Always checked as well: helpdeskd still runs at the end, exits 0 on
SIGTERM within a few seconds, and its stderr has no sanitizer report.
"""

import ast
import datetime as dt
import glob
import os
import random
import re
import time

from harness import (case_tests, TestEnv, Check, Raw, TestFailure, finish_daemon, query,
                     wait_for, ROOT)

CASES_DIR = os.path.join(ROOT, "tests", "cases", "sms")
BASE_TIME = dt.datetime(2026, 11, 22, 8, 0, 0, tzinfo=dt.timezone.utc)
ADMIN = "+628110000001"


class CaseError(Exception):
    pass


def unquote(v):
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        try:
            return ast.literal_eval(v)
        except (ValueError, SyntaxError) as e:
            raise CaseError("bad quoted value %s: %s" % (v, e))
    return v


def parse_case(path):
    """[(section, [(key, value), ...]), ...]"""
    sections = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if s.startswith("[") and s.endswith("]"):
                sections.append((s[1:-1].strip().lower(), []))
                continue
            if "=" not in s or not sections:
                raise CaseError("%s:%d: expected [section] or key = value" % (path, lineno))
            k, v = s.split("=", 1)
            sections[-1][1].append((k.strip(), unquote(v.strip())))
    return sections


def one(items, key, default=None):
    for k, v in items:
        if k == key:
            return v
    return default


def many(items, key):
    return [v for k, v in items if k == key]


# ---------------------------------------------------------------------------

class CaseRun:
    def __init__(self, path):
        self.path = path
        self.name = "sms/" + os.path.splitext(os.path.basename(path))[0]
        self.sections = parse_case(path)
        head = dict(next((items for s, items in self.sections if s == "case"), []))
        self.title = head.get("title", "")
        self.timeout = float(head.get("timeout", 20))
        self.dropped = 0          # logical messages dropped so far
        self.env = None
        self.daemon = None
        self.check = Check()

    # -- substitution ----------------------------------------------------

    def subst(self, s):
        if "{" not in s:
            return s

        def rep(m):
            what, n = m.group(1), m.group(2)
            if what == "yymm":
                return dt.datetime.now(dt.timezone.utc).strftime("%y%m")
            if what == "admin":
                return ADMIN
            rows = query(self.env.db_path, "SELECT * FROM tickets ORDER BY id")
            i = int(n or 1) - 1
            if i >= len(rows):
                return "<no ticket %s>" % (i + 1)
            return str({"ticket": rows[i]["number"], "text": rows[i]["text"],
                        "ticket_id": rows[i]["id"]}[what])

        return re.sub(r"\{(ticket|text|ticket_id|yymm|admin)(?::(\d+))?\}", rep, s)

    # -- dropping --------------------------------------------------------

    def next_time(self, items):
        t = one(items, "time")
        if t:
            return t if t.endswith("Z") else t + "Z"
        return BASE_TIME + dt.timedelta(minutes=self.dropped)

    def drop(self, items):
        m = self.env.modem
        folder = int(one(items, "folder", 1))
        repeat = int(one(items, "repeat", 1))
        for i in range(1, repeat + 1):
            sender = one(items, "from", "+6281234567")
            when = self.next_time(items)
            text = one(items, "text")
            parts = many(items, "part")
            if one(items, "random") is not None:
                rnd = random.Random(int(one(items, "seed", 1)))
                m.add_raw(bytes(rnd.randrange(256) for _ in range(int(one(items, "random")))),
                          folder=folder)
            elif one(items, "raw") is not None:
                raw = one(items, "raw")
                m.add_raw(raw.encode("latin-1") if all(ord(c) < 256 for c in raw)
                          else raw.encode("utf-8"), folder=folder)
            elif one(items, "binary") is not None:
                m.add_binary(bytes.fromhex(one(items, "binary")), sender=sender, when=when,
                             folder=folder)
            elif one(items, "hex") is not None:
                m.add_fields(sender=sender, when=when, text_hex=one(items, "hex"),
                             coding_name=one(items, "coding_name", "Default_No_Compression"),
                             folder=folder)
            elif parts:
                parts = [self.subst(p) for p in parts]
                ref = int(one(items, "ref", 0x42))
                order = [int(x) for x in one(items, "order", ",".join(
                    str(j) for j in range(1, len(parts) + 1))).split(",")]
                omit = {int(x) for x in one(items, "omit", "").split(",") if x.strip()}
                coding = one(items, "coding", "auto")
                for seq in order:
                    if seq in omit:
                        continue
                    m.add_part(parts[seq - 1], ref, len(parts), seq, sender=sender,
                               when=when, coding=coding, folder=folder)
            elif text is not None:
                text = self.subst(text).replace("{i}", str(i))
                m.add(text, sender=sender, when=when, coding=one(items, "coding", "auto"),
                      folder=folder)
            else:
                raise CaseError("[sms] needs text, part, binary, hex, raw or random")
            self.dropped += 1

    # -- waiting ---------------------------------------------------------

    def count(self, table, where=""):
        v = query(self.env.db_path, "SELECT count(*) AS n FROM %s %s" % (table, where))
        return v[0]["n"] if v else 0

    def processed(self):
        return (self.env.modem.empty()
                and self.count("outbox", "WHERE state = 'pending'") == 0)

    def do_wait(self, items):
        secs = one(items, "seconds")
        if secs is not None:
            time.sleep(float(secs))
        until = one(items, "until")
        need_m = int(one(items, "messages", 0))
        need_t = int(one(items, "tickets", 0))

        def ready():
            if not self.daemon.alive():
                return True
            if until == "processed" and not self.processed():
                return False
            return self.count("messages") >= need_m and self.count("tickets") >= need_t

        if not wait_for(ready, self.timeout, 0.1):
            raise TestFailure("[wait] not reached in %ds (modem %d files, %d messages, %d tickets)"
                              % (self.timeout, self.env.modem.count(), self.count("messages"),
                                 self.count("tickets")))
        if not self.daemon.alive():
            raise TestFailure("helpdeskd died; log tail:\n" + self.daemon.log_tail())

    # -- expectations ----------------------------------------------------

    OBJ_SQL = {
        "message": "SELECT * FROM messages ORDER BY id",
        "ticket": "SELECT * FROM tickets ORDER BY id",
        "event": "SELECT * FROM events ORDER BY id",
        "outbox": "SELECT * FROM outbox ORDER BY id",
        "reply": "SELECT * FROM outbox WHERE kind = 'reply' ORDER BY id",
        "notice": "SELECT * FROM outbox WHERE kind = 'admin_notice' ORDER BY id",
        "quarantined": "SELECT * FROM messages WHERE outcome = 'quarantined' ORDER BY id",
    }
    COUNT_SQL = {
        "messages": "messages", "tickets": "tickets", "events": "events",
        "outbox": "outbox",
        "replies": "outbox WHERE kind = 'reply'",
        "notices": "outbox WHERE kind = 'admin_notice'",
    }
    OPS = ("match", "contains", "not_contains", "in", "nonempty", "null")

    def evaluate(self, items):
        """List of failure texts (empty: all expectations hold)."""
        fails = []
        cache = {}
        log = None

        def rows(obj):
            if obj not in cache:
                cache[obj] = query(self.env.db_path, self.OBJ_SQL[obj])
            return cache[obj]

        for key, raw_want in items:
            want = self.subst(raw_want)
            if key in ("timeout",):
                continue
            if key in self.COUNT_SQL:
                got = self.count(self.COUNT_SQL[key])
                if str(got) != want:
                    fails.append("%s = %s, want %s" % (key, got, want))
                continue
            if key.startswith("events.") or key.startswith("outcome."):
                obj, val = key.split(".", 1)
                col = "kind" if obj == "events" else "outcome"
                got = len([r for r in rows("event" if obj == "events" else "message")
                           if r[col] == val])
                if str(got) != want:
                    fails.append("%s = %s, want %s" % (key, got, want))
                continue
            if key == "modem_empty":
                got = "yes" if self.env.modem.empty() else "no"
                if got != want:
                    fails.append("modem_empty = %s (%d files left), want %s"
                                 % (got, self.env.modem.count(), want))
                continue
            if key == "modem_count":
                got = self.env.modem.count()
                if str(got) != want:
                    fails.append("modem_count = %s, want %s" % (got, want))
                continue
            if key.startswith("log."):
                if log is None:
                    log = self.daemon.log()
                op = key[4:]
                ok = {"contains": lambda: want in log,
                      "not_contains": lambda: want not in log,
                      "match": lambda: re.search(want, log, re.M) is not None}.get(op)
                if ok is None:
                    raise CaseError("unknown expectation %s" % key)
                if not ok():
                    fails.append("%s %r failed" % (key, want))
                continue
            parts = key.split(".")
            if len(parts) < 3 or parts[0] not in self.OBJ_SQL:
                raise CaseError("unknown expectation %s" % key)
            obj, idx, field = parts[0], parts[1], parts[2]
            op = parts[3] if len(parts) > 3 else "eq"
            if op != "eq" and op not in self.OPS:
                raise CaseError("unknown operator in %s" % key)
            rs = rows(obj)
            if idx == "*":
                targets = list(enumerate(rs, 1))
                if not targets:
                    fails.append("%s: no %s rows" % (key, obj))
            elif idx == "last":
                targets = [(len(rs), rs[-1])] if rs else []
                if not targets:
                    fails.append("%s: no %s rows" % (key, obj))
            else:
                n = int(idx)
                if n > len(rs):
                    fails.append("%s: only %d %s rows" % (key, len(rs), obj))
                    continue
                targets = [(n, rs[n - 1])]
            for n, r in targets:
                if field not in r:
                    raise CaseError("%s: %s has no column %s" % (key, obj, field))
                got = r[field]
                if isinstance(got, bytes):
                    got = got.decode("utf-8", "replace")
                gs = "null" if got is None else str(got)
                ok = {
                    "eq": lambda: gs == want,
                    "match": lambda: got is not None and re.search(want, gs) is not None,
                    "contains": lambda: got is not None and want in gs,
                    "not_contains": lambda: want not in gs,
                    "in": lambda: gs in want.split("|"),
                    "nonempty": lambda: (got not in (None, "")) == (want == "yes"),
                    "null": lambda: (got is None) == (want == "yes"),
                }[op]()
                if not ok:
                    fails.append("%s.%s.%s%s: got %r, want %s%r"
                                 % (obj, n, field, "" if op == "eq" else "." + op,
                                    got, "" if op == "eq" else op + " ", want))
        return fails

    def expect(self, items):
        timeout = float(one(items, "timeout", self.timeout))
        deadline = time.monotonic() + timeout
        want_empty = one(items, "modem_empty", "yes") == "yes" and one(items, "modem_count") is None
        need_m = one(items, "messages")
        fails = ["not evaluated"]
        while time.monotonic() < deadline:
            if not self.daemon.alive():
                break
            settled = (self.count("outbox", "WHERE state = 'pending'") == 0
                       and (not want_empty or self.env.modem.empty())
                       and (need_m is None or self.count("messages") >= int(need_m)))
            if settled:
                fails = self.evaluate(items)
                if not fails:
                    # Give a late, unwanted reply or ticket a chance to show up.
                    time.sleep(0.7)
                    fails = self.evaluate(items)
                    if not fails:
                        return
            time.sleep(0.15)
        fails = self.evaluate(items)
        for f in fails:
            self.check(False, f)
        if not fails:
            return
        self.check.note(self.dump())

    def dump(self):
        out = []
        for obj, cols in (("message", "id, sender, outcome, parts, reason, ticket_id, text"),
                          ("ticket", "id, number, reporter, status, channel, text"),
                          ("outbox", "id, kind, recipient, state, attempts, provider_ref, last_error, body")):
            rows = query(self.env.db_path, "SELECT %s FROM %ss ORDER BY id" % (cols, obj)
                         if obj != "outbox" else "SELECT %s FROM outbox ORDER BY id" % cols)
            out.append("  %s rows:" % obj)
            for r in rows[:20]:
                out.append("    " + repr(r)[:300])
        out.append("  modem files: %s" % [os.path.relpath(p, self.env.modem_dir)
                                          for p in self.env.modem.files()])
        out.append("  daemon log tail:\n    " + "\n    ".join(self.daemon.log_tail(25).splitlines()))
        return "\n".join(out)

    # -- run -------------------------------------------------------------

    def run(self):
        overrides = {}
        for s, items in self.sections:
            if s == "config":
                for k, v in items:
                    overrides[k] = Raw(v)
        self.env = TestEnv(self.name.replace("/", "-"), overrides)
        failed = True
        try:
            self.daemon = self.env.daemon().start()
            for s, items in self.sections:
                if s in ("case", "config"):
                    continue
                if s == "sms":
                    self.drop(items)
                elif s == "wait":
                    self.do_wait(items)
                elif s == "expect":
                    self.expect(items)
                else:
                    raise CaseError("unknown section [%s]" % s)
            finish_daemon(self.daemon, self.check)
            failed = not self.check.ok
        except TestFailure as e:
            self.check(False, str(e))
        finally:
            kept = self.env.cleanup(failed or not self.check.ok)
            if kept:
                self.check.note("kept %s" % kept)
        return self.check


def tests(pattern=None):
    """(name, callable returning Check) for each case file."""
    return case_tests("sms", CASES_DIR, lambda f: CaseRun(f).run(), pattern)
