#!/usr/bin/python3
"""Print Markdown tables of the strategic suite's experiments
(experiments/strategic-*.yaml) from their result files.

usage: scripts/strategic-tables.py [--pivot] FILE.h5 METRIC[,METRIC...] [MECH,...]
  one table per metric: a row per point (its swept values), a column per
  mechanism, cells "mean ± 95% half-width".  --pivot: one table per metric
  and mechanism, with the last swept axis (e.g. horizon) as the columns.
Needs h5py (Debian: python3-h5py); run with /usr/bin/python3.
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


main()
