"""The app in a real browser (Debian's Chromium, headless) with every outside request blocked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.app_map import (
    click_site,
    drawn_ids,
    in_map,
    map_frame,
    marker_texts,
    wait_for_drawn,
)
from tests.support.browser import ARTIFACTS, offline_page, streamlit_server
from tests.support.oracles import open_in_year

pytestmark = pytest.mark.browser
DATA = Path(__file__).parent / "data"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def registry(registry):
    """The registry as the app shows it by default: the sites open this year, and planned ones."""
    return registry[[open_in_year(site, planned=True) for site in registry.to_dict("records")]]


def feature_count(page: Page) -> int:
    """How many GeoJSON features (boundaries, the belt) the live map holds."""
    return int(
        in_map(page, "() => { let n = 0; map.eachLayer(l => { if (l.feature) n++; }); return n; }")
    )


def test_the_map_draws_offline_and_follows_a_capability_filter(
    browser: Browser, app_url: str, registry
):
    blocked: list[str] = []
    page = offline_page(browser, blocked, height=1100, accept_downloads=True)
    page.goto(app_url)
    frame = map_frame(page)
    frame.locator(".mdm-legend").wait_for()
    assert frame.locator("canvas").count() >= 1  # boundaries and sites drawn on canvas
    assert feature_count(page) >= 67 + 26 + 3  # LADs, counties and CAs are on the map
    assert drawn_ids(page) == sorted(registry["site_id"])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app-all-sites.png"), full_page=False)

    chooser = page.get_by_test_id("stMultiSelect").first
    chooser.click()
    page.keyboard.type("Combat air")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    combat_air = registry[registry["capabilities"].map(lambda caps: "combat_air" in caps)]
    assert 0 < len(combat_air) < len(registry)
    wait_for_drawn(page, len(combat_air))
    assert drawn_ids(page) == sorted(combat_air["site_id"])
    assert "cap=combat_air" in page.url
    page.screenshot(path=str(ARTIFACTS / "app-combat-air.png"), full_page=False)

    page.get_by_role("tab", name="Export").click()
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Sites · CSV").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")))
    )
    assert len(rows) == len(combat_air)
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
        page = offline_page(browser, blocked, height=1100)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url + "/?belt=0")
        frame = map_frame(page)
        frame.locator(".mdm-legend").wait_for()
        texts = marker_texts(page)
        assert len(texts) >= 3
        hostile = [pair for pair in texts if HOSTILE in pair[0]]
        assert hostile, texts  # the name is shown as text in its popup ...
        assert HOSTILE in hostile[0][1]  # ... and its tooltip
        assert frame.locator("img[src='x']").count() == 0

        click_site(page, "xss-probe-image")
        card = page.locator(".st-key-site-card")
        card.get_by_text(HOSTILE, exact=True).wait_for(timeout=30_000)  # the card's heading
        assert HOSTILE in (frame.locator(".leaflet-popup-content h2").text_content() or "")
        assert "<script>alert('org')</script>" in card.inner_text()  # the organisation, as text
        assert page.locator("img[src='x']").count() == 0
        # the source address holds markup, so the card shows it as text and never links it
        assert card.get_by_role("link").count() == 0
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "app-hostile.png"), full_page=False)
        page.close()
    assert dialogs == []
    assert blocked == []


def test_an_uploaded_hostile_list_joins_the_map_as_text(browser: Browser, app_url: str, registry):
    blocked: list[str] = []
    dialogs: list[str] = []
    page = offline_page(browser, blocked, height=1100)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url + "/?kind=supplier")
    map_frame(page).locator(".mdm-legend").wait_for()
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(
        str(DATA / "hostile_sites.csv")
    )
    page.get_by_text("of your sites are on the map").wait_for(timeout=30_000)
    frame = map_frame(page)
    frame.locator(".mdm-legend summary").click()  # the legend starts folded; unfold it
    uploaded = frame.locator(".mdm-legend .mdm-row", has_text="Your uploaded sites")
    uploaded.wait_for(timeout=30_000)
    # the filter (suppliers) applies to uploads too: one hostile row is a supplier
    assert uploaded.inner_text().split()[-1] == "1"
    suppliers = int((registry["kind"] == "supplier").sum())
    assert len(drawn_ids(page)) == suppliers + 1
    texts = marker_texts(page)
    yours = [popup for popup, _ in texts if "Your uploaded file" in popup]
    assert len(yours) == 1 and HOSTILE in yours[0]  # the uploaded supplier's name, as text
    assert frame.locator("img[src='x']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "app-upload.png"), full_page=False)
    page.close()
    assert dialogs == []
    assert blocked == []
