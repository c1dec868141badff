"""email_cases.py: one runner for the data-driven email cases in
tests/cases/email/*.case (the same file syntax as tests/cases/sms/, see
sms_cases.py and tests/cases/README.md).

Each case gets its own world (mailpeers.EmailEnv): a private Dovecot with
the user "helpdesk" (password "pw"), an aiosmtpd sink as the SMTP relay, a
fresh database and spool, and a helpdeskd whose config uses them (sms
disabled, one IMAP mailbox "inbox" over plain IMAP with IDLE, SMTP without
TLS, no admins, outbox retry_min 1 / retry_max 4). The runner starts
helpdeskd, delivers the mails the case describes into the mailbox while it
runs (doveadm save, as local delivery does), waits until the daemon has
settled and the expectations hold (retried until the case's timeout), then
stops it with SIGTERM.

SECTIONS (beyond the SMS ones: [case], [config], [wait], [expect])
  [case]     start = auto (default) | manual: helpdeskd is started by a
             [daemon] action = start section instead of before the first step.
  [peers]    set up before anything starts:
             cert = server|other|selfsigned|wrongname  Dovecot's certificate
             idle = yes|no            Dovecot offers IDLE (default yes)
             tls = yes|no             no: Dovecot without TLS (no STARTTLS, no IMAPS)
             folders = A, B           folders to create for the user
             sink_tls = none|starttls|smtps   sink_cert = server|other|...
             sink_auth = user:password
  [config]   dotted.key = value: numbers, booleans, lists, arrays and groups
             are written as libconfig literals, anything else as a string;
             imap.KEY sets KEY in the (only) imap mailbox group; "key =
             none" removes a key. Values may use
             {ca_file} {other_ca_file} {imap_port} {imaps_port} {smtp_port}
             {dir} {spool}.
  [mail]     one incoming email (see tests/cases/README.md for every key):
             from, to, subject, subject_mode, body, charset, encoding, html,
             header (repeat), attach = NAME | TYPE | SPEC (repeat),
             message_id, date, raw, raw_sink = N, boundary, repeat = N ({i}),
             folder, via = doveadm|append, flags, copies = N
  [sink]     action = stop|start|restart; fail = "451 ..." | none (answer
             DATA with that); fail_rcpt = "550 ..." | none (answer RCPT)
  [dovecot]  action = stop|start|restart
  [daemon]   action = start|stop|kill|restart
  [wait]     until = processed; messages|tickets|sink = N; seconds = S;
             sql = SELECT ... (until the first column is true)
  [expect]   everything the SMS runner knows, plus
             attachments = N; attachment.N.FIELD[.OP]; mailbox.N.FIELD[.OP]
             sink.count = N; sink.N.mail_from|rcpt|tls|auth|body|raw[.OP];
             sink.N.header.NAME[.OP] (decoded), sink.N.rawheader.NAME[.OP];
             sink(ADDR).count / sink(ADDR).N...: only messages to ADDR
             imap.count|seen|unseen|flagged = N (seen/unseen also "all");
             imap.FOLDER.count|seen|unseen|flagged for another folder
             dovecot_log.contains|not_contains|match; logins = N
             path_absent = PATH (relative to the spool: must not exist)
             settle = no: do not wait for "no pending outbox row and no
             unseen mail" before evaluating
  Substitutions: {ticket:N} {ticket_id:N} {text:N} {yymm} {msgid:N}
  (Message-ID of the N-th mail delivered, without <>) {sink:N:HEADER}
  (header of the N-th message at the sink, as sent) {reply_msgid:N}
  (outbox.rfc_message_id of the N-th reply) {sha256:FILENAME}
  {size:FILENAME} (of a generated attachment) {uidvalidity} {helpdesk}
  (our From address) and the [config] paths.

Always checked as well: helpdeskd still runs at the end, exits 0 on
SIGTERM, no sanitizer report; every attachments row names a file inside
the spool (no '..', not absolute) whose size and SHA-256 match the row;
every messages.raw_path names an existing file inside the spool; every
message at the sink has no line over 998 octets, no NUL and no header
defect.
"""

import glob
import hashlib
import os
import re
import time

import harness
import mailgen
import mailpeers
from harness import case_tests, Check, Raw, TestFailure, finish_daemon, query, wait_for, ROOT
from sms_cases import CaseError, CaseRun, many, one, parse_case, unquote

CASES_DIR = os.path.join(ROOT, "tests", "cases", "email")
DEFAULT_FROM = "Budi Santoso <budi@dinkes.example>"
DEFAULT_TO = "Helpdesk Diskominfo <%s>" % mailpeers.HELPDESK_FROM


LITERAL_RE = re.compile(r"^(-?[0-9]+L?|-?[0-9]*\.[0-9]+|0x[0-9a-fA-F]+|true|false|\(.*\)|\[.*\]|\{.*\})$",
                        re.S | re.I)


def lc_literal(v):
    """v as a libconfig value: numbers, booleans, lists, arrays and groups
    as written, anything else as a string (the case file's quotes were
    already taken off by the parser)."""
    if LITERAL_RE.match(v.strip()):
        return v.strip()
    return '"%s"' % v.replace("\\", "\\\\").replace('"', '\\"')


def yes(v):
    return str(v).strip().lower() in ("yes", "true", "1", "on")


class EmailCaseRun(CaseRun):
    OBJ_SQL = dict(CaseRun.OBJ_SQL)
    OBJ_SQL.update({
        "attachment": "SELECT * FROM attachments ORDER BY id",
        "attachments": "SELECT * FROM attachments ORDER BY id",
        "mailbox": "SELECT * FROM mailboxes ORDER BY name",
        "comment": "SELECT * FROM messages WHERE outcome = 'comment' ORDER BY id",
        "ignored": "SELECT * FROM messages WHERE outcome = 'ignored' ORDER BY id",
    })
    COUNT_SQL = dict(CaseRun.COUNT_SQL)
    COUNT_SQL.update({"attachments": "attachments", "mailboxes": "mailboxes"})

    def __init__(self, path):
        self.path = path
        self.name = "email/" + os.path.splitext(os.path.basename(path))[0]
        self.sections = parse_case(path)
        head = dict(next((items for s, items in self.sections if s == "case"), []))
        self.title = head.get("title", "")
        self.timeout = float(head.get("timeout", 20))
        self.manual_start = head.get("start", "auto") == "manual"
        self.env = None
        self.daemon = None
        self.check = Check()
        self.delivered = []          # [{'msgid', 'raw', 'folder'}] in delivery order
        self.generated = {}          # attachment filename -> bytes
        self.nmail = 0

    # -- substitution ----------------------------------------------------

    SUBST_RE = re.compile(r"\{(ticket|ticket_id|text|yymm|admin|msgid|sink|reply_msgid|sha256|"
                          r"size|uidvalidity|helpdesk|dir|spool|ca_file|other_ca_file|"
                          r"imap_port|imaps_port|smtp_port)(?::([^{}]*))?\}")

    def subst(self, s):
        if "{" not in s:
            return s

        def rep(m):
            what, arg = m.group(1), m.group(2)
            if what in ("ticket", "ticket_id", "text", "yymm", "admin"):
                return CaseRun.subst(self, m.group(0))
            if what == "msgid":
                i = int(arg or 1) - 1
                if i >= len(self.delivered) or not self.delivered[i]["msgid"]:
                    return "<no mail %s with a Message-ID>" % (i + 1)
                return self.delivered[i]["msgid"].strip("<>")
            if what == "sink":
                n, _, hname = (arg or "1:Message-ID").partition(":")
                msg = self.env.sink.get(int(n))
                if msg is None:
                    return "<no sink message %s>" % n
                return msg.raw_header(hname or "Message-ID") or ""
            if what == "reply_msgid":
                rows = query(self.env.db_path, "SELECT rfc_message_id FROM outbox "
                             "WHERE kind = 'reply' ORDER BY id")
                i = int(arg or 1) - 1
                return str(rows[i]["rfc_message_id"]) if i < len(rows) else "<no reply %d>" % (i + 1)
            if what in ("sha256", "size"):
                data = self.generated.get(arg)
                if data is None:
                    raise CaseError("no generated attachment named %r" % arg)
                return hashlib.sha256(data).hexdigest() if what == "sha256" else str(len(data))
            if what == "uidvalidity":
                return str(self.env.dovecot.uidvalidity(self.env.user, arg or "INBOX"))
            if what == "helpdesk":
                return mailpeers.HELPDESK_FROM
            return self.env.paths()[what]

        return self.SUBST_RE.sub(rep, s)

    # -- mail ------------------------------------------------------------

    def build_mail(self, items, i):
        def val(key, default=None):
            v = one(items, key, default)
            return None if v is None else self.subst(v).replace("{i}", str(i))

        if one(items, "raw") is not None:
            raw = val("raw")
            data = raw.encode("latin-1") if all(ord(c) < 256 for c in raw) else raw.encode("utf-8")
            m = re.search(rb"(?im)^Message-ID:\s*(<[^>\r\n]*>)", data.split(b"\n\n")[0])
            return data, (m.group(1).decode("latin-1") if m else None)
        if one(items, "raw_file") is not None:
            with open(os.path.join(CASES_DIR, val("raw_file")), "rb") as f:
                data = f.read()
            m = re.search(rb"(?im)^Message-ID:\s*(<[^>\r\n]*>)", data)
            return data, (m.group(1).decode("latin-1") if m else None)
        if one(items, "raw_sink") is not None:
            msg = self.env.sink.get(int(val("raw_sink")))
            if msg is None:
                raise TestFailure("raw_sink = %s: the sink has %d messages"
                                  % (val("raw_sink"), self.env.sink.count()))
            return msg.data, msg.raw_header("Message-ID")
        atts = []
        for spec in many(items, "attach"):
            spec = self.subst(spec).replace("{i}", str(i))
            parts = [unquote(p.strip()) for p in spec.split("|")]
            if len(parts) != 3:
                raise CaseError("attach = NAME | TYPE | SPEC, got %r" % spec)
            name = None if parts[0] == "-" else parts[0]
            data = mailgen.attachment_content(parts[2], seed=self.nmail)
            if name is not None:
                self.generated[name] = data
            atts.append((name, parts[1], data))
        mid = val("message_id", "auto")
        if mid == "none":
            mid = None
        elif mid == "auto":
            mid = mailgen.new_message_id("dinkes.example", "case%d" % (self.nmail + 1))
        date = val("date")
        if date is not None:
            date = mailgen.relative_date(date) or date
        data = mailgen.make_mail(
            frm=val("from", DEFAULT_FROM), to=val("to", DEFAULT_TO),
            subject=val("subject", "HELPDESK test"), body=val("body", ""),
            charset=val("charset", "utf-8"), encoding=val("encoding", "auto"),
            html=val("html"), headers=[self.subst(h).replace("{i}", str(i))
                                       for h in many(items, "header")],
            attachments=atts, message_id=mid, date=date,
            subject_mode=val("subject_mode", "auto"), boundary=val("boundary"))
        return data, mid

    def deliver(self, items):
        repeat = int(one(items, "repeat", 1))
        copies = int(one(items, "copies", 1))
        folder = self.subst(one(items, "folder", "INBOX"))
        via = one(items, "via", "doveadm")
        flags = one(items, "flags", "")
        for i in range(1, repeat + 1):
            data, mid = self.build_mail(items, i)
            for _ in range(copies):
                if via == "append" or flags:
                    self.env.dovecot.append(data, self.env.user, folder, flags=flags)
                else:
                    self.env.dovecot.deliver(data, self.env.user, folder)
            self.nmail += 1
            self.delivered.append({"msgid": mid, "raw": data, "folder": folder})
            path = os.path.join(self.env.dir, "mail-%02d.eml" % self.nmail)
            with open(path, "wb") as f:
                f.write(data)

    # -- waiting ---------------------------------------------------------

    def mailbox_state(self, folder="INBOX"):
        try:
            return self.env.dovecot.summary(self.env.user, folder)
        except Exception as e:        # Dovecot stopped by the case
            return {"error": str(e), "count": 0, "seen": 0, "unseen": -1, "flagged": 0}

    def processed(self):
        return (self.count("outbox", "WHERE state = 'pending'") == 0
                and self.mailbox_state()["unseen"] == 0)

    def do_wait(self, items):
        secs = one(items, "seconds")
        if secs is not None:
            time.sleep(float(secs))
        until = one(items, "until")
        need_m = int(one(items, "messages", 0))
        need_t = int(one(items, "tickets", 0))
        need_s = int(one(items, "sink", 0))
        sql = one(items, "sql")
        timeout = float(one(items, "timeout", self.timeout))

        def ready():
            if self.daemon is not None and not self.daemon.alive():
                return True
            if until == "processed" and not self.processed():
                return False
            if sql is not None:
                rows = query(self.env.db_path, self.subst(sql))
                if not rows or not next(iter(rows[0].values())):
                    return False
            return (self.count("messages") >= need_m and self.count("tickets") >= need_t
                    and self.env.sink.count() >= need_s)

        if not wait_for(ready, timeout, 0.1):
            raise TestFailure("[wait] not reached in %ds (%d messages, %d tickets, sink %d, "
                              "mailbox %r)\n%s" % (timeout, self.count("messages"),
                                                   self.count("tickets"), self.env.sink.count(),
                                                   self.mailbox_state(), self.dump()))
        if self.daemon is not None and not self.daemon.alive():
            raise TestFailure("helpdeskd died; log tail:\n" + self.daemon.log_tail())

    # -- expectations ----------------------------------------------------

    SINK_RE = re.compile(r"^sink(?:\(([^)]*)\))?\.(count|\d+|last|\*)(?:\.(.+))?$")
    SINK_OPS = ("match", "contains", "not_contains", "in", "nonempty", "null")

    @staticmethod
    def compare(got, op, want):
        gs = "null" if got is None else str(got)
        return {
            "eq": lambda: gs == want,
            "match": lambda: got is not None and re.search(want, gs) is not None,
            "contains": lambda: got is not None and want in gs,
            "not_contains": lambda: want not in gs,
            "in": lambda: gs in want.split("|"),
            "nonempty": lambda: (got not in (None, "")) == (want == "yes"),
            "null": lambda: (got is None) == (want == "yes"),
        }[op]()

    def eval_sink(self, key, want, m):
        rcpt, idx, rest = m.group(1), m.group(2), m.group(3)
        msgs = self.env.sink.all()
        if rcpt:
            msgs = [x for x in msgs if any(r.lower() == rcpt.lower() for r in x.rcpt_tos)]
        if idx == "count":
            got = len(msgs)
            return [] if str(got) == want else ["%s = %d, want %s; sink has %r"
                                                 % (key, got, want, msgs[:6])]
        if rest is None:
            raise CaseError("%s: which field?" % key)
        if idx == "*":
            targets = msgs
            if not targets:
                return ["%s: the sink has no messages" % key]
        elif idx == "last":
            targets = msgs[-1:]
            if not targets:
                return ["%s: the sink has no messages" % key]
        else:
            n = int(idx)
            if n > len(msgs):
                return ["%s: the sink has only %d messages" % (key, len(msgs))]
            targets = [msgs[n - 1]]
        parts = rest.split(".")
        op = "eq"
        if parts[-1] in self.SINK_OPS:
            op = parts.pop()
        fails = []
        for msg in targets:
            field = parts[0]
            if field in ("header", "rawheader"):
                if len(parts) < 2:
                    raise CaseError("%s: header name missing" % key)
                hname = ".".join(parts[1:])
                got = msg.header(hname) if field == "header" else msg.raw_header(hname)
            elif field == "mail_from":
                got = msg.mail_from
            elif field == "rcpt":
                got = ", ".join(msg.rcpt_tos)
            elif field == "tls":
                got = "yes" if msg.tls else "no"
            elif field == "auth":
                got = msg.auth
            elif field == "body":
                got = msg.body()
            elif field == "raw":
                got = msg.data.decode("utf-8", "replace")
            else:
                raise CaseError("%s: unknown sink field %s" % (key, field))
            if not self.compare(got, op, want):
                fails.append("%s (sink message %d): got %r, want %s%r"
                             % (key, msg.n, got if not isinstance(got, str) or len(got) < 600
                                else got[:600] + "...", "" if op == "eq" else op + " ", want))
        return fails

    def eval_imap(self, key, want, cache):
        parts = key.split(".")
        if len(parts) == 2:
            folder, what = "INBOX", parts[1]
        else:
            folder, what = ".".join(parts[1:-1]), parts[-1]
        if what not in ("count", "seen", "unseen", "flagged"):
            raise CaseError("unknown expectation %s" % key)
        if folder not in cache:
            cache[folder] = self.mailbox_state(folder)
        st = cache[folder]
        if want == "all":
            want_n = st["count"] if what in ("seen", "flagged") else 0
            ok = st[what] == want_n and st["count"] > 0
        else:
            ok = str(st[what]) == want
        return [] if ok else ["%s = %s, want %s (folder %s: %r)" % (key, st[what], want, folder, st)]

    def evaluate(self, items):
        fails = []
        rest = []
        imap_cache = {}
        for key, raw_want in items:
            if key in ("timeout", "settle"):
                continue
            want = self.subst(raw_want)
            m = self.SINK_RE.match(key)
            if m:
                fails += self.eval_sink(key, want, m)
            elif key.startswith("imap."):
                fails += self.eval_imap(key, want, imap_cache)
            elif key.startswith("dovecot_log."):
                log = self.env.dovecot.log()
                op = key.split(".", 1)[1]
                ok = {"contains": lambda: want in log, "not_contains": lambda: want not in log,
                      "match": lambda: re.search(want, log, re.M) is not None}.get(op)
                if ok is None:
                    raise CaseError("unknown expectation %s" % key)
                if not ok():
                    fails.append("%s %r failed" % (key, want))
            elif key == "logins":
                got = self.env.dovecot.logins(self.env.user)
                if str(got) != want:
                    fails.append("logins = %d, want %s" % (got, want))
            elif key == "path_absent":
                p = os.path.normpath(os.path.join(self.env.spool, want))
                if os.path.lexists(p):
                    fails.append("path_absent: %s exists" % p)
            elif key in ("modem_empty", "modem_count"):
                raise CaseError("%s is an SMS expectation" % key)
            else:
                rest.append((key, raw_want))
        return fails + CaseRun.evaluate(self, rest)

    def expect(self, items):
        timeout = float(one(items, "timeout", self.timeout))
        deadline = time.monotonic() + timeout
        settle = yes(one(items, "settle", "yes"))
        need_m = one(items, "messages")
        fails = ["not evaluated"]
        while time.monotonic() < deadline:
            if self.daemon is not None and not self.daemon.alive():
                break
            settled = (not settle or (self.processed() and (
                need_m is None or self.count("messages") >= int(self.subst(need_m)))))
            if settled:
                fails = self.evaluate(items)
                if not fails:
                    # Give a late, unwanted reply or ticket a chance to show up.
                    time.sleep(0.8)
                    fails = self.evaluate(items)
                    if not fails:
                        return
            time.sleep(0.15)
        fails = self.evaluate(items)
        for f in fails:
            self.check(False, f)
        if fails:
            self.check.note(self.dump())

    # -- always-checked invariants --------------------------------------

    def check_spool(self):
        spool = os.path.realpath(self.env.spool)
        for a in query(self.env.db_path, "SELECT * FROM attachments ORDER BY id"):
            p = a["path"] or ""
            if not p or os.path.isabs(p) or ".." in p.split("/") or "\\" in p:
                self.check(False, "attachment %d: path %r is not a plain relative path"
                           % (a["id"], p))
                continue
            full = os.path.realpath(os.path.join(spool, p))
            if not full.startswith(spool + os.sep):
                self.check(False, "attachment %d: %r leaves the spool" % (a["id"], p))
                continue
            try:
                with open(full, "rb") as f:
                    data = f.read()
            except OSError as e:
                self.check(False, "attachment %d: %s" % (a["id"], e))
                continue
            self.check(len(data) == a["size"], "attachment %d: file has %d bytes, row says %s"
                       % (a["id"], len(data), a["size"]))
            self.check(hashlib.sha256(data).hexdigest() == (a["sha256"] or "").lower(),
                       "attachment %d: file SHA-256 differs from the row" % a["id"])
        for m in query(self.env.db_path, "SELECT id, raw_path FROM messages "
                       "WHERE raw_path IS NOT NULL ORDER BY id"):
            p = m["raw_path"]
            full = os.path.realpath(os.path.join(spool, p))
            self.check(not os.path.isabs(p) and full.startswith(spool + os.sep)
                       and os.path.isfile(full),
                       "message %d: raw_path %r is not a file inside the spool" % (m["id"], p))

    def check_sink(self):
        """Every message helpdeskd sent: lines within RFC 5322's 998
        octets, header block parseable, no NUL."""
        for m in self.env.sink.all():
            long_lines = [i for i, ln in enumerate(m.data.split(b"\n"), 1)
                          if len(ln.rstrip(b"\r")) > 998]
            self.check(not long_lines, "sink message %d: %d lines longer than 998 octets "
                       "(first: line %d)" % (m.n, len(long_lines), long_lines[0] if long_lines else 0))
            self.check(b"\0" not in m.data, "sink message %d contains NUL" % m.n)
            self.check(m.msg.defects == [] or all(
                type(d).__name__ in ("MissingHeaderBodySeparatorDefect",) for d in m.msg.defects),
                "sink message %d: header defects %r" % (m.n, m.msg.defects))

    def dump(self):
        out = []
        db = self.env.db_path
        for title, sql in (
                ("messages", "SELECT id, sender, outcome, reason, ticket_id, subject, "
                             "rfc_message_id, raw_path, substr(text, 1, 120) AS text "
                             "FROM messages ORDER BY id"),
                ("tickets", "SELECT id, number, reporter, channel, status, "
                            "substr(text, 1, 120) AS text FROM tickets ORDER BY id"),
                ("outbox", "SELECT id, kind, channel, recipient, state, attempts, last_error, "
                           "subject, rfc_message_id, in_reply_to, provider_ref FROM outbox "
                           "ORDER BY id"),
                ("attachments", "SELECT * FROM attachments ORDER BY id"),
                ("events", "SELECT id, ticket_id, kind, actor, detail FROM events ORDER BY id"),
                ("mailboxes", "SELECT * FROM mailboxes")):
            try:
                rows = query(db, sql)
            except Exception as e:
                rows = ["(%s)" % e]
            out.append("  %s:" % title)
            for r in rows[:20]:
                out.append("    " + repr(r)[:400])
        out.append("  sink: %r" % self.env.sink.all()[:10])
        out.append("  mailbox INBOX: %r" % self.mailbox_state())
        if self.daemon is not None:
            out.append("  daemon log tail:\n    " + "\n    ".join(
                self.daemon.log_tail(30).splitlines()))
        dl = self.env.dovecot.log().splitlines()
        out.append("  dovecot log tail:\n    " + "\n    ".join(dl[-8:]))
        return "\n".join(out)

    # -- run -------------------------------------------------------------

    def setup(self):
        peers = {}
        for s, items in self.sections:
            if s != "peers":
                continue
            for k, v in items:
                if k == "cert":
                    peers["cert"] = v
                elif k == "idle":
                    peers["idle"] = yes(v)
                elif k == "tls":
                    peers["tls"] = yes(v)
                elif k == "folders":
                    peers["folders"] = [x.strip() for x in v.split(",") if x.strip()]
                elif k == "sink_tls":
                    peers["sink_tls"] = v
                elif k == "sink_cert":
                    peers["sink_cert"] = v
                elif k == "sink_auth":
                    peers["sink_auth"] = tuple(v.split(":", 1))
                elif k == "users":
                    peers["users"] = dict(x.strip().split(":", 1) for x in v.split(","))
                else:
                    raise CaseError("unknown [peers] key %s" % k)
        self.env = mailpeers.EmailEnv(self.name.replace("/", "-"), peers=peers)
        self.env.start_peers()
        for s, items in self.sections:
            if s != "config":
                continue
            for k, v in items:
                v = self.subst(v)
                value = None if v == "none" else Raw(lc_literal(v))
                if k.startswith("imap."):
                    self.env.imap_overrides[k[5:]] = value
                else:
                    self.env.overrides[k] = value
        self.env.configure()

    def daemon_action(self, items):
        action = one(items, "action")
        if action == "start":
            if self.daemon is not None and self.daemon.alive():
                raise CaseError("[daemon] start: already running")
            self.daemon = self.env.daemon().start()
        elif action == "stop":
            finish_daemon(self.daemon, self.check)
        elif action == "kill":
            self.daemon.kill()
        elif action == "restart":
            finish_daemon(self.daemon, self.check)
            self.daemon = self.env.daemon().start()
        else:
            raise CaseError("[daemon] action = start|stop|kill|restart")

    def run(self):
        failed = True
        try:
            self.setup()
            if not self.manual_start:
                self.daemon = self.env.daemon().start()
            for s, items in self.sections:
                if s in ("case", "config", "peers"):
                    continue
                if s == "mail":
                    self.deliver(items)
                elif s == "wait":
                    self.do_wait(items)
                elif s == "expect":
                    self.expect(items)
                elif s == "sink":
                    a = one(items, "action")
                    for k in ("fail", "fail_rcpt"):
                        f = one(items, k)
                        if f is not None:
                            setattr(self.env.sink, k, None if f == "none" else f)
                    if a in ("stop", "start", "restart"):
                        getattr(self.env.sink, a)()
                    elif a is not None:
                        raise CaseError("[sink] action = stop|start|restart")
                elif s == "dovecot":
                    a = one(items, "action")
                    if a not in ("stop", "start", "restart"):
                        raise CaseError("[dovecot] action = stop|start|restart")
                    getattr(self.env.dovecot, a)()
                elif s == "daemon":
                    self.daemon_action(items)
                else:
                    raise CaseError("unknown section [%s]" % s)
            if self.daemon is not None:
                self.check_spool()
                self.check_sink()
                finish_daemon(self.daemon, self.check)
            failed = not self.check.ok
        except TestFailure as e:
            self.check(False, str(e))
        finally:
            if self.env is not None:
                kept = self.env.cleanup(failed or not self.check.ok)
                if kept:
                    self.check.note("kept %s" % kept)
        return self.check


def tests(pattern=None):
    """(name, callable returning Check) for each case file."""
    return case_tests("email", CASES_DIR, lambda f: EmailCaseRun(f).run(), pattern)
