/* test_sla.c: the SLA clocks of daemon/sla.c on the office and calendar
 * clocks (counted time, due times, a ticket's clocks with pending spells) and
 * the escalations of sla_scan at chosen instants, each sent once, restarts or
 * not. Uses real SQLite files and configuration files in a temporary
 * directory; local time is WIB (UTC+7, no daylight saving).
 *
 * The week of 23 November 2026: Monday 23 .. Friday 27, Saturday 28, Sunday
 * 29. The SOP week: Mon-Thu 08-12, 13-17; Fri 08-11, 13-17; Sat 08-12. */
#include "config.h"
#include "log.h"
#include "sla.h"
#include "store.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIN	INT64_C(60000)
#define HOUR	INT64_C(3600000)

/* The people of every test database: a configured admin who is not a
 * contact, one who is (notified once), an inactive admin, two technicians and
 * a leader. */
#define ADMIN_CFG	"+628110000001"
#define ADMIN_BOTH	"+628110000002"
#define ADMIN_GONE	"+628110000009"
#define TECH1		"+628120000001"
#define TECH2		"+628120000002"
#define LEADER		"+628130000001"
enum { C_ADMIN = 1, C_TECH1, C_TECH2, C_LEADER, C_ADMIN_GONE };

static char dir[64];
static char files[32][128];
static int nfiles;

/* Remember tmpdir/name (and its SQLite side files) for the cleanup. */
static const char *
tmp_path(const char *name, int db)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-journal" };

	for (int i = 0; i < (db ? 4 : 1) && nfiles < (int)(sizeof(files) / sizeof(files[0])); i++)
		snprintf(files[nfiles++], sizeof(files[0]), "%s/%s%s", dir, name, sides[i]);
	return files[nfiles - (db ? 4 : 1)];
}

static void
cleanup(void)
{
	for (int i = 0; i < nfiles; i++)
		unlink(files[i]);
	rmdir(dir);
}

/* Epoch ms of a local (WIB) date and time. */
static int64_t
at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* Load a configuration with the two admins, database db and the text sla
 * (the sla group, or ""). */
static struct hd_config *
load_cfg(const char *name, const char *db, const char *sla)
{
	struct hd_config *cfg = NULL;
	const char *path = tmp_path(name, 0);
	char *err = NULL;
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return NULL;
	fprintf(f, "database = \"%s/%s\";\n"
		"admins = (\n"
		"  { name = \"Admin Dinas\"; phone = \"0811-0000-001\"; },\n"
		"  { name = \"Admin Kontak\"; phone = \"0811-0000-002\"; }\n"
		");\n%s", dir, db, sla);
	fclose(f);
	if (config_load(path, &cfg, &err) < 0) {
		fprintf(stderr, "%s: %s\n", name, err ? err : "?");
		free(err);
	}
	CHECK(cfg != NULL);
	return cfg;
}

/* Open a new database tmpdir/name with the contacts; NULL after a failed check. */
static struct store *
open_db(const char *name, const char **path)
{
	struct store *s = NULL;
	char *err = NULL;

	*path = tmp_path(name, 1);
	if (store_open(*path, &s, &err) < 0) {
		fprintf(stderr, "%s: %s\n", name, err ? err : "?");
		free(err);
		CHECK(!"cannot open the test database");
		return NULL;
	}
	CHECK(sqlite3_exec(s->db,
		"INSERT INTO contacts (id, name, phone, role, active, created_at, updated_at) VALUES"
		" (1, 'Admin Kontak', '" ADMIN_BOTH "', 'admin', 1, 0, 0),"
		" (2, 'Teknisi Satu', '" TECH1 "', 'technician', 1, 0, 0),"
		" (3, 'Teknisi Dua', '" TECH2 "', 'technician', 1, 0, 0),"
		" (4, 'Pimpinan', '" LEADER "', 'leader', 1, 0, 0),"
		" (5, 'Admin Lama', '" ADMIN_GONE "', 'admin', 0, 0, 0)",
		NULL, NULL, NULL) == SQLITE_OK);
	return s;
}

/* Close s and open path again, as a restarted daemon does. */
static struct store *
restart(struct store *s, const char *path)
{
	char *err = NULL;

	store_close(s);
	s = NULL;
	CHECK(store_open(path, &s, &err) == 0);
	free(err);
	return s;
}

/* A ticket; 0 for responded, resolved or assignee means none. Returns its id. */
static int64_t
add_ticket(struct store *s, const char *number, const char *status, const char *priority,
	   int64_t created, int64_t responded, int64_t resolved, int64_t assignee)
{
	CHECK(store_run(s, "INSERT INTO tickets (number, channel, reporter, skpd, text, priority, status,"
			" assignee_id, created_at, first_response_at, resolved_at, updated_at)"
			" VALUES (?1, 'sms', '+628219990001', 'Dinas Kesehatan', 'printer di ruang umum rusak',"
			" ?2, ?3, NULLIF(?4, 0), ?5, NULLIF(?6, 0), NULLIF(?7, 0), ?5)",
			"tttiiii", number, priority, status, assignee, created, responded,
			resolved) == SQLITE_DONE);
	return sqlite3_last_insert_rowid(s->db);
}

/* A pending spell; ended 0 = still open. Returns its id. */
static int64_t
add_pause(struct store *s, int64_t ticket, int64_t started, int64_t ended, int hardware,
	  const char *reason)
{
	CHECK(store_run(s, "INSERT INTO pauses (ticket_id, started_at, ended_at, reason, hardware)"
			" VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5)",
			"iiiti", ticket, started, ended, reason, (int64_t)hardware) == SQLITE_DONE);
	return sqlite3_last_insert_rowid(s->db);
}

/* Set ticket's status (and resolved_at when resolved is not 0). */
static void
set_status(struct store *s, int64_t ticket, const char *status, int64_t resolved)
{
	CHECK(store_run(s, "UPDATE tickets SET status = ?2, resolved_at = COALESCE(NULLIF(?3, 0), resolved_at)"
			" WHERE id = ?1", "iti", ticket, status, resolved) == SQLITE_DONE);
}

/* Rows in the outbox: any kind, for ticket (0 = any). */
static int64_t
outbox_rows(struct store *s, int64_t ticket)
{
	int64_t n = -1;

	CHECK(store_int(s, &n, -1, "SELECT count(*) FROM outbox WHERE ?1 = 0 OR ticket_id = ?1",
			"i", ticket) == 0);
	return n;
}

/* Escalation notices queued as SMS for ticket (0 = any), to (NULL = anyone),
 * whose body is LIKE like. */
static int64_t
notices(struct store *s, int64_t ticket, const char *to, const char *like)
{
	int64_t n = -1;

	CHECK(store_int(s, &n, -1, "SELECT count(*) FROM outbox WHERE kind = 'escalation'"
			" AND channel = 'sms' AND state = 'pending' AND subject IS NULL"
			" AND (?1 = 0 OR ticket_id = ?1) AND recipient = COALESCE(?2, recipient)"
			" AND body LIKE ?3", "itt", ticket, to, like) == 0);
	return n;
}

/* Whether ticket's escalation kind is recorded once, with its one history event. */
static int
escalated(struct store *s, int64_t ticket, const char *kind)
{
	int64_t rows = -1, events = -1;

	CHECK(store_int(s, &rows, -1, "SELECT count(*) FROM escalations WHERE ticket_id = ?1 AND kind = ?2",
			"it", ticket, kind) == 0);
	CHECK(store_int(s, &events, -1, "SELECT count(*) FROM events WHERE ticket_id = ?1"
			" AND kind = 'escalated' AND detail = ?2 AND actor = 'helpdeskd' AND channel = 'daemon'",
			"it", ticket, kind) == 0);
	return rows == 1 && events == 1;
}

/* Escalations recorded for ticket (0 = any), and their events. */
static int64_t
escalations(struct store *s, int64_t ticket)
{
	int64_t rows = -1, events = -2;

	CHECK(store_int(s, &rows, -1, "SELECT count(*) FROM escalations WHERE ?1 = 0 OR ticket_id = ?1",
			"i", ticket) == 0);
	CHECK(store_int(s, &events, -2, "SELECT count(*) FROM events WHERE kind = 'escalated'"
			" AND (?1 = 0 OR ticket_id = ?1)", "i", ticket) == 0);
	CHECK(rows == events);
	return rows;
}

static struct sla_view
view(struct store *s, const struct hd_config *cfg, int64_t ticket, int64_t now)
{
	struct sla_view v;

	CHECK(sla_view(s, cfg, ticket, now, &v) == 0);
	return v;
}

/* 1. Counted time and due times on both clocks. */
static void
test_clocks(const struct hd_config *office, const struct hd_config *cal, const struct hd_config *hol)
{
	static const struct {
		int from[5], to[5];	/* y, mo, d, h, mi */
		int64_t office, calendar;
	} counted[] = {
		/* Monday lunch break */
		{ { 2026, 11, 23, 11, 30 }, { 2026, 11, 23, 13, 30 }, 60 * MIN, 120 * MIN },
		{ { 2026, 11, 23, 12, 0 }, { 2026, 11, 23, 13, 0 }, 0, 60 * MIN },
		{ { 2026, 11, 23, 7, 0 }, { 2026, 11, 23, 18, 0 }, 8 * HOUR, 11 * HOUR },
		/* the Friday break, 11-13 */
		{ { 2026, 11, 27, 10, 50 }, { 2026, 11, 27, 13, 20 }, 30 * MIN, 150 * MIN },
		{ { 2026, 11, 27, 11, 0 }, { 2026, 11, 27, 13, 0 }, 0, 2 * HOUR },
		{ { 2026, 11, 27, 7, 0 }, { 2026, 11, 27, 18, 0 }, 7 * HOUR, 11 * HOUR },
		/* Friday evening to Monday: only Saturday morning counts */
		{ { 2026, 11, 27, 18, 0 }, { 2026, 11, 30, 8, 30 }, 4 * HOUR + 30 * MIN, 62 * HOUR + 30 * MIN },
		{ { 2026, 11, 27, 16, 0 }, { 2026, 11, 30, 9, 0 }, 6 * HOUR, 65 * HOUR },
		/* Saturday morning */
		{ { 2026, 11, 28, 11, 0 }, { 2026, 11, 28, 15, 0 }, 60 * MIN, 4 * HOUR },
		{ { 2026, 11, 28, 7, 0 }, { 2026, 11, 28, 9, 30 }, 90 * MIN, 150 * MIN },
		/* a Sunday start */
		{ { 2026, 11, 29, 10, 0 }, { 2026, 11, 30, 10, 0 }, 2 * HOUR, 24 * HOUR },
		{ { 2026, 11, 29, 0, 0 }, { 2026, 11, 29, 23, 59 }, 0, 23 * HOUR + 59 * MIN },
		/* a whole week: 4 * 8 + 7 + 4 */
		{ { 2026, 11, 23, 0, 0 }, { 2026, 11, 30, 0, 0 }, 43 * HOUR, 168 * HOUR },
		/* backwards or empty */
		{ { 2026, 11, 23, 10, 0 }, { 2026, 11, 23, 9, 0 }, 0, 0 },
		{ { 2026, 11, 23, 10, 0 }, { 2026, 11, 23, 10, 0 }, 0, 0 },
	};
	static const struct {
		int from[5];
		int64_t ms;
		int office[5], calendar[5];
	} due[] = {
		{ { 2026, 11, 23, 11, 45 }, 30 * MIN, { 2026, 11, 23, 13, 15 }, { 2026, 11, 23, 12, 15 } },
		{ { 2026, 11, 23, 11, 30 }, 30 * MIN, { 2026, 11, 23, 12, 0 }, { 2026, 11, 23, 12, 0 } },
		{ { 2026, 11, 23, 12, 10 }, 1 * MIN, { 2026, 11, 23, 13, 1 }, { 2026, 11, 23, 12, 11 } },
		{ { 2026, 11, 27, 10, 50 }, 30 * MIN, { 2026, 11, 27, 13, 20 }, { 2026, 11, 27, 11, 20 } },
		{ { 2026, 11, 27, 16, 30 }, 1 * HOUR, { 2026, 11, 28, 8, 30 }, { 2026, 11, 27, 17, 30 } },
		{ { 2026, 11, 27, 16, 30 }, 5 * HOUR, { 2026, 11, 30, 8, 30 }, { 2026, 11, 27, 21, 30 } },
		{ { 2026, 11, 28, 11, 45 }, 30 * MIN, { 2026, 11, 30, 8, 15 }, { 2026, 11, 28, 12, 15 } },
		{ { 2026, 11, 29, 10, 0 }, 30 * MIN, { 2026, 11, 30, 8, 30 }, { 2026, 11, 29, 10, 30 } },
		/* "1d": 8 h of office time, or 24 h */
		{ { 2026, 11, 29, 10, 0 }, 8 * HOUR, { 2026, 11, 30, 17, 0 }, { 2026, 11, 29, 18, 0 } },
		{ { 2026, 11, 23, 10, 0 }, 8 * HOUR, { 2026, 11, 24, 10, 0 }, { 2026, 11, 23, 18, 0 } },
		/* "5d": 40 h from Monday 10:00 ends on Saturday morning */
		{ { 2026, 11, 23, 10, 0 }, 40 * HOUR, { 2026, 11, 28, 11, 0 }, { 2026, 11, 25, 2, 0 } },
		{ { 2026, 11, 23, 10, 0 }, 0, { 2026, 11, 23, 10, 0 }, { 2026, 11, 23, 10, 0 } },
	};

	for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
		const int *a = counted[i].from, *b = counted[i].to;
		int64_t from = at(a[0], a[1], a[2], a[3], a[4]), to = at(b[0], b[1], b[2], b[3], b[4]);
		int64_t got_o = sla_counted(office, from, to), got_c = sla_counted(cal, from, to);

		CHECK(got_o == counted[i].office);
		CHECK(got_c == counted[i].calendar);
		if (got_o != counted[i].office || got_c != counted[i].calendar)
			fprintf(stderr, "  counted case %zu: office %lld min, calendar %lld min\n", i,
				(long long)(got_o / MIN), (long long)(got_c / MIN));
	}
	for (size_t i = 0; i < sizeof(due) / sizeof(due[0]); i++) {
		const int *a = due[i].from, *o = due[i].office, *c = due[i].calendar;
		int64_t from = at(a[0], a[1], a[2], a[3], a[4]);
		int64_t got_o = sla_due(office, from, due[i].ms), got_c = sla_due(cal, from, due[i].ms);

		CHECK(got_o == at(o[0], o[1], o[2], o[3], o[4]));
		CHECK(got_c == at(c[0], c[1], c[2], c[3], c[4]));
		if (got_o != at(o[0], o[1], o[2], o[3], o[4]) || got_c != at(c[0], c[1], c[2], c[3], c[4]))
			fprintf(stderr, "  due case %zu: office %+lld min, calendar %+lld min off\n", i,
				(long long)((got_o - at(o[0], o[1], o[2], o[3], o[4])) / MIN),
				(long long)((got_c - at(c[0], c[1], c[2], c[3], c[4])) / MIN));
		/* due and counted agree */
		CHECK(sla_counted(office, from, got_o) == due[i].ms);
	}

	/* Holiday: Friday 25 December 2026 is Christmas in hol (and in cal,
	 * where it changes nothing). */
	CHECK(sla_counted(hol, at(2026, 12, 24, 16, 0), at(2026, 12, 28, 9, 0)) == 6 * HOUR);
	CHECK(sla_counted(office, at(2026, 12, 24, 16, 0), at(2026, 12, 28, 9, 0)) == 13 * HOUR);
	CHECK(sla_counted(cal, at(2026, 12, 24, 16, 0), at(2026, 12, 28, 9, 0)) == 89 * HOUR);
	CHECK(sla_counted(hol, at(2026, 12, 25, 8, 0), at(2026, 12, 25, 17, 0)) == 0);
	CHECK(sla_due(hol, at(2026, 12, 24, 16, 45), 30 * MIN) == at(2026, 12, 26, 8, 15));
	CHECK(sla_due(office, at(2026, 12, 24, 16, 45), 30 * MIN) == at(2026, 12, 25, 8, 15));
	CHECK(sla_due(cal, at(2026, 12, 24, 16, 45), 30 * MIN) == at(2026, 12, 24, 17, 15));
	/* A ticket on Christmas Eve afternoon: 1d = 8 h runs to Monday 28th. */
	CHECK(sla_due(hol, at(2026, 12, 24, 16, 0), 8 * HOUR) == at(2026, 12, 28, 11, 0));
	/* Milliseconds, not only minutes. */
	CHECK(sla_counted(office, at(2026, 11, 27, 10, 59) + 30000, at(2026, 11, 27, 13, 0) + 1) == 30001);
	CHECK(sla_due(office, at(2026, 11, 27, 10, 59), MIN + 1) == at(2026, 11, 27, 13, 0) + 1);
}

/* 2. A ticket's clocks. */
static void
test_view(const struct hd_config *office, const struct hd_config *cal)
{
	static const char *const prios[4] = { "low", "normal", "high", "emergency" };
	static const int64_t office_target[4] = { 40 * HOUR, 40 * HOUR, 8 * HOUR, 2 * HOUR };
	static const int64_t cal_target[4] = { 120 * HOUR, 120 * HOUR, 24 * HOUR, 2 * HOUR };
	const int64_t mon10 = at(2026, 11, 23, 10, 0), fri9 = at(2026, 11, 27, 9, 0);
	const char *path;
	struct store *s = open_db("view.db", &path);
	struct sla_view v;
	int64_t id;

	if (s == NULL)
		return;

	/* First response: met, breached, and while none. */
	id = add_ticket(s, "HD-2611-0001", "open", "normal", mon10, mon10 + 20 * MIN, 0, 0);
	v = view(s, office, id, at(2026, 11, 23, 11, 0));
	CHECK(v.response == SLA_MET);
	CHECK(v.response_ms == 20 * MIN);
	CHECK(v.response_due == at(2026, 11, 23, 10, 30));
	CHECK(v.resolution == SLA_RUNNING);
	CHECK(v.resolution_ms == HOUR);
	CHECK(v.resolution_due == at(2026, 11, 28, 11, 0));	/* 40 office hours */
	CHECK(v.pending_ms == 0 && v.pending_hw_ms == 0);
	CHECK(v.target_ms == 40 * HOUR);
	v = view(s, office, id, at(2026, 11, 30, 10, 0));	/* later: response stays met */
	CHECK(v.response == SLA_MET && v.response_ms == 20 * MIN);

	id = add_ticket(s, "HD-2611-0002", "open", "normal", mon10, mon10 + 45 * MIN, 0, 0);
	v = view(s, office, id, at(2026, 11, 23, 11, 0));
	CHECK(v.response == SLA_BREACHED);
	CHECK(v.response_ms == 45 * MIN);
	/* Exactly on time is met. */
	id = add_ticket(s, "HD-2611-0003", "open", "normal", mon10, mon10 + 30 * MIN, 0, 0);
	CHECK(view(s, office, id, at(2026, 11, 23, 11, 0)).response == SLA_MET);

	id = add_ticket(s, "HD-2611-0004", "new", "normal", mon10, 0, 0, 0);
	v = view(s, office, id, mon10 + 10 * MIN);
	CHECK(v.response == SLA_RUNNING && v.response_ms == 10 * MIN);
	CHECK(v.response_due == at(2026, 11, 23, 10, 30));
	CHECK(view(s, office, id, mon10 + 22 * MIN).response == SLA_RUNNING);	/* 73 % */
	CHECK(view(s, office, id, mon10 + 22 * MIN + 29999).response == SLA_RUNNING);
	CHECK(view(s, office, id, mon10 + 22 * MIN + 30000).response == SLA_AT_RISK);	/* 75 % */
	CHECK(view(s, office, id, mon10 + 30 * MIN).response == SLA_AT_RISK);	/* all used */
	v = view(s, office, id, mon10 + 30 * MIN + 1);
	CHECK(v.response == SLA_BREACHED && v.response_ms == 30 * MIN + 1);
	/* On the calendar clock too, the same minutes. */
	CHECK(view(s, cal, id, mon10 + 23 * MIN).response == SLA_AT_RISK);
	CHECK(view(s, cal, id, mon10 + 31 * MIN).response == SLA_BREACHED);

	/* Across the lunch break: 10 + 15 minutes used, due 13:20. */
	id = add_ticket(s, "HD-2611-0005", "new", "high", at(2026, 11, 23, 11, 50), 0, 0, 0);
	v = view(s, office, id, at(2026, 11, 23, 13, 15));
	CHECK(v.response == SLA_AT_RISK && v.response_ms == 25 * MIN);
	CHECK(v.response_due == at(2026, 11, 23, 13, 20));
	v = view(s, cal, id, at(2026, 11, 23, 13, 15));
	CHECK(v.response == SLA_BREACHED && v.response_ms == 85 * MIN);
	CHECK(v.response_due == at(2026, 11, 23, 12, 20));

	/*
	 * Resolution over a weekend with two pending spells: created Friday
	 * 09:00, a hardware wait Friday 10:00 to Monday 10:00 (office time
	 * 1 + 4 + 4 + 2 = 11 h), another wait Monday 13:00-14:00 (1 h); at
	 * Tuesday 10:00, 6 + 4 + 8 + 2 = 20 h have passed, 8 h of them counted.
	 */
	id = add_ticket(s, "HD-2611-0006", "open", "normal", fri9, fri9 + 10 * MIN, 0, C_TECH1);
	add_pause(s, id, at(2026, 11, 27, 10, 0), at(2026, 11, 30, 10, 0), 1, "menunggu sparepart");
	add_pause(s, id, at(2026, 11, 30, 13, 0), at(2026, 11, 30, 14, 0), 0, "pengguna tidak di tempat");
	v = view(s, office, id, at(2026, 12, 1, 10, 0));
	CHECK(v.response == SLA_MET && v.response_ms == 10 * MIN);
	CHECK(v.pending_ms == 12 * HOUR);
	CHECK(v.pending_hw_ms == 11 * HOUR);
	CHECK(v.resolution_ms == 8 * HOUR);
	CHECK(v.resolution == SLA_RUNNING);
	CHECK(v.target_ms == 40 * HOUR);
	/* Due after 40 + 12 office hours: Saturday 5 December 11:00, instead of
	 * Thursday 3 December 15:00 without the pending time. */
	CHECK(sla_due(office, fri9, 40 * HOUR) == at(2026, 12, 3, 15, 0));
	CHECK(v.resolution_due == at(2026, 12, 5, 11, 0));
	/* Thursday 3 December 15:00: 40 - 12 = 28 h of work, 70 %. */
	v = view(s, office, id, at(2026, 12, 3, 15, 0));
	CHECK(v.resolution == SLA_RUNNING && v.resolution_ms == 28 * HOUR);
	/* 75 % (30 h) is reached at Thursday 17:00 and holds over the night. */
	CHECK(view(s, office, id, at(2026, 12, 3, 16, 59)).resolution == SLA_RUNNING);
	v = view(s, office, id, at(2026, 12, 3, 17, 0));
	CHECK(v.resolution == SLA_AT_RISK && v.resolution_ms == 30 * HOUR);
	v = view(s, office, id, at(2026, 12, 4, 10, 0));
	CHECK(v.resolution == SLA_AT_RISK && v.resolution_ms == 32 * HOUR);
	v = view(s, office, id, at(2026, 12, 5, 11, 0));
	CHECK(v.resolution == SLA_AT_RISK && v.resolution_ms == 40 * HOUR);
	v = view(s, office, id, at(2026, 12, 5, 11, 1));
	CHECK(v.resolution == SLA_BREACHED && v.resolution_ms == 40 * HOUR + MIN);
	/* The same on the calendar clock: 97 h passed, 72 + 1 h pending. */
	v = view(s, cal, id, at(2026, 12, 1, 10, 0));
	CHECK(v.pending_ms == 73 * HOUR);
	CHECK(v.pending_hw_ms == 72 * HOUR);
	CHECK(v.resolution_ms == 24 * HOUR);
	CHECK(v.target_ms == 120 * HOUR);
	CHECK(v.resolution_due == fri9 + 193 * HOUR);
	CHECK(v.resolution_due == at(2026, 12, 5, 10, 0));
	/* Looking back at Monday 11:00, between the two spells: only what had
	 * passed by then counts. */
	v = view(s, office, id, at(2026, 11, 30, 11, 0));
	CHECK(v.pending_ms == 11 * HOUR && v.pending_hw_ms == 11 * HOUR);
	CHECK(v.resolution_ms == 2 * HOUR);	/* Fri 09-10, Mon 10-11 */

	/* While pending: the resolution clock stands still and has no due time. */
	id = add_ticket(s, "HD-2611-0007", "pending", "normal", fri9, fri9 + 10 * MIN, 0, C_TECH2);
	add_pause(s, id, at(2026, 11, 27, 10, 0), 0, 1, "menunggu hardisk");
	v = view(s, office, id, at(2026, 11, 30, 10, 0));
	CHECK(v.pending_ms == 11 * HOUR && v.pending_hw_ms == 11 * HOUR);
	CHECK(v.resolution_ms == HOUR);
	CHECK(v.resolution_due == 0);
	CHECK(v.resolution == SLA_RUNNING);
	/* A day later: 8 more hours pending, the work still 1 h. */
	v = view(s, office, id, at(2026, 12, 1, 10, 0));
	CHECK(v.pending_ms == 19 * HOUR && v.pending_hw_ms == 19 * HOUR);
	CHECK(v.resolution_ms == HOUR);
	CHECK(v.resolution_due == 0);
	/* Resumed Tuesday 10:00: the clock runs again, due 40 h + 19 h after
	 * the creation: Monday 7 December 15:00. */
	CHECK(store_run(s, "UPDATE pauses SET ended_at = ?2 WHERE ticket_id = ?1",
			"ii", id, at(2026, 12, 1, 10, 0)) == SQLITE_DONE);
	set_status(s, id, "open", 0);
	v = view(s, office, id, at(2026, 12, 1, 11, 0));
	CHECK(v.pending_ms == 19 * HOUR && v.pending_hw_ms == 19 * HOUR);
	CHECK(v.resolution_ms == 2 * HOUR);
	CHECK(v.resolution == SLA_RUNNING);
	CHECK(v.resolution_due == sla_due(office, fri9, 59 * HOUR));
	CHECK(v.resolution_due == at(2026, 12, 7, 15, 0));

	/* Resolved: the clock stops at resolved_at; 8 h is met, more is not. */
	id = add_ticket(s, "HD-2611-0008", "resolved", "high", mon10, mon10 + 5 * MIN,
			at(2026, 11, 24, 9, 0), C_TECH1);
	v = view(s, office, id, at(2026, 11, 27, 9, 0));
	CHECK(v.resolution == SLA_MET && v.resolution_ms == 7 * HOUR);
	CHECK(v.resolution_due == 0);
	CHECK(v.target_ms == 8 * HOUR);
	id = add_ticket(s, "HD-2611-0009", "closed", "high", mon10, mon10 + 5 * MIN,
			at(2026, 11, 24, 10, 0), C_TECH1);
	CHECK(view(s, office, id, at(2026, 11, 27, 9, 0)).resolution == SLA_MET);
	id = add_ticket(s, "HD-2611-0010", "resolved", "high", mon10, mon10 + 5 * MIN,
			at(2026, 11, 24, 10, 30), C_TECH1);
	v = view(s, office, id, at(2026, 11, 27, 9, 0));
	CHECK(v.resolution == SLA_BREACHED && v.resolution_ms == 8 * HOUR + 30 * MIN);
	/* A spell ended by the resolution counts up to it. */
	id = add_ticket(s, "HD-2611-0011", "resolved", "high", mon10, mon10 + 5 * MIN,
			at(2026, 11, 24, 10, 30), C_TECH1);
	add_pause(s, id, at(2026, 11, 23, 16, 0), at(2026, 11, 24, 10, 30), 0, "menunggu pengguna");
	v = view(s, office, id, at(2026, 11, 27, 9, 0));
	CHECK(v.pending_ms == 3 * HOUR + 30 * MIN && v.pending_hw_ms == 0);
	CHECK(v.resolution_ms == 5 * HOUR);
	CHECK(v.resolution == SLA_MET);

	/* Rejected: no resolution clock. */
	id = add_ticket(s, "HD-2611-0012", "rejected", "normal", mon10, mon10 + 10 * MIN, 0, 0);
	v = view(s, office, id, at(2026, 12, 31, 10, 0));
	CHECK(v.resolution == SLA_NONE);
	CHECK(v.resolution_due == 0);
	CHECK(v.response == SLA_MET);

	/* Emergency: 2 h, at risk from 1 h 30. */
	id = add_ticket(s, "HD-2611-0013", "open", "emergency", mon10, mon10 + 5 * MIN, 0, C_TECH2);
	CHECK(view(s, office, id, at(2026, 11, 23, 11, 29)).resolution == SLA_RUNNING);
	CHECK(view(s, office, id, at(2026, 11, 23, 11, 30)).resolution == SLA_AT_RISK);
	CHECK(view(s, office, id, at(2026, 11, 23, 12, 0)).resolution_due == at(2026, 11, 23, 12, 0));
	v = view(s, office, id, at(2026, 11, 23, 13, 1));
	CHECK(v.resolution == SLA_BREACHED && v.resolution_ms == 2 * HOUR + MIN);
	CHECK(view(s, cal, id, at(2026, 11, 23, 12, 1)).resolution == SLA_BREACHED);

	/* The target of each priority, on both clocks. */
	for (int p = 0; p < 4; p++) {
		char number[32];

		snprintf(number, sizeof(number), "HD-2611-01%02d", p);
		id = add_ticket(s, number, "open", prios[p], mon10, mon10 + MIN, 0, 0);
		CHECK(view(s, office, id, mon10 + HOUR).target_ms == office_target[p]);
		CHECK(view(s, cal, id, mon10 + HOUR).target_ms == cal_target[p]);
		CHECK(view(s, cal, id, mon10 + HOUR).resolution_due == mon10 + cal_target[p]);
	}

	/* No such ticket. */
	CHECK(sla_view(s, office, 999999, mon10, &v) == 1);
	/* Looking never wrote anything. */
	CHECK(outbox_rows(s, 0) == 0);
	CHECK(escalations(s, 0) == 0);
	store_close(s);
}

/* 3a. The first response: to every admin once, exactly after the due time. */
static void
test_scan_response(const struct hd_config *cfg)
{
	const int64_t fri1050 = at(2026, 11, 27, 10, 50), mon8 = at(2026, 11, 23, 8, 0);
	const char *path;
	struct store *s = open_db("scan-response.db", &path);
	int64_t a1, a2, old[3], due;

	if (s == NULL)
		return;
	a1 = add_ticket(s, "HD-2611-0001", "new", "normal", fri1050, 0, 0, 0);
	a2 = add_ticket(s, "HD-2611-0002", "open", "normal", fri1050, fri1050 + 5 * MIN, 0, C_TECH1);
	/* Finished tickets never escalate, whatever their clocks say. */
	old[0] = add_ticket(s, "HD-2611-0003", "resolved", "high", mon8, 0, mon8 + 20 * HOUR, C_TECH1);
	old[1] = add_ticket(s, "HD-2611-0004", "closed", "emergency", mon8, 0, mon8 + 30 * HOUR, 0);
	old[2] = add_ticket(s, "HD-2611-0005", "rejected", "emergency", mon8, 0, 0, 0);

	/* Friday 10:50 + 30 office minutes = 13:20, after the 11-13 break. */
	due = view(s, cfg, a1, fri1050).response_due;
	CHECK(due == at(2026, 11, 27, 13, 20));
	CHECK(sla_scan(s, cfg, fri1050) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 27, 12, 59)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 27, 13, 19)) == 0);
	CHECK(sla_scan(s, cfg, due) == 0);
	CHECK(outbox_rows(s, 0) == 0);
	CHECK(escalations(s, 0) == 0);

	CHECK(sla_scan(s, cfg, due + 1) == 1);
	CHECK(escalated(s, a1, "first_response"));
	CHECK(notices(s, a1, NULL, "%") == 2);
	CHECK(notices(s, a1, ADMIN_CFG, "%") == 1);
	CHECK(notices(s, a1, ADMIN_BOTH, "%") == 1);	/* contact and configured: once */
	CHECK(notices(s, a1, ADMIN_GONE, "%") == 0);
	CHECK(notices(s, a1, TECH1, "%") == 0 && notices(s, a1, LEADER, "%") == 0);
	CHECK(notices(s, a1, NULL, "Tiket HD-2611-0001 belum dikonfirmasi lewat 30 menit kerja.%") == 2);
	CHECK(outbox_rows(s, 0) == 2);

	/* Later scans, and the same instant again, send nothing new. */
	CHECK(sla_scan(s, cfg, due + 1) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 27, 13, 21)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 27, 16, 0)) == 0);
	CHECK(outbox_rows(s, 0) == 2);
	/* Nor after a restart. */
	s = restart(s, path);
	if (s == NULL)
		return;
	CHECK(sla_scan(s, cfg, at(2026, 11, 27, 16, 30)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 28, 9, 0)) == 0);
	CHECK(outbox_rows(s, 0) == 2);
	CHECK(escalations(s, 0) == 1);

	/* Responded in time: no first-response escalation, ever. */
	CHECK(escalations(s, a2) == 0 && outbox_rows(s, a2) == 0);

	/*
	 * Much later (Monday 7 December): both open tickets are past their
	 * resolution target (40 h) and the leadership time (16 h in cfg). The
	 * unassigned one goes to the admins only, the other to its technician
	 * too; leadership to the leader. The finished tickets: nothing.
	 */
	CHECK(sla_scan(s, cfg, at(2026, 12, 7, 10, 0)) == 4);
	CHECK(escalated(s, a1, "resolution") && escalated(s, a1, "leadership"));
	CHECK(escalated(s, a2, "resolution") && escalated(s, a2, "leadership"));
	CHECK(escalations(s, a2) == 2);
	CHECK(notices(s, a1, NULL, "%melewati batas penyelesaian 5 hari kerja%") == 2);
	CHECK(notices(s, a2, NULL, "%melewati batas penyelesaian 5 hari kerja%") == 3);
	CHECK(notices(s, a2, TECH1, "%HD-2611-0002%") == 1);
	CHECK(notices(s, a1, LEADER, "Tiket HD-2611-0001 (Dinas Kesehatan) belum selesai setelah 2 hari kerja.%") == 1);
	CHECK(notices(s, a2, LEADER, "Tiket HD-2611-0002 %") == 1);
	CHECK(notices(s, 0, TECH2, "%") == 0);
	CHECK(outbox_rows(s, 0) == 2 + 2 + 1 + 3 + 1);
	for (int i = 0; i < 3; i++)
		CHECK(escalations(s, old[i]) == 0 && outbox_rows(s, old[i]) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 12, 31, 10, 0)) == 0);
	CHECK(escalations(s, 0) == 5);
	store_close(s);
}

/* 3b. Resolution to the technician and admins, then leadership to the leaders. */
static void
test_scan_resolution(const struct hd_config *cfg)
{
	const int64_t mon10 = at(2026, 11, 23, 10, 0);
	const char *path;
	struct store *s = open_db("scan-resolution.db", &path);
	int64_t b1, b2;

	if (s == NULL)
		return;
	/* High: 8 office hours, due Tuesday 10:00; leadership (16 h) Wednesday 10:00. */
	b1 = add_ticket(s, "HD-2611-0001", "open", "high", mon10, mon10 + 5 * MIN, 0, C_TECH1);
	/* The same, but resolved before its deadline. */
	b2 = add_ticket(s, "HD-2611-0002", "open", "high", mon10, mon10 + 5 * MIN, 0, C_TECH2);

	CHECK(view(s, cfg, b1, mon10).resolution_due == at(2026, 11, 24, 10, 0));
	CHECK(sla_scan(s, cfg, at(2026, 11, 23, 17, 0)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 9, 29)) == 0);
	set_status(s, b2, "resolved", at(2026, 11, 24, 9, 30));
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 9, 59)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 10, 0)) == 0);
	CHECK(outbox_rows(s, 0) == 0);

	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 10, 1)) == 1);
	CHECK(escalated(s, b1, "resolution"));
	CHECK(notices(s, b1, NULL, "%") == 3);
	CHECK(notices(s, b1, TECH1, "Tiket HD-2611-0001 (tinggi) melewati batas penyelesaian 1 hari kerja."
		      " Teknisi: Teknisi Satu.") == 1);
	CHECK(notices(s, b1, ADMIN_CFG, "%HD-2611-0001%") == 1);
	CHECK(notices(s, b1, ADMIN_BOTH, "%HD-2611-0001%") == 1);
	CHECK(notices(s, b1, TECH2, "%") == 0 && notices(s, b1, LEADER, "%") == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 16, 0)) == 0);

	/* Leadership: 16 office hours, Wednesday 10:00. */
	CHECK(sla_scan(s, cfg, at(2026, 11, 25, 10, 0)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 25, 10, 1)) == 1);
	CHECK(escalated(s, b1, "leadership"));
	CHECK(notices(s, b1, LEADER, "Tiket HD-2611-0001 (Dinas Kesehatan) belum selesai setelah 2 hari kerja.%") == 1);
	CHECK(notices(s, b1, NULL, "%") == 4);
	CHECK(outbox_rows(s, 0) == 4);

	s = restart(s, path);
	if (s == NULL)
		return;
	CHECK(sla_scan(s, cfg, at(2026, 11, 25, 10, 1)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 26, 10, 0)) == 0);
	CHECK(outbox_rows(s, 0) == 4);
	CHECK(escalations(s, b1) == 2);
	CHECK(escalations(s, b2) == 0 && outbox_rows(s, b2) == 0);
	store_close(s);
}

/* 3c. Pending spells longer than sla.pending_max (8 office hours in cfg). */
static void
test_scan_pending(const struct hd_config *cfg)
{
	const int64_t mon8 = at(2026, 11, 23, 8, 0);
	const char *path;
	struct store *s = open_db("scan-pending.db", &path);
	char kind1[40], kind2[40];
	struct sla_view v;
	int64_t c1, p1, p2;

	if (s == NULL)
		return;
	c1 = add_ticket(s, "HD-2611-0001", "pending", "normal", mon8, mon8 + 5 * MIN, 0, C_TECH2);
	/* Monday 09:00: 3 + 4 h on Monday, 8 h reached Tuesday 09:00. */
	p1 = add_pause(s, c1, at(2026, 11, 23, 9, 0), 0, 1, "menunggu sparepart printer");
	snprintf(kind1, sizeof(kind1), "pending:%lld", (long long)p1);

	CHECK(sla_scan(s, cfg, at(2026, 11, 23, 17, 0)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 9, 0)) == 0);
	CHECK(outbox_rows(s, 0) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 9, 1)) == 1);
	CHECK(escalated(s, c1, kind1));
	CHECK(notices(s, c1, NULL, "%") == 3);
	CHECK(notices(s, c1, TECH2, "Tiket HD-2611-0001 tertunda lebih dari 1 hari kerja:"
		      " menunggu sparepart printer. Teknisi: Teknisi Dua.") == 1);
	CHECK(notices(s, c1, ADMIN_CFG, "%sparepart%") == 1);
	CHECK(notices(s, c1, ADMIN_BOTH, "%sparepart%") == 1);
	CHECK(notices(s, c1, LEADER, "%") == 0 && notices(s, c1, TECH1, "%") == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 9, 1)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 9, 59)) == 0);

	/* Resumed Tuesday 10:00; pending again Wednesday 08:00. */
	CHECK(store_run(s, "UPDATE pauses SET ended_at = ?2 WHERE ticket_id = ?1",
			"ii", c1, at(2026, 11, 24, 10, 0)) == SQLITE_DONE);
	set_status(s, c1, "open", 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 16, 0)) == 0);
	set_status(s, c1, "pending", 0);
	p2 = add_pause(s, c1, at(2026, 11, 25, 8, 0), 0, 0, "menunggu konfirmasi pengguna");
	snprintf(kind2, sizeof(kind2), "pending:%lld", (long long)p2);
	CHECK(p2 != p1);
	CHECK(sla_scan(s, cfg, at(2026, 11, 25, 16, 0)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 25, 17, 0)) == 0);	/* exactly 8 h */
	CHECK(sla_scan(s, cfg, at(2026, 11, 25, 23, 0)) == 0);	/* no office time since */
	CHECK(sla_scan(s, cfg, at(2026, 11, 26, 8, 1)) == 1);
	CHECK(escalated(s, c1, kind2));
	CHECK(notices(s, c1, NULL, "%konfirmasi pengguna%") == 3);
	CHECK(notices(s, c1, NULL, "%") == 6);
	CHECK(escalations(s, c1) == 2);	/* nothing else: 7 h of work counted */
	v = view(s, cfg, c1, at(2026, 11, 26, 8, 1));
	CHECK(v.pending_ms == 17 * HOUR + MIN);
	CHECK(v.pending_hw_ms == 9 * HOUR);
	CHECK(v.resolution_ms == 7 * HOUR);

	s = restart(s, path);
	if (s == NULL)
		return;
	CHECK(sla_scan(s, cfg, at(2026, 11, 26, 9, 0)) == 0);
	CHECK(sla_scan(s, cfg, at(2026, 11, 26, 16, 0)) == 0);
	CHECK(outbox_rows(s, 0) == 6);
	CHECK(escalations(s, 0) == 2);
	store_close(s);
}

/*
 * 3c'. An admin may take a ticket (HELPDESK AMBIL, workflow.c: WF_TAKE is
 * open to admins), so the technician of a ticket can be an admin contact. An
 * escalation to "the technician and the admins" must still reach that person
 * once, as every other notice does (notify_role's skip).
 */
static void
test_scan_admin_assignee(const struct hd_config *cfg)
{
	const int64_t mon10 = at(2026, 11, 23, 10, 0);
	const char *path;
	struct store *s = open_db("scan-admin.db", &path);
	int64_t e1, e2;

	if (s == NULL)
		return;
	e1 = add_ticket(s, "HD-2611-0001", "open", "high", mon10, mon10 + 5 * MIN, 0, C_ADMIN);
	e2 = add_ticket(s, "HD-2611-0002", "pending", "normal", mon10, mon10 + 5 * MIN, 0, C_ADMIN);
	add_pause(s, e2, mon10 + HOUR, 0, 1, "menunggu pengadaan toner");
	/* Tuesday 11:01: the high ticket is 1 h past its 8 h, the pause 8 h 1 min long. */
	CHECK(sla_scan(s, cfg, at(2026, 11, 24, 11, 1)) == 2);
	CHECK(escalated(s, e1, "resolution"));
	CHECK(notices(s, e1, ADMIN_CFG, "%") == 1);
	CHECK(notices(s, e1, ADMIN_BOTH, "%") == 1);	/* technician and admin: once */
	CHECK(notices(s, e2, ADMIN_CFG, "%") == 1);
	CHECK(notices(s, e2, ADMIN_BOTH, "%") == 1);
	store_close(s);
}

/*
 * 3c''. Every admin still gets the escalation once the store's statement
 * cache is full, as it is in a daemon that has run a while (helpdeskd uses
 * more than STORE_CACHE distinct statements). notify_role keeps its SELECT of
 * the admins positioned while queue_to runs other statements; a full cache
 * recycles its last slot for each of those.
 */
static void
test_scan_full_cache(const struct hd_config *cfg)
{
	static char sql[STORE_CACHE][32];	/* stable addresses, as literals have */
	const int64_t mon10 = at(2026, 11, 23, 10, 0);
	const char *path;
	struct store *s = open_db("scan-cache.db", &path);
	int64_t f1, v;
	int used = 0;

	if (s == NULL)
		return;
	CHECK(sqlite3_exec(s->db, "INSERT INTO contacts (name, phone, role, created_at, updated_at)"
			   " VALUES ('Admin Tiga', '+628110000003', 'admin', 0, 0)", NULL, NULL, NULL) == SQLITE_OK);
	f1 = add_ticket(s, "HD-2611-0001", "new", "normal", mon10, 0, 0, 0);
	for (int i = 0; i < STORE_CACHE; i++)
		used += s->cache[i].sql != NULL;
	for (int i = 0; used < STORE_CACHE - 1 && i < STORE_CACHE; i++, used++) {
		snprintf(sql[i], sizeof(sql[i]), "SELECT %d", i);
		CHECK(store_int(s, &v, -1, sql[i], "") == 0 && v == i);
	}
	CHECK(sla_scan(s, cfg, at(2026, 11, 23, 10, 31)) == 1);
	CHECK(escalated(s, f1, "first_response"));
	CHECK(notices(s, f1, ADMIN_CFG, "%") == 1);
	CHECK(notices(s, f1, ADMIN_BOTH, "%") == 1);
	CHECK(notices(s, f1, "+628110000003", "%") == 1);
	CHECK(notices(s, f1, NULL, "%") == 3);
	store_close(s);
}

/* 3d. The calendar clock counts nights and weekends. */
static void
test_scan_calendar(const struct hd_config *office, const struct hd_config *cal)
{
	const int64_t sat20 = at(2026, 11, 28, 20, 0);
	const char *path;
	struct store *s = open_db("scan-calendar.db", &path);
	int64_t d1;

	if (s == NULL)
		return;
	d1 = add_ticket(s, "HD-2611-0001", "new", "normal", sat20, 0, 0, 0);
	CHECK(view(s, office, d1, sat20).response_due == at(2026, 11, 30, 8, 30));
	CHECK(view(s, cal, d1, sat20).response_due == at(2026, 11, 28, 20, 30));
	CHECK(sla_scan(s, office, at(2026, 11, 28, 20, 31)) == 0);
	CHECK(sla_scan(s, cal, at(2026, 11, 28, 20, 30)) == 0);
	CHECK(sla_scan(s, cal, at(2026, 11, 28, 20, 31)) == 1);
	CHECK(notices(s, d1, NULL, "Tiket HD-2611-0001 belum dikonfirmasi lewat 30 menit.%") == 2);
	CHECK(sla_scan(s, office, at(2026, 11, 30, 8, 31)) == 0);	/* sent once, whichever clock */
	CHECK(outbox_rows(s, 0) == 2);
	store_close(s);
}

int
main(void)
{
	struct hd_config *office, *cal, *hol, *scan;

	setenv("TZ", "WIB-7", 1);
	tzset();
	log_set_level(LOG_PRI_ERR);
	snprintf(dir, sizeof(dir), "/tmp/hd-sla-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	office = load_cfg("office.conf", "view.db", "");
	cal = load_cfg("calendar.conf", "view.db",
		       "sla = { clock = \"calendar\"; calendar = { holidays = [ \"2026-12-25\" ]; }; };\n");
	hol = load_cfg("holiday.conf", "view.db",
		       "sla = {\n  calendar = {\n    holidays = [ \"2027-01-01\", \"2026-12-25\" ];\n  };\n};\n");
	scan = load_cfg("scan.conf", "scan.db",
			"sla = {\n  leadership = \"2d\";\n  pending_max = \"1d\";\n};\n");
	if (office != NULL && cal != NULL && hol != NULL && scan != NULL) {
		CHECK(office->sla.clock == CLOCK_OFFICE && cal->sla.clock == CLOCK_CALENDAR);
		CHECK(scan->sla.leadership == 16 * HOUR && scan->sla.pending_max == 8 * HOUR);
		CHECK(office->nadmins == 2);
		test_clocks(office, cal, hol);
		test_view(office, cal);
		test_scan_response(scan);
		test_scan_resolution(scan);
		test_scan_pending(scan);
		test_scan_admin_assignee(scan);
		test_scan_full_cache(scan);
		test_scan_calendar(scan, cal);
	}
	config_free(office);
	config_free(cal);
	config_free(hol);
	config_free(scan);
	cleanup();
	return unit_done("sla");
}
