"""A local HTTP server that answers with scripted responses, standing in for the ONS service."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

Response = tuple[int, bytes] | tuple[int, bytes, dict[str, str]]


@dataclass
class Script:
    """Responses to give in order, (status, body) or (status, body, extra headers); the last one
    repeats once the list runs out."""

    responses: list[Response]
    requests: list[dict[str, str]] = field(default_factory=list)

    def next(self, query: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        self.requests.append(query)
        index = min(len(self.requests) - 1, len(self.responses) - 1)
        status, body, *extra = self.responses[index]
        return status, body, extra[0] if extra else {}


@contextmanager
def serve(script: Script) -> Iterator[str]:
    """Serve ``script`` on a free loopback port; yield the base URL of its ``services`` folder."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            query["path"] = urlparse(self.path).path
            status, body, headers = script.next(query)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/arcgis/rest/services"
    finally:
        server.shutdown()
        server.server_close()
