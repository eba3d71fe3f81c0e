"""A small HTTP server on 127.0.0.1 serving in-memory routes, for the demo, tests and benchmarks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Mapping

LOOPBACK = "127.0.0.1"


@dataclass
class Route:
    """What one path answers: a body with status, type and headers, optionally after a delay."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


RouteLike = Route | Callable[[BaseHTTPRequestHandler], Route]


class LocalSite:
    """Serve `routes` (path with query -> Route) in a background thread; use as a context manager."""

    def __init__(self, routes: Mapping[str, RouteLike] | None = None, port: int = 0) -> None:
        self.routes: dict[str, RouteLike] = dict(routes or {})
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
                if callable(route):
                    route = route(self)
                if route is None:
                    route = Route(b"<html><body><h1>Not found</h1></body></html>", status=404)
                if route.delay:
                    time.sleep(route.delay)
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args) -> None:  # keep test and demo output quiet
                pass

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # clients that hang up (timeouts, size limits) are expected here

        self.server = QuietServer((LOOPBACK, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> "LocalSite":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
