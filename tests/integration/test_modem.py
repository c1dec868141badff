"""test_modem.py: the test tool itself. tests/dummymodem.py must write files
that the real libGammu dummy driver reads back with the same text (checked
with the gammu command line tool), including Unicode and multipart."""

import os
import random
import shutil
import subprocess
import tempfile

from harness import Check, dummymodem

TEXTS = [
    ("+6281234567", "HELPDESK printer rusak", "default"),
    ("0812-3456-7890", "HELPDESK Komputer mati total 😢 tolong dibantu", "auto"),
    ("TELKOMSEL", "HELPDESK [toner] ~ €50 {habis} | ^", "auto"),
    ("+6281311112222", "HELPDESK " + " ".join("kata%d" % i for i in range(70)), "auto"),
    ("+6281311113333", "HELPDESK ünï 😢 " + "ß€x😢" * 30, "auto"),
]


def test_gammu_reads_dummymodem():
    check = Check()
    gammu = shutil.which("gammu")
    if gammu is None:
        check(False, "gammu command line tool not installed (Debian package gammu)")
        return check
    d = tempfile.mkdtemp(prefix="hd-modem-")
    try:
        m = dummymodem.Modem(os.path.join(d, "modem"))
        rc = os.path.join(d, "gammurc")
        with open(rc, "w") as f:
            f.write("[gammu]\nmodel = dummy\nconnection = none\ndevice = %s\n" % m.root)
        for sender, text, coding in TEXTS:
            m.add(text, sender=sender, coding=coding)
        # Reversed parts of a multipart message, in the phone inbox.
        rev = "HELPDESK " + "abcdefghij" * 20
        parts = dummymodem.split_parts(rev, "default")
        for seq in range(len(parts), 0, -1):
            m.add_part(parts[seq - 1], 99, len(parts), seq, sender="+6281399999999", folder=3)
        want = sum(len(dummymodem.split_parts(t, "default" if dummymodem.is_gsm(t) else "unicode"))
                   for _, t, _ in TEXTS) + len(parts)
        check.eq(m.count(), want, "files written")
        check(want > len(TEXTS) + 2, "some texts are multipart")
        p = subprocess.run([gammu, "-c", rc, "geteachsms"], capture_output=True, timeout=60)
        out = p.stdout.decode("utf-8", "replace")
        check.eq(p.returncode, 0, "gammu geteachsms exit code")
        for sender, text, _ in TEXTS:
            check(text in out, "gammu did not read back %r" % text[:40])
            check('"%s"' % sender in out, "gammu did not read sender %s" % sender)
        check(rev in out, "gammu did not join reversed parts")
        check("Unicode" in out and "Default GSM alphabet" in out, "codings as written")
        # Our own listing reads everything back too.
        texts = [m.describe(f)[2] for f in m.files()]
        check(TEXTS[0][1] in texts and TEXTS[1][1] in texts, "Modem.describe")
        # Garbage is garbage to gammu as well.
        m2 = dummymodem.Modem(os.path.join(d, "modem2"))
        m2.add_raw(bytes(random.Random(5).randrange(256) for _ in range(64)))
        rc2 = rc + "2"
        with open(rc2, "w") as f:
            f.write("[gammu]\nmodel = dummy\nconnection = none\ndevice = %s\n" % m2.root)
        p = subprocess.run([gammu, "-c", rc2, "getsms", "1", "1"], capture_output=True, timeout=30)
        check(p.returncode != 0, "gammu should reject a random-bytes file")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return check


def tests(pattern=None):
    return [("modem/gammu_reads_dummymodem", test_gammu_reads_dummymodem)]
