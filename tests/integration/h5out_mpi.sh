# Several ranks writing disjoint tasks into one file through MPI-IO.
source "$(dirname "$0")/lib.bash"
drv="$ROOT/${SMAB_BUILD:-build}/itest/h5out_mpi"
for np in 2 3; do
	out=$(mpirun --oversubscribe -np $np "$drv" "$TMP/w$np.h5" 5 7 2>&1)
	check "h5out_mpi with $np ranks: $out" test $? -eq 0
	check "all 35 tasks done with $np ranks" test "$(ndone "$TMP/w$np.h5")" -eq 35
done
check "2 and 3 writer ranks give identical datasets" same_results "$TMP/w2.h5" "$TMP/w3.h5"
echo done
