#!/usr/bin/env bash
# Loopback benchmark server: nginx serving the fixed bodies from gen_fixtures.py.
#
#   bench/server.sh start STATE_DIR FIXTURES_DIR [TIMEOUT_S]   start; writes STATE_DIR/port
#   bench/server.sh stop STATE_DIR                             stop (idempotent)
#   bench/server.sh accepts STATE_DIR                          print the accepted-connection count
#
# Routes (query strings ignored except offset):
#   GET    /api/v1/keys/{hash}  key.json            PATCH  -> key.json
#   GET    /api/v1/keys         list_100.json       (offset >= 100000 -> list_empty.json,
#                                                    so pagination ends after 1,000 full pages)
#   POST   /api/v1/keys         created.json, 201   DELETE /api/v1/keys/{hash} -> deleted.json
#   GET    /api/v1/key          current_key.json
#   GET    /_status             nginx stub_status ("accepts" = TCP connections accepted)
#   GET    /paged/api/v1/keys?offset=N  proxied to fixtures/page_server.py: a real paged list of
#                               PAGED_TOTAL (default 100,000) distinct keys, for the pagination path
# One worker process, keep-alive effectively unlimited, no access log.
# NGINX_CPU=<n> pins the worker to CPU n (worker_cpu_affinity).
# A watchdog stops the server after TIMEOUT_S (default 3600) even if the caller dies.
set -euo pipefail

cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { echo "usage: $0 start|stop|accepts STATE_DIR [FIXTURES_DIR [TIMEOUT_S]]" >&2; exit 2; }

nginx_bin=${NGINX:-}
if [ -z "$nginx_bin" ]; then
  nginx_bin=$(command -v nginx || true)
  [ -n "$nginx_bin" ] || { [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx; }
fi

accepts() {
  local port
  port=$(cat "$state/port")
  # stub_status counts the connection used to ask, too; callers subtract 1.
  curl -sS --max-time 5 "http://127.0.0.1:$port/_status" | awk 'NR==3 {print $1}'
}

stop() {
  if [ -f "$state/watchdog.pid" ]; then
    kill "$(cat "$state/watchdog.pid")" 2>/dev/null || true
    rm -f "$state/watchdog.pid"
  fi
  if [ -f "$state/pages.pid" ]; then
    kill "$(cat "$state/pages.pid")" 2>/dev/null || true
    rm -f "$state/pages.pid"
  fi
  if [ -f "$state/nginx.pid" ]; then
    local pid
    pid=$(cat "$state/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$state/nginx.pid"
  fi
}

# Escapes a body for an nginx single-quoted string (bodies contain no $, \ or ').
inline() { tr -d '\n' < "$1"; }

start() {
  local fixtures=$1 timeout_s=$2
  [ -n "$nginx_bin" ] || { echo "server.sh: nginx not found (apt-get install nginx-light)" >&2; exit 1; }
  for f in key.json list_100.json list_empty.json current_key.json created.json deleted.json; do
    [ -f "$fixtures/$f" ] || { echo "server.sh: missing $fixtures/$f" >&2; exit 1; }
  done
  "$nginx_bin" -V 2>&1 | grep -q -- --with-http_stub_status_module \
    || { echo "server.sh: this nginx lacks stub_status; connections cannot be counted" >&2; exit 1; }
  mkdir -p "$state/tmp"
  # nginx workers run as nobody when started by root: they must be able to read the bodies.
  chmod 755 "$state" "$state/tmp"
  chmod -R a+rX "$fixtures" 2>/dev/null || true
  fixtures=$(cd "$fixtures" && pwd)
  local port pport here
  here=$(cd "$(dirname "$0")" && pwd)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # the paged-list backend (only the pagination benchmark uses it)
  python3 "$here/fixtures/page_server.py" --port "$pport" --fixtures "$fixtures" \
      --total "${PAGED_TOTAL:-100000}" > "$state/pages.log" 2>&1 < /dev/null &
  echo $! > "$state/pages.pid"
  local affinity=""
  if [ -n "${NGINX_CPU:-}" ]; then
    # worker_cpu_affinity takes a bit mask, CPU 0 rightmost
    affinity="worker_cpu_affinity 1$(printf '%*s' "$NGINX_CPU" '' | tr ' ' 0);"
  fi
  cat > "$state/nginx.conf" <<EOF
worker_processes 1;
$affinity
daemon on;
pid $state/nginx.pid;
error_log $state/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  types { }
  default_type application/json;
  charset off;
  server_tokens off;
  sendfile on;
  tcp_nodelay on;
  etag off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path $state/tmp/body;
  proxy_temp_path $state/tmp/proxy;
  fastcgi_temp_path $state/tmp/fastcgi;
  uwsgi_temp_path $state/tmp/uwsgi;
  scgi_temp_path $state/tmp/scgi;
  map \$arg_offset \$list_body {
    default           /list_100.json;
    "~^[1-9][0-9]{5,}\$" /list_empty.json;
  }
  server {
    listen 127.0.0.1:$port backlog=512;
    root $fixtures;
    location = /api/v1/keys {
      if (\$request_method = POST) { return 201 '$(inline "$fixtures/created.json")'; }
      try_files \$list_body =500;
    }
    location ~ ^/api/v1/keys/[^/]+\$ {
      if (\$request_method = DELETE) { return 200 '$(inline "$fixtures/deleted.json")'; }
      if (\$request_method = PATCH) { return 200 '$(inline "$fixtures/key.json")'; }
      try_files /key.json =500;
    }
    location = /api/v1/key { try_files /current_key.json =500; }
    location = /_status { stub_status; }
    location /paged/ { proxy_pass http://127.0.0.1:$pport; proxy_buffering on; }
    location / { return 404 '{"error":{"code":404,"message":"Not Found"}}'; }
  }
}
EOF
  "$nginx_bin" -p "$state" -c "$state/nginx.conf" -t -q 2>"$state/nginx-t.log" \
    || { cat "$state/nginx-t.log" >&2; exit 1; }
  "$nginx_bin" -p "$state" -c "$state/nginx.conf"
  echo "$port" > "$state/port"
  for _ in $(seq 50); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/_status" && break
    sleep 0.1
  done
  for _ in $(seq 300); do
    grep -q ready "$state/pages.log" 2>/dev/null && break
    kill -0 "$(cat "$state/pages.pid")" 2>/dev/null || { cat "$state/pages.log" >&2; exit 1; }
    sleep 0.1
  done
  # Watchdog: stop the server even if the benchmark script is killed.
  ( trap '' HUP; sleep "$timeout_s"; kill "$(cat "$state/pages.pid" 2>/dev/null)" 2>/dev/null
    kill -QUIT "$(cat "$state/nginx.pid" 2>/dev/null)" 2>/dev/null ) \
    </dev/null >/dev/null 2>&1 &
  echo $! > "$state/watchdog.pid"
  echo "$port"
}

case "$cmd" in
  start) start "${3:?FIXTURES_DIR}" "${4:-3600}" ;;
  stop) stop ;;
  accepts) accepts ;;
  *) echo "usage: $0 start|stop|accepts STATE_DIR ..." >&2; exit 2 ;;
esac
