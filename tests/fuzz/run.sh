#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined)
# and runs each for a bounded time from the committed seeds in corpus/.
#   tests/fuzz/run.sh [seconds-per-target] [target...]
# Default 20 s per target. New inputs found go to a scratch directory, never
# into corpus/; a crash, leak or sanitizer report fails the script and
# leaves the reproducer in $OR_FUZZ_DIR (default /tmp/openrouter-fuzz).
# Installs clang (Debian) when missing and run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-20}
shift || true
work=${OR_FUZZ_DIR:-/tmp/openrouter-fuzz}

cc=${CLANG:-}
if [ -z "$cc" ]; then
  for c in clang clang-16 clang-15 clang-14; do
    if command -v "$c" >/dev/null; then cc=$c; break; fi
  done
fi
if [ -z "$cc" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang >/dev/null
  cc=clang
fi
if [ -z "$cc" ]; then
  echo "fuzz: clang not found (install clang and its compiler-rt)" >&2
  exit 1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$here"/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

mkdir -p "$work/obj" "$work/bin"
flags=(-std=c11 -g -O1 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L
       -fno-sanitize-recover=undefined
       -I"$root/runtime/include" -I"$root/generated/include" -I"$root/runtime/src"
       $(pkg-config --cflags json-c libcurl))
libs=($(pkg-config --libs json-c libcurl) -lm -pthread)

# The union-heavy fixture's code (fuzz_union_holder), generated here.
python3 "$root/generator/generate.py" --spec "$root/tests/fixtures/unions.yaml" --out "$work/gen/un" \
  --prefix un --strict
flags+=(-I"$work/gen/un/include")

# The library, instrumented for coverage and sanitizers (no fuzzer main).
objs=()
# cli/csv.c (fuzz_csv) and the helper it uses come along: no main in either.
for src in "$root"/runtime/src/*.c "$root"/generated/src/*.c "$work"/gen/un/src/*.c "$root"/cli/csv.c \
           "$root"/cli/cli_util.c; do
  obj="$work/obj/$(basename "$(dirname "$(dirname "$(dirname "$src")")")")_$(basename "$(dirname "$(dirname "$src")")")_$(basename "$src" .c).o"
  "$cc" "${flags[@]}" -fsanitize=fuzzer-no-link,address,undefined -c "$src" -o "$obj"
  objs+=("$obj")
done

total=0
summary=()
for t in "${targets[@]}"; do
  "$cc" "${flags[@]}" -fsanitize=fuzzer,address,undefined "$here/$t.c" "${objs[@]}" "${libs[@]}" \
    -o "$work/bin/$t"
  seeds="$here/corpus/$t"
  scratch="$work/found/$t"
  mkdir -p "$scratch" "$work/artifacts"
  log="$work/$t.log"
  echo "fuzz: $t for ${seconds}s ($(ls "$seeds" | wc -l) seeds)"
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$work/bin/$t" "$scratch" "$seeds" -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 \
      -timeout=10 -artifact_prefix="$work/artifacts/$t-" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $t FAILED (log $log, reproducer in $work/artifacts/)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  runs=${runs:-0}
  total=$((total + runs))
  summary+=("$(printf '%-28s %10s executions  %s' "$t" "$runs" "$cov")")
done
printf '%s\n' "${summary[@]}"
echo "fuzz: ${#targets[@]} targets, $total executions in total, no crash, leak or UB"
