/* movielens.c - the MovieLens-100k data set: loading, user groups and the
 * d-dimensional embedding (see movielens.h and docs/movielens.md).
 *
 * Loading reads each file whole and checks every field, so a damaged or
 * different download fails at its first bad line ("PATH:LINE: expected
 * ..., got '...'") instead of silently shifting ids.  Nothing here assumes
 * the published sizes (943 users, 1682 movies, 100,000 ratings): they are
 * counted, and the ids must then be consistent with the counts. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "smab/linalg.h"
#include "smab/movielens.h"

enum {
	ML_MAXAGE = 150,        /* an age above this is a typo, not a user */
	ML_ZIPLEN = 12,         /* sizeof smab_ml_data.zip[0] */
	ML_MAXOCC = 32,         /* rows of smab_ml_data.occ_name */
	ML_OCCLEN = 24,         /* columns of smab_ml_data.occ_name */
	ML_ITEMFIELDS = 24,     /* id|title|date|video date|URL + 19 genre flags */
	ML_MAXSTATES = 16
};

/* ---- reading the files ---------------------------------------------------- */

/* One file read whole; lines are cut in place ('\n' becomes NUL). */
typedef struct mlfile {
	char path[4096];
	char *buf;        /* the file's bytes, NUL-terminated */
	size_t len, pos;  /* size, start of the next line */
	int line;         /* 1-based number of the line last returned */
	int nlines;       /* lines in the file (a last line without '\n' counts) */
} mlfile;

static void mlfile_close(mlfile *f)
{
	free(f->buf);
	f->buf = NULL;
}

static int mlfile_open(mlfile *f, const char *dir, const char *name,
                       char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	int w = snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
	if (w < 0 || (size_t)w >= sizeof f->path) {
		smab_errf(err, errlen, "data directory name too long: '%.64s...'", dir);
		return SMAB_EINVAL;
	}
	FILE *fp = fopen(f->path, "rb");
	if (!fp) {
		smab_errf(err, errlen, "cannot open %s: %s", f->path, strerror(errno));
		return SMAB_EIO;
	}
	size_t cap = 1 << 16;
	f->buf = smab_xmalloc(cap);
	for (;;) {
		if (cap - f->len < 2) {
			cap *= 2;
			f->buf = smab_xrealloc(f->buf, cap);
		}
		size_t got = fread(f->buf + f->len, 1, cap - f->len - 1, fp);
		f->len += got;
		if (got == 0)
			break;
	}
	int bad = ferror(fp);
	int saved = errno;
	fclose(fp);
	if (bad) {
		smab_errf(err, errlen, "cannot read %s: %s", f->path, strerror(saved));
		mlfile_close(f);
		return SMAB_EIO;
	}
	f->buf[f->len] = '\0';
	for (size_t i = 0; i < f->len; i++)
		f->nlines += f->buf[i] == '\n';
	if (f->len > 0 && f->buf[f->len - 1] != '\n')
		f->nlines++;
	return SMAB_OK;
}

/* The next line, NUL-terminated, without its '\n' (and a '\r' before it,
 * for files that went through a DOS tool), or NULL at the end.  *len gets
 * its length; a NUL byte inside the line is kept in it, so callers can
 * refuse binary junk instead of silently reading half a line. */
static char *mlfile_next(mlfile *f, size_t *len)
{
	if (f->pos >= f->len)
		return NULL;
	char *s = f->buf + f->pos;
	char *nl = memchr(s, '\n', f->len - f->pos);
	size_t n = nl ? (size_t)(nl - s) : f->len - f->pos;
	f->pos += n + (nl ? 1 : 0);
	s[n] = '\0';
	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	f->line++;
	*len = n;
	return s;
}

/* A printable copy of s for a message: bytes outside printable ASCII (the
 * latin-1 titles of u.item, control characters) as \xNN, cut at 60. */
static const char *shown(const char *s, size_t n, char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o + 8 >= cap || i >= 60) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Report "PATH:LINE: expected WHAT, got 'TEXT'". */
static int bad_line(const mlfile *f, const char *what, const char *text,
                    size_t n, char *err, size_t errlen)
{
	char buf[96];
	smab_errf(err, errlen, "%s:%d: expected %s, got '%s'", f->path, f->line, what,
	          shown(text, n, buf, sizeof buf));
	return SMAB_EINVAL;
}

/* Cut line s (length n) at every 'sep' into its fields when it has exactly
 * 'want' of them; returns the number of fields it has (when that is not
 * 'want', the line is left whole for the message).  A NUL byte inside the
 * line counts as a malformed line: -1. */
static int split(char *s, size_t n, char sep, char **fld, int want)
{
	if (memchr(s, '\0', n))
		return -1;
	int k = 1;
	for (size_t i = 0; i < n; i++)
		k += s[i] == sep;
	if (k != want)
		return k;
	fld[0] = s;
	int j = 1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == sep) {
			s[i] = '\0';
			fld[j++] = s + i + 1;
		}
	return k;
}

/* s is a plain decimal integer in lo..hi: digits only, no sign, no blanks. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
	if (!*s)
		return 0;
	long long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > hi)
			return 0;
	}
	if (v < lo)
		return 0;
	*out = v;
	return 1;
}

static int read_occupations(const char *dir, smab_ml_data *ml, char *err,
                            size_t errlen)
{
	mlfile f;
	int st = mlfile_open(&f, dir, "u.occupation", err, errlen);
	if (st)
		return st;
	char *s;
	size_t n;
	while ((s = mlfile_next(&f, &n))) {
		if (n == 0 || n >= ML_OCCLEN || memchr(s, '\0', n) || strchr(s, '|')) {
			st = bad_line(&f, "an occupation name of 1 to 23 characters", s,
			              n, err, errlen);
			break;
		}
		if (ml->nocc == ML_MAXOCC) {
			st = bad_line(&f, "at most 32 occupations", s, n, err, errlen);
			break;
		}
		for (int k = 0; k < ml->nocc && !st; k++)
			if (!strcmp(ml->occ_name[k], s))
				st = bad_line(&f, "each occupation once", s, n, err, errlen);
		if (st)
			break;
		memcpy(ml->occ_name[ml->nocc++], s, n + 1);
	}
	if (!st && ml->nocc == 0) {
		smab_errf(err, errlen, "%s:1: expected an occupation name, got an empty file",
		          f.path);
		st = SMAB_EINVAL;
	}
	mlfile_close(&f);
	return st;
}

static int read_users(const char *dir, smab_ml_data *ml, char *err,
                      size_t errlen)
{
	mlfile f;
	int st = mlfile_open(&f, dir, "u.user", err, errlen);
	if (st)
		return st;
	int nu = f.nlines;
	if (nu == 0) {
		smab_errf(err, errlen, "%s:1: expected a user, got an empty file", f.path);
		mlfile_close(&f);
		return SMAB_EINVAL;
	}
	ml->nusers = nu;
	size_t un = (size_t)nu;
	ml->age = smab_xcalloc(un, sizeof *ml->age);
	ml->gender = smab_xcalloc(un, sizeof *ml->gender);
	ml->occupation = smab_xcalloc(un, sizeof *ml->occupation);
	ml->zip = smab_xcalloc(un, sizeof *ml->zip);
	char *seen = smab_xcalloc(un, 1);
	char range[64];
	snprintf(range, sizeof range, "a user id in 1..%d", nu);
	char *s, *fld[5];
	size_t n;
	while (!st && (s = mlfile_next(&f, &n))) {
		long long id, age;
		if (split(s, n, '|', fld, 5) != 5) {
			st = bad_line(&f, "5 '|'-separated fields (id|age|gender|occupation|zip)",
			              s, n, err, errlen);
			break;
		}
		if (!parse_int(fld[0], 1, nu, &id)) {
			st = bad_line(&f, range, fld[0], strlen(fld[0]), err, errlen);
			break;
		}
		int u = (int)id - 1;
		if (seen[u]) {
			st = bad_line(&f, "each user id once", fld[0], strlen(fld[0]),
			              err, errlen);
			break;
		}
		seen[u] = 1;
		if (!parse_int(fld[1], 1, ML_MAXAGE, &age)) {
			st = bad_line(&f, "an age in 1..150 (a positive integer)", fld[1],
			              strlen(fld[1]), err, errlen);
			break;
		}
		ml->age[u] = (int)age;
		if (strcmp(fld[2], "M") && strcmp(fld[2], "F")) {
			st = bad_line(&f, "gender M or F", fld[2], strlen(fld[2]), err,
			              errlen);
			break;
		}
		ml->gender[u] = fld[2][0];
		int occ = -1;
		for (int k = 0; k < ml->nocc; k++)
			if (!strcmp(ml->occ_name[k], fld[3]))
				occ = k;
		if (occ < 0) {
			st = bad_line(&f, "an occupation listed in u.occupation", fld[3],
			              strlen(fld[3]), err, errlen);
			break;
		}
		ml->occupation[u] = occ;
		size_t zl = strlen(fld[4]);
		if (zl == 0 || zl >= ML_ZIPLEN) {
			st = bad_line(&f, "a zip code of 1 to 11 characters", fld[4], zl,
			              err, errlen);
			break;
		}
		memcpy(ml->zip[u], fld[4], zl + 1);
	}
	/* nlines lines, each a distinct id in 1..nlines: every id is there. */
	free(seen);
	mlfile_close(&f);
	return st;
}

static int read_items(const char *dir, smab_ml_data *ml, char *err,
                      size_t errlen)
{
	mlfile f;
	int st = mlfile_open(&f, dir, "u.item", err, errlen);
	if (st)
		return st;
	int ni = f.nlines;
	if (ni == 0) {
		smab_errf(err, errlen, "%s:1: expected a movie, got an empty file", f.path);
		mlfile_close(&f);
		return SMAB_EINVAL;
	}
	ml->nitems = ni;
	char *seen = smab_xcalloc((size_t)ni, 1);
	char range[64];
	snprintf(range, sizeof range, "a movie id in 1..%d", ni);
	char *s, *fld[ML_ITEMFIELDS];
	size_t n;
	while (!st && (s = mlfile_next(&f, &n))) {
		long long id;
		if (split(s, n, '|', fld, ML_ITEMFIELDS) != ML_ITEMFIELDS) {
			st = bad_line(&f, "24 '|'-separated fields (id|title|release date|"
			              "video release date|URL|19 genre flags)", s, n, err,
			              errlen);
		} else if (!parse_int(fld[0], 1, ni, &id)) {
			st = bad_line(&f, range, fld[0], strlen(fld[0]), err, errlen);
		} else if (seen[id - 1]) {
			st = bad_line(&f, "each movie id once", fld[0], strlen(fld[0]),
			              err, errlen);
		} else {
			seen[id - 1] = 1;
		}
	}
	free(seen);
	mlfile_close(&f);
	return st;
}

static int read_ratings(const char *dir, smab_ml_data *ml, char *err,
                        size_t errlen)
{
	mlfile f;
	int st = mlfile_open(&f, dir, "u.data", err, errlen);
	if (st)
		return st;
	int nr = f.nlines;
	if (nr == 0) {
		smab_errf(err, errlen, "%s:1: expected a rating, got an empty file", f.path);
		mlfile_close(&f);
		return SMAB_EINVAL;
	}
	ml->nratings = nr;
	ml->r_user = smab_xmalloc((size_t)nr * sizeof *ml->r_user);
	ml->r_item = smab_xmalloc((size_t)nr * sizeof *ml->r_item);
	ml->r_value = smab_xmalloc((size_t)nr * sizeof *ml->r_value);
	/* One rating per (user, movie): a repeated pair would make the rating
	 * matrix depend on the order of the lines. */
	unsigned char *rated = smab_xcalloc((size_t)ml->nusers * (size_t)ml->nitems, 1);
	char urange[64], irange[64];
	snprintf(urange, sizeof urange, "a user id in 1..%d", ml->nusers);
	snprintf(irange, sizeof irange, "a movie id in 1..%d", ml->nitems);
	char *s, *fld[4];
	size_t n;
	int r = 0;
	while (!st && (s = mlfile_next(&f, &n))) {
		long long u, i, v, t;
		if (split(s, n, '\t', fld, 4) != 4) {
			st = bad_line(&f, "4 tab-separated fields (user, movie, rating, "
			              "timestamp)", s, n, err, errlen);
		} else if (!parse_int(fld[0], 1, ml->nusers, &u)) {
			st = bad_line(&f, urange, fld[0], strlen(fld[0]), err, errlen);
		} else if (!parse_int(fld[1], 1, ml->nitems, &i)) {
			st = bad_line(&f, irange, fld[1], strlen(fld[1]), err, errlen);
		} else if (!parse_int(fld[2], 1, 5, &v)) {
			st = bad_line(&f, "a rating 1..5", fld[2], strlen(fld[2]), err,
			              errlen);
		} else if (!parse_int(fld[3], 0, (long long)1 << 48, &t)) {
			st = bad_line(&f, "a timestamp (seconds, a non-negative integer)",
			              fld[3], strlen(fld[3]), err, errlen);
		} else {
			size_t cell = (size_t)(u - 1) * (size_t)ml->nitems + (size_t)(i - 1);
			if (rated[cell]) {
				char what[96];
				snprintf(what, sizeof what, "one rating per user and movie "
				         "(user %lld rated movie %lld before)", u, i);
				st = bad_line(&f, what, s, strlen(s), err, errlen);
				break;
			}
			rated[cell] = 1;
			ml->r_user[r] = (int)u - 1;
			ml->r_item[r] = (int)i - 1;
			ml->r_value[r] = (double)v;
			r++;
		}
	}
	free(rated);
	mlfile_close(&f);
	return st;
}

int smab_ml_load(const char *dir, smab_ml_data *out, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return SMAB_EINVAL;
	memset(out, 0, sizeof *out);
	if (!dir || !*dir) {
		smab_errf(err, errlen, "no MovieLens data directory given");
		return SMAB_EINVAL;
	}
	/* Occupations before users (users name them), users and movies before
	 * ratings (the counts bound the ids). */
	int st = read_occupations(dir, out, err, errlen);
	if (!st)
		st = read_users(dir, out, err, errlen);
	if (!st)
		st = read_items(dir, out, err, errlen);
	if (!st)
		st = read_ratings(dir, out, err, errlen);
	if (st)
		smab_ml_free(out);
	return st;
}

void smab_ml_free(smab_ml_data *ml)
{
	if (!ml)
		return;
	free(ml->r_user);
	free(ml->r_item);
	free(ml->r_value);
	free(ml->age);
	free(ml->gender);
	free(ml->occupation);
	free(ml->zip);
	memset(ml, 0, sizeof *ml);
}

/* ---- zip codes -------------------------------------------------------------- */

/* The USPS 3-digit zip prefixes ("sectional center facilities") and their
 * two-letter codes, from the USPS's published prefix list.  Rule: a code is
 * a US zip when it is 5 ASCII digits, optionally followed by "-" and 4
 * digits (ZIP+4); its state is the range below holding its first 3 digits.
 * Everything else is NULL: Canadian postal codes (letters), prefixes in no
 * range (000-004, 099, 428-429, 568, 578-579, 589, 659, 694-699, 715,
 * 817-819, 839, 848-849, 866-869, 886-888, 899), the military APO/FPO
 * prefixes (090-098 AE, 340 AA, 962-966 AP: no state), and 969 (shared by
 * Guam and the Pacific islands).  DC and the territories PR and VI keep
 * their USPS codes.  A few prefixes inside a state's range are unassigned
 * (e.g. 343, 345, 517-519): they get that state, which is harmless since
 * no real code has them.  Prefixes that lie outside their state's block:
 * 005 NY (Holtsville), 055 MA (Andover), 201 VA (Dulles), 398-399 GA,
 * 569 DC, 733 TX (Austin), 885 TX (El Paso). */
static const struct zip3 {
	short lo, hi;
	char st[3];
} zip3[] = {
	{5, 5, "NY"}, {6, 7, "PR"}, {8, 8, "VI"}, {9, 9, "PR"},
	{10, 27, "MA"}, {28, 29, "RI"}, {30, 38, "NH"}, {39, 49, "ME"},
	{50, 54, "VT"}, {55, 55, "MA"}, {56, 59, "VT"}, {60, 69, "CT"},
	{70, 89, "NJ"}, {100, 149, "NY"}, {150, 196, "PA"}, {197, 199, "DE"},
	{200, 200, "DC"}, {201, 201, "VA"}, {202, 205, "DC"}, {206, 219, "MD"},
	{220, 246, "VA"}, {247, 268, "WV"}, {270, 289, "NC"}, {290, 299, "SC"},
	{300, 319, "GA"}, {320, 339, "FL"}, {341, 349, "FL"}, {350, 369, "AL"},
	{370, 385, "TN"}, {386, 397, "MS"}, {398, 399, "GA"}, {400, 427, "KY"},
	{430, 459, "OH"}, {460, 479, "IN"}, {480, 499, "MI"}, {500, 528, "IA"},
	{530, 549, "WI"}, {550, 567, "MN"}, {569, 569, "DC"}, {570, 577, "SD"},
	{580, 588, "ND"}, {590, 599, "MT"}, {600, 629, "IL"}, {630, 658, "MO"},
	{660, 679, "KS"}, {680, 693, "NE"}, {700, 714, "LA"}, {716, 729, "AR"},
	{730, 732, "OK"}, {733, 733, "TX"}, {734, 749, "OK"}, {750, 799, "TX"},
	{800, 816, "CO"}, {820, 831, "WY"}, {832, 838, "ID"}, {840, 847, "UT"},
	{850, 865, "AZ"}, {870, 884, "NM"}, {885, 885, "TX"}, {889, 898, "NV"},
	{900, 961, "CA"}, {967, 968, "HI"}, {970, 979, "OR"}, {980, 994, "WA"},
	{995, 999, "AK"},
};

static int is_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

const char *smab_ml_zip_state(const char *zip)
{
	if (!zip)
		return NULL;
	size_t n = strlen(zip);
	if (!(n == 5 && is_digits(zip, 5)) &&
	    !(n == 10 && is_digits(zip, 5) && zip[5] == '-' && is_digits(zip + 6, 4)))
		return NULL;
	int p = (zip[0] - '0') * 100 + (zip[1] - '0') * 10 + (zip[2] - '0');
	for (size_t k = 0; k < sizeof zip3 / sizeof zip3[0]; k++)
		if (p >= zip3[k].lo && p <= zip3[k].hi)
			return zip3[k].st;
	return NULL;
}

/* ---- user groups ------------------------------------------------------------ */

static const char *const gender_name[] = {"M", "F"};
/* The MovieLens-1M age buckets, by their lower bounds. */
static const char *const age_name[] = {
	"<18", "18-24", "25-34", "35-44", "45-49", "50-55", "56+"
};
static const int age_lo[] = {0, 18, 25, 35, 45, 50, 56};
static const char *const occ_group_name[] = {
	"student", "technical", "management", "creative", "academic",
	"business", "healthcare", "non-professional"
};

/* The occupations of u.occupation (in its order) and their groups:
 *   student          student
 *   technical        engineer, programmer, technician, scientist
 *   management       executive, administrator
 *   creative         artist, writer, entertainment
 *   academic         educator, librarian
 *   business         marketing, salesman, lawyer
 *   healthcare       healthcare, doctor
 *   non-professional homemaker, retired, none, other */
static const smab_ml_occ_map occ_map[] = {
	{"administrator", 2}, {"artist", 3}, {"doctor", 6}, {"educator", 4},
	{"engineer", 1}, {"entertainment", 3}, {"executive", 2},
	{"healthcare", 6}, {"homemaker", 7}, {"lawyer", 5}, {"librarian", 4},
	{"marketing", 5}, {"none", 7}, {"other", 7}, {"programmer", 1},
	{"retired", 7}, {"salesman", 5}, {"scientist", 1}, {"student", 0},
	{"technician", 1}, {"writer", 3},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const smab_ml_occ_map *smab_ml_occ_mapping(int *n)
{
	if (n)
		*n = COUNT(occ_map);
	return occ_map;
}

int smab_ml_occ_group(const char *occupation)
{
	if (!occupation)
		return -1;
	for (int k = 0; k < COUNT(occ_map); k++)
		if (!strcmp(occ_map[k].occupation, occupation))
			return occ_map[k].group;
	return -1;
}

const char *smab_ml_group_name(int grouping, int g)
{
	switch (grouping) {
	case SMAB_ML_GENDER:
		return g >= 0 && g < COUNT(gender_name) ? gender_name[g] : NULL;
	case SMAB_ML_AGE:
		return g >= 0 && g < COUNT(age_name) ? age_name[g] : NULL;
	case SMAB_ML_OCCUPATION:
		return g >= 0 && g < COUNT(occ_group_name) ? occ_group_name[g] : NULL;
	default:
		return NULL;
	}
}

typedef struct state_count {
	const char *st;
	int n;
} state_count;

/* More users first, then the code in alphabetical order: a total order, so
 * the ranking does not depend on qsort's stability. */
static int by_users(const void *a, const void *b)
{
	const state_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->st, y->st);
}

/* Append "name" (with a comma before all but the first) to names. */
static int add_name(char *names, size_t cap, size_t *used, const char *name)
{
	size_t n = strlen(name) + (*used ? 1 : 0);
	if (*used + n + 1 > cap)
		return 0;
	if (*used)
		names[(*used)++] = ',';
	memcpy(names + *used, name, strlen(name) + 1);
	*used += strlen(name);
	return 1;
}

int smab_ml_groups(const smab_ml_data *ml, int grouping, int nstates,
                   int *group, char *names, size_t nameslen, char *err,
                   size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!ml || !group || ml->nusers < 1) {
		smab_errf(err, errlen, "smab_ml_groups: no data or no output array");
		return -SMAB_EINVAL;
	}
	int nu = ml->nusers, ng = 0;
	const char *name[ML_MAXSTATES > 8 ? ML_MAXSTATES : 8];
	switch (grouping) {
	case SMAB_ML_GENDER:
		ng = COUNT(gender_name);
		for (int u = 0; u < nu; u++)
			group[u] = ml->gender[u] == 'F';
		for (int g = 0; g < ng; g++)
			name[g] = gender_name[g];
		break;
	case SMAB_ML_AGE:
		ng = COUNT(age_name);
		for (int u = 0; u < nu; u++) {
			int g = 0;
			while (g + 1 < ng && ml->age[u] >= age_lo[g + 1])
				g++;
			group[u] = g;
		}
		for (int g = 0; g < ng; g++)
			name[g] = age_name[g];
		break;
	case SMAB_ML_OCCUPATION:
		ng = COUNT(occ_group_name);
		for (int u = 0; u < nu; u++) {
			const char *occ = ml->occ_name[ml->occupation[u]];
			group[u] = smab_ml_occ_group(occ);
			if (group[u] < 0) {
				smab_errf(err, errlen, "occupation '%s' (user %d) is in no "
				          "occupation group", occ, u + 1);
				return -SMAB_EINVAL;
			}
		}
		for (int g = 0; g < ng; g++)
			name[g] = occ_group_name[g];
		break;
	case SMAB_ML_STATE: {
		if (nstates < 1 || nstates > ML_MAXSTATES) {
			smab_errf(err, errlen, "number of states %d: expected 1..%d", nstates,
			          ML_MAXSTATES);
			return -SMAB_EINVAL;
		}
		/* Every code the zip table can return has a slot. */
		state_count cnt[COUNT(zip3)];
		int ns = 0;
		for (int u = 0; u < nu; u++) {
			const char *st = smab_ml_zip_state(ml->zip[u]);
			if (!st)
				continue;
			int k = 0;
			while (k < ns && strcmp(cnt[k].st, st))
				k++;
			if (k == ns)
				cnt[ns++] = (state_count){st, 0};
			cnt[k].n++;
		}
		qsort(cnt, (size_t)ns, sizeof cnt[0], by_users);
		ng = ns < nstates ? ns : nstates;
		if (ng == 0) {
			smab_errf(err, errlen, "no user has a US zip code");
			return -SMAB_EINVAL;
		}
		for (int u = 0; u < nu; u++) {
			const char *st = smab_ml_zip_state(ml->zip[u]);
			group[u] = -1;
			for (int g = 0; st && g < ng; g++)
				if (!strcmp(cnt[g].st, st))
					group[u] = g;
		}
		for (int g = 0; g < ng; g++)
			name[g] = cnt[g].st;
		break;
	}
	default:
		smab_errf(err, errlen, "unknown MovieLens grouping %d", grouping);
		return -SMAB_EINVAL;
	}
	if (names && nameslen) {
		size_t used = 0;
		names[0] = '\0';
		for (int g = 0; g < ng; g++)
			if (!add_name(names, nameslen, &used, name[g])) {
				smab_errf(err, errlen, "group names need more than %zu bytes",
				          nameslen);
				return -SMAB_EINVAL;
			}
	}
	return ng;
}

/* ---- the embedding ------------------------------------------------------------ */

void smab_ml_embed_free(smab_ml_embed *em)
{
	if (!em)
		return;
	free(em->user);
	free(em->item);
	free(em->theta);
	free(em->best);
	memset(em, 0, sizeof *em);
}

/* Rows of the least-squares design processed at once: 8192 x 100 doubles
 * (6.5 MB) instead of the whole 100,000 x 100 (80 MB). */
enum { ML_CHUNK = 8192 };

/* The truncated SVD.  With m = min(nusers, nitems), the m x m Gram matrix
 * G = R R^T (or R^T R) is formed by one DSYRK and its top d eigenpairs
 * (lambda = s^2, the left singular vectors) taken by DSYEVR; the other side
 * is R^T U S^-1; component k of user a lands at user[a * ld + k].  That costs about a third of a full DGESDD of the
 * 943 x 1682 matrix.  Squaring the matrix squares its condition, but only
 * the top d singular values are kept: their relative error is about
 * eps (s_1 / s_d)^2, far below anything the bandit can see. */
static int truncated_svd(const smab_ml_data *ml, int d, int ld, const double *R,
                         double *user, double *item, char *err, size_t errlen)
{
	int nu = ml->nusers, ni = ml->nitems;
	int tr = nu > ni;                 /* Gram on the movies' side */
	int m = tr ? ni : nu, n = tr ? nu : ni;
	double *G = smab_xmalloc((size_t)m * (size_t)m * sizeof *G);
	cblas_dsyrk(CblasRowMajor, CblasUpper, tr ? CblasTrans : CblasNoTrans, m,
	            n, 1.0, R, ni, 0.0, G, m);
	double *w = smab_xmalloc((size_t)m * sizeof *w);
	double *Z = smab_xmalloc((size_t)m * (size_t)d * sizeof *Z);
	lapack_int *isuppz = smab_xmalloc(2 * (size_t)m * sizeof *isuppz);
	lapack_int found = 0;
	lapack_int info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', m, G, m,
	                                 0.0, 0.0, m - d + 1, m,
	                                 LAPACKE_dlamch('S'), &found, w, Z, d,
	                                 isuppz);
	free(isuppz);
	free(G);
	if (info != 0 || found != d) {
		smab_errf(err, errlen, "eigen-decomposition of the rating matrix failed "
		          "(dsyevr info %d, %d of %d eigenpairs)", (int)info, (int)found, d);
		free(w);
		free(Z);
		return SMAB_EINTERNAL;
	}
	/* The other side, before the division by s: O = R^T Z (n x d). */
	double *O = smab_xmalloc((size_t)n * (size_t)d * sizeof *O);
	cblas_dgemm(CblasRowMajor, tr ? CblasNoTrans : CblasTrans, CblasNoTrans,
	            n, d, m, 1.0, R, ni, Z, d, 0.0, O, d);
	int st = SMAB_OK;
	double top = w[d - 1];
	for (int k = 0; k < d; k++) {
		int j = d - 1 - k;            /* dsyevr sorts ascending */
		double lam = w[j];
		if (!(lam > top * (double)m * DBL_EPSILON)) {
			smab_errf(err, errlen, "the rating matrix has rank below d = %d "
			          "(singular value %d is %g)", d, k + 1, sqrt(fmax(lam, 0.0)));
			st = SMAB_EINVAL;
			break;
		}
		double s = sqrt(lam), rs = sqrt(s);
		double *gu = tr ? item : user, *ot = tr ? user : item;
		for (int a = 0; a < m; a++)
			gu[(size_t)a * (size_t)ld + (size_t)k] = Z[(size_t)a * (size_t)d + (size_t)j] * rs;
		for (int b = 0; b < n; b++)
			ot[(size_t)b * (size_t)ld + (size_t)k] = O[(size_t)b * (size_t)d + (size_t)j] / rs;
		/* A singular pair is defined up to a common sign: make the largest
		 * |component| of the movie vector positive (first one on ties). */
		int arg = 0;
		for (int i = 1; i < ni; i++)
			if (fabs(item[(size_t)i * (size_t)ld + (size_t)k]) >
			    fabs(item[(size_t)arg * (size_t)ld + (size_t)k]))
				arg = i;
		if (item[(size_t)arg * (size_t)ld + (size_t)k] < 0) {
			for (int u = 0; u < nu; u++)
				user[(size_t)u * (size_t)ld + (size_t)k] *= -1.0;
			for (int i = 0; i < ni; i++)
				item[(size_t)i * (size_t)ld + (size_t)k] *= -1.0;
		}
	}
	free(O);
	free(w);
	free(Z);
	return st;
}

/* M = A B^T row by row maximum: out[r] = max_c (A B^T)[r][c], A nu x d,
 * B ni x d; M is nu x ni scratch. */
static void row_max(const double *A, const double *B, int nu, int ni, int d,
                    double *M, double *out)
{
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nu, ni, d, 1.0, A, d,
	            B, d, 0.0, M, ni);
	for (int u = 0; u < nu; u++) {
		const double *row = M + (size_t)u * (size_t)ni;
		double mx = row[0];
		for (int i = 1; i < ni; i++)
			mx = row[i] > mx ? row[i] : mx;
		out[u] = mx;
	}
}

int smab_ml_embed_make(const smab_ml_data *ml, int d, smab_ml_embed *out,
                       char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return SMAB_EINVAL;
	memset(out, 0, sizeof *out);
	if (!ml || ml->nusers < 1 || ml->nitems < 1 || ml->nratings < 1) {
		smab_errf(err, errlen, "no MovieLens data");
		return SMAB_EINVAL;
	}
	int nu = ml->nusers, ni = ml->nitems, nr = ml->nratings;
	int dmax = nu < ni ? nu : ni;
	if (d < 1 || d > dmax) {
		smab_errf(err, errlen, "embedding dimension %d: expected 1..%d", d, dmax);
		return SMAB_EINVAL;
	}
	/* One OpenBLAS thread, so the sums are taken in one order whatever the
	 * machine: the embedding is then the same bits on every run.  A thread
	 * count the user set through OPENBLAS_NUM_THREADS (which
	 * smab_linalg_setup respects) would change the last bits of the SVD,
	 * so it is set aside here and restored at the end; the embedding takes
	 * 0.2 s on one thread anyway. */
	smab_linalg_setup();
	int threads = openblas_get_num_threads();
	openblas_set_num_threads(1);
	size_t sd = (size_t)d, snu = (size_t)nu, sni = (size_t)ni;
	/* The ratings centred on their mean; unrated cells 0, i.e. predicted
	 * at the mean rather than at 0. */
	double mean = 0.0;
	for (int r = 0; r < nr; r++)
		mean += ml->r_value[r];
	mean /= nr;
	double *R = smab_xcalloc(snu * sni, sizeof *R);
	for (int r = 0; r < nr; r++)
		R[(size_t)ml->r_user[r] * sni + (size_t)ml->r_item[r]] = ml->r_value[r] - mean;
	out->d = d;
	out->nusers = nu;
	out->nitems = ni;
	out->user = smab_xmalloc(snu * sd * sizeof(double));
	out->item = smab_xmalloc(sni * sd * sizeof(double));
	out->theta = smab_xmalloc(sd * sizeof(double));
	out->best = smab_xmalloc(snu * sizeof(double));
	/* d - 1 singular components, then a constant last coordinate (the
	 * intercept: x(u, i)'s last entry is the same for every pair). */
	int st = d > 1 ? truncated_svd(ml, d - 1, d, R, out->user, out->item, err, errlen)
	               : SMAB_OK;
	for (int u = 0; u < nu; u++)
		out->user[(size_t)u * sd + sd - 1] = 1.0;
	for (int i = 0; i < ni; i++)
		out->item[(size_t)i * sd + sd - 1] = 1.0;
	if (st) {
		free(R);
		smab_ml_embed_free(out);
		openblas_set_num_threads(threads);
		return st;
	}
	double *M = R;                    /* nu x ni scratch from here on */

	/* The mean of ||x(u, i)||^2 = sum_k user[u,k]^2 item[i,k]^2 over all
	 * pairs is sum_k (mean_u user[u,k]^2) (mean_i item[i,k]^2); scale it to
	 * 1, so a typical action has norm about 1 and the ridge lambda = 1 of
	 * the learners weighs like one observation. */
	double *A = smab_xmalloc(snu * sd * sizeof *A);
	double ms = 0.0;
	for (int k = 0; k < d; k++) {
		double a2 = 0.0, b2 = 0.0;
		for (int u = 0; u < nu; u++)
			a2 += out->user[(size_t)u * sd + (size_t)k] * out->user[(size_t)u * sd + (size_t)k];
		for (int i = 0; i < ni; i++)
			b2 += out->item[(size_t)i * sd + (size_t)k] * out->item[(size_t)i * sd + (size_t)k];
		ms += (a2 / nu) * (b2 / ni);
	}
	/* x scales with c^2 when both factors scale with c. */
	double c = 1.0 / sqrt(sqrt(ms));
	for (size_t k = 0; k < snu * sd; k++)
		out->user[k] *= c;
	for (size_t k = 0; k < sni * sd; k++)
		out->item[k] *= c;

	/* theta: normal equations (X^T X) theta = X^T r, accumulated over
	 * chunks of ratings by DSYRK and DGEMV, solved by DPOSV. */
	double *X = smab_xmalloc((size_t)ML_CHUNK * sd * sizeof *X);
	double *gram = smab_xcalloc(sd * sd, sizeof *gram);
	double *rhs = out->theta;
	memset(rhs, 0, sd * sizeof *rhs);
	for (int r0 = 0; r0 < nr; r0 += ML_CHUNK) {
		int rows = nr - r0 < ML_CHUNK ? nr - r0 : ML_CHUNK;
		for (int r = 0; r < rows; r++) {
			const double *pu = out->user + (size_t)ml->r_user[r0 + r] * sd;
			const double *pi = out->item + (size_t)ml->r_item[r0 + r] * sd;
			double *x = X + (size_t)r * sd;
			for (int k = 0; k < d; k++)
				x[k] = pu[k] * pi[k];
		}
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, rows, 1.0, X, d,
		            1.0, gram, d);
		cblas_dgemv(CblasRowMajor, CblasTrans, rows, d, 1.0, X, d,
		            ml->r_value + r0, 1, 1.0, rhs, 1);
	}
	free(X);
	if (smab_linalg_spd_solve(d, gram, rhs) != SMAB_OK) {
		smab_errf(err, errlen, "least-squares fit of theta failed: the Gram matrix "
		          "of the %d actions rated is singular", nr);
		st = SMAB_EINVAL;
	}
	free(gram);
	if (!st) {
		double ss = 0.0;
		for (int r = 0; r < nr; r++) {
			const double *pu = out->user + (size_t)ml->r_user[r] * sd;
			const double *pi = out->item + (size_t)ml->r_item[r] * sd;
			double pred = 0.0;
			for (int k = 0; k < d; k++)
				pred += out->theta[k] * pu[k] * pi[k];
			double e = pred - ml->r_value[r];
			ss += e * e;
		}
		out->rmse = sqrt(ss / nr);
		/* best[u] = max_i (user[u] * theta) . item[i]. */
		for (int u = 0; u < nu; u++)
			for (int k = 0; k < d; k++)
				A[(size_t)u * sd + (size_t)k] =
					out->user[(size_t)u * sd + (size_t)k] * out->theta[k];
		row_max(A, out->item, nu, ni, d, M, out->best);
	}
	free(A);
	free(R);
	if (st)
		smab_ml_embed_free(out);
	openblas_set_num_threads(threads);
	return st;
}
