"""Faceted figures of a smab result file (``scripts/plot.py``, ``smab-plot``).

::

    plot.py OUT.h5 [--metric M] [--final | --curve] [--x NAME] [--hue NAME]
                   [--col NAME] [--row NAME] [--select NAME=V[,V...]]...
                   [--mechanisms A,B] [--logx] [--logy] [--level L]
                   [--max-panels N] [--coalition] [-o FIG.png|.pdf|.svg|DIR/]

One figure: the mean of a metric over the replications with its Student-t
confidence interval (error bars, or a band for curves), one line per
``--hue`` value (default: the mechanism), one panel per value of ``--col``
and ``--row``.  NAME is a swept parameter, ``mechanism`` or, for curves,
``round``.

- ``--final`` (the default when the file sweeps a number) plots the
  metric's final value against ``--x`` (default: the first numeric swept
  parameter with more than one value); ``--curve`` plots its curve against
  the round.  A sweep without a numeric parameter and a metric without a
  curve gives one bar group per mechanism.
- Every other swept parameter with more than one value becomes a column,
  then a row, of panels; the figure is refused (exit 2, with what to
  select) if that needs more than ``--max-panels`` (12) panels or a third
  facet.  ``--select drift=0.5`` keeps one value (or a few: ``K=5,10``); a
  parameter left with one value is named in the title.
- ``--coalition`` draws each agent's payout against its Shapley value (from
  ``/coalition``, with 95% CIs and the identity line), a panel per mechanism.
- ``-o DIR/`` writes a directory of figures instead: per metric
  ``<metric>.png`` and ``<metric>_curve.png`` at the defaults, and
  ``coalition.png`` for a coalition file; a figure that would be refused is
  reported and skipped.  The format follows the file name (png, pdf, svg).

Errors (a bad option, an unknown name or value, a file that is not a
smab result file) are one line on stderr and exit status 2.
"""

import argparse
import os
import sys
import textwrap

import numpy as np

from .reader import SmabError
from . import reader, stats

PANEL_W, PANEL_H = 3.3, 2.5     # inches: two panels across a paper column pair
MAX_PANELS = 12


class Refused(Exception):
    """The figure cannot be drawn as asked; the message says what to do."""


# ---- the options ---------------------------------------------------------

def parser():
    p = argparse.ArgumentParser(
        prog="plot.py", description="Faceted figures of a smab result file.",
        epilog="Example: plot.py results/drift.h5 --metric regret --x horizon --col arms "
               "--logx --logy -o regret.pdf")
    p.add_argument("file", help="a result file (smab run OUT.h5)")
    p.add_argument("--metric", "-m", help="metric to plot (default: the file's first)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--final", action="store_true", help="final values against --x")
    mode.add_argument("--curve", action="store_true", help="the curve against the round")
    mode.add_argument("--coalition", action="store_true",
                      help="payout against Shapley value (coalition files)")
    p.add_argument("--x", help="x axis: a swept parameter (--final)")
    p.add_argument("--hue", default=None, help="one line per value (default: mechanism)")
    p.add_argument("--col", help="one column of panels per value")
    p.add_argument("--row", help="one row of panels per value")
    p.add_argument("--select", action="append", default=[], metavar="NAME=V[,V...]",
                   help="keep only these values (repeatable)")
    p.add_argument("--mechanisms", help="comma list of mechanisms to show")
    p.add_argument("--logx", action="store_true")
    p.add_argument("--logy", action="store_true")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (0.95)")
    p.add_argument("--max-panels", type=int, default=MAX_PANELS,
                   help="most panels drawn without --col/--row asking (12)")
    p.add_argument("-o", "--output", help="FIG.png, .pdf or .svg, or DIR/ for every "
                   "metric (default: OUT_plots/ beside the file)")
    return p


# ---- names -----------------------------------------------------------------

def _dim_of(ds, name):
    """The dimension that coordinate 'name' varies along."""
    if name not in ds.coords:
        names = [c for c in ds.coords if ds[c].ndim == 1 and c not in ("replication",)]
        raise Refused("unknown name '%s' (this file has: %s)" % (name, ", ".join(names)))
    if ds[name].ndim != 1:
        raise Refused("'%s' varies with several dimensions; it cannot be an axis" % name)
    return ds[name].dims[0]


def _parse_value(coord, text):
    v = coord.values
    if v.dtype.kind in "iu":
        return int(float(text))
    if v.dtype.kind == "f":
        return float(text)
    if v.dtype.kind == "b":
        return text.lower() in ("1", "true", "yes")
    return text


def select(ds, specs, mechanisms):
    """--select NAME=V[,V] and --mechanisms: the Dataset cut to those values."""
    if mechanisms:
        want = [m for m in mechanisms.split(",") if m]
        have = list(ds["mechanism"].values)
        bad = [m for m in want if m not in have]
        if bad:
            raise Refused("unknown mechanism '%s' (available: %s)" % (bad[0], ", ".join(have)))
        ds = ds.sel(mechanism=want)
    for spec in specs:
        name, eq, text = spec.partition("=")
        if not eq or not text:
            raise Refused("--select wants NAME=VALUE[,VALUE...], got '%s'" % spec)
        dim = _dim_of(ds, name)
        c = ds[name]
        keep = []
        for t in text.split(","):
            try:
                v = _parse_value(c, t)
            except ValueError:
                raise Refused("--select %s: '%s' is not a value of %s" % (spec, t, name)) from None
            hit = np.isclose(c.values, v, rtol=1e-9, atol=0) if c.dtype.kind == "f" \
                else c.values == v
            if not hit.any():
                raise Refused("--select %s: %s has no value %s (it has: %s)"
                              % (spec, name, t, ", ".join(map(str, c.values))))
            keep += list(np.flatnonzero(hit))
        ds = ds.isel({dim: sorted(set(keep))})
    return ds


# ---- the layout ------------------------------------------------------------

class Layout:
    """What goes where: x, hue, col, row (names of coordinates) and the
    values held fixed (for the title)."""

    def __init__(self, ds, var, args, curve):
        self.curve = curve
        self.bars = False
        grid = [d for d in ds[var].dims if d not in ("replication", "checkpoint")]
        names = {}      # dimension -> the coordinate that labels it
        for role in ("x", "hue", "col", "row"):
            n = getattr(args, role, None)
            if n:
                d = _dim_of(ds, n)
                if d in names:
                    raise Refused("--%s %s and %s vary together (one sweep axis): "
                                  "use one of them" % (role, n, names[d]))
                names[d] = n
        self.hue = args.hue or "mechanism"
        if self.hue not in names.values():
            names[_dim_of(ds, self.hue)] = self.hue
        if curve:
            if args.x:
                raise Refused("--x is for --final: a curve's x axis is the round")
            self.x = None
        else:
            self.x = args.x or self._default_x(ds, grid, names)
            if self.x is None:
                self.bars = True
            elif self.x not in names.values():
                names[_dim_of(ds, self.x)] = self.x
        self.col, self.row = args.col, args.row
        free = [d for d in grid if d not in names and ds.sizes[d] > 1]
        asked = bool(args.col or args.row)
        for d in list(free):
            if self.col is None:
                self.col = d
            elif self.row is None:
                self.row = d
            else:
                continue
            free.remove(d)
            names[d] = d
        if free:
            raise Refused("too many dimensions for one figure: %s vary too; pick values "
                          "with --select NAME=VALUE (e.g. --select %s=%s)"
                          % (", ".join("%s (%d values)" % (d, ds.sizes[d]) for d in free),
                             free[0], ds[free[0]].values[0]))
        n = self.size(ds, self.col) * self.size(ds, self.row)
        if n > args.max_panels and not asked:
            raise Refused("%d panels (%s) is more than %d: pick values with --select "
                          "NAME=VALUE, or ask for them with --col/--row"
                          % (n, " x ".join("%s: %d" % (d, self.size(ds, d))
                                           for d in (self.col, self.row) if d),
                             args.max_panels))
        used = {_dim_of(ds, n) for n in (self.x, self.hue, self.col, self.row) if n}
        self.fixed = [d for d in grid if d not in used]

    @staticmethod
    def size(ds, name):
        return ds.sizes[_dim_of(ds, name)] if name else 1

    @staticmethod
    def _default_x(ds, grid, names):
        for d in grid:
            if d in names or d == "mechanism" or ds.sizes[d] < 2:
                continue
            if ds[d].dtype.kind in "iuf":
                return d
        return None


# ---- drawing ---------------------------------------------------------------

def _fmt(v):
    if isinstance(v, (float, np.floating)):
        return "%g" % v
    return str(v)


def _values(ds, name):
    return list(ds[name].values) if name else [None]


def _pick(s, ds, name, v):
    if name is None:
        return s
    return s.isel({_dim_of(ds, name): int(np.flatnonzero(ds[name].values == v)[0])})


def _ylabel(ds, var):
    units = ds[var].attrs.get("units")
    return var.replace("_curve", "") + (" (%s)" % units if units else "")


def _xlabel(ds, name):
    if name is None:
        return ""
    a = ds[name].attrs
    text = name + (" (%s)" % a["units"] if a.get("units") else "")
    return text


def _title(ds, var, lay, level):
    desc = ds[var].attrs.get("description", var)
    fixed = ", ".join("%s=%s" % (d, _fmt(ds[d].values[0])) for d in lay.fixed
                      if d in ds.coords and ds.sizes[d] == 1)
    head = "%s: %s" % (var.replace("_curve", ""), desc)
    tail = "mean and %g%% CI over replications" % (100 * level)
    return "\n".join(textwrap.wrap(head, 90) + [tail + ("; " + fixed if fixed else "")])


def draw(ds, var, lay, args):
    """The figure for variable 'var' of Dataset ds laid out by lay."""
    import matplotlib.pyplot as plt
    s = stats.summary(ds, var, level=args.level)
    rows, cols = _values(ds, lay.row), _values(ds, lay.col)
    hues = _values(ds, lay.hue)
    fig, axes = plt.subplots(len(rows), len(cols), squeeze=False, sharex=True, sharey=True,
                             figsize=(0.6 + PANEL_W * len(cols), 0.9 + PANEL_H * len(rows)),
                             layout="constrained")
    for i, rv in enumerate(rows):
        for j, cv in enumerate(cols):
            ax = axes[i][j]
            cell = _pick(_pick(s, ds, lay.row, rv), ds, lay.col, cv)
            for k, hv in enumerate(hues):
                c = _pick(cell, ds, lay.hue, hv)
                _draw_line(ax, ds, c, lay, k, len(hues), "%s" % _fmt(hv), (rv, cv, hv))
            title = ", ".join("%s=%s" % (n, _fmt(v)) for n, v in ((lay.row, rv), (lay.col, cv))
                              if n)
            if title:
                ax.set_title(title, fontsize=9)
            if args.logx and not lay.bars:
                ax.set_xscale("log")
            if args.logy:
                ax.set_yscale("log")
            ax.grid(True, alpha=0.3)
            if i == len(rows) - 1:
                ax.set_xlabel("round" if lay.curve else
                              "mechanism" if lay.bars else _xlabel(ds, lay.x))
            if j == 0:
                ax.set_ylabel(_ylabel(ds, var))
            ax.tick_params(labelsize=8)
    if hues != [None]:
        axes[0][-1].legend(title=lay.hue, fontsize=7, title_fontsize=7)
    fig.suptitle(_title(ds, var, lay, args.level), fontsize=9)
    return fig


def _line(c, name, dim):
    """Variable 'name' of summary cell c as a 1-D array along dim (every
    other dimension left has one value)."""
    v = c[name]
    rest = [d for d in v.dims if d != dim]
    return v.squeeze(rest).values.reshape(-1) if rest else v.values.reshape(-1)


def _draw_line(ax, ds, c, lay, k, nhue, label, at):
    color = "C%d" % (k % 10)
    if lay.curve:
        mean, lo, hi = (_line(c, n, "checkpoint") for n in ("mean", "ci_lo", "ci_hi"))
        if "round" in ds.coords:
            r = ds["round"]
            for n, v in zip((lay.row, lay.col, lay.hue), at):
                if n and _dim_of(ds, n) in r.dims:
                    r = r.isel({_dim_of(ds, n): int(np.flatnonzero(ds[n].values == v)[0])})
            rest = [d for d in r.dims if d != "checkpoint"]
            x = (r.squeeze(rest) if rest else r).values.reshape(-1)
        else:
            x = ds["checkpoint"].values
        ax.plot(x, mean, color=color, label=label, lw=1.4)
        ax.fill_between(x, lo, hi, color=color, alpha=0.2, lw=0)
    elif lay.bars:
        mean, lo, hi = (float(c[n].values.reshape(-1)[0]) for n in ("mean", "ci_lo", "ci_hi"))
        w = 0.8 / nhue
        ax.bar([k * w], [mean], w, yerr=[[mean - lo], [hi - mean]], color=color, label=label,
               capsize=3)
        ax.set_xticks([])
    else:
        dim = _dim_of(ds, lay.x)
        mean, lo, hi = (_line(c, n, dim) for n in ("mean", "ci_lo", "ci_hi"))
        x = ds[lay.x].values
        if x.dtype.kind not in "iuf":
            x = np.arange(len(x))
            ax.set_xticks(x, [str(v) for v in ds[lay.x].values])
        ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], color=color, label=label,
                    marker="o", ms=3.5, lw=1.4, capsize=2.5)


def _agent_label(number, name):
    """An agent as smab shapley shows it: its number from 1, then its name
    when that is not the number itself ("1 M", or "3")."""
    return str(number) if name == str(number) else "%d %s" % (number, name)


def draw_coalition(path, args):
    """Payout against Shapley value, one panel per mechanism and game."""
    import matplotlib.pyplot as plt
    from .coalition import coalition
    t = coalition(path)
    if "shapley" not in t or "payout" not in t:
        raise Refused("%s: the coalition tables have no Shapley value or payout (a partial "
                      "design, or no grand coalition)" % path)
    key = ["mechanism", "game", "agent", "number"]
    m = t["shapley"].merge(t["payout"], on=key, suffixes=("_shapley", "_payout"))
    if args.mechanisms:
        m = m[m["mechanism"].isin(args.mechanisms.split(","))]
    panels = list(dict.fromkeys(zip(m["mechanism"], m["game"])))
    if len(panels) > args.max_panels:
        raise Refused("%d panels (mechanism x game) is more than %d: pick with "
                      "--mechanisms A,B" % (len(panels), args.max_panels))
    if not panels:
        raise Refused("no coalition panel to draw")
    ncol = min(len(panels), 3)
    nrow = (len(panels) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, squeeze=False, layout="constrained",
                             figsize=(0.6 + PANEL_W * ncol, 0.9 + PANEL_H * 1.2 * nrow))
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (mech, game) in zip(axes.flat, panels):
        d = m[(m["mechanism"] == mech) & (m["game"] == game)]
        for k, (_, r) in enumerate(d.iterrows()):
            ax.errorbar(r["mean_shapley"], r["mean_payout"],
                        xerr=[[r["mean_shapley"] - r["ci_lo_shapley"]],
                              [r["ci_hi_shapley"] - r["mean_shapley"]]],
                        yerr=[[r["mean_payout"] - r["ci_lo_payout"]],
                              [r["ci_hi_payout"] - r["mean_payout"]]],
                        fmt="o", color="C%d" % (k % 10), ms=4, capsize=2,
                        label=_agent_label(r["number"], r["agent"]))
        lim = [np.nanmin(d[["ci_lo_shapley", "ci_lo_payout"]].values),
               np.nanmax(d[["ci_hi_shapley", "ci_hi_payout"]].values)]
        ax.plot(lim, lim, color="black", lw=1, label="payout = Shapley")
        ax.set_title("%s%s" % (mech, ", game %d" % game if m["game"].nunique() > 1 else ""),
                     fontsize=9)
        ax.set_xlabel("Shapley value")
        ax.set_ylabel("payout -R_a (grand coalition)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, title="agent", title_fontsize=7)
        ax.tick_params(labelsize=8)
    fig.suptitle("each agent's payout against its Shapley value, %g%% CIs" % 95, fontsize=9)
    return fig


# ---- the command -----------------------------------------------------------

def figure(ds, args, path):
    """The one figure the options ask for, with the name of what it shows."""
    if args.coalition:
        return draw_coalition(path, args), "coalition"
    metrics = [m for m in reader._text(ds.attrs.get("metrics", "")).split(",") if m]
    metric = args.metric or (metrics[0] if metrics else None)
    if metric is None or metric not in ds.data_vars:
        raise Refused("unknown metric '%s' (available: %s)"
                      % (metric, ", ".join(m for m in metrics if m in ds.data_vars)))
    has_curve = metric + "_curve" in ds.data_vars
    sub = select(ds, args.select, args.mechanisms)
    if args.curve and not has_curve:
        raise Refused("metric '%s' has no curve (curves: %s)" % (metric, ", ".join(
            v[:-6] for v in ds.data_vars if v.endswith("_curve")) or "none"))
    grid = [d for d in sub[metric].dims if d not in ("replication", "checkpoint")]
    curve = args.curve or (not args.final and not args.x and has_curve and
                           Layout._default_x(sub, grid, {}) is None)
    var = metric + "_curve" if curve else metric
    lay = Layout(sub, var, args, curve)
    return draw(sub, var, lay, args), var


def _save(fig, out):
    import matplotlib.pyplot as plt
    fmt = os.path.splitext(out)[1].lower().lstrip(".")
    if fmt not in ("png", "pdf", "svg"):
        raise Refused("cannot tell the format of '%s': name it .png, .pdf or .svg" % out)
    fig.savefig(out, dpi=200 if fmt == "png" else None)
    plt.close(fig)


def _directory(ds, args, path, outdir):
    os.makedirs(outdir, exist_ok=True)
    refused = 0
    metrics = [m for m in reader._text(ds.attrs.get("metrics", "")).split(",") if m]
    jobs = []
    for m in metrics:
        v = ds[m].values if ds[m].size < 10**7 else None
        if v is not None and np.isnan(v).all():
            continue        # no value anywhere (an agent outside every coalition)
        jobs.append((m, False))
        if m + "_curve" in ds.data_vars:
            jobs.append((m, True))
    for m, curve in jobs:
        a = argparse.Namespace(**vars(args))
        a.metric, a.curve, a.final = m, curve, not curve
        name = m + ("_curve" if curve else "")
        try:
            fig, _ = figure(ds, a, path)
        except Refused as e:
            print("plot.py: %s: not drawn: %s" % (name, e), file=sys.stderr)
            refused += 1
            continue
        out = os.path.join(outdir, name + ".png")
        _save(fig, out)
        print(out)
    if _has_coalition(path):
        a = argparse.Namespace(**vars(args))
        a.coalition = True
        try:
            fig, _ = figure(ds, a, path)
            out = os.path.join(outdir, "coalition.png")
            _save(fig, out)
            print(out)
        except Refused as e:
            print("plot.py: coalition: not drawn: %s" % e, file=sys.stderr)
            refused += 1
    return 2 if refused else 0


def _has_coalition(path):
    import h5py
    with h5py.File(path, "r") as f:
        return "coalition" in f


def main(argv=None):
    args = parser().parse_args(argv)
    import matplotlib
    if "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    if not 0 < args.level < 1:
        print("plot.py: --level must be in (0, 1)", file=sys.stderr)
        return 2
    try:
        ds = reader.open(args.file)
    except SmabError as e:
        print("plot.py: %s" % e, file=sys.stderr)
        return 2
    try:
        out = args.output
        if out is None or out.endswith(os.sep) or os.path.isdir(out):
            out = out or os.path.splitext(args.file)[0] + "_plots"
            if args.metric or args.x or args.col or args.row or args.select or args.curve \
                    or args.coalition:
                raise Refused("-o names a directory: the options for one figure need -o FIG.png")
            return _directory(ds, args, args.file, out)
        fig, _ = figure(ds, args, args.file)
        _save(fig, out)
        print(out)
        return 0
    except (Refused, SmabError, ValueError) as e:
        print("plot.py: %s" % e, file=sys.stderr)
        return 2
    finally:
        ds.close()


if __name__ == "__main__":
    sys.exit(main())
