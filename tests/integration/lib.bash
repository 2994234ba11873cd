# Shared helpers for the integration scripts (sourced, not run; not a test).
# Each script prints "ok - ..." or "not ok - ..." per check and "done" last;
# tests/run-tests.sh counts them and treats a missing "done" as a failure.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SMAB="$ROOT/${SMAB_BUILD:-build}/smab"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Reading a file that a killed run left behind must not trip HDF5's lock.
export HDF5_USE_FILE_LOCKING=FALSE
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
mpi() { local np=$1; shift; mpirun --oversubscribe -np "$np" "$SMAB" "$@"; }
# Number of tasks marked done in a result file.
# Only the DATA block is read: the header holds the file name, whose
# random temporary directory may contain digits.
ndone() {
	h5dump -A 0 -d /tasks/done -y -w 0 "$1" 2>/dev/null | sed -n '/DATA {/,/}/p' \
		| tr -c '01\n' ' ' | tr ' ' '\n' | grep -c '^1$'
}
# Datasets of two result files equal (results and summary groups, done
# flags and the tasks' checksums).
same_results() {
	h5diff -q "$1" "$2" /results /results && h5diff -q "$1" "$2" /summary /summary \
		&& h5diff -q "$1" "$2" /tasks/done /tasks/done \
		&& h5diff -q "$1" "$2" /tasks/checksum /tasks/checksum
}

# SLURM (slurm.sh, multinode.sh): the final state of job $1 (an array
# element as ID_I), waiting up to $2 s; status 1 if it has not ended.
job_end() {
	local s
	for _ in $(seq $(( $2 * 2 ))); do
		s=$(scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
		case $s in
			COMPLETED|FAILED|TIMEOUT|CANCELLED|NODE_FAIL|OUT_OF_MEMORY) echo "$s"; return 0 ;;
		esac
		sleep 0.5
	done
	echo "${s:-UNKNOWN}"
	return 1
}
# The first job id in 'smab submit' or sbatch output $1.
job_id() { sed -n 's/^Submitted batch job \([0-9][0-9_]*\).*/\1/p' <<<"$1" | head -n 1; }
