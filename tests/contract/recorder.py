"""A recording reverse proxy for the dynamic check: it forwards each
request as it came to a mock (Prism, which still judges the request) and
keeps the body of each answer, so a judge can read the very body a CLI
decoded when the CLI prints something else (openrouter-api prints the
response encoded again from its model). One CLI run at a time per recorder;
it binds 127.0.0.1 on an ephemeral port and serves from a daemon thread
until close()."""
import http.client
import http.server
import threading
import urllib.parse

# Hop-by-hop headers, and those http.client or the reply sets itself.
DROPPED = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "expect",
           "proxy-connection", "te", "trailer", "upgrade"}


class Recorder:
    def __init__(self, upstream):
        target = urllib.parse.urlsplit(upstream)
        self.host, self.port = target.hostname, target.port
        self.bodies = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # so Expect: 100-continue is answered at once

            def forward(self):
                body = self.read_body()
                conn = http.client.HTTPConnection(recorder.host, recorder.port, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in DROPPED}
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    answer = resp.read()
                    with recorder.lock:
                        recorder.bodies.append(answer)
                    self.send_response(resp.status)
                    for k, v in resp.getheaders():
                        if k.lower() not in DROPPED:
                            self.send_header(k, v)
                finally:
                    conn.close()
                self.send_header("Content-Length", str(len(answer)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer)
                self.close_connection = True

            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    parts = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(parts)
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else None

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take_last(self):
        """The body of the last answer since the last call (None if none),
        forgetting the others (answers a retry replaced)."""
        with self.lock:
            last = self.bodies[-1] if self.bodies else None
            self.bodies.clear()
        return last

    def close(self):
        self.server.shutdown()
        self.server.server_close()
