# House rules that a reviewer would otherwise have to remember.
source "$(dirname "$0")/lib.bash"
cd "$ROOT"
mpi_files=$(grep -lE '\bMPI_[A-Za-z_]+\(' src/*.c src/*/*.c 2>/dev/null | sort | tr '\n' ' ')
check "only src/par.c and src/h5out.c call MPI (found: $mpi_files)" \
	test "$mpi_files" = "src/h5out.c src/par.c "
check "main.c stays one call" test "$(grep -c 'smab_main' src/main.c)" -eq 1
# A clean rebuild of the library and the command with the strict flags.
out=$(make -B --no-print-directory BUILD="$TMP/build" "$TMP/build/smab" 2>&1)
check "the build succeeds" test $? -eq 0
# Compiler warnings only: under 'make -jN check' the nested make adds its own
# "make[1]: warning: jobserver unavailable", which says nothing of the code.
n=$(grep -v '^make' <<<"$out" | grep -c 'warning:')
check "the build is warning-free under -Wall -Wextra -Wshadow -Wconversion ($n warnings)" test "$n" -eq 0
[ "$n" -eq 0 ] || grep -v '^make' <<<"$out" | grep 'warning:' | head -5 | sed 's/^/    /'
git ls-files | grep -qE '(^|/)(u\.data|u\.user|u\.item)$|\.(h5|o|a|so)$'
check "no data or build outputs are tracked" test $? -ne 0
echo done
