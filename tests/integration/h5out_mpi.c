/* h5out_mpi.c - several ranks writing disjoint tasks into one result file.
 *
 *   mpirun -np N h5out_mpi OUT.h5 [POINTS [REPS]]
 *
 * A hand-made plan (drift suite, mechanisms ucb and ts, sweep over 'drift',
 * 5 checkpoints).  Task t = p * REPS + r belongs to rank t % N; each rank
 * writes its tasks in runs of consecutive replications of one point.  Then
 * the file is closed, rank 0 summarizes it, checks every value and done
 * flag with plain serial HDF5 and prints the report; exit status 0 iff all
 * is well and "h5out_mpi: ok" is printed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <mpi.h>

#include "smab/h5out.h"

static double val(int64_t p, int r, int km)
{
	return 1000.0 * (double)p + 10.0 * r + km + 0.01 * r * r * (km + 1) + 0.125;
}

static int check_results(const char *path, const smab_plan *pl)
{
	const smab_suite *s = pl->e->suite;
	size_t P = (size_t)pl->npoints, R = (size_t)pl->reps, C = (size_t)pl->ncheck;
	int bad = 0;
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0)
		return 1;
	unsigned char *done = malloc(P * R);
	double *x = malloc(P * R * C * sizeof *x);
	hid_t d = H5Dopen2(f, "/tasks/done", H5P_DEFAULT);
	if (H5Dread(d, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, done) < 0)
		bad++;
	H5Dclose(d);
	for (size_t i = 0; i < P * R; i++)
		if (done[i] != 1) {
			fprintf(stderr, "task %zu not done\n", i);
			bad++;
		}
	for (int k = 0; k < pl->nmech; k++)
		for (int m = 0; m < s->nmetrics; m++) {
			int km = k * s->nmetrics + m;
			char path2[256];
			snprintf(path2, sizeof path2, "/results/%s/%s", s->mechs[pl->e->mech[k]].name,
			         s->metrics[m].name);
			d = H5Dopen2(f, path2, H5P_DEFAULT);
			if (d < 0 || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
				bad++;
			H5Dclose(d);
			for (size_t i = 0; i < P * R; i++)
				if (x[i] != val((int64_t)(i / R), (int)(i % R), km)) {
					fprintf(stderr, "%s[%zu] = %g\n", path2, i, x[i]);
					bad++;
				}
			if (!s->metrics[m].has_curve)
				continue;
			strcat(path2, "_curve");
			d = H5Dopen2(f, path2, H5P_DEFAULT);
			if (d < 0 || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
				bad++;
			H5Dclose(d);
			for (size_t i = 0; i < P * R * C; i++) {
				size_t t = i / C;
				double want = val((int64_t)(t / R), (int)(t % R), km) * (double)(i % C + 1);
				if (x[i] != want) {
					fprintf(stderr, "%s[%zu] = %g\n", path2, i, x[i]);
					bad++;
				}
			}
		}
	free(done);
	free(x);
	H5Fclose(f);
	return bad;
}

int main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	int rank = 0, size = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc < 2) {
		if (rank == 0)
			fprintf(stderr, "usage: h5out_mpi OUT.h5 [POINTS [REPS]]\n");
		MPI_Finalize();
		return 2;
	}
	const char *path = argv[1];
	int64_t P = argc > 2 ? atoll(argv[2]) : 3;
	int R = argc > 3 ? atoi(argv[3]) : 8;
	const smab_suite *s = smab_suite_find("drift");
	int pd = smab_suite_param(s, "drift");
	int mech[2] = {smab_suite_mech(s, "ucb"), smab_suite_mech(s, "ts")};
	int ap[1] = {pd};
	smab_value *av = calloc((size_t)P, sizeof *av);
	for (int64_t p = 0; p < P; p++)
		av[p].x = 0.1 * (double)p;
	smab_axis ax = {.nparam = 1, .param = ap, .len = (int)P, .values = av};
	smab_value *base = calloc((size_t)s->nparams, sizeof *base);
	smab_experiment e = {.name = "h5out_mpi", .suite = s, .seed = 7, .replications = R,
	                     .nmech = 2, .mech = mech, .base = base, .naxes = 1, .axes = &ax,
	                     .record = 5, .text = "suite: drift\n"};
	smab_plan pl = {.e = &e, .npoints = P, .reps = R, .nmech = 2,
	                .nmetrics = s->nmetrics, .ncheck = 5};
	pl.vals = calloc((size_t)(P * s->nparams), sizeof *pl.vals);
	pl.check = calloc((size_t)(P * 5), sizeof *pl.check);
	for (int64_t p = 0; p < P; p++) {
		pl.vals[p * s->nparams + pd] = av[p];
		for (int c = 0; c < 5; c++)
			pl.check[p * 5 + c] = (c + 1) * 10;
	}
	smab_prov prov = {"suite: drift\n",
	                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	                  size, NULL, NULL};
	char err[1024];
	smab_h5 *h = NULL;
	int rc = smab_h5_create(path, &pl, &prov, MPI_COMM_WORLD, &h, err, sizeof err);
	if (rc != SMAB_OK) {
		fprintf(stderr, "rank %d: %s\n", rank, err);
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	size_t nm = (size_t)(2 * s->nmetrics), C = 5;
	double *sc = malloc((size_t)R * nm * sizeof *sc);
	double *cu = malloc((size_t)R * nm * C * sizeof *cu);
	double *se = malloc((size_t)R * sizeof *se);
	/* Runs of this rank's consecutive replications of each point. */
	for (int64_t p = 0; p < P; p++) {
		int r = 0;
		while (r < R) {
			if ((p * R + r) % size != rank) {
				r++;
				continue;
			}
			int n = 0;
			while (r + n < R && (p * R + r + n) % size == rank && n < 3)
				n++;
			if (size > 1)
				n = 1;   /* interleaved ownership: single tasks */
			for (int i = 0; i < n; i++) {
				for (size_t km = 0; km < nm; km++) {
					sc[(size_t)i * nm + km] = val(p, r + i, (int)km);
					for (size_t c = 0; c < C; c++)
						cu[((size_t)i * nm + km) * C + c] = val(p, r + i, (int)km) * (double)(c + 1);
				}
				se[i] = rank;
			}
			if (smab_h5_write(h, p, r, n, sc, cu, se) != SMAB_OK)
				MPI_Abort(MPI_COMM_WORLD, 1);
			r += n;
		}
	}
	if (smab_h5_close(&h) != SMAB_OK)
		MPI_Abort(MPI_COMM_WORLD, 1);
	int bad = 0;
	if (rank == 0) {
		if (smab_h5_summarize(path, err, sizeof err) != SMAB_OK) {
			fprintf(stderr, "summarize: %s\n", err);
			bad++;
		}
		bad += check_results(path, &pl);
		if (smab_h5_report(path, "regret", "ts", 0, stdout, err, sizeof err) != SMAB_OK) {
			fprintf(stderr, "report: %s\n", err);
			bad++;
		}
		printf("h5out_mpi: %s (%d ranks, %lld tasks)\n", bad ? "FAILED" : "ok", size,
		       (long long)(P * R));
	}
	MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
	free(sc);
	free(cu);
	free(se);
	free(pl.vals);
	free(pl.check);
	free(av);
	free(base);
	MPI_Finalize();
	return bad ? 1 : 0;
}
