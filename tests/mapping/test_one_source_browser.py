"""The live map and the standalone page, side by side in Chromium: the same sites drawn the same.

Both outputs are read in the browser: each marker's drawing options (shape, colour, fill,
outline, dashes, planned ring, closing bar), the legend's entries and counts, and the popup of
an approximate point. They come from one source, so they must be equal.

The live page is opened once for the module: each test starts from it with no popup open, at
the size it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import Page

from mapping import assets
from mapping.sitemap import build_map
from tests.support.app_map import settle
from tests.support.browser import SharedCache, wait_until_still
from tests.support.servers import livemap_page_server

pytestmark = pytest.mark.browser


def site(site_id, name, kind, caps, lat, lon, precision, status="active", closes=""):
    return {
        "site_id": site_id,
        "name": name,
        "kind": kind,
        "capabilities": caps,
        "lat": lat,
        "lon": lon,
        "location_precision": precision,
        "status": status,
        "opened": "",
        "closes": closes,
    }


SITES = [
    site("sinfin", "Sinfin Works", "prime", ["combat_air"], 52.9247, -1.478, "town"),
    site("raynesway", "Raynesway", "prime", ["nuclear_propulsion"], 52.9247, -1.478, "town"),
    site(
        "academy", "Skills Academy", "skills_centre", ["skills_training"], 52.9247, -1.478, "town"
    ),
    site("coningsby", "Coningsby", "military", ["combat_air"], 53.09306, -0.16611, "site"),
    site(
        "lab",
        "Campus Laboratory for Quantum Navigation, Sensing and Timing (West Building)",
        "university",
        ["quantum"],
        52.45056,
        -1.93056,
        "street",
    ),
    site("barrels", "Barrel Plant", "supplier", ["land_systems"], 52.69, -2.49, "town", "planned"),
    site("closing", "Old Depot", "military", ["supply_chain"], 52.8, -2.1, "postcode", "closing"),
]

#: JavaScript: every shown marker's drawing options by site id, and the legend's rows.
READ = """() => {
  const s = window.livemap.sites, out = {};
  for (const i of s.shown()) {
    const o = s.marker(i).options;
    out[s.id(i)] = [o.kind, o.fillColor, o.fillOpacity, o.color, o.weight, o.dashArray || "",
                    o.radius, Boolean(o.planned), Boolean(o.closing), s.sharing(i).length];
  }
  const rows = [...document.querySelectorAll(".mdm-legend .mdm-row")].map(
    (row) => row.textContent.trim());
  return {markers: out, legend: rows};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> Iterator[str]:
    with livemap_page_server(SITES, tmp_path_factory.mktemp("one-source"), boundaries_dir) as url:
        yield url


@pytest.fixture(scope="module")
def standalone_page(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> Path:
    frame = gpd.GeoDataFrame(
        SITES,
        geometry=gpd.points_from_xy([s["lon"] for s in SITES], [s["lat"] for s in SITES]),
        crs="EPSG:4326",
    )
    fmap = build_map(frame, boundaries_dir=boundaries_dir, large_data_threshold=0)
    path = tmp_path_factory.mktemp("one-source-page") / "map.html"
    path.write_text(assets.inline_html(fmap.get_root().render()), encoding="utf-8")
    return path


#: The desk-sized window the live page opens in.
DESK = (1400, 1000)


@pytest.fixture(scope="module")
def live_page(browser: SharedCache, server: str) -> Page:
    """The live test page, opened once for the module (each Streamlit page load costs seconds
    of CPU); its first fit's view report reruns the page once, which it waits out."""
    page = browser.new_page(viewport={"width": DESK[0], "height": DESK[1]})
    page.goto(server)
    read(page)
    settle(page)
    return page


def at_size(page: Page, size: tuple[int, int]) -> Page:
    """Make the live page ``size`` with no popup open, once the map has taken the new size and
    the view report of the resize has been handled.

    Parameters
    ----------
    page
        The module's live page.
    size
        The window's width and height.

    Returns
    -------
    Page
        The same page.
    """
    wanted = {"width": size[0], "height": size[1]}
    if page.viewport_size != wanted:
        page.set_viewport_size(wanted)
    # Leaflet re-reads its container's size on the window's resize (next animation frame)
    page.wait_for_function(
        """() => { const s = map.getSize(), c = map.getContainer();
           return s.x === c.clientWidth && s.y === c.clientHeight; }"""
    )
    page.evaluate("() => { map.closePopup(); }")
    page.wait_for_function("!document.querySelector('.leaflet-popup')")
    settle(page)
    return page


def read(page: Page) -> dict:
    page.wait_for_function(
        f"window.livemap && window.livemap.sites && window.livemap.sites.shown().length"
        f" === {len(SITES)}",
        timeout=60_000,
    )
    return page.evaluate(READ)


def test_the_live_map_and_the_standalone_page_draw_the_same(
    browser: SharedCache, live_page: Page, standalone_page: Path
) -> None:
    drawn_live = read(at_size(live_page, DESK))
    page = browser.new_page(viewport={"width": DESK[0], "height": DESK[1]})
    page.goto(standalone_page.resolve().as_uri())
    drawn_page = read(page)
    assert drawn_live["markers"] == drawn_page["markers"]
    markers = drawn_live["markers"]
    # what they agree on is what the rules say
    assert markers["coningsby"][1] != "#ffffff" and markers["coningsby"][5] == ""
    assert markers["lab"][1] == "#ffffff" and markers["lab"][5], "a street point is hollow, dashed"
    assert markers["barrels"][7] and not markers["coningsby"][7], "the planned site is ringed"
    assert markers["closing"][8]
    assert markers["sinfin"][9] == 3, "three sites share the Derby point"
    # the same legend entries (boundary lines aside: the app's base names its own layers)
    sites_part = [row for row in drawn_live["legend"] if not row.startswith(("Combined", "Count"))]
    assert sites_part and all(row in drawn_page["legend"] for row in sites_part)
    for entry in ("approximate location: town4", "approximate location: street1", "Planned1"):
        assert entry in drawn_live["legend"], entry
    page.close()


def test_each_site_on_a_shared_point_reaches_python_by_mouse_and_keyboard(
    live_page: Page,
) -> None:
    page = at_size(live_page, DESK)
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")
    clicks_before = page.evaluate("livemap.clicks")
    shared = ["sinfin", "raynesway", "academy"]
    names = {s["site_id"]: s["name"] for s in SITES}
    for number, site_id in enumerate(shared, start=1):
        x, y = page.evaluate(
            """() => { const p = map.latLngToContainerPoint([52.9247, -1.478]);
               const r = map.getContainer().getBoundingClientRect();
               return [r.left + p.x, r.top + p.y]; }"""
        )
        page.mouse.click(x, y)
        page.locator(".mdm-shared-site").first.wait_for()
        assert page.locator(".mdm-shared-site").count() == 3
        # the list's popup pans the map clear of the corner's boxes: aim once it has stopped
        wait_until_still(page)
        page.locator(".mdm-shared-site", has_text=names[site_id]).click()
        page.get_by_text(f"clicked: {site_id}").wait_for(timeout=20_000)
        assert page.evaluate("livemap.clicks") == clicks_before + number
        page.keyboard.press("Escape")
        page.wait_for_function("!document.querySelector('.leaflet-popup')")
        settle(page)  # the rerun the click started
    # by keyboard: the list of sites reaches each of them, and Enter tells Python
    page.locator(".mdm-nav-list").focus()
    page.keyboard.press("Home")
    reached = []
    for _ in range(len(SITES)):
        option = page.locator(".mdm-nav-option").inner_text()
        for site_id in shared:
            if f": {names[site_id]}, " in option:
                page.keyboard.press("Enter")
                page.get_by_text(f"clicked: {site_id}").wait_for(timeout=20_000)
                reached.append(site_id)
        page.keyboard.press("ArrowDown")
    assert sorted(reached) == sorted(shared)


#: JavaScript: whether two boxes on the page overlap (the popup and the keyboard list's box).
OVERLAP = """([a, b]) => {
  const p = document.querySelector(a).getBoundingClientRect();
  const q = document.querySelector(b).getBoundingClientRect();
  return p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
}"""


#: JavaScript: whether the first box lies wholly inside the second (the popup inside the map).
INSIDE = """([a, b]) => {
  const p = document.querySelector(a).getBoundingClientRect();
  const q = document.querySelector(b).getBoundingClientRect();
  return p.left >= q.left - 1 && p.right <= q.right + 1 && p.top >= q.top - 1 &&
    p.bottom <= q.bottom + 1;
}"""


# (640, 600) and (800, 600): maps as narrow as the app's at 1366x768, where a long name makes
# the keyboard list tall: the popup opens beside it, narrower if need be, and wholly on the map.
# A popup's place and width are worked out as it opens, from the map's size then: the page is
# resized to each size, not opened anew.
@pytest.mark.parametrize("size", [(640, 600), (800, 600), (1366, 768), (1920, 1080)])
def test_a_site_opened_by_keyboard_is_not_hidden_by_the_keyboard_list(
    live_page: Page, size: tuple[int, int]
) -> None:
    page = at_size(live_page, size)
    page.locator(".mdm-nav-list").focus()
    page.keyboard.press("Home")  # the first site, wherever an earlier test left the list
    for _ in range(len(SITES)):
        page.keyboard.press("Enter")
        page.locator(".leaflet-popup").wait_for()
        wait_until_still(page)
        page.wait_for_timeout(400)  # the pan that brings the popup into view
        option = page.locator(".mdm-nav-option").inner_text()
        assert page.locator(".mdm-nav-help").is_visible(), "the list has focus: its help shows"
        assert not page.evaluate(OVERLAP, [".leaflet-popup", ".mdm-nav"]), option
        assert not page.evaluate(OVERLAP, [".leaflet-popup", ".leaflet-control-zoom"]), option
        assert page.evaluate(INSIDE, [".leaflet-popup", ".leaflet-container"]), option
        page.keyboard.press("Escape")
        page.wait_for_function("!document.querySelector('.leaflet-popup')")
        page.keyboard.press("ArrowDown")
