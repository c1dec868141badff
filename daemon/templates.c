/* templates.c: owns the built-in Indonesian and English reply texts and their placeholders. */
#include "templates.h"

#include <string.h>

/* Built-in template sets. Each fits one GSM-7 SMS (160 characters) with a
 * 14-character ticket number, except info (up to about 300). */
static const char *const tmpl_id_set[TM__COUNT] = {
	[TM_ACK] = "Terima kasih, pengaduan Anda kami terima dengan nomor tiket {ticket} "
		   "dan segera ditindaklanjuti. Cek status: kirim HELPDESK STATUS {ticket}",
	[TM_EMPTY] = "Uraian masalah belum ada. Kirim: HELPDESK <uraian masalah>. "
		     "Contoh: HELPDESK Printer di Bagian Umum tidak bisa mencetak",
	[TM_INFO] = "Helpdesk TI melayani 24 jam lewat SMS dan email. "
		    "Lapor gangguan: HELPDESK <uraian masalah>, contoh: HELPDESK Internet kantor "
		    "mati sejak pagi. Cek tiket: HELPDESK STATUS <nomor tiket>. "
		    "Layanan telepon hanya pada jam kerja.",
	[TM_STATUS] = "Tiket {ticket}: status {status}, teknisi {assignee}, catatan: {note}",
	[TM_STATUS_UNKNOWN] = "Tiket {ticket} tidak ditemukan atau bukan tiket Anda. "
			      "Cek status: kirim HELPDESK STATUS <nomor tiket>",
	[TM_ADMIN_NEW] = "Tiket baru {ticket} dari {reporter} ({skpd}): {text}",
	[TM_TOO_LARGE] = "Mohon maaf, email Anda ke helpdesk terlalu besar untuk kami terima. "
			 "Silakan kirim ulang dengan lampiran lebih kecil atau bagi ke beberapa email.",
};

/* The same text ships in config/templates-en.conf; keep the two in step. */
static const char *const tmpl_en_set[TM__COUNT] = {
	[TM_ACK] = "Thank you, your complaint was received as ticket {ticket} and we will "
		   "follow it up. To check it, send HELPDESK STATUS {ticket}",
	[TM_EMPTY] = "Please describe the problem. Send: HELPDESK <description of the problem>. "
		     "Example: HELPDESK Printer in the General Affairs office does not print",
	[TM_INFO] = "The IT Helpdesk takes reports 24/7 by SMS and email. To report a problem "
		    "send HELPDESK <description>, e.g. HELPDESK Office internet down since "
		    "morning. To check a ticket send HELPDESK STATUS <ticket number>. "
		    "Phone support in office hours only.",
	[TM_STATUS] = "Ticket {ticket}: status {status}, technician {assignee}, note: {note}",
	[TM_STATUS_UNKNOWN] = "Ticket {ticket} was not found or is not yours. "
			      "To check a ticket send HELPDESK STATUS <ticket number>",
	[TM_ADMIN_NEW] = "New ticket {ticket} from {reporter} ({skpd}): {text}",
	[TM_TOO_LARGE] = "Sorry, your email to the helpdesk is too large for us to accept. "
			 "Please send it again with smaller attachments, or split them over several emails.",
};

static const char *const placeholders[] = {
	"ticket", "text", "status", "priority", "assignee", "note", "skpd",
	"reporter", "sender", "channel", "created", "category", "prefix",
};

const char *
templates_builtin(const char *language, enum tmpl_id id)
{
	if ((int)id < 0 || id >= TM__COUNT)
		return NULL;
	if (language != NULL && strcmp(language, "en") == 0)
		return tmpl_en_set[id];
	return tmpl_id_set[id];
}

const char *const *
templates_placeholders(size_t *n)
{
	*n = sizeof(placeholders) / sizeof(placeholders[0]);
	return placeholders;
}
