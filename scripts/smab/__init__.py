"""smab: read smab result files in Python.

A result file (``smab run`` writes one) becomes an :class:`xarray.Dataset`
with named dimensions, and its coalition tables become pandas DataFrames::

    import smab
    ds = smab.open("results/drift-table1.h5")     # lazy: values are read when used
    s = smab.summary(ds, "regret")                 # n, mean, sd, ci_lo, ci_hi
    d = smab.paired(ds, "regret", vs="greedy")     # paired differences X - greedy
    s.to_dataframe().reset_index()                 # a tidy pandas table
    t = smab.coalition("results/coalition.h5")     # {"shapley": DataFrame, ...}

Functions:

- :func:`open` -- the file as a Dataset (dimensions ``mechanism``, one per
  sweep axis, ``replication``, ``checkpoint``; one variable per metric).
- :func:`summary` and :func:`paired` -- Student-t intervals over the
  replications, equal to the file's ``/summary`` and ``smab summary --vs``.
- :func:`coalition` -- the ``/coalition`` tables of ``smab shapley``.

Every function raises :class:`SmabError` with a one-line message for a
file that is not a smab result file or is damaged, and ``ValueError`` for
an unknown metric or mechanism.
"""

from .coalition import coalition
from .reader import SmabError, open
from .stats import paired, summary

__version__ = "0.3.0"
__all__ = ["open", "summary", "paired", "coalition", "SmabError"]
