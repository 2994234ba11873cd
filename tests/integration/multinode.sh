# smab on a simulated 3-node cluster (scripts/slurm-local.sh up --nodes 3:
# network namespaces, one slurmd each, Open MPI over TCP between them): a
# job spread over the nodes equals a 1-rank run and its ranks ran where
# SLURM put them; without the TCP transport the nodes cannot reach each
# other; a shard array placed on different nodes merges to the same; a time
# limit stops every node's ranks with status 3 and --resume finishes the
# file; a node killed mid-run fails the job within a bounded time and
# --resume on the surviving nodes finishes it, losing only the tasks in
# flight; a coalition sweep's Shapley tables equal a 1-rank run's.
# Skipped, and said so, where SLURM or network namespaces are not available.
source "$(dirname "$0")/lib.bash"
export PATH=$PATH:/usr/sbin
# A cluster of its own, apart from the single-node one of slurm.sh (which
# uses /tmp/smab-slurm and port 6817), so both can run at once.
export SMAB_SLURM_DIR=${SMAB_MN_DIR:-/tmp/smab-slurm-mn}
export SMAB_SLURM_PORT=${SMAB_MN_PORT:-6917}
export SMAB_SLURM_KILLWAIT=5 SMAB_SLURM_CPUS=4
L="$ROOT/scripts/slurm-local.sh"
t_start=$(date +%s)
trap '"$L" down >/dev/null 2>&1; rm -rf "$TMP"' EXIT
"$L" up --nodes 3 >"$TMP/up.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	why=$(tail -1 "$TMP/up.log")
	if [ $rc -eq 77 ]; then
		for t in "a 3-node job equals a 1-rank run" "a shard array over the nodes" \
		         "a time limit on a multi-node job" "a node lost mid-run" \
		         "a coalition sweep over the nodes"; do
			echo "skip - $t: $why"
		done
	else
		notok "the simulated cluster comes up: $why"
	fi
	echo done
	exit 0
fi
ok "three nodes in network namespaces are up ($(tail -1 "$TMP/up.log" | cut -d';' -f1))"
eval "$("$L" env)"
cd "$TMP"

job_field() { scontrol show job "$1" 2>/dev/null | grep -o "$2=[^ ]*" | head -1 | cut -d= -f2; }
# Host names of a job's ranks as "host:ranks host:ranks ", from the files
# the launcher wrapper below writes for each rank.
rank_hosts() { cat "hosts.$1".* 2>/dev/null | sort -n | awk '{ print $2 }' | sort | uniq -c | awk '{ printf "%s:%d ", $2, $1 }'; }
# smab's ranks still alive in node $1's namespace.
ranks_on() { ip netns pids "smab$SMAB_SLURM_PORT-node$1" 2>/dev/null | while read -r p; do
	[ "$(cat /proc/$p/comm 2>/dev/null)" = smab ] && echo "$p"; done; }

# sbatch as 'smab submit' calls it, with N ranks on every node and the
# options in $MN_SBATCH_OPTS; no requeue after a node failure (a test
# resumes the file itself).  The job's launcher records each rank's host
# name before it runs smab.
for n in 1 2; do
	printf '#!/bin/sh\nexec sbatch --no-requeue --ntasks-per-node=%d $MN_SBATCH_OPTS "$@"\n' $n >"sbatch$n"
	chmod +x "sbatch$n"
done
export MN_SBATCH_OPTS=
cat >rankhost <<'SH'
#!/bin/sh
echo "$SLURM_PROCID $(hostname)" >"hosts.$SLURM_JOB_ID.$SLURM_PROCID"
exec "$@"
SH
chmod +x rankhost
export SMAB_LAUNCH="srun --mpi=pmix $TMP/rankhost"

cat >e.yaml <<'YAML'
suite: drift
seed: 31
replications: 30
params: {horizon: 2000}
sweep:
  drift: [0, 0.5]
record: 5
YAML
# The time-limited run: 1200 tasks of 0.5 s on 4 ranks, 150 s, against a
# 1-minute limit (SLURM checks limits every 30 s).
cat >long.yaml <<'YAML'
suite: drift
seed: 13
replications: 600
params: {horizon: 300}
sweep:
  drift: [0, 1]
record: 4
YAML
# A synthetic coalition game of 5 agents: 31 coalitions, no data needed.
cat >syn.yaml <<'YAML'
suite: coalition
seed: 9
replications: 3
mechanisms: [linucb, dev-random]
params: {instance: synthetic, horizon: 200}
sweep:
  coalition: all
record: 4
YAML
for f in e long syn; do
	"$SMAB" run $f.yaml -o ref-$f.h5 -q >/dev/null 2>&1 || notok "the 1-rank reference run of $f.yaml"
done

# ---- 3 (started first: it waits for its time limit) ------------------------
out=$(SMAB_TEST_TASK_DELAY=0.5 SMAB_SBATCH=$TMP/sbatch2 "$SMAB" submit long.yaml \
	--nodes 2 --ntasks 4 --time 1 -o long.h5 2>&1)
long_id=$(job_id "$out")
check "a 2-node job with a 1-minute limit is submitted" test -n "$long_id"

# ---- 1. a 3-node job, 2 ranks per node ---------------------------------
out=$(SMAB_SBATCH=$TMP/sbatch2 "$SMAB" submit e.yaml --nodes 3 --ntasks 6 --time 5 -o e.h5 2>&1)
id=$(job_id "$out")
# 60 tasks of a few ms: seconds when the machine is idle, but a loaded CI
# machine once left it RUNNING at 60 s (wiring 6 ranks over TCP beside
# the 2-node job above), so wait as long as the other multi-node jobs.
t0=$SECONDS
state=$(job_end "$id" 150)
check "a 3-node job with 2 ranks per node completes (state $state after $((SECONDS - t0)) s)" \
	test "$state" = COMPLETED
check "its file equals a 1-rank run's (h5diff)" same_results ref-e.h5 e.h5
h=$(rank_hosts "$id")
check "its ranks ran two on each node ($h)" test "$h" = "node1:2 node2:2 node3:2 "
hosts=$(/usr/bin/python3 -c '
import h5py, sys
h = [r for r in h5py.File(sys.argv[1], "r")["history"][:] if r["session"] > 0]
print(h[-1]["hosts"].decode())' e.h5 2>&1 | tail -1)
check "the file's /history names the three hosts ($hosts)" test "$hosts" = node1,node2,node3

# Ranks on different nodes share no memory: without the TCP transport they
# cannot reach each other, so the job above did talk over TCP.
out=$(OMPI_MCA_btl=self,vader SMAB_SBATCH=$TMP/sbatch1 "$SMAB" submit e.yaml --nodes 2 --ntasks 2 \
	--time 5 -o notcp.h5 2>&1)
id=$(job_id "$out")
state=$(job_end "$id" 60)
check "without TCP, ranks on two nodes cannot reach each other (state $state)" \
	bash -c "test '$state' = FAILED && grep -q 'unable to reach each other' smab-e-$id.out"

# ---- 5. a coalition sweep over the nodes --------------------------------
out=$(SMAB_SBATCH=$TMP/sbatch2 "$SMAB" submit syn.yaml --nodes 3 --ntasks 6 --time 5 -o syn.h5 2>&1)
id=$(job_id "$out")
state=$(job_end "$id" 90)
check "a 3-node coalition sweep completes (state $state)" test "$state" = COMPLETED
check "... its datasets equal a 1-rank run's" same_results ref-syn.h5 syn.h5
check "... and so do its Shapley tables (h5diff /coalition)" h5diff -q ref-syn.h5 syn.h5 /coalition /coalition

# ---- 4. a node lost mid-run ---------------------------------------------
out=$(SMAB_TEST_TASK_DELAY=0.2 SMAB_SBATCH=$TMP/sbatch2 "$SMAB" submit long.yaml --nodes 3 \
	--ntasks 6 --time 5 -o lost.h5 2>&1)
id=$(job_id "$out")
for _ in $(seq 120); do
	[ -s lost.h5 ] && [ "$(ndone lost.h5)" -ge 60 ] && break
	sleep 0.5
done
# The tasks in the file when the node dies.
done_map() { /usr/bin/python3 -c '
import h5py, sys
print("".join(map(str, h5py.File(sys.argv[1], "r")["tasks/done"][:].ravel())))' "$1"; }
done_map lost.h5 >before.txt
# The surviving ranks go on with their tasks; bounded: SLURM declares the
# silent node down after SlurmdTimeout (15 s) and a ping cycle, fails the
# job and kills its ranks (SIGKILL KillWait = 5 s after SIGTERM).
"$L" node-kill 3 >/dev/null
t_kill=$(date +%s)
alive=
for _ in $(seq 200); do
	alive=$(ranks_on 1; ranks_on 2)
	[ -z "$alive" ] && break
	sleep 0.5
done
t_ranks=$(( $(date +%s) - t_kill ))
state=$(job_end "$id" 120)
t_job=$(( $(date +%s) - t_kill ))
check "killing node3 mid-run fails the job within 90 s (state $state after $t_job s)" \
	bash -c "{ test '$state' = NODE_FAIL || test '$state' = FAILED; } && test $t_job -le 90"
check "no rank on the surviving nodes outlives node3 by more than 90 s (${t_ranks} s)" \
	bash -c "test -z '$alive' && test $t_ranks -le 90"
done_map lost.h5 >after.txt
before=$(tr -cd 1 <before.txt | wc -c) after=$(tr -cd 1 <after.txt | wc -c)
gone=$(paste -d' ' <(fold -w1 before.txt) <(fold -w1 after.txt) | grep -c '^1 0$')
check "every task in the file before the kill is still there ($before before, $after after, $gone lost)" \
	test "$before" -ge 60 -a "$gone" -eq 0 -a "$after" -lt 1200
out=$(SMAB_SBATCH=$TMP/sbatch2 MN_SBATCH_OPTS=--exclude=node3 "$SMAB" submit long.yaml --nodes 2 --ntasks 4 \
	--time 5 -o lost.h5 --resume 2>&1)
id=$(job_id "$out")
state=$(job_end "$id" 90)
check "--resume on the two surviving nodes completes (state $state, $(rank_hosts "$id"))" \
	bash -c "test '$state' = COMPLETED && test '$(rank_hosts "$id")' = 'node1:2 node2:2 '"
check "... to a file equal to an uninterrupted run's" same_results ref-long.h5 lost.h5
hist=$(/usr/bin/python3 -c '
import h5py, sys
h = h5py.File(sys.argv[1], "r")["history"][:]
print(" ".join("%s:%d:%d" % (r["action"].decode(), r["tasks_before"], r["tasks_after"]) for r in h if r["session"] > 0))
' lost.h5 2>&1)
check "... computing again only the tasks not in the file ($hist)" \
	bash -c "[[ '$hist' =~ ^create:0:-?[0-9]+\ resume:$after:1200$ ]]"
"$L" node-start 3 >/dev/null 2>&1

# ---- 3. the time limit ---------------------------------------------------
id=$long_id
state=$(job_end "$id" 150)
check "SLURM stops the 2-node job at its time limit (state $state)" test "$state" = TIMEOUT
n=$(ndone long.h5)
check "it left some but not all tasks done ($n of 1200)" test "$n" -gt 0 -a "$n" -lt 1200
check "every node's ranks exited with status 3" \
	bash -c "grep -q 'node1: tasks 0-1: Exited with exit code 3' smab-long-$id.out &&
	         grep -q 'node2: tasks 2-3: Exited with exit code 3' smab-long-$id.out"
check "the ranks closed the file as resumable" grep -q 'stopped by a signal after .* resumable' "smab-long-$id.out"
out=$(SMAB_SBATCH=$TMP/sbatch2 "$SMAB" submit long.yaml --nodes 3 --ntasks 6 --time 5 \
	-o long.h5 --resume 2>&1)
id=$(job_id "$out")
state=$(job_end "$id" 90)
check "--resume on 3 nodes completes (state $state)" test "$state" = COMPLETED
check "... to a file equal to an uninterrupted run's" same_results ref-long.h5 long.h5

# ---- 2. a shard array over the nodes --------------------------------------
# Each element takes a whole node, so the three run on three nodes at once.
out=$(MN_SBATCH_OPTS=--exclusive SMAB_SBATCH=$TMP/sbatch2 "$SMAB" submit e.yaml --shards 3 --ntasks 2 \
	--time 5 -o shards/e.h5 2>&1)
id=$(job_id "$out")
states= nodes=
for i in 0 1 2; do
	states="$states$(job_end "${id}_$i" 60) "
	nodes="$nodes$(job_field "${id}_$i" BatchHost) "
done
check "the three shards complete ($states)" test "$states" = "COMPLETED COMPLETED COMPLETED "
check "... on three different nodes ($nodes)" test "$(tr ' ' '\n' <<<"$nodes" | sort -u | grep -c node)" -eq 3
"$SMAB" merge shards/e.shard-*-of-3.h5 -o merged.h5 >/dev/null 2>&1
check "the shards merge" test $? -eq 0
check "... to a file equal to a 1-rank run's" same_results ref-e.h5 merged.h5

"$L" down >/dev/null 2>&1
left=$(ip netns list | grep -c "^smab$SMAB_SLURM_PORT-"; ip link show | grep -c "smab\(br\)\{0,1\}$SMAB_SLURM_PORT")
check "down leaves no namespace, link or daemon of the cluster" \
	bash -c "test '$left' = '0
0' && ! pgrep -f 'slurm(ctld|d) -f $SMAB_SLURM_DIR/' >/dev/null && test ! -e $SMAB_SLURM_DIR"
echo "# multinode: $(( $(date +%s) - t_start )) s"
echo done
