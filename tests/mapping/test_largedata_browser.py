"""Fast mode in a real browser: 10k synthetic sites drawn offline, legend, escaped tooltip."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.synthetic import synthetic_sites
from mapping import assets, build_map, largedata
from tests.support.browser import ARTIFACTS, offline_page

pytestmark = pytest.mark.browser
POINTS = 10_000
HOSTILE_NAME = "<img src=x onerror=alert(1)> & Sons"
# In the middle of the initial view, clear of the legend and the note.
HOSTILE_AT = (52.70, -1.40)


@pytest.fixture(scope="module")
def page_file(boundaries_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A standalone page of 10k synthetic sites, the last one with a hostile name."""
    if not assets.installed():
        pytest.fail("local map assets are not installed: run 'make assets'")
    sites = synthetic_sites(POINTS - 1, seed=7, boundaries_dir=boundaries_dir)
    hostile = sites.iloc[[0]].copy()
    hostile["site_id"] = "hostile-probe"
    hostile["name"] = HOSTILE_NAME
    hostile["lat"], hostile["lon"] = HOSTILE_AT
    hostile["geometry"] = [shapely.Point(HOSTILE_AT[1], HOSTILE_AT[0])]
    # drawn last, so it is on top where the pointer rests
    everything = gpd.GeoDataFrame(pd.concat([sites, hostile], ignore_index=True), crs=sites.crs)
    assert largedata.use_fast_mode(len(everything)), "the default threshold is below 10k"
    html = build_map(everything, boundaries_dir=boundaries_dir).get_root().render()
    path = tmp_path_factory.mktemp("large") / "fast-10k.html"
    path.write_text(assets.inline_html(html), encoding="utf-8")
    return path


MAP_JS = """() => { for (const key of Object.keys(window)) {
  if (key.startsWith('map_') && window[key] && window[key].eachLayer) return key; } }"""


def test_ten_thousand_sites_draw_offline_with_legend_and_escaped_tooltip(
    browser: Browser, page_file: Path
):
    blocked: list[str] = []
    dialogs: list[str] = []
    page = offline_page(browser, blocked, loopback=False)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(page_file.as_uri(), wait_until="load")
    map_name = page.evaluate(MAP_JS)
    assert map_name, "the page has a Leaflet map"

    # Above CLUSTER_ABOVE sites the page clusters (leaflet.markercluster, inlined): every site
    # is either its own marker on the map's canvas (sites.js tags it options.site) or counted
    # in a cluster icon on the map.
    count = """(name) => { const seen = new Set(); let clustered = 0;
           window[name].eachLayer(layer => {
             if (layer.getChildCount) clustered += layer.getChildCount();
             else if (layer.options && layer.options.site !== undefined
                      && layer._renderer instanceof L.Canvas) seen.add(layer.options.site); });
           return [seen.size, clustered]; }"""
    # While the clusters animate into the first view, the clusters of two zoom levels are on
    # the map at once: read the count once the animation is over.
    try:
        page.wait_for_function(
            f"(name) => ({count})(name).reduce((a, b) => a + b, 0) === {POINTS}"
            " && !document.querySelector('.leaflet-cluster-anim, .leaflet-zoom-anim')",
            arg=map_name,
            timeout=30_000,
        )
    except PlaywrightTimeout:
        pass  # the assertion below reports what is drawn
    drawn = page.evaluate(count, map_name)
    assert sum(drawn) == POINTS, f"every site is drawn, alone or in a cluster: {drawn}"
    shown = page.evaluate("() => window.livemap && window.livemap.sites.shown().length")
    assert shown == POINTS, "the shared sites script shows every site"
    assert page.locator("canvas").count() >= 1
    # the cluster icons are DOM markers; no single site is one
    assert page.locator(".leaflet-marker-icon.mdm-cluster").count() >= 1
    assert page.locator(".leaflet-marker-icon:not(.mdm-cluster)").count() == 0, (
        "no DOM marker per site"
    )
    assert page.locator(".mdm-legend").is_visible()
    # the legend starts folded (a <details>); opened, it names the shapes
    page.locator(".mdm-legend summary").click()
    assert "Kind of site (shape)" in page.locator(".mdm-legend").inner_text()
    page.locator(".mdm-legend summary").click()  # folded again, clear of the sites
    note = page.locator(".mdm-fast-note")
    assert note.is_visible() and f"{POINTS:,} sites" in note.inner_text()
    overlays = page.locator(".leaflet-control-layers-overlays").text_content() or ""
    assert re.search(rf"Sites \({POINTS:,}, fast mode\)", overlays)

    # zoom in until the hostile site is its own marker, out of any cluster
    page.evaluate(
        "([name, lat, lon]) => { window[name].setView([lat, lon], window[name].getMaxZoom(),"
        " {animate: false}); }",
        [map_name, *HOSTILE_AT],
    )
    page.wait_for_timeout(500)
    x, y = page.evaluate(
        """([name, lat, lon]) => { const map = window[name];
             const p = map.latLngToContainerPoint([lat, lon]);
             const box = map.getContainer().getBoundingClientRect();
             return [box.left + p.x, box.top + p.y]; }""",
        [map_name, *HOSTILE_AT],
    )
    # Leaflet's canvas hit-testing skips moves within 32 ms of the last: settle, then land
    page.mouse.move(x - 40, y - 40)
    page.wait_for_timeout(100)
    page.mouse.move(x, y)
    page.wait_for_timeout(100)
    page.mouse.move(x + 1, y)
    # the district under the point has a tooltip of its own (class foliumtooltip)
    tooltip = page.locator(".leaflet-tooltip:not(.foliumtooltip)")
    try:
        tooltip.wait_for(timeout=10_000)
    except PlaywrightTimeout:
        # a busy machine can drop the first hover while the canvas redraws: hover again
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.move(x + 1, y)
        tooltip.wait_for(timeout=30_000)
    assert tooltip.inner_text().strip() == HOSTILE_NAME, "the name is shown as text"
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert HOSTILE_NAME in popup.inner_text() and "Main capability" in popup.inner_text()
    assert page.locator("img[src='x']").count() == 0, "no markup from data"
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(ARTIFACTS / "fast-mode-10k.png"))
    page.close()
    assert dialogs == []
    assert blocked == [], f"the page asked the network for {blocked[:5]}"
