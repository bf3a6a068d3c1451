"""Helpers for the real-browser tests: the shared harness (``benchmarks.harness``) for pytest.

The server and browser start-up live in :mod:`benchmarks.harness`, which the benchmarks use
too; here a start-up failure fails the test with the harness's message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from benchmarks.harness import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    HarnessError,
    app_server,
    free_port,
)

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "free_port",
    "require_chromium",
    "streamlit_server",
]


@contextmanager
def streamlit_server(*, sites_csv: Path, boundaries_dir: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free loopback port; yield its URL."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(
                app_server(sites_csv=sites_csv, boundaries_dir=boundaries_dir, start_timeout_s=60)
            )
        except HarnessError as exc:
            pytest.fail(str(exc))
        yield server.url


def require_chromium() -> None:
    """Fail the test, saying how to install it, when Debian's Chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: 'make browser' (apt-get install chromium) installs it")
