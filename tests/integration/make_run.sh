# The README's first command: make run builds and runs experiments/quick.yaml
# on 2 ranks, writes results/quick.h5 and prints a summary table.
source "$(dirname "$0")/lib.bash"
cd "$ROOT"
out=$(make --no-print-directory run BUILD="${SMAB_BUILD:-build}" 2>&1)
check "make run exits 0" test $? -eq 0
check "make run writes results/quick.h5" test -s results/quick.h5
grep -q '^regret: mean ± 95% CI' <<<"$out"; check "make run prints the summary table" test $? -eq 0
check "all 60 tasks of quick.yaml are done" test "$(ndone results/quick.h5)" -eq 60
# The file is readable from Python with h5py, as the README says.
py=$(/usr/bin/python3 - results/quick.h5 <<'PY' 2>&1
import sys, h5py
f = h5py.File(sys.argv[1], "r")
s = f["summary/ucb/regret"]
assert s.shape == (3,), s.shape
assert (s["n"] == 20).all()
assert f["results/ucb/regret_curve"].shape == (3, 20, 50)
suite = f.attrs["suite"]
suite = suite.decode() if isinstance(suite, bytes) else str(suite)
assert suite == "drift", suite
print("h5py ok", float(s["mean"][0]))
PY
)
check "h5py reads the summary and the curves ($py)" grep -q '^h5py ok' <<<"$py"
# Provenance names the commit the binary was built from.
head=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null)
rec=$(h5dump -a /git_commit results/quick.h5 | sed -n 's/.*(0): "\(.*\)"/\1/p')
check "the file records this checkout's commit ($rec vs $head)" test "${rec%-dirty}" = "$head"
# summary: table, CSV and paired differences.
out=$("$SMAB" summary results/quick.h5 --metric regret --csv); rc=$?
check "summary --csv exits 0" test $rc -eq 0
check "summary --csv has one row per point and mechanism (+ header)" test "$(wc -l <<<"$out")" -eq 13
out=$("$SMAB" summary results/quick.h5 --metric regret --vs greedy); rc=$?
check "summary --vs greedy exits 0" test $rc -eq 0
grep -q 'ucb-greedy' <<<"$out"; check "summary --vs shows the paired difference column" test $? -eq 0
"$SMAB" summary results/quick.h5 --metric nosuch >/dev/null 2>&1
check "summary of an unknown metric exits 2" test $? -eq 2
echo done
