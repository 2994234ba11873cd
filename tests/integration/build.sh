# Building anywhere: smab builds from explicit variables alone (pkg-config
# unavailable), through h5pcc when pkg-config knows no HDF5, fails in one
# line naming what it tried when nothing is found, and `make install` lays
# out a tree that works from anywhere. Each build is the smab binary alone,
# at -O0, in a directory of its own.
source "$(dirname "$0")/lib.bash"
cd "$ROOT"
# Nothing from the caller's environment (or a make running this test) may
# steer the detection.
for d in MPI HDF5 BLAS LAPACKE GSL YAML CRYPTO ZLIB RANDOM123 CHECK; do
	unset "${d}_CFLAGS" "${d}_LIBS" "${d}_DIR"
done
unset CC MAKEFLAGS MAKELEVEL MFLAGS
mk() { make --no-print-directory -j2 OPT=-O0 "$@"; }
# A tiny experiment on 2 ranks with the binary $1: all 6 tasks done.
tiny() {
	mpirun --oversubscribe -np 2 "$1" run "$ROOT/experiments/quick.yaml" -o "$2" --quiet \
		--set replications=2 --set params.horizon=200 >/dev/null 2>&1 && test "$(ndone "$2")" -eq 6
}
pc() { pkg-config "$@" 2>/dev/null; }

# 1. pkg-config unavailable, every dependency from explicit variables: the
# values this machine's pkg-config and mpicc would give, handed over by hand,
# with a plain compiler and MPI's flags. HDF5's high-level library is not
# named: the build finds it beside libhdf5.
if pc --exists hdf5-openmpi && command -v gcc >/dev/null && mpicc -showme:link >/dev/null 2>&1; then
	vars=(PKG_CONFIG=false CC=gcc
		MPI_CFLAGS="$(mpicc -showme:compile)" MPI_LIBS="$(mpicc -showme:link)"
		HDF5_CFLAGS="$(pc --cflags hdf5-openmpi)" HDF5_LIBS="$(pc --libs hdf5-openmpi)"
		BLAS_CFLAGS="$(pc --cflags openblas)" BLAS_LIBS="$(pc --libs openblas)"
		LAPACKE_CFLAGS="$(pc --cflags lapacke)" LAPACKE_LIBS="$(pc --libs lapacke)"
		GSL_CFLAGS= GSL_LIBS="-lgsl -lgslcblas" YAML_CFLAGS= YAML_LIBS=-lyaml
		CRYPTO_CFLAGS= CRYPTO_LIBS=-lcrypto ZLIB_CFLAGS= ZLIB_LIBS=-lz RANDOM123_CFLAGS=)
	out=$(mk "${vars[@]}" BUILD="$TMP/b1" show-deps 2>&1)
	grep -q '^HDF5 *HDF5_CFLAGS/HDF5_LIBS$' <<<"$out" && grep -q '^MPI *MPI_CFLAGS/MPI_LIBS$' <<<"$out" \
		&& grep -q '^YAML *YAML_CFLAGS/YAML_LIBS$' <<<"$out"
	check "show-deps says every dependency came from its variables" test $? -eq 0
	grep -A2 '^HDF5 ' <<<"$out" | grep -q 'libs:.*-lhdf5_hl'
	check "HDF5's high-level library is found and linked" test $? -eq 0
	mk "${vars[@]}" BUILD="$TMP/b1" "$TMP/b1/smab" >"$TMP/b1.log" 2>&1
	check "PKG_CONFIG=false CC=gcc with explicit *_CFLAGS/*_LIBS builds smab" test -x "$TMP/b1/smab"
	grep -q '^gcc ' "$TMP/b1.log"; check "that build compiled with gcc, not mpicc" test $? -eq 0
	out=$("$TMP/b1/smab" --version); check "the explicit build's smab --version works ($out)" test -n "$out"
	check "the explicit build runs a tiny experiment on 2 ranks" tiny "$TMP/b1/smab" "$TMP/b1.h5"
	# HDF5_DIR alone: include/ and lib/ below it.
	mkdir -p "$TMP/h5dir"
	inc=$(pc --cflags-only-I hdf5-openmpi | tr ' ' '\n' | sed -n 's/^-I//p' | while read -r d; do
		[ -f "$d/H5pubconf.h" ] && echo "$d" && break; done)
	lib=$(pc --libs-only-L hdf5-openmpi | tr ' ' '\n' | sed -n 's/^-L//p' | while read -r d; do
		[ -e "$d/libhdf5.so" ] && echo "$d" && break; done)
	ln -s "$inc" "$TMP/h5dir/include"; ln -s "$lib" "$TMP/h5dir/lib"
	out=$(mk PKG_CONFIG=false HDF5_DIR="$TMP/h5dir" BUILD="$TMP/b1" show-deps 2>&1)
	grep -A2 '^HDF5 ' <<<"$out" | grep -q "libs:.*-lhdf5_hl.*-L$TMP/h5dir/lib"
	check "HDF5_DIR alone gives HDF5 and its high-level library (show-deps)" test $? -eq 0
else
	echo "skip - explicit-variable build: needs pkg-config's hdf5-openmpi, gcc and Open MPI's mpicc here"
fi

# 2. pkg-config knows every dependency but HDF5: HDF5 comes from h5pcc.
if command -v h5pcc >/dev/null; then
	printf '#!/bin/sh\nfor a; do case $a in hdf5*) exit 1;; esac; done\nexec pkg-config "$@"\n' >"$TMP/pc-no-hdf5"
	chmod +x "$TMP/pc-no-hdf5"
	out=$(mk PKG_CONFIG="$TMP/pc-no-hdf5" BUILD="$TMP/b2" show-deps 2>&1)
	grep -q '^HDF5 *h5pcc -show$' <<<"$out"; check "without HDF5 in pkg-config, show-deps names h5pcc -show" test $? -eq 0
	mk PKG_CONFIG="$TMP/pc-no-hdf5" BUILD="$TMP/b2" "$TMP/b2/smab" >"$TMP/b2.log" 2>&1
	check "the h5pcc route builds smab" test -x "$TMP/b2/smab"
	check "the h5pcc build runs a tiny experiment on 2 ranks" tiny "$TMP/b2/smab" "$TMP/b2.h5"
	[ -s "$TMP/b1.h5" ] && { check "the two builds give the same results" same_results "$TMP/b1.h5" "$TMP/b2.h5"; }
else
	echo "skip - h5pcc route: no h5pcc here"
fi

# 3. Nothing findable: pkg-config unavailable, no variables, no h5pcc on the
# PATH. make stops before compiling anything, in one line naming what it tried.
mkdir -p "$TMP/bin"
(cd /usr/bin && ls | grep -Ev '^h5(pcc|cc|c\+\+|fc|pfc)' | sed 's|^|/usr/bin/|' | xargs ln -s -t "$TMP/bin")
out=$(PATH="$TMP/bin" mk PKG_CONFIG=false BUILD="$TMP/b3" "$TMP/b3/smab" 2>&1); rc=$?
check "with no HDF5 to be found make fails" test $rc -ne 0
check "in at most 3 lines ($(wc -l <<<"$out"))" test "$(wc -l <<<"$out")" -le 3
grep -q 'no parallel HDF5 found' <<<"$out" && grep -q 'HDF5_DIR' <<<"$out" \
	&& grep -q 'pkg-config hdf5-openmpi' <<<"$out" && grep -q 'h5pcc -show' <<<"$out"
check "naming what it tried: HDF5_DIR, pkg-config, h5pcc ($out)" test $? -eq 0
check "and nothing was compiled" test ! -e "$TMP/b3/src"
out=$(PATH="$TMP/bin" mk PKG_CONFIG=false CC=/nonexistent/mpicc help 2>&1); rc=$?
check "make help still works without any dependency" test $rc -eq 0 -a "${out#*make install}" != "$out"
# A serial HDF5 (its H5pubconf.h without H5_HAVE_PARALLEL) is named as such.
mkdir -p "$TMP/serial/include"
printf '#define H5_HAVE_STDLIB_H 1\n' >"$TMP/serial/include/H5pubconf.h"
out=$(mk HDF5_DIR="$TMP/serial" BUILD="$TMP/b3" "$TMP/b3/smab" 2>&1); rc=$?
check "a serial HDF5 is refused in one line that says serial" \
	test $rc -ne 0 -a "$(wc -l <<<"$out")" -le 3 -a "${out#*is serial}" != "$out"

# 4. make install PREFIX=..., then the installed smab from another directory.
if [ -x "$TMP/b1/smab" ]; then
	build=(BUILD="$TMP/b1" "${vars[@]}")
else
	build=(BUILD="$TMP/b4")
fi
mk "${build[@]}" install PREFIX="$TMP/p" >"$TMP/install.log" 2>&1
check "make install PREFIX=... exits 0" test $? -eq 0
out=$("$TMP/p/bin/smab" --version); check "the installed smab --version works ($out)" test -n "$out"
check "the job templates are in share/smab/jobs" \
	test -f "$TMP/p/share/smab/jobs/run.sbatch" -a -f "$TMP/p/share/smab/jobs/shards.sbatch"
missing=0
for f in scripts/*.py scripts/*.sh; do
	[ -f "$TMP/p/share/smab/$f" ] || { missing=1; echo "# not installed: $f"; }
	[ -x "$f" ] && { [ -x "$TMP/p/share/smab/$f" ] || { missing=1; echo "# not executable: $f"; }; }
done
check "every script is in share/smab/scripts, executable where it is here" test $missing -eq 0
check "the experiments are in share/smab/experiments" test -f "$TMP/p/share/smab/experiments/quick.yaml"
# The installed plot script draws the tiny run's file from another directory.
if [ -s "$TMP/b1.h5" ] && /usr/bin/python3 -c 'import h5py, matplotlib' 2>/dev/null; then
	(cd / && /usr/bin/python3 "$TMP/p/share/smab/scripts/plot.py" "$TMP/b1.h5" -o "$TMP/plots/" >/dev/null 2>&1)
	check "the installed plot.py draws a result file" test -s "$TMP/plots/regret_curve.png"
else
	echo "skip - installed plot.py: no result file or no python3-h5py/python3-matplotlib here"
fi
out=$(cd / && env -u SMAB_JOBS "$TMP/p/bin/smab" submit "$TMP/p/share/smab/experiments/quick.yaml" \
	--dry-run 2>&1); rc=$?
check "the installed smab submit --dry-run, run from /, finds the installed templates" \
	test $rc -eq 0 -a "${out#*#SBATCH}" != "$out"
mk "${build[@]}" install PREFIX=/opt/smab DESTDIR="$TMP/d" >/dev/null 2>&1
check "DESTDIR stages the tree under it" test -x "$TMP/d/opt/smab/bin/smab" -a -f "$TMP/d/opt/smab/share/smab/jobs/run.sbatch"
mk "${build[@]}" uninstall PREFIX="$TMP/p" >/dev/null 2>&1
check "make uninstall removes the binary and share/smab" test ! -e "$TMP/p/bin/smab" -a ! -e "$TMP/p/share/smab"
echo done
