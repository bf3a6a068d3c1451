"""Time on the map in a real browser: a closing site is marked with its year, the year control
leaves out what is closed, and a link's year is kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator

from layers.placement import REGISTRY_COLUMNS
from tests.browser import ARTIFACTS, streamlit_server
from tests.test_browser import offline_page, site_map, sites_label

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
        "postcode": "CV1 1DE",
        "lat": "52.40829",
        "lon": "-1.51161",
    },
    {
        "site_id": "closed-depot",
        "name": "Closed Depot",
        "status": "closed",
        "closes": "2019",
        "postcode": "CV1 1DF",
        "lat": "52.40693",
        "lon": "-1.51294",
    },
]


def marker_texts(frame: FrameLocator) -> list[str]:
    """The text of every site marker's popup and tooltip, clustered or not."""
    texts = frame.locator("body").evaluate(
        """() => { const out = [];
         const text = html => { const box = document.createElement('div');
           box.innerHTML = html; return box.textContent; };
         for (const key of Object.keys(window)) {
           const map = window[key];
           if (!key.startsWith('map_') || !map || !map.eachLayer) continue;
           const markers = [];
           map.eachLayer(layer => {
             if (layer.getAllChildMarkers) markers.push(...layer.getAllChildMarkers());
             else if (layer.getPopup && layer.getPopup() && layer.getLatLng) markers.push(layer);
           });
           for (const marker of new Set(markers)) {
             const popup = marker.getPopup(), tip = marker.getTooltip();
             const content = c => typeof c === 'string' ? c : (c && c.outerHTML) || '';
             out.push(text(content(popup && popup.getContent())) + ' | '
                      + text(content(tip && tip.getContent())));
           }
         }
         return out; }"""
    )
    return [str(t) for t in texts]


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
        page = offline_page(browser, [])
        page.goto(f"{url}/?year=2026")
        frame = site_map(page)
        frame.locator(".mdm-legend").wait_for()
        assert sites_label(frame) == "2"  # the depot closed in 2019
        assert "Closure announced" in (frame.locator(".mdm-legend").text_content() or "")
        assert frame.locator(".mdm-closing").count() >= 1  # the barred marker
        popups = marker_texts(frame)
        assert len(popups) == 2
        closing = [text for text in popups if "Closing Barracks" in text]
        assert closing and "Closing, closes 2029" in closing[0]
        assert all("Closed Depot" not in text for text in popups)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "timeline-closing.png"))

        page.goto(f"{url}/?year=2030")
        frame = site_map(page)
        frame.locator(".mdm-legend").wait_for()
        assert sites_label(frame) == "1"
        page.get_by_text("Year", exact=True).first.wait_for()
        slider = page.get_by_test_id("stSlider").filter(has_text="Year")
        assert "2030" in (slider.text_content() or "")
