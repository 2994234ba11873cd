#!/usr/bin/python3
"""Tables (Markdown) and regret-curve plots of the contextual suite's
experiments (COBRA, Verma et al. 2025), from smab result files.

usage: scripts/contextual-report.py [--plots DIR] RESULT.h5 ...
Prints, for each file, one table per metric (regret, eliminations, share
of rounds to misreporters): rows = sweep points, columns = mechanisms,
cells = mean +- 95% Student-t half-width over the replications; plus the
mean task wall time per point.  With --plots, writes DIR/<name>.png: one
panel per point, the regret curve of each mechanism with its 95% band.
Needs h5py and matplotlib (Debian: python3-h5py python3-matplotlib).
"""
import argparse
import math
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError:
    sys.exit("contextual-report.py needs h5py and numpy; run it with /usr/bin/python3")


def cell(s):
    """'mean ± half' with the half-width to two significant digits."""
    n, mean, lo, hi = s["n"], s["mean"], s["ci_lo"], s["ci_hi"]
    if n == 0 or math.isnan(mean):
        return "-"
    half = (hi - lo) / 2 if not math.isnan(hi) else float("nan")
    if math.isnan(half) or half == 0:
        return f"{mean:.3g}" + ("" if math.isnan(half) else " ± 0")
    dec = max(0, 1 - int(math.floor(math.log10(abs(half)))))
    return f"{mean:.{dec}f} ± {half:.{dec}f}"


# ENUM parameters are stored by index in /points of format 2 (by name in
# format 3, which also adds a 'label' column).
ENUMS = {"loom": ("exact", "cached"), "reward": ("linear", "poly2")}


def point_labels(f):
    pts = f["points"][()]
    names = [n for n in pts.dtype.names if n not in ("id", "label")]
    out = []
    for row in pts:
        parts = []
        for n in names:
            v = row[n]
            if isinstance(v, bytes):
                v = v.decode()
            elif n in ENUMS:
                v = ENUMS[n][int(v)]
            elif isinstance(v, float) and float(v).is_integer():
                v = int(v)
            parts.append(f"{n}={v}")
        out.append(", ".join(parts) if parts else "-")
    return out


def mechs(f):
    m = f.attrs["mechanisms"]
    if isinstance(m, (bytes, str)):
        m = (m.decode() if isinstance(m, bytes) else m).replace(",", " ").split()
    return [x.decode() if isinstance(x, bytes) else str(x) for x in m]


def table(f, metric, labels, ms):
    print(f"\n**{metric}**\n")
    print("| point | " + " | ".join(ms) + " |")
    print("|---" * (len(ms) + 1) + "|")
    for p, lab in enumerate(labels):
        row = [cell(f[f"summary/{m}/{metric}"][p]) for m in ms]
        print(f"| {lab} | " + " | ".join(row) + " |")


def plot(f, name, labels, ms, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = len(labels)
    cols = min(n, 4)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False)
    chk = f["results/checkpoints"][()]
    for p, lab in enumerate(labels):
        ax = axes[p // cols][p % cols]
        for m in ms:
            s = f[f"summary/{m}/regret_curve"][p]
            ax.plot(chk[p], s["mean"], label=m)
            ax.fill_between(chk[p], s["ci_lo"], s["ci_hi"], alpha=0.2)
        ax.set_title(lab, fontsize=8)
        ax.set_xlabel("round")
        ax.set_ylabel("strategic regret")
    for q in range(n, rows * cols):
        axes[q // cols][q % cols].axis("off")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, f"{name}.png")
    fig.savefig(path, dpi=80)
    print(f"\n(plot: {path})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plots", help="directory for PNG regret curves")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    for path in a.files:
        with h5py.File(path, "r") as f:
            name = f.attrs["name"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            labels = point_labels(f)
            ms = mechs(f)
            print(f"\n### {name} ({f.attrs['replications']} replications, seed {f.attrs['seed']})")
            for metric in ("regret", "true_elim", "false_elim", "mis_share"):
                table(f, metric, labels, ms)
            sec = f["tasks/seconds"][()]
            print("\nmean task wall time (s, all mechanisms of a task): "
                  + "; ".join(f"{lab}: {np.nanmean(sec[p]):.2f}" for p, lab in enumerate(labels)))
            if a.plots:
                plot(f, name, labels, ms, a.plots)


if __name__ == "__main__":
    main()
