/* sms_codec.h: libGammu's message parts to inbound messages and reply text to parts. */
#ifndef HD_SMS_CODEC_H
#define HD_SMS_CODEC_H

#include <gammu.h>
#include <stdint.h>

#include "channel.h"

/* What ack() needs: the locations of every part. */
struct sms_token {
	size_t nparts;
	struct {
		int folder, location;
		uint64_t print;		/* sms_print of the part, 0 for an unreadable slot */
	} part[];
};

/* A fingerprint of m's sender, time stamp, UDH and text: tells whether a
 * location still holds the same message after a delete. */
uint64_t sms_print(const GSM_SMSMessage *m);

/* The sender's number from libGammu's UCS-2 form, as malloc'ed UTF-8. */
char *sms_number_utf8(const unsigned char *ucs);

/* Is m one part of a concatenated message? */
int sms_is_multipart(const GSM_SMSMessage *m);

/* Do parts a and b belong to one message (sender, reference, count)? */
int sms_same_message(const GSM_SMSMessage *a, const GSM_SMSMessage *b);

/* qsort comparator of GSM_SMSMessage pointers by part number. */
int sms_by_part(const void *a, const void *b);

/*
 * Build one inbound message from the distinct parts[0..n) of one message,
 * in order; all[0..nall) are every location to delete once it is recorded
 * (a part received twice included). Sets in->quarantine or in->ignore for
 * what is not a text message. Returns 0 or -1 (out of memory); on -1 the
 * caller still frees in with sms_inbound_free.
 */
int sms_decode(const struct hd_config *cfg, GSM_SMSMessage **parts, size_t n,
	       GSM_SMSMessage **all, size_t nall, int incomplete, struct inbound *in);

/* A slot the modem could not read, as a quarantined message, so that it is
 * recorded and leaves the SIM. Returns 0 or -1 (out of memory). */
int sms_unreadable(int folder, int location, const char *why, struct inbound *in);

void sms_inbound_free(struct inbound *in);

/* Encode body as SMS parts (GSM-7 or UCS-2, concatenated when long), cut
 * with "..." to at most max_parts. Returns 0 or -1. */
int sms_encode(const char *body, int max_parts, GSM_MultiSMSMessage *out, GSM_Debug_Info *di);

#endif
