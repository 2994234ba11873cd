"""Means and Student-t confidence intervals over replications, as in a
result file's ``/summary`` and ``smab summary --vs``."""

import warnings

import numpy as np
import xarray as xr

from .tdist import t_quantile

__all__ = ["summary", "paired"]


def _metric(ds, metric):
    if metric not in ds.data_vars:
        raise ValueError("unknown metric '%s' (available: %s)"
                         % (metric, ", ".join(sorted(ds.data_vars))))
    x = ds[metric]
    if "replication" not in x.dims:
        raise ValueError("'%s' has no replication dimension to summarize" % metric)
    return x


def _summarize(x, level, attrs):
    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1), got %r" % (level,))
    x = x.load() if hasattr(x, "load") else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = x.count("replication")
        mean = x.mean("replication", skipna=True)
        # Two-pass about the mean: exact to rounding, like the file's Welford.
        sd = np.sqrt(((x - mean) ** 2).sum("replication", skipna=True) / (n - 1))
    sd = sd.where(n >= 2)
    mean = mean.where(n >= 1)
    q = {int(k): t_quantile(0.5 * (1.0 + level), int(k) - 1)
         for k in np.unique(n.values) if k >= 2}
    tq = xr.apply_ufunc(np.vectorize(lambda k: q.get(int(k), np.nan), otypes=[float]), n)
    half = tq * sd / np.sqrt(n.where(n >= 2))
    out = xr.Dataset({"n": n.astype(np.int64), "mean": mean, "sd": sd,
                      "ci_lo": mean - half, "ci_hi": mean + half})
    out.attrs.update(attrs)
    out.attrs["level"] = level
    return out


def summary(ds, metric, level=0.95):
    """Per-cell statistics of ``metric`` over the replications done.

    Returns an :class:`xarray.Dataset` with variables ``n`` (replications
    done), ``mean``, ``sd``, ``ci_lo`` and ``ci_hi`` (the two-sided
    Student-t interval at ``level``) over the metric's dimensions less
    ``replication``: the numbers of the file's ``/summary`` (to rounding)
    and of ``smab summary``.

    >>> ds = smab.open("results/quick.h5")                       # doctest: +SKIP
    >>> s = smab.summary(ds, "regret")                            # doctest: +SKIP
    >>> s["mean"].sel(mechanism="ts")                              # doctest: +SKIP
    >>> s.to_dataframe().reset_index()                            # doctest: +SKIP
    """
    x = _metric(ds, metric)
    return _summarize(x, level, dict(x.attrs, metric=metric))


def paired(ds, metric, vs="greedy", level=0.95):
    """Paired differences ``X - vs`` of ``metric`` for every other mechanism X.

    The difference is taken replication by replication (the mechanisms of a
    task share their random environment), a replication missing on either
    side is left out, and the result is summarized like :func:`summary`:
    the numbers of ``smab summary --vs VS``.  The ``mechanism`` coordinate
    names X; the attribute ``vs`` names the baseline.

    >>> d = smab.paired(ds, "regret", vs="greedy")                # doctest: +SKIP
    >>> d["mean"].sel(mechanism="ucb")                             # doctest: +SKIP
    """
    x = _metric(ds, metric)
    names = list(x["mechanism"].values)
    if vs not in names:
        raise ValueError("unknown mechanism '%s' (available: %s)" % (vs, ", ".join(names)))
    if len(names) < 2:
        raise ValueError("only one mechanism (%s): nothing to pair it with" % vs)
    x = x.load()
    base = x.sel(mechanism=vs, drop=True)
    diff = (x - base).sel(mechanism=[m for m in names if m != vs])
    attrs = dict(x.attrs, metric=metric, vs=vs)
    attrs["description"] = "paired difference X - %s of: %s" % (vs, x.attrs.get("description", metric))
    return _summarize(diff, level, attrs)
