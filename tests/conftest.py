"""Shared fixtures: the boundaries built once per run from the offline ONS mirror, the registry,
Chromium, and the app on a Streamlit server (one of each per test process, shared by every
module it runs: each test opens its own page, so its own Streamlit session).

Under pytest-xdist the workers share one boundaries build: the first worker to take the lock
builds it in the run's shared temporary folder, the others wait and read it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest

import settings
from layers import boundaries
from layers.sites import load_sites
from tests.support.app_map import WATCH_RUNS
from tests.support.browser import SharedCache, chromium, require_chromium, streamlit_server

DATA = Path(__file__).parent / "data"


def mirror_dir() -> Path:
    """The ONS mirror: $MIDLANDS_ONS_MIRROR, else ../shared/data/ons beside the project."""
    configured = os.environ.get("MIDLANDS_ONS_MIRROR")
    path = Path(configured) if configured else settings.ROOT.parent / "shared" / "data" / "ons"
    if not (path / "Local_Authority_Districts_May_2023_UK_BUC.geojson").is_file():
        pytest.fail(f"the ONS mirror is not at {path}; set MIDLANDS_ONS_MIRROR to its folder")
    return path


@pytest.fixture(scope="session")
def ons_mirror() -> Path:
    return mirror_dir()


@pytest.fixture(scope="session")
def boundaries_dir(tmp_path_factory: pytest.TempPathFactory, ons_mirror: Path) -> Path:
    """A boundaries folder built from the mirror once for this run (shared by xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "boundaries"
    with open(shared / "boundaries.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (out / "manifest.json").is_file():
            scratch = shared / f"boundaries.{os.getpid()}"
            boundaries.build_boundaries(scratch, mirror=ons_mirror)
            scratch.rename(out)
    return out


@pytest.fixture(scope="session")
def registry(boundaries_dir: Path) -> gpd.GeoDataFrame:
    """The committed sites registry, validated and placed in its areas."""
    return load_sites(settings.SITES_CSV, boundaries_dir=boundaries_dir)


@pytest.fixture(scope="session")
def chromium_process() -> Iterator[SharedCache]:
    """Debian's Chromium, headless, driven by Playwright (launched once per test process); its
    test pages share one HTTP cache (:class:`tests.support.browser.SharedCache`) and note the
    app's runs (:data:`tests.support.app_map.WATCH_RUNS`)."""
    require_chromium()
    with chromium() as launched:
        yield SharedCache(launched, init_script=WATCH_RUNS)


@pytest.fixture(scope="module")
def browser(chromium_process: SharedCache) -> Iterator[SharedCache]:
    """The process's Chromium for one test module; the pages the module left open are closed
    after it, so no module sees another's pages."""
    yield chromium_process
    chromium_process.close_opened()


@pytest.fixture(scope="session")
def app_url(boundaries_dir: Path) -> Iterator[str]:
    """The app on the committed registry, on its own port, shared by the process's tests.

    Started once per pytest-xdist worker: a server start and the app's first, cold run cost
    seconds, and each test's page is a session of its own (caches shared, as in production).
    """
    with streamlit_server(sites_csv=settings.SITES_CSV, boundaries_dir=boundaries_dir) as url:
        yield url


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``settings.BOUNDARIES_DIR`` at an empty folder: only a folder a caller names holds
    boundaries, and a function that reads the setting finds none there."""
    empty = tmp_path / "no-boundaries"
    empty.mkdir()
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", empty)
    return empty


@pytest.fixture
def osm_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every OpenStreetMap download (roads, estates) fail as with no network."""
    from layers import _osm

    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(_osm.ox, "graph_from_polygon", offline)
    monkeypatch.setattr(_osm.ox, "features_from_polygon", offline)
