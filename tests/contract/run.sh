#!/usr/bin/env bash
# Contract tests against the published description, with Stoplight Prism
# (pinned in package-lock.json, installed here with `npm ci`). Every mock
# runs with --errors: a request that breaks the description gets an error
# status and a "Violation" line in Prism's log, and any such line from the
# library fails the run.
#
# static:  Prism answers with the description's examples
#   (../shared/reference/openrouter-keys.upstream-2026-08-22.yaml);
#   contract_client.c performs every operation in several variants and
#   checks each answer against the examples.
# dynamic: Prism answers with random responses valid per a description
#   (-d; a seed per request would make every answer the same, see
#   dynamic.py): OR_DYNAMIC_CALLS (default 1000) responses per operation
#   through the library, and OR_DYNAMIC_CLI_CALLS (default the same)
#   through the CLI's table and through its --json output, on both
#   upstream excerpts, plus the newer one with its date-time formats taken
#   out (so values break the library's description: strict mode must name
#   exactly those). dynamic.py judges them with response_check.py.
#   OR_DYNAMIC_OPERATIONS (default spec/operations.txt) lists the
#   operations, METHOD /path a line, and OR_DYNAMIC_SPEC (default
#   spec/openrouter-keys.yaml) is the library's description. The same
#   check over the whole API (every operation with a JSON success body)
#   is a step of whole_api.sh.
#
#   tests/contract/run.sh [build-dir] [static|dynamic|all]
#     (build-dir default build-test, scripts/test's; built if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$root" && mkdir -p "${1:-build-test}" && cd "${1:-build-test}" && pwd)
stages=${2:-all}
reference=$root/../shared/reference
spec=${OR_UPSTREAM_SPEC:-$reference/openrouter-keys.upstream-2026-08-22.yaml}
work=$(mktemp -d /tmp/openrouter-contract.XXXXXX)
prism_pid=
stop_prism() {
  if [ -n "$prism_pid" ]; then kill "$prism_pid" 2>/dev/null || true; wait "$prism_pid" 2>/dev/null || true; fi
  prism_pid=
}
cleanup() {
  stop_prism
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null
fi
command -v npm >/dev/null || { echo "contract: npm not found (install nodejs and npm)" >&2; exit 1; }
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DOPENROUTER_WERROR=ON >/dev/null
fi
cmake --build "$build" --target openrouter_static openrouter-keys -j "$(nproc)" >/dev/null
libs="$(pkg-config --cflags --libs libcurl json-c) -lm -pthread"
cflags=(-std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -g
        -I"$root/runtime/include" -I"$root/generated/include" -I"$root/runtime/src")

# start_prism DESCRIPTION [PRISM OPTIONS...]: a mock on a free loopback port,
# its base URL in $base, its log in $work/prism.log.
start_prism() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  timeout 1800 "$here/node_modules/.bin/prism" mock "$1" --host 127.0.0.1 --port "$port" --errors "${@:2}" \
    >"$work/prism.log" 2>&1 &
  prism_pid=$!
  for _ in $(seq 1 120); do
    if grep -q "Prism is listening" "$work/prism.log"; then break; fi
    if ! kill -0 "$prism_pid" 2>/dev/null; then cat "$work/prism.log" >&2; exit 1; fi
    sleep 0.5
  done
  grep -q "Prism is listening" "$work/prism.log" || { echo "contract: Prism did not start" >&2; cat "$work/prism.log" >&2; exit 1; }
  # Prism serves the paths at its root: the description's /api/v1 prefix is
  # the server URL, which the mock does not keep.
  base="http://127.0.0.1:$port"
}

status=0

if [ "$stages" = static ] || [ "$stages" = all ]; then
  cc "${cflags[@]}" "$here/contract_client.c" "$build/libopenrouter.a" $libs -o "$work/contract_client"
  python3 - "$spec" "$work/examples.json" <<'PY'
import json, sys, yaml
spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
out = {}
for path, ops in spec["paths"].items():
    for method, op in ops.items():
        if isinstance(op, dict) and "operationId" in op:
            for status, resp in op.get("responses", {}).items():
                media = (resp.get("content") or {}).get("application/json") or {}
                if "example" in media:
                    out.setdefault(op["operationId"], {})[str(status)] = media["example"]
json.dump(out, open(sys.argv[2], "w"))
PY
  start_prism "$spec"
  "$work/contract_client" "$base" "$work/examples.json" || status=1
  # Exactly one violation: contract_client's deliberate control request.
  violations=$(grep -c "Violation" "$work/prism.log" || true)
  requests=$(grep -c "Request received" "$work/prism.log" || true)
  if [ "$violations" != 1 ]; then
    echo "contract: Prism logged $violations violation(s), expected only the control request's:" >&2
    grep -B3 "Violation" "$work/prism.log" >&2 || true
    status=1
  fi
  echo "contract: $requests requests validated by Prism $("$here/node_modules/.bin/prism" --version)," \
    "$((violations - 1)) violations from the library"
  stop_prism
fi

if [ "$stages" = dynamic ] || [ "$stages" = all ]; then
  # dlsym finds operation descriptors by name: every object of the library
  # is linked in and exported.
  cc "${cflags[@]}" "$here/dynamic_client.c" -Wl,--whole-archive "$build/libopenrouter.a" -Wl,--no-whole-archive \
    -rdynamic $libs -ldl -o "$work/dynamic_client"
  python3 "$here/dynamic.py" --strip-formats "$spec" "$work/no-formats.yaml"
  # label, description, CLI too
  runs=("2026-04-14 $reference/openrouter-keys.upstream-2026-04-14.yaml cli"
        "2026-08-22 $(ls "$root"/spec/upstream/*.yaml) cli"
        "2026-08-22-no-date-time $work/no-formats.yaml -")
  for run in "${runs[@]}"; do
    read -r label description cli <<<"$run"
    start_prism "$description" -d
    started=$(date +%s)
    python3 "$here/dynamic.py" --base-url "$base" --label "$label" --work "$work" \
      --spec "${OR_DYNAMIC_SPEC:-$root/spec/openrouter-keys.yaml}" \
      --operations "${OR_DYNAMIC_OPERATIONS:-$root/spec/operations.txt}" \
      --calls "${OR_DYNAMIC_CALLS:-1000}" --cli-calls "${OR_DYNAMIC_CLI_CALLS:-${OR_DYNAMIC_CALLS:-1000}}" \
      --client "$work/dynamic_client" \
      $([ "$cli" = cli ] && echo --cli "$build/cli/openrouter-keys") || status=1
    violations=$(grep -c "Violation" "$work/prism.log" || true)
    if [ "$violations" != 0 ]; then
      echo "contract: Prism logged $violations violation(s) against $label:" >&2
      grep -B3 "Violation" "$work/prism.log" | head -40 >&2 || true
      status=1
    fi
    echo "contract: dynamic [$label] done in $(( $(date +%s) - started )) s, $violations request violations"
    stop_prism
  done
fi
exit $status
