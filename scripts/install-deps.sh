#!/usr/bin/env bash
# Install the Debian packages smab needs, or say exactly how to.
#   scripts/install-deps.sh          install what is missing (as root), else print the apt line
#   scripts/install-deps.sh --list   print the package names and exit
set -euo pipefail

PACKAGES=(
	make gcc pkg-config git
	libopenmpi-dev openmpi-bin          # MPI: mpicc, mpirun
	libhdf5-openmpi-dev hdf5-tools      # parallel HDF5, h5dump, h5diff
	libyaml-dev                         # experiment files
	check                               # unit tests
	librandom123-dev                    # counter-based random streams
	libgsl-dev                          # distributions, Student-t quantiles
	libssl-dev                          # SHA-256 of the configuration (libcrypto)
	zlib1g-dev                          # CRC-32 task checksums in result files
	python3-numpy python3-h5py          # benchmark reference, reading results
	procps                              # pgrep, in the kill-and-resume test
	python3-scipy                       # Student-t intervals in scripts/replication-tables.py
	libopenblas-dev liblapacke-dev      # contextual suite: CBLAS and LAPACKE (src/linalg.c)
	slurm-wlm munge                     # a real local SLURM for jobs/ (scripts/slurm-local.sh)
	python3-matplotlib                  # scripts/plot.py
	python3-pandas python3-xarray       # the Python package scripts/smab
	python3-h5netcdf                    # tests: a netCDF reader opens a result file
	python3-pytest                      # tests/python
	python3-pip python3-setuptools      # tests: scripts/ installs with pip, offline
)

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "${PACKAGES[@]}"
	exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "smab needs these Debian packages:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
