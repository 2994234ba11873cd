"""smab.coalition and smab.open on a coalition run (synthetic instance)."""

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="python3-h5py not installed")
pd = pytest.importorskip("pandas", reason="python3-pandas not installed")
pytest.importorskip("xarray", reason="python3-xarray not installed")
import smab  # noqa: E402

STATS = ["n", "mean", "sd", "ci_lo", "ci_hi"]


def test_tables_equal_the_file(files):
    path = files["coalition"]
    t = smab.coalition(path)
    assert set(t) == {"shapley", "payout", "regret", "value", "checks", "assumption3"}
    with h5py.File(path, "r") as f:
        g = f["coalition"]
        masks = g["masks"][()]
        for m in ("linucb", "metc"):
            for name in ("shapley", "payout"):
                df = t[name].query("mechanism == @m")
                assert list(df["agent"]) == ["1", "2", "3", "4", "5"]
                assert list(df["number"]) == [1, 2, 3, 4, 5]
                rows = g[m][name][0]
                for s in STATS:
                    np.testing.assert_array_equal(df[s].to_numpy(), rows[s])
            val = t["value"].query("mechanism == @m")
            np.testing.assert_array_equal(val["mask"].to_numpy(), masks)
            np.testing.assert_array_equal(val["mean"].to_numpy(), g[m]["value"][0]["mean"])
            chk = t["checks"].query("mechanism == @m").iloc[0]
            assert chk["a3_violations"] == g[m]["checks"][0]["a3_violations"]
            # every coalition ran: Q against Q minus one other agent, the
            # M (M - 1) 2^(M - 2) = 160 pairs of M = 5 agents
            assert chk["a3_rule"] == 0 and chk["a3_checked"] == 160
            a3 = t["assumption3"].query("mechanism == @m")
            assert len(a3) == len(g[m]["assumption3"])
            # the file's agent field counts from 1 and names the same agent
            assert (a3["number"] >= 1).all() and (a3["number"] <= 5).all()
            assert list(a3["agent"]) == [str(k) for k in a3["number"]]
    # a member's regret only, named: coalition {1,2} (mask 3) has agents 1 and 2
    r = t["regret"].query("mechanism == 'linucb' and mask == 3")
    assert list(r["agent"]) == ["1", "2"] and set(r["coalition"]) == {"{1,2}"}


def test_shapley_is_efficient(files):
    # the Shapley values of a game add up to the grand coalition's value
    t = smab.coalition(files["coalition"])
    for m in ("linucb", "metc"):
        phi = t["shapley"].query("mechanism == @m")["mean"].sum()
        v = t["value"].query("mechanism == @m and mask == 31")["mean"].iloc[0]
        assert abs(phi - v) < 1e-9 * max(1.0, abs(v))


def test_open_coalition_run(files):
    ds = smab.open(files["coalition"])
    assert ds["regret"].dims == ("mechanism", "coalition", "replication")
    assert ds.sizes["coalition"] == 31 and ds["coalition"].dtype == np.int64
    assert ds.attrs["agents"] == "1,2,3,4,5"
    # an agent outside the coalition has no regret
    x = ds["regret_a4"].sel(mechanism="linucb", coalition=1).values
    assert np.isnan(x).all()
    ds.close()


def test_no_tables_is_one_line(files):
    with pytest.raises(smab.SmabError, match=r"no /coalition tables") as e:
        smab.coalition(files["drift"])
    assert "\n" not in str(e.value)
