#!/usr/bin/env python3
"""An HTTPS server that offers HTTP/2 (nginx), for test_async_h2.c.

    python3 h2_server.py WORKDIR

Makes a throw-away CA (WORKDIR/ca.pem) and a certificate for 127.0.0.1
signed by it (openssl CLI), runs nginx in the foreground on 127.0.0.1 with
TLS and HTTP/2 (ALPN h2, HTTP/1.1 still offered), answers every GET with
200 {"data":[]} (a key list), prints "LISTENING <port>" and appends one line
per request to WORKDIR/events: "<connection number> <request
line>" (its protocol last), so a test can count the connections its calls used. Exits (and stops
nginx) after 60 s or when stdin closes. Prints "UNAVAILABLE <why>" instead of
LISTENING when nginx is missing or will not start.
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

work = sys.argv[1]
cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)

CONF = """daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format conn '$connection $request';
    access_log {work}/events conn;
    client_body_temp_path {work}/tmp-body;
    proxy_temp_path {work}/tmp-proxy;
    fastcgi_temp_path {work}/tmp-fastcgi;
    uwsgi_temp_path {work}/tmp-uwsgi;
    scgi_temp_path {work}/tmp-scgi;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        http2_max_concurrent_streams 128;
        location / {{
            default_type application/json;
            return 200 '{{"data":[]}}';
        }}
    }}
}}
"""


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates():
    ca, ca_key = os.path.join(work, "ca.pem"), os.path.join(work, "ca.key")
    csr, ext = os.path.join(work, "leaf.csr"), os.path.join(work, "leaf.ext")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "1",
            "-subj", "/CN=openrouter-c h2 test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
            "-days", "1", "-extfile", ext)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def start_nginx():
    """nginx on a free port; None when it will not start (a port taken in between: tried again)."""
    conf = os.path.join(work, "nginx.conf")
    for _ in range(5):
        port = free_port()
        with open(conf, "w") as f:
            f.write(CONF.format(work=work, port=port, cert=cert, key=key))
        proc = subprocess.Popen([NGINX, "-p", work, "-e", os.path.join(work, "error.log"), "-c", conf],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if proc.poll() is not None:
                break
            if listening(port):
                return proc, port
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return None, 0


def main():
    if not NGINX:
        print("UNAVAILABLE nginx not found (Debian: nginx-light)", flush=True)
        return
    make_certificates()
    proc, port = start_nginx()
    if not proc:
        print("UNAVAILABLE nginx did not start (see error.log)", flush=True)
        return

    def stop():
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        os._exit(0)

    threading.Timer(60, stop).start()
    print("LISTENING %d" % port, flush=True)
    sys.stdin.read()
    stop()


main()
