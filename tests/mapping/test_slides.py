"""The slide (PNG and PDF): what it says and shows, read back from the files themselves.

The PDF's text is extracted with pypdf and the PNG's legend is read pixel by pixel, on a
hand-built selection whose legend is known in advance: three sites whose main capabilities are
combat air (twice) and cyber, one of them also listing space (not its main capability).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pypdf
import pytest
from PIL import Image

from layers.filters import SiteFilter
from layers.selection import Selection
from layers.sites import load_sites
from mapping import slides

DATA = Path(__file__).parents[1] / "data"
MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
COMBAT_AIR = (0x00, 0x72, 0xB2)  # "#0072B2" in the map's palette
CYBER = (0xCC, 0x00, 0xAA)  # "#CC00AA"
SPACE = (0x33, 0x22, 0x88)  # "#332288": listed second by one site, so never its colour
# The legend panel of a 1920 x 1080 slide (pixels): right of the map, below the title.
LEGEND = (1200, 130, 1920, 1000)
MAP = (23, 130, 1175, 1000)


@pytest.fixture(scope="module")
def three(registry: gpd.GeoDataFrame, boundaries_dir: Path) -> Selection:
    sites = registry.loc[registry["lad_code"] != ""].head(3).copy()
    sites["capabilities"] = [["combat_air"], ["combat_air", "space"], ["cyber_digital"]]
    sites["kind"] = ["prime", "supplier", "supplier"]
    return Selection(
        sites=sites,
        criteria=SiteFilter(capabilities=("combat_air", "cyber_digital")),
        data_version="testdata",
        boundaries_dir=boundaries_dir,
        created=MADE,
    )


def pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def colours_in(image: Image.Image, box: tuple[int, int, int, int]) -> set[tuple[int, int, int]]:
    crop = image.convert("RGB").crop(box)
    found = crop.getcolors(maxcolors=1 << 22)
    assert found is not None, "the crop has fewer colours than maxcolors"
    return {(rgb[0], rgb[1], rgb[2]) for _, rgb in found if isinstance(rgb, tuple)}


def test_the_pdf_says_what_the_slide_shows(three: Selection, tmp_path: Path):
    path = slides.write_slide(three, tmp_path / "slide.pdf", title="Combat air and cyber")
    text = pdf_text(path.read_bytes())
    assert "Combat air and cyber" in text
    assert "Combat air and military aerospace (2)" in text
    assert "Cyber, digital and secure communications (1)" in text
    assert "Space and satellite applications" not in text, "only main capabilities are listed"
    assert "Prime contractor (1)" in text and "Supplier (2)" in text
    assert "3 sites" in text and "data version testdata" in text and "2026-11-28" in text
    assert "Open Government Licence" in text
    assert re.search(r"\b0 \d+ \d+ km\b", text), "the scale bar is labelled"
    assert "Defence Belt" not in text, "no belt was computed for this selection"


def test_the_png_legend_and_map_show_the_main_capabilities_colours(three: Selection):
    image = Image.open(io.BytesIO(slides.render_slide(three)))
    assert image.size == (1920, 1080)
    legend = colours_in(image, LEGEND)
    assert COMBAT_AIR in legend and CYBER in legend
    assert SPACE not in legend
    drawn = colours_in(image, MAP)
    assert COMBAT_AIR in drawn and CYBER in drawn and SPACE not in drawn
    assert "Sites: 3." in image.info["Description"]
    assert "Open Government Licence" in image.info["Copyright"]


def test_the_slide_at_300_dpi_keeps_16_by_9(three: Selection):
    image = Image.open(io.BytesIO(slides.render_slide(three, dpi=300)))
    assert image.size == (4000, 2250)


def test_an_empty_selection_says_so_on_the_slide(three: Selection):
    nothing = Selection(
        sites=three.sites.iloc[0:0],
        criteria=SiteFilter(text="no such site"),
        boundaries_dir=three.boundaries_dir,
    )
    text = pdf_text(slides.render_slide(nothing, fmt="pdf"))
    assert "No sites match these filters" in text and "0 sites" in text
    assert "No sites" in text
    image = Image.open(io.BytesIO(slides.render_slide(nothing)))
    assert COMBAT_AIR not in colours_in(image, LEGEND)


def test_a_slide_with_an_unknown_suffix_is_refused(three: Selection, tmp_path: Path):
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        slides.write_slide(three, tmp_path / "slide.gif")


def test_a_slide_draws_hostile_filter_text_as_text(boundaries_dir: Path):
    hostile = load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)
    odd = Selection(
        sites=hostile,
        criteria=SiteFilter(text="$\\frac{1}{0}$ 50% & $"),
        data_version="testdata",
        boundaries_dir=boundaries_dir,
    )
    text = pdf_text(slides.render_slide(odd, fmt="pdf", title="$\\nosuchcommand{x}$"))
    assert "$\\nosuchcommand{x}$" in text, "the title is drawn as typed, not as mathtext"
    assert "frac{1}{0}$ 50% & $'" in text, "the filter text is drawn as typed (quoted)"


@pytest.mark.parametrize("fitted", [False, True])
def test_the_map_colours_each_site_as_its_legend_counts_it(three: Selection, fitted: bool):
    # filtered on space, the site listing space second is drawn and counted in space's colour,
    # on the whole Midlands and on a slide fitted to its district alike
    site = three.sites.iloc[[1]]
    areas = (str(site["lad_code"].iloc[0]),) if fitted else ()
    spaced = Selection(
        sites=site,
        criteria=SiteFilter(capabilities=("space",), areas=areas),
        data_version="testdata",
        boundaries_dir=three.boundaries_dir,
        created=MADE,
    )
    figure = slides.slide_figure(spaced)
    labels = {t.get_text() for t in figure.axes[0].texts}
    assert (str(site["lad_name"].iloc[0]) in labels) is fitted, "a fitted slide names its areas"
    image = Image.open(io.BytesIO(slides.render_slide(spaced)))
    drawn, legend = colours_in(image, MAP), colours_in(image, LEGEND)
    assert SPACE in drawn and SPACE in legend
    assert COMBAT_AIR not in drawn and COMBAT_AIR not in legend
