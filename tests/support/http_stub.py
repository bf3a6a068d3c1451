"""A local HTTP server that answers with scripted responses, standing in for a remote service.

A :class:`Script` gives its responses in order whatever the path (the ONS service); a
:class:`Routes` gives each path its own (the OS downloads API and its files). A :class:`Cut`
body is announced in full but sent only halfway before the line drops.
"""

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


class Cut(bytes):
    """A body whose full length is announced but only half of it sent; then the line drops."""


@dataclass
class Routes:
    """Responses per request path, each list given out in order (the last one repeats);
    any other path gets 404."""

    answers: dict[str, list[Response]]
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [request["path"] for request in self.requests]

    def next(self, query: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        self.requests.append(query)
        responses = self.answers.get(query["path"], [(404, b"not found")])
        index = min(self.paths.count(query["path"]), len(responses)) - 1
        status, body, *extra = responses[index]
        return status, body, extra[0] if extra else {}


@contextmanager
def serve(script: Script | Routes, root: str = "/arcgis/rest/services") -> Iterator[str]:
    """Serve ``script`` on a free loopback port; yield its base URL (the server's ``root``)."""

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
            if isinstance(body, Cut):
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for the loop's next poll: the default half-second poll made every
    # test that uses the stub half a second longer
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{root}"
    finally:
        server.shutdown()
        server.server_close()
