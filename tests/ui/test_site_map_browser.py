"""The explorer's map in Chromium: the live map is part of the page (no iframe), and the density
heat and the light tiles draw on it instead of sending the reader to another map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

import settings
from tests.support.app_map import map_frame, settle
from tests.support.browser import offline_page, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(boundaries_dir: Path) -> Iterator[str]:
    """The app on the committed registry, for every test in this module."""
    with streamlit_server(sites_csv=settings.SITES_CSV, boundaries_dir=boundaries_dir) as url:
        yield url


def open_app(browser: Browser, url: str, blocked: list[str]) -> Page:
    page = offline_page(browser, blocked)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(url)
    map_frame(page)
    settle(page)
    return page


def test_the_live_map_has_no_iframe(browser: Browser, app_url: str):
    page = open_app(browser, app_url, [])
    assert page.locator("iframe").count() == 0
    assert page.locator("[data-testid=stBidiComponentRegular] section.mdm-main").count() == 1
    # the documented handles: the Leaflet map and the map's state, in the page itself
    assert page.evaluate("() => window.map === window.livemaps['site-map'].map")
    assert page.evaluate("() => livemap.sites.shown().length") > 50
    page.close()


def test_the_density_heat_draws_on_the_live_map(browser: Browser, app_url: str):
    page = open_app(browser, app_url, [])
    page.get_by_text("Show density heat").click()
    page.wait_for_function("() => livemap.heatDrawn > 0", timeout=60_000)
    settle(page)
    # the same map (built once), with the heat's canvas under the sites, and no other map
    assert page.evaluate("() => livemap.builds") == 1
    assert page.locator(".mdm-main canvas.leaflet-heatmap-layer").count() == 1
    assert page.locator("iframe").count() == 0
    assert page.get_by_text("older map").count() == 0
    page.get_by_text("Show density heat").click()
    page.wait_for_function(
        "() => !document.querySelector('.mdm-main canvas.leaflet-heatmap-layer')",
        timeout=60_000,
    )
    page.close()


def test_light_tiles_draw_on_the_live_map_in_place_of_the_drawn_land(
    browser: Browser, app_url: str
):
    blocked: list[str] = []
    page = open_app(browser, app_url, blocked)
    page.get_by_text("Light grey tiles (Esri; needs internet)").click()
    page.wait_for_function("() => livemap.tiles", timeout=60_000)
    page.wait_for_timeout(1000)
    assert page.evaluate("() => livemap.builds") == 1
    assert page.locator(".mdm-main .leaflet-tile-pane img, .mdm-main .leaflet-tile").count() > 0
    # this test runs offline: the tiles were asked for from their server, and blocked
    assert any("arcgisonline.com" in url for url in blocked), blocked[:3]
    assert "Esri" in page.locator(".mdm-main .leaflet-control-attribution").inner_text()
    page.close()
