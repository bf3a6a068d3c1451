"""What the benchmarks add to the test support: knowing when a map is drawn, and counting bytes.

The Streamlit servers and headless Chromium are the tests' own (``tests/support/servers.py``
and ``tests/support/browser.py``), imported here rather than kept as a second copy, so the
benchmarks measure the app exactly as the browser tests start it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.support.browser import ChromiumMissing, chromium, offline_page
from tests.support.servers import Server, ServerError, app_server, free_port, streamlit_page

__all__ = [
    "MAP_DRAWN_JS",
    "HarnessError",
    "Meter",
    "Server",
    "app_server",
    "chromium",
    "free_port",
    "offline_page",
    "streamlit_page",
]

#: What a server or the browser raises when it cannot start (the message says where to look).
HarnessError = (ServerError, ChromiumMissing)

#: True once a page shows a map with its sites: the live map (a Components v2 element in the
#: page itself) has drawn them (``window.livemap.firstDrawnMs``), or a folium map (its own
#: document, in the page or in a frame) has markers, clusters or its canvas layer.
MAP_DRAWN_JS = """() => {
  if (window.livemap && typeof window.livemap.firstDrawnMs === 'number') { return true; }
  const documents = [document];
  for (const frame of document.querySelectorAll('iframe')) {
    try { if (frame.contentDocument) { documents.push(frame.contentDocument); } }
    catch (error) { /* another origin: not ours */ }
  }
  const drawn = '.mdm-marker, .marker-cluster, .mdm-fast-note, .leaflet-marker-icon, '
    + 'canvas.leaflet-zoom-animated';
  return documents.some(
    doc => !!doc.querySelector('.leaflet-container') && !!doc.querySelector(drawn));
}"""


@dataclass
class Meter:
    """Bytes a page receives, as PERFORMANCE.md measures them: websocket frames received and
    HTTP response bodies, counted from when :meth:`attach` is called."""

    frames: int = 0
    requests: list[Any] = field(default_factory=list)
    last: float = field(default_factory=time.monotonic)

    def attach(self, page: Any) -> None:
        """Count what ``page`` receives from now on."""
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))
        page.on("requestfinished", self._request)

    def _frame(self, payload: str | bytes) -> None:
        self.frames += len(payload.encode() if isinstance(payload, str) else payload)
        self.last = time.monotonic()

    def _request(self, request: Any) -> None:
        self.requests.append(request)
        self.last = time.monotonic()

    def total(self) -> int:
        """Return the bytes received so far."""
        bodies = sum(max(request.sizes()["responseBodySize"], 0) for request in self.requests)
        return self.frames + bodies

    def wait_quiet(self, page: Any, *, quiet_s: float = 1.5, timeout_s: float = 120.0) -> None:
        """Wait until nothing has arrived for ``quiet_s`` (or ``timeout_s`` has passed)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() - self.last < quiet_s and time.monotonic() < deadline:
            page.wait_for_timeout(100)
