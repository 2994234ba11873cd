# Guard rails of the experiment file that a newcomer meets in the first
# hour: list parameters swept "across K", one number for a list of one.
source "$(dirname "$0")/lib.bash"
cd "$TMP"

# A sweep across the number of arms through a list axis: two instances,
# K = 2 and K = 3, zipped with 'arms'.
cat >k.yaml <<'YAML'
suite: drift
seed: 3
replications: 2
record: 4
params: {horizon: 200}
sweep:
  zip:
    arms: [2, 3]
    means: [[0.9, 0.5], [0.9, 0.8, 0.5]]
YAML
out=$("$SMAB" plan k.yaml 2>&1); rc=$?
check "a list axis: plan exits 0 (got $rc)" test $rc -eq 0
check "plan shows point 0 with K = 2" grep -qE '^ +0 +2 +\[0\.9, 0\.5\]' <<<"$out"
check "plan shows point 1 with K = 3" grep -qE '^ +1 +3 +\[0\.9, 0\.8, 0\.5\]' <<<"$out"
check "plan counts 2 points, 4 tasks" grep -qF '2 points x 2 replications = 4 tasks' <<<"$out"
mpi 2 run k.yaml -o k.h5 -q >/dev/null 2>&1
check "a list axis: the run writes its file" test -s k.h5
pts=$(h5dump -d /points k.h5 2>/dev/null | tr -d ' \n')
check "/points holds the lists as strings, and labels the points by them" \
	grep -qF '(0):{0,2,"[0.9,0.5]","arms=2,means=[0.9,0.5]"},(1):{1,3,"[0.9,0.8,0.5]","arms=3,means=[0.9,0.8,0.5]"}' <<<"$pts"
check "every task is done" test "$(ndone k.h5)" -eq 4
out=$("$SMAB" summary k.h5 --metric regret 2>&1)
check "summary names the points by their lists" grep -qF 'means=[0.9, 0.8, 0.5]' <<<"$out"

# One number for a list of one: 'arms: 3' is 'arms: [3]' (replication).
printf 'name: k3\nsuite: replication\nparams:\n  arms: 3\n' >one.yaml
printf 'name: k3\nsuite: replication\nparams:\n  arms: [3]\n' >list.yaml
a=$("$SMAB" plan one.yaml 2>&1) && b=$("$SMAB" plan list.yaml 2>&1)
check "'arms: 3' plans exactly as 'arms: [3]'" test -n "$a" -a "$a" = "$b"
# A parameter that is a group too takes a mapping of its members.
printf 'suite: replication\nparams:\n  strategy: {copies: 3}\n' >grp.yaml
"$SMAB" validate grp.yaml >/dev/null 2>&1
check "'strategy: {copies: 3}' is valid" test $? -eq 0
# A mechanism undefined for the instance is refused at validation with the
# reason, instead of running and printing NaN.
printf 'suite: coalition\nmechanisms: [linucb, mul-ucb]\nparams: {horizon: 50}\n' >mul.yaml
out=$(mpi 2 run mul.yaml -o mul.h5 2>&1); rc=$?
check "mul-ucb on 'synthetic': exit 2 (got $rc)" test $rc -eq 2
check "... at its entry, with the reason" \
	grep -qF "mul.yaml:2:22: error: 'mechanisms': mechanism 'mul-ucb' is not defined for instance 'synthetic'" <<<"$out"
check "... and no file is written" test ! -e mul.h5
printf 'suite: coalition\nparams: {horizon: 50}\n' >dflt.yaml
out=$("$SMAB" plan dflt.yaml 2>&1)
check "the default mechanisms leave MUL out on 'synthetic'" \
	grep -qE '^experiment .*mechanisms: linucb greedy metc dev-greedy dev-random$' <<<"$out"
echo done
