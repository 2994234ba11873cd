#!/usr/bin/python3
"""Print Markdown tables of the strategic suite's experiments
(experiments/strategic-*.yaml) from their result files.

usage: scripts/strategic-tables.py [--pivot] FILE.h5 METRIC[,METRIC...] [MECH,...]
       scripts/strategic-tables.py --gain FILE.h5
  one table per metric: a row per point (its swept values), a column per
  mechanism, cells "mean ± 95% half-width".  --pivot: one table per metric
  and mechanism, with the last swept axis (e.g. horizon) as the columns.
  --gain: for every mech1/mech2 point whose arms play 'dominant' and whose
  deviation is over, under or shirk, the exact expected deviation gain
  (mech_gain below) next to the simulated dev_gain and dev_gain_cv, and a
  verdict from dev_gain_cv's interval.
Needs h5py (Debian: python3-h5py) and, for --gain, PyYAML (python3-yaml);
run with /usr/bin/python3.
"""
import math
import sys

try:
    import h5py
except ImportError:
    sys.exit("strategic-tables.py needs h5py: apt-get install python3-h5py, "
             "and run it with /usr/bin/python3")

# Enum axes are stored as choice indices; their names, in declaration order
# (src/suites/strategic.c).
ENUMS = {
    "profile": "truthful collude split splitw grim dominant priorfree".split(),
    "payments": "unrestricted restricted".split(),
    "observe": "tacit explicit".split(),
    "dist": "point bernoulli beta uniform gauss".split(),
    "deviate.kind": "truthful defect shirk over under".split(),
}


def cell(row):
    """'mean ± half' with the half-width to two significant digits."""
    n, mean, lo, hi = row["n"], row["mean"], row["ci_lo"], row["ci_hi"]
    if n == 0 or math.isnan(mean):
        return "–"
    half = (hi - lo) / 2 if not math.isnan(hi) else float("nan")
    if math.isnan(half) or half <= 1e-9 * abs(mean):
        return f"{mean:.4g}"
    digits = max(0, 1 - int(math.floor(math.log10(half))))
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def axis(name, v):
    if isinstance(v, bytes):        # file format 3 stores an enum by its name
        return v.decode()
    if name in ENUMS:
        return ENUMS[name][int(v)]
    return f"{v:g}"


# ---- the exact expected gain of a misreport under Mechanisms 1 and 2 ----------

def plan(mech2, K, T, mu_min, eps, B_set, M_set, restricted=False):
    """B, M, u, R of the mechanism, as smab_sp_plan_init computes them."""
    if not mech2:
        u = -math.log(mu_min) + 1.0
        return 1, 0.0, u, max(0, math.floor(T - (u + 2.0) * K - 1.0))
    b = B_set if B_set > 0 else math.floor(2.0 * eps ** 0.25 * T ** 0.75 / mu_min)
    B = int(min(max(b, 1), 1e15))
    M = M_set if M_set >= 0 else 8.0 / math.sqrt(B) * math.log(K * T)
    if restricted:
        M = 0.0
    u = -math.log(mu_min) + 2.0 + M
    return B, M, u, max(0, math.floor(T - (u + 3.0) * B * K))


def score_expected(B, M, u, T, wbar):
    """Mean step-5 rounds over the coin (smab_sp_score_expected)."""
    if not wbar - M > 0:
        return 0.0
    sc = u + math.log(wbar - M)
    if not sc >= 0:
        return 0.0
    fl = math.floor(sc)
    q = sc - fl
    return (1 - q) * min(B * fl, T) + q * min(B * (fl + 1), T)


def clip(w):
    return 0.0 if not w > 0 else min(w, 1.0)


def arm_utility(mech2, mu, d, reports, shirk, B, M, u, R, T):
    """Expected utility of arm d (0-based) when the exploration reports
    (constant over the B rounds) are 'reports' and every arm plays the
    dominant strategy (Lemma 12/15) after exploration, arm d shirking as i*
    if 'shirk'.  Unrestricted payments: no report depends on a value, so
    every pull is worth its mean and only the step-5 coin is random."""
    K = len(mu)
    util = B * (mu[d] - reports[d])
    istar = max(range(K), key=lambda i: (reports[i], -i))    # ties: lowest index
    target = max(reports[i] for i in range(K) if i != istar) - M
    if d != istar:
        util += B * mu[d]                                     # the others' step
    elif target <= mu[d] and not shirk:
        util += R * (mu[d] - clip(target)) + B * mu[d]        # complies, bonus
    else:
        # Reports 0: a shortfall once the rule can see one (Mechanism 1 at
        # once, Mechanism 2 after B rounds), then no bonus.
        tol = 1e-9 * max(1.0, abs(target))
        need = B if mech2 else 1
        if R >= need and target - tol > 0:
            util += need * mu[d]
        else:
            util += R * mu[d] + B * mu[d]
    return util + mu[d] * score_expected(B, M, u, T, reports[d])


def mech_gain(mu, d, kind, x, T, mech2=True, eps=1e-4, B_set=0, M_set=-1.0, mu_min=0.0):
    """Exact expected deviation gain of arm d (0-based) against the dominant
    profile under Mechanism 1 (mech2 False) or 2, unrestricted payments,
    values with means mu: kind 'over'/'under' report mean + M +- x in
    exploration, 'shirk' reports 0 when asked to pay as i*.  Derived from
    the mechanism: exploration payments, the i* step, the others' step and
    the step-5 rounds B (floor(s) + [coin < frac(s)]), whose mean over the
    coin is B s (capped at T)."""
    K = len(mu)
    if not mu_min > 0:
        mu_min = min(m for m in mu if m > 0)
    B, M, u, R = plan(mech2, K, T, mu_min, eps, B_set, M_set)
    prof = [clip(m + M) for m in mu]
    dev = list(prof)
    if kind in ("over", "under"):
        dev[d] = clip(mu[d] + M + (x if kind == "over" else -x))
    elif kind != "shirk":
        raise ValueError(f"no exact gain for deviation '{kind}'")
    return (arm_utility(mech2, mu, d, dev, kind == "shirk", B, M, u, R, T)
            - arm_utility(mech2, mu, d, prof, False, B, M, u, R, T))


def point_params(cfg, p, names):
    """The full parameter set of point p: the file's parameters with the
    point's swept values."""
    q = dict(cfg["params"])
    for n in names:
        q[n] = axis(n, p[n]) if n in ENUMS else p[n].item()
    return q


def means_of(q):
    if q["means"]:
        return list(q["means"])
    return [min(1.0, max(0.0, q["mean_best"] - q["gap"] * i)) for i in range(int(q["arms"]))]


def gain_table(f):
    import yaml
    cfg = yaml.safe_load(f.attrs["config"])
    pts = f["points"][:]
    names = [n for n in pts.dtype.names if n not in ("id", "label")]
    print("| mechanism | deviate.arm | deviate.kind | horizon | exact | dev_gain | dev_gain_cv | verdict |")
    print("|---|---|---|---|---|---|---|---|")
    for k in ("mech1", "mech2"):
        if k not in f["summary"]:
            continue
        raw, cv = f["summary"][k]["dev_gain"][:], f["summary"][k]["dev_gain_cv"][:]
        for i, p in enumerate(pts):
            q = point_params(cfg, p, names)
            kind = q["deviate.kind"]
            if (q["profile"] != "dominant" or q["payments"] != "unrestricted"
                    or q["dist"] == "gauss" or int(q["deviate.arm"]) == 0
                    or kind not in ("over", "under", "shirk") or any(q["nonstrategic"])):
                continue
            ex = mech_gain(means_of(q), int(q["deviate.arm"]) - 1, kind, q["deviate.x"],
                           int(q["horizon"]), k == "mech2", q["mech.eps"], q["mech.B"],
                           q["mech.M"], q["mech.mu_min"])
            lo, hi = cv[i]["ci_lo"], cv[i]["ci_hi"]
            if hi < 0:
                verdict = "< 0"
            elif lo > 0:
                verdict = "> 0"
            else:
                verdict = "no power"
            if not lo - 1e-9 * abs(ex) <= ex <= hi + 1e-9 * abs(ex):
                verdict += ", exact outside the CI"
            print(f"| {k} | {int(q['deviate.arm'])} | {kind} | {int(q['horizon'])} | "
                  f"{ex:.4g} | {cell(raw[i])} | {cell(cv[i])} | {verdict} |")
    print()


def pivot(f, pts, names, metrics, mechs):
    last, rest = names[-1], names[:-1]
    cols = []
    for p in pts:
        if p[last] not in cols:
            cols.append(p[last])
    for m in metrics:
        for k in mechs:
            print(f"**{m}, {k}**\n")
            print("| " + " | ".join(rest + [f"{last}={axis(last, c)}" for c in cols]) + " |")
            print("|" + "---|" * (len(rest) + len(cols)))
            data = f["summary"][k][m][:]
            rows = {}
            for i, p in enumerate(pts):
                key = tuple(axis(n, p[n]) for n in rest)
                rows.setdefault(key, {})[p[last]] = cell(data[i])
            for key, r in rows.items():
                print("| " + " | ".join(list(key) + [r.get(c, "–") for c in cols]) + " |")
            print()


def main():
    args = sys.argv[1:]
    if args[:1] == ["--gain"] and len(args) == 2:
        gain_table(h5py.File(args[1], "r"))
        return
    piv = bool(args) and args[0] == "--pivot"
    if piv:
        args = args[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    f = h5py.File(args[0], "r")
    metrics = args[1].split(",")
    mechs = args[2].split(",") if len(args) > 2 else sorted(f["summary"].keys())
    pts = f["points"][:]
    names = [n for n in pts.dtype.names if n not in ("id", "label")]
    if piv:
        pivot(f, pts, names, metrics, mechs)
        return
    for m in metrics:
        print(f"**{m}**\n")
        print("| " + " | ".join(names + mechs) + " |")
        print("|" + "---|" * (len(names) + len(mechs)))
        cols = [f["summary"][k][m][:] for k in mechs]
        for i, p in enumerate(pts):
            vals = [axis(n, p[n]) for n in names]
            print("| " + " | ".join(vals + [cell(c[i]) for c in cols]) + " |")
        print()


if __name__ == "__main__":
    main()
