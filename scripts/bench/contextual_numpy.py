#!/usr/bin/python3
"""numpy references for the LinUCB benchmark of bench_contextual: LinUCB
over K = 1682 fixed actions in d = 100, written the two ways a researcher
would in numpy:

  xainv  A^-1 by Sherman-Morrison; every round all widths as
         rowsum((X @ A^-1) * X) and all means as X @ theta   (O(K d^2) a round)
  incr   incremental widths: u = A^-1 x, g = X @ u, w2 -= g^2 / (1 + x.u),
         means += g * (y - theta.x) / (1 + x.u)             (O(K d) a round)

Same data shapes as the C benchmark (X uniform / sqrt(d), lambda = 1,
beta = 1).  Prints a table and "bench numpy.linucb_fixed.<way>.rounds_per_s"
lines.  BENCH_QUICK=1 shrinks the time budget.  numpy's BLAS threads are
limited to one (OPENBLAS_NUM_THREADS=1 unless already set) for a
single-core comparison.
"""
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

D, K = 100, 1682


def run(way, budget):
    rng = np.random.default_rng(1)
    X = rng.random((K, D)) / np.sqrt(D)
    mu = X @ rng.random(D)
    Ainv = np.eye(D)
    b = np.zeros(D)
    theta = np.zeros(D)
    means = np.zeros(K)
    w2 = np.einsum("ij,ij->i", X, X)
    rounds = 0
    t0 = time.perf_counter()
    while True:
        for _ in range(20):
            if way == "xainv":
                means = X @ theta
                w2 = np.einsum("ij,ij->i", X @ Ainv, X)
            k = int(np.argmax(means + np.sqrt(np.maximum(w2, 0.0))))
            x = X[k]
            y = mu[k] + 0.1 * (rng.random() - 0.5)
            u = Ainv @ x
            c = 1.0 + x @ u
            if way == "incr":
                g = X @ u
                r = y - theta @ x
                w2 -= g * g / c
                means += g * (r / c)
            Ainv -= np.outer(u, u) / c
            b += y * x
            theta = Ainv @ b
        rounds += 20
        el = time.perf_counter() - t0
        if el >= budget:
            return rounds / el


def main():
    quick = os.environ.get("BENCH_QUICK", "0") not in ("", "0")
    budget = 0.2 if quick else float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    print(f"numpy {np.__version__}: LinUCB d = {D}, {K} fixed actions, {budget:g} s each")
    for way in ("xainv", "incr"):
        r = run(way, budget)
        print(f"  {way:6s} {r:10.0f} rounds/s")
        print(f"bench numpy.linucb_fixed.{way}.rounds_per_s {r:.6g}")


if __name__ == "__main__":
    main()
