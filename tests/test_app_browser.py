"""The app in a real browser (Debian's Chromium, headless) with every outside request blocked:
hostile text stays text, and the officer's and the phone user's paths work. A shared link
opened three times stays the same link, the app's download agrees with the command line, the
planned Telford factory is on the map as planned, and on a phone the sidebar starts closed
over a map of the selection.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page

import settings
from mapping import export
from tests.support.app_map import (
    click_site,
    drawn_ids,
    in_map,
    map_frame,
    marker_texts,
    settle,
    view,
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
    # the first upload in a server process loads the postcode index (2.6M postcodes) first
    page.get_by_text("of your sites are on the map").wait_for(timeout=90_000)
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
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Show planned sites").click()
    # the run that follows writes the link, then the map drops the site (a loaded machine may
    # finish that run after settle has stopped looking for it)
    page.wait_for_function(
        "() => new URL(location.href).searchParams.get('planned') === '0'", timeout=30_000
    )
    wait_for_drawn(page, 0)
    settle(page)
    assert parse_qs(urlparse(page.url).query)["planned"] == ["0"]
    assert drawn_ids(page) == []
    if year == 2029:
        # and a link that says so leaves it out too (the year does not change how it is read)
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
