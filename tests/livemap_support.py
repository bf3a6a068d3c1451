"""Helpers for the live map's browser tests and benchmark: run a Streamlit page script.

Streamlit serves ``static/`` from beside the page script, so the page runs from a temporary
folder that links ``static`` to the project's (where ``make assets`` put Leaflet).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import settings
from tests.browser import ARTIFACTS, free_port


@contextmanager
def page_server(script: Path, workdir: Path, env: dict[str, str]) -> Iterator[str]:
    """Run ``streamlit run`` on a copy of ``script`` in ``workdir``; yield the page's URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    page = workdir / script.name
    page.write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    static = workdir / "static"
    if not static.exists():
        static.symlink_to(settings.ROOT / "static", target_is_directory=True)
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"streamlit-{script.stem}-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", str(page), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    with open(log, "w") as out:
        process = subprocess.Popen(
            command,
            cwd=settings.ROOT,  # the project's .streamlit/config.toml and imports
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a script run still going: stop it
                process.kill()
                process.wait(timeout=30)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False
