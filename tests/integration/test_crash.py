"""test_crash.py: rules 1-3 under SIGKILL.

200 HELPDESK SMS from 50 senders (GSM, some Unicode, some multipart) are
dropped in batches while helpdeskd runs; the daemon is killed with SIGKILL
at seeded random moments (7 times) and restarted at once each time. Then it
runs until the modem is empty and no outbox row is pending (bounded), and:

- every message has exactly one ticket (matched by a tag in its text), with
  the exact text and the sender's E.164 number: none lost, none duplicated;
- every ticket has exactly one 'created' event, exactly one reply row (to
  the reporter, state 'sent', provider_ref set) and one notice per admin;
- ticket numbers of the month are 0001..0200 without gaps;
- the modem is empty.

Runs the optimised build/helpdeskd when it exists and is not older than
the build under test (ASan makes the check build slow), else the build
under test (HD_CRASH_SANITIZED=1 forces that), with log_level info.
HD_CRASH_SEED and HD_CRASH_KILLS change the seed and the number of kills.
"""

import datetime as dt
import os
import random
import time

from harness import (Check, check_one_ticket_each, TestEnv, finish_daemon, kill_plan, query, wait_for, build_path,
                     ROOT)

SEED = int(os.environ.get("HD_CRASH_SEED", "20261122"))
N_MESSAGES = 200
N_SENDERS = 50
N_KILLS = int(os.environ.get("HD_CRASH_KILLS", "8"))
T0 = dt.datetime(2026, 11, 22, 7, 0, 0, tzinfo=dt.timezone.utc)

WORDS = ("printer komputer jaringan internet server aplikasi email website scanner "
         "proyektor UPS keyboard mouse monitor wifi router switch toner absensi "
         "rusak mati macet lambat error putus hilang tidak bisa login dibuka "
         "mencetak menyala terhubung tolong segera dibantu di ruang lantai bagian "
         "dinas kantor kecamatan sekretariat gedung").split()
UNITS = ["Bagian Umum Setda", "BPKAD", "Dinas Pendidikan", "Dinkes", "Disdukcapil",
         "Bappeda", "RSUD", "Kecamatan Sukamaju", "DPRD", "Diskominfo"]
EMOJI = ["😢", "🙏", "😩", "⚠️", "🖨️"]


def make_messages(rng):
    senders = []
    for i in range(N_SENDERS):
        digits = "812%08d" % (rng.randrange(10 ** 8))
        form = rng.choice(("+62%s", "0%s", "0%s-dash", "62%s"))
        if form == "0%s-dash":
            s = "0%s-%s-%s" % (digits[:3], digits[3:7], digits[7:])
        else:
            s = form % digits
        senders.append((s, "+62" + digits))
    msgs = []
    for i in range(N_MESSAGES):
        sender, norm = rng.choice(senders)
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 12)))
        kind = rng.random()
        if kind < 0.12:
            body += " " + rng.choice(EMOJI) + " " + rng.choice(UNITS) + " ñ"
        elif kind < 0.22:
            body += ". " + " ".join(rng.choice(WORDS) for _ in range(60))
        text = "HELPDESK [c%03d] %s, %s" % (i, body, rng.choice(UNITS))
        msgs.append({"tag": "[c%03d]" % i, "sender": sender, "norm": norm, "text": text,
                     "when": T0 + dt.timedelta(seconds=i), "ref": i % 256})
    return msgs


def crash_binary():
    """build/helpdeskd (optimised) unless missing or older than the build
    under test, which is then used instead."""
    opt = os.path.join(ROOT, "build", "helpdeskd")
    chk = build_path("helpdeskd")
    if os.environ.get("HD_CRASH_SANITIZED") == "1":
        return chk
    try:
        if os.access(opt, os.X_OK) and os.path.getmtime(opt) >= os.path.getmtime(chk) - 600:
            return opt
    except OSError:
        pass
    return chk


def test_crash():
    check = Check()
    rng = random.Random(SEED)
    msgs = make_messages(rng)
    env = TestEnv("crash", {"log_level": "info", "outbox.replies_per_hour": 1000})
    binary = crash_binary()
    check.note("binary %s" % os.path.relpath(binary, ROOT))
    d = None
    t_start = time.monotonic()
    try:
        plan = kill_plan(rng, msgs, N_KILLS)

        d = env.daemon(binary).start()
        t_base = time.monotonic()
        kills = 0
        for when, what, batch in plan:
            delay = t_base + when - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if what == "drop":
                for m in batch:
                    env.modem.add(m["text"], sender=m["sender"], when=m["when"], ref=m["ref"])
            else:
                if not d.alive():
                    check(False, "helpdeskd died on its own before kill %d; log tail:\n%s"
                          % (kills + 1, d.log_tail()))
                d.kill()
                kills += 1
                d = env.daemon(binary).start(timeout=20)
        check.note("dropped %d messages, %d SIGKILLs in %.1fs"
                   % (len(msgs), kills, time.monotonic() - t_base))

        def done():
            if not env.modem.empty():
                return False
            r = query(env.db_path, "SELECT count(*) AS n FROM outbox WHERE state = 'pending'")
            m = query(env.db_path, "SELECT count(*) AS n FROM messages")
            return r and r[0]["n"] == 0 and m and m[0]["n"] >= len(msgs)

        ok = wait_for(done, 90, 0.2)
        check(ok, "not settled 90s after the last drop: modem %d files, %r"
              % (env.modem.count(), query(env.db_path, "SELECT state, count(*) AS n FROM outbox "
                                          "GROUP BY state")))
        check(d.alive(), "helpdeskd died at the end; log tail:\n" + d.log_tail())
        finish_daemon(d, check)
        d = None

        tickets = query(env.db_path, "SELECT * FROM tickets ORDER BY id")
        messages = query(env.db_path, "SELECT * FROM messages ORDER BY id")
        outbox = query(env.db_path, "SELECT * FROM outbox ORDER BY id")
        events = query(env.db_path, "SELECT * FROM events WHERE kind = 'created'")

        by_tag = check_one_ticket_each(check, msgs, tickets, messages, r"\[c\d{3}\]")

        ids = {t["id"] for t in tickets}
        created = {}
        for e in events:
            created[e["ticket_id"]] = created.get(e["ticket_id"], 0) + 1
        check(all(created.get(i) == 1 for i in ids),
              "tickets without exactly one 'created' event: %d"
              % sum(1 for i in ids if created.get(i) != 1))

        replies, notices = {}, {}
        for o in outbox:
            if o["kind"] == "reply":
                replies.setdefault(o["ticket_id"], []).append(o)
            elif o["kind"] == "admin_notice":
                notices.setdefault(o["ticket_id"], []).append(o)
        not_one = [i for i in ids if len(replies.get(i, [])) != 1]
        check(not not_one, "%d tickets without exactly one reply row (e.g. %s)"
              % (len(not_one), [(i, len(replies.get(i, []))) for i in not_one[:5]]))
        unsent = [(o["id"], o["state"], o["last_error"]) for rs in replies.values() for o in rs
                  if o["state"] != "sent" or not o["provider_ref"] or not o["sent_at"]]
        check(not unsent, "%d replies not sent: %s" % (len(unsent), unsent[:5]))
        rep_of = {t["id"]: t["reporter"] for t in tickets}
        misaddressed = [o["id"] for rs in replies.values() for o in rs
                        if o["recipient"] != rep_of.get(o["ticket_id"])]
        check(not misaddressed, "replies not to the reporter: %s" % misaddressed[:5])
        not_one = [i for i in ids if len(notices.get(i, [])) != 1]
        check(not not_one, "%d tickets without exactly one admin notice" % len(not_one))
        unsent = [o["id"] for rs in notices.values() for o in rs if o["state"] != "sent"]
        check(not unsent, "%d admin notices not sent" % len(unsent))

        seqs = sorted(int(t["number"].rsplit("-", 1)[1]) for t in tickets)
        check(seqs == list(range(1, len(tickets) + 1)),
              "ticket sequence numbers have gaps or repeats: first differences %s"
              % [(i + 1, s) for i, s in enumerate(seqs) if s != i + 1][:5])
        check(env.modem.empty(), "modem not empty: %d files" % env.modem.count())
        check.note("total %.1fs" % (time.monotonic() - t_start))
    finally:
        if d:
            d.kill()
        env.cleanup(not check.ok)
    return check


def tests(pattern=None):
    return [("crash/sigkill_200", test_crash)]
