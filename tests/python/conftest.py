"""Result files for the Python tests, made once per session with the built
smab ($SMAB, else build/smab of the repository).  Run through
tests/integration/python.sh, or directly:

    SMAB=build/smab PYTHONPATH=scripts /usr/bin/python3 -m pytest tests/python
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
SMAB = os.environ.get("SMAB") or os.path.join(ROOT, "build", "smab")

# A drift sweep with a list, a zip group, a log range and an enum; the
# horizon is swept, so the points have different checkpoint rounds.
DRIFT = """suite: drift
seed: 7
replications: 6
mechanisms: [ucb, ts, greedy]
sweep:
  drift: [0, 0.5]
  zip: {arms: [3, 5], gap: [0.2, 0.1]}
  horizon: {from: 100, to: 1000, num: 3, scale: log}
  noise: [gaussian, bernoulli]
record: 10
"""

# Every coalition of the synthetic instance (no data files needed).
COALITION = """suite: coalition
seed: 9
replications: 4
mechanisms: [linucb, metc]
params: {instance: synthetic, horizon: 200, metc.explore: 40}
sweep:
  coalition: all
record: 4
"""

# One fixed horizon: every point shares its checkpoints.
SHARDED = """suite: drift
seed: 3
replications: 5
mechanisms: [ucb, egreedy, greedy]
params: {horizon: 300}
sweep:
  drift: [0, 0.4, 1.1]
record: 6
"""

# Every mechanism of the suite with the most datasets per file.
WIDE = """suite: contextual
seed: 1
replications: 1
params: {horizon: 20, agents: 3, contexts: 2, dc: 2, da: 2}
record: 2
"""


def smab(*args, check=True):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    r = subprocess.run([SMAB, *args], capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise RuntimeError("smab %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r


def _run(tmp, name, text, *extra):
    y = tmp / (name + ".yaml")
    y.write_text(text)
    out = tmp / (name + ".h5")
    smab("run", str(y), "-o", str(out), "-q", *extra)
    return str(out)


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    if not os.access(SMAB, os.X_OK):
        pytest.skip("no smab binary at %s (build it first)" % SMAB)
    tmp = tmp_path_factory.mktemp("files")
    f = {"drift": _run(tmp, "drift", DRIFT),
         "coalition": _run(tmp, "coalition", COALITION),
         "single": _run(tmp, "single", SHARDED),
         "wide": _run(tmp, "wide", WIDE)}
    y = tmp / "single.yaml"
    shards = []
    for i in range(2):
        out = str(tmp / ("shard%d.h5" % i))
        smab("run", str(y), "-o", out, "-q", "--shard", "%d/2" % i)
        shards.append(out)
    f["shard0"] = shards[0]
    f["merged"] = str(tmp / "merged.h5")
    smab("merge", *shards, "-o", f["merged"])
    f["dir"] = str(tmp)
    return f
