/* test_store.c: the database layer: migrations, ticket numbers, intake in one
 * transaction with deduplication, the reply cap, the append-only history and
 * the contacts import. Uses a real SQLite file in a temporary directory. */
#include "channel.h"
#include "config.h"
#include "contacts.h"
#include "migrate.h"
#include "store.h"
#include "ticket.h"
#include "unit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], dbpath[128], confpath[128];

static struct hd_config *
load_config(int replies_per_hour)
{
	struct hd_config *cfg = NULL;
	char *err = NULL;
	FILE *f = fopen(confpath, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return NULL;
	fprintf(f, "database = \"%s\";\noutbox = { replies_per_hour = %d; };\n"
		"admins = ( { name = \"Admin\"; phone = \"0811-0000-001\"; },"
		" { name = \"Admin 2\"; email = \"admin@diskominfo.go.id\"; } );\n",
		dbpath, replies_per_hour);
	fclose(f);
	if (config_load(confpath, &cfg, &err) < 0) {
		fprintf(stderr, "config: %s\n", err);
		free(err);
	}
	CHECK(cfg != NULL);
	return cfg;
}

static int64_t
count(struct store *s, const char *sql)
{
	int64_t v = -1;

	CHECK(store_int(s, &v, -1, sql, "") == 0);
	return v;
}

static int
record(struct store *s, struct hd_config *cfg, const char *sender, const char *text,
       const char *key, int reply_ok)
{
	char *t = strdup(text), *snd = strdup(sender), *k = strdup(key);
	struct inbound in = {
		.channel = "sms", .sender = snd, .dedup_key = k, .text = t,
		.text_len = strlen(text), .raw = t, .raw_len = strlen(text), .parts = 1,
		.reply_ok = reply_ok,
	};
	int rc = intake_record(s, cfg, &in);

	free(t);
	free(snd);
	free(k);
	return rc;
}

static void
test_migrations(void)
{
	struct store *s = NULL;
	char *err = NULL;
	int64_t v;

	CHECK(store_open(dbpath, &s, &err) == 0);
	CHECK(store_int(s, &v, -1, "PRAGMA user_version", "") == 0);
	CHECK(v == migrations[nmigrations - 1].version);
	CHECK(store_int(s, &v, -1, "PRAGMA foreign_keys", "") == 0 && v == 1);
	store_close(s);
	/* Opening again applies nothing and keeps the data. */
	CHECK(store_open(dbpath, &s, &err) == 0);
	CHECK(store_int(s, &v, -1, "PRAGMA user_version", "") == 0 && v == migrations[nmigrations - 1].version);
	CHECK(count(s, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox'") == 1);
	/* A database from a newer helpdeskd is refused, not touched. */
	CHECK(sqlite3_exec(s->db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
	store_close(s);
	CHECK(store_open(dbpath, &s, &err) < 0);
	CHECK(err != NULL && strstr(err, "newer") != NULL);
	free(err);
	unlink(dbpath);
}

static void
test_numbers_and_history(struct store *s)
{
	struct ticket_new tn = { .channel = "phone", .reporter = "+6281234567", .text = "printer rusak",
				 .actor = "op", .actor_channel = "ctl" };
	char n1[HD_TICKET_MAX], n2[HD_TICKET_MAX];
	int64_t id1, id2, when = 1795356000000;	/* 2026-11-22 */
	struct ticket t;

	CHECK(store_begin(s) == 0);
	CHECK(ticket_create(s, "HD", &tn, when, &id1, n1) == 0);
	CHECK(ticket_create(s, "HD", &tn, when, &id2, n2) == 0);
	CHECK(store_commit(s) == 0);
	CHECK_STR(n1, "HD-2611-0001");
	CHECK_STR(n2, "HD-2611-0002");
	/* A new month starts a new sequence. */
	CHECK(store_begin(s) == 0);
	CHECK(ticket_create(s, "HD", &tn, when + 40LL * 86400 * 1000, &id2, n2) == 0);
	CHECK(store_commit(s) == 0);
	CHECK_STR(n2, "HD-2701-0001");

	CHECK(ticket_load(s, "HD-2611-0001", &t) == 0);
	CHECK_STR(t.text, "printer rusak");
	CHECK_STR(t.status, "new");
	CHECK_STR(t.priority, "normal");
	ticket_free(&t);
	CHECK(ticket_load(s, "HD-2611-0999", &t) == 1);

	/* History is append-only. */
	CHECK(count(s, "SELECT count(*) FROM events WHERE kind = 'created'") == 3);
	CHECK(store_run(s, "UPDATE events SET detail = 'x'", "") != SQLITE_DONE);
	CHECK(store_run(s, "DELETE FROM events", "") != SQLITE_DONE);
	CHECK(count(s, "SELECT count(*) FROM events") == 3);
}

static void
test_intake(struct store *s, struct hd_config *cfg)
{
	/* A complaint: message, ticket, reply, a notice to each admin. */
	CHECK(record(s, cfg, "+628111", "HELPDESK jaringan internet mati", "k1", 1) == 1);
	CHECK(count(s, "SELECT count(*) FROM messages WHERE outcome = 'ticket' AND ticket_id IS NOT NULL") == 1);
	CHECK(count(s, "SELECT count(*) FROM tickets WHERE text = 'jaringan internet mati'") == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE kind = 'reply' AND recipient = '+628111'"
		       " AND body LIKE '%HD-%'") == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE kind = 'admin_notice' AND channel = 'sms'"
		       " AND recipient = '+628110000001'") == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE kind = 'admin_notice' AND channel = 'email'"
		       " AND recipient = 'admin@diskominfo.go.id'") == 1);

	/* The same message again is a duplicate: nothing new (rule 2). */
	CHECK(record(s, cfg, "+628111", "HELPDESK jaringan internet mati", "k1", 1) == 0);
	CHECK(count(s, "SELECT count(*) FROM tickets WHERE text = 'jaringan internet mati'") == 1);
	CHECK(count(s, "SELECT count(*) FROM messages") == 1);

	/* Not for us: recorded as ignored, no reply. */
	CHECK(record(s, cfg, "+628222", "Selamat pagi", "k2", 1) == 1);
	CHECK(count(s, "SELECT count(*) FROM messages WHERE outcome = 'ignored' AND reason <> ''") == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE recipient = '+628222'") == 0);

	/* Keyword alone: a reply explaining the format, no ticket. */
	CHECK(record(s, cfg, "+628333", "HELPDESK", "k3", 1) == 1);
	CHECK(count(s, "SELECT count(*) FROM messages WHERE sender = '+628333' AND outcome = 'command'"
		       " AND ticket_id IS NULL") == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE recipient = '+628333' AND kind = 'reply'") == 1);

	/* A sender that cannot be answered gets a ticket but no reply. */
	CHECK(record(s, cfg, "TELKOMSEL", "HELPDESK promo", "k4", 0) == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE recipient = 'TELKOMSEL'") == 0);

	/* Status: the reporter sees it, a stranger learns nothing. */
	CHECK(record(s, cfg, "+628111", "HELPDESK STATUS HD-2611-0003", "k5", 1) == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE recipient = '+628111' AND kind = 'reply'"
		       " AND body LIKE '%HD-2611-0003%' AND body NOT LIKE '%jaringan%'") == 2);
	CHECK(record(s, cfg, "+628999", "HELPDESK STATUS HD-2611-0003", "k6", 1) == 1);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE recipient = '+628999'"
		       " AND body NOT LIKE '%baru%'") == 1);
	CHECK(count(s, "SELECT count(*) FROM events WHERE kind = 'status_query'") == 1);

	/* Quarantine keeps the message and its reason, acts on nothing. */
	char *snd = strdup("unknown"), *k = strdup("k7"), *t = strdup("");
	struct inbound q = { .channel = "sms", .sender = snd, .dedup_key = k, .text = t,
			     .parts = 1, .quarantine = "binary (8-bit) SMS, not text" };
	CHECK(intake_record(s, cfg, &q) == 1);
	CHECK(count(s, "SELECT count(*) FROM messages WHERE outcome = 'quarantined'"
		       " AND reason = 'binary (8-bit) SMS, not text'") == 1);
	free(snd);
	free(k);
	free(t);
}

static void
test_reply_cap(struct store *s, struct hd_config *cfg)
{
	char key[32], text[64];

	/* cfg allows 3 replies per hour: the 4th and 5th tickets get held replies. */
	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "cap%d", i);
		snprintf(text, sizeof(text), "HELPDESK keluhan nomor %d", i);
		CHECK(record(s, cfg, "+628444", text, key, 1) == 1);
	}
	CHECK(count(s, "SELECT count(*) FROM tickets WHERE reporter = '+628444'") == 5);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE recipient = '+628444' AND state = 'pending'") == 3);
	CHECK(count(s, "SELECT count(*) FROM outbox WHERE recipient = '+628444' AND state = 'held'") == 2);
}

static void
test_contacts(struct store *s)
{
	const char *good = "name,phone,email,skpd,role\n"
			   "\"Siti, S.Kom\",0812-1111-2222,siti@dinkes.go.id,Dinas Kesehatan,reporter\n"
			   "Agus,+62 813 3333 4444,,Diskominfo,technician\n"
			   "\n";
	const char *bad = "name,phone,email,skpd,role\n"
			  "Ok,0812-5555-6666,,Bappeda,reporter\n"
			  "Bad phone,abc,,Bappeda,reporter\n"
			  "Bad role,0812-7777-8888,,Bappeda,boss\n";
	char errs[1024] = "";
	struct contact c;
	FILE *f, *e;

	f = fmemopen((void *)good, strlen(good), "r");
	e = fmemopen(errs, sizeof(errs), "w");
	CHECK(contacts_import(s, f, "good.csv", 62, e) == 2);
	fclose(f);
	fclose(e);
	CHECK(contact_find(s, "+6281211112222", &c) == 0);
	CHECK_STR(c.name, "Siti, S.Kom");
	CHECK_STR(c.skpd, "Dinas Kesehatan");
	contact_free(&c);
	CHECK(contact_find(s, "SITI@dinkes.go.id", &c) == 0);	/* email is case-insensitive */
	contact_free(&c);
	CHECK(contact_find(s, "+6281333334444", &c) == 0);
	CHECK_STR(c.role, "technician");
	contact_free(&c);

	/* One bad row: every problem reported with file:line, nothing imported. */
	f = fmemopen((void *)bad, strlen(bad), "r");
	e = fmemopen(errs, sizeof(errs), "w");
	CHECK(contacts_import(s, f, "bad.csv", 62, e) == -1);
	fclose(f);
	fclose(e);
	CHECK(strstr(errs, "bad.csv:3: phone \"abc\"") != NULL);
	CHECK(strstr(errs, "bad.csv:4: role \"boss\"") != NULL);
	CHECK(contact_find(s, "+6281255556666", &c) == 1);
}

int
main(void)
{
	struct hd_config *cfg;
	struct store *s = NULL;
	char *err = NULL;

	setenv("TZ", "Asia/Jakarta", 1);
	snprintf(dir, sizeof(dir), "/tmp/hd-store-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", dir);
	snprintf(confpath, sizeof(confpath), "%s/t.conf", dir);
	test_migrations();
	cfg = load_config(3);
	if (cfg != NULL && store_open(dbpath, &s, &err) == 0) {
		test_numbers_and_history(s);
		test_intake(s, cfg);
		test_reply_cap(s, cfg);
		test_contacts(s);
		store_close(s);
	} else {
		CHECK(!"cannot open the test database");
		free(err);
	}
	config_free(cfg);
	unlink(confpath);
	unlink(dbpath);
	char side[160];
	snprintf(side, sizeof(side), "%s-wal", dbpath);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", dbpath);
	unlink(side);
	rmdir(dir);
	return unit_done("store");
}
