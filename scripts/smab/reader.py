"""Opening a smab result file as an xarray Dataset (``smab.open``)."""

import os

import h5py
import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

__all__ = ["open", "SmabError", "root_attrs"]


class SmabError(ValueError):
    """A file that is not a smab result file, or a damaged one.

    The message is one line that names the file and what is wrong.
    """


def _text(v):
    """Attribute values as Python values: bytes decoded, numpy scalars unboxed."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "SO":
            return [_text(x) for x in v.tolist()]
        return v
    if isinstance(v, np.generic):
        return v.item()
    return v


def root_attrs(f):
    """Every root attribute of an open h5py file, decoded; provenance that
    was too long for an attribute (a scalar dataset) included."""
    out = {k: _text(v) for k, v in f.attrs.items()}
    for name in ("config", "config_text", "overrides"):
        if name not in out and isinstance(f.get(name), h5py.Dataset) and f[name].shape == ():
            out[name] = _text(f[name][()])
    return out


def _fail(path, why):
    raise SmabError("%s: %s" % (path, why))


def _check(path):
    if not os.path.exists(path):
        _fail(path, "no such file")
    if not os.path.isfile(path):
        _fail(path, "not a regular file")
    if not h5py.is_hdf5(path):
        _fail(path, "not an HDF5 file, so not a smab result file")


def _names(f, path, attr):
    v = f.attrs.get(attr)
    if v is None:
        _fail(path, "not a smab result file (no '%s' attribute)" % attr)
    names = [x for x in _text(v).split(",") if x]
    if not names:
        _fail(path, "its '%s' attribute is empty: a damaged file" % attr)
    return names


def _dataset(f, path, name, shape):
    d = f.get(name)
    if not isinstance(d, h5py.Dataset):
        _fail(path, "no dataset %s: not a smab result file, or a damaged one" % name)
    if tuple(d.shape) != tuple(shape):
        _fail(path, "%s has shape %s, the file's attributes say %s: a damaged file"
              % (name, tuple(d.shape), tuple(shape)))
    return d


def _column(values, dtype):
    """A /points or /sweep column as numpy values: strings decoded, HDF5
    enums of older files by name, booleans as bool."""
    enum = h5py.check_enum_dtype(dtype)
    if enum is not None:
        names = {v: k for k, v in enum.items()}
        if set(names.values()) == {"FALSE", "TRUE"}:
            return np.asarray(values).astype(bool)
        return np.array([names.get(int(v), "?") for v in values], dtype=str)
    if dtype.kind == "S":
        return np.char.decode(np.asarray(values), "utf-8")
    if dtype.kind == "b":
        return np.asarray(values, dtype=bool)
    return np.asarray(values)


def _short(v):
    """A value as smab writes it in a label: 3, not 3.0; 0.2, not 0.2000...1."""
    if isinstance(v, (float, np.floating)):
        return np.format_float_positional(v, trim="-")
    return str(v)


class _Grid:
    """How the points of a file are laid out: the named dimensions that
    replace 'point' and their coordinates."""

    def __init__(self, dims, shape, coords):
        self.dims, self.shape, self.coords = dims, shape, coords

    def points(self, idx):
        """Point ids of the outer product of index arrays idx (one per dim)."""
        if not self.dims:
            return np.zeros((), dtype=np.int64)
        return np.ravel_multi_index(np.ix_(*idx), self.shape) if len(idx) > 1 \
            else np.asarray(idx[0], dtype=np.int64)


def _grid(f, path, attrs, points):
    """The sweep's grid (format 3) or, failing that, the 'point' dimension
    with every swept parameter as its coordinate."""
    P = points.shape[0]
    cols = [n for n in points.dtype.names if n not in ("id", "label")]
    table = {n: _column(points[n], points.dtype[n]) for n in cols}
    axes = attrs.get("sweep_axes")
    shape = attrs.get("sweep_shape")
    if axes is not None and attrs.get("sweep_params") is not None:
        names = [a for a in axes.split(",") if a]
        params = [p for p in attrs["sweep_params"].split(",") if p]
        shape = [] if shape is None else [int(x) for x in np.atleast_1d(shape)]
        axis = [] if attrs.get("sweep_axis") is None else \
            [int(x) for x in np.atleast_1d(attrs["sweep_axis"])]
        if (len(shape) != len(names) or len(axis) != len(params)
                or int(np.prod(shape, dtype=np.int64)) != P or params != cols):
            _fail(path, "its sweep attributes do not match /points: a damaged file")
        coords = {}
        for k, p in enumerate(params):
            a = axis[k]
            d = f.get("sweep/" + p)
            if not isinstance(d, h5py.Dataset) or d.shape != (shape[a],):
                _fail(path, "no dataset /sweep/%s of %d values: a damaged file" % (p, shape[a]))
            vals = _column(d[()], d.dtype)
            # The grid must be the one /points lists, point by point.
            idx = np.unravel_index(np.arange(P), shape)[a] if shape else np.zeros(P, int)
            if not np.array_equal(vals[idx], table[p]):
                _fail(path, "/sweep/%s disagrees with /points: a damaged file" % p)
            coords[p] = ((names[a],), vals, dict(_described(d)))
        return _Grid(names, shape, coords)
    coords = {p: (("point",), v, {}) for p, v in table.items()}
    if "label" in points.dtype.names:
        label = _column(points["label"], points.dtype["label"])
    else:
        label = np.array([",".join("%s=%s" % (p, _short(table[p][i])) for p in cols)
                          for i in range(P)], dtype=str)
    coords["label"] = (("point",), label, {})
    coords["point"] = (("point",), np.arange(P), {})
    return _Grid(["point"], [P], coords)


def _described(d):
    for k in ("description", "units"):
        if k in d.attrs:
            yield k, _text(d.attrs[k])


class _Results(BackendArray):
    """One metric of every mechanism, [mechanism, *grid, replication
    (, checkpoint)], read from the file only when indexed; tasks not done
    read as NaN, as smab's own readers treat them."""

    def __init__(self, dsets, done, grid, R, C):
        self.dsets, self.done, self.grid = dsets, done, grid
        self.curve = C is not None
        self.shape = (len(dsets), *grid.shape, R) + ((C,) if self.curve else ())
        self.dtype = np.dtype("float64")

    def __getitem__(self, key):
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._read)

    def _read(self, key):
        idx, squeeze = [], []
        for ax, (k, n) in enumerate(zip(key, self.shape)):
            if isinstance(k, (int, np.integer)):
                idx.append(np.array([k]))
                squeeze.append(ax)
            elif isinstance(k, slice):
                idx.append(np.arange(n)[k])
            else:
                idx.append(np.asarray(k))
        ng = len(self.grid.shape)
        mech, gidx, rep = idx[0], idx[1:1 + ng], idx[1 + ng]
        pts = self.grid.points(gidx).reshape(-1)
        chk = idx[2 + ng] if self.curve else None
        out = np.full((len(mech), pts.size, rep.size) + ((chk.size,) if self.curve else ()),
                      np.nan)
        if pts.size and rep.size and (not self.curve or chk.size):
            # One bounding block per mechanism, then pick: h5py's fancy
            # indexing is slow on long index lists.
            p0, p1 = pts.min(), pts.max() + 1
            r0, r1 = rep.min(), rep.max() + 1
            done = self.done[p0:p1, r0:r1][np.ix_(pts - p0, rep - r0)].astype(bool)
            for i, m in enumerate(mech):
                d = self.dsets[int(m)]
                if self.curve:
                    c0, c1 = chk.min(), chk.max() + 1
                    block = d[p0:p1, r0:r1, c0:c1][np.ix_(pts - p0, rep - r0, chk - c0)]
                    block[~done] = np.nan
                else:
                    block = d[p0:p1, r0:r1][np.ix_(pts - p0, rep - r0)]
                    block = np.where(done, block, np.nan)
                out[i] = block
        shape = [len(mech)] + [len(g) for g in gidx] + [rep.size]
        if self.curve:
            shape.append(chk.size)
        out = out.reshape(shape)
        return out.squeeze(axis=tuple(squeeze)) if squeeze else out


def open(path):
    """Open a smab result file as an :class:`xarray.Dataset`.

    Dimensions: ``mechanism``; one per sweep axis when the file records its
    sweep (format 3: a zip group is one dimension, named by its first
    parameter, with each member as a coordinate); otherwise ``point``, with
    every swept parameter and a ``label`` as coordinates; then
    ``replication`` and, for curves, ``checkpoint``, whose coordinate is
    the round numbers when every point shares them (else the checkpoint
    index, with a coordinate ``round`` over the grid and ``checkpoint``).

    One data variable per metric (``regret``) and per curve
    (``regret_curve``), each with the ``description`` and ``units`` the file
    gives it; the file's provenance and configuration (``config``,
    ``smab_version``, ``seed``, ...) are the Dataset's attributes.  Values
    are read only when used, so opening a large file is fast; tasks that
    are not done read as NaN.  Close the Dataset (or use ``with``) to close
    the file.

    Raises :class:`SmabError` (one line) for a file that is not a smab
    result file or whose structure is damaged; ``smab verify`` checks the
    checksums of the values.

    >>> ds = smab.open("results/quick.h5")                     # doctest: +SKIP
    >>> ds.regret.sel(mechanism="ucb").mean("replication")     # doctest: +SKIP
    >>> ds.regret_curve.sel(drift=0.5).mean("replication")     # doctest: +SKIP
    """
    path = os.fspath(path)
    _check(path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        _fail(path, "cannot be opened by HDF5 (%s): a damaged file" % str(e).splitlines()[0])
    try:
        return _build(f, path)
    except SmabError:
        f.close()
        raise
    except (OSError, KeyError, ValueError, TypeError) as e:
        f.close()
        _fail(path, "cannot be read (%s): a damaged file" % str(e).splitlines()[0])


def _build(f, path):
    attrs = root_attrs(f)
    mechs = _names(f, path, "mechanisms")
    metrics = _names(f, path, "metrics")
    done = f.get("tasks/done")
    if not isinstance(done, h5py.Dataset) or done.ndim != 2:
        _fail(path, "not a smab result file (no /tasks/done)")
    P, R = done.shape
    chk = _dataset(f, path, "results/checkpoints", (P, f["results/checkpoints"].shape[1])
                   if isinstance(f.get("results/checkpoints"), h5py.Dataset)
                   and f["results/checkpoints"].ndim == 2 else (P, 0))
    C = chk.shape[1]
    for name, n in (("npoints", P), ("replications", R), ("checkpoints", C)):
        if name in attrs and int(attrs[name]) != n:
            _fail(path, "attribute '%s' is %s but the datasets have %d: a damaged file"
                  % (name, attrs[name], n))
    points = _dataset(f, path, "points", (P,))[()]
    grid = _grid(f, path, attrs, points)
    coords = {"mechanism": ("mechanism", np.array(mechs, dtype=str)),
              "replication": ("replication", np.arange(R))}
    for name, (dims, vals, a) in grid.coords.items():
        coords[name] = xr.Variable(dims, vals, a)
    rounds = chk[()] if C else np.zeros((P, 0), dtype=np.int64)
    if C:
        if (rounds == rounds[:1]).all():
            coords["checkpoint"] = xr.Variable(
                "checkpoint", rounds[0], {"description": "round of each checkpoint",
                                          "units": "rounds"})
        else:
            coords["checkpoint"] = ("checkpoint", np.arange(C))
            coords["round"] = xr.Variable(
                (*grid.dims, "checkpoint"), rounds.reshape(*grid.shape, C),
                {"description": "round of each checkpoint of each point", "units": "rounds"})
    base = ["mechanism", *grid.dims, "replication"]
    done_arr = done[()]
    data = {}
    for m in metrics:
        for curve in (False, True):
            name = m + ("_curve" if curve else "")
            paths = ["results/%s/%s" % (k, name) for k in mechs]
            if curve and (C == 0 or paths[0] not in f):
                continue
            shape = (P, R, C) if curve else (P, R)
            dsets = [_dataset(f, path, "/" + p, shape) for p in paths]
            arr = _Results(dsets, done_arr, grid, R, C if curve else None)
            lazy = indexing.LazilyIndexedArray(arr)
            a = dict(_described(dsets[0]))
            a.setdefault("description", m + (" at each checkpoint" if curve else ""))
            data[name] = xr.Variable(base + (["checkpoint"] if curve else []), lazy, a)
    attrs["source"] = path
    ds = xr.Dataset(data, coords=coords, attrs=attrs)
    ds.set_close(f.close)
    return ds
