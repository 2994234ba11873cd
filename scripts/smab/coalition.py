"""The coalition tables of a result file (``smab.coalition``)."""

import os

import h5py
import numpy as np
import pandas as pd

from .reader import SmabError, _check, _column, _text

__all__ = ["coalition"]

_STATS = ["n", "mean", "sd", "ci_lo", "ci_hi"]


def _members(mask, agents):
    return "{%s}" % ",".join(a for i, a in enumerate(agents) if mask >> i & 1)


def _games(f, game):
    """Each game's swept values other than 'coalition', from /points."""
    pts = f["points"][()]
    cols = [c for c in pts.dtype.names if c not in ("id", "label", "coalition")]
    out = {}
    for p, g in enumerate(game):
        if int(g) not in out:
            out[int(g)] = {c: _column(pts[c][p:p + 1], pts.dtype[c])[0] for c in cols}
    return out


def coalition(path):
    """The ``/coalition`` tables that ``smab shapley`` (or a coalition run)
    wrote, as a dict of :class:`pandas.DataFrame`:

    - ``shapley``, ``payout``: one row per (mechanism, game, agent) with
      ``n``, ``mean``, ``sd``, ``ci_lo``, ``ci_hi`` (95% Student-t over the
      replications); ``payout`` is -R_a in the grand coalition;
    - ``regret``: one row per (mechanism, game, coalition, agent) of each
      member's regret; ``value``: per (mechanism, game, coalition), v(C);
    - ``checks``: per (mechanism, game): core membership, convexity and the
      Assumption-3 counts (-1 where not checked); ``a3_rule`` says which
      pairs were compared (0: Q against Q minus one agent, an exact design;
      1: against every sub-coalition that ran; absent in older files);
    - ``assumption3``: every violation (agent, coalition ``q``, its
      sub-coalition ``s``, their regrets and the paired difference's CI).

    Agents are named by the file's ``agents`` attribute (``agent``) and
    numbered from 1 as ``smab shapley`` prints them (``number``); coalitions
    are shown as ``{a,b}`` of the agents' names next to their bit mask (bit
    k-1: agent k); each game's
    swept values (the other columns of ``/points``) are columns too.  A
    table the file lacks (no grand coalition: no payout) is absent from the
    dict.  Raises :class:`SmabError` for a file without coalition tables.

    >>> t = smab.coalition("results/coalition-synthetic.h5")      # doctest: +SKIP
    >>> t["shapley"].query("mechanism == 'linucb'")               # doctest: +SKIP
    """
    path = os.fspath(path)
    _check(path)
    try:
        with h5py.File(path, "r") as f:
            if not isinstance(f.get("coalition"), h5py.Group):
                raise SmabError("%s: no /coalition tables (not a coalition run, or "
                                "'smab shapley %s' has not written them)" % (path, path))
            return _tables(f)
    except (OSError, KeyError, ValueError, TypeError, IndexError) as e:
        if isinstance(e, SmabError):
            raise
        raise SmabError("%s: cannot read /coalition (%s): a damaged file"
                        % (path, str(e).splitlines()[0])) from None


def _tables(f):
    g = f["coalition"]
    agents = [a for a in _text(g.attrs["agents"]).split(",") if a]
    masks = g["masks"][()].astype(np.int64)
    games = _games(f, g["game"][()])
    mechs = [k for k in g if isinstance(g[k], h5py.Group)]
    rows = {k: [] for k in ("shapley", "payout", "regret", "value", "checks", "assumption3")}
    for m in mechs:
        t = g[m]
        for name in ("shapley", "payout"):
            if name not in t:
                continue
            x = t[name][()]
            for gi in range(x.shape[0]):
                for a in range(x.shape[1]):
                    rows[name].append({"mechanism": m, "game": gi, **games.get(gi, {}),
                                       "agent": agents[a], "number": a + 1,
                                       **{s: x[gi, a][s] for s in _STATS}})
        if "regret" in t:
            x = t["regret"][()]
            for gi in range(x.shape[0]):
                for c, mask in enumerate(masks):
                    for a in range(x.shape[2]):
                        if mask >> a & 1:
                            rows["regret"].append({
                                "mechanism": m, "game": gi, **games.get(gi, {}),
                                "coalition": _members(mask, agents), "mask": mask,
                                "agent": agents[a], "number": a + 1,
                                **{s: x[gi, c, a][s] for s in _STATS}})
        if "value" in t:
            x = t["value"][()]
            for gi in range(x.shape[0]):
                for c, mask in enumerate(masks):
                    rows["value"].append({"mechanism": m, "game": gi, **games.get(gi, {}),
                                          "coalition": _members(mask, agents), "mask": mask,
                                          **{s: x[gi, c][s] for s in _STATS}})
        if "checks" in t:
            x = t["checks"][()]
            for gi in range(x.shape[0]):
                rows["checks"].append({"mechanism": m, "game": gi, **games.get(gi, {}),
                                       **{k: x[gi][k].item() for k in x.dtype.names}})
        if "assumption3" in t:
            for r in t["assumption3"][()]:
                d = {k: r[k].item() for k in r.dtype.names}
                # the file's agent field counts from 1, as smab shapley prints it
                d["number"] = d["agent"]
                d["agent"] = agents[d["agent"] - 1]
                d["q_members"] = _members(d["q"], agents)
                d["s_members"] = _members(d["s"], agents)
                rows["assumption3"].append({"mechanism": m, **d})
    return {k: pd.DataFrame(v) for k, v in rows.items() if v}
