/* imap_batch.c: one batch of mail on an IMAP connection: sizes, bodies in
 * bounded chunks, and the flags and move once the batch is recorded. */
#include "email.h"
#include "imap_internal.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The UID, size, date and body section of one FETCH response. */
static void
att_values(struct mailimap_msg_att *ma, uint32_t *uid, size_t *size, int64_t *date,
	   const char **body, size_t *blen)
{
	for (clistiter *j = clist_begin(ma->att_list); j != NULL; j = clist_next(j)) {
		struct mailimap_msg_att_item *item = clist_content(j);
		struct mailimap_msg_att_static *sa = item->att_data.att_static;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC || sa == NULL)
			continue;
		if (sa->att_type == MAILIMAP_MSG_ATT_UID) {
			*uid = sa->att_data.att_uid;
		} else if (sa->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE) {
			*size = sa->att_data.att_rfc822_size;
		} else if (sa->att_type == MAILIMAP_MSG_ATT_INTERNALDATE && sa->att_data.att_internal_date) {
			struct mailimap_date_time *d = sa->att_data.att_internal_date;
			struct tm tm = { .tm_year = d->dt_year - 1900, .tm_mon = d->dt_month - 1,
					 .tm_mday = d->dt_day, .tm_hour = d->dt_hour,
					 .tm_min = d->dt_min, .tm_sec = d->dt_sec };
			time_t t = timegm(&tm);
			/* dt_zone is +HHMM as a number */
			int zone = (d->dt_zone / 100) * 3600 + (d->dt_zone % 100) * 60;

			if (t != (time_t)-1)
				*date = ((int64_t)t - zone) * 1000;
		} else if (sa->att_type == MAILIMAP_MSG_ATT_BODY_SECTION && sa->att_data.att_body_section) {
			*body = sa->att_data.att_body_section->sec_body_part;
			*blen = sa->att_data.att_body_section->sec_length;
		}
	}
}

struct item *
imap_find_item(struct imap_priv *p, uint32_t uid)
{
	for (size_t i = 0; i < p->nitems; i++)
		if (p->items[i].uid == uid)
			return &p->items[i];
	return NULL;
}

/* A set of the UIDs of items [from, to) that pass the filter. */
static struct mailimap_set *
item_set(struct imap_priv *p, size_t from, size_t to, int (*want)(const struct item *))
{
	struct mailimap_set *set = mailimap_set_new_empty();
	size_t n = 0;

	for (size_t i = from; set != NULL && i < to; i++)
		if (want(&p->items[i]) && mailimap_set_add_single(set, p->items[i].uid) == MAILIMAP_NO_ERROR)
			n++;
	if (set != NULL && n == 0) {
		mailimap_set_free(set);
		return NULL;
	}
	return set;
}

/* UID FETCH set with the attributes of ft (both consumed); the responses
 * go to *res. Returns the libetpan result. */
static int
uid_fetch(struct imap_priv *p, struct mailimap_set *set, struct mailimap_fetch_type *ft,
	  struct mailimap_fetch_att *extra, clist **res)
{
	int r = MAILIMAP_ERROR_MEMORY;

	*res = NULL;
	if (set != NULL && ft != NULL && extra != NULL &&
	    mailimap_fetch_type_new_fetch_att_list_add(ft, extra) == MAILIMAP_NO_ERROR) {
		extra = NULL;
		r = mailimap_uid_fetch(p->imap, set, ft, res);
	}
	if (extra != NULL)
		mailimap_fetch_att_free(extra);
	if (ft != NULL)
		mailimap_fetch_type_free(ft);
	if (set != NULL)
		mailimap_set_free(set);
	return r;
}

static int
want_all(const struct item *it)
{
	(void)it;
	return 1;
}

int
imap_fetch_sizes(struct imap_priv *p)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *res;
	int r;

	if (ft != NULL && (mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid()) ||
			   mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size()))) {
		mailimap_fetch_type_free(ft);
		ft = NULL;
	}
	r = uid_fetch(p, item_set(p, 0, p->nitems, want_all), ft, mailimap_fetch_att_new_internaldate(),
		      &res);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	for (clistiter *it = clist_begin(res); it != NULL; it = clist_next(it)) {
		uint32_t uid = 0;
		size_t size = 0, blen = 0;
		int64_t date = 0;
		const char *body = NULL;
		struct item *item;

		att_values(clist_content(it), &uid, &size, &date, &body, &blen);
		if ((item = imap_find_item(p, uid)) != NULL) {
			item->size = size;
			item->internaldate = date;
			item->listed = 1;
		}
	}
	mailimap_fetch_list_free(res);
	return MAILIMAP_NO_ERROR;
}

static int
want_listed(const struct item *it)
{
	return it->listed;
}

int
imap_fetch_bodies(struct channel *ch, struct imap_priv *p, size_t from, size_t to, int headers_only,
	     struct inbound *msgs, size_t *n)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_section *sec = headers_only ? mailimap_section_new_header() : mailimap_section_new(NULL);
	struct mailimap_fetch_att *att = sec ? mailimap_fetch_att_new_body_peek_section(sec) : NULL;
	clist *res;
	int r, bad = 0;

	if (sec != NULL && att == NULL)
		mailimap_section_free(sec);
	if (ft != NULL && mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid())) {
		mailimap_fetch_type_free(ft);
		ft = NULL;
	}
	r = uid_fetch(p, item_set(p, from, to, want_listed), ft, att, &res);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	/* In UID order, whatever order the server answered in. */
	for (size_t i = from; i < to; i++) {
		struct item *item = &p->items[i];
		const char *body = NULL;
		size_t blen = 0;

		if (!item->listed)
			continue;
		for (clistiter *it = clist_begin(res); it != NULL && body == NULL; it = clist_next(it)) {
			uint32_t uid = 0;
			size_t size = 0;
			int64_t date = 0;
			const char *b = NULL;
			size_t bl = 0;

			att_values(clist_content(it), &uid, &size, &date, &b, &bl);
			if (uid == item->uid) {
				body = b;
				blen = bl;
			}
		}
		if (body == NULL) {
			log_warn("%s: UID %u vanished before it was read", ch->label, item->uid);
			item->done = 1;	/* nothing to take */
			continue;
		}
		struct email_src src = {
			.mailbox = p->mb->name, .uidvalidity = p->uidvalidity, .uid = item->uid,
			.internaldate = item->internaldate, .size = item->size,
			.headers_only = headers_only, .reply_max_age = p->mb->reply_max_age,
		};
		struct imap_token *tok = malloc(sizeof(*tok));

		if (headers_only)
			log_warn("%s: UID %u is %zu bytes, over email.max_size (%lld): headers only",
				 ch->label, item->uid, item->size, ch->cfg->email.max_size);
		if (tok == NULL || email_inbound(ch->cfg, &src, body, blen, &msgs[*n]) < 0) {
			free(tok);
			email_inbound_free(&msgs[*n]);
			bad = 1;
			continue;
		}
		tok->uid = item->uid;
		msgs[(*n)++].token = tok;
	}
	mailimap_fetch_list_free(res);
	return bad ? -1 : MAILIMAP_NO_ERROR;
}

int
imap_store_done(struct channel *ch, struct imap_priv *p)
{
	static const struct {
		int flagged;
	} passes[] = { { 0 }, { 1 } };
	int r = MAILIMAP_NO_ERROR;

	for (size_t k = 0; k < 2 && r == MAILIMAP_NO_ERROR; k++) {
		struct mailimap_set *set = mailimap_set_new_empty();
		struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
		struct mailimap_store_att_flags *sf = NULL;
		size_t n = 0;

		for (size_t i = 0; set != NULL && i < p->nitems; i++)
			if (p->items[i].done && p->items[i].listed &&
			    (!passes[k].flagged || p->items[i].too_large) &&
			    mailimap_set_add_single(set, p->items[i].uid) == MAILIMAP_NO_ERROR)
				n++;
		if (set == NULL || fl == NULL ||
		    mailimap_flag_list_add(fl, passes[k].flagged ? mailimap_flag_new_flagged()
								 : mailimap_flag_new_seen()) ||
		    (sf = mailimap_store_att_flags_new_add_flags_silent(fl)) == NULL)
			r = MAILIMAP_ERROR_MEMORY;
		else {
			fl = NULL;
			if (n > 0)
				r = mailimap_uid_store(p->imap, set, sf);
		}
		if (fl != NULL)
			mailimap_flag_list_free(fl);
		if (sf != NULL)
			mailimap_store_att_flags_free(sf);
		if (set != NULL)
			mailimap_set_free(set);
	}
	if (r != MAILIMAP_NO_ERROR || p->mb->move_to == NULL)
		return r;

	struct mailimap_set *set = mailimap_set_new_empty();
	size_t n = 0;
	for (size_t i = 0; set != NULL && i < p->nitems; i++)
		if (p->items[i].done && p->items[i].listed &&
		    mailimap_set_add_single(set, p->items[i].uid) == MAILIMAP_NO_ERROR)
			n++;
	if (set == NULL)
		return MAILIMAP_ERROR_MEMORY;
	if (n > 0 && p->can_move) {
		r = mailimap_uid_move(p->imap, set, p->move_to);
	} else if (n > 0 && (r = mailimap_uid_copy(p->imap, set, p->move_to)) == MAILIMAP_NO_ERROR) {
		struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
		struct mailimap_store_att_flags *sf = NULL;

		if (fl == NULL || mailimap_flag_list_add(fl, mailimap_flag_new_deleted()) ||
		    (sf = mailimap_store_att_flags_new_add_flags_silent(fl)) == NULL) {
			if (fl != NULL)
				mailimap_flag_list_free(fl);
			r = MAILIMAP_ERROR_MEMORY;
		} else if ((r = mailimap_uid_store(p->imap, set, sf)) == MAILIMAP_NO_ERROR) {
			r = mailimap_has_uidplus(p->imap) ? mailimap_uid_expunge(p->imap, set)
							  : mailimap_expunge(p->imap);
		}
		if (sf != NULL)
			mailimap_store_att_flags_free(sf);
	}
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		/* The mail is recorded and \Seen: a failed move is logged, not retried. */
		log_warn("%s: moving processed mail to %s: %s", ch->label, p->mb->move_to, imap_error(r));
		if (!imap_link_failed(r))
			r = MAILIMAP_NO_ERROR;
	}
	return r;
}

