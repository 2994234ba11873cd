"""Student-t quantiles for integer degrees of freedom, without SciPy.

The confidence intervals in a result file's ``/summary`` use the two-sided
Student-t quantile with n - 1 degrees of freedom.  For an integer number of
degrees of freedom the t distribution's central probability has a closed
form (Abramowitz and Stegun 26.7.3 and 26.7.4), which Newton's method
inverts to full double precision.

>>> round(t_quantile(0.975, 1), 10)
12.7062047362
>>> round(t_quantile(0.975, 9), 10)
2.2621571628
"""

import math

__all__ = ["t_quantile"]


def _central(t, dof):
    """P(|T| < t) for T Student-t with integer dof >= 1, t >= 0."""
    theta = math.atan(t / math.sqrt(dof))
    c, s = math.cos(theta), math.sin(theta)
    c2 = c * c
    if dof % 2 == 1:
        if dof == 1:
            return 2.0 * theta / math.pi
        term, total = c, c
        for k in range(1, (dof - 1) // 2):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2.0 / math.pi * (theta + s * total)
    term, total = 1.0, 1.0
    for k in range(1, dof // 2):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return s * total


def _density(t, dof):
    lg = math.lgamma((dof + 1) / 2.0) - math.lgamma(dof / 2.0)
    return math.exp(lg - 0.5 * math.log(dof * math.pi)
                    - (dof + 1) / 2.0 * math.log1p(t * t / dof))


def t_quantile(p, dof):
    """The p-quantile of Student's t with integer ``dof`` >= 1, for p in (0, 1).

    Returns NaN outside that domain.
    """
    dof = int(dof)
    if not (0.0 < p < 1.0) or dof < 1:
        return math.nan
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, dof)
    want = 2.0 * p - 1.0          # central probability P(|T| < t)
    lo, hi = 0.0, 1.0
    while _central(hi, dof) < want:
        lo, hi = hi, hi * 2.0
    t = 0.5 * (lo + hi)
    for _ in range(200):
        f = _central(t, dof) - want
        if f > 0:
            hi = t
        else:
            lo = t
        step = f / (2.0 * _density(t, dof))
        nxt = t - step
        if not (lo < nxt < hi):
            nxt = 0.5 * (lo + hi)
        if abs(nxt - t) <= 1e-16 * max(1.0, abs(t)) or hi - lo <= 4e-16 * hi:
            return nxt
        t = nxt
    return t
