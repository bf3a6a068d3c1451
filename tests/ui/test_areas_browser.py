"""The Areas tab in Chromium at 1366x768: authorities shaded on the live map (no folium, no
iframe), each colour class named by the counts it holds, and every table column on screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.support.app_map import map_frame, settle
from tests.support.browser import SharedCache, offline_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def combined_authorities(browser: SharedCache, app_url: str) -> Iterator[Page]:
    """The Areas tab at 1366x768 by combined authority, its map drawn (the tests only read it)."""
    page = offline_page(browser, [])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(app_url)
    map_frame(page)
    page.get_by_role("tab", name="Areas").click()
    page.locator(".st-key-a_level").get_by_text("Combined authority").click()
    page.wait_for_function(
        "() => window.livemaps && livemaps['areas-map'] && livemaps['areas-map'].firstDrawnMs",
        timeout=60_000,
    )
    settle(page)
    yield page
    page.close()


def test_combined_authorities_are_shaded_on_the_live_map(combined_authorities: Page):
    page = combined_authorities
    assert page.locator("iframe").count() == 0
    areas = page.get_by_role(
        "region", name="Map of the combined authority areas, shaded by selected sites"
    )
    areas.scroll_into_view_if_needed()
    legend = areas.locator(".mdm-legend")
    if not legend.locator("details[open]").count():
        legend.locator("summary").click()
    labels = [t.strip() for t in legend.locator(".mdm-row").all_inner_texts()]
    classes = [t for t in labels if t.endswith(("site", "sites"))]
    # three authorities with different counts: three classes, none a range like "1–4"
    assert len(classes) == 3, labels
    assert all("–" not in c for c in classes), classes
    # the view holds every shaded authority
    bounds = page.evaluate(
        """() => { const m = livemaps['areas-map'].map, b = m.getBounds();
           return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"""
    )
    south, west, north, east = bounds
    assert south < 52.4 and north > 53.5 and west < -2.1 and east > 0.3, bounds
    # the site map is still the page's window.map
    assert page.evaluate("() => window.map === livemaps['site-map'].map")


def test_every_capability_column_shows_at_1366(combined_authorities: Page):
    page = combined_authorities
    table = page.get_by_test_id("stDataFrame").last
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    # the grid scrolls sideways only if its content is wider than its box
    overflow = table.evaluate(
        """el => { const s = [...el.querySelectorAll('*')].find(
             n => n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflowX !== 'visible');
           return s ? [s.scrollWidth, s.clientWidth] : null; }"""
    )
    assert overflow is None, overflow
