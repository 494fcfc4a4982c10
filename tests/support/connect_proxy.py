#!/usr/bin/env python3
"""A small HTTP CONNECT proxy, for the transport option tests.

    python3 connect_proxy.py WORKDIR

Listens on 127.0.0.1 (ephemeral port), prints "LISTENING <port>" and, for
each client connection, appends one line to WORKDIR/events:
  "connect <host:port> <status>"    a CONNECT request and the status answered
                                    (200 and then a byte-for-byte tunnel, or
                                    502 when the target refused);
  "proxy-authorization <yes|no>"    whether the CONNECT carried credentials
                                    (never their value);
  "forward <METHOD> <target>"       any other request (a plain forward-proxy
                                    request, which this proxy refuses: 405).
Only loopback targets are tunnelled, and the name stand-in.test, which
resolves nowhere else, goes to 127.0.0.1: a client reaching a server by that
name must have come through this proxy. Exits after 60 s or when stdin
closes.
"""
import os
import select
import socket
import sys
import threading

work = sys.argv[1]
events = open(os.path.join(work, "events"), "a", buffering=1)
lock = threading.Lock()


def log(line):
    with lock:
        events.write(line + "\n")


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 65536:
            return None, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n"), rest


def pipe(a, b):
    socks = [a, b]
    while True:
        readable, _, _ = select.select(socks, [], [], 30)
        if not readable:
            return
        for s in readable:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


def handle(conn):
    try:
        lines, rest = read_head(conn)
        if not lines:
            return
        method, target = (lines[0].split(" ") + ["", ""])[:2]
        if method != "CONNECT":
            log("forward %s %s" % (method, target))
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        has_auth = any(l.lower().startswith("proxy-authorization:") for l in lines[1:])
        log("proxy-authorization %s" % ("yes" if has_auth else "no"))
        host, _, port = target.rpartition(":")
        if host == "stand-in.test":
            host = "127.0.0.1"
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            log("connect %s 403" % target)
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except (OSError, ValueError):
            log("connect %s 502" % target)
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        log("connect %s 200" % target)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            upstream.sendall(rest)
        try:
            pipe(conn, upstream)
        finally:
            upstream.close()
    except OSError:
        pass
    finally:
        conn.close()


lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(16)


def serve():
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


threading.Thread(target=serve, daemon=True).start()
print("LISTENING %d" % lsock.getsockname()[1], flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
