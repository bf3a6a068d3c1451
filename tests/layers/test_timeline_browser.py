"""Time on the map in a real browser: a closing site is marked with its year, the year control
leaves out what is closed, and a link's year is kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from layers.placement import REGISTRY_COLUMNS
from tests.support.app_map import drawn_ids, in_map, map_frame, marker_texts, wait_for_drawn
from tests.support.browser import ARTIFACTS, offline_page, streamlit_server

pytestmark = pytest.mark.browser

#: Three sites on Code-Point points (eastings/northings of CV1 1DD, CV1 1DE, CV1 1DF read
#: from the mirror's cv.csv, converted once to WGS84 by hand with pyproj).
ROWS = [
    {
        "site_id": "open-works",
        "name": "Open Works",
        "status": "active",
        "postcode": "CV1 1DD",
        "lat": "52.40772",
        "lon": "-1.51196",
    },
    {
        "site_id": "closing-barracks",
        "name": "Closing Barracks",
        "status": "closing",
        "closes": "2029",
        "status_source": "https://example.org/closure",
        "postcode": "CV1 1DE",
        "lat": "52.40829",
        "lon": "-1.51161",
    },
    {
        "site_id": "closed-depot",
        "name": "Closed Depot",
        "status": "closed",
        "closes": "2019",
        "status_source": "https://example.org/closure",
        "postcode": "CV1 1DF",
        "lat": "52.40693",
        "lon": "-1.51294",
    },
]


def registry_file(folder: Path) -> Path:
    common = {
        "organisation": "Test Ltd",
        "kind": "military",
        "capabilities": "land_systems",
        "location_precision": "postcode",
        "town": "Coventry",
        "description": "A made-up site for the timeline test.",
        "source_url": "https://example.org/source",
        "last_checked": "2026-11-01",
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(REGISTRY_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows({**common, **row} for row in ROWS)
    path = folder / "timeline.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_a_closing_site_shows_its_year_and_goes_after_it(
    browser: Browser, boundaries_dir: Path, tmp_path: Path
):
    sites_csv = registry_file(tmp_path)
    with streamlit_server(sites_csv=sites_csv, boundaries_dir=boundaries_dir) as url:
        page = offline_page(browser, [], height=1100)
        page.goto(f"{url}/?year=2026")
        frame = map_frame(page)
        frame.locator(".mdm-legend").wait_for()
        assert drawn_ids(page) == ["closing-barracks", "open-works"]  # the depot closed in 2019
        frame.locator(".mdm-legend summary").click()  # the legend starts folded; unfold it
        closure = frame.locator(".mdm-legend .mdm-row", has_text="Closure announced")
        assert closure.inner_text().split()[-1] == "1"
        barred = in_map(
            page,
            """() => livemap.sites.shown().filter(i => livemap.sites.marker(i).options.closing)
               .map(i => livemap.sites.id(i))""",
        )
        assert barred == ["closing-barracks"]  # the marker drawn with a bar across it
        pairs = marker_texts(page)
        popups, tooltips = [popup for popup, _ in pairs], [tip for _, tip in pairs]
        closing = [text for text in popups if "Closing Barracks" in text]
        assert len(popups) == 2
        assert closing and "Closing, closes 2029" in closing[0]
        assert "Closing Barracks · Closing, closes 2029" in tooltips
        assert all("Closed Depot" not in text for text in popups)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "timeline-closing.png"))

        page.goto(f"{url}/?year=2030")
        frame = map_frame(page)
        frame.locator(".mdm-legend").wait_for()
        wait_for_drawn(page, 1)
        assert drawn_ids(page) == ["open-works"]
        page.get_by_text("Year", exact=True).first.wait_for()
        slider = page.get_by_test_id("stSlider").filter(has_text="Year")
        assert "2030" in (slider.text_content() or "")
