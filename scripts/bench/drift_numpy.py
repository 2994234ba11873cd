#!/usr/bin/python3
"""Plain numpy reference for the drift benchmark.

The same incentivized loop the drift suite runs, written the way a researcher
would: one Python iteration per round, numpy arrays for the K-vector work.

    round t (after one initial pull of every arm):
      mu_hat = sums / pulls                      drifted empirical means
      g      = argmax mu_hat                     the myopic player's choice
      i      = principal's choice: UCB1 / eps_t-greedy / Gaussian TS / greedy
      c      = mu_hat[g] - mu_hat[i]  if i != g  compensation
      r      ~ N(mu_i, sigma^2)
      f      = r + delta * c                     (eps-greedy: clipped to [0,1])
      update pulls[i], sums[i]; regret += mu_1 - mu_i; comp += c

Arms: mu_i = max(0, mean_best - gap * i), i = 0..K-1.  Parameters default to
the drift suite's defaults; run.sh passes the values bench_drift printed
(--param name=value) so the two always agree.

Prints a table and "bench numpy.<mech>.rounds_per_s <value>" lines.
Run with /usr/bin/python3 (needs numpy).  BENCH_QUICK=1 shrinks the run.
"""
import argparse
import math
import os
import sys
import time

import numpy as np

DEFAULTS = {
    "horizon": 20000, "arms": 10, "mean_best": 0.9, "gap": 0.1,
    "sigma": 0.1, "drift": 0.0, "ucb.alpha": 2.0,
    "egreedy.c": 1.0, "egreedy.d": 0.1, "noise": "gaussian", "means": [],
}
MECHS = ("ucb", "egreedy", "ts", "greedy")
RECORD = 100


def run(mech, p, rng):
    """One replication; returns (regret, compensation, compensated rounds)."""
    K, T = int(p["arms"]), int(p["horizon"])
    if p["means"]:
        means = np.array(p["means"], dtype=float)
    else:
        means = np.maximum(0.0, p["mean_best"] - p["gap"] * np.arange(K))
    mu_star = means.max()
    sigma, delta = p["sigma"], p["drift"]
    alpha, c, d = p["ucb.alpha"], p["egreedy.c"], p["egreedy.d"]
    pulls = np.zeros(K)
    sums = np.zeros(K)
    regret = comp = 0.0
    ncomp = 0
    checks = [((k + 1) * T + RECORD - 1) // RECORD for k in range(RECORD)]
    curve_r = np.zeros(RECORD)
    curve_c = np.zeros(RECORD)
    nc = 0
    for t in range(1, T + 1):
        pay = 0.0
        if t <= K:
            i = t - 1
        else:
            mu_hat = sums / pulls
            g = int(np.argmax(mu_hat))
            if mech == "ucb":
                i = int(np.argmax(mu_hat + np.sqrt(alpha * math.log(t) / pulls)))
            elif mech == "egreedy":
                eps = min(1.0, c * K / (d * d * t))
                i = int(rng.integers(K)) if rng.random() < eps else g
            elif mech == "ts":
                theta = rng.normal(mu_hat, 1.0 / np.sqrt(pulls + 1.0))
                i = int(np.argmax(theta))
            else:
                i = g
            if i != g:
                pay = mu_hat[g] - mu_hat[i]
                comp += pay
                ncomp += 1
        f = means[i] + sigma * rng.standard_normal() + delta * pay
        if mech == "egreedy":
            f = min(1.0, max(0.0, f))
        pulls[i] += 1.0
        sums[i] += f
        regret += mu_star - means[i]
        if t == checks[nc]:
            curve_r[nc] = regret
            curve_c[nc] = comp
            nc += 1
    return regret, comp, ncomp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=None,
                    help="replications per mechanism (default 2, quick 1)")
    ap.add_argument("--param", action="append", default=[],
                    metavar="NAME=VALUE", help="override a drift parameter")
    ap.add_argument("--mechs", default=",".join(MECHS))
    args = ap.parse_args()

    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    p = dict(DEFAULTS)
    if quick:
        p["horizon"] = 2000
    for kv in args.param:
        name, _, val = kv.partition("=")
        if name not in p:
            sys.exit(f"drift_numpy.py: unknown parameter '{name}'")
        if name == "noise":
            if val != "gaussian":
                sys.exit("drift_numpy.py: only gaussian noise is implemented")
            p[name] = val
        elif name == "means":
            body = val.strip().strip("[]").strip()
            p[name] = [float(x) for x in body.split(",")] if body else []
        else:
            p[name] = float(val)
    if p["means"] and len(p["means"]) != int(p["arms"]):
        sys.exit("drift_numpy.py: 'means' and 'arms' disagree")
    reps = args.reps if args.reps is not None else (1 if quick else 2)
    T = int(p["horizon"])

    print(f"numpy reference, K={int(p['arms'])}, T={T}, {reps} reps, "
          f"numpy {np.__version__}")
    print(f"{'mechanism':<10} {'reps':>8} {'seconds':>10} {'rounds/s':>14} "
          f"{'mean regret':>12}")
    for mech in args.mechs.split(","):
        rng = np.random.default_rng(12345)
        t0 = time.perf_counter()
        regret = 0.0
        for _ in range(reps):
            regret += run(mech, p, rng)[0]
        el = time.perf_counter() - t0
        rps = T * reps / el
        print(f"{mech:<10} {reps:>8} {el:>10.3f} {rps:>14.4g} "
              f"{regret / reps:>12.2f}")
        print(f"bench numpy.{mech}.rounds_per_s {rps:.6g}", flush=True)


if __name__ == "__main__":
    main()
