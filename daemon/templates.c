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
	[TM_ACCEPTED] = "Tiket {ticket} telah diverifikasi dan diproses dengan prioritas {priority}. "
			"Cek status: HELPDESK STATUS {ticket}",
	[TM_REJECTED] = "Mohon maaf, tiket {ticket} tidak dapat diproses: {note}",
	[TM_ASSIGNED] = "Tiket {ticket} ditangani oleh teknisi {assignee}. "
			"Cek status: HELPDESK STATUS {ticket}",
	[TM_TECH_ASSIGNED] = "Tugas {ticket} ({priority}) dari {skpd}: {text}",
	[TM_PENDING] = "Tiket {ticket} ditunda: {note}. Kami kabari bila dilanjutkan.",
	[TM_RESOLVED] = "Tiket {ticket} telah selesai ditangani: {note}. Terima kasih.",
	[TM_CLOSED] = "Tiket {ticket} ditutup: {note}. Terima kasih.",
	[TM_APPROVAL] = "Tiket {ticket} diselesaikan {assignee}, menunggu persetujuan. "
			"Balas HELPDESK SETUJU {ticket}",
	[TM_CMD_OK] = "Tiket {ticket}: status {status}, prioritas {priority}, teknisi {assignee}.",
	[TM_CMD_REFUSED] = "Perintah tidak dijalankan: {reason}.",
	[TM_TASKS] = "Tugas Anda ({count}): {list}",
	[TM_ESC_RESPONSE] = "Tiket {ticket} belum dikonfirmasi lewat {target}. {reporter} ({skpd}): {text}",
	[TM_ESC_RESOLUTION] = "Tiket {ticket} ({priority}) melewati batas penyelesaian {target}. "
			      "Teknisi: {assignee}.",
	[TM_ESC_LEADERSHIP] = "Tiket {ticket} ({skpd}) belum selesai setelah {target}. "
			      "Teknisi: {assignee}. Masalah: {text}",
	[TM_ESC_PENDING] = "Tiket {ticket} tertunda lebih dari {target}: {note}. Teknisi: {assignee}.",
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
	[TM_ACCEPTED] = "Ticket {ticket} was accepted and is being handled with priority {priority}. "
			"To check it, send HELPDESK STATUS {ticket}",
	[TM_REJECTED] = "Sorry, ticket {ticket} cannot be handled: {note}",
	[TM_ASSIGNED] = "Ticket {ticket} is being handled by technician {assignee}. "
			"To check it, send HELPDESK STATUS {ticket}",
	[TM_TECH_ASSIGNED] = "Task {ticket} ({priority}) from {skpd}: {text}",
	[TM_PENDING] = "Ticket {ticket} is on hold: {note}. We will tell you when work resumes.",
	[TM_RESOLVED] = "Ticket {ticket} has been resolved: {note}. Thank you.",
	[TM_CLOSED] = "Ticket {ticket} is closed: {note}. Thank you.",
	[TM_APPROVAL] = "Ticket {ticket} was resolved by {assignee} and awaits approval. "
			"Reply HELPDESK APPROVE {ticket}",
	[TM_CMD_OK] = "Ticket {ticket}: status {status}, priority {priority}, technician {assignee}.",
	[TM_CMD_REFUSED] = "Command not carried out: {reason}.",
	[TM_TASKS] = "Your tasks ({count}): {list}",
	[TM_ESC_RESPONSE] = "Ticket {ticket} has had no response for {target}. {reporter} ({skpd}): {text}",
	[TM_ESC_RESOLUTION] = "Ticket {ticket} ({priority}) is past its resolution target of {target}. "
			      "Technician: {assignee}.",
	[TM_ESC_LEADERSHIP] = "Ticket {ticket} ({skpd}) is unresolved after {target}. "
			      "Technician: {assignee}. Problem: {text}",
	[TM_ESC_PENDING] = "Ticket {ticket} has been on hold for more than {target}: {note}. "
			   "Technician: {assignee}.",
};

static const char *const placeholders[] = {
	"ticket", "text", "status", "priority", "assignee", "note", "skpd",
	"reporter", "sender", "channel", "created", "category", "prefix",
	"reason", "count", "list", "target",
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
