#!/usr/bin/env bash
# Contract test against the published description: Stoplight Prism (pinned
# in package-lock.json, installed here with `npm ci`) mocks
# ../shared/reference/openrouter-keys.upstream-2026-08-22.yaml with --errors,
# so a request that breaks the description gets an error status and an
# sl-violations header; contract_client.c performs every operation in
# several variants and checks each answer against the description's
# examples. Fails on any failed check and on any violation Prism logs.
#   tests/contract/run.sh [build-dir]      (default: build-test, scripts/test's; built if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$root" && mkdir -p "${1:-build-test}" && cd "${1:-build-test}" && pwd)
spec=${OR_UPSTREAM_SPEC:-$root/../shared/reference/openrouter-keys.upstream-2026-08-22.yaml}
work=$(mktemp -d /tmp/openrouter-contract.XXXXXX)
prism_pid=
cleanup() {
  if [ -n "$prism_pid" ]; then kill "$prism_pid" 2>/dev/null || true; wait "$prism_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null
fi
command -v npm >/dev/null || { echo "contract: npm not found (install nodejs and npm)" >&2; exit 1; }
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

if [ ! -f "$build/libopenrouter.a" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DOPENROUTER_WERROR=ON >/dev/null
  cmake --build "$build" --target openrouter_static -j "$(nproc)" >/dev/null
fi
cc -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -g \
  -I"$root/runtime/include" -I"$root/generated/include" -I"$root/runtime/src" \
  "$here/contract_client.c" "$build/libopenrouter.a" $(pkg-config --cflags --libs libcurl json-c) -lm -pthread \
  -o "$work/contract_client"

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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 600 "$here/node_modules/.bin/prism" mock "$spec" --host 127.0.0.1 --port "$port" --errors \
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
status=0
"$work/contract_client" "http://127.0.0.1:$port" "$work/examples.json" || status=1
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
exit $status
