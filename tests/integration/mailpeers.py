"""mailpeers.py: the real mail peers the email tests run helpdeskd against.

- Certs: a test CA and certificates made with certtool (gnutls-bin):
  "server" (localhost / 127.0.0.1, signed by the test CA), "other" (the
  same names, signed by another CA), "selfsigned" (localhost, self-signed)
  and "wrongname" (signed by the test CA, but for mail.invalid only).
  test_certs() makes one set per process (removed at exit).
- Dovecot: a private Dovecot 2.3 run from a temporary directory as a child
  process (dovecot -F -c FILE), a plain IMAP listener (STARTTLS offered)
  and an IMAPS listener on free ports of 127.0.0.1, passwd-file users with
  uid/gid 65534 and maildirs under DIR/mail. IDLE is offered unless
  idle=False. deliver() saves a message with doveadm (as an MTA's LDA
  would: it wakes IDLE), append() uses IMAP APPEND, flags()/uids()/count()
  look at a folder read-only (EXAMINE) through imaplib.
- SmtpSink: an aiosmtpd Controller (a thread of this process) on
  127.0.0.1 that keeps every message it accepts (envelope MAIL FROM, RCPT
  TO, raw bytes, arrival time, whether TLS was on); stop()/start() on the
  same port to play "SMTP down"; tls = "none" | "starttls" | "smtps" with
  the test certificate; optional AUTH (user, password); fail = "451 ..."
  answers DATA with that reply instead of accepting.
- EmailEnv: a harness.TestEnv whose helpdeskd config uses those peers
  (sms disabled, one IMAP mailbox "inbox", the sink as SMTP relay, no
  admins), with helpers for the database, the mailbox and the sink.

Everything listens on 127.0.0.1 only; every child is stopped by its PID.
Run this file directly for a self-test of the peers (no helpdeskd needed):
    /usr/bin/python3 tests/integration/mailpeers.py

Standard library plus Debian's python3-aiosmtpd; /usr/bin/python3 (3.11).
"""

import atexit
import email
import email.policy
import imaplib
import logging
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import harness  # noqa: E402

MAIL_UID = 65534          # nobody:nogroup owns the maildirs
DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
CERTTOOL = "/usr/bin/certtool"

HELPDESK_FROM = "helpdesk@diskominfo.example"
# The tests look into mailboxes as this Dovecot master user ("USER*inspector"),
# so that their logins are told apart from helpdeskd's in Dovecot's log.
INSPECTOR = "inspector"
INSPECTOR_PW = "inspect-pw"
MSGID_DOMAIN = "helpdesk.diskominfo.example"


def free_port():
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1", timeout=0.2):
    try:
        with socket.create_connection((host, port), timeout):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------
# Certificates

class Certs:
    """Test certificates in dir (see the module doc). Attributes are paths:
    ca, ca_key, server, server_key, other_ca, other, other_key, selfsigned,
    selfsigned_key, wrongname, wrongname_key."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        p = lambda n: os.path.join(directory, n)  # noqa: E731
        self.ca, self.ca_key = p("ca.pem"), p("ca.key")
        self.other_ca, self.other_ca_key = p("other-ca.pem"), p("other-ca.key")
        self.server, self.server_key = p("server.pem"), p("server.key")
        self.other, self.other_key = p("other.pem"), p("other.key")
        self.selfsigned, self.selfsigned_key = p("selfsigned.pem"), p("selfsigned.key")
        self.wrongname, self.wrongname_key = p("wrongname.pem"), p("wrongname.key")
        self._make()

    def pair(self, name):
        """(cert, key) of "server", "other", "selfsigned" or "wrongname"."""
        return getattr(self, name), getattr(self, name + "_key")

    def _run(self, *args):
        p = subprocess.run([CERTTOOL] + list(args), capture_output=True, timeout=30)
        if p.returncode != 0:
            raise RuntimeError("certtool %s failed: %s" % (" ".join(args),
                                                          p.stderr.decode("utf-8", "replace")))

    def _tmpl(self, name, lines):
        path = os.path.join(self.dir, name + ".tmpl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\nexpiration_days = 30\n")
        return path

    def _key(self, path):
        self._run("--generate-privkey", "--key-type=ecdsa", "--outfile", path)
        os.chmod(path, 0o600)

    def _ca(self, cert, key, cn):
        self._key(key)
        t = self._tmpl(os.path.basename(cert), ['cn = "%s"' % cn, "ca", "cert_signing_key"])
        self._run("--generate-self-signed", "--load-privkey", key, "--template", t,
                  "--outfile", cert)

    def _leaf(self, cert, key, names, ca=None, ca_key=None):
        self._key(key)
        lines = ['cn = "%s"' % names[0], "tls_www_server", "encryption_key", "signing_key"]
        for n in names:
            lines.append(('ip_address = "%s"' if re.match(r"^[0-9.]+$", n) else
                          'dns_name = "%s"') % n)
        t = self._tmpl(os.path.basename(cert), lines)
        if ca:
            self._run("--generate-certificate", "--load-privkey", key,
                      "--load-ca-certificate", ca, "--load-ca-privkey", ca_key,
                      "--template", t, "--outfile", cert)
        else:
            self._run("--generate-self-signed", "--load-privkey", key, "--template", t,
                      "--outfile", cert)

    def _make(self):
        self._ca(self.ca, self.ca_key, "helpdeskd test CA")
        self._ca(self.other_ca, self.other_ca_key, "some other CA")
        self._leaf(self.server, self.server_key, ["localhost", "127.0.0.1"], self.ca, self.ca_key)
        self._leaf(self.other, self.other_key, ["localhost", "127.0.0.1"],
                   self.other_ca, self.other_ca_key)
        self._leaf(self.selfsigned, self.selfsigned_key, ["localhost", "127.0.0.1"])
        self._leaf(self.wrongname, self.wrongname_key, ["mail.invalid"], self.ca, self.ca_key)
        for n in os.listdir(self.dir):
            if n.endswith(".pem"):
                os.chmod(os.path.join(self.dir, n), 0o644)

    def client_context(self, ca=None):
        """An ssl client context trusting ca (default: the test CA)."""
        ctx = ssl.create_default_context(cafile=ca or self.ca)
        return ctx

    def server_context(self, name="server"):
        cert, key = self.pair(name)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        return ctx


_certs = None
_certs_lock = threading.Lock()


def test_certs():
    """The process-wide Certs (made on first use, removed at exit)."""
    global _certs
    with _certs_lock:
        if _certs is None:
            d = tempfile.mkdtemp(prefix="hd-certs-")
            os.chmod(d, 0o755)
            atexit.register(shutil.rmtree, d, True)
            _certs = Certs(d)
        return _certs


# ---------------------------------------------------------------------------
# Dovecot

DOVECOT_CONF = """\
# Private Dovecot for helpdeskd tests (made by tests/integration/mailpeers.py).
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
instance_name = {instance}
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
auth_mechanisms = plain login
auth_verbose = yes
login_log_format_elements = user=<%u> orig=<%{{orig_user}}> method=%m rip=%r lip=%l mpid=%e %c session=<%{{session}}>
disable_plaintext_auth = no
{ssl}
mail_location = maildir:{dir}/mail/%u
mail_max_userip_connections = 100
shutdown_clients = yes
# Only helpdeskd is killed in the tests, never Dovecot: no need to fsync.
mail_fsync = never
{capability}
auth_master_user_separator = *
passdb {{
  driver = passwd-file
  master = yes
  args = scheme=PLAIN {dir}/masters
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/users
}}
userdb {{
  driver = passwd-file
  args = {dir}/users
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
{imaps_listener}}}
service anvil {{
  chroot =
}}
{rawlog}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

# Dovecot 2.3's post-login capabilities, without IDLE (idle=False).
NO_IDLE_CAPABILITY = ("imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
                      "SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS "
                      "THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT "
                      "CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE "
                      "QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS "
                      "BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE "
                      "LITERAL+ NOTIFY SPECIAL-USE")


class Dovecot:
    """A private Dovecot in directory d (made if missing).

    users: {name: password}; cert: "server" | "other" | "selfsigned" |
    "wrongname" (see Certs); idle: offer IDLE. Ports are chosen at the first
    start and kept across restarts."""

    def __init__(self, d, users=None, cert="server", idle=True, tls=True):
        self.dir = d
        self.tls = tls            # False: ssl = no, no IMAPS listener, no STARTTLS
        # HD_DOVECOT_RAWLOG=1: every IMAP session's traffic is written to
        # DIR/mail/USER/dovecot.rawlog/ (kept with a failing test's directory).
        self.rawlog = os.environ.get("HD_DOVECOT_RAWLOG") == "1"
        self.users = dict(users or {"helpdesk": "pw"})
        self.certs = test_certs()
        self.cert = cert
        self.idle = idle
        self.imap_port = None
        self.imaps_port = None
        self.proc = None
        self.conf_path = os.path.join(d, "dovecot.conf")
        self.log_path = os.path.join(d, "dovecot.log")
        self.instance = "hdtest-%d-%d" % (os.getpid(), id(self) % 100000)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        for sub in ("run", "state"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        mail = os.path.join(d, "mail")
        os.makedirs(mail, exist_ok=True)
        os.chown(mail, MAIL_UID, MAIL_UID)
        # The directories above it must be searchable by uid 65534.
        p = os.path.dirname(os.path.abspath(d))
        while p not in ("/", "") and p.startswith(tempfile.gettempdir() + "/"):
            st = os.stat(p)
            if not st.st_mode & 0o001:
                os.chmod(p, st.st_mode | 0o011)
            p = os.path.dirname(p)
        self._stdout = None

    # -- life cycle -----------------------------------------------------

    def _write(self):
        cert, key = self.certs.pair(self.cert)
        with open(os.path.join(self.dir, "users"), "w") as f:
            for u, pw in self.users.items():
                f.write("%s:{PLAIN}%s:%d:%d::%s/mail/%s\n" % (u, pw, MAIL_UID, MAIL_UID,
                                                            self.dir, u))
        with open(os.path.join(self.dir, "masters"), "w") as f:
            f.write("%s:{PLAIN}%s\n" % (INSPECTOR, INSPECTOR_PW))
        with open(self.conf_path, "w") as f:
            ssl = ("ssl = yes\nssl_cert = <%s\nssl_key = <%s" % (cert, key) if self.tls
                   else "ssl = no")
            imaps = ("  inet_listener imaps {\n    address = 127.0.0.1\n    port = %d\n"
                     "    ssl = yes\n  }\n" % self.imaps_port if self.tls else "")
            rawlog = ""
            if self.rawlog:
                rawlog = ("service imap {\n  executable = imap postlogin\n}\n"
                          "service postlogin {\n  executable = script-login -d rawlog\n"
                          "  unix_listener postlogin {\n  }\n}\n")
                for u in self.users:
                    rd = os.path.join(self.dir, "mail", u, "dovecot.rawlog")
                    os.makedirs(rd, exist_ok=True)
                    for q in (os.path.dirname(rd), rd):
                        os.chown(q, MAIL_UID, MAIL_UID)
            f.write(DOVECOT_CONF.format(dir=self.dir, instance=self.instance, ssl=ssl,
                                        rawlog=rawlog,
                                        imaps_listener=imaps, imap_port=self.imap_port,
                                        capability="" if self.idle else NO_IDLE_CAPABILITY))

    def start(self, timeout=10):
        """Start (or start again on the same ports); waits until both
        listeners accept connections."""
        if self.alive():
            return self
        fixed = self.imap_port is not None
        for attempt in range(5):
            if not fixed:
                self.imap_port, self.imaps_port = free_port(), free_port()
                if self.imap_port == self.imaps_port:
                    continue
            self._write()
            self._stdout = open(os.path.join(self.dir, "dovecot.stderr"), "ab")
            self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.conf_path],
                                         stdin=subprocess.DEVNULL, stdout=self._stdout,
                                         stderr=self._stdout, start_new_session=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if port_open(self.imap_port) and (not self.tls or port_open(self.imaps_port)):
                    return self
                time.sleep(0.02)
            err = self.stderr_text() + self.log()[-2000:]
            self.stop()
            if fixed and attempt < 4 and "in use" in err:
                time.sleep(0.5)        # a restart while the old sockets linger
                continue
            if fixed or "in use" not in err:
                raise harness.TestFailure("dovecot did not start:\n" + err[-3000:])
        raise harness.TestFailure("dovecot: no free ports after 5 tries")

    def stderr_text(self):
        try:
            with open(os.path.join(self.dir, "dovecot.stderr"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM to the master and wait; then SIGTERM (and SIGKILL) to what
        is left of its process group: an imap process serving a client in
        IDLE outlives the master, and a real restart (systemd stops the
        whole cgroup) disconnects every client."""
        if self.proc is not None:
            pgid = self.proc.pid        # started with start_new_session
            if self.proc.poll() is None:
                try:
                    self.proc.send_signal(signal.SIGTERM)
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
                except ProcessLookupError:
                    pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(pgid, sig)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.1)
            self.proc = None
        if self._stdout is not None:
            self._stdout.close()
            self._stdout = None
        # Wait until the listeners are really gone.
        deadline = time.monotonic() + 5
        while (self.imap_port and port_open(self.imap_port)
               and time.monotonic() < deadline):
            time.sleep(0.05)

    def restart(self):
        self.stop()
        return self.start()

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def login_lines(self, user="helpdesk"):
        """Dovecot's log lines of successful IMAP logins of user, other than
        the tests' own (made as the master user)."""
        return [ln for ln in self.log().splitlines()
                if re.search(r"imap-login: Info: Login: user=<%s>" % re.escape(user), ln)
                and "orig=<%s>" % INSPECTOR not in ln]

    def logins(self, user="helpdesk"):
        """How many successful IMAP logins of user (not the tests') the log shows."""
        return len(self.login_lines(user))

    # -- mail -----------------------------------------------------------

    def doveadm(self, *args, stdin=None, timeout=30):
        p = subprocess.run([DOVEADM, "-c", self.conf_path] + list(args), input=stdin,
                           capture_output=True, timeout=timeout)
        if p.returncode != 0:
            raise harness.TestFailure("doveadm %s: exit %d: %s" % (
                " ".join(args), p.returncode, p.stderr.decode("utf-8", "replace")))
        return p.stdout.decode("utf-8", "replace")

    def deliver(self, raw, user="helpdesk", folder="INBOX"):
        """Save raw (bytes) into user's folder as local delivery would
        (doveadm save): unseen, wakes IDLE. Returns time.time() after it."""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        self.doveadm("save", "-u", user, "-m", folder, stdin=raw)
        return time.time()

    def create_folder(self, name, user="helpdesk"):
        self.doveadm("mailbox", "create", "-u", user, name)

    def connect(self, user="helpdesk", tls=False, timeout=10, as_user=False):
        """An imaplib connection logged in to user's mailbox: as the
        master user "USER*inspector" (so not counted by logins()), or with
        the user's own password when as_user."""
        if tls:
            c = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, timeout=timeout,
                                  ssl_context=self.certs.client_context())
        else:
            c = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=timeout)
        if as_user:
            c.login(user, self.users[user])
        else:
            c.login("%s*%s" % (user, INSPECTOR), INSPECTOR_PW)
        return c

    def append(self, raw, user="helpdesk", folder="INBOX", flags="", conn=None):
        """IMAP APPEND raw with flags (e.g. "\\\\Seen"). Returns time.time()
        after the server's OK. Reuses conn when given."""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        c = conn or self.connect(user)
        try:
            typ, data = c.append(_imap_quote(folder), "(%s)" % flags if flags else None, None, raw)
            if typ != "OK":
                raise harness.TestFailure("APPEND failed: %r" % data)
            return time.time()
        finally:
            if conn is None:
                _logout(c)

    def fetch_flags(self, user="helpdesk", folder="INBOX"):
        """{uid: set of flags} of folder (read-only); {} when it does not exist."""
        c = self.connect(user)
        try:
            typ, _ = c.select(_imap_quote(folder), readonly=True)
            if typ != "OK":
                return {}
            typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
            out = {}
            for item in data or []:
                if isinstance(item, tuple):
                    item = item[0]
                if not item:
                    continue
                s = item.decode("utf-8", "replace")
                m = re.search(r"UID (\d+)", s)
                f = re.search(r"FLAGS \(([^)]*)\)", s)
                if m:
                    out[int(m.group(1))] = set((f.group(1) if f else "").split())
            return out
        finally:
            _logout(c)

    flags = fetch_flags

    def summary(self, user="helpdesk", folder="INBOX"):
        """{'count', 'seen', 'unseen', 'flagged'} of folder."""
        fl = self.fetch_flags(user, folder)
        seen = sum(1 for f in fl.values() if "\\Seen" in f)
        return {"count": len(fl), "seen": seen, "unseen": len(fl) - seen,
                "flagged": sum(1 for f in fl.values() if "\\Flagged" in f)}

    def uidvalidity(self, user="helpdesk", folder="INBOX"):
        c = self.connect(user)
        try:
            typ, data = c.status(_imap_quote(folder), "(UIDVALIDITY)")
            m = re.search(rb"UIDVALIDITY (\d+)", data[0] or b"")
            return int(m.group(1)) if m else None
        finally:
            _logout(c)

    def fetch_raw(self, uid, user="helpdesk", folder="INBOX"):
        c = self.connect(user)
        try:
            c.select(_imap_quote(folder), readonly=True)
            typ, data = c.uid("FETCH", str(uid), "(BODY.PEEK[])")
            for item in data or []:
                if isinstance(item, tuple):
                    return item[1]
            return None
        finally:
            _logout(c)


def imap_utf7(name):
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 5.1.3)."""
    import base64
    out, buf = [], []

    def flush():
        if buf:
            b = base64.b64encode("".join(buf).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + b.replace("/", ",") + "-")
            buf.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def _imap_quote(folder):
    folder = imap_utf7(folder)
    return '"%s"' % folder.replace("\\", "\\\\").replace('"', '\\"')


def _logout(c):
    try:
        c.logout()
    except Exception:
        pass


# ---------------------------------------------------------------------------
# SMTP sink

for _name in ("mail.log", "mail.debug"):
    _lg = logging.getLogger(_name)
    _lg.addHandler(logging.NullHandler())
    _lg.propagate = False
    _lg.setLevel(logging.CRITICAL)


class SinkMessage:
    """One accepted message."""

    def __init__(self, n, mail_from, rcpt_tos, data, t, tls, auth):
        self.n = n                    # 1-based arrival number
        self.mail_from = mail_from    # "" for the null reverse-path <>
        self.rcpt_tos = list(rcpt_tos)
        self.data = data              # raw bytes as received
        self.time = t                 # time.time() on arrival
        self.tls = tls                # the session was in TLS
        self.auth = auth              # the login name used, or None
        self._msg = None

    @property
    def msg(self):
        """The message parsed with email.policy.default."""
        if self._msg is None:
            self._msg = email.message_from_bytes(self.data, policy=email.policy.default)
        return self._msg

    def header(self, name):
        """The header decoded (encoded words undone), or None."""
        try:
            v = self.msg.get(name)
        except Exception as e:        # a header the email package cannot parse
            return "<unparsable: %s>" % e
        return None if v is None else str(v).strip()

    def raw_header(self, name):
        """The header as sent (unfolded, not decoded), or None."""
        head = self.data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        head = re.sub(rb"\r?\n[ \t]", b" ", head)
        for line in head.split(b"\n"):
            k, _, v = line.rstrip(b"\r").partition(b":")
            if k.strip().lower() == name.lower().encode():
                return v.strip().decode("utf-8", "replace")
        return None

    def body(self):
        """The decoded text of the (first) text/plain part."""
        m = self.msg
        part = m.get_body(("plain",)) if m.is_multipart() else m
        if part is None:
            return ""
        try:
            return part.get_content()
        except Exception:
            return part.get_payload(decode=True).decode("utf-8", "replace")

    def __repr__(self):
        return "<sink %d from=%r to=%r subject=%r>" % (self.n, self.mail_from, self.rcpt_tos,
                                                       self.header("Subject"))


class _SinkHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.fail_rcpt:
            return self.sink.fail_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.fail:
            return self.sink.fail
        mf = envelope.mail_from or ""
        if mf == "<>":
            mf = ""
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        tls = (session.ssl is not None       # after STARTTLS
               or server.transport.get_extra_info("ssl_object") is not None)   # SMTPS
        auth = getattr(getattr(session, "auth_data", None), "login", None)
        if isinstance(auth, bytes):
            auth = auth.decode("utf-8", "replace")
        with self.sink.lock:
            n = len(self.sink.messages) + 1
            m = SinkMessage(n, mf, envelope.rcpt_tos, data, time.time(), tls,
                            auth if isinstance(auth, str) else None)
            self.sink.messages.append(m)
            self.sink.cond.notify_all()
        if self.sink.store_dir:
            with open(os.path.join(self.sink.store_dir, "%04d.eml" % n), "wb") as f:
                f.write(b"X-Sink-Mail-From: <%s>\r\nX-Sink-Rcpt-To: %s\r\n"
                        % (mf.encode(), ", ".join(envelope.rcpt_tos).encode()) + data)
        return "250 2.0.0 OK queued as sink-%d" % n


class SmtpSink:
    """An SMTP server keeping what it receives (see the module doc).

    tls: "none" | "starttls" (offered; required when require_tls) |
    "smtps" (TLS from the first byte); cert: which Certs pair it shows.
    auth: (user, password) to require AUTH (over TLS), or None."""

    def __init__(self, port=None, tls="none", cert="server", auth=None, require_tls=True,
                 store_dir=None):
        self.port = port or free_port()
        self.tls = tls
        self.cert = cert
        self.auth = auth
        self.require_tls = require_tls
        self.store_dir = store_dir
        self.messages = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.fail = None          # e.g. "451 4.3.0 try later": answer DATA with it
        self.fail_rcpt = None
        self.controller = None
        self.connections = 0
        if store_dir:
            os.makedirs(store_dir, exist_ok=True)

    def start(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        if self.controller is not None:
            return self
        kw = {"hostname": "127.0.0.1", "port": self.port, "ready_timeout": 10,
              "data_size_limit": 64 * 1024 * 1024}
        if self.tls == "starttls":
            kw["tls_context"] = test_certs().server_context(self.cert)
            kw["require_starttls"] = self.require_tls
        elif self.tls == "smtps":
            kw["ssl_context"] = test_certs().server_context(self.cert)
        if self.auth:
            user, pw = self.auth

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = (getattr(auth_data, "login", None) == user.encode()
                      and getattr(auth_data, "password", None) == pw.encode())
                return AuthResult(success=ok, auth_data=auth_data if ok else None)

            kw["authenticator"] = authenticator
            kw["auth_required"] = True
            kw["auth_require_tls"] = self.tls != "none"
        last = None
        for attempt in range(20):
            try:
                c = Controller(_SinkHandler(self), **kw)
                c.start()
                self.controller = c
                return self
            except Exception as e:       # the port still held after a stop
                last = e
                time.sleep(0.25)
        raise harness.TestFailure("SMTP sink did not start on port %d: %s" % (self.port, last))

    def stop(self):
        if self.controller is not None:
            try:
                self.controller.stop()
            except Exception:
                pass
            self.controller = None

    def restart(self):
        self.stop()
        return self.start()

    def running(self):
        return self.controller is not None

    def count(self):
        with self.lock:
            return len(self.messages)

    def get(self, n):
        """The n-th message (1-based), or None."""
        with self.lock:
            return self.messages[n - 1] if 0 < n <= len(self.messages) else None

    def all(self):
        with self.lock:
            return list(self.messages)

    def wait_count(self, n, timeout):
        """Wait until at least n messages arrived; returns the count."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return len(self.messages)


# ---------------------------------------------------------------------------
# The world of one email test

class EmailEnv(harness.TestEnv):
    """A TestEnv with a private Dovecot (self.dovecot), an SMTP sink
    (self.sink) and a helpdeskd config using them. Peers are made here and
    started by start_peers(); cleanup() stops everything.

    peers: dict of options: users {name: pw}, cert, idle, tls (False:
    Dovecot without TLS at all), sink_tls, sink_cert, sink_auth (user, pw),
    folders [names to create]."""

    def __init__(self, name, overrides=None, imap_overrides=None, peers=None):
        peers = dict(peers or {})
        super().__init__(name, None)
        self.dovecot = Dovecot(os.path.join(self.dir, "dovecot"),
                               users=peers.get("users"), cert=peers.get("cert", "server"),
                               idle=peers.get("idle", True), tls=peers.get("tls", True))
        self.sink = SmtpSink(tls=peers.get("sink_tls", "none"),
                             cert=peers.get("sink_cert", "server"),
                             auth=peers.get("sink_auth"),
                             store_dir=os.path.join(self.dir, "sink"))
        self.folders = list(peers.get("folders", ()))
        self.certs = test_certs()
        self.user = next(iter(self.dovecot.users))
        self.overrides = dict(overrides or {})
        self.imap_overrides = dict(imap_overrides or {})

    def start_peers(self, sink=True):
        self.dovecot.start()
        for f in self.folders:
            self.dovecot.create_folder(f, self.user)
        if sink:
            self.sink.start()
        self.configure()
        return self

    def configure(self):
        """Write the helpdeskd config for the started peers (call again
        after changing self.overrides / self.imap_overrides)."""
        cfg = self.cfg
        cfg["log_level"] = "debug"
        cfg["sms"] = {"enabled": False}
        cfg["admins"] = harness.Raw("()")
        cfg["outbox"] = {"max_attempts": 10, "retry_min": 1, "retry_max": 4,
                         "replies_per_hour": 5}
        imap = {
            "name": "inbox",
            "host": "127.0.0.1",
            "port": self.dovecot.imap_port,
            "tls": "none",
            "user": self.user,
            "password": self.dovecot.users[self.user],
            "folder": "INBOX",
            "idle": True,
            "poll_interval": 5,
            "timeout": 10,
        }
        cfg["imap"] = [imap]
        cfg["smtp"] = {
            "host": "127.0.0.1",
            "port": self.sink.port,
            "tls": "none",
            "from": HELPDESK_FROM,
            "from_name": "Helpdesk Diskominfo",
            "timeout": 10,
        }
        cfg["email"] = {"own_addresses": ["noreply@diskominfo.example"],
                        "msgid_domain": MSGID_DOMAIN}
        for k, v in self.overrides.items():
            harness.set_path(cfg, k, v)
        for k, v in self.imap_overrides.items():
            if v is None:
                imap.pop(k, None)
            else:
                imap[k] = v
        for k in [k for k, v in list(cfg.items()) if v is None]:
            del cfg[k]
        self.write_config()

    # Substitutions for config values and case files.
    def paths(self):
        c = self.certs
        return {"dir": self.dir, "spool": self.spool, "ca_file": c.ca,
                "other_ca_file": c.other_ca, "imap_port": str(self.dovecot.imap_port),
                "imaps_port": str(self.dovecot.imaps_port), "smtp_port": str(self.sink.port)}

    def mailbox(self, folder="INBOX"):
        return self.dovecot.summary(self.user, folder)

    def deliver(self, raw, folder="INBOX"):
        return self.dovecot.deliver(raw, self.user, folder)

    def cleanup(self, failed):
        for d in self.daemons:
            d.kill()
        self.sink.stop()
        self.dovecot.stop()
        if failed or harness.OPTS["keep"]:
            return self.dir
        shutil.rmtree(self.dir, ignore_errors=True)
        return None


# ---------------------------------------------------------------------------
# Self-test (no helpdeskd needed)

class RawImap:
    """A bare IMAP client on one socket, for measuring the server itself:
    cmd() sends a tagged command and reads to its tagged answer (or a "+"
    continuation); readline() reads one more line. close() logs out."""

    def __init__(self, dv, login, password):
        self.sock = socket.create_connection(("127.0.0.1", dv.imap_port), 5)
        self.f = self.sock.makefile("rb")
        self.f.readline()  # greeting
        self.cmd("a", "LOGIN %s %s" % (login, password))

    def cmd(self, tag, text):
        self.sock.sendall(("%s %s\r\n" % (tag, text)).encode())
        while True:
            line = self.f.readline()
            if not line or line.startswith(tag.encode() + b" ") or line.startswith(b"+"):
                return line

    def readline(self):
        return self.f.readline()

    def send(self, data):
        self.sock.sendall(data)

    def close(self, idling=False):
        try:
            self.sock.sendall((b"DONE\r\n" if idling else b"") + b"z LOGOUT\r\n")
        except OSError:
            pass
        self.sock.close()


def _idle_wakes(dv, user="helpdesk"):
    """Seconds from doveadm save to the untagged EXISTS seen in IDLE."""
    c = RawImap(dv, user, dv.users[user])
    try:
        c.cmd("b", "SELECT INBOX")
        c.cmd("c", "IDLE")
        t0 = time.monotonic()
        dv.deliver(b"From: x@y.example\r\nSubject: idle\r\n\r\nhi\r\n", user)
        while True:
            line = c.readline()
            if not line:
                return None
            if b"EXISTS" in line:
                return time.monotonic() - t0
    finally:
        c.close(idling=True)


def self_test():
    import smtplib
    ok = True

    def check(cond, what):
        nonlocal ok
        print("%s %s" % ("ok  " if cond else "FAIL", what), flush=True)
        ok = ok and bool(cond)

    t0 = time.monotonic()
    certs = test_certs()
    check(os.path.exists(certs.server) and os.path.exists(certs.wrongname),
          "certificates made (%.2fs)" % (time.monotonic() - t0))
    d = tempfile.mkdtemp(prefix="hd-peers-")
    dv = Dovecot(os.path.join(d, "dovecot"), users={"helpdesk": "pw", "other": "pw2"})
    sink = SmtpSink(tls="starttls")
    try:
        t0 = time.monotonic()
        dv.start()
        check(dv.alive(), "dovecot listens on %d/%d after %.0f ms"
              % (dv.imap_port, dv.imaps_port, (time.monotonic() - t0) * 1000))
        dv.deliver(b"From: a@b.example\r\nSubject: HELPDESK one\r\nMessage-ID: <1@b>\r\n\r\nx\r\n")
        dv.append(b"From: a@b.example\r\nSubject: two\r\n\r\ny\r\n", flags="\\Seen")
        fl = dv.flags()
        check(len(fl) == 2 and "\\Seen" not in fl[1] and "\\Seen" in fl[2],
              "deliver + append, flags %r" % fl)
        check(dv.summary() == {"count": 2, "seen": 1, "unseen": 1, "flagged": 0},
              "summary %r" % dv.summary())
        dv.create_folder("Processed")
        check(dv.summary(folder="Processed")["count"] == 0, "folder created")
        check(dv.uidvalidity() is not None, "uidvalidity %r" % dv.uidvalidity())
        # IMAPS: trusted by the test CA, refused with another CA.
        c = dv.connect(tls=True)
        _logout(c)
        check(True, "IMAPS verified against the test CA")
        try:
            imaplib.IMAP4_SSL("127.0.0.1", dv.imaps_port, timeout=5,
                              ssl_context=certs.client_context(certs.other_ca))
            check(False, "IMAPS with the other CA must fail")
        except ssl.SSLCertVerificationError:
            check(True, "IMAPS with the other CA refused")
        w = _idle_wakes(dv)
        check(w is not None and w < 2.0, "IDLE woken by doveadm save after %s s" % w)
        n = dv.logins()
        s = socket.create_connection(("127.0.0.1", dv.imap_port), 5)
        s.settimeout(5)
        s.recv(1000)
        s.sendall(b"a LOGIN helpdesk*%s %s\r\nb SELECT INBOX\r\nc IDLE\r\n"
                  % (INSPECTOR.encode(), INSPECTOR_PW.encode()))
        time.sleep(0.3)
        s.recv(10000)
        dv.restart()
        try:
            while s.recv(1000):
                pass
            check(True, "a client in IDLE is disconnected by a restart")
        except socket.timeout:
            check(False, "a client in IDLE is disconnected by a restart")
        s.close()
        check(dv.alive() and dv.summary()["count"] == 3, "restart on the same ports")
        check(dv.logins() == n, "inspection logins not counted: %d" % dv.logins())
        dv.stop()
        dv.cert = "other"
        dv.start()
        try:
            imaplib.IMAP4_SSL("127.0.0.1", dv.imaps_port, timeout=5,
                              ssl_context=certs.client_context())
            check(False, "other-CA certificate must fail with the test CA")
        except ssl.SSLCertVerificationError:
            check(True, "dovecot with the other CA's certificate refused by the test CA")
        dv.stop()
        dv.idle = False
        dv.cert = "server"
        dv.start()
        c = dv.connect()
        caps = c.capabilities
        _logout(c)
        check("IDLE" not in caps, "idle=False: no IDLE after login (%s)" % " ".join(caps)[:60])

        # SMTP sink with STARTTLS, stop, start on the same port.
        sink.start()
        s = smtplib.SMTP("127.0.0.1", sink.port, timeout=5)
        s.starttls(context=certs.client_context())
        s.sendmail("", ["x@y.example"], b"Subject: =?UTF-8?B?w6k=?=\r\nMessage-ID: <a@b>\r\n\r\nhi\r\n")
        s.quit()
        m = sink.get(1)
        check(m and m.mail_from == "" and m.tls and m.header("Subject") == "\u00e9"
              and m.raw_header("Message-ID") == "<a@b>", "sink got %r" % m)
        sink.stop()
        try:
            smtplib.SMTP("127.0.0.1", sink.port, timeout=2)
            check(False, "stopped sink must refuse")
        except OSError:
            check(True, "stopped sink refuses connections")
        sink.start()
        s = smtplib.SMTP("127.0.0.1", sink.port, timeout=5)
        s.starttls(context=certs.client_context())
        s.sendmail("a@b.example", ["x@y.example"], b"Subject: two\r\n\r\nhi\r\n")
        s.quit()
        check(sink.count() == 2 and sink.get(2).mail_from == "a@b.example",
              "sink restarted on the same port")
        sink.stop()
        sink.tls, sink.auth = "none", None
        sink.fail = "451 4.3.0 try again later"
        sink.start()
        s = smtplib.SMTP("127.0.0.1", sink.port, timeout=5)
        try:
            s.sendmail("", ["x@y.example"], b"Subject: 3\r\n\r\nhi\r\n")
            check(False, "fail mode must refuse DATA")
        except smtplib.SMTPDataError as e:
            check(e.smtp_code == 451, "fail mode answers 451")
        s.close()
    finally:
        sink.stop()
        dv.stop()
        shutil.rmtree(d, ignore_errors=True)
    print("self-test %s" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.exit(self_test())
