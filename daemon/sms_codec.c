/* sms_codec.c: turns libGammu's message parts into inbound messages (joining,
 * decoding to UTF-8, the deduplication key) and reply text into SMS parts. */
#include "sms_codec.h"
#include "phone.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t
gsm_time_ms(const GSM_DateTime *dt)
{
	struct tm tm = { 0 };
	time_t t;

	if (dt->Year == 0 || dt->Month < 1 || dt->Month > 12 || dt->Day < 1)
		return 0;
	tm.tm_year = dt->Year - 1900;
	tm.tm_mon = dt->Month - 1;
	tm.tm_mday = dt->Day;
	tm.tm_hour = dt->Hour;
	tm.tm_min = dt->Minute;
	tm.tm_sec = dt->Second;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	return ((int64_t)t - dt->Timezone) * 1000;
}

char *
sms_number_utf8(const unsigned char *ucs)
{
	size_t n = UnicodeLength(ucs), len;

	return utf16be_to_utf8(ucs, n, &len);
}

/* Two parts belong to one message when sender, reference and count match. */
int
sms_same_message(const GSM_SMSMessage *a, const GSM_SMSMessage *b)
{
	size_t la = UnicodeLength(a->Number), lb = UnicodeLength(b->Number);

	return a->UDH.AllParts == b->UDH.AllParts && a->UDH.ID8bit == b->UDH.ID8bit &&
	       a->UDH.ID16bit == b->UDH.ID16bit && la == lb &&
	       memcmp(a->Number, b->Number, 2 * la) == 0;
}

int
sms_is_multipart(const GSM_SMSMessage *m)
{
	return (m->UDH.Type == UDH_ConcatenatedMessages ||
		m->UDH.Type == UDH_ConcatenatedMessages16bit) &&
	       m->UDH.AllParts > 1 && m->UDH.PartNumber >= 1;
}

int
sms_by_part(const void *a, const void *b)
{
	const GSM_SMSMessage *x = *(GSM_SMSMessage *const *)a, *y = *(GSM_SMSMessage *const *)b;

	return x->UDH.PartNumber - y->UDH.PartNumber;
}

/* One key per part of a multipart message: sender, reference, count,
 * number, the part's own time stamp and a hash of its text. */
static int
part_keys(struct inbound *in, GSM_SMSMessage **parts, size_t n)
{
	if ((in->part_keys = calloc(n, sizeof(char *))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const GSM_SMSMessage *m = parts[i];
		char hash[65];

		sha256_hex(m->Text, 2 * UnicodeLength(m->Text), hash);
		if (asprintf(&in->part_keys[i], "smspart:%s:%d.%d.%d.%d:%lld:%.32s", in->sender,
			     m->UDH.ID8bit, m->UDH.ID16bit, m->UDH.AllParts, m->UDH.PartNumber,
			     (long long)gsm_time_ms(&m->DateTime), hash) < 0) {
			in->part_keys[i] = NULL;
			return -1;
		}
		in->npart_keys++;
	}
	return 0;
}

/* FNV-1a over len bytes at p, continuing from h. */
static uint64_t
fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t
sms_print(const GSM_SMSMessage *m)
{
	const GSM_DateTime *t = &m->DateTime;
	int fields[] = { t->Year, t->Month, t->Day, t->Hour, t->Minute, t->Second, t->Timezone,
			 (int)m->UDH.Type, m->Length };
	size_t udh = m->UDH.Length > 0 ? (size_t)m->UDH.Length : 0;
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, m->Number, 2 * UnicodeLength(m->Number));
	h = fnv(h, fields, sizeof(fields));
	h = fnv(h, m->UDH.Text, udh < sizeof(m->UDH.Text) ? udh : sizeof(m->UDH.Text));
	h = fnv(h, m->Text, m->Coding == SMS_Coding_8bit ? (size_t)m->Length : 2 * UnicodeLength(m->Text));
	return h | 1;	/* never 0 */
}

int
sms_decode(const struct hd_config *cfg, GSM_SMSMessage **parts, size_t n, GSM_SMSMessage **all,
       size_t nall, int incomplete, struct inbound *in)
{
	struct sbuf raw = { 0 }, utf16 = { 0 }, key = { 0 };
	struct sms_token *tok;
	char phone[PHONE_MAX], *num, hash[65], udh[2 * GSM_MAX_UDH_LENGTH + 1];
	const GSM_SMSMessage *first = parts[0];

	memset(in, 0, sizeof(*in));
	in->channel = "sms";
	in->parts = (int)n;
	if ((tok = malloc(sizeof(*tok) + nall * sizeof(tok->part[0]))) == NULL)
		return -1;
	tok->nparts = nall;
	for (size_t i = 0; i < nall; i++) {
		tok->part[i].folder = all[i]->Folder;
		tok->part[i].location = all[i]->Location;
		tok->part[i].print = sms_print(all[i]);
	}
	in->token = tok;
	if ((num = sms_number_utf8(first->Number)) == NULL)
		return -1;
	switch (phone_normalize(num, strlen(num), cfg->country_code, phone)) {
	case PHONE_NUMBER:
		in->reply_ok = 1;
		in->sender = strdup(phone);
		break;
	case PHONE_NAME:
		in->sender = strdup(phone);
		break;
	default:
		in->sender = strdup("unknown");
	}
	free(num);
	if (in->sender == NULL)
		return -1;
	in->sent_at = gsm_time_ms(&first->DateTime);

	for (size_t i = 0; i < n; i++) {
		const GSM_SMSMessage *m = parts[i];
		size_t u = UnicodeLength(m->Text);

		for (int k = 0; k < m->UDH.Length && k < GSM_MAX_UDH_LENGTH; k++)
			snprintf(udh + 2 * k, 3, "%02X", m->UDH.Text[k]);
		udh[2 * (m->UDH.Length > 0 ? m->UDH.Length : 0)] = '\0';
		sb_printf(&raw, "part %zu/%zu folder %d location %d pdu %d coding %s udh %s length %d\n",
			  i + 1, n, m->Folder, m->Location, (int)m->PDU,
			  GSM_SMSCodingToString(m->Coding), udh[0] ? udh : "-", m->Length);
		if (m->PDU == SMS_Status_Report)
			in->ignore = "delivery report";
		else if (m->Coding == SMS_Coding_8bit && m->Length == 0)
			in->quarantine = "no text: truncated or incomplete message";
		else if (m->Coding == SMS_Coding_8bit)
			in->quarantine = "binary (8-bit) SMS, not text";
		else if (m->Coding == SMS_Coding_Unicode_Compression ||
			 m->Coding == SMS_Coding_Default_Compression)
			in->quarantine = "compressed SMS is not supported";
		else if (m->Coding == SMS_Coding_Unicode_No_Compression ? u < (size_t)m->Length
									 : 2 * u < (size_t)m->Length)
			/* Length counts UCS-2 units, or GSM-7 septets: an
			 * extension character ([ ] { } € ~ ^ | \) takes two. */
			in->quarantine = "text could not be decoded (wrong encoding)";
		else
			sb_append(&utf16, (const char *)m->Text, 2 * u);
	}
	if (incomplete && !in->quarantine && !in->ignore)
		sb_printf(&raw, "incomplete: %zu of %d parts after %d s\n", n, first->UDH.AllParts,
			  cfg->sms.multipart_timeout);
	if (utf16.oom || raw.oom)
		goto oom;
	in->text = utf16be_to_utf8((const unsigned char *)(utf16.s ? utf16.s : ""), utf16.len / 2,
				   &in->text_len);
	if (in->text == NULL)
		goto oom;
	sb_append(&raw, in->text, in->text_len);
	/* Rule 2: sender, SMSC time stamp and text identify a message. */
	sha256_hex(in->text, in->text_len, hash);
	sb_printf(&key, "sms:%s:%lld:%s:%d", in->sender, (long long)in->sent_at, hash, (int)n);
	if (sms_is_multipart(first))
		sb_printf(&key, ":%d.%d.%d", first->UDH.ID8bit, first->UDH.ID16bit,
			  first->UDH.AllParts);
	if (key.oom || raw.oom)
		goto oom;
	if (sms_is_multipart(first) && part_keys(in, parts, n) < 0)
		goto oom;
	in->dedup_key = key.s;
	in->raw = raw.s;
	in->raw_len = raw.len;
	sb_free(&utf16);
	return 0;
oom:
	sb_free(&raw);
	sb_free(&utf16);
	sb_free(&key);
	return -1;
}

int
sms_unreadable(int folder, int location, const char *why, struct inbound *in)
{
	struct sms_token *tok;

	memset(in, 0, sizeof(*in));
	in->channel = "sms";
	in->parts = 1;
	in->quarantine = "unreadable message in the modem";
	if ((tok = malloc(sizeof(*tok) + sizeof(tok->part[0]))) == NULL)
		return -1;
	tok->nparts = 1;
	tok->part[0].folder = folder;
	tok->part[0].location = location;
	tok->part[0].print = 0;
	in->token = tok;
	in->sender = strdup("unknown");
	in->text = strdup("");
	if (asprintf(&in->raw, "folder %d location %d: %s", folder, location, why) < 0)
		in->raw = NULL;
	if (asprintf(&in->dedup_key, "sms-unreadable:%d:%d:%lld", folder, location,
		     (long long)now_ms()) < 0)
		in->dedup_key = NULL;
	if (!in->sender || !in->text || !in->raw || !in->dedup_key)
		return -1;
	in->raw_len = strlen(in->raw);
	return 0;
}

void
sms_inbound_free(struct inbound *in)
{
	free(in->sender);
	free(in->dedup_key);
	free(in->text);
	free(in->raw);
	free(in->token);
	for (size_t i = 0; i < in->npart_keys; i++)
		free(in->part_keys[i]);
	free(in->part_keys);
}

int
sms_encode(const char *body, int max_parts, GSM_MultiSMSMessage *out, GSM_Debug_Info *di)
{
	size_t len = strlen(body);

	for (int tries = 0; tries < 8; tries++) {
		GSM_MultiPartSMSInfo info;
		unsigned char *u16;
		size_t units;
		struct sbuf cut = { 0 };
		GSM_Error e;

		sb_append(&cut, body, len);
		if (len < strlen(body))
			sb_puts(&cut, "...");
		if (cut.oom || (u16 = utf8_to_utf16be(cut.s, cut.len, &units)) == NULL) {
			sb_free(&cut);
			return -1;
		}
		sb_free(&cut);
		GSM_ClearMultiPartSMSInfo(&info);
		info.Class = -1;
		info.EntriesNum = 1;
		info.Entries[0].ID = SMS_ConcatenatedAutoTextLong;
		info.Entries[0].Buffer = u16;
		memset(out, 0, sizeof(*out));
		e = GSM_EncodeMultiPartSMS(di, &info, out);
		free(u16);
		if (e != ERR_NONE)
			return -1;
		if (out->Number <= max_parts)
			return 0;
		/* Too long: keep the share that fits, on a character boundary. */
		len = len * (size_t)max_parts / (size_t)out->Number;
		len = len > 8 ? len - 8 : 0;
		while (len > 0 && ((unsigned char)body[len] & 0xc0) == 0x80)
			len--;
	}
	return -1;
}

