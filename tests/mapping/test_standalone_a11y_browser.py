"""The standalone map checked for WCAG 2.2 AA in Chromium: axe-core, and the keyboard alone.

axe-core comes from npm (``node_modules/axe-core``, installed by ``npm ci`` in ``make setup``) and
is injected into the page from its file, so the page itself still loads nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import Browser, Page

import settings
from layers.filters import SiteFilter
from layers.selection import Selection, make_selection
from mapping import standalone
from tests.support.browser import ARTIFACTS, open_file_offline

pytestmark = pytest.mark.browser
AXE = settings.ROOT / "node_modules" / "axe-core" / "axe.min.js"
MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
#: Violations below "serious" that remain, each with why; any other violation fails.
KNOWN_MINOR: dict[str, str] = {}
#: The three hand-built sites of the keyboard test and the names a screen reader must hear
#: (the keyboard list's options, in name order).
LABELS = [
    "1 of 3: Alpha Works, Prime contractor, Combat air and military aerospace, Active",
    "2 of 3: Beta Lab <b>, University, Quantum technologies, Closing, closes 2029, "
    "approximate location: town",
    "3 of 3: Gamma Depot, Military establishment, Land systems and armoured vehicles, Active",
]
DRAWN = "window.livemap && window.livemap.sites.shown().length > 0"


def run_axe(page: Page) -> list[dict]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run 'npm ci' (make setup) to install axe-core")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}));
        }"""
    )


def check(violations: list[dict]) -> None:
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert blocking == [], blocking
    unexplained = [v for v in violations if v["id"] not in KNOWN_MINOR]
    assert unexplained == [], f"a new violation needs a fix or a reason: {unexplained}"


@pytest.mark.parametrize("clustered", [False, True], ids=["markers", "clusters"])
def test_axe_finds_no_serious_or_critical_violation(
    browser: Browser,
    registry: gpd.GeoDataFrame,
    boundaries_dir: Path,
    tmp_path: Path,
    clustered: bool,
):
    selection = make_selection(
        registry, SiteFilter(), boundaries_dir=boundaries_dir, with_corridor=True, created=MADE
    )
    path = tmp_path / "map.html"
    path.write_text(
        standalone.standalone_html(
            selection, title="Pitch map", registry=registry, cluster_markers=clustered
        ),
        encoding="utf-8",
    )
    record: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}
    page = open_file_offline(browser, path, record)
    page.wait_for_function(DRAWN, timeout=30_000)
    page.locator(".mdm-legend").wait_for()
    unnamed = page.locator(".leaflet-marker-icon:not([aria-label])").count()
    assert unnamed == 0, f"{unnamed} marker(s) have no accessible name"
    if clustered:
        assert page.locator(".mdm-cluster[aria-label^='Cluster of ']").count() > 0
    else:
        assert page.evaluate("window.livemap.sites.shown().length") == len(registry)
    assert page.locator(".mdm-nav-list[role=listbox]").count() == 1, "sites by keyboard"
    check(run_axe(page))
    page.close()
    assert record["blocked"] == [] and record["errors"] == []


@pytest.fixture(scope="module")
def three(registry: gpd.GeoDataFrame, boundaries_dir: Path) -> Selection:
    sites = registry.loc[registry["lad_code"] != ""].head(3).copy()
    sites["name"] = ["Alpha Works", "Beta Lab <b>", "Gamma Depot"]
    sites["organisation"] = ["Alpha plc", "Beta University", "Ministry of Defence"]
    sites["kind"] = ["prime", "university", "military"]
    sites["capabilities"] = [["combat_air", "space"], ["quantum"], ["land_systems"]]
    sites["status"] = ["active", "closing", "active"]
    sites["opened"] = ["", "", ""]
    sites["closes"] = ["", "2029", ""]
    sites["lad_name"] = ["Derby", "Derby", "Lincoln"]
    sites["location_precision"] = ["site", "town", "site"]
    # three points apart, so no marker hides another
    sites["lat"], sites["lon"] = [52.92, 52.40, 53.23], [-1.48, -1.51, -0.54]
    sites = gpd.GeoDataFrame(
        sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs="EPSG:4326"
    )
    return Selection(
        sites=sites, data_version="testdata", boundaries_dir=boundaries_dir, created=MADE
    )


def test_the_page_has_a_language_a_zoomable_viewport_one_main_and_one_h1(
    browser: Browser, three: Selection, tmp_path: Path
):
    path = standalone.write_standalone_html(three, tmp_path / "map.html", title="Pitch map")
    record: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}
    page = open_file_offline(browser, path, record)
    page.wait_for_function(DRAWN, timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    viewport = page.locator("meta[name=viewport]").get_attribute("content")
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport
    assert page.locator("main").count() == 1
    assert page.locator("h1").all_inner_texts() == ["Pitch map"]
    words = page.locator("#mdm-in-words p").first.inner_text()
    assert words == (
        "The view shows 3 sites. They are spread over 2 districts; the most are in Derby (2) "
        "and Lincoln (1). The capabilities listed most often are land systems and armoured "
        "vehicles (1 site), combat air and military aerospace (1) and space and satellite "
        "applications (1)."
    )
    cells = page.locator("#mdm-in-words tbody tr td:first-child").all_inner_texts()
    assert sorted(cells) == ["Alpha Works", "Beta Lab <b>", "Gamma Depot"], "names are text"
    page.close()
    assert record["errors"] == [] and record["dialogs"] == []


def test_the_keyboard_alone_reaches_opens_and_closes_every_site(
    browser: Browser, three: Selection, tmp_path: Path
):
    path = standalone.write_standalone_html(three, tmp_path / "map.html", title="Pitch map")
    record: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}
    page = open_file_offline(browser, path, record)
    page.wait_for_function(DRAWN, timeout=30_000)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "mdm-skip"
    assert page.locator(".mdm-skip").bounding_box()["y"] >= 0, "the skip link shows on focus"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('leaflet-container')")
    for _ in range(6):  # past the zoom buttons to the list of sites
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('mdm-nav-list')"):
            break
    else:
        pytest.fail("Tab never reaches the list of sites")
    border = page.evaluate("getComputedStyle(document.activeElement).borderTopColor")
    assert border == "rgb(31, 78, 121)", "focus is visible on the list"

    reached = []
    page.keyboard.press("Home")
    for _ in range(3):
        reached.append(page.locator(".mdm-nav-option").inner_text())
        active = page.evaluate("document.activeElement.getAttribute('aria-activedescendant')")
        assert active == page.locator(".mdm-nav-option").get_attribute("id")
        page.keyboard.press("ArrowDown")
    assert reached == LABELS, "the arrow keys reach every site, each with its name"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "standalone-keyboard-focus.png"))

    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Gamma Depot" in popup.inner_text()
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert page.evaluate("document.activeElement.classList.contains('mdm-nav-list')"), (
        "focus stays on the site"
    )
    page.keyboard.press(" ")
    popup.wait_for()
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")

    page.locator(".leaflet-container").focus()
    zoom = "window[document.querySelector('.folium-map').id].getZoom()"
    before = page.evaluate(zoom)
    page.keyboard.press("Equal")
    page.wait_for_function(f"{zoom} > {before}")
    page.close()
    assert record["errors"] == [] and record["dialogs"] == []


def test_the_skip_link_leads_to_the_map_in_words(
    browser: Browser, three: Selection, tmp_path: Path
):
    path = standalone.write_standalone_html(three, tmp_path / "map.html")
    record: dict[str, list[str]] = {"blocked": [], "errors": [], "dialogs": []}
    page = open_file_offline(browser, path, record)
    page.wait_for_function(DRAWN, timeout=30_000)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "mdm-in-words"
    assert page.locator("#mdm-in-words h2").inner_text() == "The map in words"
    page.close()
