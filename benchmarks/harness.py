"""One harness for the Chromium tests and the benchmarks: Streamlit servers and headless Chromium.

``streamlit_page`` runs ``streamlit run`` on a script (the app, or a page of our own) on a
free loopback port, waits until it answers, and always stops it; ``chromium`` launches
Debian's Chromium through Playwright; ``offline_page`` opens a page that may reach only this
machine. ``tests/support/browser.py`` wraps these for pytest; the benchmarks use them as they are.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import settings
from tests.support.servers import healthy

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Logs and screenshots of the browser tests and benchmarks (not committed).
ARTIFACTS = settings.ROOT / "tests" / "artifacts"
APP = settings.ROOT / "app.py"
_LOCAL_URL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]")


#: True once a page shows a map with its sites: the live map has drawn them
#: (``window.livemap.firstDrawnMs``), or a folium map has markers, clusters or its fast layer.
MAP_DRAWN_JS = """() => [...document.querySelectorAll('iframe')].some(frame => {
  let doc = null, win = null;
  try { doc = frame.contentDocument; win = frame.contentWindow; } catch (error) { return false; }
  if (!doc || !doc.querySelector('.leaflet-container')) { return false; }
  if (win.livemap && typeof win.livemap.firstDrawnMs === 'number') { return true; }
  return !!doc.querySelector('.mdm-marker, .marker-cluster, .mdm-fast-note, .leaflet-marker-icon');
})"""


class HarnessError(RuntimeError):
    """A server or the browser could not be started (the message says where to look)."""


@dataclass
class Server:
    """A running ``streamlit run``: its URL, log, and how long it took to answer."""

    url: str
    log: Path
    started_s: float
    killed: bool = False


def free_port() -> int:
    """Return a TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_page(
    script: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    start_timeout_s: float = 120.0,
    stop_timeout_s: float = 30.0,
    log_name: str = "streamlit",
) -> Iterator[Server]:
    """Run ``streamlit run script`` on a free loopback port; yield the :class:`Server`.

    Parameters
    ----------
    script
        The page script.
    env
        Variables added to this process's environment (registry, boundaries, ...).
    cwd
        The folder it runs in (default: the project's, for its ``.streamlit`` settings).
    start_timeout_s, stop_timeout_s
        How long to wait for the health check, and for the server to stop after SIGTERM
        (a script run still going holds it); a server still running then is killed, and
        ``Server.killed`` says so.
    log_name
        The log's name in ``tests/artifacts`` (the port is appended).

    Raises
    ------
    HarnessError
        When the server exits or does not answer in time; the log has its output.
    """
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"{log_name}-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", str(script)]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--server.headless", "true"]
    with open(log, "w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd or settings.ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        server = Server(url=f"http://127.0.0.1:{port}", log=log, started_s=0.0)
        try:
            deadline = time.monotonic() + start_timeout_s
            while not healthy(server.url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise HarnessError(f"streamlit did not start; see {log}")
                time.sleep(0.05)
            server.started_s = time.perf_counter() - started
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=stop_timeout_s)
                server.killed = True


@contextmanager
def app_server(
    *,
    sites_csv: Path,
    boundaries_dir: Path,
    app: Path = APP,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> Iterator[Server]:
    """Run the app (``app.py``, or another tree's) on a registry and boundaries folder.

    The postcode index is this project's (``settings.POSTCODES_DIR``), whichever tree runs;
    ``options`` go to :func:`streamlit_page`; the app runs from ``app``'s folder.
    """
    variables = {
        "MIDLANDS_SITES_CSV": str(sites_csv),
        "MIDLANDS_BOUNDARIES_DIR": str(boundaries_dir),
        "MIDLANDS_POSTCODES_DIR": str(settings.POSTCODES_DIR),
        **(env or {}),
    }
    options.setdefault("cwd", app.parent)
    with streamlit_page(app, env=variables, **options) as server:
        yield server


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield Debian's Chromium, headless, through Playwright; always close it.

    Raises
    ------
    HarnessError
        When Chromium is not installed ('make browser' installs it).
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise HarnessError(
            f"{CHROMIUM} is missing: 'make browser' (apt-get install chromium) installs it"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser: Any, *, width: int = 1600, height: int = 1000) -> Any:
    """Open a page on which every request to another machine is aborted."""
    page = browser.new_page(viewport={"width": width, "height": height})

    def route(request_route: Any, request: Any) -> None:
        local = _LOCAL_URL.match(request.url)
        if local or request.url.startswith(("file:", "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)
    return page


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
