"""test_man.py: the manual pages in man/.

- man/lint: each page is clean for `mandoc -Tlint -W warning` and
  `groff -ww -mandoc -z`, and `man -l` renders it (MANWIDTH=80, no
  terminal) with a NAME section and no line wider than 80 columns.
- man/config_keys: every key of config/helpdeskd.conf.example (settings,
  groups, keys shown commented out, and the "key - description" lines of its
  comments) and every template of config/templates-en.conf is an item of
  helpdeskd.conf.5: an `.It` line with `Ic KEY`.
- man/verbs: every verb of `helpdeskctl --help`, and health, backup,
  restore, vacuum, is an item of helpdeskctl.1 (`.It Cm VERB`); every
  command word of docs/grammar.md (the staff commands table and the STATUS
  and INFO headings) appears in helpdeskd.8 or helpdeskctl.1.

No daemon runs; the tests read files and run mandoc, groff, man and
helpdeskctl --help. Standard library only; /usr/bin/python3 (3.11).
"""

import os
import re
import shutil
import subprocess

from harness import Check, build_path, program_env, sanitizer_reports

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAN = os.path.join(ROOT, "man")
PAGES = ("helpdeskd.8", "helpdeskctl.1", "helpdeskd.conf.5")
# Verbs being added beside those of the usage text.
EXTRA_VERBS = ("health", "backup", "restore", "vacuum")
# What a value written after "key =" in the example starts with.
VALUE = r'(?:"|\[|\(|\{|-?\d|true\b|false\b)'


def page(name):
    with open(os.path.join(MAN, name), encoding="utf-8") as f:
        return f.read()


def run(cmd, env=None):
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def tools(check):
    """Whether mandoc, groff and man are installed (recorded when not)."""
    missing = [t for t in ("mandoc", "groff", "man") if shutil.which(t) is None]
    return check(not missing, "not installed: %s (Debian: mandoc groff-base man-db)"
                 % ", ".join(missing))


def test_lint():
    check = Check()
    if not tools(check):
        return check
    env = dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8")
    env.pop("MANOPT", None)
    for name in PAGES:
        path = os.path.join(MAN, name)
        if not check(os.path.isfile(path), "%s: missing" % name):
            continue
        code, out, err = run(["mandoc", "-Tlint", "-W", "warning", path])
        check.eq((code, (out + err).strip()), (0, ""), "%s: mandoc -Tlint -W warning" % name)
        code, out, err = run(["groff", "-ww", "-mandoc", "-z", path])
        check.eq((code, err.strip()), (0, ""), "%s: groff -ww -mandoc -z" % name)
        code, out, err = run(["man", "-l", path], env)
        check.eq(code, 0, "%s: man -l exit status (stderr %r)" % (name, err[-300:]))
        check.eq(err.strip(), "", "%s: man -l stderr" % name)
        check(re.search(r"^NAME$", out, re.M), "%s: man -l shows no NAME section" % name)
        wide = [ln for ln in out.splitlines() if len(ln) > 80]
        check(not wide, "%s: %d rendered lines wider than 80 columns, first %r"
              % (name, len(wide), wide[:1]))
    return check


def example_keys():
    """Every key the example configuration shows: settings and groups
    ("key = value", also commented out), keys inside one-line groups
    ("{ name = ...; keywords = [ ... ]; }") and the "#   key - what" lines
    that document the imap, smtp and admins entries and the templates."""
    keys = set()
    with open(os.path.join(ROOT, "config", "helpdeskd.conf.example"), encoding="utf-8") as f:
        for line in f:
            text = line.strip()
            comment = text.startswith("#")
            body = text.lstrip("#").strip() if comment else text
            m = re.match(r"([a-z_][a-z0-9_]*)\s*[=:]\s*" + VALUE, body)
            if m:
                keys.add(m.group(1))
            if body.startswith(("{", ", {")):
                keys.update(re.findall(r"([a-z_][a-z0-9_]*)\s*=\s*" + VALUE, body))
            m = re.match(r"([a-z_][a-z0-9_]*)\s+- ", body) if comment else None
            if m:
                keys.add(m.group(1))
    return keys


def template_names():
    with open(os.path.join(ROOT, "config", "templates-en.conf"), encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("templates = {"):]
    return set(re.findall(r"^\s*([a-z_][a-z0-9_]*)\s*=\s*\"", body, re.M))


def items(text, macro):
    """The words given to macro (Ic, Cm) on the .It lines of a page."""
    found = set()
    for line in text.splitlines():
        if line.startswith(".It "):
            found.update(re.findall(r"\b%s\s+([A-Za-z_][A-Za-z0-9_]*)" % macro, line))
    return found


def test_config_keys():
    check = Check()
    conf = page("helpdeskd.conf.5")
    documented = items(conf, "Ic")
    keys = example_keys()
    check(len(keys) >= 80, "only %d keys found in helpdeskd.conf.example" % len(keys))
    missing = sorted(keys - documented)
    check(not missing, "keys of helpdeskd.conf.example without an .It Ic item in"
          " helpdeskd.conf.5: %s" % ", ".join(missing))
    names = template_names()
    check(len(names) >= 20, "only %d templates found in templates-en.conf" % len(names))
    missing = sorted(names - documented)
    check(not missing, "templates of templates-en.conf without an .It Ic item in"
          " helpdeskd.conf.5: %s" % ", ".join(missing))
    return check


def usage_verbs(check):
    """The verbs of helpdeskctl's usage text: the first word of each indented
    line (the lines of options that run on start with "[")."""
    try:
        p = subprocess.run([build_path("helpdeskctl"), "--help"], cwd=ROOT, env=program_env(),
                           capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except OSError as e:
        check(False, "helpdeskctl --help: %s" % e)
        return set()
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    check.eq(p.returncode, 0, "helpdeskctl --help exit status")
    check(not sanitizer_reports(err), "helpdeskctl --help: sanitizer report")
    return set(re.findall(r"^  ([a-z]+)\b", out, re.M))


def grammar_words():
    """The command words of docs/grammar.md: the first two columns of the
    staff commands table and the upper-case words of the "### STATUS or
    CEK" style headings under "## Commands"."""
    with open(os.path.join(ROOT, "docs", "grammar.md"), encoding="utf-8") as f:
        text = f.read()
    words = set()
    commands = text[text.index("\n## Commands"):]
    commands = commands[:commands.index("\n## ", 1)]
    for heading in re.findall(r"^### (.*)$", commands, re.M):
        words.update(re.findall(r"\b[A-Z]{2,}\b", heading))
    staff = text[text.index("\n## Staff commands"):]
    staff = staff[:staff.index("\n## ", 1)] if "\n## " in staff[1:] else staff
    for row in re.findall(r"^\|(.*)\|\s*$", staff, re.M):
        cells = row.split("|")
        if len(cells) >= 2:
            for cell in cells[:2]:
                words.update(re.findall(r"`([A-Z]+)`", cell))
    return words


def test_verbs():
    check = Check()
    ctl = page("helpdeskctl.1")
    documented = items(ctl, "Cm")
    verbs = usage_verbs(check)
    check(len(verbs) >= 20, "only %d verbs found in helpdeskctl --help: %s"
          % (len(verbs), sorted(verbs)))
    missing = sorted((verbs | set(EXTRA_VERBS)) - documented)
    check(not missing, "verbs without an .It Cm item in helpdeskctl.1: %s" % ", ".join(missing))

    both = ctl + page("helpdeskd.8")
    words = grammar_words()
    check(len(words) >= 30, "only %d command words found in docs/grammar.md: %s"
          % (len(words), sorted(words)))
    missing = sorted(w for w in words if not re.search(r"\b%s\b" % w, both))
    check(not missing, "command words of docs/grammar.md in neither helpdeskd.8 nor"
          " helpdeskctl.1: %s" % ", ".join(missing))
    return check


def tests():
    return [("man/lint", test_lint), ("man/config_keys", test_config_keys),
            ("man/verbs", test_verbs)]
