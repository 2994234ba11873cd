# The README's first command: make run builds and runs experiments/quick.yaml
# on 2 ranks, writes results/quick.h5 and prints a summary table.
source "$(dirname "$0")/lib.bash"
cd "$ROOT"
# make run works as root without Open MPI's root variables in the
# environment: it sets them for its mpirun and says so.
runout=$(env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
	make --no-print-directory run BUILD="${SMAB_BUILD:-build}" 2>&1)
check "make run exits 0" test $? -eq 0
if [ "$(id -u)" -eq 0 ]; then
	n=$(grep -c 'running as root, so OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 are set' <<<"$runout")
	check "as root, make run says once that it allows Open MPI to run as root" test "$n" -eq 1
else
	echo "skip - make run as root: not root here"
fi
# make run installs only what running needs; --list alone is everything
# (what CI installs), and the groups are what the README says.
out=$(make -n --no-print-directory run BUILD="${SMAB_BUILD:-build}" 2>/dev/null)
check "make run installs the run group only" grep -qx 'bash scripts/install-deps.sh run' <<<"$out"
out=$(make -n --no-print-directory deps 2>/dev/null)
check "make deps installs every group" grep -qx 'bash scripts/install-deps.sh all' <<<"$out"
deps() { bash "$ROOT/scripts/install-deps.sh" --list "$@"; }
run=$(deps run) all=$(deps) tst=$(deps test) plt=$(deps plot)
lack=
for p in gcc make pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libyaml-dev \
	librandom123-dev libgsl-dev libopenblas-dev liblapacke-dev zlib1g-dev libssl-dev; do
	grep -qx "$p" <<<"$run" || lack="$lack $p"
done
check "the run group has the compiler, MPI, parallel HDF5 and every library (lacks:${lack:- none})" test -z "$lack"
bad=$(grep -xE 'check|slurm-wlm|munge|hdf5-tools|python3-.*' <<<"$run" | tr '\n' ' ')
check "the run group has nothing for tests or plots (${bad:-none})" test -z "$bad"
check "the test group has Check, SLURM and pytest" \
	test -n "$(grep -x check <<<"$tst")" -a -n "$(grep -x slurm-wlm <<<"$tst")" -a -n "$(grep -x python3-pytest <<<"$tst")"
check "the plot group has matplotlib and h5py" \
	test -n "$(grep -x python3-matplotlib <<<"$plt")" -a -n "$(grep -x python3-h5py <<<"$plt")"
check "--list alone is the union of the groups, each name once" \
	test "$(sort <<<"$all")" = "$(printf '%s\n' "$run" "$tst" "$plt" | sort -u)"
deps nosuch >/dev/null 2>&1; check "an unknown group exits 2" test $? -eq 2
check "make run writes results/quick.h5" test -s results/quick.h5
grep -q '^regret: mean ± 95% CI' <<<"$runout"; check "make run prints the summary table" test $? -eq 0
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
