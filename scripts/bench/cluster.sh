#!/usr/bin/env bash
# cluster.sh - load at cluster scale on a simulated 4-node cluster
# (scripts/slurm-local.sh up --nodes 4), one section of 'make bench'.
#
#   bash scripts/bench/cluster.sh [BUILD]      BUILD defaults to 'build'
#
# 1. Tiny tasks: 10^5 (BENCH_FULL=1: 10^6; BENCH_QUICK=1: 10^4) one-round
#    drift tasks on 16 ranks, 4 per node, launched by srun over the nodes:
#    tasks/s, machine time per task (wall x cores / tasks) against the
#    suite's own compute per task (from /tasks/seconds), peak RSS per rank
#    (also at a tenth of the tasks, to show it does not grow with them
#    beyond the 1-byte-per-task done map), and the final summary's time.
# 2. The shared task counter under contention (BUILD/bench/bench_counter):
#    batches served per second on 16, 32 and 64 ranks over the 4 nodes, one
#    take's cost between two nodes without contention, the same with rank 0
#    busy computing, and the single-node reference (shared memory) of the
#    same program in this same invocation.
# Needs root, iproute2 and SLURM; otherwise it says why and exits 0.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
export PATH=$PATH:/usr/sbin
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HDF5_USE_FILE_LOCKING=FALSE
# A cluster apart from the tests' ones.
export SMAB_SLURM_DIR=${SMAB_BENCH_SLURM_DIR:-/tmp/smab-slurm-bench}
export SMAB_SLURM_PORT=${SMAB_BENCH_SLURM_PORT:-7017}
export SMAB_SLURM_CPUS=16 SMAB_SLURM_KILLWAIT=5
PY=${PYTHON:-/usr/bin/python3}
L="$ROOT/scripts/slurm-local.sh"
SMAB="$ROOT/$BUILD/smab"

tasks=100000
case "${BENCH_QUICK:-0}" in 0|'') ;; *) tasks=10000 ;; esac
case "${BENCH_FULL:-0}" in 0|'') ;; *) tasks=1000000 ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smab-cluster.XXXXXX") || exit 1
trap '"$L" down >/dev/null 2>&1; rm -rf "$tmp"' EXIT
"$L" up --nodes 4 >"$tmp/up.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	echo "skipped: no simulated cluster here ($(tail -1 "$tmp/up.log"))"
	exit 0
fi
eval "$("$L" env)"
cd "$tmp" || exit 1

# ---- 1. tiny tasks ----------------------------------------------------------
# One point per 1000 replications; one round, two arms, one mechanism, one
# checkpoint: the task itself costs a few microseconds.
tiny() {
	cat <<YAML
suite: drift
seed: 5
replications: 1000
mechanisms: [greedy]
params: {horizon: 1, arms: 2}
sweep:
  drift: {from: 0, to: 1, num: $(( $1 / 1000 ))}
record: 1
YAML
}
# run_tiny NTASKS: wall seconds, then the stats line; RSS per rank in rss.N.*
run_tiny() {
	local n=$1 t0 t1
	tiny "$n" >tiny$n.yaml
	t0=$(date +%s.%N)
	srun -N 4 --ntasks-per-node=4 --mpi=pmix -t 30 sh -c \
		'exec /usr/bin/time -f %M -o "$1.$SLURM_PROCID" "$2" run "$3" -o "$4" --force -q' \
		sh "rss.$n" "$SMAB" tiny$n.yaml tiny$n.h5 >out.$n 2>&1
	local rc=$?
	t1=$(date +%s.%N)
	echo "$t0 $t1 $rc"
}
echo "tiny tasks: $tasks on 16 ranks (4 nodes x 4, 2 cores), srun --mpi=pmix"
read -r t0 t1 rc < <(run_tiny "$tasks")
if [ "$rc" -ne 0 ]; then
	echo "  the run failed (status $rc):"; head -5 "out.$tasks" | sed 's/^/    /'
	exit 1
fi
read -r s0 s1 rc0 < <(run_tiny $(( tasks / 10 )))
compute=$("$PY" -c '
import h5py, sys
s = h5py.File(sys.argv[1], "r")["tasks/seconds"][:]
print("%.3f" % (1e6 * s.mean()))' "tiny$tasks.h5" 2>/dev/null)
small=$(( tasks / 10 ))
awk -v w0="$t0" -v w1="$t1" -v n="$tasks" -v cores="$(nproc)" -v c="$compute" \
    -v line="$(grep total_seconds "out.$tasks")" \
    -v big="$(cat rss.$tasks.0)" -v sbig="$(cat rss.$tasks.[1-9]* | sort -n | tail -1)" \
    -v small="$( [ "$rc0" -eq 0 ] && cat rss.$small.0)" \
    -v ssmall="$( [ "$rc0" -eq 0 ] && cat rss.$small.[1-9]* | sort -n | tail -1)" '
BEGIN {
	split(line, f, " ")
	for (i in f) {
		if (f[i] == "total_seconds") tot = f[i + 1]
		if (f[i] == "summary_seconds") sum = f[i + 1]
	}
	wall = w1 - w0
	used = cores < 16 ? cores : 16
	per = 1e6 * tot * used / n
	printf "  smab run %.2f s (srun to exit %.2f s): %.0f tasks/s\n", tot, wall, n / tot
	printf "  machine time per task (run time x %d cores / tasks): %.1f us, of which the suite computes %s us; overhead %.1f us, target < 50: %s\n",
	       used, per, c, per - c, (per - c < 50 ? "PASS" : "MISS")
	printf "  final summary step (rank 0): %.3f s\n", sum
	printf "  peak RSS: rank 0 %.1f MB, other ranks up to %.1f MB", big / 1024, sbig / 1024
	if (small != "") printf "; at %d tasks %.1f / %.1f MB (done map: +%.2f MB)", n / 10, small / 1024, ssmall / 1024, 0.9 * n / 1048576
	printf "\n"
	printf "bench cluster.tiny.tasks_per_s %.1f\n", n / tot
	printf "bench cluster.tiny.overhead_us %.2f\n", per - c
	printf "bench cluster.tiny.summary_s %.3f\n", sum
}'

# ---- 1b. tasks of a fixed length ------------------------------------------
# 160 tasks that each sleep 0.1 s (no CPU) on 8 ranks: ideally 2 s of task
# loop.  On one node the counter is in shared memory; over TCP every take
# waits for rank 0 to enter MPI, which it does only between its own tasks.
echo "tasks of 0.1 s (sleeping) on 8 ranks, task loop against the ideal 2.0 s:"
cat >sleep.yaml <<'YAML'
suite: drift
seed: 6
replications: 80
mechanisms: [greedy]
params: {horizon: 1, arms: 2}
sweep:
  drift: [0, 1]
record: 1
YAML
for where in "-N 1 --ntasks-per-node=8" "-N 4 --ntasks-per-node=2"; do
	# shellcheck disable=SC2086
	SMAB_TEST_TASK_DELAY=0.1 srun $where --mpi=pmix -t 5 "$SMAB" run sleep.yaml -o sleep.h5 \
		--force -q >sleep.out 2>&1
	awk -v w="$where" '/total_seconds/ { for (i = 1; i < NF; i++) if ($i == "total_seconds") t = $(i + 1) }
		END { n = (w ~ /-N 1/) ? "1 node " : "4 nodes"
		      if (t == "") print "  " n ": the run failed"
		      else printf "  %s: %.2f s, efficiency %.0f%%\n", n, t, 100 * 2.0 / t
		      if (t != "") printf "bench cluster.sleep.%s_s %.3f\n", (w ~ /-N 1/) ? "one_node" : "four_nodes", t }' sleep.out
done

# ---- 2. the counter ---------------------------------------------------------
if [ ! -x "$ROOT/$BUILD/bench/bench_counter" ]; then
	echo "cluster.sh: $BUILD/bench/bench_counter not built (run 'make bench')" >&2
	exit 1
fi
B="$ROOT/$BUILD/bench/bench_counter"
val() { awk -v k="$2" '$1 == "bench" && $2 == k { print $3 }' "$1"; }
echo "shared task counter (one fetch-and-add on rank 0 per batch; every rank taking at once)"
timeout 60 srun -N 2 --ntasks-per-node=1 --mpi=pmix -t 2 "$B" 2000 5 >c2.txt 2>&1
timeout 60 mpirun --oversubscribe -np 16 "$B" 200 >c16local.txt 2>&1
printf '  %-34s %12s %14s %14s\n' "" "batches/s" "us per batch" "us per take"
row() {
	printf '  %-34s %12s %14s %14s\n' "$1" "$(val "$2" counter.batches_per_s)" \
		"$(val "$2" counter.us_per_batch)" "$(val "$2" counter.take_us)"
}
row "2 ranks, 2 nodes (TCP)" c2.txt
for spec in "16 4 100" "32 8 40" "64 16 20"; do
	set -- $spec
	timeout 120 srun -N 4 --ntasks-per-node="$2" --mpi=pmix -t 3 "$B" "$3" >c$1.txt 2>&1
	row "$1 ranks, 4 nodes (TCP)" c$1.txt
done
row "16 ranks, 1 node (shared memory)" c16local.txt
echo "  2 ranks, 2 nodes, rank 0 computing 5 ms between its takes: $(val c2.txt counter.busy_take_us) us per take"
for n in 2 16 32 64; do
	for k in batches_per_s us_per_batch take_us; do
		v=$(val c$n.txt counter.$k)
		[ -n "$v" ] && echo "bench cluster.counter.$n.$k $v"
	done
done
v=$(val c2.txt counter.busy_take_us)
[ -n "$v" ] && echo "bench cluster.counter.2.busy_take_us $v"
v=$(val c16local.txt counter.batches_per_s)
[ -n "$v" ] && echo "bench cluster.counter.16local.batches_per_s $v"
exit 0
