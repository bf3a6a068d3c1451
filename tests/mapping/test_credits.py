"""Credits and metadata of every export: the postcode index, the uploaded file, the year counted.

Regression tests for issue 11's review bug (uploaded sites joined the exports, but the exports
credited only the registry) and for the postcode and "as of" credits. The expected texts are
written out here, not taken from the code under test.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pyogrio
import pypdf
import pytest
from PIL import Image

from layers.filters import SiteFilter
from layers.selection import Selection, make_selection
from mapping import bidpack, slides, standalone
from mapping.credits import export_metadata
from mapping.exports.csv_table import write_csv
from mapping.exports.geojson import geojson_collections
from mapping.exports.geopackage import write_gpkg
from mapping.exports.kml import kml_document

MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
#: ONSPD's attribution statements (its user guide's wording, with the edition's year).
ROYAL_MAIL = "Contains Royal Mail data © Royal Mail copyright and database right 2025"
NATIONAL_STATISTICS = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
)
UPLOAD_NAME = "east-midlands-suppliers.xlsx"


@dataclass(frozen=True)
class YearFilter(SiteFilter):
    """A filter with the year it counts for (``layers.filters.SiteFilter`` gains ``as_of``)."""

    as_of: int | None = None


def _some_sites(registry: gpd.GeoDataFrame, count: int) -> gpd.GeoDataFrame:
    """``count`` registry sites, none of them placed by postcode."""
    chosen = registry.loc[registry["kind"] == "supplier"].head(count).copy()
    chosen["location_precision"] = "site"
    return chosen


@pytest.fixture(scope="module")
def plain(registry: gpd.GeoDataFrame, boundaries_dir: Path) -> Selection:
    """Four registry sites, none placed by postcode, no upload, every year."""
    return Selection(
        sites=_some_sites(registry, 4),
        data_version="testdata",
        boundaries_dir=boundaries_dir,
        created=MADE,
    )


@pytest.fixture(scope="module")
def uploaded(registry: gpd.GeoDataFrame, boundaries_dir: Path) -> Selection:
    """Registry sites plus two uploaded sites, one of them placed at its postcode, in 2027."""
    sites = _some_sites(registry, 4)
    uploads = _some_sites(registry.iloc[::-1], 2)
    uploads["site_id"] = ["upload-2", "upload-3"]
    uploads["name"] = ["Uploaded Works A", "Uploaded Works B"]
    uploads["location_precision"] = ["postcode", "site"]
    return make_selection(
        sites,
        YearFilter(as_of=2027),
        boundaries_dir=boundaries_dir,
        data_version="testdata",
        uploads=uploads,
        upload_name=UPLOAD_NAME,
        created=MADE,
    )


def export_texts(selection: Selection, folder: Path) -> dict[str, str]:
    """The text of every export of ``selection`` where credits and provenance are written."""
    texts: dict[str, str] = {}
    collections = geojson_collections(selection)
    for name, collection in collections.items():
        texts[f"{name}.geojson"] = json.dumps(collection["metadata"], ensure_ascii=False)
    gpkg = write_gpkg(selection, folder / "export.gpkg")
    table = pyogrio.read_dataframe(gpkg, layer="metadata", read_geometry=False)
    texts["gpkg"] = "\n".join(table["value"])
    texts["kml"] = kml_document(selection)
    _, side = write_csv(selection, folder / "sites.csv")
    texts["csv side file"] = side.read_text(encoding="utf-8")
    page = standalone.standalone_html(selection)
    block = re.search(
        rf'<script type="application/json" id="{standalone.METADATA_ID}">(.*?)</script>', page
    )
    assert block is not None
    texts["html"] = json.dumps(json.loads(block.group(1)), ensure_ascii=False)
    png = Image.open(io.BytesIO(slides.render_slide(selection)))
    texts["png"] = f"{png.info['Description']}\n{png.info['Copyright']}"
    pdf = pypdf.PdfReader(io.BytesIO(slides.render_slide(selection, fmt="pdf")))
    texts["pdf"] = " ".join(page.extract_text() for page in pdf.pages)
    pack = zipfile.ZipFile(io.BytesIO(bidpack.build_bid_pack(selection, with_corridor=False)))
    texts["bid pack README"] = pack.read("README.txt").decode("utf-8")
    return texts


def _one_line(text: str) -> str:
    """Text with its line breaks (a wrapped README or slide) read as spaces."""
    return re.sub(r"\s+", " ", text)


def test_uploads_postcodes_and_the_year_are_credited_in_every_export(
    uploaded: Selection, tmp_path: Path
):
    texts = export_texts(uploaded, tmp_path)
    assert set(texts) >= {"sites.geojson", "gpkg", "kml", "csv side file", "html", "png", "pdf"}
    for name, text in texts.items():
        flat = _one_line(text)
        assert ROYAL_MAIL in flat and NATIONAL_STATISTICS in flat, f"{name}: no ONSPD credit"
        assert UPLOAD_NAME in flat, f"{name}: the uploaded file is not named"
        assert "as of 2027" in flat, f"{name}: the year is not stated"


def test_an_export_without_postcodes_or_uploads_credits_neither(plain: Selection, tmp_path: Path):
    texts = export_texts(plain, tmp_path)
    for name, text in texts.items():
        flat = _one_line(text)
        assert ROYAL_MAIL not in flat, f"{name}: ONSPD credited without a postcode point"
        assert "Uploaded sites" not in flat and "upload" not in flat.lower(), name
        assert "as of" not in flat, name


def test_the_metadata_names_the_upload_and_the_year(uploaded: Selection):
    metadata = export_metadata(uploaded)
    assert metadata["uploaded_file"] == UPLOAD_NAME
    assert metadata["as_of"] == 2027
    assert metadata["counts"]["uploaded_sites"] == 2
    assert metadata["counts"]["sites"] == 6
    assert metadata["filters"]["description"].count("as of 2027") == 1
    assert any(UPLOAD_NAME in line and "2 from" in line for line in metadata["sources"])
    assert any(
        "ONS Postcode Directory (ONSPD, November 2025)" in line for line in metadata["licences"]
    )
    assert any("ONS Postcode Directory (ONSPD), November 2025" in s for s in metadata["sources"])
    assert "--as-of 2027" in metadata["filters"]["command"]


def test_uploads_the_filters_leave_out_are_not_credited(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    uploads = _some_sites(registry, 1)
    uploads["site_id"] = ["upload-2"]
    uploads["kind"] = ["university"]
    chosen = make_selection(
        _some_sites(registry, 3),
        SiteFilter(kinds=("supplier",)),
        boundaries_dir=boundaries_dir,
        data_version="testdata",
        uploads=uploads,
        upload_name=UPLOAD_NAME,
    )
    assert list(chosen.sites["site_id"]) == list(_some_sites(registry, 3)["site_id"])
    metadata = export_metadata(chosen)
    assert not any(UPLOAD_NAME in line for line in metadata["attribution"])
    assert metadata["counts"]["uploaded_sites"] == 0


def test_a_registry_site_placed_by_postcode_brings_the_onspd_credit(
    plain: Selection,
):
    sites = plain.sites.copy()
    sites.iloc[0, sites.columns.get_loc("location_precision")] = "postcode"
    one = Selection(sites=sites, boundaries_dir=plain.boundaries_dir, created=MADE)
    credit = " ".join(export_metadata(one)["attribution"])
    assert ROYAL_MAIL in credit and NATIONAL_STATISTICS in credit
    assert "Contains OS data © Crown copyright and database right 2025" in credit
    # the boundaries and the postcode index share the ONS licence statement: it is said once
    assert credit.count(NATIONAL_STATISTICS) == 1, credit
