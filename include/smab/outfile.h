/* outfile.h - the life of a result file on disk, before and around HDF5:
 * the path checked before anything runs, the temporary name a file is built
 * under, its publication under the real name (exclusive unless replacing),
 * the lock a live writer holds on it, and the free space it needs.
 *
 * Plain POSIX (Linux), no HDF5 and no MPI, so every command shares it: 'run'
 * and 'merge' build under a temporary name and publish; 'run --resume',
 * 'shapley' and 'merge --force' refuse a file another live process holds. */
#ifndef SMAB_OUTFILE_H
#define SMAB_OUTFILE_H

#include <stddef.h>

#include "smab/common.h"

/* Longest absolute path (bytes) of a result file.  Open MPI's MPI-IO layer
 * (ompio, 4.1) aborts on absolute paths of 250 bytes or more, so a longer
 * path is refused up front instead of failing mid-run. */
#define SMAB_OUT_PATH_MAX 240

/* Check that 'path' can name a result file before anything is created: not
 * empty, not ending in '/', absolute form (the working directory prepended
 * to a relative path) at most SMAB_OUT_PATH_MAX bytes, and, if it exists, a
 * regular file (not a directory, /dev/null or a FIFO).  SMAB_OK, or
 * SMAB_EINVAL with the reason in err. */
int smab_out_check_path(const char *path, char *err, size_t errlen);

/* 1 if a and b name the same existing file (same device and inode, so
 * "./x.h5", an absolute path or a link all match), else 0. */
int smab_out_same_file(const char *a, const char *b);

/* Create the missing parent directories of 'path' (mkdir -p of its
 * dirname).  SMAB_OK or SMAB_EIO with the reason in err. */
int smab_out_make_parents(const char *path, char *err, size_t errlen);

/* A fresh temporary name in the directory of 'path',
 * "<dir>/.<base>.smab-<host>-<pid>-<n>.tmp" (caller frees): on the same
 * file system, so publishing it is an atomic rename.  A long base is cut
 * so that the name stays within NAME_MAX. */
char *smab_out_tmpname(const char *path);
/* Remove the temporary files of 'path' that a process of this host, now
 * gone, left behind (a build killed with SIGKILL); those of other hosts or
 * of live processes are left alone.  Returns how many were removed. */
int smab_out_clean_stale(const char *path);

/* The writer's lock: an exclusive Linux open-file-description lock on one
 * byte far past any data, taken through its own descriptor.  It is released
 * when that descriptor is closed or the process dies (a killed run leaves
 * no stale lock), and it does not interfere with HDF5's own flock() or with
 * readers.  On a file system without such locks (some parallel file systems
 * mounted without lock support) it is skipped: *fd = -1 and SMAB_OK, with
 * a warning in err that the caller prints after the file's name.
 * Returns SMAB_OK (lock held in *fd), SMAB_EBUSY if another live process
 * holds it, or SMAB_EIO; the reason is in err. */
int smab_out_lock(const char *path, int *fd, char *err, size_t errlen);
/* Release the lock taken by smab_out_lock (no-op for *fd < 0). */
void smab_out_unlock(int *fd);
/* 1 if another live process holds the lock of 'path', else 0 (also when
 * the file does not exist or the file system has no such locks). */
int smab_out_locked(const char *path);

/* SMAB_OK, or SMAB_EBUSY with the reason in err when another live process
 * holds the lock of 'path' (checked before replacing it). */
int smab_out_check_free(const char *path, char *err, size_t errlen);

/* Make the complete file 'tmp' the result file 'path': its data flushed to
 * disk, then renamed into place -- refusing (SMAB_EEXIST) when 'path'
 * appeared meanwhile unless 'replace', and even then (SMAB_EBUSY) when a
 * live process holds the lock of the file there -- and the directory entry
 * flushed.  A failure leaves 'path' as it was.  The reason is in err. */
int smab_out_publish(const char *tmp, const char *path, int replace, char *err,
                     size_t errlen);

/* SMAB_OK if the file system of 'path' (its directory) has at least
 * 'bytes' free for this user, else SMAB_EIO with both numbers in err.  A
 * file system that cannot tell passes. */
int smab_out_check_space(const char *path, double bytes, char *err, size_t errlen);

/* "2.5 MB", "3.1 GB": a byte count for messages, into buf. */
const char *smab_out_bytes_str(double bytes, char *buf, size_t len);

#endif
