"""The standalone map.html in headless Chromium, opened from file:// with every request blocked,
drawn by the live map's own scripts.

Approximate points look approximate on the canvas, sites that share a point are each reached
by mouse and by keyboard, a marker answers within 12 px of its centre, and the legend starts
folded and explains what it draws.

The tests that open sites on the drawing test page share one page, opened once: each starts
at its size, with no popup open and the view the page opened with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import Page

from layers.filters import SiteFilter
from layers.selection import make_selection
from layers.sites import load_sites
from mapping import export, standalone, style
from tests.support.browser import ARTIFACTS, SharedCache, open_file_offline, wait_until_still

pytestmark = pytest.mark.browser


DATA = Path(__file__).parents[1] / "data"
MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_the_offline_page_shows_its_markers_and_legend_with_no_network(
    browser: SharedCache, registry: gpd.GeoDataFrame, boundaries_dir: Path, tmp_path: Path
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
    browser: SharedCache, boundaries_dir: Path, tmp_path: Path
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


#: Three Derby sites that shared one point in the registry; here they are put on one point of
#: their own, whatever the registry holds now.
DERBY = (
    "rolls-royce-sinfin-derby",
    "rolls-royce-submarines-raynesway",
    "nuclear-skills-academy-derby",
)
DERBY_POINT = (52.91234, -1.45678)  # a point no other site holds


@pytest.fixture(scope="module")
def page_path(
    registry: gpd.GeoDataFrame, boundaries_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    sites = registry.copy()
    derby = sites["site_id"].isin(DERBY)
    assert derby.sum() == 3, "the three Derby sites are in the registry"
    sites.loc[derby, "lat"], sites.loc[derby, "lon"] = DERBY_POINT
    sites = sites.set_geometry(gpd.points_from_xy(sites["lon"], sites["lat"]), crs=registry.crs)
    selection = export.make_selection(
        sites, SiteFilter(), boundaries_dir=boundaries_dir, with_corridor=False, created=MADE
    )
    return standalone.write_standalone_html(
        selection, tmp_path_factory.mktemp("page") / "map.html", title="Drawing test"
    )


def open_page(browser: SharedCache, path: Path, width: int, height: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.livemap && window.livemap.sites.shown().length > 0")
    # the page's first fit may still be zooming: a view set now would be undone when it ends
    page.wait_for_timeout(400)
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")
    assert not errors, errors
    return page


#: The laptop-sized window the shared drawing test page opens in.
LAPTOP = (1366, 768)


@pytest.fixture(scope="module")
def shared_page(browser: SharedCache, page_path: Path) -> Page:
    """The drawing test page, opened once at laptop size for the tests that open its sites;
    the view it opened with is kept in ``start_view``."""
    page = open_page(browser, page_path, *LAPTOP)
    page.start_view = page.evaluate(  # type: ignore[attr-defined]
        "() => { const m = window.livemap.map, c = m.getCenter();"
        " return [[c.lat, c.lng], m.getZoom()]; }"
    )
    return page


def at_size(page: Page, width: int, height: int) -> Page:
    """Make the shared page ``width`` by ``height``, with no popup open and the view it opened
    with, once the map has taken the new size.

    Parameters
    ----------
    page
        The module's shared drawing test page.
    width, height
        The window's size.

    Returns
    -------
    Page
        The same page.
    """
    wanted = {"width": width, "height": height}
    if page.viewport_size != wanted:
        page.set_viewport_size(wanted)
    # Leaflet re-reads its container's size on the window's resize (next animation frame)
    page.wait_for_function(
        """() => { const m = window.livemap.map, s = m.getSize(), c = m.getContainer();
           return s.x === c.clientWidth && s.y === c.clientHeight; }"""
    )
    page.evaluate(
        "([centre, zoom]) => { const m = window.livemap.map; m.closePopup();"
        " m.setView(centre, zoom, {animate: false}); }",
        page.start_view,  # type: ignore[attr-defined]
    )
    page.locator(".leaflet-popup").wait_for(state="detached")
    return page


#: JavaScript: the index of a shown site of this precision label ("" for a point of the site)
#: with no other site within 30 px, and its point on the page.
ISOLATED = """([approximate, kind]) => {
  const sites = window.livemap.sites, map = window.livemap.map;
  const box = map.getContainer().getBoundingClientRect();
  const shown = sites.shown();
  const at = (i) => map.latLngToContainerPoint(sites.latLng(i));
  for (const i of shown) {
    const marker = sites.marker(i);
    if (Boolean(marker.options.approximate) !== approximate || marker.options.planned ||
        marker.options.closing || (kind !== null && marker.options.kind !== kind)) continue;
    const p = at(i);
    if (p.x < 60 || p.y < 200 || p.x > box.width - 320 || p.y > box.height - 60) continue;
    if (shown.some((j) => j !== i && at(j).distanceTo(p) < 30)) continue;
    return {index: i, name: sites.name(i), x: box.left + p.x, y: box.top + p.y,
            fill: marker.options.fillColor, colour: marker.options.color};
  }
  return null;
}"""

#: JavaScript: the colour of the sites' canvas under a page point (site i's renderer).
PIXEL = """([i, x, y]) => {
  const canvas = window.livemap.sites.marker(i)._renderer._container;
  const r = canvas.getBoundingClientRect();
  const scale = canvas.width / r.width;
  const d = canvas.getContext("2d").getImageData(
    Math.round((x - r.left) * scale), Math.round((y - r.top) * scale), 1, 1).data;
  return [d[0], d[1], d[2], d[3]];
}"""


def hex_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def test_an_approximate_point_is_drawn_hollow_and_a_site_point_filled(
    browser: SharedCache, page_path: Path
) -> None:
    page = open_page(browser, page_path, 1600, 1000)
    town = page.evaluate(ISOLATED, [True, None])
    exact = page.evaluate(ISOLATED, [False, None])
    assert town and exact, "an isolated town point and an isolated site point are on the map"
    page.screenshot(path=ARTIFACTS / "shared-drawing-precision.png")
    # the centre of a filled marker is its capability's colour; of a hollow one, near white
    centre = page.evaluate(PIXEL, [exact["index"], exact["x"], exact["y"]])[:3]
    assert max(abs(a - b) for a, b in zip(centre, hex_rgb(exact["fill"]), strict=True)) < 40
    hollow = page.evaluate(PIXEL, [town["index"], town["x"], town["y"]])[:3]
    assert min(hollow) > 200, f"the centre of {town['name']} is pale (hollow): {hollow}"
    dashes = page.evaluate(
        "([a, b]) => [a, b].map(i => window.livemap.sites.marker(i).options.dashArray)",
        [town["index"], exact["index"]],
    )
    assert dashes[0] and not dashes[1], "the approximate outline is dashed, the other solid"
    assert town["fill"] == "#ffffff" and town["colour"] in style.CAPABILITY_COLOURS.values()
    # the popup says why the point is approximate
    page.mouse.click(town["x"], town["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert town["name"] in popup.inner_text()
    assert "the works' address is not published in a source we cite" in popup.inner_text()
    page.close()


def test_the_legend_starts_folded_and_explains_what_is_drawn(
    browser: SharedCache, page_path: Path, registry: gpd.GeoDataFrame
) -> None:
    page = open_page(browser, page_path, 1920, 1080)
    details = page.locator(".mdm-legend details")
    assert not details.evaluate("d => d.open"), "folded at 1920 as at 1366"
    page.locator(".mdm-legend summary").click()
    legend = page.locator(".mdm-legend").inner_text()
    towns = int((registry["location_precision"] == "town").sum())
    assert f"approximate location: town\n{towns}" in legend
    planned = int((registry["status"] == "planned").sum())
    if planned:
        assert f"Planned\n{planned}" in legend
    page.close()


def test_each_site_on_a_shared_point_opens_by_mouse(shared_page: Page) -> None:
    page = at_size(shared_page, *LAPTOP)
    page.evaluate(
        "([lat, lon]) => { const m = window.livemap.map;"
        " m.setView([lat, lon], 12, {animate: false}); m.panBy([-200, -180], {animate: false}); }",
        list(DERBY_POINT),
    )
    page.wait_for_timeout(300)
    names = page.evaluate(
        "ids => { const s = window.livemap.sites; return s.shown().filter(i => "
        "ids.includes(s.id(i))).map(i => s.name(i)); }",
        list(DERBY),
    )
    assert len(names) == 3
    for name in names:
        # the last site's popup panned the map clear of the corner's boxes: aim anew
        point = page.evaluate(
            """([lat, lon]) => { const m = window.livemap.map;
            const p = m.latLngToContainerPoint([lat, lon]);
            const r = m.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""",
            list(DERBY_POINT),
        )
        page.mouse.click(*point)
        buttons = page.locator(".mdm-shared-site")
        buttons.first.wait_for()
        assert buttons.count() == 3, "the list names every site on the point"
        page.screenshot(path=ARTIFACTS / "shared-drawing-list.png")
        # the list's popup pans the map clear of the corner's boxes: aim once it has stopped
        wait_until_still(page)
        page.locator(".mdm-shared-site", has_text=name).click()
        # the list fades out as the site's own popup opens
        page.locator(".mdm-shared").wait_for(state="detached")
        assert page.locator(".leaflet-popup-content h2").inner_text() == name
        page.keyboard.press("Escape")
        page.locator(".leaflet-popup").wait_for(state="detached")


def test_each_site_on_a_shared_point_opens_by_keyboard(shared_page: Page) -> None:
    page = at_size(shared_page, *LAPTOP)
    names = page.evaluate(
        "ids => { const s = window.livemap.sites; return s.shown().filter(i => "
        "ids.includes(s.id(i))).map(i => s.name(i)); }",
        list(DERBY),
    )
    total = page.evaluate("window.livemap.sites.shown().length")
    page.locator(".mdm-nav-list").focus()
    page.keyboard.press("Home")
    reached = set()
    for _ in range(total):
        option = page.locator(".mdm-nav-option").inner_text()
        found = [name for name in names if f": {name}, " in option]
        if found:
            page.keyboard.press("Enter")
            page.locator(".leaflet-popup-content h2").wait_for()
            assert page.locator(".leaflet-popup-content h2").inner_text() == found[0]
            page.keyboard.press("Escape")
            page.locator(".leaflet-popup").wait_for(state="detached")
            reached.add(found[0])
        page.keyboard.press("ArrowDown")
    assert reached == set(names)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
def test_a_marker_answers_within_12_px_of_its_centre(
    shared_page: Page, width: int, height: int
) -> None:
    # the target's size is the page's own at every width: the page is resized, not opened anew
    page = at_size(shared_page, width, height)
    page.evaluate("() => { window.livemap.map.setZoom(9, {animate: false}); }")
    found = page.evaluate(
        """() => { const s = window.livemap.sites, m = window.livemap.map;
        const r = m.getContainer().getBoundingClientRect();
        const at = (i) => m.latLngToContainerPoint(s.latLng(i));
        for (const i of s.shown()) {
          const p = at(i);
          if (p.x < 40 || p.y < 160 || p.x > r.width - 40 || p.y > r.height - 80) continue;
          if (s.shown().some((j) => j !== i && at(j).distanceTo(p) < 40)) continue;
          if (s.sharing(i).length > 1) continue;
          // nothing (a control, the title box) covers the marker or its target
          const clear = [[0, 0], [12, 0], [0, -12], [-9, 9]].every(([dx, dy]) => {
            const hit = document.elementFromPoint(r.left + p.x + dx, r.top + p.y + dy);
            return hit && hit.tagName === "CANVAS";
          });
          if (!clear) continue;
          return {index: i, name: s.name(i), radius: s.marker(i).options.radius};
        } return null; }"""
    )
    assert found, "an isolated marker is on the map"
    assert found["radius"] < 12, "the drawn marker is smaller than its target"
    for dx, dy in ((11, 0), (0, -11), (-8, 8)):
        # an open popup may have panned the map: the marker's point is read each time, once
        # the pan has stopped (a click aimed mid-pan lands beside the marker)
        wait_until_still(page)
        x, y = page.evaluate(
            """i => { const m = window.livemap.map, r = m.getContainer().getBoundingClientRect();
            const p = m.latLngToContainerPoint(window.livemap.sites.latLng(i));
            return [r.left + p.x, r.top + p.y]; }""",
            found["index"],
        )
        page.mouse.click(x + dx, y + dy)
        heading = page.locator(".leaflet-popup-content h2")
        heading.wait_for(timeout=5_000)
        assert heading.inner_text() == found["name"], f"the first click at {dx}, {dy} px"
        page.keyboard.press("Escape")
        page.locator(".leaflet-popup").wait_for(state="detached")
