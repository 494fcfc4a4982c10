#!/usr/bin/env bash
# Installs a built openrouter-c tree into a temporary prefix and uses it the
# ways a consumer would:
#   1. checks the installed files (headers, libraries, SONAME, CMake
#      package, pkg-config file, tools);
#   2. starts the installed stand-in server (bin/openrouter-stub-server);
#   3. builds tests/install/consumer with find_package(OpenRouter CONFIG)
#      and runs it, shared and static;
#   4. builds the same program with pkg-config only (consumer/Makefile),
#      shared and static (pkg-config --static), and runs it;
#   5. runs the installed openrouter-keys against the server, with no
#      library path in the environment, also from a moved copy of the
#      prefix (its RPATH is $ORIGIN-relative);
#   6. builds the consumer with FetchContent(SOURCE_DIR=<this checkout>)
#      and runs it (skip with OR_INSTALL_SKIP_FETCHCONTENT=1).
#
#   tests/install/run.sh SOURCE_DIR BUILD_DIR
# BUILD_DIR must be configured and built (CTest runs this as install_test).
set -euo pipefail
# (No `cmd | grep -q` below: with pipefail, grep exiting early makes cmd
# die of SIGPIPE and the pipeline fail. Here-strings instead.)
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
jobs=${OR_INSTALL_JOBS:-2}

work=$(mktemp -d "${TMPDIR:-/tmp}/or-install.XXXXXX")
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install test: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

version=$(sed -n 's/^#define OPENROUTER_VERSION_STRING "\(.*\)"$/\1/p' "$src/runtime/include/openrouter/client.h")
[ -n "$version" ] || fail "no OPENROUTER_VERSION_STRING in client.h"
IFS=. read -r major minor _ <<<"$version"
if [ "$major" = 0 ]; then soname_ver="$major.$minor"; else soname_ver="$major"; fi

# ---- 1. install and look at what was installed
step "cmake --install into $work/prefix"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
libdir=$(dirname "$(find "$prefix" -name libopenrouter.a -print -quit)")
[ -d "$libdir" ] || fail "no libopenrouter.a installed"
for h in openrouter.h client.h error.h types.h descriptor.h models.h operations.h pagination.h json_c.h; do
  [ -f "$prefix/include/openrouter/$h" ] || fail "header include/openrouter/$h not installed"
done
[ -f "$libdir/libopenrouter.so.$version" ] || fail "libopenrouter.so.$version not installed"
[ -L "$libdir/libopenrouter.so.$soname_ver" ] || fail "SONAME link libopenrouter.so.$soname_ver missing"
[ -L "$libdir/libopenrouter.so" ] || fail "development link libopenrouter.so missing"
soname=$(objdump -p "$libdir/libopenrouter.so.$version" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = "libopenrouter.so.$soname_ver" ] || fail "SONAME is '$soname', want libopenrouter.so.$soname_ver"
for f in OpenRouterConfig.cmake OpenRouterConfigVersion.cmake OpenRouterTargets.cmake; do
  [ -f "$libdir/cmake/OpenRouter/$f" ] || fail "lib/cmake/OpenRouter/$f not installed"
done
[ -f "$libdir/pkgconfig/openrouter.pc" ] || fail "openrouter.pc not installed"
! grep -q "$build\|$src" "$libdir/pkgconfig/openrouter.pc" "$libdir"/cmake/OpenRouter/*.cmake \
  || fail "installed package files point into the build or source tree"
[ -x "$prefix/bin/openrouter-keys" ] || fail "bin/openrouter-keys not installed"
[ -x "$prefix/bin/openrouter-api" ] || fail "bin/openrouter-api not installed"
[ -x "$prefix/bin/openrouter-stub-server" ] || fail "bin/openrouter-stub-server not installed"
[ -f "$prefix/share/doc/openrouter-c/STUB_SERVER.md" ] || fail "STUB_SERVER.md not installed"
[ -f "$prefix/share/doc/openrouter-c/BULK.md" ] || fail "BULK.md not installed"
# The shared library carries its own dependencies and exports only openrouter_*.
grep -q 'NEEDED.*libcurl' <<<"$(objdump -p "$libdir/libopenrouter.so.$version")" || fail "libopenrouter.so does not need libcurl"
bad=$(nm -D --defined-only "$libdir/libopenrouter.so.$version" | awk '$3 !~ /^(openrouter_|_init$|_fini$|_edata$|_end$|__bss_start$)/ {print $3}')
[ -z "$bad" ] || fail "libopenrouter.so exports non-API symbols: $bad"
grep -q ' openrouter_list_keys_iter_new$' <<<"$(nm -D --defined-only "$libdir/libopenrouter.so.$version")" \
  || fail "libopenrouter.so does not export openrouter_list_keys_iter_new"

# ---- 2. the installed stand-in server
step "start the installed openrouter-stub-server"
"$prefix/bin/openrouter-stub-server" --help >"$work/stub-help.txt" || fail "openrouter-stub-server --help"
grep -q -- "--seed-keys" "$work/stub-help.txt" || fail "--help does not document --seed-keys"
grep -qi "fault" "$work/stub-help.txt" || fail "--help does not document fault injection"
# No idle timeout: the FetchContent build below can take minutes on a loaded
# machine without a request (the trap and the parent watchdog still stop it).
"$prefix/bin/openrouter-stub-server" --port-file "$work/port" --seed-keys 150 --max-lifetime 1200 \
  --idle-timeout 0 >/dev/null &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "stand-in server did not start"
export OPENROUTER_API_KEY=sk-or-v1-mgmt-test
export OPENROUTER_BASE_URL="http://127.0.0.1:$(cat "$work/port")/api/v1"
export EXPECTED_VERSION=$version
expect="consumer ok $version 100 135"   # 150 seeds, 15 disabled: a page of 100, 135 in all

run_consumer() { # binary label
  local out
  out=$("$1") || fail "$2: exited $?"
  [ "$out" = "$expect" ] || fail "$2: printed '$out', want '$expect'"
  echo "   $2: $out"
}

# ---- 3. find_package
step "consumer with find_package(OpenRouter CONFIG)"
cmake -S "$src/tests/install/consumer" -B "$work/c-package" -DCMAKE_PREFIX_PATH="$prefix" \
  -DOR_CONSUMER_MODE=package >"$work/c-package.log" 2>&1 || { cat "$work/c-package.log"; fail "configure (package)"; }
grep -q "found OpenRouter $version" "$work/c-package.log" || fail "find_package did not report version $version"
cmake --build "$work/c-package" -j "$jobs" >>"$work/c-package.log" 2>&1 || { cat "$work/c-package.log"; fail "build (package)"; }
grep -q "libopenrouter.so.$soname_ver => $libdir/" <<<"$(ldd "$work/c-package/consumer")" \
  || { ldd "$work/c-package/consumer"; fail "package consumer does not load the installed shared library"; }
! grep -q libopenrouter <<<"$(ldd "$work/c-package/consumer_static")" || fail "static consumer loads libopenrouter.so"
run_consumer "$work/c-package/consumer" "find_package, shared"
run_consumer "$work/c-package/consumer_static" "find_package, static"
# Versions the package does not satisfy are refused (SameMinorVersion).
next_minor="$major.$((minor + 1))"
for want in "$next_minor" "$((major + 1)).0"; do
  if cmake -S "$src/tests/install/consumer" -B "$work/c-wrong" -DCMAKE_PREFIX_PATH="$prefix" \
       -DOR_CONSUMER_MODE=package -DOR_REQUIRE_VERSION="$want" >/dev/null 2>&1; then
    fail "find_package(OpenRouter $want) accepted version $version"
  fi
  rm -rf "$work/c-wrong"
done

# ---- 4. pkg-config
step "consumer with pkg-config"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ "$(pkg-config --modversion openrouter)" = "$version" ] || fail "pkg-config --modversion is not $version"
[ "$(pkg-config --print-requires-private openrouter | sort | tr '\n' ' ')" = "json-c libcurl " ] \
  || fail "openrouter.pc Requires.private is not 'libcurl json-c'"
mkdir -p "$work/c-pkgconfig"
mk() { make -s -f "$src/tests/install/consumer/Makefile" OUT="$work/c-pkgconfig" "$work/c-pkgconfig/$1"; }
mk consumer >"$work/c-pkgconfig.log" 2>&1 || { cat "$work/c-pkgconfig.log"; fail "pkg-config build"; }
grep -q "libopenrouter.so.$soname_ver => $libdir/" <<<"$(ldd "$work/c-pkgconfig/consumer")" || fail "pkg-config consumer does not use the installed library"
run_consumer "$work/c-pkgconfig/consumer" "pkg-config, shared"
# Static: `pkg-config --static` gives the flags of the whole chain, which
# link only where libcurl's own static dependencies are installed (on Debian
# libcurl4-openssl-dev does not pull them in). Where they are not, link
# libopenrouter.a with the dependencies openrouter.pc names, shared.
printf 'int main(void){return 0;}\n' >"$work/empty.c"
if cc "$work/empty.c" -o "$work/empty" $(pkg-config --static --libs libcurl json-c) >/dev/null 2>&1; then
  static=consumer_static; label="pkg-config --static"
else
  static=consumer_static_shared_deps; label="pkg-config, libopenrouter.a + shared libcurl/json-c"
  echo "   (libcurl's static dependencies are not installed: $label)"
fi
mk $static >>"$work/c-pkgconfig.log" 2>&1 || { cat "$work/c-pkgconfig.log"; fail "pkg-config static build"; }
! grep -q libopenrouter <<<"$(ldd "$work/c-pkgconfig/$static")" || fail "pkg-config static consumer loads libopenrouter.so"
run_consumer "$work/c-pkgconfig/$static" "$label"
# Moving the installed tree keeps pkg-config right (paths relative to the .pc file).
cp -a "$prefix" "$work/moved"
grep -q -- "-I$work/moved/" <<<"$(PKG_CONFIG_PATH="$work/moved/${libdir#"$prefix"/}/pkgconfig" pkg-config --cflags openrouter)" \
  || fail "openrouter.pc is not relocatable"
unset PKG_CONFIG_PATH

# ---- 5. the installed CLI
step "installed openrouter-keys"
grep -q "^openrouter-keys $version " <<<"$("$prefix/bin/openrouter-keys" --version)" || fail "openrouter-keys --version"
rpath=$(objdump -p "$prefix/bin/openrouter-keys" | awk '$1 == "RUNPATH" || $1 == "RPATH" {print $2}')
[ "$rpath" = "\$ORIGIN/${libdir#"$prefix"/}" ] || [ "$rpath" = "\$ORIGIN/../${libdir#"$prefix"/}" ] \
  || fail "bin/openrouter-keys has RPATH '$rpath', want \$ORIGIN/../${libdir#"$prefix"/}"
for p in "$prefix" "$work/moved"; do
  lib=$(realpath -s "$(env -u LD_LIBRARY_PATH ldd "$p/bin/openrouter-keys" | awk '$1 ~ /^libopenrouter/ {print $3}')")
  [ "$lib" = "$(realpath -s "$p")/${libdir#"$prefix"/}/libopenrouter.so.$soname_ver" ] \
    || fail "$p/bin/openrouter-keys loads libopenrouter from '$lib'"
  n=$(env -i OPENROUTER_API_KEY="$OPENROUTER_API_KEY" OPENROUTER_BASE_URL="$OPENROUTER_BASE_URL" \
        "$p/bin/openrouter-keys" list --all | tail -1)
  [ "$n" = "135 keys" ] || fail "$p/bin/openrouter-keys list --all printed '$n'"
  echo "   ${p#"$work"/}/bin/openrouter-keys list --all (no environment but the key and URL): $n"
  n=$(env -i OPENROUTER_API_KEY="$OPENROUTER_API_KEY" OPENROUTER_BASE_URL="$OPENROUTER_BASE_URL" \
        "$p/bin/openrouter-api" listKeys --param offset=100 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')
  [ "$n" = 35 ] || fail "$p/bin/openrouter-api listKeys --param offset=100 printed $n keys"
done

# ---- 6. FetchContent (add_subdirectory underneath)
if [ "${OR_INSTALL_SKIP_FETCHCONTENT:-0}" != 1 ]; then
  step "consumer with FetchContent(SOURCE_DIR)"
  cmake -S "$src/tests/install/consumer" -B "$work/c-fetch" -DOR_CONSUMER_MODE=fetchcontent \
    -DOPENROUTER_SOURCE_DIR="$src" >"$work/c-fetch.log" 2>&1 || { cat "$work/c-fetch.log"; fail "configure (fetchcontent)"; }
  cmake --build "$work/c-fetch" -j "$jobs" >>"$work/c-fetch.log" 2>&1 || { cat "$work/c-fetch.log"; fail "build (fetchcontent)"; }
  [ ! -e "$work/c-fetch/_deps/openrouter-build/cli" ] || fail "a subproject build should not build the tools"
  run_consumer "$work/c-fetch/consumer" "FetchContent, shared"
  run_consumer "$work/c-fetch/consumer_static" "FetchContent, static"
fi
echo "install test: OK"
