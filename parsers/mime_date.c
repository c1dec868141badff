/*
 * mime_date.c: owns reading the Date header: RFC 5322 dates with the
 * obsolete forms (two- and three-digit years, named and military zones,
 * comments, missing seconds) and the asctime order. Pure: no I/O.
 */
#include "mime_internal.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	c = ascii_lower(c);
	return c >= 'a' && c <= 'z';
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Month 1..12 from a word's first three letters (English and Indonesian), or 0. */
static int
month_of(const char *w, size_t n)
{
	static const char *const m3[] = {
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
		"mei", "agu", "agt", "okt", "des",
	};
	static const int mnum[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 5, 8, 8, 10, 12 };

	if (n < 3)
		return 0;
	for (size_t i = 0; i < sizeof m3 / sizeof m3[0]; i++)
		if (memcmp(w, m3[i], 3) == 0)
			return mnum[i];
	return 0;
}

/*
 * Zone offset in minutes for a zone name; 0 for unknown names (RFC 5322
 * says obsolete military zones mean -0000). WIB, WITA and WIT are the
 * Indonesian zones (+0700, +0800, +0900). *known is 0 for day names and
 * other words that are not zones.
 */
static int
zone_of(const char *w, size_t n, int *known)
{
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {
		{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
		{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
		{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
		{ "wib", 420 }, { "wita", 480 }, { "wit", 540 },
	};

	*known = 1;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (span_ieq(w, n, zones[i].name))
			return zones[i].minutes;
	*known = n == 1;	/* military letter */
	return 0;
}

/* Read up to 9 digits at v[*i]; returns the value, *nd the digit count. */
static int
read_num(const char *v, size_t n, size_t *i, int *nd)
{
	int val = 0;

	*nd = 0;
	while (*i < n && is_digit(v[*i])) {
		if (*nd < 9)
			val = val * 10 + (v[*i] - '0');
		(*nd)++;
		(*i)++;
	}
	return val;
}

int64_t
hdr_date(const char *v, size_t n)
{
	int day = -1, mon = 0, year = -1, ydig = 0, hh = -1, mi = 0, ss = 0, zone = 0, have_zone = 0;
	int pm = -1, nums[3], ndig[3], nn = 0;
	size_t i = 0;
	int64_t t;

	if (n > 256)
		n = 256;
	while (i < n) {
		char ch = v[i];

		if (ch == '(') {
			int depth = 0;

			for (; i < n; i++) {	/* comment */
				if (v[i] == '(')
					depth++;
				else if (v[i] == ')' && --depth == 0)
					break;
			}
			i++;
		} else if (is_digit(ch)) {
			int nd, val = read_num(v, n, &i, &nd);

			if (i + 1 < n && v[i] == ':' && is_digit(v[i + 1]) && hh < 0) {
				hh = val;
				i++;
				mi = read_num(v, n, &i, &nd);
				if (nd > 2)
					return 0;
				if (i + 1 < n && v[i] == ':' && is_digit(v[i + 1])) {
					i++;
					ss = read_num(v, n, &i, &nd);
					if (nd > 2)
						return 0;
				}
				if (i + 1 < n && v[i] == '.' && is_digit(v[i + 1])) {
					i++;
					(void)read_num(v, n, &i, &nd);	/* fraction */
				}
			} else if (nn < 3) {
				nums[nn] = val;
				ndig[nn++] = nd;
			}
		} else if ((ch == '+' || ch == '-') && i + 1 < n && is_digit(v[i + 1]) && hh >= 0 &&
			   !have_zone) {
			int nd, val, sign = ch == '-' ? -1 : 1, zh, zm;

			i++;
			val = read_num(v, n, &i, &nd);
			if (nd == 4) {
				zh = val / 100;
				zm = val % 100;
			} else if (nd == 2 && i + 2 < n && v[i] == ':' && is_digit(v[i + 1])) {
				zh = val;
				i++;
				zm = read_num(v, n, &i, &nd);
				if (nd != 2)
					return 0;
			} else if (nd <= 2) {
				zh = val;
				zm = 0;
			} else {
				return 0;
			}
			if (zm > 59)
				return 0;
			zone = sign * (zh * 60 + zm);
			have_zone = 1;
		} else if (is_alpha(ch)) {
			char w[16];
			size_t k = 0;

			for (; i < n && is_alpha(v[i]); i++)
				if (k < sizeof w)
					w[k++] = ascii_lower(v[i]);
			if (!mon && month_of(w, k)) {
				mon = month_of(w, k);
			} else if (span_ieq(w, k, "am") || span_ieq(w, k, "pm")) {
				pm = w[0] == 'p';
			} else if (!have_zone) {
				int known, z = zone_of(w, k, &known);

				if (known) {
					zone = z;
					have_zone = 1;
				}
			}
		} else {
			i++;
		}
	}
	/* Numbers: one of 3+ digits is the year; else the first 1..31 is the day. */
	for (int k = 0; k < nn; k++)
		if (ndig[k] >= 3 && year < 0) {
			year = nums[k];
			ydig = ndig[k];
			ndig[k] = -1;
		}
	for (int k = 0; k < nn; k++) {
		if (ndig[k] < 0)
			continue;
		if (day < 0 && ndig[k] <= 2 && nums[k] >= 1 && nums[k] <= 31)
			day = nums[k];
		else if (year < 0) {
			year = nums[k];
			ydig = ndig[k];
		}
	}
	if (day < 0 || mon == 0 || year < 0 || hh < 0)
		return 0;
	if (ydig <= 2)
		year += year < 50 ? 2000 : 1900;
	else if (ydig == 3)
		year += 1900;
	if (pm == 1 && hh >= 1 && hh < 12)
		hh += 12;
	else if (pm == 0 && hh == 12)
		hh = 0;
	if (year < 1970 || year > 9999 || day > days_in_month(year, mon) || hh > 23 || mi > 59 ||
	    ss > 60)
		return 0;
	if (ss == 60)
		ss = 59;	/* a leap second */
	t = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mi * 60 + ss - (int64_t)zone * 60;
	return t > 0 ? t * 1000 : 0;
}
