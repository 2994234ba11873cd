#!/usr/bin/env bash
# Download MovieLens-100k for the coalition suite, check it, unzip it.
#   scripts/fetch-movielens.sh [DIR]           into DIR/ml-100k (default data/)
#   scripts/fetch-movielens.sh --dir DIR
#   scripts/fetch-movielens.sh --zip FILE      use an ml-100k.zip fetched by hand
#   scripts/fetch-movielens.sh --url URL       download from a mirror instead
#   scripts/fetch-movielens.sh --help
# The archive must match the SHA-256 of GroupLens's official ml-100k.zip
# (from a mirror too); the unzipped files are then checked by their line
# counts and u.data's SHA-256.  A DIR/ml-100k that already passes those
# checks is left as it is.  Point smab at the result with
#   export SMAB_DATA=$PWD/data/ml-100k
# The data set's license forbids redistribution: never commit DIR (data/ is
# in .gitignore).
set -euo pipefail

URL=https://files.grouplens.org/datasets/movielens/ml-100k.zip
# The official archive: 4,924,029 bytes, MD5 0e33842e24a9c977be4e0107933c0723
# (GroupLens publishes ml-100k.zip.md5); its SHA-256, and u.data's, as
# recorded by several independent projects that pin the download.  The
# u.data digest was also checked against the copy in shared/data here.
ZIP_SHA256=50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229
UDATA_SHA256=06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
	echo "fetch-movielens: $*" >&2
	exit 1
}

dir=data zip= url=$URL
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--dir) [ $# -ge 2 ] || die "--dir needs a directory"; dir=$2; shift 2 ;;
	--dir=*) dir=${1#--dir=}; shift ;;
	--zip) [ $# -ge 2 ] || die "--zip needs a file"; zip=$2; shift 2 ;;
	--zip=*) zip=${1#--zip=}; shift ;;
	--url) [ $# -ge 2 ] || die "--url needs a URL"; url=$2; shift 2 ;;
	--url=*) url=${1#--url=}; shift ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) dir=$1; shift ;;
	esac
done

sha256() {
	if command -v sha256sum >/dev/null; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

# verify DIR/ml-100k: the files smab reads, their line counts, u.data's digest.
verify() {
	local d=$1/ml-100k f want got
	for f in u.data:100000 u.user:943 u.item:1682 u.occupation:21 README:; do
		[ -f "$d/${f%%:*}" ] || { echo "missing $d/${f%%:*}"; return 1; }
		want=${f#*:}
		[ -z "$want" ] && continue
		got=$(wc -l <"$d/${f%%:*}")
		[ "$got" -eq "$want" ] || { echo "$d/${f%%:*} has $got lines, expected $want"; return 1; }
	done
	got=$(sha256 "$d/u.data")
	[ "$got" = "$UDATA_SHA256" ] || { echo "$d/u.data has SHA-256 $got, expected $UDATA_SHA256"; return 1; }
}

license() {
	echo
	echo "MovieLens-100k is GroupLens Research's (University of Minnesota).  From its README:"
	sed -n '/^Neither the University of Minnesota/,/^If you have any further questions/p' \
		"$1/ml-100k/README" | sed '$d' | sed 's/^/  /'
	echo "Cite: F. M. Harper and J. A. Konstan, The MovieLens Datasets: History and"
	echo "Context, ACM TiiS 5(4), 2015.  Keep $1 out of git: do not redistribute it."
}

mkdir -p "$dir"
if [ -d "$dir/ml-100k" ]; then
	if why=$(verify "$dir"); then
		echo "$dir/ml-100k is already there and checks out (line counts, u.data SHA-256)."
		license "$dir"
		echo
		echo "export SMAB_DATA=$(cd "$dir/ml-100k" && pwd)"
		exit 0
	fi
	die "$dir/ml-100k exists but does not check out: $why (remove it to fetch again)"
fi

tmp=$(mktemp -d "$dir/.fetch-movielens.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -n "$zip" ]; then
	[ -f "$zip" ] || die "no such file: $zip"
	cp "$zip" "$tmp/ml-100k.zip"
else
	echo "downloading $url"
	if command -v curl >/dev/null; then
		curl -fsSL --retry 2 --connect-timeout 20 -o "$tmp/ml-100k.zip" "$url" \
			|| die "download failed: $url (fetch the file by hand and pass --zip FILE)"
	elif command -v wget >/dev/null; then
		wget -q -O "$tmp/ml-100k.zip" "$url" \
			|| die "download failed: $url (fetch the file by hand and pass --zip FILE)"
	else
		die "neither curl nor wget is installed (or pass --zip FILE)"
	fi
fi

got=$(sha256 "$tmp/ml-100k.zip")
[ "$got" = "$ZIP_SHA256" ] \
	|| die "ml-100k.zip has SHA-256 $got, expected $ZIP_SHA256 (not the official archive)"

if command -v unzip >/dev/null; then
	unzip -q "$tmp/ml-100k.zip" -d "$tmp/out"
else
	python3 -m zipfile -e "$tmp/ml-100k.zip" "$tmp/out"
fi
[ -d "$tmp/out/ml-100k" ] || die "the archive has no ml-100k/ folder"
why=$(verify "$tmp/out") || die "unzipped files do not check out: $why"
mv "$tmp/out/ml-100k" "$dir/ml-100k"
mv "$tmp/ml-100k.zip" "$dir/ml-100k.zip"
echo "unzipped to $dir/ml-100k (SHA-256 and line counts checked)."
license "$dir"
echo
echo "export SMAB_DATA=$(cd "$dir/ml-100k" && pwd)"
