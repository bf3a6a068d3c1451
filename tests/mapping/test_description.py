"""The map in words where exports carry it, and the names site markers are read by."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from PIL import Image

from layers.filters import SiteFilter
from layers.selection import Selection
from mapping import bidpack, description, slides, standalone

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


def test_the_slide_png_describes_itself(three: Selection):
    image = Image.open(io.BytesIO(slides.render_slide(three)))
    assert image.info["Description"].startswith(" ".join(EXPECTED) + " Filters: ")
