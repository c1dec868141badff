#!/usr/bin/python3
"""imap_latency.py: how fast does an emailed complaint get its reply, and how
fast does helpdeskd work off a backlog?  (`make bench`, after sms_latency.py)

    /usr/bin/python3 bench/imap_latency.py --build build [--messages 200]
                     [--backlog 2000] [--deliver doveadm|append] [--keep]

Peers as in the integration tests (tests/integration/mailpeers.py): a
private Dovecot (plain IMAP on 127.0.0.1, IDLE) and an aiosmtpd sink as the
SMTP relay; helpdeskd (BUILD/helpdeskd) with log_level info, sms disabled,
replies_per_hour = 0 (unlimited), smtp tls = none.

1. Latency with IDLE. --messages HELPDESK mails are delivered one at a time
   at seeded random gaps of 0.05-0.5 s with `doveadm save` (local delivery,
   as an LDA would; --deliver append: IMAP APPEND on an open connection).
   For each: time from the end of the delivery to the reply's arrival at
   the SMTP sink. Prints p50/p90/p99/max against the target p99 <= 2000 ms
   and the SOP's 30 minutes, with the intake part (delivery -> messages row)
   and, for reference, Dovecot's own IDLE notification delay to a client
   that is already idling (a bare IDLE connection, 20 deliveries; Dovecot
   batches changes for about 0.5 s). helpdeskd can beat it: a mail that
   arrives while it is busy is found by the search before it idles again.
2. Backlog. --backlog HELPDESK mails already in the mailbox (APPEND before
   the start), initial = "all": time from starting helpdeskd until all of
   them are ticketed and their replies accepted by the sink, msgs/s, CPU
   seconds used. Beside it: `mbsync` (isync 1.4, Debian package isync)
   pulling the same mailbox from the same Dovecot into an empty local
   Maildir (its default FSync) - a mail client that only downloads.

Standard library plus python3-aiosmtpd; /usr/bin/python3 (3.11). Everything
stays on 127.0.0.1.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import harness  # noqa: E402
import mailgen  # noqa: E402
import mailpeers  # noqa: E402
from harness import Raw, query, scalar  # noqa: E402

TARGET_P99_MS = 2000
SOP_MS = 30 * 60 * 1000
SEED = 1122
WORDS = ("printer komputer jaringan internet server aplikasi email website scanner "
         "proyektor UPS keyboard mouse monitor wifi router rusak mati macet lambat "
         "error putus tidak bisa login tolong segera dibantu ruang lantai bagian").split()


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def summary(vals):
    v = sorted(vals)
    return "p50 %.0f   p90 %.0f   p99 %.0f   max %.0f" % (pct(v, 50), pct(v, 90), pct(v, 99), v[-1])


def cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_env(name, binary, initial=None):
    env = mailpeers.EmailEnv(name)
    env.start_peers()
    env.overrides.update({"log_level": Raw('"info"'), "outbox.replies_per_hour": Raw("0")})
    if initial:
        env.imap_overrides["initial"] = Raw('"%s"' % initial)
    env.configure()
    return env


def complaint(rng, tag, senders):
    subject = "HELPDESK %s %s" % (tag, " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 8))))
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(10, 40)))
    return mailgen.make_mail(frm=rng.choice(senders), subject=subject, body=body,
                             message_id="<bench.%s.%08x@opd.example>" % (tag.strip("[]"),
                                                                         rng.getrandbits(32)))


def idle_floor(env, n=20):
    """Dovecot's IDLE notification delay (delivery end -> untagged EXISTS)
    as seen by a bare IDLE client already idling, in ms."""
    dv = env.dovecot
    c = mailpeers.RawImap(dv, "%s*%s" % (env.user, mailpeers.INSPECTOR), mailpeers.INSPECTOR_PW)
    out = []
    try:
        c.cmd("b", "EXAMINE Floor")
        for i in range(n):
            c.cmd("c%d" % i, "IDLE")
            t = dv.deliver(b"From: x@y.example\r\nSubject: floor\r\n\r\nx\r\n", env.user, "Floor")
            while True:
                line = c.readline()
                if not line:
                    return out
                if b"EXISTS" in line:
                    out.append((time.time() - t) * 1000.0)
                    break
            c.send(b"DONE\r\n")
            while True:
                line = c.readline()
                if not line or line.startswith(b"c%d " % i):
                    break
            time.sleep(0.05)
    finally:
        c.close()
    return out


def bench_latency(a, binary):
    env = make_env("bench-imap", binary)
    d = None
    try:
        env.dovecot.create_folder("Floor", env.user)
        floor = idle_floor(env)
        d = env.daemon(binary).start(timeout=20)
        time.sleep(1.0)
        rng = random.Random(SEED)
        senders = ["Pegawai %d <pegawai%d@opd%d.example>" % (i, i, i % 17) for i in range(50)]
        conn = env.dovecot.connect(env.user) if a.deliver == "append" else None
        delivered = {}
        print("delivering %d HELPDESK mails one at a time (%s), 0.05-0.5 s apart (seed %d) ..."
              % (a.messages, "doveadm save" if a.deliver == "doveadm" else "IMAP APPEND", SEED),
              flush=True)
        t_first = time.time()
        for i in range(a.messages):
            tag = "[b%04d]" % i
            raw = complaint(rng, tag, senders)
            if conn is not None:
                delivered[tag] = env.dovecot.append(raw, env.user, conn=conn)
            else:
                delivered[tag] = env.dovecot.deliver(raw, env.user)
            time.sleep(rng.uniform(0.05, 0.5))
        drop_secs = time.time() - t_first
        if conn is not None:
            conn.logout()
        env.sink.wait_count(a.messages, 60)
        lat = []
        for m in env.sink.all():
            mm = re.search(r"\[b\d{4}\]", m.header("Subject") or "")
            if mm and mm.group(0) in delivered:
                lat.append((m.time - delivered[mm.group(0)]) * 1000.0)
        intake = []
        for r in query(env.db_path, "SELECT subject, received_at FROM messages"):
            mm = re.search(r"\[b\d{4}\]", r["subject"] or "")
            if mm and mm.group(0) in delivered:
                intake.append(r["received_at"] - delivered[mm.group(0)] * 1000.0)
        print()
        print("== reply latency with IDLE (delivery -> reply accepted by the SMTP sink)")
        print("mails           %d delivered over %.1f s, %d replies at the sink%s"
              % (a.messages, drop_secs, len(lat),
                 "" if len(lat) == a.messages else "  (MISSING %d)" % (a.messages - len(lat))))
        ok = bool(lat) and len(lat) == a.messages
        if lat:
            lat.sort()
            print("latency ms      " + summary(lat))
            if intake:
                print("  of which intake (delivery -> messages row): " + summary(intake))
            if floor:
                print("  reference: Dovecot's IDLE notification to a client already idling "
                      "(bare IDLE client, %d mails): %s" % (len(floor), summary(floor)))
            p99 = pct(lat, 99)
            print("target          p99 <= %d ms: %s" % (TARGET_P99_MS,
                                                       "MET" if p99 <= TARGET_P99_MS else "NOT MET"))
            print("baseline        SOP promise: 30 minutes (%d ms): p99 is %.0fx faster"
                  % (SOP_MS, SOP_MS / max(p99, 1.0)))
        dup = env.sink.count() - len(lat)
        if dup:
            print("note            %d extra messages at the sink" % dup)
        return ok
    finally:
        if d is not None:
            d.stop()
        env.cleanup(a.keep)
        if a.keep:
            print("kept %s" % env.dir)


MBSYNCRC = """\
IMAPAccount bench
Host 127.0.0.1
Port {port}
User {user}
Pass {password}
SSLType None
AuthMechs LOGIN

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path {dir}/
Inbox {dir}/INBOX

Channel bench
Far :bench-far:
Near :bench-near:
Patterns INBOX
Sync Pull
Create Near
SyncState *
"""


def bench_mbsync(env, n):
    mbsync = shutil.which("mbsync")
    if mbsync is None:
        print("mbsync          not installed (Debian package isync): comparison skipped")
        return None
    d = os.path.join(env.dir, "mbsync")
    os.makedirs(d, exist_ok=True)
    rc = os.path.join(env.dir, "mbsyncrc")
    with open(rc, "w") as f:
        f.write(MBSYNCRC.format(port=env.dovecot.imap_port, user=env.user,
                                password=env.dovecot.users[env.user], dir=d))
    t0 = time.monotonic()
    p = subprocess.run([mbsync, "-c", rc, "bench"], capture_output=True, timeout=600)
    dt = time.monotonic() - t0
    got = 0
    for sub in ("new", "cur"):
        try:
            got += len(os.listdir(os.path.join(d, "INBOX", sub)))
        except OSError:
            pass
    if p.returncode != 0 or got != n:
        print("mbsync          exit %d, %d of %d messages: %s"
              % (p.returncode, got, n, p.stderr.decode("utf-8", "replace").strip()[-300:]))
    return dt, got


def bench_backlog(a, binary):
    env = make_env("bench-backlog", binary, initial="all")
    d = None
    try:
        rng = random.Random(SEED + 1)
        senders = ["Pegawai %d <pegawai%d@opd%d.example>" % (i, i, i % 17) for i in range(200)]
        conn = env.dovecot.connect(env.user)
        t0 = time.monotonic()
        for i in range(a.backlog):
            env.dovecot.append(complaint(rng, "[k%05d]" % i, senders), env.user, conn=conn)
        conn.logout()
        print()
        print("== backlog: %d HELPDESK mails already in the mailbox (appended in %.1f s), "
              "initial = \"all\"" % (a.backlog, time.monotonic() - t0), flush=True)
        t0 = time.monotonic()
        d = env.daemon(binary).start(timeout=30)
        pid = d.pid
        deadline = t0 + a.backlog_timeout
        t_tickets = None
        while time.monotonic() < deadline:
            if not d.alive():
                break
            nt = scalar(env.db_path, "SELECT count(*) FROM tickets") or 0
            if t_tickets is None and nt >= a.backlog:
                t_tickets = time.monotonic() - t0
            if nt >= a.backlog and env.sink.count() >= a.backlog:
                break
            time.sleep(0.1)
        dt = time.monotonic() - t0
        cpu = cpu_seconds(pid)
        nt = scalar(env.db_path, "SELECT count(*) FROM tickets") or 0
        ns = env.sink.count()
        ok = nt >= a.backlog and ns >= a.backlog
        print("helpdeskd       %d tickets, %d replies at the sink in %.1f s: %.0f msgs/s "
              "(all ticketed after %s s; CPU %s s)%s"
              % (nt, ns, dt, ns / dt if dt else 0,
                 "%.1f" % t_tickets if t_tickets else "-",
                 "%.1f" % cpu if cpu is not None else "?",
                 "" if ok else "  (INCOMPLETE after %d s)" % a.backlog_timeout))
        d.stop()
        d = None
        m = bench_mbsync(env, a.backlog)
        if m:
            mdt, got = m
            print("mbsync          fetched %d messages into a Maildir in %.1f s: %.0f msgs/s "
                  "(download only)" % (got, mdt, got / mdt if mdt else 0))
            if ok and got:
                print("comparison      helpdeskd (fetch, parse, ticket, commit, flag, reply over "
                      "SMTP) takes %.1fx mbsync's time (fetch and store only)" % (dt / mdt))
        return ok
    finally:
        if d is not None:
            d.stop()
        env.cleanup(a.keep)
        if a.keep:
            print("kept %s" % env.dir)


def main():
    ap = argparse.ArgumentParser(description="helpdeskd IMAP latency and backlog throughput")
    ap.add_argument("--build", default="build")
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--backlog", type=int, default=2000)
    ap.add_argument("--backlog-timeout", type=int, default=600)
    ap.add_argument("--deliver", choices=("doveadm", "append"), default="doveadm")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    a = ap.parse_args()
    a.build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    binary = os.path.join(a.build, "helpdeskd")
    if not os.access(binary, os.X_OK):
        print("bench: %s is not built" % binary, file=sys.stderr)
        return 1
    harness.OPTS.update(build=a.build, keep=a.keep)
    print("helpdeskd IMAP benchmark: %s, private Dovecot %s with IDLE, aiosmtpd sink"
          % (os.path.relpath(binary, ROOT),
             subprocess.run(["dovecot", "--version"], capture_output=True,
                            text=True).stdout.split(" ")[0]))
    t0 = time.monotonic()
    ok = bench_latency(a, binary)
    if a.backlog > 0:
        ok = bench_backlog(a, binary) and ok
    print("bench time      %.0f s" % (time.monotonic() - t0))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
