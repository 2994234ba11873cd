# scripts/fetch-movielens.sh without the network: --help, an existing copy
# that checks out, a damaged copy, and an archive that is not the official
# one (through --url file://, so nothing is downloaded).
source "$(dirname "$0")/lib.bash"
fetch="$ROOT/scripts/fetch-movielens.sh"

out=$(bash "$fetch" --help); rc=$?
check "--help exits 0" test $rc -eq 0
grep -q -- '--zip FILE' <<<"$out"; check "--help lists the options" test $? -eq 0
bash "$fetch" --bogus >/dev/null 2>&1
check "an unknown option fails" test $? -ne 0

data=${SMAB_DATA:-}
[ -n "$data" ] || { [ -f "$ROOT/../shared/data/ml-100k/u.data" ] && data="$ROOT/../shared/data/ml-100k"; }
[ -n "$data" ] || data=/work/shared/data/ml-100k
if [ -f "$data/u.data" ]; then
	mkdir -p "$TMP/good"
	ln -s "$(cd "$data" && pwd)" "$TMP/good/ml-100k"
	out=$(bash "$fetch" --dir "$TMP/good" 2>&1); rc=$?
	check "an existing copy checks out" test $rc -eq 0
	grep -q 'may not redistribute' <<<"$out"; check "the license notice is printed" test $? -eq 0
	grep -q "^export SMAB_DATA=" <<<"$out"; check "it says how to set SMAB_DATA" test $? -eq 0
else
	echo "skip - no MovieLens-100k copy here (set SMAB_DATA): existing-copy check"
fi

# A damaged copy: right names, wrong contents (no data set lines needed).
mkdir -p "$TMP/bad/ml-100k"
for f in u.data u.user u.item u.occupation README; do echo x >"$TMP/bad/ml-100k/$f"; done
out=$(bash "$fetch" --dir "$TMP/bad" 2>&1); rc=$?
check "a damaged copy is refused" test $rc -ne 0
grep -q 'u.data has 1 lines, expected 100000' <<<"$out"; check "the refusal says why" test $? -eq 0

# Not the official archive: refused, and nothing is left behind.
echo "not a zip" >"$TMP/fake.zip"
out=$(bash "$fetch" --dir "$TMP/new" --zip "$TMP/fake.zip" 2>&1); rc=$?
check "a wrong archive is refused" test $rc -ne 0
grep -q 'not the official archive' <<<"$out"; check "the refusal names the digest" test $? -eq 0
check "nothing is left in the directory" test -z "$(ls -A "$TMP/new")"
if command -v curl >/dev/null; then
	out=$(bash "$fetch" --dir "$TMP/new" --url "file://$TMP/fake.zip" 2>&1); rc=$?
	check "a download is checked the same way" test $rc -ne 0
	grep -q 'not the official archive' <<<"$out"; check "and refused for its digest" test $? -eq 0
else
	echo "skip - no curl: download check"
fi
echo done
