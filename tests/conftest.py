"""Shared fixtures: boundaries built once per session from the offline ONS mirror."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest

import settings
from layers import boundaries
from layers.sites import load_sites
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

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
    """A boundaries folder built from the mirror for this test session."""
    out = tmp_path_factory.mktemp("boundaries")
    boundaries.build_boundaries(out, mirror=ons_mirror)
    return out


@pytest.fixture(scope="session")
def registry(boundaries_dir: Path) -> gpd.GeoDataFrame:
    """The committed sites registry, validated and placed in its areas."""
    return load_sites(settings.SITES_CSV, boundaries_dir=boundaries_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``settings.BOUNDARIES_DIR`` at an empty folder: only a folder a caller names holds
    boundaries, and a function that reads the setting finds none there."""
    empty = tmp_path / "no-boundaries"
    empty.mkdir()
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", empty)
    return empty
