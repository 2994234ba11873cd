# The contextual suite through the whole engine: identical results on 1 and
# 2 ranks (OpenBLAS single-threaded, streams keyed by task), every task
# done, and the LinTS / COBRA(TS) coincidence visible in the file when no
# agent misreports.
source "$(dirname "$0")/lib.bash"
cd "$TMP"
cat >ctx.yaml <<'YAML'
suite: contextual
seed: 3
replications: 3
mechanisms: [linucb, lints, optgtm, cobra-ucb, cobra-ts, n-cobra-ucb]
params: {horizon: 400, agents: 5, contexts: 6, dc: 2, da: 2}
sweep:
  misreport.fraction: [0, 0.4]
record: 8
YAML
for np in 1 2; do
	mpi $np run ctx.yaml -o ctx$np.h5 -q >/dev/null 2>&1
	check "contextual run with -np $np" test $? -eq 0
done
check "-np 1 and -np 2 give identical datasets" same_results ctx1.h5 ctx2.h5
check "every contextual task is marked done" test "$(ndone ctx2.h5)" -eq 6
/usr/bin/python3 - ctx1.h5 <<'PY' >/dev/null 2>&1
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a, b = f["results/lints/regret"][0], f["results/cobra-ts/regret"][0]
e = f["results/cobra-ts/eliminated"][0]
sys.exit(0 if (e == 0).all() and np.array_equal(a, b) else 1)
PY
check "truthful point: cobra-ts equals lints when nothing is eliminated" test $? -eq 0
/usr/bin/python3 - ctx1.h5 <<'PY' >/dev/null 2>&1
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
lin, cob = f["results/linucb"], f["results/cobra-ucb"]
ok = np.isnan(lin["loom_obs_mis"][()]).all() and np.isnan(cob["loom_obs_mis"][0]).all()
ok &= np.isfinite(cob["loom_obs_mis"][1]).all() and np.isfinite(cob["loom_pen_tru"][()]).all()
ok &= f["results/cobra-ucb/loom_obs_mis"].attrs["units"] in (b"reward", "reward")
sys.exit(0 if ok else 1)
PY
check "LOOM's diagnostics: NaN outside COBRA and without misreporters, finite otherwise" test $? -eq 0
echo done
