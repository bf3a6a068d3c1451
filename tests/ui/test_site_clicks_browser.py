"""Clicking sites in the app: the first click opens the card, and each target is 24 px wide.

At 1366x768 a press on the map once scrolled the page (the map took focus), so the first click
landed beside the site. At 390x844 a marker was a 12 px target.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.support.app_map import in_map, map_frame
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser

#: JavaScript: a shown site's point on the page, by id (null when it is not shown).
POINT = """id => { const s = livemap.sites; const i = s.shown().find(k => s.id(k) === id);
  if (i === undefined) return null;
  const p = map.latLngToContainerPoint(s.latLng(i));
  const r = map.getContainer().getBoundingClientRect();
  return {x: r.left + p.x, y: r.top + p.y, radius: s.marker(i).options.radius,
          name: s.name(i), alone: s.sharing(i).length === 1}; }"""


def settle(page: Page) -> None:
    map_frame(page)
    page.wait_for_timeout(1500)  # the first fit, and the rerun its view report starts
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")


def card_opened(page: Page, name: str) -> None:
    card = page.locator("[data-testid='stMarkdownContainer'] strong", has_text=name)
    card.first.wait_for(timeout=20_000)


def test_the_first_click_on_raf_coningsby_opens_its_card_at_1366x768(
    browser: Browser, app_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app_url}/?cap=combat_air,nuclear_propulsion")
    settle(page)
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


def test_a_marker_is_a_24_px_target_at_390x844(browser: Browser, app_url: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{app_url}/?cap=combat_air")
    settle(page)
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
    browser: Browser, app_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{app_url}/?cap=combat_air,nuclear_propulsion")
    settle(page)
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
