#!/usr/bin/env bash
# scripts/update-spec fed OpenRouter's whole published description (66
# operations; the key operations carry other operationIds there), in a copy
# of the tree: prints the C API diff against the committed spec/, and the
# spec it produces builds the library (-Werror) whose key-operation suites
# (test_operations, test_pagination) then pass against the stand-in server.
#   tests/upstream/full_description.sh SOURCE_DIR FULL_DESCRIPTION
set -euo pipefail
src=$(cd "$1" && pwd)
full=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
jobs=${OR_FULL_JOBS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/or-full.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "full description test: FAIL: $*" >&2; exit 1; }

copy=$work/tree
mkdir "$copy"
for d in CMakeLists.txt cmake runtime generator templates generated spec scripts tests; do
  cp -a "$src/$d" "$copy/"
done
rm -rf "$copy/tests/contract/node_modules" "$copy"/generator/__pycache__ "$copy"/generator/orgen/__pycache__

echo "== scripts/update-spec $(basename "$full")"
set +e
"$copy/scripts/update-spec" "$full" | tee "$work/diff.txt"
rc=${PIPESTATUS[0]}
set -e
# 1: the whole description of 2026-06-09 predates list's 400; 2 would be a failure.
[ "$rc" -le 1 ] || fail "update-spec exited $rc"
grep -q '^- error status openrouter_list_keys: 400$' "$work/diff.txt" || fail "diff lacks the 400"
[ "$(grep -c '^- ' "$work/diff.txt")" = 1 ] || fail "more than list's 400 was removed"
grep -q '^stale:' "$work/diff.txt" && fail "an overlay action went stale"
[ -f "$copy/spec/upstream/$(basename "$full")" ] || fail "the description was not taken"

echo "== building the library and the key-operation suites from the produced spec"
cmake -S "$copy" -B "$copy/build" -DCMAKE_BUILD_TYPE=Debug -DOPENROUTER_WERROR=ON \
  -DOPENROUTER_BUILD_TOOLS=OFF -DOPENROUTER_INSTALL=OFF >"$work/configure.log" \
  || { cat "$work/configure.log"; fail "configure"; }
cmake --build "$copy/build" -j "$jobs" --target test_operations test_pagination \
  >"$work/build.log" 2>&1 || { tail -50 "$work/build.log"; fail "build"; }
ctest --test-dir "$copy/build" -R '^test_(operations|pagination)$' --output-on-failure \
  || fail "key-operation suites"
echo "full description test: OK"
