"""test_restart.py: stop and start again; nothing is re-ticketed (rule 2).

The daemon handles a few messages, is stopped with SIGTERM, and the very
same SMS (same sender, SMSC time stamp, text) are put back in the modem, as
if the modem had kept them because of a crash between commit and delete.
After a restart they are acknowledged and removed, and nothing new is
recorded; the next new complaint gets the next sequence number.
"""

import datetime as dt

from harness import Check, TestEnv, finish_daemon, query, wait_for

T0 = dt.datetime(2026, 11, 21, 9, 0, 0, tzinfo=dt.timezone.utc)

MESSAGES = [
    ("0812-6000-0001", "HELPDESK Printer Dinas Perhubungan macet"),
    ("+6281260000002", "HELPDESK Komputer kasir RSUD mati 😢"),
    ("081260000003", "HELPDESK " + "Koneksi VPN ke server SIMRS putus-putus sejak pagi. " * 6),
    ("081260000004", "bukan keluhan"),
    ("081260000005", "HELPDESK"),
]


def counts(env):
    out = {}
    for t in ("messages", "tickets", "events", "outbox"):
        r = query(env.db_path, "SELECT count(*) AS n FROM %s" % t)
        out[t] = r[0]["n"] if r else None
    r = query(env.db_path, "SELECT count(*) AS n FROM outbox WHERE state = 'pending'")
    out["pending"] = r[0]["n"] if r else None
    return out


def drop_all(env):
    for i, (sender, text) in enumerate(MESSAGES):
        env.modem.add(text, sender=sender, when=T0 + dt.timedelta(minutes=i), ref=50 + i)


def settled(env):
    return env.modem.empty() and counts(env)["pending"] == 0


def test_restart_idempotent():
    check = Check()
    env = TestEnv("restart")
    d = None
    try:
        d = env.daemon().start()
        drop_all(env)
        check(wait_for(lambda: settled(env) and counts(env)["messages"] == len(MESSAGES), 30),
              "first run did not settle in 30s: %r, modem %d" % (counts(env), env.modem.count()))
        before = counts(env)
        check.eq(before["tickets"], 3, "tickets after the first run")
        finish_daemon(d, check)

        # Restart on an existing database with nothing new: nothing changes.
        d = env.daemon().start()
        wait_for(lambda: False, 1.5)
        check.eq(counts(env), before, "restart with an empty modem")

        # The same messages again (a modem that kept them).
        drop_all(env)
        check(wait_for(lambda: settled(env), 30),
              "re-delivered messages not removed in 30s (modem %d)" % env.modem.count())
        wait_for(lambda: False, 1.0)
        check.eq(counts(env), before, "re-delivered messages recorded again")
        finish_daemon(d, check)

        # Stop/start once more, then a genuinely new complaint: next number.
        d = env.daemon().start()
        env.modem.add("HELPDESK Proyektor aula rusak", sender="081260000006",
                      when=T0 + dt.timedelta(hours=1))
        check(wait_for(lambda: settled(env) and counts(env)["tickets"] == 4, 30),
              "new complaint after restarts not handled")
        nums = [r["number"] for r in query(env.db_path, "SELECT number FROM tickets ORDER BY id")]
        check(len(nums) == 4 and nums[3].endswith("-0004") and len(set(nums)) == 4,
              "ticket numbers after restarts: %r" % nums)
        replies = query(env.db_path, "SELECT ticket_id, count(*) AS n FROM outbox "
                        "WHERE kind = 'reply' AND ticket_id IS NOT NULL GROUP BY ticket_id")
        check(all(r["n"] == 1 for r in replies) and len(replies) == 4,
              "one reply per ticket: %r" % replies)
        finish_daemon(d, check)
    finally:
        if d:
            d.kill()
        env.cleanup(not check.ok)
    return check


def tests(pattern=None):
    return [("restart/idempotent", test_restart_idempotent)]
