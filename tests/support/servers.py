"""Streamlit servers for the browser tests and the benchmarks: the app, or a page of our own.

``streamlit_page`` runs ``streamlit run`` on a script on a free loopback port, waits until it
answers its health check, and always stops it. ``app_server`` runs the app on a registry and a
boundaries folder; ``page_server`` runs a test page from a scratch folder. Each server picks its
own port, so pytest-xdist workers (and benchmarks) can run several at once.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import settings

#: Logs and screenshots of the browser tests and benchmarks (not committed).
ARTIFACTS = settings.ROOT / "tests" / "artifacts"
APP = settings.ROOT / "app.py"
#: How many ports to try when another process takes the free one before Streamlit binds it.
PORT_ATTEMPTS = 3


class ServerError(RuntimeError):
    """A Streamlit server could not be started (the message names its log)."""


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


def healthy(url: str) -> bool:
    """Return whether the Streamlit server at ``url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _port_taken(log: Path) -> bool:
    return "is already in use" in log.read_text(encoding="utf-8", errors="replace")


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
    ServerError
        When the server exits or does not answer in time; the log has its output.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for attempt in range(PORT_ATTEMPTS):
        port = free_port()
        log = ARTIFACTS / f"{log_name}-{port}.log"
        command = [sys.executable, "-m", "streamlit", "run", str(script)]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        command += ["--server.headless", "true"]
        out = open(log, "w")
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
                    break
                time.sleep(0.05)
            else:
                server.started_s = time.perf_counter() - started
                yield server
                return
            out.flush()
            if not (_port_taken(log) and attempt + 1 < PORT_ATTEMPTS):
                raise ServerError(f"streamlit did not start; see {log}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=stop_timeout_s)
                server.killed = True
            out.close()


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
def page_server(script: Path, workdir: Path, env: Mapping[str, str]) -> Iterator[str]:
    """Run a test page of our own from ``workdir``; yield its URL.

    Streamlit serves ``static/`` from beside the page script, so the page is copied into
    ``workdir`` beside a link to the project's ``static`` (where ``make assets`` put Leaflet);
    it runs from the project's folder, for its ``.streamlit`` settings and imports.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    page = workdir / script.name
    page.write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    static = workdir / "static"
    if not static.exists():
        static.symlink_to(settings.ROOT / "static", target_is_directory=True)
    with streamlit_page(page, env=env, log_name=f"streamlit-{script.stem}") as server:
        yield server.url


#: The live map's small test page (hand-built sites, a few controls; see the page's docstring).
LIVEMAP_PAGE = Path(__file__).with_name("livemap_page.py")


@contextmanager
def livemap_page_server(
    sites: list[dict[str, Any]], workdir: Path, boundaries_dir: Path
) -> Iterator[str]:
    """Run the live map's test page on ``sites`` (rows as dicts) from ``workdir``; yield its URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    sites_json = workdir / "sites.json"
    sites_json.write_text(json.dumps(sites), encoding="utf-8")
    env = {"LIVEMAP_SITES": str(sites_json), "MIDLANDS_BOUNDARIES_DIR": str(boundaries_dir)}
    with page_server(LIVEMAP_PAGE, workdir / "page", env) as url:
        yield url
