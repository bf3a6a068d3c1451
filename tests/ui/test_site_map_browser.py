"""The explorer's map in Chromium: the live map is part of the page (no iframe), and the density
heat and the light tiles draw on it instead of sending the reader to another map.

The explorer's live map in Chromium: mounted once, the reader's view kept or fitted, the view
in the link, a click opening the site card and painting the table's row, the table's ticked
rows highlighted on the map, and the map first on the page at two screen sizes.

Every expected site, extent and position is worked out here from the registry's rows (the
default view shows the sites open this year, in the registry's order).

Clicking sites: the first click opens the card, and each target is 24 px wide. At 1366x768 a
press on the map once scrolled the page (the map took focus), so the first click landed beside
the site. At 390x844 a marker was a 12 px target.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

import settings
from tests.support.app_map import (
    FRAME,
    click_site,
    drawn_ids,
    highlighted_ids,
    in_map,
    map_frame,
    settle,
    view,
    wait_for_drawn,
)
from tests.support.browser import ARTIFACTS, SharedCache, offline_page
from tests.support.oracles import open_in_year

pytestmark = pytest.mark.browser


def open_app(browser: SharedCache, url: str, blocked: list[str]) -> Page:
    """Open the app at 1366x768 offline and wait until its map is drawn and settled.

    Parameters
    ----------
    browser
        The test process's Chromium.
    url
        The app's address.
    blocked
        Receives every request that would have left the machine.
    """
    page = offline_page(browser, blocked)
    page.set_viewport_size({"width": 1366, "height": 768})
    started = time.monotonic()
    page.goto(url)
    map_frame(page)
    print(f"1366x768: sites drawn {time.monotonic() - started:.2f} s after opening")
    settle(page)
    return page


@pytest.fixture(scope="module")
def first_view(browser: SharedCache, app_url: str) -> Iterator[tuple[Page, list[str]]]:
    """The app as first opened at 1366x768, offline, and the requests it would have sent away.

    The tests that read it share it (a page costs seconds of CPU to open); each puts back what
    it switches on, so the next finds the first view.
    """
    blocked: list[str] = []
    opened = open_app(browser, app_url, blocked)
    yield opened, blocked
    opened.close()


def test_the_live_map_has_no_iframe(first_view: tuple[Page, list[str]]):
    page, _ = first_view
    assert page.locator("iframe").count() == 0
    assert page.locator("[data-testid=stBidiComponentRegular] section.mdm-main").count() == 1
    # the documented handles: the Leaflet map and the map's state, in the page itself
    assert page.evaluate("() => window.map === window.livemaps['site-map'].map")
    assert page.evaluate("() => livemap.sites.shown().length") > 50


def test_the_density_heat_draws_on_the_live_map(first_view: tuple[Page, list[str]]):
    page, _ = first_view
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
    settle(page)


#: The basemap's two choices (a radio): light tiles, or the land drawn from the boundaries.
TILES = "Light grey tiles (Esri; needs internet)"
DRAWN_LAND = "Offline (boundaries as the base; no internet needed)"


def test_light_tiles_draw_on_the_live_map_in_place_of_the_drawn_land(
    first_view: tuple[Page, list[str]],
):
    page, blocked = first_view
    # this test runs offline: the tiles are asked for from their server, and blocked
    with page.expect_request(lambda request: "arcgisonline.com" in request.url):
        page.get_by_text(TILES).click()
        page.wait_for_function("() => livemap.tiles", timeout=60_000)
    assert page.evaluate("() => livemap.builds") == 1
    assert page.locator(".mdm-main .leaflet-tile-pane img, .mdm-main .leaflet-tile").count() > 0
    assert any("arcgisonline.com" in url for url in blocked), blocked[:3]
    assert "Esri" in page.locator(".mdm-main .leaflet-control-attribution").inner_text()
    page.get_by_text(DRAWN_LAND).click()  # back to the drawn land, for the next test
    page.wait_for_function("() => !livemap.tiles", timeout=60_000)
    settle(page)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_map_comes_first(first_view: tuple[Page, list[str]], width: int, height: int) -> None:
    opened, _ = first_view
    # the map's height is fixed: only the page's layout follows the screen, so one page serves
    # both sizes (the app was first opened at 1366x768)
    opened.set_viewport_size({"width": width, "height": height})
    to_top(opened)
    settle(opened)
    frame = opened.locator(FRAME).first.bounding_box()
    row = opened.locator(".st-key-map-and-card").bounding_box()
    assert frame is not None and row is not None
    assert frame["y"] <= 300
    assert frame["y"] + frame["height"] <= height  # the whole map on the first screen
    assert frame["width"] >= 0.7 * row["width"]  # the card takes the rest of the width
    counts = opened.get_by_text(" organisations · ", exact=False).first
    line = counts.bounding_box()
    assert line is not None and line["y"] + line["height"] <= frame["y"]
    assert float(counts.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
    belt = opened.get_by_text("The belt is a computed model").first
    belt.scroll_into_view_if_needed()
    assert belt.is_visible()
    assert float(belt.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 12
    to_top(opened)
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"app-{width}x{height}.png"))
    opened.set_viewport_size({"width": 1366, "height": 768})  # the first view's size again


def to_top(page: Page) -> None:
    """Scroll the page and each of its scrolled boxes back to their tops (the first screen)."""
    page.evaluate(
        "() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
    )
    page.wait_for_function(
        "() => ![...document.querySelectorAll('*')].some(e => e.scrollTop)", timeout=10_000
    )


SEARCH = "Search name, organisation, description"
#: The painted row's background (ui.tabs.sites.HIGHLIGHT, #ffe08a) as RGB.
PAINT = (255, 224, 138)
#: The sites table's rows and header are this many pixels high (Streamlit's default).
ROW_PX = 35
#: What the map frame holds, for a failure message.
MAP_STATE = """() => ({shown: livemap.sites.shown().length, renders: livemap.renders,
  resyncs: livemap.resyncs, resyncReason: livemap.resyncReason || null,
  waitingForResync: livemap.resync,
  status: (document.getElementById("mdm-status") || {}).textContent})"""


@pytest.fixture(scope="module")
def shown(registry) -> pd.DataFrame:
    """The sites the page shows at first (open this year, planned ones too), in table order."""
    rows = registry[[open_in_year(site, planned=True) for site in registry.to_dict("records")]]
    return rows.reset_index(drop=True)


@pytest.fixture(scope="module")
def explorer(browser: SharedCache, app_url: str) -> Iterator[tuple[Page, list[str]]]:
    """The app at 1600x1100, and the messages of every dialog it opened (dismissed).

    The tests that search, click and tick on it share it. The searches leave it as they found
    it (every site drawn, nothing searched or kept); a card has no close button, so the marker
    click, which needs none open, comes before the ticked rows, which open one.
    """
    opened = browser.new_page(viewport={"width": 1600, "height": 1100})
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.goto(app_url)
    map_frame(opened)
    settle(opened)
    yield opened, dialogs
    opened.close()


@pytest.fixture
def page(explorer: tuple[Page, list[str]]) -> Iterator[Page]:
    """The shared explorer page; no test may leave a dialog opened on it."""
    opened, dialogs = explorer
    yield opened
    assert dialogs == []


def matching(shown: pd.DataFrame, text: str) -> list[str]:
    """The ids of the sites whose name, organisation or description holds ``text``."""
    needle = text.casefold()
    found = [
        row["site_id"]
        for row in shown.to_dict("records")
        if any(needle in str(row[c]).casefold() for c in ("name", "organisation", "description"))
    ]
    return sorted(found)


def search(page: Page, text: str, expected: list[str]) -> None:
    """Type ``text`` into the sidebar's search and wait until the map draws ``expected``."""
    box = page.get_by_label(SEARCH)
    for attempt in (1, 2):
        if attempt == 2:
            # on a busy machine Streamlit can drop a keystroke's rerun; the box already holds
            # the text (so typing it again changes nothing): clear it, let that run, type again
            box.fill("")
            box.press("Enter")
            settle(page)
        box.fill(text)
        box.press("Enter")
        try:
            wait_for_drawn(page, len(expected))
            break
        except PlaywrightTimeoutError as exc:
            state = in_map(page, MAP_STATE)
            if attempt == 2:
                raise AssertionError(f"the map never drew {len(expected)} sites: {state}") from exc
            print(f"search {text!r}: no redraw after 60 s ({state}); typing it again")
    assert drawn_ids(page) == expected


def extent(shown: pd.DataFrame, ids: list[str]) -> dict[str, float]:
    rows = shown[shown["site_id"].isin(ids)]
    return {
        "south": rows["lat"].min(),
        "north": rows["lat"].max(),
        "west": rows["lon"].min(),
        "east": rows["lon"].max(),
    }


def holds(box: dict[str, float], inner: dict[str, float]) -> bool:
    return (
        box["south"] <= inner["south"]
        and box["north"] >= inner["north"]
        and box["west"] <= inner["west"]
        and box["east"] >= inner["east"]
    )


def fits_tightly(box: dict[str, float], inner: dict[str, float]) -> bool:
    """The view holds the extent, and is less than twice its size along one side."""
    width = (box["east"] - box["west"]) / max(inner["east"] - inner["west"], 1e-6)
    height = (box["north"] - box["south"]) / max(inner["north"] - inner["south"], 1e-6)
    return holds(box, inner) and min(width, height) < 2


def link_view(page: Page) -> tuple[list[float], float]:
    query = parse_qs(urlparse(page.url).query)
    lat, lon = (float(v) for v in query["c"][0].split(","))
    return [lat, lon], float(query["z"][0])


def painted_pixels(page: Page) -> int:
    """How many pixels of the sites table's canvases have the painted row's colour."""
    return int(
        page.get_by_test_id("stDataFrame")
        .first.locator("canvas")
        .first.evaluate(
            """(canvas, rgb) => { const ctx = canvas.getContext('2d');
               const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
               let n = 0;
               for (let k = 0; k < data.length; k += 4) {
                 if (Math.abs(data[k] - rgb[0]) < 6 && Math.abs(data[k + 1] - rgb[1]) < 6 &&
                     Math.abs(data[k + 2] - rgb[2]) < 6) n++;
               }
               return n; }""",
            list(PAINT),
        )
    )


def painted_once_shown(page: Page, position: int, *, attempts: int = 20) -> int:
    """The painted pixels once the row at ``position`` is drawn painted, or the last count.

    The table is a canvas: a rerun after the click (the popup's pan reports the view) redraws it
    and may scroll it back, and a loaded machine repaints late. So scroll to the row again and
    count again, up to ``attempts`` times half a second apart, before giving the count back.
    """
    count = 0
    for _ in range(attempts):
        settle(page)
        scroll_table_to(page, position)
        count = painted_pixels(page)
        if count > 1000:
            break
    return count


def scroll_table_to(page: Page, position: int) -> None:
    """Bring the table into view and scroll it so the row at ``position`` is shown."""
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    table.locator(".dvn-scroller").evaluate(
        "(box, top) => { box.scrollTop = top; }", max(0, (position - 3) * ROW_PX)
    )
    page.wait_for_timeout(500)


def tick_row(page: Page, position: int) -> None:
    """Tick the row at ``position`` (the box left of it), the table scrolled to its top."""
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + ROW_PX * (position + 1) + ROW_PX / 2)
    settle(page)


def test_the_map_is_not_mounted_again_over_ten_filter_changes(page: Page, shown) -> None:
    in_map(page, "() => { window.keptAcrossChanges = 'still here'; }")
    resyncs = in_map(page, "() => livemap.resyncs")
    words = [
        "rolls-royce",
        "university",
        "barracks",
        "raf",
        "space",
        "babcock",
        "cyber",
        "nuclear",
        "derby",
        "",
    ]
    previous: list[str] = []
    for word in words:
        expected = matching(shown, word) if word else sorted(shown["site_id"])
        assert expected and expected != previous, word  # each change shows other sites
        search(page, word, expected)
        previous = expected
    assert in_map(page, "() => window.keptAcrossChanges") == "still here"
    assert in_map(page, "() => livemap.builds") == 1
    # a render that a newer one overtook is caught up by a resync, never by building again
    assert in_map(page, "() => livemap.resyncs") - resyncs <= 2


def test_a_notice_above_the_map_going_away_does_not_mount_it_again(
    browser: SharedCache, app_url: str, shown
) -> None:
    opened = browser.new_page(viewport={"width": 1600, "height": 1100})
    opened.goto(f"{app_url}/?cap=combat_ai")  # an unknown slug: a warning, shown once
    notice = opened.get_by_text("The link asked for something this data does not have")
    notice.wait_for(timeout=60_000)
    map_frame(opened)
    settle(opened)
    in_map(opened, "() => { window.keptAcrossChanges = 'still here'; }")
    search(opened, "university", matching(shown, "university"))
    settle(opened)
    assert notice.count() == 0
    assert in_map(opened, "() => window.keptAcrossChanges") == "still here"
    assert in_map(opened, "() => livemap.builds") == 1
    opened.close()


def test_keep_my_view_keeps_a_zoom_and_without_it_the_view_fits(page: Page, shown) -> None:
    page.get_by_text("Keep my view").click()
    settle(page)
    frame = map_frame(page)
    frame.locator(".leaflet-control-zoom-in").click()
    frame.locator(".leaflet-control-zoom-in").click()
    settle(page)
    before = view(page)
    fits = in_map(page, "() => livemap.fits")
    search(page, "university", matching(shown, "university"))
    settle(page)
    after = view(page)
    pixel = (before["east"] - before["west"]) / in_map(page, "() => map.getSize().x")
    assert after["zoom"] == before["zoom"]
    # the same centre, to within a pixel: the page growing or shrinking below the map (the
    # table's rows) can resize the map by a scrollbar's width, and Leaflet keeps its centre
    # through a resize to the pixel (a fit would move it by far more)
    assert (after["lat"], after["lon"]) == pytest.approx((before["lat"], before["lon"]), abs=pixel)
    assert in_map(page, "() => livemap.fits") == fits
    # the link carries the view the reader made (zoom to 0.01; the centre to within a pixel,
    # as Leaflet reports it either from the view it was asked for or from the panes' pixels)
    centre, zoom = link_view(page)
    assert zoom == pytest.approx(before["zoom"], abs=0.01)
    assert centre == pytest.approx([before["lat"], before["lon"]], abs=pixel)

    page.get_by_text("Keep my view").click()
    settle(page)
    rolls_royce = matching(shown, "rolls-royce")
    assert len(rolls_royce) >= 2
    search(page, "rolls-royce", rolls_royce)
    settle(page)
    assert fits_tightly(view(page), extent(shown, rolls_royce)), view(page)
    assert in_map(page, "() => livemap.fits") > fits
    search(page, "", sorted(shown["site_id"]))  # every site again, for the next test
    settle(page)


def test_a_copied_link_reproduces_the_view(browser: SharedCache, app_url: str) -> None:
    opened = browser.new_page(viewport={"width": 1600, "height": 1100})
    opened.goto(f"{app_url}/?c=52.92,-1.4746&z=11.5&kind=prime")
    map_frame(opened)
    settle(opened)
    found = view(opened)
    assert found["zoom"] == 11.5
    assert (found["lat"], found["lon"]) == pytest.approx((52.92, -1.4746), abs=1e-4)
    assert link_view(opened) == ([52.92, -1.4746], 11.5)
    assert "kind=prime" in opened.url  # the other parameters are kept
    # a view away from Great Britain, or a zoom out of range, is ignored: the map fits
    opened.goto(f"{app_url}/?c=0,0&z=40")
    map_frame(opened)
    settle(opened)
    assert in_map(opened, "() => map.getCenter().lat") > 51
    opened.close()


def test_a_marker_click_opens_the_card_and_paints_the_table_row(page: Page, shown) -> None:
    # the site farthest from any other, so the mouse can only hit its marker
    metric = shown.to_crs(settings.CRS_METRIC)
    gaps = [
        metric.geometry.drop(index=i).distance(point).min()
        for i, point in enumerate(metric.geometry)
    ]
    position = max(range(len(shown)), key=gaps.__getitem__)
    site = shown.iloc[position]
    scroll_table_to(page, position)
    assert painted_pixels(page) == 0  # no card open: nothing painted

    click_site(page, site["site_id"])
    card = page.locator(".st-key-site-card")
    card.get_by_text(site["name"], exact=True).wait_for(timeout=30_000)
    assert site["organisation"] in card.inner_text()
    popup = map_frame(page).locator(".leaflet-popup-content h2")
    assert popup.inner_text() == site["name"]
    assert highlighted_ids(page) == [site["site_id"]]
    page.get_by_text(f"Painted yellow: row {position + 1}, ").wait_for(timeout=30_000)
    assert painted_once_shown(page, position) > 1000  # the row's background, across the table


def test_ticked_table_rows_are_highlighted_on_the_map(page: Page, shown) -> None:
    chosen = [1, 3]
    scroll_table_to(page, 0)  # tick_row counts rows from the top (a marker click scrolls)
    for position in chosen:
        tick_row(page, position)
    expected = sorted(shown["site_id"].iloc[chosen])
    map_frame(page).wait_for_function(
        "ids => JSON.stringify(livemap.sites.selected().map(i => livemap.sites.id(i)).sort())"
        " === JSON.stringify(ids)",
        arg=expected,
        timeout=30_000,
    )
    assert highlighted_ids(page) == expected
    assert map_frame(page).locator(".mdm-selected").count() == 2
    settle(page)
    assert holds(view(page), extent(shown, expected))


#: JavaScript: a shown site's point on the page, by id (null when it is not shown).
POINT = """id => { const s = livemap.sites; const i = s.shown().find(k => s.id(k) === id);
  if (i === undefined) return null;
  const p = map.latLngToContainerPoint(s.latLng(i));
  const r = map.getContainer().getBoundingClientRect();
  return {x: r.left + p.x, y: r.top + p.y, radius: s.marker(i).options.radius,
          name: s.name(i), alone: s.sharing(i).length === 1}; }"""


def settle_first_fit(page: Page) -> None:
    """Wait for the first fit, and for the rerun its view report starts to end."""
    map_frame(page).wait_for_function("() => livemap.fits > 0", timeout=60_000)
    settle(page)
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")


def card_opened(page: Page, name: str) -> None:
    card = page.locator("[data-testid='stMarkdownContainer'] strong", has_text=name)
    card.first.wait_for(timeout=20_000)


def test_the_first_click_on_raf_coningsby_opens_its_card_at_1366x768(
    browser: SharedCache, app_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app_url}/?cap=combat_air,nuclear_propulsion")
    settle_first_fit(page)
    point = in_map(page, POINT, "raf-coningsby")
    assert point, "RAF Coningsby is on the map under the combat air and nuclear filter"
    page.locator("section.mdm-main").scroll_into_view_if_needed()
    point = in_map(page, POINT, "raf-coningsby")
    top = "() => map.getContainer().getBoundingClientRect().top"
    before = in_map(page, top)
    page.mouse.move(point["x"], point["y"])
    page.mouse.down()
    assert in_map(page, top) == before, "pressing the mouse on the map scrolls nothing"
    page.mouse.up()
    card_opened(page, point["name"])
    assert in_map(page, "() => livemap.clicks") == 1, "one click was enough"
    page.screenshot(path=ARTIFACTS / "first-click-1366.png")
    page.close()


def test_a_marker_is_a_24_px_target_at_390x844(browser: SharedCache, app_url: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{app_url}/?cap=combat_air")
    settle_first_fit(page)
    page.locator("section.mdm-main").scroll_into_view_if_needed()
    ids = in_map(page, "() => livemap.sites.shown().map(i => livemap.sites.id(i))")
    found = None
    for site_id in ids:
        point = in_map(page, POINT, site_id)
        clear = (
            point
            and point["alone"]
            and page.evaluate(
                """([x, y]) => [[0, 0], [11, 0], [-11, 0], [0, 11], [0, -11]].every(([dx, dy]) => {
                 const hit = document.elementFromPoint(x + dx, y + dy);
                 return hit && hit.tagName === 'CANVAS'; })""",
                [point["x"], point["y"]],
            )
        )
        others = [in_map(page, POINT, other) for other in ids if other != site_id]
        if clear and all(
            abs(o["x"] - point["x"]) > 30 or abs(o["y"] - point["y"]) > 30 for o in others if o
        ):
            found = {**point, "id": site_id}
            break
    assert found, "a site with room around it is on the phone's map"
    assert found["radius"] * 2 < 24, "the drawn marker is smaller than its target"
    point = in_map(page, POINT, found["id"])
    page.mouse.click(point["x"] + 11, point["y"])  # 11 px from the centre, outside the shape
    card_opened(page, found["name"])
    page.close()


def test_under_a_capability_filter_the_legend_counts_add_up_to_what_is_drawn(
    browser: SharedCache, app_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{app_url}/?cap=combat_air,nuclear_propulsion")
    settle_first_fit(page)
    details = page.locator(".mdm-legend details")
    assert not details.evaluate("d => d.open"), "the legend starts folded at 1920"
    counted = in_map(
        page,
        """() => { const heading = [...document.querySelectorAll('.mdm-legend h2')].find(
             h => h.textContent === 'Main capability (colour)');
           const rows = [...heading.nextElementSibling.querySelectorAll('.mdm-row')];
           return {shown: livemap.sites.shown().length,
                   rows: rows.map(r => [r.children[1].textContent,
                                        Number(r.querySelector('.mdm-count').textContent)])}; }""",
    )
    labels = [label for label, _ in counted["rows"]]
    assert labels == [
        "Combat air and military aerospace",
        "Nuclear propulsion and reactors",
    ], "each site takes the colour of the first chosen capability it has"
    assert sum(n for _, n in counted["rows"]) == counted["shown"], "the counts add up"
    page.close()
