"""smab.open, smab.summary, smab.paired against the file and the C tools."""

import csv
import io
import shutil

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="python3-h5py not installed")
xr = pytest.importorskip("xarray", reason="python3-xarray not installed")
import smab  # noqa: E402
from conftest import smab as run_smab  # noqa: E402

MECHS = ["ucb", "ts", "greedy"]


def raw(path, name):
    """Dataset 'name' of the file, NaN where the task is not done."""
    with h5py.File(path, "r") as f:
        x = f[name][()]
        done = f["tasks/done"][()].astype(bool)
    x[~done] = np.nan
    return x


def test_grid_dims_and_coords(files):
    ds = smab.open(files["drift"])
    assert ds["regret"].dims == ("mechanism", "drift", "arms", "horizon", "noise",
                                 "replication")
    assert ds["regret_curve"].dims == ds["regret"].dims + ("checkpoint",)
    assert ds.sizes == {"mechanism": 3, "drift": 2, "arms": 2, "horizon": 3, "noise": 2,
                        "replication": 6, "checkpoint": 10}
    assert list(ds["mechanism"].values) == MECHS
    assert list(ds["drift"].values) == [0.0, 0.5]
    assert ds["arms"].dtype == np.int64 and list(ds["arms"].values) == [3, 5]
    # the zip group: one dimension, both members as coordinates
    assert ds["gap"].dims == ("arms",) and list(ds["gap"].values) == [0.2, 0.1]
    assert ds["horizon"].dtype == np.int64 and list(ds["horizon"].values) == [100, 316, 1000]
    assert list(ds["noise"].values) == ["gaussian", "bernoulli"]
    # swept horizon: checkpoint rounds per point, the last one the horizon
    assert ds["round"].dims == ("drift", "arms", "horizon", "noise", "checkpoint")
    assert (ds["round"].isel(checkpoint=-1) == ds["horizon"]).all()
    assert ds.attrs["suite"] == "drift" and ds.attrs["format"] == 3
    assert "sweep:" in ds.attrs["config_text"]
    ds.close()


def test_values_equal_the_file(files):
    path = files["drift"]
    ds = smab.open(path)
    with h5py.File(path, "r") as f:
        pts = f["points"][()]
        rounds = f["results/checkpoints"][()]
    assert ds.sizes["drift"] * ds.sizes["arms"] * ds.sizes["horizon"] * ds.sizes["noise"] == len(pts)
    for k, m in enumerate(MECHS):
        for name in ("regret", "est_error", "regret_curve"):
            want = raw(path, "results/%s/%s" % (m, name))
            got = ds[name].sel(mechanism=m).values
            np.testing.assert_array_equal(got.reshape(want.shape), want)
    # point by point: the coordinates of a cell are the /points row
    for p in (0, 7, 23):
        row = pts[p]
        cell = ds["regret"].sel(mechanism="ts", drift=row["drift"], arms=row["arms"],
                                horizon=row["horizon"], noise=row["noise"].decode())
        np.testing.assert_array_equal(cell.values, raw(path, "results/ts/regret")[p])
        assert float(ds["gap"].sel(arms=row["arms"])) == row["gap"]
        got = ds["round"].sel(drift=row["drift"], arms=row["arms"], horizon=row["horizon"],
                              noise=row["noise"].decode()).values
        np.testing.assert_array_equal(got, rounds[p])
    # lazily indexed selections read the same values as whole reads
    sub = ds["regret_curve"].isel(mechanism=[2, 0], horizon=slice(1, None),
                                  replication=[4, 1], checkpoint=-1).values
    full = ds["regret_curve"].values[[2, 0]][:, :, :, 1:][..., [4, 1], -1]
    np.testing.assert_array_equal(sub, full)
    ds.close()


def compare_summary(got, rows):
    np.testing.assert_array_equal(got["n"].values, rows["n"])
    for k in ("mean", "sd", "ci_lo", "ci_hi"):
        np.testing.assert_allclose(got[k].values, rows[k], rtol=1e-12, atol=1e-12,
                                   equal_nan=True, err_msg=k)


@pytest.mark.parametrize("metric", ["regret", "compensation", "est_error", "regret_curve"])
def test_summary_equals_file(files, metric):
    path = files["drift"]
    ds = smab.open(path)
    s = smab.summary(ds, metric)
    assert "replication" not in s.dims
    assert s.attrs["level"] == 0.95
    with h5py.File(path, "r") as f:
        for m in MECHS:
            rows = f["summary/%s/%s" % (m, metric)][()]
            got = s.sel(mechanism=m)
            shape = rows.shape
            compare_summary(got.stack(p=[d for d in got.dims if d != "checkpoint"])
                            .transpose("p", ...) if len(shape) == 2 else
                            got.stack(p=list(got.dims)), rows)
    ds.close()


def cli_paired(path, metric, vs):
    out = run_smab("summary", path, "--metric", metric, "--vs", vs, "--csv").stdout
    rows = {}
    for r in csv.DictReader(io.StringIO(out)):
        rows.setdefault(r["mechanism"], []).append(r)
    return rows


def test_paired_equals_smab_summary_vs(files):
    path = files["drift"]
    ds = smab.open(path)
    d = smab.paired(ds, "regret", vs="greedy")
    assert list(d["mechanism"].values) == ["ucb", "ts"] and d.attrs["vs"] == "greedy"
    cli = cli_paired(path, "regret", "greedy")
    for m in ("ucb", "ts"):
        rows = cli[m + "-greedy"]
        got = d.sel(mechanism=m).stack(p=["drift", "arms", "horizon", "noise"])
        want = {k: np.array([float(r[k]) for r in rows]) for k in ("n", "mean", "sd", "ci_lo", "ci_hi")}
        compare_summary(got, want)
    # and the mechanisms themselves equal the CLI's plain rows
    s = smab.summary(ds, "regret")
    rows = cli["ucb"]
    compare_summary(s.sel(mechanism="ucb").stack(p=["drift", "arms", "horizon", "noise"]),
                    {k: np.array([float(r[k]) for r in rows])
                     for k in ("n", "mean", "sd", "ci_lo", "ci_hi")})
    ds.close()


def test_summary_level_and_errors(files):
    ds = smab.open(files["drift"])
    wide = smab.summary(ds, "regret", level=0.99)
    narrow = smab.summary(ds, "regret")
    assert (wide["ci_hi"] - wide["ci_lo"] > narrow["ci_hi"] - narrow["ci_lo"]).all()
    with pytest.raises(ValueError, match="unknown metric 'regrett'.*regret"):
        smab.summary(ds, "regrett")
    with pytest.raises(ValueError, match="unknown mechanism 'egreedy'"):
        smab.paired(ds, "regret", vs="egreedy")
    ds.close()


def test_netcdf_reader_names_the_dims(files):
    pytest.importorskip("h5netcdf", reason="python3-h5netcdf not installed")
    path = files["drift"]
    for g in ("results/ucb", "results/greedy"):
        nc = xr.open_dataset(path, group=g, engine="h5netcdf")
        assert nc["regret"].dims == ("point", "replication")
        assert nc["regret_curve"].dims == ("point", "replication", "checkpoint")
        assert nc["regret"].attrs["units"] == "reward"
        assert nc["regret"].attrs["description"].startswith("cumulative pseudo-regret")
        np.testing.assert_array_equal(nc["regret"].values, raw(path, g + "/regret"))
        nc.close()
    sweep = xr.open_dataset(path, group="sweep", engine="h5netcdf")
    assert sweep["gap"].dims == ("arms",) and list(sweep["horizon"].values) == [100, 316, 1000]
    sweep.close()
    nc = xr.open_dataset(path, group="tasks", engine="h5netcdf")
    assert nc["done"].dims == ("point", "replication") and nc.sizes["point"] == 24
    nc.close()
    # one horizon: the checkpoint scale holds the rounds themselves
    with h5py.File(files["single"], "r") as f:
        assert list(f["checkpoint"][()]) == [50, 100, 150, 200, 250, 300]
        assert f["checkpoint"].attrs["units"] == "rounds"
    with h5py.File(path, "r") as f:
        assert list(f["checkpoint"][()]) == list(range(10))


def test_every_dataset_is_described(files):
    seen = []
    with h5py.File(files["drift"], "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                seen.append(name)
                d = obj.attrs.get("description")
                assert isinstance(d, str) and d, name
        f.visititems(visit)
        assert f["results/ucb/compensated"].attrs["units"] == "rounds"
        assert f["results/ucb/est_error"].attrs["units"] == "fraction"
        assert f["tasks/seconds"].attrs["units"] == "seconds"
        assert f["sweep/drift"].attrs["description"].startswith("drift coefficient")
        assert f.attrs["smab_version"] and isinstance(f.attrs["suite"], str)
    assert "summary/ts/regret_curve" in seen and "points" in seen


def test_points_have_real_types_and_labels(files):
    with h5py.File(files["drift"], "r") as f:
        p = f["points"][()]
        assert p.dtype["arms"] == np.int64 and p.dtype["horizon"] == np.int64
        assert p.dtype["drift"] == np.float64 and p.dtype["noise"].kind == "S"
        assert p["label"][1].decode() == "drift=0,arms=3,gap=0.2,horizon=100,noise=bernoulli"
        assert f.attrs["sweep_axes"] == "drift,arms,horizon,noise"
        assert list(f.attrs["sweep_shape"]) == [2, 2, 3, 2]
        assert f.attrs["sweep_params"] == "drift,arms,gap,horizon,noise"
        assert list(f.attrs["sweep_axis"]) == [0, 1, 1, 2, 3]


def test_scales_fit_the_widest_layout(files):
    # contextual, all 10 mechanisms: the most datasets along 'point' of any
    # suite; every one attached, within HDF5's 64 KiB attribute
    with h5py.File(files["wide"], "r") as f:
        refs = f["point"].attrs["REFERENCE_LIST"]
        n = []
        f.visititems(lambda k, o: n.append(k) if isinstance(o, h5py.Dataset)
                     and "DIMENSION_LIST" in o.attrs and k.split("/")[0] != "sweep" else None)
        assert len(refs) == len(n) > 400
    ds = smab.open(files["wide"])
    assert ds.sizes["mechanism"] == 10 and "point" not in ds.dims
    ds.close()


def test_merged_equals_single_run(files):
    a, b = smab.open(files["single"]), smab.open(files["merged"])
    assert a["regret"].dims == ("mechanism", "drift", "replication")
    assert list(a["checkpoint"].values) == [50, 100, 150, 200, 250, 300]
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values)
    with h5py.File(files["merged"], "r") as f:
        rows = f["summary/egreedy/regret"][()]
    compare_summary(smab.summary(b, "regret").sel(mechanism="egreedy"), rows)
    a.close()
    b.close()


def test_shard_reads_missing_tasks_as_nan(files):
    ds = smab.open(files["shard0"])
    with h5py.File(files["shard0"], "r") as f:
        done = f["tasks/done"][()]
    x = ds["regret"].sel(mechanism="ucb").values
    assert np.isnan(x).sum() == (done == 0).sum() > 0
    s = smab.summary(ds, "regret")
    np.testing.assert_array_equal(s["n"].sel(mechanism="ucb").values, done.sum(axis=1))
    ds.close()


def test_open_reads_no_results(files, monkeypatch):
    read = []
    orig = h5py.Dataset.__getitem__

    def spy(self, key):
        read.append(self.name)
        return orig(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    ds = smab.open(files["drift"])
    assert not [n for n in read if n.startswith(("/results/u", "/results/t", "/results/g",
                                                  "/summary"))], read
    ds["regret"].sel(mechanism="ts", drift=0.5).values
    assert "/results/ts/regret" in read and "/results/ucb/regret" not in read
    ds.close()


def test_format2_file_keeps_point(files, tmp_path):
    # a file of smab 0.2 (format 2): no sweep structure, so 'point' with the
    # swept parameters (enums by name) and a label as coordinates
    import format2
    path = str(tmp_path / "old.h5")
    shutil.copy(files["drift"], path)
    format2.rewrite(path)
    ds = smab.open(path)
    assert ds.attrs["format"] == 2 and isinstance(ds.attrs["suite"], str)
    assert ds["regret"].dims == ("mechanism", "point", "replication")
    assert ds["arms"].dims == ("point",) and list(ds["horizon"].values[:3]) == [100, 100, 316]
    assert list(ds["noise"].values[:2]) == ["gaussian", "bernoulli"]
    assert ds["label"].values[1] == "drift=0,arms=3,gap=0.2,horizon=100,noise=bernoulli"
    np.testing.assert_array_equal(ds["regret"].sel(mechanism="ts").values,
                                  raw(path, "results/ts/regret"))
    with h5py.File(path, "r") as f:
        compare_summary(smab.summary(ds, "regret").sel(mechanism="ucb"),
                        f["summary/ucb/regret"][()])
    ds.close()


@pytest.mark.parametrize("case", ["missing", "text", "plain-hdf5", "no-results",
                                  "bad-shape", "bad-sweep"])
def test_bad_files_give_one_line(files, tmp_path, case):
    path = str(tmp_path / (case + ".h5"))
    if case == "text":
        open(path, "w").write("not hdf5\n")
    elif case == "plain-hdf5":
        with h5py.File(path, "w") as f:
            f["x"] = [1, 2]
    elif case != "missing":
        shutil.copy(files["drift"], path)
        with h5py.File(path, "r+") as f:
            if case == "no-results":
                del f["results/ts/regret"]
            elif case == "bad-shape":
                f.attrs["replications"] = np.int64(7)
            else:
                f.attrs["sweep_shape"] = np.array([2, 2, 3, 3], dtype=np.int64)
    with pytest.raises(smab.SmabError) as e:
        smab.open(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(path + ": ")
    assert isinstance(e.value, ValueError)
