#!/usr/bin/python3
"""Tables (Markdown) and regret-curve plots of the contextual suite's
experiments (COBRA, Verma et al. 2025), from smab result files.

usage: scripts/contextual-report.py [--plots DIR] RESULT.h5 ...
Prints, for each file, one table per metric (regret, eliminations, share
of rounds to misreporters): rows = sweep points, columns = mechanisms,
cells = mean +- 95% Student-t half-width over the replications; plus the
mean task wall time per point.  For COBRA, one table of LOOM's terms at
each agent's last check, misreporters and truthful agents apart: the sums
(observed, claim, leave-one-out, penalty) and, per replication, the ratios
loo/claim (the bias of the leave-one-out estimate), penalty/(claim - obs)
(the penalty against the overshoot LOOM looks for) and the margin
loo - penalty - obs (LOOM eliminates once it exceeds the Hoeffding term).
When a file holds a truthful point (misreport.fraction = 0) beside
misreporting ones that differ only in the fraction, also the paired
excess regret of misreporting, per replication (the environment streams
ignore the point, so both see the same instances).  With --plots, writes DIR/<name>.png: one
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
ENUMS = {"loom": ("exact", "cached"), "reward": ("linear", "poly2"),
         "misreport.zeta": ("round", "agent")}


def point_values(f):
    """One dict per point: parameter name -> value (as in the labels)."""
    pts = f["points"][()]
    names = [n for n in pts.dtype.names if n not in ("id", "label")]
    out = []
    for row in pts:
        d = {}
        for n in names:
            v = row[n]
            d[n] = v.decode() if isinstance(v, bytes) else (ENUMS[n][int(v)] if n in ENUMS else v)
        out.append(d)
    return out


def excess_table(f, labels, ms):
    vals = point_values(f)
    key = "misreport.fraction"
    pairs = []
    for p, v in enumerate(vals):
        if key not in v or v[key] == 0:
            continue
        rest = {k: x for k, x in v.items() if k != key}
        for q, w in enumerate(vals):
            if w.get(key) == 0 and {k: x for k, x in w.items() if k != key} == rest:
                pairs.append((p, q))
    if not pairs:
        return
    print("\n**regret excess of misreporting** (point minus its truthful twin, paired by replication)\n")
    print("| point | " + " | ".join(ms) + " |")
    print("|---" * (len(ms) + 1) + "|")
    for p, q in pairs:
        row = [mean_ci(f[f"results/{m}/regret"][p] - f[f"results/{m}/regret"][q]) for m in ms]
        print(f"| {labels[p]} | " + " | ".join(row) + " |")


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


def t95(n):
    """Two-sided 95% Student-t quantile with n - 1 degrees of freedom."""
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, n - 1))
    except ImportError:
        return 1.96


def mean_ci(x):
    """'mean ± half' of the finite entries of x, as cell() writes it."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return "-"
    m = float(x.mean())
    half = t95(len(x)) * float(x.std(ddof=1)) / math.sqrt(len(x)) if len(x) > 1 else float("nan")
    return cell({"n": len(x), "mean": m, "ci_lo": m - half, "ci_hi": m + half})


def loom_table(f, labels, ms):
    cobras = [m for m in ms if "cobra" in m and f"results/{m}/loom_obs_mis" in f]
    if not cobras:
        return
    print("\n**LOOM's terms at each agent's last check** (sums over the group; ratios per replication)\n")
    cols = ["obs", "claim", "loo", "pen", "loo/claim", "pen/(claim-obs)", "loo-pen-obs"]
    print("| point | mechanism | agents | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 3) + "|")
    for m in cobras:
        for p, lab in enumerate(labels):
            for g, who in (("mis", "misreporters"), ("tru", "truthful")):
                v = {k: f[f"results/{m}/loom_{k}_{g}"][p].astype(float)
                     for k in ("obs", "claim", "loo", "pen")}
                if not np.isfinite(v["obs"]).any():
                    continue
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.where(v["claim"] > 0, v["loo"] / v["claim"], np.nan)
                    over = v["claim"] - v["obs"]
                    # truthful agents claim what they earn: no overshoot
                    pen_over = np.where((over > 0) & (g == "mis"), v["pen"] / over, np.nan)
                row = [mean_ci(v[k]) for k in ("obs", "claim", "loo", "pen")]
                row += [mean_ci(ratio), mean_ci(pen_over), mean_ci(v["loo"] - v["pen"] - v["obs"])]
                print(f"| {lab} | {m} | {who} | " + " | ".join(row) + " |")


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
            excess_table(f, labels, ms)
            loom_table(f, labels, ms)
            sec = f["tasks/seconds"][()]
            print("\nmean task wall time (s, all mechanisms of a task): "
                  + "; ".join(f"{lab}: {np.nanmean(sec[p]):.2f}" for p, lab in enumerate(labels)))
            if a.plots:
                plot(f, name, labels, ms, a.plots)


if __name__ == "__main__":
    main()
