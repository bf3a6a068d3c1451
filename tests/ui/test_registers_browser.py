"""The official registers on the explorer's live map, in Chromium, on fixture data.

The three register layers are built from the published-format fixtures
(:mod:`tests.support.registers_fixtures`) into a temporary folder, and the app is pointed at it
(``MIDLANDS_COMPANIES_DIR``, ``MIDLANDS_CONTRACTS_DIR``, ``MIDLANDS_STATISTICS_DIR``). What the
map draws is counted against numbers worked out by hand from the fixtures:

- firms: the fixture keeps 5 active Midlands firms meeting the definition; the public profile
  holds back the 2 filing micro-entity accounts (BRAVO, KILO), leaving 3 points, and HOTEL
  (00000008) is also the curated site below, so it is drawn once, as the site: 2 firm points;
- awards: 9 awards rows are placed, 1 of them in London: 8 Midlands points (the 90,000 award
  shared by Telford and Worcester without a split is two points at the smallest size);
- counts: Coventry (15, one cell suppressed), Birmingham (0, one cell suppressed) and Leicester
  (1,005) have cells in the definition's classes: 3 districts shaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page

import settings
from tests.support import registers_fixtures as fx
from tests.support.app_map import click_site, map_frame, settle
from tests.support.browser import SharedCache, offline_page
from tests.support.servers import ARTIFACTS, ServerError, app_server

pytestmark = pytest.mark.browser

#: Worked out by hand from the fixtures (see the module's docstring).
EXPECTED_DRAWN = {"firms": 2, "awards": 8, "counts": 3}
#: The curated site that names a Companies House firm of the fixture.
CURATED_SITE = "university-of-leicester"
CURATED_COMPANY = "00000008"


def _build_registers(root: Path, boundaries_dir: Path) -> dict[str, str]:
    fx.build_registers(root, boundaries_dir)
    return _folders(root)


def _folders(root: Path) -> dict[str, str]:
    return {
        "MIDLANDS_COMPANIES_DIR": str(root / "companies"),
        "MIDLANDS_CONTRACTS_DIR": str(root / "contracts"),
        "MIDLANDS_STATISTICS_DIR": str(root / "statistics"),
    }


def _registry(path: Path) -> Path:
    """The committed registry, with one site naming the fixture's company 00000008."""
    table = pd.read_csv(settings.SITES_CSV, dtype=str, keep_default_na=False)
    table["company_number"] = ""
    table.loc[table["site_id"] == CURATED_SITE, "company_number"] = CURATED_COMPANY
    assert (table["company_number"] == CURATED_COMPANY).sum() == 1
    table.to_csv(path, index=False)
    return path


def _server(sites_csv: Path, boundaries_dir: Path, env: dict[str, str]) -> Iterator[str]:
    try:
        with app_server(
            sites_csv=sites_csv, boundaries_dir=boundaries_dir, env=env, start_timeout_s=60
        ) as server:
            yield server.url
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def loaded_url(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("registers-app")
    env = _build_registers(root, boundaries_dir)
    yield from _server(_registry(root / "sites.csv"), boundaries_dir, env)


@pytest.fixture(scope="module")
def empty_url(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("registers-none")
    yield from _server(settings.SITES_CSV, boundaries_dir, _folders(root))


@pytest.fixture(scope="module")
def loaded_page(browser: SharedCache, loaded_url: str) -> Iterator[Page]:
    """The app on every register at 1366x768, shared by the tests on it: each leaves every layer
    off, the box of toggles folded and the Sites tab open, as the page first was."""
    page = _open(browser, loaded_url)
    yield page
    page.close()


def _open(browser: SharedCache, url: str) -> Page:
    page = offline_page(browser, [], width=1366, height=768)
    page.goto(url)
    # the first visit runs the app cold (registry, base, layers) on a shared machine: wait long
    map_frame(page, timeout_s=180)
    page.wait_for_function("() => livemap.registers && livemap.registers.version()", timeout=60_000)
    settle(page)
    return page


def _drawn(page: Page) -> dict[str, int]:
    return page.evaluate(
        "() => Object.fromEntries(['firms', 'awards', 'counts'].map("
        "n => [n, livemap.registers.drawn(n)]))"
    )


def _toggle(page: Page, name: str) -> None:
    page.locator(f".mdm-registers input[data-layer={name}]").click()


def test_each_register_is_a_layer_with_a_toggle_and_draws_the_fixture(
    loaded_page: Page,
) -> None:
    page = loaded_page
    sites_before = page.evaluate("() => livemap.sites.shown().length")
    assert _drawn(page) == {"firms": 0, "awards": 0, "counts": 0}  # off until asked for
    page.locator(".mdm-registers summary").click()
    box = page.locator(".mdm-registers")
    text = box.inner_text()
    # each layer names its source, month and definition, and its credit
    assert "Companies House, Free Company Data Product; 2026-12; definition defence_sic.csv" in text
    assert "(OCDS), OGL v3.0; 2026-11; definition defence_buyers.csv" in text  # data's month
    assert "ONS UK Business Counts via Nomis, OGL v3.0; 2025" in text
    assert "© Crown copyright" in text and "Open Government Licence v3.0" in text
    assert "2 filing micro-entity accounts or none are counted by district" in text
    for name, expected in EXPECTED_DRAWN.items():
        _toggle(page, name)
        assert page.evaluate("n => livemap.registers.drawn(n)", name) == expected, name
    # the curated company is drawn once, as the site, and not as a firm
    numbers = page.evaluate(
        "() => livemap.registers.layer('firms').getLayers().map(m => m.getTooltip()"
        ".getContent()().textContent)"
    )
    assert not any(CURATED_COMPANY in n for n in numbers) and len(numbers) == 2
    assert any("ALPHA MUNITIONS LIMITED" in n for n in numbers)
    # firms are clustered (markercluster); awards are sized by value (largest 24 px)
    assert page.evaluate("() => typeof livemap.registers.layer('firms').getVisibleParent")
    radii = page.evaluate(
        "() => livemap.registers.layer('awards').getLayers().map(c => c.getRadius())"
    )
    assert max(radii) == 24 and sorted(radii)[:2] == [3, 3]
    # a district whose cells are withheld says so, never 0
    labels = page.evaluate(
        "() => livemap.registers.layer('counts').getLayers().map(l => l.feature.properties.label)"
    )
    assert sorted(labels) == [
        "0 (at least; some cells suppressed)",
        "1,005",
        "15 (at least; some cells suppressed)",
    ]
    # the sites are still drawn, above the layers
    assert page.evaluate("() => livemap.sites.shown().length") == sites_before
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "registers-layers-1366.png"))
    page.locator(".mdm-registers summary").click()  # folded: the layers alone
    page.evaluate("() => { map.setView([52.5, -1.6], 9, {animate: false}); }")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "registers-layers-map-1366.png"))
    page.locator(".mdm-registers summary").click()
    for name in EXPECTED_DRAWN:
        _toggle(page, name)
    assert _drawn(page) == {"firms": 0, "awards": 0, "counts": 0}
    page.locator(".mdm-registers summary").click()  # folded again, for the next test
    # the curated site's card shows its company's SIC codes and registered office
    click_site(page, CURATED_SITE, zoom=15)
    card = page.locator(".st-key-site-card")
    card.get_by_text("Companies House", exact=True).wait_for(timeout=60_000)
    text = card.inner_text()
    assert "Company number: 00000008" in text
    assert "SIC codes: 26511, 84220" in text
    assert "Registered office postcode: LE1 1AA" in text
    card.get_by_text("Companies House", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "registers-card-1366.png"))


def test_without_data_each_toggle_says_how_to_load_its_source(
    browser: SharedCache, empty_url: str
) -> None:
    page = _open(browser, empty_url)
    page.locator(".mdm-registers summary").click()
    inputs = page.locator(".mdm-registers input[type=checkbox]")
    assert inputs.count() == 3
    for i in range(3):
        assert inputs.nth(i).is_disabled()
    commands = page.locator(".mdm-registers code").all_inner_texts()
    assert [c.split(" build")[0] for c in commands] == [
        "python -m layers.companies",
        "python -m layers.contracts",
        "python -m layers.statistics",
    ]
    assert _drawn(page) == {"firms": 0, "awards": 0, "counts": 0}
    assert page.evaluate("() => livemap.sites.shown().length") > 50  # the map is as before
    page.screenshot(path=str(ARTIFACTS / "registers-none-1366.png"))
    page.close()


def _metrics(page: Page, panel: str) -> dict[str, str]:
    """The registers panel's figures (label -> value) in the tab whose panel holds ``panel``."""
    tab = page.locator("[role=tabpanel]:visible")
    tab.get_by_text(panel, exact=True).wait_for(timeout=60_000)
    tab.get_by_text("Official counts", exact=True).wait_for(timeout=60_000)
    settle(page)
    labels = tab.locator("[data-testid=stMetricLabel]").all_inner_texts()
    values = tab.locator("[data-testid=stMetricValue]").all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def test_the_areas_and_belt_tabs_show_the_registers_figures(loaded_page: Page) -> None:
    page = loaded_page
    page.get_by_role("tab", name="Areas").click()
    found = _metrics(page, "The Midlands")
    page.locator("[role=tabpanel]:visible").get_by_text(
        "The Midlands", exact=True
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "registers-areas-tab-1366.png"))
    # no area chosen: every mapped district. By hand from the fixtures: firms 5 kept, HOTEL
    # (core) is a curated site: 1 core (ALPHA), 3 adjacent; awards A1, A2, A3, A5, A8a, A8b,
    # A10 = 7, value 120,000 + 250,000 + 40,000 + 15,000 + 5,000 + 7,000 (A5's is shared, not
    # split) = 437,000, of which SME 180,000 (41%); counts 1,005 + 0 + 15 with 2 cells withheld
    assert found["Registered firms, core"] == "1"
    assert found["adjacent"] == "3"
    assert found["Defence awards"] == "7 · £437,000"
    assert found["SME share of value"] == "41%"
    assert found["Official counts"] == "at least 1,020"
    assert int(found["Curated sites"].replace(",", "")) == page.evaluate(
        "() => livemap.sites.shown().length"
    )
    # the areas map beside the figures is given no registers: it has no box of toggles
    assert page.locator("[role=tabpanel]:visible section.mdm-main").count() == 1
    assert page.locator("[role=tabpanel]:visible .mdm-registers").count() == 0
    page.get_by_role("tab", name="Defence Belt").click()
    inside = _metrics(page, "Inside the Defence Belt")
    # the four figures, each loaded (never "not loaded" with every register built)
    assert set(inside) == set(found), inside
    assert "not loaded" not in inside.values(), inside
    assert int(inside["Curated sites"].replace(",", "")) < int(found["Curated sites"])
    page.locator("[role=tabpanel]:visible").get_by_text(
        "Inside the Defence Belt", exact=True
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "registers-belt-tab-1366.png"))
    page.get_by_role("tab", name="Sites").click()  # the tab the page opened on, for the next test
    page.locator("[role=tabpanel]:visible [data-testid=stDataFrame]").first.wait_for(timeout=60_000)
    settle(page)


#: The firm and award points a keyboard user reaches, by name (the route's order), worked out
#: by hand: the 2 firm points (ALPHA, JULIET; see the module's docstring) and the 8 Midlands
#: award points (A5's two suppliers, Telford and Worcester, are two points).
REACHED = [
    ("Firm", "ALPHA MUNITIONS LIMITED"),
    ("Award", "COVENTRY PRECISION LTD"),
    ("Award", "DERBY MICRO LTD"),
    ("Firm", "JULIET NUCLEAR LTD"),
    ("Award", "LEICESTER LARGE PLC"),
    ("Award", "LINCOLN SME LTD"),
    ("Award", "NORTHAMPTON UNKNOWN LTD"),
    ("Award", "STOKE SME LTD"),
    ("Award", "TELFORD SME LTD"),
    ("Award", "WORCESTER SME LTD"),
]


def _active(page: Page) -> dict[str, str]:
    return page.evaluate(
        "() => { const a = document.activeElement; const id = a.getAttribute("
        "'aria-activedescendant') || ''; return {role: a.getAttribute('role') || '', "
        "label: a.getAttribute('aria-labelledby') || '', id: id, "
        "copies: String(id ? document.querySelectorAll('[id=\"' + id + '\"]').length : 0), "
        "text: id ? document.getElementById(id).textContent : ''}; }"
    )


def test_a_keyboard_user_reaches_and_reads_each_firm_and_award(loaded_page: Page) -> None:
    page = loaded_page
    route = page.get_by_role("listbox", name="Firms and awards by keyboard")
    assert route.count() == 1, "the registers' points have their own keyboard route"
    route.focus()
    page.keyboard.press("Home")
    assert _active(page)["text"] == (
        "No firm or award is shown: switch on a layer under Official registers"
    )
    page.locator(".mdm-registers summary").click()
    _toggle(page, "firms")
    _toggle(page, "awards")
    page.locator(".mdm-registers summary").click()  # folded, as a reader leaves it
    # from the sites' route, Tab goes on to the firms' and awards' route: no mouse needed
    page.get_by_role("listbox", name="Sites by keyboard").focus()
    page.keyboard.press("Tab")
    assert _active(page)["label"] == "mdm-reg-nav-label"
    page.keyboard.press("Home")
    heard = []
    for step in range(len(REACHED)):
        active = _active(page)
        assert active["role"] == "listbox" and active["copies"] == "1", active  # one id, unshared
        heard.append(active["text"])
        if step < len(REACHED) - 1:
            page.keyboard.press("ArrowDown")
    total = len(REACHED)
    for number, ((kind, name), text) in enumerate(zip(REACHED, heard, strict=True), start=1):
        assert text.startswith(f"{number} of {total}: {kind}: {name}. "), text
    coventry = heard[1]
    assert "£120,000 · SME" in coventry and "Buyer: Ministry of Defence" in coventry
    assert "Company 00000001 · core to defence" in heard[0]
    assert "Registered office postcode, not necessarily the works" in heard[0]
    assert not any(CURATED_COMPANY in text for text in heard)  # drawn once, as the site
    # Enter opens the point's details, Escape closes them
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    popup = page.locator(".mdm-reg-popup")
    popup.wait_for(timeout=10_000)
    assert popup.inner_text().startswith("WORCESTER SME LTD")
    assert "shared with other suppliers" in popup.inner_text()
    page.wait_for_timeout(500)  # the popup fades in and the map pans it clear of the boxes
    page.screenshot(path=str(ARTIFACTS / "registers-keyboard-1366.png"))
    page.keyboard.press("Escape")
    popup.wait_for(state="detached", timeout=10_000)
    # a layer switched off leaves the route: only the award points are left
    page.locator(".mdm-registers summary").click()
    _toggle(page, "firms")
    route.focus()
    page.keyboard.press("Home")
    assert _active(page)["text"].startswith("1 of 8: Award: COVENTRY PRECISION LTD. ")
    _toggle(page, "awards")  # every layer off and the box folded, as the page first was
    page.locator(".mdm-registers summary").click()
    assert _drawn(page) == {"firms": 0, "awards": 0, "counts": 0}
