/* submit.h - 'smab submit': fill a SLURM batch template from jobs/ with
 * the command line's and the site file's settings and hand it to sbatch.
 * Serial; no MPI.  The script's pieces are in jobscript.h, the site file
 * in site.h. */
#ifndef SMAB_SUBMIT_H
#define SMAB_SUBMIT_H

#include "smab/common.h"
#include "smab/jobscript.h"

/* The 'smab submit' command (argv[0] = "submit"); returns an exit status. */
int smab_submit_main(int argc, char **argv);

#endif
