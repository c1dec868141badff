"""test_install.py: the files `make install` puts on a server, and the unit.

- install/destdir: `make install DESTDIR=... PREFIX=/usr` installs exactly
  the expected files with their modes, never overwrites an existing
  helpdeskd.conf, and `make uninstall` removes everything but the site's
  configuration.
- install/unit_security: `systemd-analyze security --offline=true` rates the
  unit's sandbox at an exposure level of 2.5 or lower, and the unit is
  Type=notify with a watchdog and a reload command.
"""

import os
import re
import shutil
import stat
import subprocess
import tempfile

from harness import ROOT, Check

EXPECTED = {
    "usr/sbin/helpdeskd": 0o755,
    "usr/bin/helpdeskctl": 0o755,
    "usr/lib/systemd/system/helpdeskd.service": 0o644,
    "usr/lib/sysusers.d/helpdeskd.conf": 0o644,
    "usr/lib/tmpfiles.d/helpdeskd.conf": 0o644,
    "usr/share/man/man1/helpdeskctl.1": 0o644,
    "usr/share/man/man5/helpdeskd.conf.5": 0o644,
    "usr/share/man/man8/helpdeskd.8": 0o644,
    "usr/share/doc/helpdeskd/README.md": 0o644,
    "usr/share/doc/helpdeskd/grammar.md": 0o644,
    "usr/share/doc/helpdeskd/helpdeskd.conf.example": 0o644,
    "etc/helpdeskd/helpdeskd.conf": 0o640,
    "etc/helpdeskd/templates-en.conf": 0o644,
}


def make(check, target, dest):
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(k, None)
    p = subprocess.run(["make", "-s", target, "DESTDIR=" + dest, "PREFIX=/usr"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300, env=env)
    check(p.returncode == 0, "make %s: exit %d\n%s%s" % (target, p.returncode, p.stdout[-800:],
                                                        p.stderr[-800:]))
    return p


def files(dest):
    out = {}
    for d, _, names in os.walk(dest):
        for n in names:
            path = os.path.join(d, n)
            out[os.path.relpath(path, dest)] = stat.S_IMODE(os.lstat(path).st_mode)
    return out


def test_destdir():
    check = Check()
    dest = tempfile.mkdtemp(prefix="hd-install-")
    try:
        make(check, "install", dest)
        got = files(dest)
        check.eq(sorted(got), sorted(EXPECTED), "installed files")
        for path, mode in EXPECTED.items():
            if path in got:
                check.eq(oct(got[path]), oct(mode), "mode of " + path)
        etc = os.path.join(dest, "etc/helpdeskd")
        check.eq(oct(stat.S_IMODE(os.stat(etc).st_mode)), oct(0o750), "mode of /etc/helpdeskd")
        unit = open(os.path.join(dest, "usr/lib/systemd/system/helpdeskd.service")).read()
        check("ExecStart=/usr/sbin/helpdeskd -c /etc/helpdeskd/helpdeskd.conf" in unit,
              "installed unit runs /usr/sbin/helpdeskd")
        # The installed example is a valid configuration as it is.
        p = subprocess.run([os.path.join(dest, "usr/sbin/helpdeskd"), "--check-config", "-c",
                            os.path.join(etc, "helpdeskd.conf")], capture_output=True, text=True)
        check(p.returncode == 0, "installed helpdeskd.conf: %s" % p.stderr)
        p = subprocess.run(["man", "-l", os.path.join(dest, "usr/share/man/man8/helpdeskd.8")],
                           capture_output=True, text=True, env=dict(os.environ, MANPAGER="cat",
                                                                     MANWIDTH="80"))
        check(p.returncode == 0 and "helpdeskd" in p.stdout, "man -l of the installed page")

        # The site's configuration survives a second install.
        conf = os.path.join(etc, "helpdeskd.conf")
        with open(conf, "a") as f:
            f.write("# edited by the site\n")
        make(check, "install", dest)
        check(open(conf).read().endswith("# edited by the site\n"), "install overwrote helpdeskd.conf")

        make(check, "uninstall", dest)
        check.eq(sorted(files(dest)), ["etc/helpdeskd/helpdeskd.conf"], "left after uninstall")
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return check


def test_unit_security():
    check = Check()
    unit = os.path.join(ROOT, "systemd", "helpdeskd.service")
    p = subprocess.run(["systemd-analyze", "security", "--offline=true", unit],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for helpdeskd\.service: (\d+\.\d+)", p.stdout)
    check(m is not None, "no exposure level in:\n%s%s" % (p.stdout[-500:], p.stderr[-500:]))
    if m:
        check(float(m.group(1)) <= 2.5, "exposure level %s > 2.5" % m.group(1))
        check.note("exposure level %s" % m.group(1))
    text = open(unit).read()
    for line in ("Type=notify", "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID",
                 "Restart=on-failure", "SupplementaryGroups=dialout", "StateDirectory=helpdeskd",
                 "ConfigurationDirectory=helpdeskd", "CapabilityBoundingSet=\n",
                 "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes",
                 "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "DeviceAllow=char-ttyUSB rw"):
        check(line in text, "unit lacks %r" % line)
    return check


def tests():
    return [("install/destdir", test_destdir), ("install/unit_security", test_unit_security)]
