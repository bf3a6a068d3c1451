"""Presenter mode in Chromium: scenes on the live map (no iframe), a clicker's keys wherever the
focus is (also after a click in the map), no wrap past the last scene, the year kept, and a
scene that fits the screen at room sizes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from mapping import scenes
from tests.support.browser import SharedCache, offline_page

pytestmark = pytest.mark.browser
ORDER = [scene.key for scene in scenes.SCENES]


def open_scene(browser: SharedCache, url: str, *, width: int = 1600, height: int = 900) -> Page:
    """Open ``url`` at a screen size and wait until the scene's map has drawn its sites."""
    page = offline_page(browser, [])
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.wait_for_function(
        "() => window.livemap && livemap.firstDrawnMs !== null && livemap.sites.shown().length",
        timeout=60_000,
    )
    settle_scene(page)
    return page


def settle_scene(page: Page) -> None:
    """Wait until the scene's run has ended and its map has measured the page above it."""
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=60_000)
    page.wait_for_timeout(1500)  # the map measures the page above it once it has drawn


#: The screen sizes of a room's projector (width, height).
ROOM_SIZES = [(1366, 768), (1600, 900), (1920, 1080)]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.fixture(scope="module")
def first_scene(
    browser: SharedCache, app_url: str, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """The first scene, opened at the screen size ``request.param`` (a room's).

    The tests that ask for one size share its page; each leaves it on the first scene. Pytest
    runs a size's tests together and closes its page before the next size opens: no other
    presenter's page answers the notes window.
    """
    width, height = request.param
    page = open_scene(browser, f"{app_url}/?scene={ORDER[0]}", width=width, height=height)
    yield page
    page.close()


def at_size(*sizes: tuple[int, int]) -> pytest.MarkDecorator:
    """Give a test the first scene's page at each of ``sizes``."""
    return pytest.mark.parametrize("first_scene", sizes, indirect=True, ids=size_id)


def wait_for_scene(page: Page, key: str) -> None:
    page.wait_for_url(f"**scene={key}*", timeout=30_000)
    page.get_by_role("heading", name=scenes.scene_by_key(key).title, exact=True).wait_for(
        timeout=30_000
    )


@at_size((1600, 900))
def test_scenes_draw_on_one_live_map_with_no_iframe(first_scene: Page):
    page = first_scene
    assert page.locator("iframe").count() == 0
    overview = page.evaluate("() => livemap.sites.shown().length")
    resyncs = page.evaluate("() => livemap.resyncs")
    page.get_by_role("button", name="Next ▶").click()
    wait_for_scene(page, ORDER[1])
    page.wait_for_function("n => livemap.sites.shown().length !== n", arg=overview)
    # the same map took the scene's selection: built once, nothing sent twice
    assert page.evaluate("() => livemap.builds") == 1
    assert page.evaluate("() => livemap.resyncs") == resyncs
    # every site drawn, none hidden in a cluster bubble
    assert page.locator(".mdm-cluster").count() == 0
    page.get_by_role("button", name="◀ Previous").click()  # the first scene, for the next test
    wait_for_scene(page, ORDER[0])
    settle_scene(page)


def test_page_down_works_after_a_click_in_the_map(browser: SharedCache, app_url: str):
    page = open_scene(browser, f"{app_url}/?scene={ORDER[0]}&year=2027")
    box = page.locator("section.mdm-main").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.activeElement.closest('section.mdm-main') !== null")
    page.keyboard.press("PageDown")
    wait_for_scene(page, ORDER[1])
    page.keyboard.press("ArrowRight")
    wait_for_scene(page, ORDER[2])
    page.keyboard.press("PageUp")
    wait_for_scene(page, ORDER[1])
    assert "year=2027" in page.url
    assert page.evaluate("() => window.scrollY") == 0  # the keys did not scroll the page
    page.close()


def test_page_down_past_the_last_scene_stays_there(browser: SharedCache, app_url: str):
    page = open_scene(browser, f"{app_url}/?scene={ORDER[-1]}")
    last = len(ORDER)
    page.get_by_text(f"scene {last} of {last}", exact=False).wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Next ▶").is_disabled()
    renders = page.evaluate("() => livemap.renders")
    page.keyboard.press("PageDown")
    # the map heard the key and sent it; the rerun it started has drawn the map again
    page.wait_for_function("() => livemap.sceneKeys === 1", timeout=10_000)
    page.wait_for_function("n => livemap.renders > n", arg=renders, timeout=60_000)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=60_000)
    assert f"scene={ORDER[-1]}" in page.url
    page.get_by_role("heading", name=scenes.SCENES[-1].title, exact=True).wait_for()
    page.close()


@at_size(*ROOM_SIZES)
def test_the_scene_fits_the_screen(first_scene: Page):
    page = first_scene
    screen = page.viewport_size
    assert screen is not None
    height = screen["height"]
    found = page.evaluate(
        """() => {
          const map = document.querySelector('section.mdm-main').getBoundingClientRect();
          const legend = document.querySelector('.mdm-legend').getBoundingClientRect();
          const figures = document.querySelector('.st-key-presenter-figures')
            .getBoundingClientRect();
          const credit = document.querySelector('.st-key-presenter-credit')
            .getBoundingClientRect();
          return {map: [map.top, map.bottom, map.height], legend: [legend.top, legend.bottom],
                  figures: [figures.top, figures.bottom], credit: credit.bottom,
                  page: document.documentElement.scrollHeight, window: innerHeight}; }"""
    )
    top, bottom, map_height = found["map"]
    assert bottom <= height, found  # the whole map on the screen
    assert found["credit"] <= height + 1, found  # and the credit under it
    assert found["page"] <= height + 1, found  # nothing to scroll to
    assert map_height >= 0.5 * height, found  # the map takes most of the screen
    # the legend sits inside the map, below the figures
    assert found["legend"][0] >= top and found["legend"][1] <= bottom, found
    assert found["figures"][1] <= found["legend"][0], found


@at_size((1366, 768))
def test_text_reads_from_the_back_of_the_room(first_scene: Page):
    page = first_scene
    sizes = page.evaluate(
        """() => {
          const px = el => parseFloat(getComputedStyle(el).fontSize);
          const all = sel => [...document.querySelectorAll(sel)]
            .filter(el => !el.closest('button')).map(px);
          return {title: all('.st-key-presenter-head h2'),
                  subtitle: all('.st-key-presenter-head [data-testid=stMarkdownContainer] p'),
                  figures: all('.st-key-presenter-figures [data-testid=stMetricValue]'),
                  labels: all('.st-key-presenter-figures [data-testid=stMetricLabel] p'),
                  legend: all('.mdm-legend .mdm-row span')}; }"""
    )
    assert min(sizes["title"]) >= 24, sizes
    assert min(sizes["subtitle"]) >= 24, sizes
    assert min(sizes["figures"]) >= 24, sizes
    assert min(sizes["labels"]) >= 18, sizes
    assert min(sizes["legend"]) >= 18, sizes
    # the attribution is printed once
    credit = page.get_by_text("Office for National Statistics")
    shown = [credit.nth(i).is_visible() for i in range(credit.count())]
    assert shown.count(True) == 1, shown


@at_size((1366, 768))
def test_the_notes_window_follows_the_scene(browser: SharedCache, app_url: str, first_scene: Page):
    page = first_scene
    # the projected page holds no notes: they open in their own window
    assert page.get_by_text("This window follows the presenter's scene.").count() == 0
    notes = browser.new_page()  # in the projected page's browser context
    notes.goto(f"{app_url}/?scene={ORDER[0]}&notes=1")
    first = scenes.SCENES[0].title
    notes.get_by_role("heading", name=f"Notes: {first}").wait_for(timeout=60_000)
    assert notes.locator("section.mdm-main").count() == 0  # notes only, no map
    page.bring_to_front()
    page.keyboard.press("PageDown")
    wait_for_scene(page, ORDER[1])
    second = scenes.SCENES[1].title
    notes.get_by_role("heading", name=f"Notes: {second}").wait_for(timeout=60_000)
    assert f"scene={ORDER[1]}" in notes.url and "notes=1" in notes.url
    notes.close()
    page.keyboard.press("PageUp")  # the first scene, for the next test
    wait_for_scene(page, ORDER[0])
    settle_scene(page)
