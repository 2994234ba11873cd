/* h5util.h - internal to the result-file code, not installed: what the
 * parallel writer (h5out.c) and the serial readers (h5read.c) share.
 *
 * A function that takes an h5ctx records its first failure there (status
 * and message) and returns -1 (an hid_t) or cx->status (an int). */
#ifndef SMAB_H5UTIL_H
#define SMAB_H5UTIL_H

#include <hdf5.h>

#include "smab/common.h"
#include "smab/stats.h"

/* ---- errors ------------------------------------------------------------ */

typedef struct h5ctx {
	char *err;        /* message buffer, or NULL: print on stderr */
	size_t errlen;
	int status;       /* status of the first failure, SMAB_OK until then */
} h5ctx;

/* An HDF5 call failed: record where (file:line) and why (HDF5's innermost
 * reason), with status SMAB_EIO. */
void h5u_fail_h5(h5ctx *cx, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The user's input is wrong (a mismatching file, an unknown name). */
void h5u_fail_user(h5ctx *cx, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Non-HDF5 failure with file:line (bad shape, internal inconsistency). */
void h5u_fail_at(h5ctx *cx, int status, const char *file, int line,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Check an HDF5 call (negative = failure) in a function that has an h5ctx
 * 'cx' and an 'out' label where it releases what it holds. */
#define H5OK(expr, ...) \
	do { \
		if ((expr) < 0) { \
			h5u_fail_h5(cx, __FILE__, __LINE__, __VA_ARGS__); \
			goto out; \
		} \
	} while (0)

/* Non-HDF5 failure with file:line (bad shape, internal inconsistency). */
#define FAIL(status, ...) \
	do { \
		h5u_fail_at(cx, (status), __FILE__, __LINE__, __VA_ARGS__); \
		goto out; \
	} while (0)

/* Close an HDF5 id with fn unless it is negative, and set it to -1. */
#define CLOSE(fn, id) \
	do { \
		if ((id) >= 0) \
			fn(id); \
		(id) = -1; \
	} while (0)

/* HDF5 prints its error stack by default; inside our calls we report
 * through 'err' instead, and put the caller's handler back on the way out. */
typedef struct h5u_quiet {
	H5E_auto2_t fn;
	void *data;
} h5u_quiet;

/* Silence HDF5's error printing, saving the caller's handler in q. */
void h5u_quiet_on(h5u_quiet *q);
/* Put back the handler h5u_quiet_on saved in q. */
void h5u_quiet_off(const h5u_quiet *q);

/* ---- helpers ----------------------------------------------------------- */

/* The n strings v[] joined by sep, as a fresh string. */
char *h5u_join_list(char *const *v, int n, const char *sep);

/* Dataset creation properties (contiguous, allocated early, filled with
 * *fill of memory type filltype unless fill is NULL); 'what' names the
 * dataset in messages.  -1 on failure. */
hid_t h5u_make_dcpl(hid_t filltype, const void *fill, const char *what,
                    h5ctx *cx);
/* Create dataset 'path' of file type ftype and shape dims[rank], with
 * h5u_make_dcpl's properties.  -1 on failure. */
hid_t h5u_make_dset(hid_t file, const char *path, hid_t ftype, int rank,
                    const hsize_t *dims, hid_t filltype, const void *fill,
                    h5ctx *cx);
/* Open dataset 'path' of file fname (name for messages) and check that its
 * shape is dims[rank]; 'what' names the dimensions.  -1 on failure. */
hid_t h5u_open_dset(hid_t file, const char *fname, const char *path, int rank,
                    const hsize_t *dims, const char *what, h5ctx *cx);
/* Create group 'path' unless it exists; returns cx->status. */
int h5u_ensure_group(hid_t file, const char *path, h5ctx *cx);
/* Write string attribute 'name' = s on loc, variable-length UTF-8 (short
 * strings: < 64 KiB). */
int h5u_put_str(hid_t loc, const char *name, const char *s, h5ctx *cx);
/* A one-dimensional int64 attribute 'name' of the n values v on loc (none
 * is written when n = 0). */
int h5u_put_i64s(hid_t loc, const char *name, const int64_t *v, hsize_t n, h5ctx *cx);
/* Root string attribute 'name' as a fresh *s (free it), NULL if absent. */
int h5u_get_str(hid_t file, const char *fname, const char *name, char **s,
                h5ctx *cx);
/* The summary row type: file = 1 packed little-endian for the file,
 * file = 0 smab_summary in memory.  -1 on failure; close with H5Tclose. */
hid_t h5u_summary_type(int file);
/* ---- arguments --------------------------------------------------------- */

struct smab_plan;   /* plan.h */
struct smab_prov;   /* h5out.h */

/* SMAB_OK if path, plan and provenance are there and the plan is
 * consistent (shape, mechanisms, checkpoints); else SMAB_EINVAL in cx. */
int h5u_check_plan(const char *path, const struct smab_plan *pl,
                   const struct smab_prov *prov, h5ctx *cx);

/* ---- the file format ---------------------------------------------------- */

/* Version of the layout h5out.c writes (root attribute 'format').  Files
 * without it are format 1: no /tasks/checksum and no /history.  Format 2
 * has them; format 3 adds the self-description of h5desc.c (dimension
 * scales, descriptions and units, /points columns of their own types with
 * a label, the sweep's structure). */
#define H5U_FORMAT 3
/* The self-description of a new file (h5desc.c): dimension scales,
 * descriptions, units and the sweep's structure.  Returns cx->status. */
int h5u_describe(hid_t file, const struct smab_plan *pl, h5ctx *cx);

struct smab_param_decl;
struct smab_value;
/* How a swept parameter is stored (in /points and /sweep): its HDF5 type
 * (INT int64, REAL double, BOOL the FALSE/TRUE enum, ENUM and VEC fixed
 * strings of strsize bytes; close it with H5Tclose; -1 on failure), its
 * size in bytes, one value encoded into dst (zeroed, that size), and the
 * string size that holds the longest of n values v[i * stride] (1 for the
 * types that are not strings). */
hid_t h5u_param_type(const struct smab_param_decl *d, size_t strsize, h5ctx *cx);
size_t h5u_param_size(const struct smab_param_decl *d, size_t strsize);
void h5u_param_encode(const struct smab_param_decl *d, const struct smab_value *v,
                      unsigned char *dst);
size_t h5u_param_strlen(const struct smab_param_decl *d, const struct smab_value *v,
                        size_t n, size_t stride);

/* Rows of /history: one per session that wrote the file (history.h). */
#define H5U_HISTORY_ROWS 256

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void h5u_utc_now(char *buf, size_t len);

/* CRC-32 (zlib) of n doubles as little-endian IEEE bytes, continuing crc:
 * the per-task checksum of /tasks/checksum (h5out.h says what it covers). */
uint32_t h5u_crc_doubles(uint32_t crc, const double *v, size_t n);

/* CRC-32 of dataset 'path' of 'file' as stored (read with its own file
 * type, so no conversion): what the attributes points_crc32 and
 * checkpoints_crc32 hold for /points and /results/checkpoints. */
int h5u_crc_dset(hid_t file, const char *path, uint32_t *crc, h5ctx *cx);

/* A result file opened serially, with what summarize, report and merge
 * need (h5check.c). */
typedef struct h5u_rfile {
	const char *path;
	hid_t file;
	int format;              /* H5U_FORMAT, or 1 for older files */
	int nmech, nmetric;
	char **mech, **metric;
	hsize_t P, R, C;
	unsigned char *done;     /* [P*R] */
	double fsize;            /* bytes, for bounds checks */
	int tables_bad;          /* h5u_verify: 1 /points, 2 /results/checkpoints
	                            fail their checksum */
} h5u_rfile;

/* Open 'path' (read-write if 'write'), check it is a smab result file whose
 * datasets have the shapes its attributes state, and read its lists, shape
 * and /tasks/done.  Returns cx->status; on failure nothing stays open. */
int h5u_rfile_open(h5u_rfile *rf, const char *path, int write, h5ctx *cx);
void h5u_rfile_close(h5u_rfile *rf, h5ctx *cx);
/* Open dataset 'path' of rf and check its class (H5T_FLOAT, H5T_INTEGER),
 * element size, shape dims[rank] and that its data lies inside the file,
 * before anything is read from it.  -1 on failure (reason in cx). */
hid_t h5u_rfile_dset(h5u_rfile *rf, const char *path, H5T_class_t cls, size_t size,
                     int rank, const hsize_t *dims, h5ctx *cx);
/* Recompute the checksum of every task marked done and compare it with
 * /tasks/checksum: bad[t] = 1 for each task that fails (bad may be NULL),
 * *nbad their number; *nbad = -1 for a format-1 file (no checksums).
 * /points and /results/checkpoints are checked against their attributes
 * too (rf->tables_bad).
 * Returns cx->status (I/O or a malformed file), not the verdict. */
int h5u_verify(h5u_rfile *rf, unsigned char *bad, int64_t *nbad, h5ctx *cx);
/* "N tasks ... fail their checksum (first: point P replication R)", as an
 * error in cx, if nbad > 0; what to do about it follows. */
int h5u_fail_damaged(h5u_rfile *rf, const unsigned char *bad, int64_t nbad, h5ctx *cx);
/* cx->status, after refusing (h5u_fail_damaged) a file with tasks that fail
 * their checksum: what every reader of /results checks first. */
int h5u_intact(h5u_rfile *rf, h5ctx *cx);

/* Split a comma list into a NULL-terminated array of *n fresh strings;
 * free it with h5u_free_list. */
char **h5u_split_list(const char *s, int *n);
void h5u_free_list(char **v);

/* /points rendered as text: ncol swept columns per point ('id' left out). */
typedef struct h5u_ptab {
	int ncol;
	char **name;      /* [ncol] */
	char **cell;      /* [P*ncol] */
	char **label;     /* [P] "drift=0.4, noise=bernoulli" */
} h5u_ptab;

/* Read /points of rf as text (h5read.c).  Returns cx->status; free t with
 * h5u_ptab_free(t, P) either way. */
int h5u_read_points(h5u_rfile *rf, h5u_ptab *t, h5ctx *cx);
void h5u_ptab_free(h5u_ptab *t, size_t P);

/* Display width of UTF-8 text (continuation bytes take no column). */
size_t h5u_text_width(const char *s);
/* One CSV field, quoted when it holds a comma, a quote or a newline. */
void h5u_csv_field(FILE *out, const char *s);

/* File access properties for a serial open or create (close with
 * H5Pclose): HDF5's own flock() is off, because smab's writers hold their
 * own lock (outfile.h), which flock() emulated on NFS would collide with
 * inside one process.  -1 on failure. */
hid_t h5u_fapl_serial(void);

/* Close *file and set it to -1, reporting objects left open and a failed
 * close through cx; nothing if *file < 0.  'path' names it in messages. */
void h5u_close_file(hid_t *file, const char *path, h5ctx *cx);
/* 1 once a close has failed (h5u_close_file): the library then keeps a
 * half-destroyed file, and nothing should open files again. */
int h5u_lib_poisoned(void);

#endif
