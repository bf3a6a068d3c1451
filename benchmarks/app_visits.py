"""The app as a reader meets it, in Chromium: how long until the first map is visible, and how
many bytes reach the browser on opening and on a filter change.

The same visit runs on the working tree and on today's design (:mod:`benchmarks.baseline`), each
served by its own ``streamlit run``. Bytes are what the page receives (websocket frames and
HTTP bodies, :class:`benchmarks.harness.Meter`); a filter change chooses "Combat air" in the
capabilities chooser and then clears it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.harness import MAP_DRAWN_JS, Meter, app_server, offline_page

#: What the filter change types into the capabilities chooser.
CAPABILITY_LABEL = "Combat air"
_MAP_TIMEOUT_MS = 600_000
#: How long a change may take to send its first bytes, and the quiet that ends its rerun (s):
#: a slow rerun sends its parts seconds apart on a busy machine.
_CHANGE_TIMEOUT_S = 120.0
_QUIET_S = 3.0


@dataclass
class Visit:
    """One design on one registry: first maps (s) and bytes received."""

    first_map_cold_s: float = 0.0
    first_map_warm_s: list[float] = field(default_factory=list)
    first_load_bytes: int = 0
    change_bytes: list[int] = field(default_factory=list)


def visit_app(
    browser: Any, code_tree: Path, *, sites_csv: Path, boundaries_dir: Path, repeat: int
) -> Visit:
    """Open ``code_tree``'s app: once on a fresh server (then change a filter), then ``repeat``
    new sessions on the warm server, timing each from opening the page to its map drawn."""
    visit = Visit()
    with app_server(
        app=code_tree / "app.py",
        sites_csv=sites_csv,
        boundaries_dir=boundaries_dir,
        log_name=f"bench-{code_tree.name}",
    ) as server:
        meter = Meter()
        page = offline_page(browser)
        meter.attach(page)
        visit.first_map_cold_s = _open(page, server.url)
        meter.wait_quiet(page, quiet_s=_QUIET_S)
        visit.first_load_bytes = meter.total()
        for choose in (True, False):
            before = meter.total()
            _change_capability(page, choose=choose)
            _settle(page, meter, before)
            page.wait_for_function(MAP_DRAWN_JS, timeout=_MAP_TIMEOUT_MS, polling=50)
            visit.change_bytes.append(meter.total() - before)
        page.close()
        for _ in range(repeat):
            page = offline_page(browser)
            visit.first_map_warm_s.append(_open(page, server.url))
            page.close()
    return visit


def _open(page: Any, url: str) -> float:
    """Open ``url``; return the seconds until its map shows its sites."""
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(MAP_DRAWN_JS, timeout=_MAP_TIMEOUT_MS, polling=50)
    return time.perf_counter() - start


def _settle(page: Any, meter: Meter, before: int) -> None:
    """Wait for the rerun a change starts: its first bytes, then a quiet spell."""
    deadline = time.monotonic() + _CHANGE_TIMEOUT_S
    while meter.total() == before and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    meter.wait_quiet(page, quiet_s=_QUIET_S)


def _change_capability(page: Any, *, choose: bool) -> None:
    """Choose "Combat air" in the capabilities chooser (the sidebar's first), or clear it."""
    chooser = page.get_by_test_id("stMultiSelect").first
    chooser.click()
    if choose:
        page.keyboard.type(CAPABILITY_LABEL)
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
