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

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page

import settings
from layers import companies, contracts, statistics
from tests.support import registers_fixtures as fx
from tests.support.app_map import map_frame, settle
from tests.support.browser import offline_page
from tests.support.servers import ARTIFACTS, ServerError, app_server

pytestmark = pytest.mark.browser

#: Worked out by hand from the fixtures (see the module's docstring).
EXPECTED_DRAWN = {"firms": 2, "awards": 8, "counts": 3}
#: The curated site that names a Companies House firm of the fixture.
CURATED_SITE = "space-park-leicester"
CURATED_COMPANY = "00000008"


def _build_registers(root: Path, boundaries_dir: Path) -> dict[str, str]:
    companies.build(
        fx.companies_zip(root / "BasicCompanyDataAsOneFile-2026-12-01.zip"),
        out_dir=root / "companies",
        index=fx.postcode_index(),
        boundaries_dir=boundaries_dir,
    )
    packages = root / "packages"
    packages.mkdir()
    (packages / "p1.json").write_text(json.dumps(fx.release_package(fx.award_releases())))
    contracts.build(
        packages,
        out_dir=root / "contracts",
        index=fx.postcode_index(),
        boundaries_dir=boundaries_dir,
    )
    nomis = root / "nomis.csv"
    nomis.write_text(fx.nomis_csv())
    statistics.build(nomis, out_dir=root / "statistics")
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


def _open(browser: Browser, url: str) -> Page:
    page = offline_page(browser, [], width=1366, height=768)
    page.goto(url)
    map_frame(page)
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
    browser: Browser, loaded_url: str
) -> None:
    page = _open(browser, loaded_url)
    sites_before = page.evaluate("() => livemap.sites.shown().length")
    assert _drawn(page) == {"firms": 0, "awards": 0, "counts": 0}  # off until asked for
    page.locator(".mdm-registers summary").click()
    box = page.locator(".mdm-registers")
    text = box.inner_text()
    # each layer names its source, month and definition, and its credit
    assert "Companies House, Free Company Data Product; 2026-12; definition defence_sic.csv" in text
    assert "definition defence_buyers.csv" in text
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
    for name in EXPECTED_DRAWN:
        _toggle(page, name)
    assert _drawn(page) == {"firms": 0, "awards": 0, "counts": 0}
    page.close()


def test_without_data_each_toggle_says_how_to_load_its_source(
    browser: Browser, empty_url: str
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
