"""The folium map with its default options, in Chromium: a small selection and an upload.

``build_map`` draws every selection with the live map's scripts, not only large ones: here
eight hand-built sites and one hostile upload, with no option but the projector's legend, are
all on the canvas (no DOM marker), counted in the legend, reached one by one from the keyboard
list, and each popup shows its site's name as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from playwright.sync_api import Browser, Page

from layers.sites import load_sites
from mapping import assets, build_map
from tests.support import handbuilt
from tests.support.browser import offline_page

pytestmark = pytest.mark.browser
DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def upload(boundaries_dir: Path) -> gpd.GeoDataFrame:
    hostile = load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)
    return hostile.loc[hostile["site_id"] == "xss-probe-image"]


@pytest.fixture(scope="module")
def page_path(
    boundaries_dir: Path, upload: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    fmap = build_map(
        handbuilt.sites(), boundaries_dir=boundaries_dir, uploads=upload, large_legend=True
    )
    path = tmp_path_factory.mktemp("sitemap") / "map.html"
    path.write_text(assets.inline_html(fmap.get_root().render()), encoding="utf-8")
    return path


def open_map(browser: Browser, path: Path, dialogs: list[str], blocked: list[str]) -> Page:
    page = offline_page(browser, blocked, width=1400, height=1000, loopback=False)

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.livemap && window.livemap.sites.shown().length > 0")
    page.wait_for_timeout(400)  # the first fit may still be zooming
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")
    return page


def test_every_site_and_the_upload_are_drawn_on_the_canvas_and_counted(
    browser: Browser, page_path: Path, upload: gpd.GeoDataFrame
) -> None:
    dialogs: list[str] = []
    blocked: list[str] = []
    page = open_map(browser, page_path, dialogs, blocked)
    ids = page.evaluate(
        "() => { const s = window.livemap.sites; return s.shown().map((i) => s.id(i)); }"
    )
    assert sorted(ids) == sorted([*handbuilt.ALL, *upload["site_id"]])
    assert page.locator(".leaflet-marker-icon").count() == 0, "no site is a DOM marker"
    legend = page.locator(".mdm-legend")
    assert legend.count() == 1, "one legend: the shared one"
    assert "large" in (legend.get_attribute("class") or ""), "the projector's legend"
    assert legend.evaluate("el => getComputedStyle(el).fontSize") == "17px"
    legend.locator("summary").click()
    rows = [" ".join(row.split()) for row in legend.locator(".mdm-row").all_inner_texts()]
    assert "Your uploaded sites 1" in rows or "Your uploaded sites1" in rows, rows
    assert dialogs == [] and blocked == []
    page.close()


def test_the_keyboard_list_opens_each_site_with_its_name_as_text(
    browser: Browser, page_path: Path, upload: gpd.GeoDataFrame
) -> None:
    dialogs: list[str] = []
    blocked: list[str] = []
    page = open_map(browser, page_path, dialogs, blocked)
    expected = {*(row[1] for row in handbuilt.ROWS), "<img src=x onerror=alert(1)>"}
    total = page.evaluate("window.livemap.sites.shown().length")
    page.locator(".mdm-nav-list").focus()
    page.keyboard.press("Home")
    opened = set()
    for _ in range(total):
        page.keyboard.press("Enter")
        heading = page.locator(".leaflet-popup-content h2")
        heading.wait_for()
        opened.add(heading.inner_text())
        page.keyboard.press("Escape")
        page.locator(".leaflet-popup").wait_for(state="detached")
        page.keyboard.press("ArrowDown")
    assert opened == expected
    assert page.locator("img[src='x']").count() == 0, "the hostile name is text, not markup"
    assert dialogs == [] and blocked == []
    page.close()
