"""scripts/plot.py: the figure's panels and labels for given flags, read
back from matplotlib; the refusals; PNG, PDF and SVG output."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("h5py", reason="python3-h5py not installed")
pytest.importorskip("xarray", reason="python3-xarray not installed")
mpl = pytest.importorskip("matplotlib", reason="python3-matplotlib not installed")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import smab  # noqa: E402
from smab import plot  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "plot.py")


def fig_for(path, *argv):
    args = plot.parser().parse_args([path, *argv])
    ds = smab.open(path)
    try:
        fig, var = plot.figure(ds, args, path)
    finally:
        ds.close()
    return fig, var


def panels(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def script(*argv):
    """scripts/plot.py as a user runs it: its own process, no PYTHONPATH."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH="")
    return subprocess.run([sys.executable, SCRIPT, *argv], capture_output=True, text=True,
                          env=env)


class Run:
    def __init__(self, returncode, out, err):
        self.returncode, self.stdout, self.stderr = returncode, out, err


@pytest.fixture
def cli(capsys):
    """plot.py's main() in this process (fast): exit status and output."""
    def run(*argv):
        rc = plot.main(list(argv))
        out, err = capsys.readouterr()
        return Run(rc, out, err)
    return run


def lines(ax):
    """The labelled lines of a panel: plain lines and the data lines of
    error-bar plots (not their caps), by label."""
    out = {c.get_label(): c.lines[0] for c in ax.containers if hasattr(c, "has_xerr")}
    out.update({ln.get_label(): ln for ln in ax.get_lines()
                if not ln.get_label().startswith("_")})
    return out


def test_facets_and_labels(files):
    fig, var = fig_for(files["drift"], "--metric", "regret", "--x", "horizon", "--col",
                       "arms", "--row", "drift", "--select", "noise=bernoulli", "--logx",
                       "--logy")
    assert var == "regret"
    axes = panels(fig)
    assert len(axes) == 4                      # 2 drifts x 2 arm counts
    assert [ax.get_title() for ax in axes] == ["drift=0, arms=3", "drift=0, arms=5",
                                               "drift=0.5, arms=3", "drift=0.5, arms=5"]
    assert axes[2].get_xlabel() == "horizon" and axes[0].get_ylabel() == "regret (reward)"
    assert axes[0].get_xscale() == "log" and axes[0].get_yscale() == "log"
    # one line per mechanism, x at the three horizons
    ls = lines(axes[0])
    assert list(ls) == ["ucb", "ts", "greedy"]
    assert list(ls["ucb"].get_xdata()) == [100, 316, 1000]
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["ucb", "ts", "greedy"]
    title = fig._suptitle.get_text()
    assert "cumulative pseudo-regret" in title and "noise=bernoulli" in title
    # the plotted means are the summary's
    s = smab.summary(smab.open(files["drift"]), "regret")
    want = s["mean"].sel(mechanism="ucb", drift=0, arms=3, noise="bernoulli").values
    assert list(ls["ucb"].get_ydata()) == list(want)
    plt.close(fig)


def test_defaults(files):
    # x: the first numeric swept axis; hue: mechanism; facets: the rest
    fig, var = fig_for(files["drift"], "--select", "noise=gaussian")
    axes = panels(fig)
    assert var == "regret" and len(axes) == 6          # arms (2) x horizon (3)
    assert axes[-1].get_xlabel() == "drift"
    plt.close(fig)
    # one sweep axis: one panel
    fig, _ = fig_for(files["single"])
    assert len(panels(fig)) == 1 and panels(fig)[0].get_xlabel() == "drift"
    plt.close(fig)


def test_curves(files):
    fig, var = fig_for(files["single"], "--curve", "--col", "drift", "--mechanisms",
                       "ucb,greedy")
    axes = panels(fig)
    assert var == "regret_curve" and len(axes) == 3
    assert axes[0].get_xlabel() == "round"
    assert list(axes[0].get_lines()[0].get_xdata()) == [50, 100, 150, 200, 250, 300]
    assert len(axes[0].collections) == 2              # a CI band per mechanism
    plt.close(fig)
    # points with their own rounds: each line on its own horizon
    fig, _ = fig_for(files["drift"], "--curve", "--select", "noise=gaussian",
                     "--select", "drift=0", "--col", "horizon", "--row", "arms")
    xs = [ax.get_lines()[0].get_xdata()[-1] for ax in panels(fig)]
    assert xs == [100, 316, 1000, 100, 316, 1000]
    plt.close(fig)


def test_coalition_scatter(files):
    fig, _ = fig_for(files["coalition"], "--coalition")
    axes = panels(fig)
    assert [ax.get_title() for ax in axes] == ["linucb", "metc"]
    assert axes[0].get_xlabel() == "Shapley value"
    t = smab.coalition(files["coalition"])["shapley"].query("mechanism == 'linucb'")
    xs = [ln.get_xdata()[0] for k, ln in lines(axes[0]).items() if k != "payout = Shapley"]
    assert sorted(xs) == sorted(t["mean"])
    # the legend names the agents from 1, as smab shapley does
    assert sorted(k for k in lines(axes[0]) if k != "payout = Shapley") == ["1", "2", "3", "4", "5"]
    plt.close(fig)


def test_too_many_panels_is_refused(files, tmp_path, cli):
    # 2 x 2 x 3 x 2 values: more than 12 panels would be needed
    r = script(files["drift"], "--x", "drift", "--col", "horizon", "-o", str(tmp_path / "x.png"))
    assert r.returncode == 2 and "--select" in r.stderr and len(r.stderr.splitlines()) == 1
    r = cli(files["drift"], "--max-panels", "4", "--select", "noise=gaussian",
            "-o", str(tmp_path / "x.png"))
    assert r.returncode == 2
    assert r.stderr.startswith("plot.py: 6 panels (arms: 2 x horizon: 3) is more than 4: "
                               "pick values with --select")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("argv,msg", [
    (["--metric", "nope"], "unknown metric 'nope'"),
    (["--select", "drift=0.3"], "drift has no value 0.3"),
    (["--col", "K"], "unknown name 'K'"),
    (["--x", "arms", "--col", "gap"], "vary together"),
    (["--mechanisms", "exp3"], "unknown mechanism 'exp3'"),
    (["--metric", "compensated", "--curve"], "has no curve"),
])
def test_bad_flags_are_one_line(files, tmp_path, argv, msg, cli):
    r = cli(files["drift"], *argv, "-o", str(tmp_path / "x.png"))
    assert r.returncode == 2 and msg in r.stderr and len(r.stderr.splitlines()) == 1


def test_not_a_result_file(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("hello\n")
    r = script(str(bad), "-o", str(tmp_path / "x.png"))
    assert r.returncode == 2 and r.stderr.startswith("plot.py: %s: not an HDF5 file" % bad)
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("ext,magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                       ("svg", b"<?xml")])
def test_formats(files, tmp_path, ext, magic, cli):
    out = tmp_path / ("fig." + ext)
    r = cli(files["single"], "--metric", "regret", "-o", str(out))
    assert r.returncode == 0 and r.stdout.strip() == str(out)
    assert out.read_bytes()[:len(magic)] == magic and out.stat().st_size > 5000


def test_directory_of_figures(files, tmp_path, cli):
    out = tmp_path / "plots"
    r = cli(files["single"], "-o", str(out) + "/")
    names = sorted(os.listdir(out))
    assert r.returncode == 0
    assert names == ["compensated.png", "compensation.png", "compensation_curve.png",
                     "est_error.png", "regret.png", "regret_curve.png"]
    assert sorted(os.path.basename(x) for x in r.stdout.split()) == names
    r = cli(files["coalition"], "-o", str(tmp_path / "c") + "/")
    assert "coalition.png" in os.listdir(tmp_path / "c")
