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
# completion against the stand-in). Last, the dynamic check (dynamic.py, as
# run.sh's on the key operations): two Prism mocks of the file answering
# with random valid responses (-d); every operation with a JSON success
# body (the others are printed, left out), each request made of the
# description's examples, OR_WHOLE_DYNAMIC_CALLS (default 1000) responses
# per operation through the library (dynamic_client.c) and
# OR_WHOLE_DYNAMIC_CLI_CALLS (default 100) through openrouter-api's JSON
# output (its only one; a recording proxy keeps each body it received):
# 0 failures, each body's warnings (the library's, or openrouter-api's lines
# on stderr) exactly what response_check.py finds, strict mode failing at
# the first, 0 request violations. Each stage prints its time.
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
stage_start=$(date +%s)
stage_done() {
  echo "whole API: $1 took $(( $(date +%s) - stage_start )) s"
  stage_start=$(date +%s)
}

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
  stage_done "the $cc build"
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
stage_done "install"
python3 "$here/whole_api.py" --spec "$spec" --cli "$b/cli/openrouter-api" --prism "$here/node_modules/.bin/prism" \
  --roundtrip "$work/model_roundtrip" --work "$work"
stage_done "whole_api.py (Prism, static)"
OPENROUTER_API_BIN="$b/cli/openrouter-api" OR_API_WHOLE=1 PYTHONDONTWRITEBYTECODE=1 \
  python3 "$root/tests/cli/test_api_cli.py" WholeApiBytes WholeApiStream
stage_done "test_api_cli.py (whole API)"

# dlsym finds operation descriptors by name: every object of the library
# is linked in and exported.
cc -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -g -I"$root/runtime/include" -I"$b/generated/include" \
  -I"$root/runtime/src" "$here/dynamic_client.c" -Wl,--whole-archive "$b/libopenrouter.a" -Wl,--no-whole-archive \
  -rdynamic $(pkg-config --cflags --libs libcurl json-c) -lm -pthread -ldl -o "$work/dynamic_client"
python3 "$here/dynamic.py" --prism "$here/node_modules/.bin/prism" --spec "$spec" --label "$(basename "$spec" .yaml)" \
  --work "$work" --client "$work/dynamic_client" --api-cli "$b/cli/openrouter-api" \
  --calls "${OR_WHOLE_DYNAMIC_CALLS:-1000}" --cli-calls "${OR_WHOLE_DYNAMIC_CLI_CALLS:-100}" \
  || fail "the dynamic check (above)"
stage_done "dynamic.py (Prism -d)"
echo "whole API: OK"
