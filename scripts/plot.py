#!/usr/bin/python3
"""Plot a smab result file.

    scripts/plot.py OUT.h5 [-o DIR]

Writes PNGs into DIR (default: OUT_plots next to the file) and prints their
names.  Everything is read from the file itself, so any suite works:

  <metric>_curve.png   one panel per point: the mean of /summary/<mech>/
                       <metric>_curve against /results/checkpoints for every
                       mechanism, with its 95% confidence band (ci_lo..ci_hi)
  <metric>.png         grouped bars of /summary/<mech>/<metric>: one group per
                       point, one bar per mechanism, 95% CI as error bars
  coalition_<mech>.png for files with a /coalition group: each agent's payout
                       against its Shapley value, both with 95% CIs, and the
                       identity line (payout = Shapley) -- see COALITION below

COALITION layout (written by coalition suites; this script reads it):
  /coalition                      group; attribute 'agents' = comma list of
                                  agent names (optional; default a0, a1, ...)
  /coalition/<mech>/shapley       compound [G, M] {n, mean, sd, ci_lo, ci_hi}
  /coalition/<mech>/payout        compound [G, M], same fields
  /coalition/game                 int64 [P], the game of each point (optional)
with G the games (points equal but for 'coalition'; without /coalition/game
a row is labelled as the point of the same index) and M the agents; a [M]
dataset is read as one game.  The compound is the one of /summary (95%
Student-t intervals over replications; Shapley values computed per replication, then aggregated).

Needs Debian's python3-h5py and python3-matplotlib (run with /usr/bin/python3).
"""
import argparse
import os
import sys

try:
    import h5py
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
except ImportError as exc:  # pragma: no cover - environment problem
    sys.exit("plot.py: %s: install python3-h5py and python3-matplotlib and run "
             "with /usr/bin/python3" % exc)


def text_attr(f, name, default=""):
    """A root string attribute as str (h5py gives bytes for fixed strings)."""
    v = f.attrs.get(name, default)
    return v.decode() if isinstance(v, bytes) else str(v)


def point_labels(f, npoints):
    """'drift=0.4, noise=bernoulli' per point, from the /points table."""
    if "points" not in f:
        return ["point %d" % p for p in range(npoints)]
    t = f["points"][()]
    cols = [c for c in (t.dtype.names or ()) if c != "id"]
    labels = []
    for p in range(npoints):
        parts = []
        for c in cols:
            v = t[c][p]
            if isinstance(v, bytes):
                v = v.decode()
            elif isinstance(v, (float, np.floating)):
                v = "%g" % v
            parts.append("%s=%s" % (c, v))
        labels.append(", ".join(parts) if parts else "point %d" % p)
    return labels


def grid(n):
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    return rows, cols


def plot_curves(f, mechs, metric, labels, outdir):
    check = f["results/checkpoints"][()]
    P = check.shape[0]
    rows, cols = grid(P)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows),
                             squeeze=False)
    for p in range(P):
        ax = axes[p // cols][p % cols]
        for k, m in enumerate(mechs):
            path = "summary/%s/%s_curve" % (m, metric)
            if path not in f:
                continue
            s = f[path][p]
            x = check[p]
            color = "C%d" % (k % 10)
            ax.plot(x, s["mean"], color=color, label=m, lw=1.6)
            ax.fill_between(x, s["ci_lo"], s["ci_hi"], color=color, alpha=0.25,
                            lw=0)
        ax.set_title(labels[p], fontsize=9)
        ax.set_xlabel("round")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    for q in range(P, rows * cols):
        axes[q // cols][q % cols].axis("off")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("%s: mean and 95%% confidence band" % metric)
    fig.tight_layout()
    out = os.path.join(outdir, "%s_curve.png" % metric)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_bars(f, mechs, metric, labels, outdir):
    P = len(labels)
    width = 0.8 / max(len(mechs), 1)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * P * len(mechs) * 0.6 + 3), 4.2))
    x = np.arange(P)
    for k, m in enumerate(mechs):
        path = "summary/%s/%s" % (m, metric)
        if path not in f:
            continue
        s = f[path][()]
        mean = s["mean"]
        err = np.vstack([mean - s["ci_lo"], s["ci_hi"] - mean])
        err = np.where(np.isfinite(err), err, 0)
        ax.bar(x + (k - (len(mechs) - 1) / 2) * width, mean, width, yerr=err,
               capsize=3, label=m, color="C%d" % (k % 10))
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(metric)
    ax.set_title("%s at the horizon: mean and 95%% CI" % metric)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    out = os.path.join(outdir, "%s.png" % metric)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def as_points(d):
    """A [P, M] compound array from a [P, M] or [M] dataset."""
    a = d[()]
    return a[np.newaxis, :] if a.ndim == 1 else a


def plot_coalition(f, labels, outdir):
    g = f["coalition"]
    outs = []
    names = g.attrs.get("agents", None)
    if isinstance(names, bytes):
        names = names.decode()
    for mech in sorted(k for k in g.keys() if isinstance(g[k], h5py.Group)):
        if "shapley" not in g[mech] or "payout" not in g[mech]:
            continue
        sh, pay = as_points(g[mech]["shapley"]), as_points(g[mech]["payout"])
        if sh.shape != pay.shape:
            sys.exit("plot.py: /coalition/%s: shapley %s and payout %s differ in "
                     "shape" % (mech, sh.shape, pay.shape))
        agents = names.split(",") if names else ["a%d" % a for a in range(sh.shape[1])]
        glabels = labels
        if "game" in g:
            # Rows are games (points equal but for 'coalition'): label each
            # by its first point.
            game = g["game"][()]
            glabels = [", ".join(x for x in labels[int(np.argmax(game == k))].split(", ")
                                 if not x.startswith("coalition="))
                       if np.any(game == k) else str(k) for k in range(sh.shape[0])]
        fig, ax = plt.subplots(figsize=(5.6, 5.2))
        for p in range(sh.shape[0]):
            xs, ys = sh[p], pay[p]
            xerr = np.vstack([xs["mean"] - xs["ci_lo"], xs["ci_hi"] - xs["mean"]])
            yerr = np.vstack([ys["mean"] - ys["ci_lo"], ys["ci_hi"] - ys["mean"]])
            lab = glabels[p] if p < len(glabels) and sh.shape[0] > 1 else None
            ax.errorbar(xs["mean"], ys["mean"], xerr=np.nan_to_num(xerr),
                        yerr=np.nan_to_num(yerr), fmt="o", ms=5, capsize=2,
                        color="C%d" % (p % 10), label=lab)
            if sh.shape[0] == 1:
                for a, name in enumerate(agents):
                    ax.annotate(name, (xs["mean"][a], ys["mean"][a]), fontsize=7,
                                xytext=(3, 3), textcoords="offset points")
        lo = np.nanmin([np.nanmin(sh["ci_lo"]), np.nanmin(pay["ci_lo"]),
                        np.nanmin(sh["mean"]), np.nanmin(pay["mean"])])
        hi = np.nanmax([np.nanmax(sh["ci_hi"]), np.nanmax(pay["ci_hi"]),
                        np.nanmax(sh["mean"]), np.nanmax(pay["mean"])])
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=1,
                label="payout = Shapley")
        ax.set_xlabel("Shapley value")
        ax.set_ylabel("payout")
        ax.set_title("%s: payout vs Shapley value (95%% CI)" % mech)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        out = os.path.join(outdir, "coalition_%s.png" % mech)
        fig.savefig(out, dpi=100)
        plt.close(fig)
        outs.append(out)
    return outs


def main():
    ap = argparse.ArgumentParser(description="Plot a smab result file.")
    ap.add_argument("file", help="a smab result file (OUT.h5)")
    ap.add_argument("-o", "--outdir", help="directory for the PNGs "
                    "(default: OUT_plots next to the file)")
    args = ap.parse_args()
    outdir = args.outdir or os.path.splitext(args.file)[0] + "_plots"
    try:
        f = h5py.File(args.file, "r")
    except OSError as exc:
        sys.exit("plot.py: cannot open %s: %s" % (args.file, exc))
    with f:
        mechs = [m for m in text_attr(f, "mechanisms").split(",") if m]
        metrics = [m for m in text_attr(f, "metrics").split(",") if m]
        if "summary" not in f or not mechs:
            sys.exit("plot.py: %s has no /summary or no 'mechanisms' attribute: "
                     "not a finished smab result file" % args.file)
        os.makedirs(outdir, exist_ok=True)
        P = f["tasks/done"].shape[0]
        labels = point_labels(f, P)
        outs = []
        for metric in metrics:
            # a metric with no value anywhere (a coalition suite's agents
            # beyond the instance's) has nothing to plot
            if not any(np.isfinite(f["summary/%s/%s" % (m, metric)]["mean"]).any()
                       for m in mechs if "summary/%s/%s" % (m, metric) in f):
                continue
            if any("summary/%s/%s_curve" % (m, metric) in f for m in mechs):
                outs.append(plot_curves(f, mechs, metric, labels, outdir))
            outs.append(plot_bars(f, mechs, metric, labels, outdir))
        if "coalition" in f:
            outs += plot_coalition(f, labels, outdir)
    for o in outs:
        print(o)


if __name__ == "__main__":
    main()
