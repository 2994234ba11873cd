/* test_h5out.c - the shared result file, as a single MPI process.
 *
 * The plan is built by hand (drift suite, mechanisms ucb and ts, 3 points
 * over 'drift', 4 replications, 5 checkpoints), results are known formulas,
 * and everything is read back through the plain HDF5 API. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <mpi.h>
#include <sys/stat.h>
#include <zlib.h>

#include "check_util.h"
#include "smab/h5out.h"
#include "smab/stats.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char tmpdir[] = "/tmp/smab_h5out_XXXXXX";

/* A hand-made experiment and plan.  zip = 0: one axis 'drift' (3 values);
 * zip = 1: that axis times a zip group (noise, means) of 2 entries. */
typedef struct fixture {
	smab_experiment e;
	smab_axis ax[2];
	int ap0[1], ap1[2];
	smab_value av0[3], av1[4];
	double vec_a[2], vec_b[1];
	int mech[2];
	smab_value *base;
	smab_plan pl;
	int nm, C, R;
	int64_t P;
} fixture;

static const smab_suite *drift_suite(void)
{
	const smab_suite *s = smab_suite_find("drift");
	ck_assert_ptr_nonnull(s);
	return s;
}

static void fixture_init(fixture *f, int zip)
{
	memset(f, 0, sizeof *f);
	const smab_suite *s = drift_suite();
	int pd = smab_suite_param(s, "drift");
	ck_assert_int_ge(pd, 0);
	f->e.name = "h5test";
	f->e.suite = s;
	f->e.seed = 42;
	f->e.replications = 4;
	f->e.nmech = 2;
	f->mech[0] = smab_suite_mech(s, "ucb");
	f->mech[1] = smab_suite_mech(s, "ts");
	f->e.mech = f->mech;
	f->e.record = 5;
	f->e.text = "suite: drift\nsweep:\n  drift: [0, 0.4, 1.1]\n";
	f->base = calloc((size_t)s->nparams, sizeof *f->base);
	for (int i = 0; i < s->nparams; i++)
		f->base[i].x = 1.0;
	f->e.base = f->base;
	f->ap0[0] = pd;
	f->av0[0].x = 0;
	f->av0[1].x = 0.4;
	f->av0[2].x = 1.1;
	f->ax[0] = (smab_axis){.nparam = 1, .param = f->ap0, .len = 3, .values = f->av0};
	f->e.axes = f->ax;
	f->e.naxes = 1;
	f->P = 3;
	if (zip) {
		f->ap1[0] = smab_suite_param(s, "noise");
		f->ap1[1] = smab_suite_param(s, "means");
		f->vec_a[0] = 0.9;
		f->vec_a[1] = 0.8;
		f->vec_b[0] = 0.5;
		f->av1[0] = (smab_value){.x = 0};                          /* gaussian */
		f->av1[1] = (smab_value){.n = 2, .v = f->vec_a};
		f->av1[2] = (smab_value){.x = 1};                          /* bernoulli */
		f->av1[3] = (smab_value){.n = 1, .v = f->vec_b};
		f->ax[1] = (smab_axis){.nparam = 2, .param = f->ap1, .len = 2, .values = f->av1};
		f->e.naxes = 2;
		f->P = 6;
	}
	f->R = 4;
	f->C = 5;
	f->nm = 2 * s->nmetrics;
	smab_plan *pl = &f->pl;
	pl->e = &f->e;
	pl->npoints = f->P;
	pl->reps = f->R;
	pl->nmech = 2;
	pl->nmetrics = s->nmetrics;
	pl->ncheck = f->C;
	pl->vals = calloc((size_t)(f->P * s->nparams), sizeof *pl->vals);
	pl->check = calloc((size_t)(f->P * f->C), sizeof *pl->check);
	pl->cost = calloc((size_t)f->P, sizeof *pl->cost);
	for (int64_t p = 0; p < f->P; p++) {
		smab_value *v = pl->vals + p * s->nparams;
		for (int i = 0; i < s->nparams; i++)
			v[i] = f->base[i];
		int64_t i0 = zip ? p / 2 : p, i1 = p % 2;
		v[pd] = f->av0[i0];
		if (zip) {
			v[f->ap1[0]] = f->av1[i1 * 2];
			v[f->ap1[1]] = f->av1[i1 * 2 + 1];
		}
		for (int c = 0; c < f->C; c++)
			pl->check[p * f->C + c] = (c + 1) * 100 * (p + 1);
		pl->cost[p] = 1;
	}
}

static void fixture_free(fixture *f)
{
	free(f->base);
	free(f->pl.vals);
	free(f->pl.check);
	free(f->pl.cost);
}

/* The known results: scalar km of task (p, r), its curve, its seconds. */
static double val(int64_t p, int r, int km)
{
	return 1000.0 * (double)p + 10.0 * r + km + 0.01 * r * r * (km + 1) + 0.125;
}

static double cval(int64_t p, int r, int km, int c)
{
	return val(p, r, km) * (c + 1) / 5.0;
}

static double secs(int64_t p, int r)
{
	return 0.5 + (double)p + 0.25 * r;
}

/* Write replications rep0..rep0+n-1 of point p in one call; no Check
 * asserts, so a forked child can use it. */
static int write_tasks_rc(smab_h5 *h, const fixture *f, int64_t p, int rep0, int n)
{
	size_t nm = (size_t)f->nm, C = (size_t)f->C;
	double *sc = malloc((size_t)n * nm * sizeof *sc);
	double *cu = malloc((size_t)n * nm * C * sizeof *cu);
	double *se = malloc((size_t)n * sizeof *se);
	for (int i = 0; i < n; i++) {
		for (size_t km = 0; km < nm; km++) {
			sc[(size_t)i * nm + km] = val(p, rep0 + i, (int)km);
			for (size_t c = 0; c < C; c++)
				cu[((size_t)i * nm + km) * C + c] = cval(p, rep0 + i, (int)km, (int)c);
		}
		se[i] = secs(p, rep0 + i);
	}
	int rc = smab_h5_write(h, p, rep0, n, sc, cu, se);
	free(sc);
	free(cu);
	free(se);
	return rc;
}

static void write_tasks(smab_h5 *h, const fixture *f, int64_t p, int rep0, int n)
{
	ck_assert_int_eq(write_tasks_rc(h, f, p, rep0, n), SMAB_OK);
}

static smab_prov prov_a = {"suite: drift\nseed: 42\n", SHA_A, 1, NULL, NULL};

static void tpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void no_open_objects(void)
{
	ck_assert_int_eq(H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
}

/* ---- reading back with plain HDF5 -------------------------------------- */

static void read_doubles(hid_t f, const char *path, double *x, size_t n)
{
	hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
	ck_assert_msg(d >= 0, "no dataset %s", path);
	hid_t sp = H5Dget_space(d);
	ck_assert_int_eq((long long)H5Sget_simple_extent_npoints(sp), (long long)n);
	H5Sclose(sp);
	ck_assert_int_ge(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x), 0);
	H5Dclose(d);
}

static hid_t summary_mtype(void)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(smab_summary));
	H5Tinsert(t, "n", HOFFSET(smab_summary, n), H5T_NATIVE_INT64);
	H5Tinsert(t, "mean", HOFFSET(smab_summary, mean), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "sd", HOFFSET(smab_summary, sd), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "ci_lo", HOFFSET(smab_summary, ci_lo), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "ci_hi", HOFFSET(smab_summary, ci_hi), H5T_NATIVE_DOUBLE);
	return t;
}

static void read_summary(hid_t f, const char *path, smab_summary *s, size_t n)
{
	hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
	ck_assert_msg(d >= 0, "no dataset %s", path);
	hid_t sp = H5Dget_space(d);
	ck_assert_int_eq((long long)H5Sget_simple_extent_npoints(sp), (long long)n);
	H5Sclose(sp);
	hid_t t = summary_mtype();
	ck_assert_int_ge(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s), 0);
	H5Tclose(t);
	H5Dclose(d);
}

static int same(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static void ck_summary_eq(const smab_summary *got, const smab_summary *want,
                          const char *what)
{
	ck_assert_msg(got->n == want->n && same(got->mean, want->mean) &&
	              same(got->sd, want->sd) && same(got->ci_lo, want->ci_lo) &&
	              same(got->ci_hi, want->ci_hi),
	              "%s: got n=%lld mean=%.17g sd=%.17g ci=[%.17g,%.17g], want n=%lld "
	              "mean=%.17g sd=%.17g ci=[%.17g,%.17g]", what, (long long)got->n,
	              got->mean, got->sd, got->ci_lo, got->ci_hi, (long long)want->n,
	              want->mean, want->sd, want->ci_lo, want->ci_hi);
}

static char *attr_str(hid_t f, const char *name)
{
	hid_t a = H5Aopen(f, name, H5P_DEFAULT);
	ck_assert_msg(a >= 0, "no attribute %s", name);
	hid_t t = H5Aget_type(a);
	ck_assert_int_eq(H5Tget_class(t), H5T_STRING);
	char *s;
	if (H5Tis_variable_str(t) > 0) {
		/* format 3: variable-length UTF-8 */
		char *v = NULL;
		ck_assert_int_ge(H5Aread(a, t, &v), 0);
		s = strdup(v ? v : "");
		H5free_memory(v);
	} else {
		size_t n = H5Tget_size(t);
		s = calloc(n + 1, 1);
		ck_assert_int_ge(H5Aread(a, t, s), 0);
	}
	H5Tclose(t);
	H5Aclose(a);
	return s;
}

static int64_t attr_i64(hid_t f, const char *name)
{
	int64_t v = -1;
	hid_t a = H5Aopen(f, name, H5P_DEFAULT);
	ck_assert_msg(a >= 0, "no attribute %s", name);
	ck_assert_int_ge(H5Aread(a, H5T_NATIVE_INT64, &v), 0);
	H5Aclose(a);
	return v;
}

/* Expected summary of (point p, dataset km) over the replications with
 * done[p*R + r] set; curve checkpoint c, or c < 0 for the final value. */
static void expect(const fixture *f, const unsigned char *done, int64_t p, int km,
                   int c, smab_summary *s)
{
	double x[16];
	for (int r = 0; r < f->R; r++)
		x[r] = !done[p * f->R + r] ? NAN : c < 0 ? val(p, r, km) : cval(p, r, km, c);
	smab_summarize(x, f->R, 1, 0.95, s);
}

/* Check every /results, /summary and /tasks dataset against done[]. */
static void check_file(const char *path, const fixture *f, const unsigned char *done)
{
	const smab_suite *s = f->e.suite;
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	ck_assert_msg(file >= 0, "cannot open %s", path);
	size_t P = (size_t)f->P, R = (size_t)f->R, C = (size_t)f->C;
	double *x = malloc(P * R * (C + 1) * sizeof *x);
	smab_summary *sm = malloc(P * (C + 1) * sizeof *sm);

	unsigned char got[64];
	hid_t d = H5Dopen2(file, "/tasks/done", H5P_DEFAULT);
	ck_assert_int_ge(H5Dread(d, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, got), 0);
	H5Dclose(d);
	for (size_t i = 0; i < P * R; i++)
		ck_assert_int_eq(got[i], done[i]);
	read_doubles(file, "/tasks/seconds", x, P * R);
	for (size_t i = 0; i < P * R; i++)
		ck_assert(done[i] ? x[i] == secs((int64_t)(i / R), (int)(i % R)) : isnan(x[i]));

	for (int k = 0; k < 2; k++)
		for (int m = 0; m < s->nmetrics; m++) {
			int km = k * s->nmetrics + m;
			const char *mn = s->mechs[f->mech[k]].name, *tn = s->metrics[m].name;
			char p1[256];
			snprintf(p1, sizeof p1, "/results/%s/%s", mn, tn);
			read_doubles(file, p1, x, P * R);
			for (size_t i = 0; i < P * R; i++) {
				double want = val((int64_t)(i / R), (int)(i % R), km);
				ck_assert_msg(done[i] ? x[i] == want : isnan(x[i]), "%s[%zu] = %g", p1,
				              i, x[i]);
			}
			snprintf(p1, sizeof p1, "/summary/%s/%s", mn, tn);
			read_summary(file, p1, sm, P);
			for (size_t p = 0; p < P; p++) {
				smab_summary want;
				expect(f, done, (int64_t)p, km, -1, &want);
				ck_summary_eq(&sm[p], &want, p1);
			}
			snprintf(p1, sizeof p1, "/results/%s/%s_curve", mn, tn);
			htri_t has = H5Lexists(file, p1, H5P_DEFAULT);
			ck_assert_int_eq(has > 0, s->metrics[m].has_curve && f->C > 0);
			if (!has)
				continue;
			read_doubles(file, p1, x, P * R * C);
			for (size_t i = 0; i < P * R * C; i++) {
				size_t t = i / C;
				double want = cval((int64_t)(t / R), (int)(t % R), km, (int)(i % C));
				ck_assert(done[t] ? x[i] == want : isnan(x[i]));
			}
			snprintf(p1, sizeof p1, "/summary/%s/%s_curve", mn, tn);
			read_summary(file, p1, sm, P * C);
			for (size_t p = 0; p < P; p++)
				for (size_t c = 0; c < C; c++) {
					smab_summary want;
					expect(f, done, (int64_t)p, km, (int)c, &want);
					ck_summary_eq(&sm[p * C + c], &want, p1);
				}
		}
	free(x);
	free(sm);
	ck_assert_int_ge(H5Fclose(file), 0);
	no_open_objects();
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_full_run)
{
	fixture f;
	fixture_init(&f, 0);
	char path[256], err[1024];
	tpath(path, sizeof path, "full.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	ck_assert_ptr_nonnull(h);
	/* Uneven batches: all 4 at once, 1+3, 2+1+1. */
	write_tasks(h, &f, 0, 0, 4);
	write_tasks(h, &f, 1, 0, 1);
	write_tasks(h, &f, 1, 1, 3);
	write_tasks(h, &f, 2, 2, 1);
	write_tasks(h, &f, 2, 0, 2);
	write_tasks(h, &f, 2, 3, 1);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	ck_assert_ptr_null(h);
	no_open_objects();
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
	no_open_objects();
	unsigned char done[12];
	memset(done, 1, sizeof done);
	check_file(path, &f, done);

	/* Provenance, /points and checkpoints. */
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	const char *names[] = {"smab_version", "git_commit", "build_flags", "created_utc",
	                       "config", "config_sha256", "config_text", "suite", "name",
	                       "mechanisms", "metrics", "hdf5_version"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		ck_assert_msg(H5Aexists(file, names[i]) > 0, "no attribute %s", names[i]);
	char *s = attr_str(file, "smab_version");
	ck_assert_str_eq(s, SMAB_VERSION);
	free(s);
	s = attr_str(file, "config_sha256");
	ck_assert_str_eq(s, SHA_A);
	free(s);
	s = attr_str(file, "config");
	ck_assert_str_eq(s, prov_a.canonical);
	free(s);
	s = attr_str(file, "config_text");
	ck_assert_str_eq(s, f.e.text);
	free(s);
	s = attr_str(file, "mechanisms");
	ck_assert_str_eq(s, "ucb,ts");
	free(s);
	s = attr_str(file, "suite");
	ck_assert_str_eq(s, "drift");
	free(s);
	s = attr_str(file, "created_utc");
	ck_assert_int_eq((int)strlen(s), 20);
	ck_assert(s[4] == '-' && s[10] == 'T' && s[19] == 'Z');
	free(s);
	s = attr_str(file, "hdf5_version");
	ck_assert(strncmp(s, "1.", 2) == 0);
	free(s);
	ck_assert_int_eq(attr_i64(file, "replications"), 4);
	ck_assert_int_eq(attr_i64(file, "npoints"), 3);
	ck_assert_int_eq(attr_i64(file, "ranks"), 1);
	uint64_t seed = 0;
	hid_t a = H5Aopen(file, "seed", H5P_DEFAULT);
	ck_assert_int_ge(H5Aread(a, H5T_NATIVE_UINT64, &seed), 0);
	H5Aclose(a);
	ck_assert_uint_eq(seed, 42);

	struct {
		int64_t id;
		double drift;
	} pts[3];
	hid_t pt = H5Tcreate(H5T_COMPOUND, sizeof pts[0]);
	H5Tinsert(pt, "id", 0, H5T_NATIVE_INT64);
	H5Tinsert(pt, "drift", sizeof(int64_t), H5T_NATIVE_DOUBLE);
	hid_t d = H5Dopen2(file, "/points", H5P_DEFAULT);
	ck_assert_int_ge(H5Dread(d, pt, H5S_ALL, H5S_ALL, H5P_DEFAULT, pts), 0);
	H5Dclose(d);
	H5Tclose(pt);
	for (int p = 0; p < 3; p++) {
		ck_assert_int_eq(pts[p].id, p);
		ck_assert(pts[p].drift == f.av0[p].x);
	}
	int64_t ck[15];
	d = H5Dopen2(file, "/results/checkpoints", H5P_DEFAULT);
	ck_assert_int_ge(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ck), 0);
	H5Dclose(d);
	for (int i = 0; i < 15; i++)
		ck_assert_int_eq(ck[i], f.pl.check[i]);
	/* Contiguous storage, so a task write never allocates. */
	d = H5Dopen2(file, "/results/ucb/regret", H5P_DEFAULT);
	hid_t dcpl = H5Dget_create_plist(d);
	ck_assert_int_eq(H5Pget_layout(dcpl), H5D_CONTIGUOUS);
	H5Pclose(dcpl);
	H5Dclose(d);
	H5Fclose(file);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

START_TEST(test_partial_and_masking)
{
	fixture f;
	fixture_init(&f, 0);
	char path[256], err[1024];
	tpath(path, sizeof path, "partial.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	unsigned char done[12] = {0};
	write_tasks(h, &f, 0, 1, 3);            /* point 0: reps 1..3 (n = 3) */
	write_tasks(h, &f, 1, 2, 1);            /* point 1: rep 2 (n = 1) */
	for (int r = 1; r < 4; r++)
		done[r] = 1;
	done[4 + 2] = 1;                        /* point 2: nothing (n = 0) */
	/* Out-of-range writes are refused. */
	double z[64] = {0};
	ck_assert_int_eq(smab_h5_write(h, 3, 0, 1, z, z, z), SMAB_EINVAL);
	ck_assert_int_eq(smab_h5_write(h, 0, 3, 2, z, z, z), SMAB_EINVAL);
	ck_assert_int_eq(smab_h5_write(h, 0, -1, 1, z, z, z), SMAB_EINVAL);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);

	/* A task whose results reached the file but whose flag did not (killed
	 * in between) must not count. */
	hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t d = H5Dopen2(file, "/results/ucb/regret", H5P_DEFAULT);
	hid_t fs = H5Dget_space(d);
	hsize_t start[2] = {0, 0}, count[2] = {1, 1}, one = 1;
	H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
	hid_t ms = H5Screate_simple(1, &one, NULL);
	double bogus = 1e9;
	ck_assert_int_ge(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &bogus), 0);
	H5Sclose(ms);
	H5Sclose(fs);
	H5Dclose(d);
	H5Fclose(file);

	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
	/* check_file wants NaN there: put the expected value back afterwards. */
	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	smab_summary sm[3];
	read_summary(file, "/summary/ucb/regret", sm, 3);
	ck_assert_int_eq(sm[0].n, 3);
	ck_assert_int_eq(sm[1].n, 1);
	ck_assert_int_eq(sm[2].n, 0);
	ck_assert(isnan(sm[1].sd) && isnan(sm[1].ci_lo) && sm[1].mean == val(1, 2, 0));
	ck_assert(isnan(sm[2].mean));
	smab_summary want;
	expect(&f, done, 0, 0, -1, &want);
	ck_summary_eq(&sm[0], &want, "partial point 0");
	H5Fclose(file);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

START_TEST(test_resume_mismatch)
{
	fixture f;
	fixture_init(&f, 0);
	char path[256], err[1024];
	tpath(path, sizeof path, "mismatch.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	smab_prov pb = {"other", SHA_B, 1, NULL, NULL};
	unsigned char done[12];
	ck_assert_int_eq(smab_h5_resume(path, &f.pl, &pb, MPI_COMM_SELF, &h, done, err,
	                                sizeof err), SMAB_EINVAL);
	ck_assert_ptr_null(h);
	ck_assert_msg(strstr(err, "mismatch.h5 was made by a different configuration") &&
	              strstr(err, "aaaaaaaaaaaa") && strstr(err, "bbbbbbbbbbbb") &&
	              strstr(err, "--force"), "message: %s", err);
	no_open_objects();

	/* A different shape with the same digest is refused too. */
	f.pl.reps = 5;
	f.e.replications = 5;
	ck_assert_int_eq(smab_h5_resume(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, done, err,
	                                sizeof err), SMAB_EINVAL);
	ck_assert_msg(strstr(err, "/tasks/done is 3 x 4, expected 3 x 5"), "message: %s", err);
	no_open_objects();

	/* Missing file: an I/O error that names it. */
	char missing[256];
	tpath(missing, sizeof missing, "nope/missing.h5");
	ck_assert_int_eq(smab_h5_resume(missing, &f.pl, &prov_a, MPI_COMM_SELF, &h, done,
	                                err, sizeof err), SMAB_EIO);
	ck_assert_msg(strstr(err, "missing.h5") && strstr(err, "h5inspect.c:"), "message: %s",
	              err);
	ck_assert_int_eq(smab_h5_create(missing, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_EIO);
	ck_assert_msg(strstr(err, "cannot create") && strstr(err, "missing.h5"),
	              "message: %s", err);
	ck_assert_ptr_null(h);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

START_TEST(test_resume_finish)
{
	fixture f;
	fixture_init(&f, 0);
	char path[256], err[1024];
	tpath(path, sizeof path, "resume.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	write_tasks(h, &f, 0, 0, 2);
	write_tasks(h, &f, 2, 3, 1);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	unsigned char done[12];
	memset(done, 7, sizeof done);
	ck_assert_int_eq(smab_h5_resume(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, done, err,
	                                sizeof err), SMAB_OK);
	unsigned char want[12] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	ck_assert_mem_eq(done, want, sizeof want);
	for (int64_t p = 0; p < 3; p++)
		for (int r = 0; r < 4; r++)
			if (!done[p * 4 + r])
				write_tasks(h, &f, p, r, 1);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
	/* Summarizing twice overwrites with the same numbers. */
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
	memset(done, 1, sizeof done);
	check_file(path, &f, done);
	fixture_free(&f);
}
END_TEST

/* A writer killed without closing: the file must reopen, with exactly the
 * tasks written before the kill marked done.  (With the newer superblock
 * the 'file open for writing' flag would refuse the reopen.) */
START_TEST(test_crash_and_resume)
{
	fixture f;
	fixture_init(&f, 0);
	char path[256], err[1024];
	tpath(path, sizeof path, "crash.h5");
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		smab_h5 *h = NULL;
		if (smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err, sizeof err))
			_exit(3);
		if (write_tasks_rc(h, &f, 0, 0, 4) || write_tasks_rc(h, &f, 1, 2, 1))
			_exit(4);
		_exit(0);
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);

	smab_h5 *h = NULL;
	unsigned char done[12];
	int rc = smab_h5_resume(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, done, err,
	                        sizeof err);
	ck_assert_msg(rc == SMAB_OK, "resume after a crash: %s", err);
	unsigned char want[12] = {1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0};
	ck_assert_mem_eq(done, want, sizeof want);
	for (int64_t p = 0; p < 3; p++)
		for (int r = 0; r < 4; r++)
			if (!done[p * 4 + r])
				write_tasks(h, &f, p, r, 1);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
	memset(done, 1, sizeof done);
	check_file(path, &f, done);
	fixture_free(&f);
}
END_TEST

/* The report's CSV number format: shortest text that reads back exactly. */
/* The CSV row of 'text' that starts with 'head' ("2,1.1,ts,compensated")
 * holds n and four numbers that read back as exactly the summary's
 * doubles, whatever digits the writer chose. */
static void assert_csv_row(const char *text, const char *head, const smab_summary *s)
{
	char key[128];
	snprintf(key, sizeof key, "\n%s,", head);
	const char *row = strstr(text, key);
	ck_assert_msg(row != NULL, "no row '%s' in\n%s", head, text);
	row += strlen(key);
	char *end;
	ck_assert_int_eq(strtoll(row, &end, 10), s->n);
	const double want[4] = {s->mean, s->sd, s->ci_lo, s->ci_hi};
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(*end == ',', "row '%s': field %d", head, i);
		double x = strtod(end + 1, &end);
		ck_assert_msg(x == want[i] || (isnan(x) && isnan(want[i])),
		              "row '%s': field %d is %.17g, want %.17g", head, i, x, want[i]);
	}
	ck_assert_msg(*end == '\n', "row '%s' has extra fields", head);
}

static char *report(const char *path, const char *metric, const char *vs, int csv,
                    int *rc, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	*rc = smab_h5_report(path, metric, vs, csv, out, err, errlen);
	fclose(out);
	return buf;
}

static void full_file(const char *name, fixture *f, int zip, char *path, size_t len)
{
	char err[1024];
	fixture_init(f, zip);
	tpath(path, len, name);
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f->pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	for (int64_t p = 0; p < f->P; p++)
		write_tasks(h, f, p, 0, f->R);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
}

START_TEST(test_report)
{
	fixture f;
	char path[256], err[1024];
	full_file("report.h5", &f, 0, path, sizeof path);
	unsigned char all[12];
	memset(all, 1, sizeof all);
	int rc;

	char *t = report(path, NULL, NULL, 0, &rc, err, sizeof err);
	ck_assert_msg(rc == SMAB_OK, "%s", err);
	ck_assert_msg(strstr(t, "drift=0.4") && strstr(t, "drift=1.1") && strstr(t, "regret") &&
	              strstr(t, "est_error") && strstr(t, "ucb") && strstr(t, "ts"), "%s", t);
	smab_summary s;
	expect(&f, all, 1, 0, -1, &s);               /* ucb regret at drift=0.4 */
	char cell[128], ci[96];
	smab_ci_format(s.mean, 0.5 * (s.ci_hi - s.ci_lo), ci, sizeof ci);
	snprintf(cell, sizeof cell, "%s (4)", ci);
	ck_assert_msg(strstr(t, cell), "no '%s' in\n%s", cell, t);
	free(t);

	/* CSV of one metric, with the paired difference against ts. */
	t = report(path, "compensated", "ts", 1, &rc, err, sizeof err);
	ck_assert_msg(rc == SMAB_OK, "%s", err);
	const char *hd = "point,drift,mechanism,metric,n,mean,sd,ci_lo,ci_hi\n";
	ck_assert_msg(strncmp(t, hd, strlen(hd)) == 0, "%s", t);
	ck_assert_ptr_null(strstr(t, ",regret,"));
	int m = smab_suite_metric(f.e.suite, "compensated");
	int nmet = f.e.suite->nmetrics;
	expect(&f, all, 2, 1 * nmet + m, -1, &s);    /* ts compensated at drift=1.1 */
	assert_csv_row(t, "2,1.1,ts,compensated", &s);
	double dx[4];
	for (int r = 0; r < 4; r++)
		dx[r] = val(2, r, m) - val(2, r, nmet + m);
	smab_summarize(dx, 4, 1, 0.95, &s);
	assert_csv_row(t, "2,1.1,ucb-ts,compensated", &s);
	ck_assert_ptr_null(strstr(t, "ts-ts"));
	free(t);

	/* The table shows the difference column too. */
	t = report(path, "regret", "ts", 0, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_OK);
	ck_assert_msg(strstr(t, "ucb-ts"), "%s", t);
	ck_assert_ptr_null(strstr(t, "compensated"));
	free(t);

	/* Unknown names list what is there. */
	t = report(path, "regrets", NULL, 0, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	ck_assert_msg(strstr(err, "unknown metric 'regrets'") &&
	              strstr(err, "regret, compensation, compensated, est_error"), "%s", err);
	free(t);
	t = report(path, NULL, "greedy", 0, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	ck_assert_msg(strstr(err, "unknown mechanism 'greedy'") && strstr(err, "ucb, ts"),
	              "%s", err);
	free(t);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

START_TEST(test_not_smab)
{
	char path[256], err[1024];
	int rc;
	tpath(path, sizeof path, "plain.h5");
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	ck_assert_int_ge(f, 0);
	H5Fclose(f);
	char *t = report(path, NULL, NULL, 0, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	ck_assert_msg(strstr(err, "not a smab result file"), "%s", err);
	free(t);
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_EINVAL);
	ck_assert_msg(strstr(err, "not a smab result file"), "%s", err);

	tpath(path, sizeof path, "text.h5");
	FILE *fp = fopen(path, "w");
	fputs("hello\n", fp);
	fclose(fp);
	t = report(path, NULL, NULL, 0, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	ck_assert_msg(strstr(err, "not an HDF5 file"), "%s", err);
	free(t);

	tpath(path, sizeof path, "absent.h5");
	t = report(path, NULL, NULL, 0, &rc, err, sizeof err);
	ck_assert_int_ne(rc, SMAB_OK);
	ck_assert_msg(strstr(err, "absent.h5"), "%s", err);
	free(t);
	no_open_objects();
}
END_TEST

/* Zip group with an ENUM and a VEC column; /summary rebuilt from nothing. */
START_TEST(test_zip_points)
{
	fixture f;
	char path[256], err[1024];
	full_file("zip.h5", &f, 1, path, sizeof path);
	hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t d = H5Dopen2(file, "/points", H5P_DEFAULT);
	hid_t ft = H5Dget_type(d);
	/* format 3: id, the three columns in their own types, then the label */
	ck_assert_int_eq(H5Tget_nmembers(ft), 5);
	int i = H5Tget_member_index(ft, "noise");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(H5Tget_member_class(ft, (unsigned)i), H5T_STRING);
	ck_assert_int_eq(H5Tget_member_class(ft, (unsigned)H5Tget_member_index(ft, "drift")),
	                 H5T_FLOAT);
	ck_assert_int_eq(H5Tget_member_index(ft, "label"), 4);
	struct {
		char noise[16], label[64];
	} row[6];
	hid_t s16 = H5Tcopy(H5T_C_S1), s64 = H5Tcopy(H5T_C_S1);
	H5Tset_size(s16, 16);
	H5Tset_size(s64, 64);
	hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof row[0]);
	H5Tinsert(mt, "noise", 0, s16);
	H5Tinsert(mt, "label", 16, s64);
	ck_assert_int_ge(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, row), 0);
	ck_assert_str_eq(row[5].noise, "bernoulli");
	ck_assert_str_eq(row[5].label, "drift=1.1,noise=bernoulli,means=[0.5]");
	H5Tclose(mt);
	H5Tclose(s16);
	H5Tclose(s64);
	H5Tclose(ft);
	H5Dclose(d);
	/* Summaries must be recomputable when the file has none. */
	ck_assert_int_ge(H5Ldelete(file, "/summary", H5P_DEFAULT), 0);
	H5Fclose(file);
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
	unsigned char all[24];
	memset(all, 1, sizeof all);
	check_file(path, &f, all);

	int rc;
	char *t = report(path, "regret", NULL, 0, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_OK);
	ck_assert_msg(strstr(t, "drift=0.4, noise=bernoulli, means=[0.5]") &&
	              strstr(t, "drift=1.1, noise=gaussian, means=[0.9, 0.8]"), "%s", t);
	free(t);
	t = report(path, "regret", NULL, 1, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_OK);
	ck_assert_msg(strstr(t, "point,drift,noise,means,mechanism,") &&
	              strstr(t, "\n5,1.1,bernoulli,[0.5],ts,regret,4,") &&
	              strstr(t, "\n0,0,gaussian,\"[0.9, 0.8]\",ucb,regret,4,"), "%s", t);
	free(t);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

/* No checkpoints: no curve datasets, and the rest still works. */
START_TEST(test_no_curves)
{
	fixture f;
	fixture_init(&f, 0);
	f.C = 0;
	f.pl.ncheck = 0;
	f.e.record = 0;
	char path[256], err[1024];
	tpath(path, sizeof path, "nocurve.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	for (int64_t p = 0; p < f.P; p++)
		write_tasks(h, &f, p, 0, f.R);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	unsigned char done[12];
	ck_assert_int_eq(smab_h5_resume(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, done, err,
	                                sizeof err), SMAB_OK);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
	memset(done, 1, sizeof done);
	check_file(path, &f, done);
	int rc;
	char *t = report(path, "regret", NULL, 0, &rc, err, sizeof err);
	ck_assert_int_eq(rc, SMAB_OK);
	free(t);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

/* A config text beyond the 64 KiB attribute limit of the earliest file
 * format is kept whole, as a scalar dataset of the same name. */
START_TEST(test_long_provenance)
{
	fixture f;
	fixture_init(&f, 0);
	size_t n = 100000;
	char *text = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		text[i] = (char)('a' + i % 26);
	text[n] = '\0';
	f.e.text = text;
	char path[256], err[1024];
	tpath(path, sizeof path, "long.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	ck_assert_int_eq(H5Aexists(file, "config_text"), 0);
	hid_t d = H5Dopen2(file, "/config_text", H5P_DEFAULT);
	ck_assert_int_ge(d, 0);
	hid_t t = H5Dget_type(d);
	ck_assert_uint_eq(H5Tget_size(t), n + 1);
	char *got = calloc(n + 1, 1);
	ck_assert_int_ge(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got), 0);
	ck_assert_str_eq(got, text);
	free(got);
	H5Tclose(t);
	H5Dclose(d);
	H5Fclose(file);
	no_open_objects();
	free(text);
	fixture_free(&f);
}
END_TEST

/* Row 'row' of /history is session 'session' by this build, 'action',
 * with 'before' tasks done when it began. */
static void history_check(hid_t file, int row, int64_t session, const char *action,
                              int64_t before)
{
	typedef struct {
		int64_t session;
		char action[16], commit[48];
		int64_t before;
	} hrow;
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(hrow)), s16 = H5Tcopy(H5T_C_S1),
	      s48 = H5Tcopy(H5T_C_S1);
	H5Tset_size(s16, 16);
	H5Tset_size(s48, 48);
	H5Tinsert(t, "session", HOFFSET(hrow, session), H5T_NATIVE_INT64);
	H5Tinsert(t, "action", HOFFSET(hrow, action), s16);
	H5Tinsert(t, "git_commit", HOFFSET(hrow, commit), s48);
	H5Tinsert(t, "tasks_before", HOFFSET(hrow, before), H5T_NATIVE_INT64);
	hrow rows[256];
	hid_t d = H5Dopen2(file, "/history", H5P_DEFAULT);
	ck_assert_int_ge(d, 0);
	ck_assert_int_ge(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), 0);
	ck_assert_int_eq(rows[row].session, session);
	ck_assert_str_eq(rows[row].action, action);
	ck_assert_str_eq(rows[row].commit, smab_git_commit);
	ck_assert_int_eq(rows[row].before, before);
	ck_assert_int_eq(rows[row + 1].session, 0);
	H5Dclose(d);
	H5Tclose(t);
	H5Tclose(s16);
	H5Tclose(s48);
}

/* Flip one bit of task (p, r) of dataset 'dset' in the file, as a disk or
 * a careless tool would. */
static void flip_bit(const char *path, const char *dset, const fixture *f, int64_t p, int r)
{
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
	haddr_t off = H5Dget_offset(d);
	ck_assert(off != HADDR_UNDEF);
	H5Dclose(d);
	H5Fclose(file);
	FILE *fp = fopen(path, "r+b");
	ck_assert_ptr_nonnull(fp);
	long at = (long)off + (long)(p * f->R + r) * 8 + 5;
	ck_assert_int_eq(fseek(fp, at, SEEK_SET), 0);
	int c = fgetc(fp);
	ck_assert_int_eq(fseek(fp, at, SEEK_SET), 0);
	fputc(c ^ 0x04, fp);
	fclose(fp);
}

/* The checksum of a task is zlib's CRC-32 of its values in the documented
 * order (h5out.h), computed here independently; /history records the
 * build; a flipped bit is found, named, refused and repaired. */
START_TEST(test_checksums_and_history)
{
	fixture f;
	fixture_init(&f, 0);
	const smab_suite *s = f.e.suite;
	char path[256], err[1024];
	tpath(path, sizeof path, "crc.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	write_tasks(h, &f, 0, 0, 2);
	write_tasks(h, &f, 2, 3, 1);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);

	uint32_t crc[12];
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(file, "/tasks/checksum", H5P_DEFAULT);
	ck_assert_int_ge(H5Dread(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, crc), 0);
	H5Dclose(d);
	for (int t = 0; t < 12; t++) {
		int64_t p = t / 4;
		int r = t % 4, done = (p == 0 && r < 2) || (p == 2 && r == 3);
		uLong want = crc32(0L, Z_NULL, 0);
		for (int km = 0; km < f.nm; km++) {
			double v = val(p, r, km);
			want = crc32(want, (const Bytef *)&v, 8);
			if (!s->metrics[km % s->nmetrics].has_curve)
				continue;
			for (int c = 0; c < f.C; c++) {
				double cv = cval(p, r, km, c);
				want = crc32(want, (const Bytef *)&cv, 8);
			}
		}
		ck_assert_msg(crc[t] == (done ? (uint32_t)want : 0u), "task %d: %08x", t, crc[t]);
	}
	history_check(file, 0, 1, "create", 0);
	H5Fclose(file);

	/* One bit of task (0, 1) flips. */
	flip_bit(path, "/results/ts/regret", &f, 0, 1);
	smab_h5_info info;
	unsigned char done[12], bad[12];
	ck_assert_int_eq(smab_h5_inspect(path, &f.pl, &prov_a, &info, done, bad, err,
	                                 sizeof err), SMAB_OK);
	ck_assert_int_eq(info.nbad, 1);
	ck_assert_int_eq(info.ndone, 3);
	ck_assert_int_eq(info.session, 2);
	ck_assert_int_eq(info.slot, 1);
	ck_assert_str_eq(info.changed, "");
	unsigned char want_bad[12] = {0, 1};
	ck_assert_mem_eq(bad, want_bad, sizeof want_bad);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	ck_assert_int_eq(smab_h5_verify(path, out, 20, err, sizeof err), SMAB_EINVAL);
	fclose(out);
	ck_assert_msg(strstr(text, "DAMAGED: 1 of 3") && strstr(text, "point 0 (drift=0) "
	              "replication 1"), "verify says: %s", text);
	ck_assert_msg(strstr(err, "--repair"), "message: %s", err);
	free(text);
	ck_assert_int_eq(smab_h5_summarize(path, err, sizeof err), SMAB_EINVAL);
	ck_assert_int_eq(smab_h5_resume(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, done, err,
	                                sizeof err), SMAB_EINVAL);
	ck_assert_ptr_null(h);

	/* The repair: its done flag goes first, then it is written again. */
	ck_assert_int_eq(smab_h5_open(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                              sizeof err), SMAB_OK);
	info.ndone -= info.nbad;
	ck_assert_int_eq(smab_h5_begin(h, "repair", &info, 1, bad), SMAB_OK);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	ck_assert_int_eq(smab_h5_inspect(path, &f.pl, &prov_a, &info, done, bad, err,
	                                 sizeof err), SMAB_OK);
	ck_assert_int_eq(info.nbad, 0);
	ck_assert_int_eq(done[1], 0);
	ck_assert_int_eq(smab_h5_open(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                              sizeof err), SMAB_OK);
	write_tasks(h, &f, 0, 1, 1);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	ck_assert_int_eq(smab_h5_verify(path, stdout, 20, err, sizeof err), SMAB_OK);
	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	history_check(file, 1, 2, "repair", 2);
	H5Fclose(file);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

/* A file cut short: every reader refuses it, none crashes. */
START_TEST(test_truncated)
{
	fixture f;
	fixture_init(&f, 0);
	char path[256], err[1024];
	tpath(path, sizeof path, "cut.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	write_tasks(h, &f, 1, 0, 4);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	for (int cut = 1; cut < 8; cut++) {
		ck_assert_int_eq(truncate(path, st.st_size * (8 - cut) / 8), 0);
		ck_assert_int_ne(smab_h5_verify(path, stdout, 5, err, sizeof err), SMAB_OK);
		ck_assert_int_ne(smab_h5_summarize(path, err, sizeof err), SMAB_OK);
		ck_assert_int_ne(smab_h5_report(path, NULL, NULL, 0, stdout, err, sizeof err),
		                 SMAB_OK);
		no_open_objects();
	}
	fixture_free(&f);
}
END_TEST

/* The outcome of /history row 'row' of 'path', and its tasks_after. */
static void outcome_of(const char *path, int row, char *outcome, int64_t *after)
{
	typedef struct {
		int64_t session, after;
		char outcome[16];
	} orow;
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(orow)), s16 = H5Tcopy(H5T_C_S1);
	H5Tset_size(s16, 16);
	H5Tinsert(t, "session", HOFFSET(orow, session), H5T_NATIVE_INT64);
	H5Tinsert(t, "tasks_after", HOFFSET(orow, after), H5T_NATIVE_INT64);
	H5Tinsert(t, "outcome", HOFFSET(orow, outcome), s16);
	orow rows[256];
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(file, "/history", H5P_DEFAULT);
	ck_assert_int_ge(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), 0);
	ck_assert_int_eq(rows[row].session, row + 1);
	snprintf(outcome, 16, "%s", rows[row].outcome);
	*after = rows[row].after;
	H5Dclose(d);
	H5Fclose(file);
	H5Tclose(t);
	H5Tclose(s16);
}

/* How each session ended: 'running' from its start, 'stopped' or
 * 'finished' at its end, 'failed' from a dying rank or after the close,
 * 'interrupted' when a later session finds it still running. */
START_TEST(test_session_outcomes)
{
	fixture f;
	fixture_init(&f, 0);
	char path[256], err[1024], outcome[16];
	int64_t after = 0;
	unsigned char done[12];
	tpath(path, sizeof path, "outcomes.h5");
	smab_h5 *h = NULL;
	ck_assert_int_eq(smab_h5_create(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, err,
	                                sizeof err), SMAB_OK);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	outcome_of(path, 0, outcome, &after);
	ck_assert_str_eq(outcome, "running");
	ck_assert_int_eq(after, -1);
	/* after the close: only the row of that very session */
	ck_assert_int_eq(smab_h5_set_outcome(path, 0, 2, "failed", err, sizeof err),
	                 SMAB_EINTERNAL);
	ck_assert_int_eq(smab_h5_set_outcome(path, 0, 1, "failed", err, sizeof err), SMAB_OK);
	outcome_of(path, 0, outcome, &after);
	ck_assert_str_eq(outcome, "failed");
	/* session 2 never ends; session 3 finds it running */
	ck_assert_int_eq(smab_h5_resume(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, done, err,
	                                sizeof err), SMAB_OK);
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	outcome_of(path, 1, outcome, &after);
	ck_assert_str_eq(outcome, "running");
	ck_assert_int_eq(smab_h5_resume(path, &f.pl, &prov_a, MPI_COMM_SELF, &h, done, err,
	                                sizeof err), SMAB_OK);
	outcome_of(path, 1, outcome, &after);
	ck_assert_str_eq(outcome, "interrupted");
	outcome_of(path, 0, outcome, &after);
	ck_assert_str_eq(outcome, "failed");
	write_tasks(h, &f, 0, 0, 2);
	ck_assert_int_eq(smab_h5_end(h, 2, "stopped"), SMAB_OK);
	outcome_of(path, 2, outcome, &after);
	ck_assert_str_eq(outcome, "stopped");
	ck_assert_int_eq(after, 2);
	/* a rank that dies records it, with the row rank 0 shared */
	ck_assert_int_eq(smab_h5_share_session(h), SMAB_OK);
	smab_h5_fail(h);
	outcome_of(path, 2, outcome, &after);
	ck_assert_str_eq(outcome, "failed");
	ck_assert_int_eq(smab_h5_close(&h), SMAB_OK);
	no_open_objects();
	fixture_free(&f);
}
END_TEST

static Suite *h5out_suite(void)
{
	Suite *s = suite_create("h5out");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_full_run);
	tcase_add_test(tc, test_partial_and_masking);
	tcase_add_test(tc, test_resume_mismatch);
	tcase_add_test(tc, test_resume_finish);
	tcase_add_test(tc, test_crash_and_resume);
	tcase_add_test(tc, test_report);
	tcase_add_test(tc, test_not_smab);
	tcase_add_test(tc, test_zip_points);
	tcase_add_test(tc, test_no_curves);
	tcase_add_test(tc, test_long_provenance);
	tcase_add_test(tc, test_checksums_and_history);
	tcase_add_test(tc, test_session_outcomes);
	tcase_add_test(tc, test_truncated);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* The MPI-IO driver needs MPI; one process is a singleton job. */
	MPI_Init(NULL, NULL);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		MPI_Finalize();
		return EXIT_FAILURE;
	}
	/* Our own error messages are under test: keep HDF5's stack quiet. */
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	SRunner *sr = srunner_create(h5out_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	MPI_Finalize();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
