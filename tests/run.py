#!/usr/bin/python3
"""run.py: the test suite's single entry point (`make check`).

    /usr/bin/python3 tests/run.py --build build/check [--only REGEX] [-j N]
                                  [--no-unit] [--no-integration] [--keep]
                                  [--valgrind]

1. Runs every unit test binary BUILD/tests/test_* (cwd: the repository
   root). Each prints "NAME: N passed, N failed"; the counts are added. A
   binary that exits non-zero without failed checks, prints no tally, or
   prints a sanitizer report counts one more failure.
2. Runs the integration tests (tests/integration/): the gammu round trip of
   the test modem, the data-driven SMS cases (tests/cases/sms/*.case),
   --check-config, the data-driven email cases (tests/cases/email/*.case,
   email_cases.py) and the email scenarios of test_email.py (each against a
   private Dovecot and an aiosmtpd SMTP sink, mailpeers.py), helpdeskctl,
   restart idempotence and the SMS and email crash tests; the service
   (systemd notify, reload, health, install, man pages, backup); the modem
   simulator (tests/modemsim.py) against the gammu CLI, and the SMS path on
   libGammu's AT driver against it (test_at.py: messages on the dummy
   driver and both simulated identities, every modem fault, the AT crash
   test). Each test counts once. SMS cases, email cases and test_email.py ("sms/", "email/",
   "emailnet/") run -j N at a time.
3. --valgrind (or HD_VALGRIND=1): reserved, nothing more yet.

Prints, as its very last line, "N passed, N failed" and exits 1 if anything
failed. Programs run with ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 and
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; a sanitizer report in a
program's stderr fails the test that ran it.

Standard library only; /usr/bin/python3 (3.11).
"""

import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import threading
import time
import traceback

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "integration"))
sys.path.insert(0, HERE)

import harness  # noqa: E402

# Integration tests with these name prefixes run -j N at a time.
PARALLEL = ("sms/", "email/", "emailnet/", "atcrash/", "atfault/", "at/", "modemsim/")
TALLY_RE = re.compile(r"^(\S+): (\d+) passed, (\d+) failed\s*$", re.M)
_print_lock = threading.Lock()


def say(text=""):
    with _print_lock:
        print(text, flush=True)


def run_units(build):
    passed = failed = 0
    bins = sorted(p for p in glob.glob(os.path.join(build, "tests", "test_*"))
                  if os.access(p, os.X_OK) and os.path.isfile(p)
                  and not p.endswith((".o", ".d")))
    if not bins:
        say("unit: no unit test binaries in %s/tests" % os.path.relpath(build, ROOT))
    for b in bins:
        name = os.path.basename(b)
        t0 = time.monotonic()
        try:
            p = subprocess.run([b], cwd=ROOT, env=harness.program_env(),
                               capture_output=True, timeout=120)
            out = p.stdout.decode("utf-8", "replace")
            err = p.stderr.decode("utf-8", "replace")
            code = p.returncode
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            err = (e.stderr or b"").decode("utf-8", "replace") + "\n(timed out after 120s)"
            code = -9
        m = TALLY_RE.findall(out)
        np_, nf = (int(m[-1][1]), int(m[-1][2])) if m else (0, 0)
        extra = []
        if not m:
            extra.append("no 'NAME: N passed, N failed' line")
        elif code != 0 and nf == 0:
            extra.append("exit code %d with no failed check" % code)
        san = harness.sanitizer_reports(err)
        if san:
            extra.append("sanitizer report")
        if extra:
            nf += 1
        passed += np_
        failed += nf
        status = "ok  " if nf == 0 else "FAIL"
        say("%s unit/%s: %d passed, %d failed (%.1fs)%s"
            % (status, name, np_, nf, time.monotonic() - t0,
               "; " + "; ".join(extra) if extra else ""))
        if nf:
            lines = [ln for ln in err.splitlines() if ln.strip()][:30]
            for ln in lines:
                say("       " + ln)
    return passed, failed


def integration_tests(pattern):
    import test_modem
    import sms_cases
    import test_config
    import test_ctl
    import test_report
    import test_restart
    import test_crash
    import email_cases
    import test_email
    import test_email_crash
    import test_workflow
    import test_service
    import test_install
    import test_man
    import test_backup
    import test_at
    import test_modemsim
    tests = []
    for mod in (test_modem, test_config, sms_cases, email_cases, test_email, test_ctl,
                test_report, test_restart, test_crash, test_email_crash, test_workflow,
                test_service, test_install, test_man, test_backup, test_modemsim, test_at):
        for name, fn in mod.tests():
            if pattern and not re.search(pattern, name):
                continue
            tests.append((name, fn))
    return tests


def run_one(name, fn):
    t0 = time.monotonic()
    try:
        check = fn()
    except Exception:
        check = harness.Check()
        check(False, "exception:\n" + traceback.format_exc())
    dt = time.monotonic() - t0
    with _print_lock:
        print("%s %s (%.1fs)" % ("ok  " if check.ok else "FAIL", name, dt), flush=True)
        if not check.ok:
            for f in check.failures:
                print("       - " + f.replace("\n", "\n         "))
            for n in check.notes:
                print("       " + n.replace("\n", "\n       "))
        elif harness.OPTS["verbose"]:
            for n in check.notes:
                print("       " + n.replace("\n", "\n       "))
        sys.stdout.flush()
    return check.ok


def main():
    ap = argparse.ArgumentParser(description="helpdeskd test suite")
    ap.add_argument("--build", default="build/check", help="build directory (default %(default)s)")
    ap.add_argument("--only", metavar="REGEX", help="run only integration tests whose name matches")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("HD_TEST_JOBS", "2")),
                    help="SMS/email cases run in parallel (default %(default)s)")
    ap.add_argument("--no-unit", action="store_true")
    ap.add_argument("--no-integration", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--valgrind", action="store_true",
                    default=os.environ.get("HD_VALGRIND") == "1",
                    help="reserved (nothing more for now)")
    a = ap.parse_args()

    os.chdir(ROOT)
    build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    harness.OPTS.update(build=build, keep=a.keep, verbose=a.verbose)
    t_start = time.monotonic()
    passed = failed = 0

    if not a.no_unit and not a.only:
        p, f = run_units(build)
        passed += p
        failed += f

    if not a.no_integration:
        tests = integration_tests(a.only)
        missing = [x for x in ("helpdeskd", "helpdeskctl")
                   if not os.access(os.path.join(build, x), os.X_OK)]
        if missing:
            standalone = [t for t in tests if t[0].startswith("modem/")]
            rest = [t for t in tests if t not in standalone]
            ok = [run_one(n, f) for n, f in standalone]
            passed += sum(ok)
            failed += len(ok) - sum(ok)
            if rest:
                say("FAIL integration: %s not built in %s; %d integration tests not run"
                    % (", ".join(missing), os.path.relpath(build, ROOT), len(rest)))
                failed += len(rest)
        else:
            first = [t for t in tests if t[0].startswith(("modem/", "config/"))]
            cases = [t for t in tests if t[0].startswith(PARALLEL)]
            rest = [t for t in tests if t not in first and t not in cases]
            results = [run_one(n, f) for n, f in first]
            jobs = max(1, a.jobs)
            if jobs == 1:
                results += [run_one(n, f) for n, f in cases]
            else:
                with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
                    results += list(ex.map(lambda t: run_one(*t), cases))
            results += [run_one(n, f) for n, f in rest]
            passed += sum(1 for r in results if r)
            failed += sum(1 for r in results if not r)

    if a.valgrind:
        say("valgrind: nothing more to run yet")
    say("total time %.1fs" % (time.monotonic() - t_start))
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
