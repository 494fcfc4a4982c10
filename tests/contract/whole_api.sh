#!/usr/bin/env bash
# The whole API, as a user builds it: cmake -DOPENROUTER_SPEC= OpenRouter's
# whole published description (2026-06-09, unedited) with -Wall -Wextra
# -Werror -pedantic under gcc and clang; the report must say 66 of 66
# operations generated, 0 skipped; `cmake --install` puts the library, its
# headers and openrouter-api in a prefix. Then, with the gcc build:
# whole_api.py (every operation sent by openrouter-api to Stoplight Prism
# serving the file, 0 request violations; every JSON response example decoded
# into its typed model and encoded again) and the whole-API half of
# tests/cli/test_api_cli.py (audio and video bytes, a streamed chat
# completion against the stand-in).
#   tests/contract/whole_api.sh [build-dir-prefix]   (default build-whole: build-whole-gcc, -clang)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
spec=${OR_FULL_SPEC:-$root/../shared/reference/openrouter-full.upstream-2026-06-09.yaml}
spec=$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")
builds=${1:-build-whole}
jobs=${OR_WHOLE_JOBS:-2}
work=$(mktemp -d /tmp/openrouter-whole.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "whole API: FAIL: $*" >&2; exit 1; }

if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null
fi
command -v npm >/dev/null || fail "npm not found (install nodejs and npm)"
[ -x "$here/node_modules/.bin/prism" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

ran=0
for cc in gcc clang; do
  command -v "$cc" >/dev/null || { echo "whole API: $cc not installed, skipped"; continue; }
  b=$root/$builds-$cc
  cmake -S "$root" -B "$b" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$cc" -DOPENROUTER_SPEC="$spec" \
    -DOPENROUTER_WERROR=ON -DCMAKE_C_FLAGS="-pedantic" >"$work/configure-$cc.log" \
    || { cat "$work/configure-$cc.log"; fail "configure with $cc"; }
  cmake --build "$b" -j "$jobs" >"$work/build-$cc.log" 2>&1 || { tail -40 "$work/build-$cc.log"; fail "build with $cc"; }
  head -8 "$b/generated/GENERATION_REPORT.md" | grep -q '^66 operations generated, 0 skipped;' \
    || fail "$cc build: $(grep -m1 'operations generated' "$b/generated/GENERATION_REPORT.md")"
  echo "whole API: $cc -Wall -Wextra -Werror -pedantic: $(grep -m1 'operations generated' "$b/generated/GENERATION_REPORT.md")" \
       "libopenrouter.so $(stat -c %s "$b"/libopenrouter.so.*.*.*) bytes, libopenrouter.a $(stat -c %s "$b/libopenrouter.a") bytes"
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || fail "no compiler found"
b=$root/$builds-gcc
[ -d "$b" ] || b=$root/$builds-clang

cmake --install "$b" --prefix "$work/prefix" >/dev/null
for f in bin/openrouter-api include/openrouter/openrouter.h include/openrouter/operations.h; do
  [ -e "$work/prefix/$f" ] || fail "cmake --install left out $f"
done
[ "$("$work/prefix/bin/openrouter-api" --list | wc -l)" = 66 ] || fail "the installed openrouter-api does not list 66 operations"
[ ! -e "$work/prefix/bin/openrouter-keys" ] || fail "openrouter-keys installed with another description"

cc -std=c11 -Wall -Wextra -Werror -g -I"$root/runtime/include" -I"$b/generated/include" \
  "$here/model_roundtrip.c" "$b/libopenrouter.a" $(pkg-config --cflags --libs libcurl json-c) -lm -pthread \
  -o "$work/model_roundtrip"
python3 "$here/whole_api.py" --spec "$spec" --cli "$b/cli/openrouter-api" --prism "$here/node_modules/.bin/prism" \
  --roundtrip "$work/model_roundtrip" --work "$work"
OPENROUTER_API_BIN="$b/cli/openrouter-api" OR_API_WHOLE=1 PYTHONDONTWRITEBYTECODE=1 \
  python3 "$root/tests/cli/test_api_cli.py" WholeApiBytes WholeApiStream
echo "whole API: OK"
