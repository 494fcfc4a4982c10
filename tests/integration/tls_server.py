#!/usr/bin/env python3
"""A TLS server for test_tls_options.c and test_transport_options.c.

    python3 tls_server.py WORKDIR [--ca]

Makes a throw-away certificate for 127.0.0.1 in WORKDIR (openssl CLI):
self-signed, or with --ca signed by a throw-away CA of its own (and valid
for the name stand-in.test too, which only connect_proxy.py resolves), whose
certificate it writes to WORKDIR/ca.pem and, hashed for a CA directory
(`openssl rehash`), into WORKDIR/ca-dir/. Listens on 127.0.0.1 (ephemeral
port), prints "LISTENING <port>" and, for each connection, appends one line
to WORKDIR/events: "handshake-failed <reason>" or "request <first request
line>" (then answers 200 {"data":{}}). Exits after 60 s or when stdin closes.
"""
import os
import socket
import ssl
import subprocess
import sys
import threading

work = sys.argv[1]
cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def self_signed():
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")


def signed_by_own_ca():
    ca, ca_key = os.path.join(work, "ca.pem"), os.path.join(work, "ca.key")
    csr, ext = os.path.join(work, "leaf.csr"), os.path.join(work, "leaf.ext")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "1",
            "-subj", "/CN=openrouter-c test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:stand-in.test\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
            "-days", "1", "-extfile", ext)
    ca_dir = os.path.join(work, "ca-dir")
    os.mkdir(ca_dir)
    with open(ca) as src, open(os.path.join(ca_dir, "test-ca.pem"), "w") as dst:
        dst.write(src.read())
    openssl("rehash", ca_dir)


if "--ca" in sys.argv[2:]:
    signed_by_own_ca()
else:
    self_signed()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(8)
events = open(os.path.join(work, "events"), "a", buffering=1)


def serve():
    while True:
        conn, _ = lsock.accept()
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            events.write("handshake-failed %s\n" % type(e).__name__)
            conn.close()
            continue
        try:
            data = tls.recv(65536)
            events.write("request %s\n" % data.split(b"\r\n", 1)[0].decode("latin-1"))
            body = b'{"data":{}}'
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                        b"Connection: close\r\n\r\n%s" % (len(body), body))
        except (ssl.SSLError, OSError) as e:
            events.write("io-failed %s\n" % type(e).__name__)
        finally:
            tls.close()


threading.Thread(target=serve, daemon=True).start()
print("LISTENING %d" % lsock.getsockname()[1], flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
