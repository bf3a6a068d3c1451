"""The map in words where exports carry it, and the names site markers are read by."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
from PIL import Image

from layers.filters import SiteFilter
from layers.selection import Selection
from mapping import bidpack, description, keyboard, slides, standalone

MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def three(registry: gpd.GeoDataFrame, boundaries_dir: Path) -> Selection:
    """Three registry rows rewritten by hand: two in Derby, one in Lincoln."""
    sites = registry.loc[registry["lad_code"] != ""].head(3).copy()
    sites["site_id"] = ["a", "b", "c"]
    sites["name"] = ["Alpha Works", "Beta Lab", "Gamma Depot"]
    sites["kind"] = ["prime", "university", "military"]
    sites["capabilities"] = [["combat_air", "space"], ["combat_air"], ["land_systems"]]
    sites["status"] = ["active", "closing", "active"]
    sites["opened"] = ["", "", ""]
    sites["closes"] = ["", "2029", ""]
    sites["lad_name"] = ["Derby", "Derby", "Lincoln"]
    return Selection(
        sites=sites,
        criteria=SiteFilter(as_of=2026),
        data_version="testdata",
        boundaries_dir=boundaries_dir,
        created=MADE,
    )


EXPECTED = [
    "The view shows 3 sites open in 2026.",
    "They are spread over 2 districts; the most are in Derby (2) and Lincoln (1).",
    "The capabilities listed most often are combat air and military aerospace (2 sites), "
    "land systems and armoured vehicles (1) and space and satellite applications (1).",
]


def test_a_selection_is_described_with_its_year(three: Selection):
    assert description.selection_sentences(three) == EXPECTED
    assert description.selection_description(three) == " ".join(EXPECTED)


def test_the_bid_pack_carries_the_description(three: Selection):
    pack = zipfile.ZipFile(io.BytesIO(bidpack.build_bid_pack(three, with_corridor=False)))
    assert "description.txt" in pack.namelist()
    lines = pack.read("description.txt").decode("utf-8").splitlines()
    assert lines[0] == "Midlands Defence Capability Map: bid pack: the map in words"
    text = " ".join(line.strip() for line in lines[3:])
    assert text.startswith(" ".join(EXPECTED))
    assert "The 3 districts holding the view's sites: 3 curated sites." in text
    assert "Registered firms:" in text and "Defence contract awards:" in text
    readme = pack.read("README.txt").decode("utf-8")
    assert "IN WORDS\n  The view shows 3 sites open in 2026.\n" in readme


def test_the_standalone_page_ends_with_the_map_in_words(three: Selection):
    page = standalone.standalone_html(three, title="Pitch <map>")
    assert '<html lang="en-GB">' in page
    assert "user-scalable=no" not in page
    assert '<h1 class="mdm-visually-hidden">Pitch &lt;map&gt;</h1>' in page
    assert page.count("<main") == 1
    words = re.search(r'<section id="mdm-in-words".*?</section>', page, re.S)
    assert words, "the section is in the page"
    assert "The view shows 3 sites open in 2026." in words.group(0)
    assert words.group(0).count("<tr><td>") == 3


def test_a_marker_is_named_by_name_kind_main_capability_and_status():
    site = {
        "name": "Beta Lab\u202e",
        "kind": "university",
        "capabilities": ["combat_air", "quantum"],
        "status": "closing",
        "closes": "2029-03-31",
    }
    assert keyboard.marker_label(site) == (
        "Beta Lab: University; main capability Combat air and military aerospace; "
        "Closing, closes 2029"
    )
    assert keyboard.marker_label({"name": None, "capabilities": float("nan")}) == (
        "Unnamed site: kind not recorded; main capability no capability listed; status not recorded"
    )


def test_markers_at_one_point_are_named_in_the_frame_order():
    sites = pd.DataFrame(
        {
            "name": ["First", "Second", "Elsewhere"],
            "kind": ["prime", "supplier", "health"],
            "capabilities": [["space"], ["quantum"], ["defence_medicine"]],
            "status": ["active", "planned", "active"],
            "opened": ["", "2030", ""],
            "lat": [52.5, 52.5, 53.0],
            "lon": [-1.5, -1.5, -1.0],
        }
    )
    fmap = folium.Map()
    for lat, lon in [(53.0, -1.0), (52.5, -1.5), (52.5, -1.5), (51.0, 0.0)]:
        folium.Marker([lat, lon]).add_to(fmap)
    assert keyboard.label_site_markers(fmap, sites) == 3
    html = fmap.get_root().render()
    labels = json.loads(re.search(r"var labels = (\{.*?\});", html).group(1))
    assert list(labels.values()) == [
        "Elsewhere: Defence health and rehabilitation; main capability Defence medicine and "
        "rehabilitation; Active",
        "First: Prime contractor; main capability Space and satellite applications; Active",
        "Second: Supplier; main capability Quantum technologies; Planned, opens 2030",
    ]


def test_the_slide_png_describes_itself(three: Selection):
    image = Image.open(io.BytesIO(slides.render_slide(three)))
    assert image.info["Description"].startswith(" ".join(EXPECTED) + " Filters: ")


def test_hostile_names_stay_text_through_the_templates_and_the_script():
    names = ["{% raw %}", "{{ 7 * 7 }}", "</script><script>alert(1)</script>", "a\u2028b", "{#"]
    sites = pd.DataFrame(
        {
            "name": names,
            "kind": "supplier",
            "capabilities": [["space"]] * 5,
            "status": "active",
            "lat": [52.0, 52.1, 52.2, 52.3, 52.4],
            "lon": -1.5,
        }
    )
    fmap = folium.Map()
    for lat in sites["lat"]:
        folium.Marker([lat, -1.5]).add_to(fmap)
    keyboard.label_site_markers(fmap, sites)
    html = fmap.get_root().render()
    assert "<script>alert(1)" not in html and "{{ 7" not in html
    labels = json.loads(re.search(r"var labels = (\{.*?\});\n", html).group(1))
    said = [label.split(": Supplier;")[0] for label in labels.values()]
    assert said == ["{% raw %}", "{{ 7 * 7 }}", "</script><script>alert(1)</script>", "a b", "{#"]
