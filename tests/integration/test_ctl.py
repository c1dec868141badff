"""test_ctl.py: helpdeskctl basics. Exit codes: 0 ok, 1 error, 2 usage.

The database is checked directly; helpdeskctl's output only loosely (the
ticket number appears, --json parses and carries the values).
"""

import json
import os
import re

from harness import (Check, TestEnv, ctl, finish_daemon, query, wait_for)

TICKET_RE = re.compile(r"\bHD-\d{4}-\d{4,}\b")


def json_values(obj):
    """Every scalar in a parsed JSON document, as strings."""
    if isinstance(obj, dict):
        for v in obj.values():
            yield from json_values(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from json_values(v)
    elif obj is not None:
        yield str(obj)


def json_rows(obj):
    """The list of records in a --json listing (a list, or the first list
    value of an object)."""
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        for v in obj.values():
            if isinstance(v, list):
                return v
    return None


def parse_json(check, p, what):
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        check(False, "%s: stdout is not JSON (%s): %r" % (what, e, p.stdout[:300]))
        return None


def run(check, env, args, want_code, what=None):
    p = ctl(env, *args)
    what = what or "helpdeskctl " + " ".join(args)
    check(p.returncode == want_code, "%s: exit %d, want %d; stderr %r"
          % (what, p.returncode, want_code, p.stderr[-300:]))
    check(not p.sanitizer, "%s: sanitizer report: %s" % (what, p.sanitizer[:5]))
    return p


def test_tickets():
    check = Check()
    env = TestEnv("ctl-tickets")
    try:
        p = run(check, env, ["list"], 0)
        p = run(check, env, ["new", "--reporter", "0812-3456-7890", "--skpd", "Bagian Umum Setda",
                             "--text", "Telepon IP di ruang Sekda mati", "--priority", "high"], 0)
        m = TICKET_RE.search(p.stdout + p.stderr)
        check(m, "new: no ticket number printed: %r" % (p.stdout + p.stderr)[:300])
        rows = query(env.db_path, "SELECT * FROM tickets")
        check.eq(len(rows), 1, "tickets after new")
        if not rows:
            return check
        t = rows[0]
        num = t["number"]
        if m:
            check.eq(m.group(0), num, "printed number")
        check.eq(t["channel"], "phone", "new: channel")
        check.eq(t["reporter"], "+6281234567890", "new: reporter normalised")
        check.eq(t["skpd"], "Bagian Umum Setda", "new: skpd")
        check.eq(t["priority"], "high", "new: priority")
        check.eq(t["status"], "new", "new: status")
        check(t["text"] == "Telepon IP di ruang Sekda mati", "new: text %r" % t["text"])
        ev = query(env.db_path, "SELECT * FROM events WHERE ticket_id = ? AND kind = 'created'",
                   (t["id"],))
        check.eq(len(ev), 1, "new: created event")

        p = run(check, env, ["new", "--reporter", "081299990000", "--skpd", "Dinas Kominfo",
                             "--text", "Internet lambat"], 0)
        rows = query(env.db_path, "SELECT * FROM tickets ORDER BY id")
        check.eq(len(rows), 2, "tickets after second new")
        if len(rows) == 2:
            check.eq(rows[1]["priority"], "normal", "default priority")
            check(rows[1]["number"] != num, "distinct numbers")

        p = run(check, env, ["show", num], 0)
        check("Telepon IP di ruang Sekda mati" in p.stdout, "show: text in output")
        check(num in p.stdout, "show: number in output")
        p = run(check, env, ["show", num, "--json"], 0)
        j = parse_json(check, p, "show --json")
        if j is not None:
            vals = set(json_values(j))
            check(num in vals, "show --json: number")
            check("+6281234567890" in vals, "show --json: reporter")
            check("high" in vals, "show --json: priority")

        p = run(check, env, ["list"], 0)
        check(num in p.stdout, "list: shows the ticket")
        p = run(check, env, ["list", "--json"], 0)
        j = parse_json(check, p, "list --json")
        if j is not None:
            recs = json_rows(j)
            check(recs is not None and len(recs) == 2, "list --json: 2 records, got %r" % (j,))
            check(num in set(json_values(j)), "list --json: number")
        for args, present in ((["--status", "new"], True), (["--status", "closed"], False),
                              (["--channel", "phone"], True), (["--channel", "sms"], False),
                              (["--since", "2000-01-01"], True), (["--since", "2999-01-01"], False)):
            p = run(check, env, ["list"] + args + ["--json"], 0)
            j = parse_json(check, p, "list %s --json" % " ".join(args))
            if j is not None:
                check((num in set(json_values(j))) == present,
                      "list %s: ticket %s" % (" ".join(args), "missing" if present else "listed"))

        # Errors and usage.
        p = run(check, env, ["show", "HD-2001-9999"], 1, "show unknown ticket")
        check(p.stderr.strip() != "", "show unknown ticket: says why on stderr")
        run(check, env, [], 2, "no command")
        run(check, env, ["frobnicate"], 2, "unknown command")
        run(check, env, ["show"], 2, "show without a ticket")
        run(check, env, ["new", "--reporter", "0812"], 2, "new without --text/--skpd")
        run(check, env, ["new", "--reporter", "081234567890", "--skpd", "X", "--text", "Y",
                         "--priority", "urgent"], 2, "new --priority urgent")
        run(check, env, ["list", "--channel", "fax"], 2, "list --channel fax")
        run(check, env, ["list", "--status", "bogus"], 2, "list --status bogus")
        run(check, env, ["list", "--since", "yesterday"], 2, "list --since yesterday")
        rows = query(env.db_path, "SELECT count(*) AS n FROM tickets")
        check.eq(rows[0]["n"] if rows else None, 2, "no ticket from the bad calls")
    finally:
        env.cleanup(not check.ok)
    return check


CSV = """name,phone,email,skpd,role
Sri Wahyuni,0812-1111-2222,sri@example.go.id,BPKAD,reporter
"Budi, S.Kom",+6281333334444,budi@example.go.id,Diskominfo,technician
Ani Lestari,081355556666,,"Bagian Umum, Setda",admin
"""


def test_contacts():
    check = Check()
    env = TestEnv("ctl-contacts")
    try:
        path = os.path.join(env.dir, "contacts.csv")
        with open(path, "w") as f:
            f.write(CSV)
        run(check, env, ["contacts", "import", path], 0)
        rows = query(env.db_path, "SELECT * FROM contacts ORDER BY phone")
        check.eq(len(rows), 3, "contacts imported")
        by_phone = {r["phone"]: r for r in rows}
        check.eq(sorted(by_phone), ["+6281211112222", "+6281333334444", "+6281355556666"],
                 "phones normalised to E.164")
        b = by_phone.get("+6281333334444")
        if b:
            check.eq(b["name"], "Budi, S.Kom", "quoted name with comma")
            check.eq(b["role"], "technician", "role")
            check.eq(b["skpd"], "Diskominfo", "skpd")
        a = by_phone.get("+6281355556666")
        if a:
            check.eq(a["skpd"], "Bagian Umum, Setda", "quoted skpd")
            check(a["email"] in (None, ""), "empty email stays empty: %r" % a["email"])
        p = run(check, env, ["contacts", "list"], 0)
        check("Sri Wahyuni" in p.stdout, "contacts list shows names")
        p = run(check, env, ["contacts", "list", "--json"], 0)
        j = parse_json(check, p, "contacts list --json")
        if j is not None:
            recs = json_rows(j)
            check(recs is not None and len(recs) == 3, "contacts list --json: 3 records")
            check("+6281211112222" in set(json_values(j)), "contacts list --json: phone")
        # Importing the same file again must not duplicate anyone.
        ctl(env, "contacts", "import", path)
        n = query(env.db_path, "SELECT count(*) AS n FROM contacts")
        check.eq(n[0]["n"] if n else None, 3, "re-import: still 3 contacts")
        # A bad file is an error and changes nothing.
        bad = os.path.join(env.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write("name,phone,email,skpd,role\nX,0812-9999-0000,x@example.go.id,BPKAD,boss\n")
        run(check, env, ["contacts", "import", bad], 1, "import with a bad role")
        n = query(env.db_path, "SELECT count(*) AS n FROM contacts")
        check.eq(n[0]["n"] if n else None, 3, "bad import added nothing")
        run(check, env, ["contacts", "import", os.path.join(env.dir, "missing.csv")], 1,
            "import of a missing file")
        run(check, env, ["contacts"], 2, "contacts without subcommand")
    finally:
        env.cleanup(not check.ok)
    return check


def test_with_daemon():
    """helpdeskctl next to a running daemon: the SMS ticket is listed, the
    outbox shows the sent reply."""
    check = Check()
    env = TestEnv("ctl-daemon")
    d = None
    try:
        d = env.daemon().start()
        env.modem.add("HELPDESK Printer Bagian Umum macet", sender="0812-7000-0001")
        ok = wait_for(lambda: env.modem.empty() and query(
            env.db_path, "SELECT 1 FROM outbox WHERE kind = 'reply' AND state = 'sent'"), 20)
        check(ok, "the SMS was not handled within 20s")
        t = query(env.db_path, "SELECT * FROM tickets")
        num = t[0]["number"] if t else "HD-?"
        p = run(check, env, ["list", "--channel", "sms", "--json"], 0)
        j = parse_json(check, p, "list --channel sms --json")
        if j is not None:
            check(num in set(json_values(j)), "list --channel sms: the SMS ticket")
        p = run(check, env, ["show", num, "--json"], 0)
        j = parse_json(check, p, "show --json")
        if j is not None:
            check("+6281270000001" in set(json_values(j)), "show --json: reporter")
        p = run(check, env, ["outbox", "--json"], 0)
        parse_json(check, p, "outbox --json")
        p = run(check, env, ["outbox", "--all", "--json"], 0)
        j = parse_json(check, p, "outbox --all --json")
        if j is not None:
            vals = set(json_values(j))
            check("+6281270000001" in vals, "outbox --all: the reply's recipient")
            check("sent" in vals, "outbox --all: state sent")
        p = run(check, env, ["outbox", "--all"], 0)
        check("+6281270000001" in p.stdout, "outbox --all (text): recipient")
        # A phone complaint entered while the daemon runs.
        run(check, env, ["new", "--reporter", "0812-7000-0002", "--skpd", "Dinsos",
                         "--text", "Komputer pelayanan mati"], 0)
        n = query(env.db_path, "SELECT count(*) AS n FROM tickets")
        check.eq(n[0]["n"] if n else None, 2, "tickets after ctl new beside the daemon")
        finish_daemon(d, check)
    finally:
        if d:
            d.kill()
        env.cleanup(not check.ok)
    return check


def tests(pattern=None):
    return [("ctl/tickets", test_tickets), ("ctl/contacts", test_contacts),
            ("ctl/with_daemon", test_with_daemon)]
