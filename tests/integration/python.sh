# The Python package (scripts/smab) and scripts/plot.py: the pytest tests of
# tests/python, run by Debian's /usr/bin/python3 on result files the built
# smab writes (tests/python/conftest.py), one line per test; a missing
# Python module is a skip that names its Debian package, never a pass.
# Then the package installs with pip, offline, and imports from there.
source "$(dirname "$0")/lib.bash"
PY=/usr/bin/python3
if ! "$PY" -c 'import pytest' 2>/dev/null; then
	echo "skip - the Python tests: python3-pytest not installed"
	echo done
	exit 0
fi
cd "$TMP"
SMAB="$SMAB" PYTHONPATH="$ROOT/scripts" MPLBACKEND=Agg timeout 600 "$PY" -m pytest -q -p no:cacheprovider \
	--junitxml=junit.xml --rootdir="$ROOT/tests/python" "$ROOT/tests/python" \
	>pytest.out 2>&1
rc=$?
"$PY" - junit.xml <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for case in root.iter("testcase"):
    name = "%s::%s" % (case.get("classname", "").split(".")[-1], case.get("name"))
    bad = case.find("failure")
    if bad is None:
        bad = case.find("error")
    skip = case.find("skipped")
    if bad is not None:
        print("not ok - python %s: %s" % (name, (bad.get("message") or "").splitlines()[0][:200]
                                          if bad.get("message") else "failed"))
    elif skip is not None:
        print("skip - python %s: %s" % (name, (skip.get("message") or "skipped").splitlines()[0]))
    else:
        print("ok - python %s" % name)
PY
check "pytest ran to the end (exit $rc)" test "$rc" -eq 0 -o "$rc" -eq 1
[ "$rc" -le 1 ] || sed 's/^/    /' pytest.out | tail -30

# The package installs without the network, and the installed copy works.
if "$PY" -m pip --version >/dev/null 2>&1; then
	# from a copy: a build leaves build/ and *.egg-info beside the sources
	mkdir src && cp -r "$ROOT/scripts/pyproject.toml" "$ROOT/scripts/smab" src/ && rm -rf src/smab/__pycache__
	"$PY" -m pip install -q --no-build-isolation --no-deps --no-index --target inst \
		./src >pip.out 2>&1
	check "pip installs scripts/ offline" test $? -eq 0
	check "the installed smab opens a result file" env -u PYTHONPATH PYTHONPATH="$TMP/inst" \
		"$PY" -c "import smab, sys; sys.exit(0 if smab.__file__.startswith('$TMP/inst') else 1)"
else
	echo "skip - pip install of scripts/: python3-pip not installed"
fi
echo done
