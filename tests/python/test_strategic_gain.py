"""scripts/strategic-tables.py's exact expected gain of a misreport under
Mechanisms 1 and 2 (mech_gain): against hand-computed cases, and against
the simulator itself, whose dev_gain_cv is the exact expectation in every
replication when the values are point masses (no value noise, and the
control variate removes the step-5 coin)."""

import importlib.util
import math
import os

import pytest

from conftest import ROOT, _run

h5py = pytest.importorskip("h5py", reason="python3-h5py not installed")
pytest.importorskip("yaml", reason="python3-yaml not installed")

_spec = importlib.util.spec_from_file_location(
    "strategic_tables", os.path.join(ROOT, "scripts", "strategic-tables.py"))
st = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(st)

MU = [0.6, 0.5, 0.3]
KW = dict(T=20000, B_set=100, M_set=0.1)


def test_hand_computed():
    # Ranking unchanged: -sigma x B in exploration, B mu ln((mu +- x)/mu)
    # more step-5 rounds' worth.
    assert st.mech_gain(MU, 0, "over", 0.05, **KW) == pytest.approx(-5 + 60 * math.log(0.65 / 0.6), abs=1e-9)
    assert st.mech_gain(MU, 2, "under", 0.05, **KW) == pytest.approx(5 + 30 * math.log(0.25 / 0.3), abs=1e-9)
    # Arm 1 under by 0.15 reports 0.55 < 0.6: arm 2 becomes i* (ask 0.45);
    # arm 1 loses R (0.6 - 0.5) and the bonus 100 * 0.6, gets 100 * 0.6 in
    # the others' step instead, pays 0.15 * 100 less in exploration and has
    # 100 ln(0.45/0.6) fewer step-5 rounds on average; u = -ln 0.3 + 2.1.
    u = -math.log(0.3) + 2.1
    R = math.floor(20000 - (u + 3) * 300)
    want = 15 - R * 0.1 - 60 + 60 + 60 * math.log(0.45 / 0.6)
    assert st.mech_gain(MU, 0, "under", 0.15, **KW) == pytest.approx(want, abs=1e-9)
    # The small-x expansion -B x^2 / (2 mu).
    g = st.mech_gain([0.5, 0.48, 0.46], 0, "over", 0.001, T=10**6, M_set=0.02)
    B = math.floor(2 * 0.1 * 10**4.5 / 0.46)
    assert g == pytest.approx(-B * 0.001**2 / (2 * 0.5), rel=0.01)


CASES = [  # (arm, kind, x): ranking kept, ranking changed, shirking i*
    (1, "over", 0.05), (3, "under", 0.05), (1, "under", 0.15),
    (3, "over", 0.35), (2, "over", 0.15), (1, "shirk", 0.0), (2, "shirk", 0.0),
]


@pytest.mark.parametrize("mech", ["mech2", "mech1"])
def test_simulator_agrees(tmp_path, mech):
    zipped = ", ".join
    text = f"""suite: strategic
seed: 3
replications: 3
mechanisms: [{mech}]
params:
  dist: point
  arms: 3
  means: [0.6, 0.5, 0.3]
  profile: dominant
  horizon: 20000
  mech: {{B: 100, M: 0.1}}
sweep:
  zip: {{deviate.arm: [{zipped(str(c[0]) for c in CASES)}], deviate.kind: [{zipped(c[1] for c in CASES)}], deviate.x: [{zipped(str(c[2]) for c in CASES)}]}}
"""
    path = _run(tmp_path, "gain-" + mech, text)
    with h5py.File(path, "r") as f:
        cv = f["results"][mech]["dev_gain_cv"][()]
        for k, (arm, kind, x) in enumerate(CASES):
            want = st.mech_gain(MU, arm - 1, kind, x, mech2=mech == "mech2", **KW)
            got = cv[k].ravel()
            assert got == pytest.approx([want] * len(got), rel=1e-9, abs=1e-7), (arm, kind, x)
