"""The standalone map.html in headless Chromium, opened from file:// with every request blocked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import Browser

from layers.filters import SiteFilter
from layers.selection import make_selection
from layers.sites import load_sites
from mapping import standalone
from tests.support.browser import ARTIFACTS, open_file_offline

pytestmark = pytest.mark.browser
DATA = Path(__file__).parents[1] / "data"
MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_the_offline_page_shows_its_markers_and_legend_with_no_network(
    browser: Browser, registry: gpd.GeoDataFrame, boundaries_dir: Path, tmp_path: Path
):
    selection = make_selection(
        registry, SiteFilter(), boundaries_dir=boundaries_dir, with_corridor=True, created=MADE
    )
    path = standalone.write_standalone_html(selection, tmp_path / "map.html", title="Pitch map")
    record: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}
    page = open_file_offline(browser, path, record)
    page.locator(".leaflet-container").wait_for(timeout=30_000)
    page.locator(".mdm-legend").wait_for()
    drawn = page.evaluate("() => window.livemap.sites.shown().length")
    assert drawn == len(registry), "every site is drawn"
    page.locator(".mdm-legend summary").click()  # the legend starts folded
    legend = page.locator(".mdm-legend").inner_text()
    assert "Main capability (colour)" in legend and "Kind of site (shape)" in legend
    assert "Midlands Defence Belt (model)" in legend
    title = page.locator(".mdm-title").inner_text()
    assert "Pitch map" in title and f"{len(registry)} sites selected" in title
    assert "£124m" in title, "the Blueprint's figures sit in the KPI box"
    assert "Open Government Licence" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator("canvas").count() >= 1, "boundaries are drawn"
    assert page.title() == "Pitch map"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "standalone-map.png"))
    page.close()
    assert record["blocked"] == [], (
        f"the offline page asked the network for {record['blocked'][:5]}"
    )
    assert record["errors"] == []


def test_a_hostile_registry_opens_no_dialog_and_shows_its_text(
    browser: Browser, boundaries_dir: Path, tmp_path: Path
):
    sites = load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)
    selection = make_selection(
        sites,
        SiteFilter(),
        boundaries_dir=boundaries_dir,
        sites_path=DATA / "hostile_sites.csv",
        created=MADE,
    )
    path = standalone.write_standalone_html(selection, tmp_path / "hostile.html")
    record: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}
    page = open_file_offline(browser, path, record)
    page.locator(".leaflet-container").wait_for(timeout=30_000)
    page.wait_for_function("window.livemap && window.livemap.sites.shown().length > 0")
    assert page.evaluate("() => window.livemap.sites.shown().length") == len(sites)
    # each site's popup, opened as a click opens it (sites on one point are listed first)
    for index in page.evaluate("() => window.livemap.sites.shown()"):
        page.evaluate("i => { window.livemap.sites.openPopup(i); }", index)
        page.locator(".leaflet-popup-content").last.wait_for()
        if (
            "<img src=x onerror=alert(1)>"
            in page.locator(".leaflet-popup-content").last.inner_text()
        ):
            break
    else:
        pytest.fail("no popup shows the hostile name as text")
    assert page.locator(".leaflet-popup-content img, .leaflet-popup-content script").count() == 0
    page.wait_for_timeout(300)  # give any injected handler the chance to fire
    page.close()
    assert record["dialogs"] == [], "no script from the data ran"
    assert record["blocked"] == [], record["blocked"][:5]
    assert record["errors"] == []
