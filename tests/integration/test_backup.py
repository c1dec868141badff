"""test_backup.py: helpdeskctl backup, restore and vacuum.

- during_intake: a daemon takes SMS (150, from a thread) and a few mails
  with attachments (private Dovecot, mailpeers.EmailEnv) while
  `helpdeskctl backup` runs. The copy passes PRAGMA integrity_check, holds
  every ticket committed before the backup started and exactly the counts
  it printed, and its spool tar holds every file its rows name. Restored
  into a second environment (own config, database and spool): the rows and
  the spool files (content checked against their SHA-256 names) are there;
  a second restore without --force, a restore while the lock is held (by
  the test, then by a running helpdeskd) and an archive with "../" members
  are refused with exit 1 and change nothing; a daemon on the restored
  database gives a new SMS the next ticket number.
- vacuum: messages received 60 days ago (daemon run with HELPDESKD_NOW) and
  recent ones, some naming raw files in the spool (one file shared by an
  old and a new message, one already missing): --dry-run changes nothing
  and says what it would do; vacuum --raw-days 30 (beside a running
  daemon) clears raw and raw_path of the old rows only, removes their
  files but the shared one, keeps texts, tickets, events; integrity ok;
  usage errors exit 2.
"""

import datetime as dt
import fcntl
import hashlib
import io
import os
import re
import sqlite3
import stat
import tarfile
import threading
import time

import harness
import mailgen
import mailpeers
from harness import Check, TestEnv, ctl, finish_daemon, query, scalar, wait_for

N_SMS = 150
N_MAIL = 4
TIME_RE = re.compile(r"([0-9.]+) s\s*$")


def run(check, env, args, want, what=None):
    p = ctl(env, *args, timeout=120)
    what = what or "helpdeskctl " + " ".join(args)
    check(p.returncode == want, "%s: exit %d, want %d; stdout %r stderr %r"
          % (what, p.returncode, want, p.stdout[-300:], p.stderr[-600:]))
    check(not p.sanitizer, "%s: sanitizer report: %s" % (what, p.sanitizer[:5]))
    return p


def integrity(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


def spool_paths(db_path):
    """Every spool path the database names: raw mail and attachments."""
    rows = query(db_path, "SELECT raw_path AS p FROM messages WHERE raw_path IS NOT NULL"
                 " UNION SELECT path FROM attachments")
    return sorted(r["p"] for r in rows)


def lock_held(db_path):
    """Does some process hold helpdeskd's lock (flock on DB-lock)?"""
    try:
        fd = os.open(db_path + "-lock", os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def attachment_mail(i):
    data = hashlib.sha256(b"scan %d" % i).digest() * 64 + os.urandom(64)
    return mailgen.make_mail(frm="pegawai%d@opd.example" % i,
                             subject="HELPDESK [m%d] scanner ruang %d rusak" % (i, i),
                             body="Hasil scan terlampir, nomor %d." % i,
                             attachments=[("scan%d.pdf" % i, "application/pdf", data)])


def feed_sms(env, start, n, stop, prefix="s"):
    for i in range(start, start + n):
        if stop.is_set():
            return
        env.modem.add("HELPDESK [%s%03d] printer ruang %d macet" % (prefix, i, i),
                      sender="0813-%04d-%04d" % (5000 + i, i))
        time.sleep(0.03)


def check_restored_spool(check, env, db_path):
    """Every path the restored database names is in env's spool, with
    the content its name (SHA-256) promises."""
    paths = spool_paths(db_path)
    bad = []
    for p in paths:
        f = os.path.join(env.spool, p)
        try:
            with open(f, "rb") as fh:
                ok = hashlib.sha256(fh.read()).hexdigest() == os.path.basename(p)
        except OSError:
            ok = False
        if not ok:
            bad.append(p)
    check(not bad, "restored spool: %d of %d named files missing or wrong: %s"
          % (len(bad), len(paths), bad[:5]))
    return paths


def test_during_intake():
    check = Check()
    env = mailpeers.EmailEnv("backup-intake")
    sms = dict(env.cfg["sms"])          # EmailEnv turns SMS off: both channels here
    env2 = None
    d = d2 = None
    stop = threading.Event()
    feeder = None
    try:
        env.start_peers()
        env.overrides["sms"] = sms
        env.overrides["admins"] = harness.Raw("()")
        env.overrides["outbox.replies_per_hour"] = 1000
        env.configure()
        d = env.daemon().start()

        for i in range(N_MAIL // 2):
            env.deliver(attachment_mail(i))
        feeder = threading.Thread(target=feed_sms, args=(env, 0, N_SMS, stop), daemon=True)
        feeder.start()
        for i in range(N_MAIL // 2, N_MAIL):
            env.deliver(attachment_mail(i))

        ok = wait_for(lambda: (scalar(env.db_path, "SELECT count(*) FROM tickets") or 0) >= 40 and
                      (scalar(env.db_path, "SELECT count(*) FROM messages WHERE channel = 'email'")
                       or 0) >= N_MAIL // 2, 60)
        check(ok, "fewer than 40 tickets or no mail after 60 s: %s" % d.log_tail(10))
        before = {r["number"] for r in query(env.db_path, "SELECT number FROM tickets")}
        bk = os.path.join(env.dir, "backup", "hd.backup")
        os.makedirs(os.path.dirname(bk))
        t0 = time.monotonic()
        p = run(check, env, ["backup", bk], 0, "backup during intake")
        dt_backup = time.monotonic() - t0
        during = (scalar(env.db_path, "SELECT count(*) FROM messages WHERE channel = 'sms'") or 0) < N_SMS
        check.note("backup (%.2f s wall, ticket count at start %d, intake still running after it: %s):"
                   " %s" % (dt_backup, len(before), during, p.stdout.strip()))

        feeder.join(60)
        total = N_SMS + N_MAIL
        ok = wait_for(lambda: env.modem.empty() and
                      (scalar(env.db_path, "SELECT count(*) FROM tickets") or 0) >= total, 120)
        check(ok, "intake did not finish: %s tickets of %d"
              % (scalar(env.db_path, "SELECT count(*) FROM tickets"), total))
        check(during, "intake was over before the backup finished: not a test of a backup"
              " during intake")
        finish_daemon(d, check)

        # The copy.
        check(os.path.isfile(bk), "no backup file %s" % bk)
        if not os.path.isfile(bk):
            return check
        check.eq(stat.S_IMODE(os.stat(bk).st_mode), 0o640, "backup file mode")
        check(not os.path.exists(bk + ".tmp") and not os.path.exists(bk + ".spool.tar.tmp"),
              "temporary files left beside the backup")
        check.eq(integrity(bk), ["ok"], "integrity_check of the backup")
        got = {r["number"] for r in query(bk, "SELECT number FROM tickets")}
        missing = sorted(before - got)
        check(not missing, "tickets committed before the backup missing from it: %s" % missing[:10])
        m = re.search(r"(\d+) tickets, (\d+) messages", p.stdout)
        check(m, "backup: no counts in %r" % p.stdout)
        if m:
            check.eq(int(m.group(1)), len(got), "tickets printed vs in the copy")
            check.eq(int(m.group(2)), scalar(bk, "SELECT count(*) FROM messages"),
                     "messages printed vs in the copy")
        check.eq(scalar(bk, "PRAGMA journal_mode"), "delete", "the copy is one self-contained file")
        named = spool_paths(bk)
        check(any(x.startswith("att/") for x in named) and any(x.startswith("raw/") for x in named),
              "the copy names no raw mail or attachment: %s" % named[:5])
        tar = bk + ".spool.tar"
        check(os.path.isfile(tar), "no spool archive %s" % tar)
        if os.path.isfile(tar):
            check.eq(stat.S_IMODE(os.stat(tar).st_mode), 0o640, "spool archive mode")
            with tarfile.open(tar) as tf:
                members = {os.path.normpath(n) for n in tf.getnames()}
            absent = [x for x in named if os.path.normpath(x) not in members]
            check(not absent, "spool files named by the copy but not in the tar: %s" % absent[:5])

        # Usage and refusals of backup itself.
        run(check, env, ["backup"], 2, "backup without a file")
        size = os.path.getsize(bk)
        p2 = run(check, env, ["backup", bk], 1, "backup over an existing file")
        check("--force" in p2.stderr, "backup over an existing file: says --force: %r" % p2.stderr)
        check.eq(os.path.getsize(bk), size, "the refused backup left the file alone")
        bk2 = os.path.join(env.dir, "backup", "after.backup")
        run(check, env, ["backup", bk2], 0, "backup after intake")
        run(check, env, ["backup", bk2, "--force"], 0, "backup --force over it")
        check.eq(scalar(bk2, "SELECT count(*) FROM tickets"), N_SMS + N_MAIL, "tickets in the later backup")
        run(check, env, ["backup", env.db_path, "--force"], 1, "backup onto the database itself")

        # Restore the backup made during intake into another environment.
        env2 = TestEnv("backup-restored", {"outbox.replies_per_hour": 1000})
        t0 = time.monotonic()
        p = run(check, env2, ["restore", bk], 0, "restore into a new environment")
        check.note("restore (%.2f s wall): %s" % (time.monotonic() - t0, p.stdout.strip()))
        check.eq(integrity(env2.db_path), ["ok"], "integrity_check of the restored database")
        check.eq({r["number"] for r in query(env2.db_path, "SELECT number FROM tickets")},
                 {r["number"] for r in query(bk, "SELECT number FROM tickets")},
                 "restored tickets")
        check.eq(stat.S_IMODE(os.stat(env2.db_path).st_mode), 0o640, "restored database mode")
        check_restored_spool(check, env2, env2.db_path)
        n_restored = scalar(env2.db_path, "SELECT count(*) FROM tickets")

        p = run(check, env2, ["restore", bk], 1, "restore over tickets without --force")
        check("--force" in p.stderr, "restore without --force: says --force: %r" % p.stderr)

        fd = os.open(env2.db_path + "-lock", os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            p = run(check, env2, ["restore", bk, "--force"], 1, "restore while the lock is held")
            check("helpdeskd is running" in p.stderr and "systemctl stop helpdeskd" in p.stderr,
                  "restore while locked: message %r" % p.stderr)
        finally:
            os.close(fd)

        evil = os.path.join(env2.dir, "evil", "hd.backup")
        os.makedirs(os.path.dirname(evil))
        with open(bk, "rb") as src, open(evil, "wb") as dst:
            dst.write(src.read())
        with tarfile.open(evil + ".spool.tar", "w") as tf:
            for name in ("./raw/ok", "../escaped.txt", "./raw/../../escaped2.txt"):
                ti = tarfile.TarInfo(name)
                ti.size = 4
                tf.addfile(ti, io.BytesIO(b"evil"))
        p = run(check, env2, ["restore", evil, "--force"], 1, "restore of an archive with ../ members")
        check(not os.path.exists(os.path.join(env2.dir, "escaped.txt")) and
              not os.path.exists(os.path.join(env2.dir, "escaped2.txt")) and
              not os.path.exists(os.path.join(env2.spool, "raw", "ok")),
              "a refused archive was (partly) unpacked")
        check.eq(scalar(env2.db_path, "SELECT count(*) FROM tickets"), n_restored,
                 "tickets after the refused restore")

        # A daemon on the restored database.
        period = time.strftime("%y%m")
        last = scalar(env2.db_path, "SELECT last FROM ticket_seq WHERE period = ?", (period,)) or 0
        d2 = env2.daemon().start()
        if check(lock_held(env2.db_path), "helpdeskd does not hold %s-lock: restore cannot tell it"
                 " runs (helpdeskd.c must take store_lock)" % env2.db_path):
            p = run(check, env2, ["restore", bk, "--force"], 1, "restore while helpdeskd runs")
            check("helpdeskd is running" in p.stderr and "systemctl stop helpdeskd" in p.stderr,
                  "restore while helpdeskd runs: message %r" % p.stderr)
        env2.modem.add("HELPDESK [after] proyektor aula mati", sender="0813-9999-0001")
        row = wait_for(lambda: query(env2.db_path, "SELECT number FROM tickets WHERE text LIKE"
                                     " '%[after]%'"), 30)
        check(row, "no ticket for the SMS sent to the restored daemon")
        if row:
            check.eq(row[0]["number"], "HD-%s-%04d" % (period, last + 1), "next ticket number")
        finish_daemon(d2, check)
    finally:
        stop.set()
        if feeder is not None:
            feeder.join(10)
        for x in (d, d2):
            if x is not None:
                x.kill()
        if env2 is not None:
            kept = env2.cleanup(not check.ok)
            if kept:
                check.note("kept %s" % kept)
        kept = env.cleanup(not check.ok)
        if kept:
            check.note("kept %s" % kept)
    return check


def put_spool(env, data):
    h = hashlib.sha256(data).hexdigest()
    rel = "raw/%s/%s" % (h[:2], h)
    os.makedirs(os.path.join(env.spool, "raw", h[:2]), exist_ok=True)
    with open(os.path.join(env.spool, rel), "wb") as f:
        f.write(data)
    return rel


def dump(db_path, sql):
    return [tuple(r.values()) for r in query(db_path, sql)]


def test_vacuum():
    check = Check()
    env = TestEnv("backup-vacuum", {"outbox.replies_per_hour": 1000})
    d = None
    try:
        # Old messages: a daemon whose clock starts 60 days ago.
        then = dt.datetime.now() - dt.timedelta(days=60)
        env.extra_env["HELPDESKD_NOW"] = then.strftime("%Y-%m-%dT%H:%M")
        d = env.daemon().start()
        for i in range(6):
            env.modem.add("HELPDESK [old%d] komputer lama %d" % (i, i), sender="0814-1000-%04d" % i)
        ok = wait_for(lambda: (scalar(env.db_path, "SELECT count(*) FROM messages") or 0) >= 6, 30)
        check(ok, "the old SMS were not recorded: %s" % d.log_tail(10))
        finish_daemon(d, check)
        # Recent ones, with the daemon left running for the vacuum.
        del env.extra_env["HELPDESKD_NOW"]
        d = env.daemon().start()
        for i in range(4):
            env.modem.add("HELPDESK [new%d] komputer baru %d" % (i, i), sender="0814-2000-%04d" % i)
        ok = wait_for(lambda: (scalar(env.db_path, "SELECT count(*) FROM messages") or 0) >= 10, 30)
        check(ok, "the recent SMS were not recorded: %s" % d.log_tail(10))

        cutoff = int((time.time() - 30 * 86400) * 1000)
        old = [r["id"] for r in query(env.db_path, "SELECT id FROM messages WHERE received_at < ?"
                                      " ORDER BY id", (cutoff,))]
        new = [r["id"] for r in query(env.db_path, "SELECT id FROM messages WHERE received_at >= ?"
                                      " ORDER BY id", (cutoff,))]
        check.eq((len(old), len(new)), (6, 4), "old and recent messages")
        if len(old) != 6 or len(new) != 4:
            return check
        # Raw mail in the spool: two old-only files, one shared by an old and
        # a new message, one old path whose file is already gone, one new.
        files = {"old0": put_spool(env, b"old raw 0"), "old1": put_spool(env, b"old raw 1"),
                 "shared": put_spool(env, b"shared raw"), "new": put_spool(env, b"new raw")}
        gone = "raw/00/" + "0" * 64
        con = sqlite3.connect(env.db_path, timeout=10)
        with con:
            for mid, rel in ((old[0], files["old0"]), (old[1], files["old1"]), (old[2], files["shared"]),
                             (old[3], gone), (new[0], files["shared"]), (new[1], files["new"])):
                con.execute("UPDATE messages SET raw_path = ? WHERE id = ?", (rel, mid))
            con.execute("UPDATE messages SET outcome = 'quarantined', reason = 'test' WHERE id = ?",
                        (old[4],))
        con.close()

        all_msgs = "SELECT id, raw, raw_path, text, outcome, ticket_id FROM messages ORDER BY id"
        tickets_sql = "SELECT id, number, text, reporter, created_at FROM tickets ORDER BY id"
        before = dump(env.db_path, all_msgs)
        tickets = dump(env.db_path, tickets_sql)
        events = {r["id"] for r in query(env.db_path, "SELECT id FROM events")}
        check(all(r[1] for r in before), "every SMS has its raw PDUs before the vacuum")

        p = run(check, env, ["vacuum", "--raw-days", "30", "--dry-run"], 0, "vacuum --dry-run")
        check("would drop the raw copies of 6 messages" in p.stdout and
              "would remove 2 spool files" in p.stdout and "1 already missing" in p.stdout and
              "1 kept for newer" in p.stdout, "vacuum --dry-run: counts: %r" % p.stdout)
        check.eq(dump(env.db_path, all_msgs), before, "messages after --dry-run")
        check(all(os.path.exists(os.path.join(env.spool, f)) for f in files.values()),
              "--dry-run removed a spool file")

        t0 = time.monotonic()
        p = run(check, env, ["vacuum", "--raw-days", "30"], 0, "vacuum --raw-days 30")
        check.note("vacuum beside the daemon (%.2f s wall): %s" % (time.monotonic() - t0,
                                                                   p.stdout.strip()))
        check("dropped the raw copies of 6 messages" in p.stdout and "removed 2 spool files" in p.stdout,
              "vacuum: counts: %r" % p.stdout)
        after = {r[0]: r for r in dump(env.db_path, all_msgs)}
        for r in before:
            a = after.get(r[0])
            if a is None:
                check(False, "message %d gone" % r[0])
                continue
            if r[0] in old:
                check(a[1] is None and a[2] is None, "old message %d: raw %r raw_path %r"
                      % (r[0], a[1], a[2]))
                check.eq(a[3:], r[3:], "old message %d: text, outcome, ticket" % r[0])
            else:
                check.eq(a, r, "recent message %d" % r[0])
        check(not os.path.exists(os.path.join(env.spool, files["old0"])) and
              not os.path.exists(os.path.join(env.spool, files["old1"])), "old raw files left")
        check(os.path.exists(os.path.join(env.spool, files["shared"])),
              "the file a recent message still names was removed")
        check(os.path.exists(os.path.join(env.spool, files["new"])), "a recent raw file was removed")
        check.eq(dump(env.db_path, tickets_sql), tickets, "tickets after vacuum")
        ev = {r["id"] for r in query(env.db_path, "SELECT id FROM events")}
        check(events <= ev, "events lost in the vacuum")
        check.eq(integrity(env.db_path), ["ok"], "integrity_check after vacuum")

        p = run(check, env, ["vacuum", "--raw-days", "30"], 0, "vacuum again")
        check("dropped the raw copies of 0 messages" in p.stdout, "vacuum again: %r" % p.stdout)
        p = run(check, env, ["vacuum"], 0, "vacuum with retention.raw_days = 0")
        check("raw copies kept" in p.stdout, "vacuum without --raw-days: %r" % p.stdout)
        for args in (["--raw-days", "x"], ["--raw-days", "-1"], ["--raw-days", "30x"],
                     ["--bogus"], ["extra"], ["--raw-days"]):
            run(check, env, ["vacuum"] + args, 2, "vacuum " + " ".join(args))
        finish_daemon(d, check)

        # The daemon's own daily run: with retention.raw_days the recent
        # messages, made 3 days old, lose their raw copies at its start.
        con = sqlite3.connect(env.db_path, timeout=10)
        with con:
            con.execute("UPDATE messages SET received_at = received_at - 3 * 86400000")
        con.close()
        env.cfg["retention"] = {"raw_days": 2}
        env.write_config()
        d = env.daemon().start()
        check(wait_for(lambda: "retention: dropped the raw copies of 4 messages older than 2 days"
                       in d.log(), 15), "daemon retention: %s" % d.log_tail(5))
        check.eq(scalar(env.db_path, "SELECT count(*) FROM messages WHERE raw IS NOT NULL OR"
                        " raw_path IS NOT NULL"), 0, "raw copies left after the daemon's run")
        check.eq(scalar(env.db_path, "SELECT count(*) FROM messages WHERE text IS NULL"), 0,
                 "texts kept")
        finish_daemon(d, check)
    finally:
        if d is not None:
            d.kill()
        kept = env.cleanup(not check.ok)
        if kept:
            check.note("kept %s" % kept)
    return check


def tests(pattern=None):
    return [("backup/during_intake", test_during_intake), ("backup/vacuum", test_vacuum)]
