"""The officer's and the phone user's paths in a real browser: a shared link opened three times
stays the same link, the app's download agrees with the command line, the planned Telford
factory is on the map as planned, and on a phone the sidebar starts closed over a map of the
selection."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page

import settings
from mapping import export
from tests.support.app_map import click_site, drawn_ids, map_frame, settle, view
from tests.support.browser import ARTIFACTS, offline_page

pytestmark = pytest.mark.browser

OFFICER_LINK = "/?cap=land_systems&area=E06000020,E06000051"
PLANNED = "rheinmetall-telford-gun-barrels"


def opened(page: Page, url: str) -> dict[str, list[str]]:
    page.goto(url)
    map_frame(page)
    settle(page)
    return parse_qs(urlparse(page.url).query)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_a_shared_link_opened_three_times_stays_the_same(
    browser: Browser, app_url: str, width: int, height: int
):
    page = offline_page(browser, [], width=width, height=height)
    first = opened(page, app_url + OFFICER_LINK)
    assert first["area"] == ["E06000020,E06000051"]
    link = page.url
    for _ in range(2):
        again = opened(page, link)
        assert again["area"] == first["area"] and again["cap"] == first["cap"]
        link = page.url
    caption = page.get_by_text("Showing:").first.text_content() or ""
    assert "areas: Telford and Wrekin, Shropshire" in caption
    assert "E06000020" not in caption
    page.screenshot(path=str(ARTIFACTS / f"officer_link_{width}.png"))
    page.close()


def test_the_apps_geojson_is_the_command_lines(
    browser: Browser, app_url: str, boundaries_dir: Path, tmp_path: Path
):
    page = offline_page(browser, [], width=1366, height=768, accept_downloads=True)
    opened(page, app_url + OFFICER_LINK)
    page.get_by_role("tab", name="Export").click()
    button = page.get_by_role("button", name="Sites · GeoJSON")
    button.scroll_into_view_if_needed()
    with page.expect_download() as info:
        button.click()
    name = info.value.suggested_filename
    assert name.startswith("land-systems_telford-and-wrekin+shropshire_") and name.endswith(
        ".geojson"
    )
    from_app = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    page.screenshot(path=str(ARTIFACTS / "officer_export_1366.png"))
    page.close()
    out = tmp_path / "cli.geojson"
    argv = ["--sites", str(settings.SITES_CSV), "--boundaries", str(boundaries_dir)]
    argv += ["--format=geojson", "--capability=land_systems", "--area=Telford and Wrekin"]
    argv += ["--area=shropshire", "-o", str(out)]
    assert export.main(argv) == 0
    from_cli = json.loads(out.read_text(encoding="utf-8"))

    def rows(collection: dict) -> dict[str, tuple[str, str, str, str]]:
        return {
            f["id"]: tuple(
                f["properties"][c] for c in ("status", "opened", "closes", "location_precision")
            )
            for f in collection["features"]
        }

    assert rows(from_app) == rows(from_cli)
    assert rows(from_app)["clive-barracks-tern-hill"][0] == "closing"
    assert rows(from_app)[PLANNED][0] == "planned"
    for key in ("as_of", "areas"):
        assert from_app["metadata"][key] == from_cli["metadata"][key]


@pytest.mark.parametrize("year", [2020, 2026, 2029])
def test_the_planned_telford_factory_is_on_the_map_as_planned(
    browser: Browser, app_url: str, year: int
):
    page = offline_page(browser, [], width=1366, height=768)
    opened(page, f"{app_url}/?q=gun%20barrel&year={year}")
    assert drawn_ids(page) == [PLANNED]
    click_site(page, PLANNED)
    card = page.locator(".st-key-site-card")
    card.get_by_text("Planned", exact=True).first.wait_for(timeout=30_000)
    assert "Rheinmetall gun barrel factory" in (card.text_content() or "")
    if year == 2020:
        page.screenshot(path=str(ARTIFACTS / "analyst_planned_1366.png"))
    # the toggle leaves it out, and the link says so
    hidden = opened(page, f"{app_url}/?q=gun%20barrel&year={year}&planned=0")
    assert hidden["planned"] == ["0"]
    assert drawn_ids(page) == []
    page.close()


def test_on_a_phone_the_sidebar_is_closed_and_the_map_shows_the_selection(
    browser: Browser, app_url: str
):
    page = offline_page(browser, [], width=390, height=844)
    opened(page, app_url + OFFICER_LINK)
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box()
    assert box is None or box["x"] + box["width"] <= 1, "the sidebar starts closed"
    seen = view(page)
    # the map is fitted to the chosen areas, Telford and Wrekin and Shropshire (together about
    # 52.31..52.99 N, 3.24..2.23 W): all of them in view, with no more than a margin around them
    assert 51.7 < seen["south"] < 52.31 and 52.99 < seen["north"] < 53.5
    assert -3.6 < seen["west"] < -3.24 and -2.23 < seen["east"] < -1.9
    page.screenshot(path=str(ARTIFACTS / "phone_390.png"))
    page.set_viewport_size({"width": 320, "height": 700})
    page.wait_for_timeout(800)
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, "no sideways scrolling at 320 px"
    page.close()


def test_the_card_answers_what_is_near_and_stays_open_for_suppliers(browser: Browser, app_url: str):
    page = offline_page(browser, [], width=1366, height=768)
    opened(page, f"{app_url}/?cap=combat_air,nuclear_propulsion")
    click_site(page, "raf-coningsby")
    settle(page)
    card = page.locator(".st-key-site-card")
    card.get_by_text("What is near this site").scroll_into_view_if_needed()
    card.get_by_text("No other selected sites within 10 km.").wait_for(timeout=30_000)
    card.get_by_text("25 km", exact=True).click()
    settle(page)
    card.get_by_text("All sites, ignoring the filters").click()
    settle(page)
    text = card.text_content() or ""
    assert "other sites within 25 km" in text
    assert "Military establishment (2)" in text and "RAF Digby · 18.0 km" in text
    page.screenshot(path=str(ARTIFACTS / "analyst_card_1366.png"))
    # choosing "Supplier" leaves RAF Coningsby out of the map, but its card stays open
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stMultiSelect"]').nth(1).click()
    page.get_by_role("option", name="Supplier").first.click()
    page.keyboard.press("Escape")
    settle(page)
    assert "RAF Coningsby" in (card.text_content() or "")
    assert "its card stays open" in (card.text_content() or "")
    page.close()
