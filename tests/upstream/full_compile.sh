#!/usr/bin/env bash
# The C generated from OpenRouter's whole description (tests/upstream builds
# it with the configured compiler) compiled by every C compiler present,
# gcc and clang, with -Wall -Wextra -Werror -pedantic, and its public headers
# as C++17 by g++ and clang++.
#   tests/upstream/full_compile.sh GENERATED_DIR RUNTIME_INCLUDE
set -euo pipefail
gen=$1
inc=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/or-full-cc.XXXXXX")
trap 'rm -rf "$work"' EXIT
ran=0
for cc in gcc clang; do
  command -v "$cc" >/dev/null || { echo "full compile: $cc not installed, skipped"; continue; }
  for src in "$gen"/src/*.c; do
    "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
      -fsyntax-only -I"$gen/include" -I"$inc" "$src"
  done
  echo "full compile: $cc OK"
  ran=$((ran + 1))
done
printf '#include "orfull/orfull.h"\nint main() { orfull_chat_messages m{}; return static_cast<int>(m.kind); }\n' \
  >"$work/use.cpp"
for cxx in g++ clang++; do
  command -v "$cxx" >/dev/null || { echo "full compile: $cxx not installed, skipped"; continue; }
  "$cxx" -std=c++17 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$gen/include" -I"$inc" "$work/use.cpp"
  echo "full compile: $cxx (C++17 headers) OK"
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "full compile: no compiler found" >&2; exit 1; }
