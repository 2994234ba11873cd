#!/usr/bin/env bash
# Install the Debian packages smab needs, or say exactly how to.
#   scripts/install-deps.sh [GROUP]         install what GROUP lacks (as root), else print the apt line
#   scripts/install-deps.sh --list [GROUP]  print GROUP's package names and exit
# GROUP is one of
#   run   building smab and running experiments (what `make run` installs)
#   test  what `make check` needs on top of run: Check, HDF5 tools, a local SLURM, Python test modules
#   plot  the Python plotting and table scripts under scripts/
#   all   the three (the default, and what `make deps` installs)
set -euo pipefail

RUN=(
	make gcc pkg-config git             # build; git records the commit in result files
	libopenmpi-dev openmpi-bin          # MPI: mpicc, mpirun
	libhdf5-openmpi-dev                 # parallel HDF5 (with its high-level library)
	libyaml-dev                         # experiment files
	librandom123-dev                    # counter-based random streams (headers)
	libgsl-dev                          # distributions, Student-t quantiles
	libopenblas-dev liblapacke-dev      # contextual and coalition suites: CBLAS and LAPACKE
	zlib1g-dev                          # CRC-32 task checksums in result files
	libssl-dev                          # SHA-256 of the configuration (libcrypto)
)
TEST=(
	check                               # unit tests
	hdf5-tools                          # h5dump, h5diff in the integration tests
	procps                              # pgrep in the kill tests
	iproute2                            # network namespaces: the simulated cluster (slurm-local.sh up --nodes N)
	slurm-wlm munge                     # a real local SLURM for jobs/ (scripts/slurm-local.sh)
	python3-pytest python3-numpy python3-h5py python3-pandas python3-xarray
	python3-h5netcdf python3-scipy      # the Python package's tests (tests/python), the benchmark reference
	python3-pip python3-setuptools      # tests: scripts/ installs with pip, offline
)
PLOT=(
	python3-matplotlib python3-numpy python3-h5py python3-pandas python3-xarray
	python3-scipy                       # Student-t intervals in scripts/replication-tables.py
)

list=0
if [ "${1:-}" = "--list" ]; then list=1; shift; fi
group=${1:-all}
case $group in
run)  packages=("${RUN[@]}") ;;
test) packages=("${TEST[@]}") ;;
plot) packages=("${PLOT[@]}") ;;
all)  packages=("${RUN[@]}" "${TEST[@]}" "${PLOT[@]}") ;;
*)    echo "usage: $0 [--list] [run|test|plot|all]" >&2; exit 2 ;;
esac
# Each name once, in order.
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')

if [ $list -eq 1 ]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "smab ($group) needs these Debian packages:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing ($group): ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
