# smab submit without SLURM: the scripts it writes against golden copies
# (every option, the site file and its precedence, a shard array with its
# merge job), hostile values refused, and the job logic run for real with a
# fake sbatch and scontrol that record their calls: the merge job after the
# array (merging the shards, or naming the ones that did not finish), and a
# job stopped by its time limit resubmitting itself with --resume, at most
# N times, never after another failure.
# SMAB_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
source "$(dirname "$0")/lib.bash"
GOLDEN=$ROOT/tests/integration/golden
REAL_SMAB=$(readlink -f "$SMAB")
unset SMAB_SITE SMAB_JOBS SMAB_LAUNCH SMAB_SBATCH XDG_CONFIG_HOME SLURM_JOB_ID
export HOME=$TMP/home
mkdir -p "$HOME" "$TMP/work" "$TMP/fake"
cd "$TMP/work"
cat >e.yaml <<'YAML'
suite: drift
seed: 21
replications: 12
params: {horizon: 300}
sweep:
  drift: [0, 0.5]
record: 4
YAML

# The dry-run's output with this machine's paths replaced by names.
normalised() { sed -e "s|$TMP/work|@WORKDIR@|g" -e "s|$REAL_SMAB|@SMAB@|g"; }
# golden NAME ARGS...: 'smab submit e.yaml ARGS... --dry-run' equals golden/NAME.
golden() {
	local name=$1; shift
	local got
	got=$("$SMAB" submit e.yaml "$@" --dry-run 2>&1 | normalised)
	if [ -n "${SMAB_UPDATE_GOLDEN:-}" ]; then
		printf '%s\n' "$got" >"$GOLDEN/$name"
	fi
	if diff -u "$GOLDEN/$name" - <<<"$got" >"$TMP/diff" 2>&1; then
		ok "the script for '$*' equals golden/$name"
	else
		notok "the script for '$*' equals golden/$name"
		head -20 "$TMP/diff" | sed 's/^/    /'
	fi
}

help=$("$SMAB" submit --help)
missing=
for o in nodes ntasks time partition account qos mem mem-per-cpu constraint cpus-per-task \
	mail-user mail-type sbatch setup launcher site shards merge resubmit output set resume \
	force jobs dry-run; do
	grep -q -- "--$o\b" <<<"$help" || missing="$missing --$o"
done
check "smab submit --help lists every option${missing:+ (missing:$missing)}" test -z "$missing"
check "... and where the site file is read" grep -q 'SMAB_SITE, else' <<<"$help"

# ---- golden scripts --------------------------------------------------------
golden submit-default.sbatch
golden submit-options.sbatch --nodes 2 --ntasks 4 --time 30 --partition p1 --account acc \
	--qos high --mem 4G --constraint 'haswell&ib' --cpus-per-task 2 \
	--mail-user me@example.org --mail-type END,FAIL --sbatch --exclusive \
	--sbatch --gres=gpu:1 --setup 'module load openmpi' --launcher mpirun \
	--resubmit 2 --set seed=3 --force -o 'out dir/r.h5'
golden submit-shards-merge.sbatch --shards 3 --merge --resume --time 10 -o sh/s.h5
cat >site.yaml <<'YAML'
account: siteacc
partition: sitepart
qos: siteqos
time: "20"
launcher: srun --mpi=pmi2
setup:
  - module load hdf5/1.12
  - export HDF5_USE_FILE_LOCKING=FALSE
sbatch: [--exclusive, "--gres=gpu:1"]
YAML
golden submit-site.sbatch --site site.yaml
# The command line beats the site file: account and time from the command
# line, the rest from the site file; its setup lines and sbatch arguments come first.
golden submit-site-cli.sbatch --site site.yaml --account cliacc --time 5 \
	--launcher 'srun --mpi=pmix' --sbatch --requeue --setup 'echo cli'

# ---- which site file, and its errors -------------------------------------
mkdir -p "$HOME/.config/smab"
printf 'qos: homeqos\n' >"$HOME/.config/smab/site.yaml"
out=$("$SMAB" submit e.yaml --dry-run 2>&1)
check "the default site file ~/.config/smab/site.yaml is read" grep -q '^#SBATCH --qos=homeqos$' <<<"$out"
out=$(SMAB_SITE=$PWD/site.yaml "$SMAB" submit e.yaml --dry-run 2>&1)
check "\$SMAB_SITE replaces it" grep -q '^#SBATCH --qos=siteqos$' <<<"$out"
printf 'qos: xdgqos\n' >xdg-site.yaml
mkdir -p xdg/smab && mv xdg-site.yaml xdg/smab/site.yaml
out=$(XDG_CONFIG_HOME=$PWD/xdg "$SMAB" submit e.yaml --dry-run 2>&1)
check "so does \$XDG_CONFIG_HOME/smab/site.yaml" grep -q '^#SBATCH --qos=xdgqos$' <<<"$out"
out=$(SMAB_SITE=$PWD/site.yaml "$SMAB" submit e.yaml --site "$HOME/.config/smab/site.yaml" --dry-run 2>&1)
check "--site beats \$SMAB_SITE" grep -q '^#SBATCH --qos=homeqos$' <<<"$out"
rm "$HOME/.config/smab/site.yaml"
"$SMAB" submit e.yaml --dry-run >/dev/null 2>&1
check "a missing default site file is no error" test $? -eq 0
out=$("$SMAB" submit e.yaml --dry-run --site nosuch.yaml 2>&1); rc=$?
check "a missing --site file exits 2 and says so ($(head -n 1 <<<"$out"))" \
	eval '[ $rc -eq 2 ] && grep -q "^nosuch.yaml: error: cannot read file: No such file" <<<"$out"'
out=$(SMAB_SITE=$PWD/nosuch.yaml "$SMAB" submit e.yaml --dry-run 2>&1); rc=$?
check "so does a missing \$SMAB_SITE file" test $rc -eq 2
printf 'account: a\nacount: b\nlauncher: srun\n' >bad-site.yaml
out=$("$SMAB" submit e.yaml --dry-run --site bad-site.yaml 2>&1); rc=$?
check "a bad site file exits 2 with every error at file:line:col" eval '[ $rc -eq 2 ] &&
	grep -q "^bad-site.yaml:2:1: error: '\''acount'\'': unknown key '\''acount'\''; did you mean '\''account'\''?$" <<<"$out" &&
	grep -q "^bad-site.yaml:3:11: error: '\''launcher'\'': unknown launcher '\''srun'\''" <<<"$out" &&
	test "$(grep -c ": error: " <<<"$out")" -eq 2'
check "... and prints no script" eval '! grep -q "^#SBATCH" <<<"$out"'

# ---- hostile or contradictory options: exit 2, one line, no script --------
refused() {
	local what=$1; shift
	local out rc
	out=$("$SMAB" submit e.yaml --dry-run "$@" 2>&1); rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q '^smab: submit: ' <<<"$out"; then
		ok "$what is refused with one line ($out)"
	else
		notok "$what is refused with one line (exit $rc: $(head -3 <<<"$out"))"
	fi
}
refused "--account 'a;touch PWNED'" --account 'a;touch PWNED'
refused "--qos with a space" --qos 'a b'
refused "--mem 16GB" --mem 16GB
refused "--mem-per-cpu \$(id)" --mem-per-cpu '$(id)'
refused "--constraint with a newline" --constraint $'a\n#SBATCH --x'
refused "--cpus-per-task 0" --cpus-per-task 0
refused "--mail-user with quotes" --mail-user "a'b@x"
refused "--mail-type FINISHED" --mail-type FINISHED
refused "--sbatch without its dashes" --sbatch exclusive
refused "--sbatch with a shell word" --sbatch '--export=$(touch PWNED)'
refused "--sbatch --output (smab names the logs)" --sbatch --output=x.out
refused "--setup with a line break" --setup $'module load x\ntouch PWNED'
refused "an unknown --launcher" --launcher 'srun; touch PWNED'
refused "--mem with --mem-per-cpu" --mem 1G --mem-per-cpu 1G
refused "--merge without --shards" --merge
refused "--resubmit with --shards" --shards 2 --resubmit 1
refused "--resubmit 101" --resubmit 101
check "nothing was executed" test ! -e PWNED

# ---- a template of one's own, written before the newer fields ------------
mkdir -p own
cat >own/run.sbatch <<'SH'
#!/bin/bash
@SBATCH@
cd @WORKDIR@ || exit 1
${SMAB_LAUNCH:-srun} @SMAB@ run @RUN_ARGS@ -- @FILE@
SH
out=$("$SMAB" submit e.yaml --jobs own --resume -o r.h5 --dry-run 2>&1)
check "an older template still works, --resume among its @RUN_ARGS@" \
	grep -q "^\${SMAB_LAUNCH:-srun} '$REAL_SMAB' run '-o' 'r.h5' --resume -- 'e.yaml'\$" <<<"$out"
out=$("$SMAB" submit e.yaml --jobs own --setup 'module load x' --dry-run 2>&1); rc=$?
check "... but setup lines it has no @SETUP@ for are refused, not dropped ($out)" \
	eval '[ $rc -eq 2 ] && grep -q "has no field @SETUP@" <<<"$out"'
out=$("$SMAB" submit e.yaml --jobs own --resubmit 1 --dry-run 2>&1); rc=$?
check "... and so is --resubmit without @RESUBMIT@" \
	eval '[ $rc -eq 2 ] && grep -q "has no field @RESUBMIT@" <<<"$out"'

# ---- templates of an installation: <prefix>/share/smab/jobs ----------------
mkdir -p inst/bin inst/share/smab/jobs elsewhere
cp "$REAL_SMAB" inst/bin/smab
sed 's/^set -u$/set -u # installed copy/' "$ROOT/jobs/run.sbatch" >inst/share/smab/jobs/run.sbatch
out=$(cd elsewhere && ../inst/bin/smab submit ../e.yaml --dry-run 2>&1)
check "an installed smab finds its templates in share/smab/jobs" grep -q '# installed copy' <<<"$out"

# ---- fake sbatch and scontrol ----------------------------------------------
cat >"$TMP/fake/sbatch" <<'SH'
#!/bin/bash
# Records its arguments, keeps a copy of the script, prints a job id.
d=$FAKE_DIR
n=$(( $(cat "$d/next" 2>/dev/null || echo 100) + 1 ))
echo "$n" >"$d/next"
echo "$*" >>"$d/calls"
for a; do [ -f "$a" ] && cp "$a" "$d/script-$n"; done
echo "$n"
SH
cat >"$TMP/fake/scontrol" <<'SH'
#!/bin/bash
echo "JobId=$4 JobName=x"
echo "   JobState=${FAKE_STATE:-TIMEOUT} Reason=${FAKE_REASON:-TimeLimit} Dependency=(null)"
SH
# A launcher that records how smab would be run, then exits $FAKE_STATUS.
cat >"$TMP/fake/launch" <<'SH'
#!/bin/bash
echo "SMAB_RESUBMISSION=$SMAB_RESUBMISSION $*" >>"$FAKE_DIR/launched"
exit "${FAKE_STATUS:-0}"
SH
chmod +x "$TMP/fake/"*
export FAKE_DIR=$TMP/fake SMAB_SBATCH=$TMP/fake/sbatch PATH=$TMP/fake:$PATH
calls() { cat "$FAKE_DIR/calls" 2>/dev/null; }
reset_fake() { rm -f "$FAKE_DIR/calls" "$FAKE_DIR/launched" "$FAKE_DIR/next" "$FAKE_DIR"/script-*; }

# ---- --merge: the array, then the merge job depending on it ----------------
mpi 2 run e.yaml -o single.h5 -q >/dev/null 2>&1
out=$("$SMAB" submit e.yaml --shards 3 --merge -o m/all.h5 2>&1); rc=$?
array=$(sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p' <<<"$out")
merge=$(sed -n 's/^Submitted batch job \([0-9]*\) (merge into m\/all.h5 when job \([0-9]*\) has ended)$/\1:\2/p' <<<"$out")
check "submit --merge submits the array, then the merge job ($rc: $(tr '\n' ' ' <<<"$out"))" \
	test $rc -eq 0 -a -n "$array" -a "$merge" = "$((array + 1)):$array"
check "sbatch got the array, then the merge job with --dependency=afterany on it and its id" \
	eval '[[ "$(calls)" =~ ^--parsable\ /tmp/smab-submit-[A-Za-z0-9]+$'\''\n'\''--parsable\ --dependency=afterany:$array\ /tmp/smab-submit-[A-Za-z0-9]+\ $array$ ]]'
check "no temporary script is left behind" eval '! ls /tmp/smab-submit-* >/dev/null 2>&1 || ! grep -l "m/all" /tmp/smab-submit-* >/dev/null 2>&1'
cp "$FAKE_DIR/script-$array" array.sh
cp "$FAKE_DIR/script-$((array + 1))" merge.sh
# Each element as SLURM would run it (the ranks started by 'env', its
# output in the file the #SBATCH --output pattern names), then the merge.
for i in 0 1 2; do
	SLURM_ARRAY_TASK_ID=$i SMAB_LAUNCH=env bash array.sh >"smab-e-${array}_$i.out" 2>&1
done
check "each element ends its output with its exit status" \
	grep -qx 'smab shard 2 of 3: exit status 0' "smab-e-${array}_2.out"
bash merge.sh "$array" >merge.out 2>&1; rc=$?
check "the merge job merges the three shards (exit $rc)" test $rc -eq 0 -a -e m/all.h5
check "the merged file equals a single run (h5diff)" same_results single.h5 m/all.h5
# A shard that stopped (exit 3) and one that never ran: named, nothing merged.
rm m/all.h5
sed -i 's/exit status 0$/exit status 3/' "smab-e-${array}_1.out"
rm "smab-e-${array}_2.out"
bash merge.sh "$array" >merge.out 2>&1; rc=$?
check "with an unfinished shard the merge job fails (exit $rc)" test $rc -eq 1
check "... naming the shard that exited 3" \
	grep -q "shard 1 of 3 (m/all.shard-1-of-3.h5) is missing or unfinished: its job exited with status 3; see smab-e-${array}_1.out" merge.out
check "... and the one that never ran" \
	grep -q "shard 2 of 3 (m/all.shard-2-of-3.h5) is missing or unfinished: its job left no output smab-e-${array}_2.out" merge.out
check "... merging nothing" eval '[ ! -e m/all.h5 ] && grep -q "2 of 3 shards unfinished, nothing merged" merge.out'
# A killed element's output has no status line.
echo "smab: something" >"smab-e-${array}_2.out"
sed -i 's/exit status 3$/exit status 0/' "smab-e-${array}_1.out"
bash merge.sh "$array" >merge.out 2>&1; rc=$?
check "a killed element (no status line) is named too" \
	eval '[ $rc -eq 1 ] && grep -q "shard 2 of 3 .* ended without an exit status (killed)" merge.out'
reset_fake
out=$(SMAB_SBATCH=false "$SMAB" submit e.yaml --shards 3 --merge -o m/all.h5 2>&1); rc=$?
check "sbatch refusing the array exits 1 or 2 with a message, nothing else submitted" \
	eval '[ $rc -ne 0 ] && grep -q "did not accept the job" <<<"$out"'

# ---- --resubmit: the time limit resubmits with --resume, nothing else does --
reset_fake
out=$("$SMAB" submit e.yaml --resubmit 2 --force -o r.h5 2>&1)
first=$(sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p' <<<"$out")
cp "$FAKE_DIR/script-$first" job.sh
reset_fake
# job K of the chain, with the launcher exiting S: job_run K S
job_run() { SLURM_JOB_ID=500$1 FAKE_STATUS=$2 SMAB_LAUNCH=$FAKE_DIR/launch bash job.sh $([ "$1" -gt 0 ] && echo "$1") >job.out 2>&1; }
job_run 0 3; rc=$?
check "the first job, stopped by the time limit, exits 3" test $rc -eq 3
check "... having run smab with --force and SMAB_RESUBMISSION=0" \
	grep -q "^SMAB_RESUBMISSION=0 $REAL_SMAB run -o r.h5 --force -- e.yaml$" "$FAKE_DIR/launched"
check "... and submitted itself again as resubmission 1 ($(calls))" \
	test "$(calls)" = "--parsable $TMP/work/job.sh 1"
check "... saying so in its output" \
	grep -q "^smab job 5000: stopped by the time limit; resubmitted as job 101 (resubmission 1 of 2)$" job.out
reset_fake
job_run 1 3
check "resubmission 1 runs smab with --resume and SMAB_RESUBMISSION=1" \
	grep -q "^SMAB_RESUBMISSION=1 $REAL_SMAB run -o r.h5 --resume -- e.yaml$" "$FAKE_DIR/launched"
check "... and, stopped again, submits resubmission 2" test "$(calls)" = "--parsable $TMP/work/job.sh 2"
reset_fake
job_run 2 3; rc=$?
check "resubmission 2 of 2, stopped again, submits nothing and exits 3" test -z "$(calls)" -a $rc -eq 3
check "... telling the user to resume" grep -q "exit status 3; if the run was stopped" job.out
reset_fake
job_run 0 1; rc=$?
check "a job that fails otherwise (exit 1) is never resubmitted" test -z "$(calls)" -a $rc -eq 1
reset_fake
job_run 0 0; rc=$?
check "a job that finishes is not resubmitted" test -z "$(calls)" -a $rc -eq 0
reset_fake
FAKE_STATE=CANCELLED FAKE_REASON=None job_run 0 3
check "a job stopped by scancel (exit 3, not the time limit) is not resubmitted" test -z "$(calls)"
reset_fake
(export PATH=/usr/bin:/bin; job_run 0 3)
check "nor when SLURM cannot say why the job stopped (no scontrol)" test -z "$(calls)"
reset_fake
SMAB_SBATCH=false job_run 0 3
check "a resubmission sbatch refuses is reported" grep -q "resubmission 1 of 2 failed" job.out
reset_fake
SLURM_RESTART_COUNT=1 job_run 0 0
check "a job SLURM requeued itself (after a node failure) resumes its --force run's file" \
	grep -q "^SMAB_RESUBMISSION=0 $REAL_SMAB run -o r.h5 --resume -- e.yaml$" "$FAKE_DIR/launched"
reset_fake
SLURM_RESTART_COUNT=1 SLURM_ARRAY_TASK_ID=1 SMAB_LAUNCH=$FAKE_DIR/launch bash array.sh >/dev/null 2>&1
check "... and so does a requeued shard" grep -q -- "--resume --shard 1/3" "$FAKE_DIR/launched"
"$SMAB" submit e.yaml --dry-run -o r.h5 | grep -q '^resubmit_max=0$'
check "without --resubmit a job resubmits itself 0 times" test $? -eq 0
echo done
