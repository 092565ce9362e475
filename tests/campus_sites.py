"""Generated campus sites (the /data/ files of sync.render.opendata) served by real HTTP servers on
127.0.0.1, with ETag / Last-Modified / 304 as a static web server (nginx, GitHub Pages) gives them.
Used by tests/test_rollup.py and bench/bench_rollup.py."""
from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import os
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

from sync.publish.files import write_bytes
from sync.render import opendata


CST = dt.timezone(dt.timedelta(hours=8))


def write_site(root: Path, summaries: list[dict], exports: Path | None, at: dt.time = dt.time(9, 0),
               awaiting: list[str] | None = None) -> Path:
    """The /data/ files of a campus site; each day's files dated that day at `at` (campus time), as
    if published then (the roll-up reads on time or late from Last-Modified); awaiting: the days
    that await the office's sign-off."""
    for rel, body in opendata.files(summaries, exports, awaiting).items():
        path = write_bytes(root / rel, body)
        day = Path(rel).stem
        if rel.startswith(("data/days/", "data/units/")):
            stamp = dt.datetime.combine(dt.date.fromisoformat(day), at, CST).timestamp()
            os.utime(path, (stamp, stamp))
    return root


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"          # keep-alive, as a real server
    hits: list[str]                         # set per server: the paths asked for
    fail_with: int | None = None            # answer every request with this status

    def log_message(self, *args):          # quiet
        pass

    def setup(self):
        super().setup()
        # As nginx's tcp_nodelay: without it the body waits for the headers' ACK (Nagle + delayed ACK, 40 ms).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self.hits.append(self.path)
        if self.fail_with:
            self.send_response(self.fail_with)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = Path(self.translate_path(self.path))
        try:
            st = path.stat()
            body = path.read_bytes()
        except OSError:
            self.send_error(404)
            return
        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(body)


class Server:
    def __init__(self, root: Path, fail_with: int | None = None):
        hits: list[str] = []
        handler = type("H", (Handler,), {"hits": hits, "fail_with": fail_with})
        factory = lambda *a, **kw: handler(*a, directory=str(root), **kw)     # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), factory)
        self.httpd.daemon_threads = True
        self.hits = hits
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serving(roots: dict[str, Path | None], fail: dict[str, int] | None = None):
    """{name: folder} -> {name: Server}; a None folder gets a closed port (a campus that is down)."""
    servers: dict[str, Server] = {}
    try:
        for name, root in roots.items():
            servers[name] = Server(root, (fail or {}).get(name)) if root is not None else None
        yield {name: (s.url if s else closed_port_url()) for name, s in servers.items()}, servers
    finally:
        for s in servers.values():
            if s:
                s.stop()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"     # nothing listens there any more: connection refused


def touch_later(path: Path) -> None:
    """Change a file's mtime for sure (an ETag from mtime and size)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
