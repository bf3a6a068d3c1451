"""The app with the keyboard only, in Chromium: Tab reaches the map's sites, the arrows move
through them, Enter opens one (popup and site card), Escape closes it, focus is visible, and Tab
leaves the map again (the map is never a trap)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Page

from tests.support.app_map import map_frame
from tests.support.browser import SharedCache, offline_page

pytestmark = pytest.mark.browser
#: More than the page's controls before the map, so a missing stop shows as a failure.
MOST_TABS = 120


def focused_in_map(frame: Frame) -> str:
    """The role of the element that has focus inside the map ('' when the focus is not in it)."""
    return str(
        frame.evaluate(
            "() => { const a = document.activeElement;"
            " return a && a.closest('section.mdm-main') ? (a.getAttribute('role') || '') : ''; }"
        )
    )


def tab_until_the_map_list(page: Page, frame: Frame) -> int:
    """Press Tab until the map's site list has focus; return how many presses it took."""
    for presses in range(1, MOST_TABS + 1):
        page.keyboard.press("Tab")
        if focused_in_map(frame) == "listbox":
            return presses
    raise AssertionError(f"{MOST_TABS} presses of Tab never reached the map's sites")


def test_the_keyboard_reaches_opens_and_closes_a_site(browser: SharedCache, app_url: str):
    page = offline_page(browser, [], height=1100)
    page.goto(app_url)
    frame = map_frame(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    tab_until_the_map_list(page, frame)

    listbox = frame.get_by_role("listbox", name="Sites by keyboard")
    ring = listbox.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.boxShadow]; }"
    )
    assert ring[0] not in ("", "none") or ring[1] not in ("", "none"), (
        "the focused list shows where the focus is",
        ring,
    )
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    option = frame.get_by_role("option")
    spoken = option.inner_text()  # "2 of N: name, kind, capability, status, ..."
    assert spoken.startswith("2 of "), spoken

    page.keyboard.press("Enter")
    frame.locator(".leaflet-popup-content h2").wait_for(timeout=30_000)
    name = frame.locator(".leaflet-popup-content h2").inner_text()
    assert name and spoken.split(": ", 1)[1].startswith(name + ", "), (name, spoken)
    page.locator(".st-key-site-card").get_by_text(name, exact=True).wait_for(timeout=30_000)

    frame = map_frame(page)  # the whole page reran for the card: the same map, kept
    listbox = frame.get_by_role("listbox", name="Sites by keyboard")
    if focused_in_map(frame) != "listbox":  # a rerun may move focus: come back by Tab
        tab_until_the_map_list(page, frame)
    page.keyboard.press("Escape")
    frame.locator(".leaflet-popup").wait_for(state="detached", timeout=10_000)

    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if focused_in_map(frame) == "":
            break
    else:
        raise AssertionError("Tab never left the map: the map traps the focus")
