# scripts/plot.py draws every curve (with its CI band), every final metric
# and, for a coalition file, the payout-vs-Shapley scatter: the PNGs exist
# and carry the mechanisms' colours, not an empty frame.
source "$(dirname "$0")/lib.bash"
PY=/usr/bin/python3
cd "$TMP"
cat >p.yaml <<'YAML'
suite: drift
seed: 2
replications: 8
params: {horizon: 800}
sweep:
  drift: [0, 1]
record: 10
YAML
"$SMAB" run p.yaml -o p.h5 -q >/dev/null 2>&1
check "a small result file is made" test $? -eq 0
out=$($PY "$ROOT/scripts/plot.py" p.h5 -o plots 2>&1)
check "plot.py succeeds" test $? -eq 0
for f in regret_curve compensation_curve regret compensation compensated est_error; do
	check "$f.png is written" test -s "plots/$f.png"
done
check "exactly the 6 expected PNGs, as printed" test "$(ls plots | wc -l)" -eq 6 -a "$(wc -l <<<"$out")" -eq 6

# Colours: matplotlib's C0..C3 are the four mechanisms (lines, bands, bars).
cat >colours.py <<'PY'
import sys
import matplotlib.image as im, numpy as np
from matplotlib.colors import to_rgb
img = im.imread(sys.argv[1])[..., :3]
want = [to_rgb("C%d" % k) for k in range(int(sys.argv[2]))]
if sys.argv[3:] == ["black"]:
    want.append((0, 0, 0))
found = [int((np.abs(img - np.array(c)).max(axis=2) < 0.02).sum()) for c in want]
distinct = len(np.unique((img * 255).astype(int).reshape(-1, 3), axis=0))
print(" ".join(map(str, found)), distinct)
sys.exit(0 if min(found) >= 50 and distinct >= 20 else 1)
PY
r=$($PY colours.py plots/regret_curve.png 4)
check "the regret curves show all four mechanisms ($r pixels, distinct colours)" test $? -eq 0
r=$($PY colours.py plots/est_error.png 4)
check "the bar chart shows all four mechanisms ($r)" test $? -eq 0
check "a PNG is larger than an empty frame" test "$(stat -c %s plots/regret_curve.png)" -gt 20000

# A coalition file in the documented layout, written here with h5py.
cat >coal.py <<'PY'
import shutil, h5py, numpy as np
shutil.copy("p.h5", "c.h5")
t = np.dtype([("n", "<i8"), ("mean", "<f8"), ("sd", "<f8"), ("ci_lo", "<f8"), ("ci_hi", "<f8")])
with h5py.File("c.h5", "a") as f:
    g = f.create_group("coalition")
    g.attrs["agents"] = np.bytes_("a,b,c")
    for mech, shift in (("linucb", 0.0), ("greedy", 30.0)):
        for name, off in (("shapley", 0.0), ("payout", 15.0)):
            d = np.zeros((2, 3), dtype=t)
            d["n"] = 5
            d["mean"] = [[-400 + shift + off, -300, -250], [-380, -320 + off, -200]]
            d["sd"] = 10
            d["ci_lo"] = d["mean"] - 12
            d["ci_hi"] = d["mean"] + 12
            g.create_dataset("%s/%s" % (mech, name), data=d)
PY
$PY coal.py
check "the synthetic coalition file is written" test $? -eq 0
$PY "$ROOT/scripts/plot.py" c.h5 -o cplots >/dev/null 2>&1
check "plot.py reads the coalition layout" test $? -eq 0
check "one scatter per coalition mechanism" test -s cplots/coalition_linucb.png -a -s cplots/coalition_greedy.png
r=$($PY colours.py cplots/coalition_linucb.png 2 black)
check "the scatter has both points' markers and the black identity line ($r)" test $? -eq 0
echo done
