"""The app in a real browser (Debian's Chromium, headless) with every outside request blocked."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Page

import settings
from tests.browser import ARTIFACTS, streamlit_server
from tests.oracles import open_in_year

pytestmark = pytest.mark.browser
DATA = Path(__file__).parent / "data"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


@pytest.fixture
def registry(registry):
    """The registry as the app shows it by default: the sites open this year."""
    return registry[[open_in_year(site) for site in registry.to_dict("records")]]


def offline_page(browser: Browser, blocked: list[str]) -> Page:
    """A page on which every request that leaves this machine is aborted (and recorded)."""
    page = browser.new_page(viewport={"width": 1600, "height": 1100}, accept_downloads=True)

    def route(request_route, request) -> None:
        if re.match(
            r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]", request.url
        ) or request.url.startswith(("data:", "blob:", "about:")):
            request_route.continue_()
        else:
            blocked.append(request.url)
            request_route.abort()

    page.route("**/*", route)
    return page


def site_map(page: Page) -> FrameLocator:
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    return frame


def open_every_popup(page: Page) -> int:
    """Open every popup and tooltip on the map, as a curious user would; return how many."""
    return int(
        page.frame_locator(MAP_FRAME)
        .first.locator("body")
        .evaluate(
            """() => { let n = 0;
             for (const key of Object.keys(window)) {
               const map = window[key];
               if (!key.startsWith('map_') || !map || !map.eachLayer) continue;
               map.eachLayer(layer => {
                 if (layer.getAllChildMarkers) { layer.disableClustering &&
                   layer.disableClustering(); }
               });
               map.eachLayer(layer => {
                 if (layer.getPopup && layer.getPopup()) { layer.openPopup(); n++; }
                 if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
               });
             }
             return n; }"""
        )
    )


def feature_count(frame: FrameLocator) -> int:
    """How many GeoJSON features the Leaflet map holds."""
    return int(
        frame.locator("body").evaluate(
            """() => { let n = 0;
             for (const key of Object.keys(window)) {
               const map = window[key];
               if (key.startsWith('map_') && map && map.eachLayer) {
                 map.eachLayer(layer => { if (layer.feature) n++; });
               }
             }
             return n; }"""
        )
    )


def sites_label(frame: FrameLocator) -> str:
    text = frame.locator(".leaflet-control-layers-overlays").text_content(timeout=15_000) or ""
    found = re.search(r"Sites \((\d+)\)", text)
    assert found, text
    return found.group(1)


def test_the_map_draws_offline_and_follows_a_capability_filter(
    browser: Browser, boundaries_dir: Path, registry
):
    blocked: list[str] = []
    with streamlit_server(sites_csv=settings.SITES_CSV, boundaries_dir=boundaries_dir) as url:
        page = offline_page(browser, blocked)
        page.goto(url)
        frame = site_map(page)
        frame.locator(".mdm-legend").wait_for()
        assert frame.locator(".mdm-marker, .marker-cluster").count() > 0
        assert frame.locator("canvas").count() >= 1  # boundaries drawn on canvas
        assert feature_count(frame) >= 67 + 26 + 3  # LADs, counties and CAs are on the map
        assert sites_label(frame) == str(len(registry))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app-all-sites.png"), full_page=False)

        chooser = page.get_by_test_id("stMultiSelect").first
        chooser.click()
        page.keyboard.type("Combat air")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        expected = sum("combat_air" in caps for caps in registry["capabilities"])
        page.wait_for_function(
            """(n) => [...document.querySelectorAll('iframe')].some(f => {
                   const d = f.contentDocument; if (!d) return false;
                   const o = d.querySelector('.leaflet-control-layers-overlays');
                   return o && o.textContent.includes('Sites (' + n + ')'); })""",
            arg=expected,
            timeout=30_000,
        )
        frame = site_map(page)
        assert sites_label(frame) == str(expected)
        assert "cap=combat_air" in page.url
        page.screenshot(path=str(ARTIFACTS / "app-combat-air.png"), full_page=False)

        page.get_by_role("tab", name="Export").click()
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="Sites · CSV").click()
        rows = list(
            csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")))
        )
        assert len(rows) == expected
        assert all("combat_air" in row["capabilities"] for row in rows)
        page.close()
    assert blocked == [], f"the offline map asked the internet for {blocked[:5]}"


def test_a_hostile_registry_never_opens_a_dialog_and_shows_text(
    browser: Browser, boundaries_dir: Path
):
    blocked: list[str] = []
    dialogs: list[str] = []
    with streamlit_server(
        sites_csv=DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir
    ) as url:
        page = offline_page(browser, blocked)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url + "/?belt=0")
        frame = site_map(page)
        frame.locator(".mdm-legend").wait_for()
        opened = open_every_popup(page)
        assert opened >= 3
        page.wait_for_timeout(500)
        body = frame.locator("body").inner_text()
        assert "<img src=x onerror=alert(1)>" in body  # shown as text
        assert frame.locator("img[src='x']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "app-hostile.png"), full_page=False)
        page.close()
    assert dialogs == []
    assert blocked == []


def test_an_uploaded_hostile_list_joins_the_map_as_text(
    browser: Browser, boundaries_dir: Path, registry
):
    blocked: list[str] = []
    dialogs: list[str] = []
    with streamlit_server(sites_csv=settings.SITES_CSV, boundaries_dir=boundaries_dir) as url:
        page = offline_page(browser, blocked)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url + "/?kind=supplier")
        site_map(page).locator(".mdm-legend").wait_for()
        page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(
            str(DATA / "hostile_sites.csv")
        )
        page.get_by_text("of your sites are on the map").wait_for(timeout=30_000)
        page.wait_for_function(
            """() => [...document.querySelectorAll('iframe')].some(f => {
                   const d = f.contentDocument; if (!d) return false;
                   const o = d.querySelector('.leaflet-control-layers-overlays');
                   return o && o.textContent.includes('Your uploaded sites'); })""",
            timeout=30_000,
        )
        frame = site_map(page)
        overlays = frame.locator(".leaflet-control-layers-overlays").text_content() or ""
        # the filter (suppliers) applies to uploads too: one hostile row is a supplier
        assert "Your uploaded sites (1)" in overlays
        assert "Your uploaded sites" in (frame.locator(".mdm-legend").text_content() or "")
        assert open_every_popup(page) >= 2
        page.wait_for_timeout(500)
        body = frame.locator("body").inner_text()
        assert "<img src=x onerror=alert(1)>" in body  # the uploaded supplier's name, as text
        assert frame.locator("img[src='x']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "app-upload.png"), full_page=False)
        page.close()
    assert dialogs == []
    assert blocked == []
