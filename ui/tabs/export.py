"""The Export tab: downloads of exactly what the filters select, with provenance inside each."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from layers.selection import Selection, belt_mode, belt_width_km
from mapping import bidpack, credits, slides, standalone
from mapping.exports.csv_table import csvw_json, sites_csv
from mapping.exports.geojson import geojson_collections, geojson_text
from mapping.exports.geopackage import write_gpkg
from mapping.exports.kml import kml_document
from mapping.exports.names import file_name
from ui.text import plain

#: The widget key of the slide's (and offline map's) title.
TITLE_KEY = "x_title"


class Download(NamedTuple):
    """One download button: its label, file name, how the file is made, and its type."""

    label: str
    file_name: str
    make: Callable[[], bytes | str]
    mime: str


def gpkg_bytes(selection: Selection) -> bytes:
    """Return the selection as a GeoPackage file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        return write_gpkg(selection, Path(folder) / "export.gpkg").read_bytes()


def downloads(selection: Selection, *, title: str | None = None) -> list[Download]:
    """Return every download the tab offers, each made only when its button is clicked.

    Every file is named after the selection and the day (:mod:`mapping.exports.names`);
    ``title`` heads the slides and the offline map (their default when None).
    """
    csv_name = file_name(selection, "csv")
    return [
        Download(
            "Bid pack (ZIP)",
            bidpack.bid_pack_name(selection),
            lambda: bidpack.build_bid_pack(selection, title=title),
            "application/zip",
        ),
        Download(
            "Sites · GeoJSON",
            file_name(selection, "geojson"),
            lambda: geojson_text(geojson_collections(selection)["sites"]),
            "application/geo+json",
        ),
        Download(
            "Areas · GeoJSON",
            file_name(selection, "geojson", layer="areas"),
            lambda: geojson_text(geojson_collections(selection)["areas"]),
            "application/geo+json",
        ),
        Download(
            "Sites · CSV",
            csv_name,
            lambda: sites_csv(selection).encode("utf-8-sig"),
            "text/csv",
        ),
        Download(
            "CSV's metadata (CSVW)",
            f"{csv_name}-metadata.json",
            lambda: csvw_json(selection, csv_name),
            "application/csvm+json",
        ),
        Download(
            "Google Earth · KML",
            file_name(selection, "kml"),
            lambda: kml_document(selection),
            "application/vnd.google-earth.kml+xml",
        ),
        Download(
            "GeoPackage",
            file_name(selection, "gpkg"),
            lambda: gpkg_bytes(selection),
            "application/geopackage+sqlite3",
        ),
        Download(
            "Offline HTML map",
            file_name(selection, "html"),
            lambda: standalone.standalone_html(selection, title=title).encode(),
            "text/html",
        ),
        Download(
            "Slide · PNG 1920×1080",
            file_name(selection, "png"),
            lambda: slides.render_slide(selection, title=title),
            "image/png",
        ),
        Download(
            "Slide · PDF",
            file_name(selection, "pdf"),
            lambda: slides.render_slide(selection, fmt="pdf", title=title),
            "application/pdf",
        ),
    ]


def export_tab(selection: Selection) -> None:
    """Offer downloads of exactly what the filters select, with provenance inside each.

    Each file is made only when its button is clicked (Streamlit calls the function then, off
    the page's rerun), so the tab costs nothing until someone downloads.
    """
    year = credits.as_of(selection.criteria)
    counted = "every site" if year is None else f"sites on the map in {year}"
    st.markdown(
        f"**{len(selection.sites)} sites** · {plain(selection.criteria.describe())} · data "
        f"version `{plain(selection.data_version)}`. Each file records the filters, the year "
        f"it counts ({counted}), the data version and date; the GeoJSON, GeoPackage and KML "
        "carry the attribution inside, the CSV in its CSVW metadata file."
    )
    uploaded = credits.upload_credit(selection)
    if uploaded:
        st.caption(plain(uploaded))
    title = st.text_input(
        "Title of the slide, offline map and bid pack",
        key=TITLE_KEY,
        placeholder=slides.DEFAULT_TITLE,
        max_chars=90,
    ).strip()
    columns = st.columns(3)
    for index, item in enumerate(downloads(selection, title=title or None)):
        columns[index % 3].download_button(
            item.label,
            item.make,
            item.file_name,
            mime=item.mime,
            on_click="ignore",
            key=f"download-{index}",
            use_container_width=True,
        )
    command = credits.command_line(
        selection.criteria,
        fmt="bidpack",
        output=bidpack.bid_pack_name(selection),
        width_km=belt_width_km(selection),
        mode=belt_mode(selection),
    )
    st.caption("The same bid pack from the command line:")
    st.code(command, language="bash")
