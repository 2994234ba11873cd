#!/usr/bin/python3
"""The sensitivity table of the MovieLens gender game (experiments/README.md,
coalition gender section), from result files of
experiments/coalition-movielens-sensitivity.yaml or
experiments/coalition-movielens-gender.yaml.

usage: scripts/coalition-sensitivity.py RESULT.h5 ...

One row per (scale, alpha) point of each file: the single-agent regrets
R_a^{a} of LinUCB-M and GREEDY (agents M, F), the paired difference GREEDY
minus LinUCB-M of the single agents (the mechanisms of a task share every
random draw), and the ratios R_a^M / R_a^{a} of the grand coalition's regret
to the single agent's (ratio of the means), each as mean +- 95% Student-t
half-width over the replications; then the paper's row (Krishnamurthy et al.
2026, Tables 3-4) and whether the point matches it:

  levels  both LinUCB-M single-agent means within 15% of the paper's
          1085 and 1106;
  order   GREEDY below LinUCB-M: the paired CI of GREEDY - LinUCB-M below 0
          for both agents;
  ratios  all four grand-coalition ratios in 0.55-0.72 (the paper's
          0.58-0.69, widened by about its own spread).

Needs h5py, numpy, xarray and pandas (Debian: python3-h5py python3-xarray
python3-pandas); run it with /usr/bin/python3.
"""
import argparse
import itertools
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import smab
except ImportError as e:
    sys.exit("coalition-sensitivity.py: %s: install Debian's python3-h5py python3-xarray "
             "python3-pandas and run it with /usr/bin/python3" % e)

MECHS = ("linucb", "greedy")
# Krishnamurthy et al. 2026, Tables 3-4 (I_gen, T = 4096, 5 repetitions):
# single agent, then grand coalition, agents M and F.
PAPER = {"linucb": ((1085, 84, 1106, 48), (752, 672)),
         "greedy": ((673, 96, 683, 53), (451, 397))}
LEVEL_TOL = 0.15
RATIO_RANGE = (0.55, 0.72)


def cell(mean, half):
    """'mean ± half', rounded to the half-width's second significant digit."""
    if math.isnan(mean):
        return "-"
    if math.isnan(half) or half == 0:
        return "%.0f" % mean
    dec = max(0, 1 - int(math.floor(math.log10(abs(half)))))
    dec = min(dec, 0 if abs(mean) >= 100 else 2)
    return "%.*f ± %.*f" % (dec, mean, dec, half)


def stat(s, mechanism, coalition, **pt):
    """(mean, half-width) of a summary Dataset at one mechanism, coalition
    and point (indices along the other axes)."""
    x = s.sel(mechanism=mechanism, coalition=coalition).isel(**pt)
    return float(x["mean"]), float(x["ci_hi"] - x["ci_lo"]) / 2


def rows(path):
    """The table's rows of one result file, and its replications."""
    ds = smab.open(path)
    if ds.attrs.get("agents") not in ("M,F", b"M,F"):
        sys.exit("%s: not the MovieLens gender game (agents %s)" % (path, ds.attrs.get("agents")))
    for m in MECHS:
        if m not in ds["mechanism"].values:
            sys.exit("%s: mechanism '%s' missing" % (path, m))
    coal = list(ds["coalition"].values)
    if sorted(coal) != [1, 2, 3]:
        sys.exit("%s: needs the coalitions 1, 2 and 3 (has %s)" % (path, coal))
    summ = {a: smab.summary(ds, "regret_a%d" % a) for a in (1, 2)}
    diff = {a: smab.paired(ds.sel(mechanism=list(MECHS)), "regret_a%d" % a, vs="linucb")
            for a in (1, 2)}
    # every point of the other axes (a product, or a zip of scale and alpha)
    dims = [d for d in ds["regret_a1"].dims if d not in ("mechanism", "coalition", "replication")]
    out = []
    for idx in itertools.product(*(range(ds.sizes[d]) for d in dims)):
        pt = dict(zip(dims, idx))
        r = {name: _value(ds, name, pt) for name in ("scale", "alpha")}
        for m in MECHS:
            for a in (1, 2):
                alone = stat(summ[a], mechanism=m, coalition=a, **pt)
                grand = stat(summ[a], mechanism=m, coalition=3, **pt)
                r[m, a] = alone
                r[m, a, "ratio"] = grand[0] / alone[0]
        for a in (1, 2):
            r["diff", a] = stat(diff[a], mechanism="greedy", coalition=a, **pt)
        out.append(r)
    reps = int(ds.sizes["replication"])
    ds.close()
    return out, reps


def _value(ds, name, pt):
    """A parameter's value at point pt: its sweep coordinate, else its
    fixed value in the file's configuration text, else the default 1."""
    if name in ds.coords:
        c = ds[name]
        return float(c.isel({d: i for d, i in pt.items() if d in c.dims}))
    for line in str(ds.attrs.get("config", "")).splitlines():
        k, _, v = line.strip().partition(":")
        if k == name and v.strip():
            return float(v)
    return 1.0


def verdict(r):
    lin = [r["linucb", a][0] / PAPER["linucb"][0][2 * (a - 1)] for a in (1, 2)]
    levels = all(abs(x - 1) <= LEVEL_TOL for x in lin)
    order = all(r["diff", a][0] + r["diff", a][1] < 0 for a in (1, 2))
    ratios = all(RATIO_RANGE[0] <= r[m, a, "ratio"] <= RATIO_RANGE[1] for m in MECHS for a in (1, 2))
    return ", ".join(("yes" if ok else "no") for ok in (levels, order, ratios))


def table(files):
    print("| scale | α | reps | LinUCB-M alone, M / F | GREEDY alone, M / F "
          "| GREEDY − LinUCB-M, M / F | ratio LinUCB-M, M / F | ratio GREEDY, M / F "
          "| levels, order, ratios |")
    print("|---" * 9 + "|")
    for path in files:
        rs, reps = rows(path)
        for r in rs:
            pair = lambda key: " / ".join(cell(*r[key + (a,)]) for a in (1, 2))
            ratio = lambda m: " / ".join("%.2f" % r[m, a, "ratio"] for a in (1, 2))
            print("| %g | %g | %d | %s | %s | %s | %s | %s | %s |"
                  % (r["scale"], r["alpha"], reps, pair(("linucb",)), pair(("greedy",)),
                     pair(("diff",)), ratio("linucb"), ratio("greedy"), verdict(r)))
    p = PAPER
    alone = lambda m: " / ".join(cell(p[m][0][i], p[m][0][i + 1]) for i in (0, 2))
    ratio = lambda m: " / ".join("%.2f" % (p[m][1][i] / p[m][0][2 * i]) for i in (0, 1))
    gap = " / ".join("%d" % (p["greedy"][0][i] - p["linucb"][0][i]) for i in (0, 2))
    print("| paper | ? | 5 | %s | %s | %s | %s | %s | |"
          % (alone("linucb"), alone("greedy"), gap, ratio("linucb"), ratio("greedy")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", metavar="RESULT.h5")
    a = ap.parse_args()
    try:
        table(a.files)
    except smab.SmabError as e:
        sys.exit(str(e))


if __name__ == "__main__":
    main()
