"""test_config.py: helpdeskd --check-config and start-up with a bad config.

Errors must name the file and line: "FILE:LINE: key: expected ...", exit 1.
"""

import os
import re
import subprocess
import time

from harness import Check, TestEnv, run_daemon_cmd, build_path, program_env, ROOT


def _good_lines(env):
    return [
        'database = "%s";' % env.db_path,                      # 1
        'spool_dir = "%s";' % env.spool,                       # 2
        "country_code = 62;",                                  # 3
        'ticket_prefix = "HD";',                               # 4
        'language = "id";',                                    # 5
        'log_level = "info";',                                 # 6
        "sms = {",                                             # 7
        "  enabled = true;",                                   # 8
        '  connection = "none";',                              # 9
        '  model = "dummy";',                                  # 10
        '  device = "%s";' % env.modem_dir,                    # 11
        "  poll_interval_ms = 200;",                           # 12
        "  multipart_timeout = 10;",                           # 13
        "  send_timeout = 5;",                                 # 14
        "};",                                                  # 15
        "outbox = { max_attempts = 10; retry_min = 1; retry_max = 60; replies_per_hour = 5; };",  # 16
        'admins = ( { name = "Admin"; phone = "0811-0000-001"; } );',  # 17
    ]


def _write(env, name, lines):
    path = os.path.join(env.dir, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _bad(check, env, name, lines, line_no, key_re):
    """--check-config on lines must exit 1 and report FILE:LINE and the key."""
    path = _write(env, name, lines)
    p = run_daemon_cmd(["--check-config", "-c", path])
    check.eq(p.returncode, 1, "%s: --check-config exit code (stderr %r)" % (name, p.stderr[-300:]))
    want = "%s:%d:" % (path, line_no)
    check(want in p.stderr, "%s: stderr lacks %r: %r" % (name, want, p.stderr[-400:]))
    if key_re:
        check(re.search(key_re, p.stderr), "%s: stderr does not name the key (%s): %r"
              % (name, key_re, p.stderr[-400:]))
    check(not p.sanitizer, "%s: sanitizer report: %s" % (name, p.sanitizer[:5]))


def test_check_config():
    check = Check()
    env = TestEnv("config")
    try:
        good = _good_lines(env)
        path = _write(env, "good.conf", good)
        p = run_daemon_cmd(["--check-config", "-c", path])
        check.eq(p.returncode, 0, "good config: --check-config exit code (stderr %r)" % p.stderr[-300:])
        check(not p.sanitizer, "good config: sanitizer report: %s" % p.sanitizer[:5])

        # Wrong type on line 3.
        lines = list(good)
        lines[2] = 'country_code = "enam dua";'
        _bad(check, env, "type.conf", lines, 3, r"country_code")

        # Out of range inside the sms group, line 12.
        lines = list(good)
        lines[11] = "  poll_interval_ms = 5;"
        _bad(check, env, "range.conf", lines, 12, r"poll_interval_ms")

        # Bad ticket prefix (must be 1..6 upper-case letters), line 4.
        lines = list(good)
        lines[3] = 'ticket_prefix = "hd-1";'
        _bad(check, env, "prefix.conf", lines, 4, r"ticket_prefix")

        # Unknown language, line 5.
        lines = list(good)
        lines[4] = 'language = "klingon";'
        _bad(check, env, "language.conf", lines, 5, r"language")

        # libconfig syntax error (missing ';' makes line 4 unparsable).
        lines = list(good)
        lines[2] = "country_code = 62"
        lines[3] = 'ticket_prefix "HD";'
        path = _write(env, "syntax.conf", lines)
        p = run_daemon_cmd(["--check-config", "-c", path])
        check.eq(p.returncode, 1, "syntax error: exit code")
        check(re.search(re.escape(path) + r":[34]:", p.stderr),
              "syntax error: no FILE:LINE in %r" % p.stderr[-300:])

        # Missing file.
        p = run_daemon_cmd(["--check-config", "-c", os.path.join(env.dir, "nope.conf")])
        check.eq(p.returncode, 1, "missing file: exit code")
        check("nope.conf" in p.stderr, "missing file: stderr names it: %r" % p.stderr[-300:])

        # The daemon itself refuses a bad config promptly, without a database.
        t0 = time.monotonic()
        try:
            p = subprocess.run([build_path("helpdeskd"), "-c", os.path.join(env.dir, "type.conf")],
                               cwd=ROOT, env=program_env(), capture_output=True, timeout=15)
            check(p.returncode != 0, "helpdeskd -c BAD: exit code %d, want non-zero" % p.returncode)
            check(b"type.conf:3:" in p.stderr, "helpdeskd -c BAD: stderr %r" % p.stderr[-300:])
        except subprocess.TimeoutExpired:
            check(False, "helpdeskd -c BAD did not exit within 15s")
        check(time.monotonic() - t0 < 15, "prompt exit")
        check(not os.path.exists(env.db_path), "bad config must not create the database")
    finally:
        env.cleanup(not check.ok)
    return check


def tests(pattern=None):
    return [("config/check_config", test_check_config)]
