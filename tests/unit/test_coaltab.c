/* test_coaltab.c - 'smab shapley' on synthetic result files whose games
 * have closed-form Shapley values (airport, glove), written here with plain
 * serial HDF5 in the layout a coalition run writes. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "check_util.h"
#include "smab/coaltab.h"
#include "smab/outfile.h"
#include "smab/shapley.h"
#include "smab/stats.h"

/* ---- a fake result file ------------------------------------------------ */

enum { MAXP = 64, MAXR = 8 };

/* The value of coalition 'mask' in game 'kind' (0 airport with costs
 * 1, 2, 4, 8, ...; 1 glove: agent 0 a left glove, the others right). */
static double game_value(int kind, uint32_t mask)
{
	if (kind == 1)
		return (mask & 1u) && (mask & ~1u) ? 1.0 : 0.0;
	double mx = 0.0;
	for (int a = 0; a < 16; a++)
		if (mask & (1u << a))
			mx = ldexp(1.0, a);
	return -mx;
}

typedef struct fake {
	const char *suite, *agents;   /* agents NULL: not a coalition file */
	int M, R, P;
	uint32_t mask[MAXP];
	int kind[MAXP];               /* the game of each point (the K column) */
	double eps[MAXR];             /* replication r scales every regret by 1 + eps[r] */
	unsigned char done[MAXP * MAXR];
	const int64_t *perms;         /* coalition_perms, or NULL */
	int nperm;
	uint32_t nan_mask;            /* a coalition whose every regret is NaN, or 0 */
	int nmech;                    /* mechanisms "alg", "alg2", ...; 0 means 1.
	                               * Mechanism k's regrets are (k + 1) times
	                               * alg's, so its Shapley values are too. */
	int from0;                    /* 1: name agents regret_a0 .. regret_a15, as
	                               * files did before agents were numbered
	                               * from 1 */
} fake;

/* Every member of C carries -v(C)/|C| (times 1 + eps[r]): the coalition's
 * value is v(C), so the Shapley value is the game's. */
static double fake_regret(const fake *f, int p, int r, int a)
{
	uint32_t m = f->mask[p];
	if (!(m & (1u << a)) || m == f->nan_mask)
		return NAN;
	return -game_value(f->kind[p], m) / smab_coal_size(m) * (1.0 + f->eps[r]);
}

static void put_str(hid_t loc, const char *name, const char *s)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	H5Tset_size(t, strlen(s) + 1);
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
	ck_assert(a >= 0);
	ck_assert(H5Awrite(a, t, s) >= 0);
	H5Aclose(a);
	H5Sclose(sp);
	H5Tclose(t);
}

static void put_i64(hid_t loc, const char *name, const int64_t *v, hsize_t n, int scalar)
{
	hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
	hid_t a = H5Acreate2(loc, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
	ck_assert(a >= 0);
	ck_assert(H5Awrite(a, H5T_NATIVE_INT64, v) >= 0);
	H5Aclose(a);
	H5Sclose(sp);
}

static void put_dset(hid_t f, const char *path, hid_t ft, hid_t mt, int rank,
                     const hsize_t *dims, const void *buf)
{
	hid_t sp = H5Screate_simple(rank, dims, NULL);
	hid_t d = H5Dcreate2(f, path, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	ck_assert(d >= 0);
	ck_assert(H5Dwrite(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
	H5Dclose(d);
	H5Sclose(sp);
}

typedef struct point_row {
	int64_t id;
	double k, coalition;
} point_row;

static void fake_write(const char *path, const fake *f)
{
	hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	ck_assert(file >= 0);
	put_str(file, "suite", f->suite);
	if (f->agents)
		put_str(file, "agents", f->agents);
	int nmech = f->nmech > 0 ? f->nmech : 1;
	char mechs[64] = "alg";
	for (int k = 1; k < nmech; k++)
		snprintf(mechs + strlen(mechs), sizeof mechs - strlen(mechs), ",alg%d", k + 1);
	put_str(file, "mechanisms", mechs);
	char metrics[512] = "regret";
	for (int k = 0; k < 16; k++)
		snprintf(metrics + strlen(metrics), sizeof metrics - strlen(metrics),
		         ",regret_a%d", k + !f->from0);
	put_str(file, "metrics", metrics);
	int64_t R = f->R, P = f->P;
	put_i64(file, "replications", &R, 1, 1);
	put_i64(file, "npoints", &P, 1, 1);
	if (f->perms)
		put_i64(file, "coalition_perms", f->perms, (hsize_t)(f->nperm * f->M), 0);

	point_row rows[MAXP];
	for (int p = 0; p < f->P; p++)
		rows[p] = (point_row){p, f->kind[p] + 1.0, f->mask[p]};
	hid_t pt = H5Tcreate(H5T_COMPOUND, sizeof(point_row));
	H5Tinsert(pt, "id", HOFFSET(point_row, id), H5T_NATIVE_INT64);
	H5Tinsert(pt, "K", HOFFSET(point_row, k), H5T_NATIVE_DOUBLE);
	H5Tinsert(pt, "coalition", HOFFSET(point_row, coalition), H5T_NATIVE_DOUBLE);
	hsize_t dp = (hsize_t)f->P, d2[2] = {(hsize_t)f->P, (hsize_t)f->R};
	hsize_t dc[2] = {(hsize_t)f->P, 1};
	put_dset(file, "/points", pt, pt, 1, &dp, rows);
	H5Tclose(pt);

	H5Gclose(H5Gcreate2(file, "/tasks", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
	H5Gclose(H5Gcreate2(file, "/results", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
	put_dset(file, "/tasks/done", H5T_STD_U8LE, H5T_NATIVE_UCHAR, 2, d2, f->done);
	int64_t ck[MAXP];
	for (int p = 0; p < f->P; p++)
		ck[p] = 100;
	put_dset(file, "/results/checkpoints", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, dc, ck);
	for (int k = 0; k < nmech; k++) {
		char grp[64], name[96];
		if (k)
			snprintf(grp, sizeof grp, "/results/alg%d", k + 1);
		else
			snprintf(grp, sizeof grp, "/results/alg");
		H5Gclose(H5Gcreate2(file, grp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
		double x[MAXP * MAXR], tot[MAXP * MAXR];
		for (int i = 0; i < f->P * f->R; i++)
			tot[i] = 0.0;
		for (int a = 0; a < 16; a++) {
			for (int p = 0; p < f->P; p++)
				for (int r = 0; r < f->R; r++) {
					int i = p * f->R + r;
					/* A task not done holds garbage: it must not count. */
					x[i] = !f->done[i] && (f->mask[p] & (1u << a)) ? 1e6
					       : a < f->M ? (k + 1) * fake_regret(f, p, r, a) : NAN;
					if (!isnan(x[i]))
						tot[i] += x[i];
				}
			snprintf(name, sizeof name, "%s/regret_a%d", grp, a + !f->from0);
			put_dset(file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, x);
		}
		snprintf(name, sizeof name, "%s/regret", grp);
		put_dset(file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, tot);
	}
	ck_assert(H5Fclose(file) >= 0);
}

/* Every coalition of M agents in smab_coal_all order, for each game kind in
 * kinds[0..nk-1], interleaved (point 0 game 0, point 1 game 1, ...). */
static void fake_exact(fake *f, int M, int R, const int *kinds, int nk)
{
	memset(f, 0, sizeof *f);
	f->suite = "coalition";
	f->agents = M == 3 ? "L,R1,R2" : "a,b,c,d";
	f->M = M;
	f->R = R;
	uint32_t m[1u << 4];
	int n = smab_coal_all(M, m);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < nk; k++) {
			f->mask[f->P] = m[i];
			f->kind[f->P++] = kinds[k];
		}
	for (int i = 0; i < f->P * R; i++)
		f->done[i] = 1;
	static const double eps[MAXR] = {-0.1, 0.0, 0.1, 0.5, 0.2, -0.2, 0.3, -0.3};
	memcpy(f->eps, eps, sizeof eps);
}

/* ---- reading the output back ------------------------------------------- */

static char tmpdir[256];

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/smab-coaltab-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static hid_t summary_type(void)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(smab_summary));
	H5Tinsert(t, "n", HOFFSET(smab_summary, n), H5T_NATIVE_INT64);
	H5Tinsert(t, "mean", HOFFSET(smab_summary, mean), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "sd", HOFFSET(smab_summary, sd), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "ci_lo", HOFFSET(smab_summary, ci_lo), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "ci_hi", HOFFSET(smab_summary, ci_hi), H5T_NATIVE_DOUBLE);
	return t;
}

/* Read dataset 'path' (n elements of memory type t) into buf; returns the
 * element count, -1 if it does not exist. */
static hssize_t read_all(const char *file, const char *path, hid_t t, void *buf)
{
	hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
	ck_assert(f >= 0);
	hssize_t n = -1;
	if (H5Lexists(f, "/coalition", H5P_DEFAULT) > 0 && H5Lexists(f, path, H5P_DEFAULT) > 0) {
		hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
		hid_t sp = H5Dget_space(d);
		n = H5Sget_simple_extent_npoints(sp);
		if (n > 0)
			ck_assert(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
		H5Sclose(sp);
		H5Dclose(d);
	}
	H5Fclose(f);
	return n;
}

typedef struct checks {
	int in_core;
	uint32_t worst;
	double excess;
	int convex;
	int64_t cv, cc, av, ac, as;
	int pay_in_core;
	int a3_rule;
} checks;

static hid_t checks_type(void)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(checks));
	H5Tinsert(t, "in_core", HOFFSET(checks, in_core), H5T_NATIVE_INT);
	H5Tinsert(t, "core_worst_mask", HOFFSET(checks, worst), H5T_NATIVE_UINT32);
	H5Tinsert(t, "core_excess", HOFFSET(checks, excess), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "convex", HOFFSET(checks, convex), H5T_NATIVE_INT);
	H5Tinsert(t, "convex_violations", HOFFSET(checks, cv), H5T_NATIVE_INT64);
	H5Tinsert(t, "convex_checked", HOFFSET(checks, cc), H5T_NATIVE_INT64);
	H5Tinsert(t, "a3_violations", HOFFSET(checks, av), H5T_NATIVE_INT64);
	H5Tinsert(t, "a3_checked", HOFFSET(checks, ac), H5T_NATIVE_INT64);
	H5Tinsert(t, "a3_significant", HOFFSET(checks, as), H5T_NATIVE_INT64);
	H5Tinsert(t, "payout_in_core", HOFFSET(checks, pay_in_core), H5T_NATIVE_INT);
	H5Tinsert(t, "a3_rule", HOFFSET(checks, a3_rule), H5T_NATIVE_INT);
	return t;
}

static void read_attr_str(const char *file, const char *obj, const char *name, char *buf,
                          size_t len)
{
	hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
	ck_assert(a >= 0);
	hid_t t = H5Aget_type(a);
	ck_assert(H5Tis_variable_str(t) > 0);
	char *v = NULL;
	ck_assert(H5Aread(a, t, &v) >= 0);
	snprintf(buf, len, "%s", v ? v : "");
	H5free_memory(v);
	H5Tclose(t);
	H5Aclose(a);
	H5Fclose(f);
}

static int run(const char *path, FILE *out, int all, int csv, int write, char *err)
{
	smab_coaltab_opts o = {.out = out, .all = all, .csv = csv, .write = write};
	return smab_coaltab(path, &o, err, 512);
}

/* ---- tests ------------------------------------------------------------- */

/* Two games in one file, their points interleaved: the airport game with
 * costs (1, 2, 4) (Littlechild-Owen: phi = (-1/3, -5/6, -17/6); convex, so
 * phi is in the core) and the glove game (phi = (2/3, 1/6, 1/6); its core
 * is the single point (1, 0, 0), so phi is not in it; not convex). */
START_TEST(test_exact_two_games)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/exact.h5", tmpdir);
	fake f;
	static const int kinds[2] = {0, 1};
	fake_exact(&f, 3, 3, kinds, 2);
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);

	char design[32];
	read_attr_str(path, "/coalition", "design", design, sizeof design);
	ck_assert_str_eq(design, "exact");
	read_attr_str(path, "/coalition", "agents", design, sizeof design);
	ck_assert_str_eq(design, "L,R1,R2");

	uint32_t masks[16];
	int64_t game[32];
	ck_assert_int_eq(read_all(path, "/coalition/masks", H5T_NATIVE_UINT32, masks), 7);
	ck_assert_int_eq(read_all(path, "/coalition/game", H5T_NATIVE_INT64, game), 14);
	for (int i = 0; i < 7; i++) {
		ck_assert_uint_eq(masks[i], f.mask[2 * i]);
		ck_assert_int_eq(game[2 * i], 0);
		ck_assert_int_eq(game[2 * i + 1], 1);
	}

	hid_t st = summary_type();
	smab_summary sh[6], pay[6], reg[2 * 7 * 3], val[14];
	ck_assert_int_eq(read_all(path, "/coalition/alg/shapley", st, sh), 6);
	ck_assert_int_eq(read_all(path, "/coalition/alg/payout", st, pay), 6);
	ck_assert_int_eq(read_all(path, "/coalition/alg/regret", st, reg), 42);
	ck_assert_int_eq(read_all(path, "/coalition/alg/value", st, val), 14);
	static const double air[3] = {-1.0 / 3, -5.0 / 6, -17.0 / 6};
	static const double glove[3] = {2.0 / 3, 1.0 / 6, 1.0 / 6};
	for (int a = 0; a < 3; a++) {
		ck_assert_int_eq(sh[a].n, 3);
		ck_assert_double_eq_tol(sh[a].mean, air[a], 1e-12);
		ck_assert_double_eq_tol(sh[3 + a].mean, glove[a], 1e-12);
		ck_assert(sh[a].ci_lo < sh[a].mean && sh[a].mean < sh[a].ci_hi);
		/* The payout: -R_a^N = v(N)/3 each. */
		ck_assert_int_eq(pay[a].n, 3);
		ck_assert_double_eq_tol(pay[a].mean, -4.0 / 3, 1e-12);
		ck_assert_double_eq_tol(pay[3 + a].mean, 1.0 / 3, 1e-12);
	}
	/* Regret of agent 2 in (1, 2) in the airport game: 4/2; agent 0 is not
	 * a member (n = 0). */
	int c12 = 5;   /* masks: 1 2 4 3 5 6 7 */
	ck_assert_uint_eq(masks[c12], 6);
	ck_assert_double_eq_tol(reg[(0 * 7 + c12) * 3 + 2].mean, 2.0, 1e-12);
	ck_assert_int_eq(reg[(0 * 7 + c12) * 3 + 0].n, 0);
	ck_assert_double_eq_tol(val[0 * 7 + c12].mean, -4.0, 1e-12);
	ck_assert_double_eq_tol(val[1 * 7 + 6].mean, 1.0, 1e-12);

	hid_t ct = checks_type();
	checks ck[2];
	ck_assert_int_eq(read_all(path, "/coalition/alg/checks", ct, ck), 2);
	ck_assert_int_eq(ck[0].in_core, 1);
	ck_assert_int_eq(ck[0].convex, 1);
	ck_assert_int_eq(ck[0].cv, 0);
	ck_assert_int_eq(ck[0].cc, 6);   /* 2^(M-2) C(M,2) */
	/* Equal split of the airport cost: agent 0 pays 4/3 > its 1 alone. */
	ck_assert_int_eq(ck[0].pay_in_core, 0);
	/* Airport, equal split: agent 0 in (0, 2) carries 2 > 1 alone; in N
	 * agents 0 and 1 carry 4/3 > 1 in (0, 1).  Every pair's difference is
	 * a multiple of 1 + eps, so all three are significant. */
	ck_assert_int_eq(ck[0].av, 3);
	ck_assert_int_eq(ck[0].ac, 12);
	ck_assert_int_eq(ck[0].as, 3);
	ck_assert_int_eq(ck[1].in_core, 0);
	ck_assert_uint_eq(ck[1].worst, 3);
	ck_assert_double_eq_tol(ck[1].excess, 1.0 / 6, 1e-12);
	ck_assert_int_eq(ck[1].convex, 0);
	ck_assert_int_eq(ck[1].pay_in_core, 0);
	/* Glove: in N each carries -1/3 > -1/2 in a pair holding it and agent 0. */
	ck_assert_int_eq(ck[1].av, 4);
	ck_assert_int_eq(ck[1].as, 4);
	H5Tclose(ct);
	H5Tclose(st);

	/* A second call replaces /coalition whole. */
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
	ck_assert_int_eq(read_all(path, "/coalition/masks", H5T_NATIVE_UINT32, masks), 7);
}
END_TEST

/* A file that numbers its agents from 0 (regret_a0 ..) gives the tables
 * of the same file numbered from 1: the airport game's Shapley values. */
START_TEST(test_agents_from_zero)
{
	char path[300], err[512] = "";
	static const int kinds[1] = {0};
	static const double air[3] = {-1.0 / 3, -5.0 / 6, -17.0 / 6};
	for (int from0 = 0; from0 < 2; from0++) {
		snprintf(path, sizeof path, "%s/from%d.h5", tmpdir, from0);
		fake f;
		fake_exact(&f, 3, 3, kinds, 1);
		f.from0 = from0;
		fake_write(path, &f);
		ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
		hid_t st = summary_type();
		smab_summary sh[3];
		ck_assert_int_eq(read_all(path, "/coalition/alg/shapley", st, sh), 3);
		for (int a = 0; a < 3; a++)
			ck_assert_double_eq_tol(sh[a].mean, air[a], 1e-12);
		H5Tclose(st);
	}
}
END_TEST

/* A row of /coalition/<mech>/assumption3, the fields the tests read. */
typedef struct a3row {
	int64_t game;
	int agent;
	uint32_t q, s;
	double rq_mean, rs_mean, ratio, diff_mean, diff_lo;
} a3row;

static hid_t a3row_type(void)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(a3row));
	H5Tinsert(t, "game", HOFFSET(a3row, game), H5T_NATIVE_INT64);
	H5Tinsert(t, "agent", HOFFSET(a3row, agent), H5T_NATIVE_INT);
	H5Tinsert(t, "q", HOFFSET(a3row, q), H5T_NATIVE_UINT32);
	H5Tinsert(t, "s", HOFFSET(a3row, s), H5T_NATIVE_UINT32);
	H5Tinsert(t, "rq_mean", HOFFSET(a3row, rq_mean), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "rs_mean", HOFFSET(a3row, rs_mean), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "ratio", HOFFSET(a3row, ratio), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "diff_mean", HOFFSET(a3row, diff_mean), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "diff_lo", HOFFSET(a3row, diff_lo), H5T_NATIVE_DOUBLE);
	return t;
}

START_TEST(test_assumption3_rows)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/a3.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 3, kinds, 1);
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
	hid_t t = a3row_type();
	a3row r[8];
	ck_assert_int_eq(read_all(path, "/coalition/alg/assumption3", t, r), 3);
	H5Tclose(t);
	/* In scan order: Q = (1, 3) agent 1 vs (1); Q = N agent 1 vs (1, 2);
	 * Q = N agent 2 vs (1, 2): the file numbers agents from 1. */
	ck_assert_uint_eq(r[0].q, 5);
	ck_assert_uint_eq(r[0].s, 1);
	ck_assert_int_eq(r[0].agent, 1);
	ck_assert_double_eq_tol(r[0].rq_mean, 2.0, 1e-12);
	ck_assert_double_eq_tol(r[0].rs_mean, 1.0, 1e-12);
	ck_assert_double_eq_tol(r[0].ratio, 2.0, 1e-12);
	ck_assert_double_eq_tol(r[0].diff_mean, 1.0, 1e-12);
	ck_assert(r[0].diff_lo > 0.0);
	ck_assert_uint_eq(r[1].q, 7);
	ck_assert_uint_eq(r[1].s, 3);
	ck_assert_int_eq(r[1].agent, 1);
	ck_assert_uint_eq(r[2].q, 7);
	ck_assert_uint_eq(r[2].s, 3);
	ck_assert_int_eq(r[2].agent, 2);
	ck_assert_double_eq_tol(r[2].diff_mean, 1.0 / 3, 1e-12);
}
END_TEST

/* A replication missing for one coalition leaves the exact Shapley value
 * of that replication out (n = 3 of 4), but not the payout's. */
START_TEST(test_missing_replication)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/missing.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 4, kinds, 1);
	f.done[4 * f.R + 3] = 0;          /* point 4 = (0, 2), replication 3 */
	ck_assert_uint_eq(f.mask[4], 5);
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
	hid_t st = summary_type();
	smab_summary sh[3], pay[3], val[7];
	ck_assert_int_eq(read_all(path, "/coalition/alg/shapley", st, sh), 3);
	ck_assert_int_eq(read_all(path, "/coalition/alg/payout", st, pay), 3);
	ck_assert_int_eq(read_all(path, "/coalition/alg/value", st, val), 7);
	H5Tclose(st);
	static const double air[3] = {-1.0 / 3, -5.0 / 6, -17.0 / 6};
	for (int a = 0; a < 3; a++) {
		ck_assert_int_eq(sh[a].n, 3);
		/* eps of replications 0..2 average to 0: the mean is exact. */
		ck_assert_double_eq_tol(sh[a].mean, air[a], 1e-12);
		ck_assert_int_eq(pay[a].n, 4);
		ck_assert_double_eq_tol(pay[a].mean, -4.0 / 3 * 1.125, 1e-12);
	}
	ck_assert_int_eq(val[4].n, 3);
	ck_assert_double_eq_tol(val[4].mean, -4.0, 1e-12);
	ck_assert_int_eq(val[3].n, 4);
}
END_TEST

/* A sampled design: three orders of four agents, only their prefixes run.
 * Airport costs (1, 2, 4, 8); marginal contributions along the orders
 *   (0,1,2,3): -1 -1 -2 -4   (3,2,1,0): 0 0 0 -8   (1,3,0,2): 0 -2 0 -6
 * (agents 0..3), so the estimate is (-1/3, -1, -2/3, -6). */
START_TEST(test_permutation_design)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/perm.h5", tmpdir);
	static const int64_t perms[12] = {0, 1, 2, 3, 3, 2, 1, 0, 1, 3, 0, 2};
	int ip[12];
	uint32_t m[12];
	for (int i = 0; i < 12; i++)
		ip[i] = (int)perms[i];
	int n = smab_coal_perm_masks(4, 3, ip, m);
	ck_assert_int_eq(n, 10);
	fake f;
	memset(&f, 0, sizeof f);
	f.suite = "coalition";
	f.agents = "a,b,c,d";
	f.M = 4;
	f.R = 3;
	f.P = n;
	f.perms = perms;
	f.nperm = 3;
	for (int i = 0; i < n; i++)
		f.mask[i] = m[i];
	f.eps[0] = -0.1;
	f.eps[2] = 0.1;
	for (int i = 0; i < f.P * f.R; i++)
		f.done[i] = 1;
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
	char design[32];
	read_attr_str(path, "/coalition", "design", design, sizeof design);
	ck_assert_str_eq(design, "permutations");
	hid_t st = summary_type();
	smab_summary sh[4], pay[4];
	ck_assert_int_eq(read_all(path, "/coalition/alg/shapley", st, sh), 4);
	ck_assert_int_eq(read_all(path, "/coalition/alg/payout", st, pay), 4);
	H5Tclose(st);
	static const double want[4] = {-1.0 / 3, -1.0, -2.0 / 3, -6.0};
	for (int a = 0; a < 4; a++) {
		ck_assert_int_eq(sh[a].n, 3);
		ck_assert_double_eq_tol(sh[a].mean, want[a], 1e-12);
		ck_assert_double_eq_tol(pay[a].mean, -2.0, 1e-12);
	}
	/* The interval also counts the error of the 3 sampled orders: at least
	 * t_{0.975,2} sd_a / sqrt(3), sd_a the spread of agent a's marginal
	 * contributions over the orders in the replication-mean game. */
	smab_summary val[10];
	uint32_t cm[10];
	st = summary_type();
	ck_assert_int_eq(read_all(path, "/coalition/alg/value", st, val), n);
	H5Tclose(st);
	ck_assert_int_eq(read_all(path, "/coalition/masks", H5T_NATIVE_UINT32, cm), n);
	double vbar[16], phi[4], sdp[4];
	for (int s = 0; s < 16; s++)
		vbar[s] = s ? NAN : 0.0;
	for (int i = 0; i < n; i++)
		vbar[cm[i]] = val[i].mean;
	ck_assert_int_eq(smab_shapley_perm(4, vbar, 3, ip, phi, sdp), SMAB_OK);
	int wider = 0;
	for (int a = 0; a < 4; a++) {
		double hp = smab_t_quantile(0.975, 2) * sdp[a] / sqrt(3.0);
		ck_assert(sh[a].ci_hi - sh[a].mean >= hp - 1e-12);
		wider += hp > 0;
	}
	ck_assert_int_gt(wider, 0);
	hid_t ct = checks_type();
	checks ck;
	ck_assert_int_eq(read_all(path, "/coalition/alg/checks", ct, &ck), 1);
	H5Tclose(ct);
	ck_assert_int_eq(ck.in_core, -1);
	ck_assert_int_eq(ck.convex, -1);

	/* Without the orders the same coalitions are a partial design: no
	 * Shapley value. */
	f.perms = NULL;
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
	read_attr_str(path, "/coalition", "design", design, sizeof design);
	ck_assert_str_eq(design, "partial");
	st = summary_type();
	ck_assert_int_eq(read_all(path, "/coalition/alg/shapley", st, sh), -1);
	ck_assert_int_eq(read_all(path, "/coalition/alg/payout", st, pay), 4);
	H5Tclose(st);
}
END_TEST

START_TEST(test_print)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/print.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 3, kinds, 1);
	fake_write(path, &f);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_int_eq(run(path, out, 1, 0, 0, err), SMAB_OK);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(buf, "1=L 2=R1 3=R2"));
	ck_assert_ptr_nonnull(strstr(buf, "core: yes"));
	ck_assert_ptr_nonnull(strstr(buf, "convex: yes (0 of 6 triples violated)"));
	ck_assert_ptr_nonnull(strstr(buf, "Assumption 3 (S = Q minus one other agent, the paper's count): 3 of 12 pairs violated (3 significant)"));
	ck_assert_ptr_nonnull(strstr(buf, "(1, 2, 3)"));
	ck_assert_ptr_nonnull(strstr(buf, "regret per coalition"));
	free(buf);
	/* --no-write: the file is left alone. */
	uint32_t masks[8];
	ck_assert_int_eq(read_all(path, "/coalition/masks", H5T_NATIVE_UINT32, masks), -1);

	buf = NULL;
	out = open_memstream(&buf, &len);
	ck_assert_int_eq(run(path, out, 1, 1, 0, err), SMAB_OK);
	fclose(out);
	ck_assert(strncmp(buf, "mechanism,game,quantity,coalition,agent,agent_name,"
	                  "sub_coalition,n,mean,sd,ci_lo,ci_hi\n", 80) == 0);
	ck_assert_ptr_nonnull(strstr(buf, "\nalg,0,shapley,,1,L,,3,"));
	ck_assert_ptr_nonnull(strstr(buf, "\nalg,0,a3_ratio,\"(1, 3)\",1,L,(1),,2,,,\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nalg,0,in_core,,,,,,1,,,\n"));
	free(buf);
}
END_TEST

/* printed by the table of mechanism 'alg' for file 'path' */
static char *printed(const char *path)
{
	char err[512] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_int_eq(run(path, out, 0, 0, 0, err), SMAB_OK);
	fclose(out);
	return buf;
}

/* When the core and convexity are not checked, the line says the true
 * reason: it used to say "(exact design)" for an exact design whose game
 * had a coalition without a value (a mechanism that gave NaN). */
START_TEST(test_unchecked_reason)
{
	char path[300];
	snprintf(path, sizeof path, "%s/why.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 3, kinds, 1);
	f.nan_mask = 5;
	fake_write(path, &f);
	char *buf = printed(path);
	ck_assert_msg(strstr(buf, "core: not checked (coalition (1, 3) has no value: its mean "
	                     "regret is NaN); convex: not checked (coalition (1, 3) has no "
	                     "value: its mean regret is NaN)") != NULL, "%s", buf);
	ck_assert_ptr_null(strstr(buf, "exact design"));
	free(buf);

	/* a sampled design: the reason is the design */
	static const int64_t perms[6] = {0, 1, 2, 2, 1, 0};
	int ip[6];
	uint32_t m[6];
	for (int i = 0; i < 6; i++)
		ip[i] = (int)perms[i];
	memset(&f, 0, sizeof f);
	f.suite = "coalition";
	f.agents = "L,R1,R2";
	f.M = 3;
	f.R = 3;
	f.P = smab_coal_perm_masks(3, 2, ip, m);
	f.perms = perms;
	f.nperm = 2;
	for (int i = 0; i < f.P; i++)
		f.mask[i] = m[i];
	for (int i = 0; i < f.P * f.R; i++)
		f.done[i] = 1;
	fake_write(path, &f);
	buf = printed(path);
	ck_assert_msg(strstr(buf, "core: not checked (the design samples agent orders: not "
	                     "every coalition ran); convex: not checked (the design samples")
	              != NULL, "%s", buf);
	free(buf);
	/* the same coalitions without the orders: a partial design */
	f.perms = NULL;
	fake_write(path, &f);
	buf = printed(path);
	ck_assert_msg(strstr(buf, "core: not checked (not every coalition ran); convex: not "
	                     "checked (not every coalition ran)") != NULL, "%s", buf);
	free(buf);
}
END_TEST

/* A partial design with the singletons and the grand coalition only (as
 * {sizes: [1, 3]} runs): no coalition is the grand one minus one agent, so
 * Assumption 3 compares every sub-coalition that ran.  Airport game with
 * costs (1, 2, 4), each member carrying max cost / |C|: R^N = 4/3 for
 * everyone against R^{1} = 1, R^{2} = 2, R^{3} = 4, so agent 1 alone is
 * better off: 1 of 3 pairs violated, significant (the replications scale
 * both regrets alike, so the paired difference 1/3 (1 + eps_r) is > 0). */
START_TEST(test_assumption3_partial)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/a3p.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 3, kinds, 1);
	static const uint32_t masks[4] = {1, 2, 4, 7};
	f.P = 4;
	for (int i = 0; i < 4; i++)
		f.mask[i] = masks[i];
	fake_write(path, &f);
	char *buf = printed(path);
	ck_assert_msg(strstr(buf, "Assumption 3 (every sub-coalition S of Q that ran): "
	                     "1 of 3 pairs violated (1 significant)") != NULL, "%s", buf);
	free(buf);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
	hid_t ct = checks_type();
	checks ck;
	ck_assert_int_eq(read_all(path, "/coalition/alg/checks", ct, &ck), 1);
	H5Tclose(ct);
	ck_assert_int_eq(ck.av, 1);
	ck_assert_int_eq(ck.ac, 3);
	ck_assert_int_eq(ck.as, 1);
	ck_assert_int_eq(ck.a3_rule, SMAB_A3_SUBSETS);
	hid_t t = a3row_type();
	a3row r[4];
	ck_assert_int_eq(read_all(path, "/coalition/alg/assumption3", t, r), 1);
	H5Tclose(t);
	ck_assert_int_eq(r[0].agent, 1);
	ck_assert_uint_eq(r[0].q, 7);
	ck_assert_uint_eq(r[0].s, 1);
	ck_assert_double_eq_tol(r[0].rq_mean, 4.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(r[0].rs_mean, 1.0, 1e-12);
	ck_assert(r[0].diff_lo > 0.0);
	char desc[512];
	read_attr_str(path, "/coalition/alg/checks", "description", desc, sizeof desc);
	ck_assert_ptr_nonnull(strstr(desc, "a3_rule"));
}
END_TEST

START_TEST(test_errors)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/other.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 2, kinds, 1);
	f.suite = "strategic";
	f.agents = NULL;
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a coalition result file (suite strategic)"));

	snprintf(path, sizeof path, "%s/text.h5", tmpdir);
	FILE *t = fopen(path, "w");
	fputs("not hdf5\n", t);
	fclose(t);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not an HDF5 file"));

	snprintf(path, sizeof path, "%s/badmask.h5", tmpdir);
	fake_exact(&f, 3, 2, kinds, 1);
	f.mask[2] = 9;
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "coalition 9"));

	snprintf(path, sizeof path, "%s/twice.h5", tmpdir);
	fake_exact(&f, 3, 2, kinds, 1);
	f.mask[2] = 1;
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "same coalition"));

	ck_assert_int_eq(smab_coaltab(path, NULL, err, sizeof err), SMAB_EINVAL);
}
END_TEST

/* ---- faults ------------------------------------------------------------ */

/* The whole file (caller frees); *n its size. */
static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long len = ftell(f);
	ck_assert_int_ge(len, 0);
	rewind(f);
	unsigned char *b = malloc((size_t)len + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

/* 1 if 'path' holds exactly the n bytes b. */
static int same_bytes(const char *path, const unsigned char *b, size_t n)
{
	size_t m;
	unsigned char *now = slurp(path, &m);
	int same = m == n && memcmp(now, b, n) == 0;
	free(now);
	return same;
}

/* Overwrite len bytes at offset off of 'path' with zeros. */
static void zero_at(const char *path, haddr_t off, size_t len)
{
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, (long)off, SEEK_SET), 0);
	for (size_t i = 0; i < len; i++)
		ck_assert_int_ne(fputc(0, f), EOF);
	ck_assert_int_eq(fclose(f), 0);
}

/* The address of the object header of 'obj' in 'path'. */
static haddr_t header_of(const char *path, const char *obj)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	ck_assert(f >= 0);
	H5O_info_t oi;
	ck_assert(H5Oget_info_by_name2(f, obj, &oi, H5O_INFO_BASIC, H5P_DEFAULT) >= 0);
	H5Fclose(f);
	return oi.addr;
}

/* A damaged file is refused as bad input and left byte for byte as it was:
 * it is read and checked before anything opens it for writing. */
START_TEST(test_damaged_left_alone)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/damaged.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 3, kinds, 1);
	f.nmech = 2;
	fake_write(path, &f);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
	/* The second mechanism's data is unreadable: its header is zeros. */
	zero_at(path, header_of(path, "/results/alg2/regret_a1"), 256);
	size_t n;
	unsigned char *before = slurp(path, &n);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "damaged"));
	ck_assert_ptr_nonnull(strstr(err, "regret_a1"));
	ck_assert(same_bytes(path, before, n));
	free(before);

	/* A file cut short (a copy that stopped half-way). */
	fake_write(path, &f);
	before = slurp(path, &n);
	ck_assert_int_eq(truncate(path, (off_t)(n / 2)), 0);
	free(before);
	before = slurp(path, &n);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "damaged"));
	ck_assert(same_bytes(path, before, n));
	free(before);
}
END_TEST

/* Another process holding the writer's lock (a run in progress): refused
 * with SMAB_EBUSY, file untouched; reading (--no-write) takes no lock; the
 * lock's holder itself writes with 'locked'. */
START_TEST(test_lock)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/locked.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 3, kinds, 1);
	fake_write(path, &f);
	int fd = -1;
	ck_assert_int_eq(smab_out_lock(path, &fd, err, sizeof err), SMAB_OK);
	size_t n;
	unsigned char *before = slurp(path, &n);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	ck_assert(same_bytes(path, before, n));
	free(before);
	ck_assert_int_eq(run(path, NULL, 0, 0, 0, err), SMAB_OK);
	smab_coaltab_opts o = {.write = 1, .locked = 1};
	ck_assert_int_eq(smab_coaltab(path, &o, err, sizeof err), SMAB_OK);
	uint32_t masks[8];
	ck_assert_int_eq(read_all(path, "/coalition/masks", H5T_NATIVE_UINT32, masks), 7);
	smab_out_unlock(&fd);
	ck_assert_int_eq(run(path, NULL, 0, 0, 1, err), SMAB_OK);
}
END_TEST

/* Each mechanism k's Shapley means are k + 1 times the airport game's. */
static void check_three_mechs(const char *path)
{
	static const double air[3] = {-1.0 / 3, -5.0 / 6, -17.0 / 6};
	hid_t st = summary_type();
	for (int k = 0; k < 3; k++) {
		char name[64];
		smab_summary sh[3];
		if (k)
			snprintf(name, sizeof name, "/coalition/alg%d/shapley", k + 1);
		else
			snprintf(name, sizeof name, "/coalition/alg/shapley");
		ck_assert_int_eq(read_all(path, name, st, sh), 3);
		for (int a = 0; a < 3; a++)
			ck_assert_double_eq_tol(sh[a].mean, (k + 1) * air[a], 1e-12);
	}
	H5Tclose(st);
}

/* The file is complete before anything is printed: a process killed by
 * SIGPIPE as it prints (its reader went away, 'smab shapley --all | head')
 * leaves every mechanism's tables; with SIGPIPE ignored, the closed output
 * is the end of the output, not an error. */
START_TEST(test_closed_output)
{
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/pipe.h5", tmpdir);
	fake f;
	static const int kinds[1] = {0};
	fake_exact(&f, 3, 3, kinds, 1);
	f.nmech = 3;
	fake_write(path, &f);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		FILE *out = fdopen(fds[1], "w");
		setvbuf(out, NULL, _IONBF, 0);
		run(path, out, 1, 0, 1, err);
		_exit(0);
	}
	close(fds[1]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	check_three_mechs(path);

	fake_write(path, &f);
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	FILE *out = fdopen(fds[1], "w");
	ck_assert_int_eq(run(path, out, 1, 0, 1, err), SMAB_OK);
	fclose(out);
	signal(SIGPIPE, SIG_DFL);
	check_three_mechs(path);
}
END_TEST

static Suite *coaltab_suite(void)
{
	Suite *s = suite_create("coaltab");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_exact_two_games);
	tcase_add_test(tc, test_agents_from_zero);
	tcase_add_test(tc, test_assumption3_rows);
	tcase_add_test(tc, test_assumption3_partial);
	tcase_add_test(tc, test_missing_replication);
	tcase_add_test(tc, test_permutation_design);
	tcase_add_test(tc, test_unchecked_reason);
	tcase_add_test(tc, test_print);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_damaged_left_alone);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_closed_output);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(coaltab_suite()); }
