#!/bin/sh
# demo.sh: run helpdeskd on a Gammu dummy modem with a few SMS waiting.
#
#   sh tests/demo.sh BUILD [DURATION]     (make demo [DURATION=20s])
#
# Creates ./var/demo/ afresh: modem/ (the dummy phone: sms/1..5), the config
# helpdeskd.conf, the database helpdeskd.db and gammurc (for the gammu CLI),
# drops a few realistic SMS and runs BUILD/helpdeskd in the foreground
# (Ctrl-C stops it). With DURATION (any timeout(1) duration, e.g. 20 or
# 20s) it runs that long, then shows the tickets and the outbox.
set -eu

BUILD=${1:-build}
DURATION=${2:-}

cd "$(dirname "$0")/.."
TOP=$(pwd)
DEMO=var/demo
PY=/usr/bin/python3

if [ ! -x "$BUILD/helpdeskd" ]; then
	echo "demo: $BUILD/helpdeskd is not built (run: make all)" >&2
	exit 1
fi

rm -rf "$DEMO"
mkdir -p "$DEMO/modem/sms/1" "$DEMO/modem/sms/2" "$DEMO/modem/sms/3" \
	"$DEMO/modem/sms/4" "$DEMO/modem/sms/5" "$DEMO/modem/fs" "$DEMO/modem/pbk" \
	"$DEMO/spool"

cat > "$DEMO/helpdeskd.conf" <<EOF
# helpdeskd demo configuration (tests/demo.sh): Gammu's dummy modem.
database = "$TOP/$DEMO/helpdeskd.db";
spool_dir = "$TOP/$DEMO/spool";
country_code = 62;
ticket_prefix = "HD";
language = "id";
log_level = "info";
sms = {
  enabled = true;
  connection = "none";
  model = "dummy";
  device = "$TOP/$DEMO/modem";
  poll_interval_ms = 1000;
  multipart_timeout = 30;
  send_timeout = 10;
};
outbox = { max_attempts = 10; retry_min = 5; retry_max = 600; replies_per_hour = 5; };
admins = ( { name = "Admin Helpdesk"; phone = "0811-0000-001"; } );
EOF

cat > "$DEMO/gammurc" <<EOF
[gammu]
model = dummy
connection = none
device = $TOP/$DEMO/modem
EOF

drop() {
	# drop SENDER TEXT
	"$PY" tests/dummymodem.py "$DEMO/modem" --from "$1" "$2" > /dev/null
}

drop 0812-3456-7890 "HELPDESK Printer di Bagian Umum Setda tidak bisa mencetak, kertas macet terus"
drop +6281311112222 "HELPDESK Komputer loket Disdukcapil mati total 😢 tolong dibantu"
drop 085712345678 "HELPDESK Jaringan internet di Kantor Kecamatan Sukamaju putus sejak jam 8 pagi. Semua komputer pelayanan tidak bisa terhubung ke server pusat, antrian warga sudah panjang. Sudah kami restart router dan switch tetapi lampu uplink tetap mati. Mohon segera dikirim teknisi. Terima kasih, Pak Budi (operator kecamatan)."
drop 081298765432 "Selamat pagi pak, apakah kantor Diskominfo buka hari Sabtu?"
drop 0813-5555-0101 "HELPDESK"

N=$("$PY" tests/dummymodem.py "$DEMO/modem" --count)
echo "helpdeskd demo: $N SMS files waiting in $DEMO/modem (the long complaint is 3 parts); config $DEMO/helpdeskd.conf"
echo "  drop another SMS while it runs:  $PY tests/dummymodem.py $DEMO/modem --from 0812-3456-7890 \"HELPDESK Proyektor ruang rapat rusak\""
echo "  look at the tickets:             $BUILD/helpdeskctl -c $DEMO/helpdeskd.conf list    (also: outbox --all, show HD-...)"
echo "  (gammu CLI on the same modem:    gammu -c $DEMO/gammurc getallsms)"

if [ -z "$DURATION" ]; then
	echo "starting $BUILD/helpdeskd in the foreground; Ctrl-C stops it"
	exec "$BUILD/helpdeskd" -c "$DEMO/helpdeskd.conf"
fi

echo "starting $BUILD/helpdeskd for $DURATION; Ctrl-C stops it sooner"
status=0
timeout --preserve-status -s INT "$DURATION" "$BUILD/helpdeskd" -c "$DEMO/helpdeskd.conf" || status=$?
echo
echo "== $BUILD/helpdeskctl -c $DEMO/helpdeskd.conf list"
"$BUILD/helpdeskctl" -c "$DEMO/helpdeskd.conf" list || true
echo "== $BUILD/helpdeskctl -c $DEMO/helpdeskd.conf outbox --all"
"$BUILD/helpdeskctl" -c "$DEMO/helpdeskd.conf" outbox --all || true
exit "$status"
