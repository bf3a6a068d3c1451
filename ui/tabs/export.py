"""The Export tab: downloads of exactly what the filters select, with provenance inside each."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from mapping import bidpack, credits, export, slides, standalone
from ui.text import plain


class Download(NamedTuple):
    """One download button: its label, file name, how the file is made, and its type."""

    label: str
    file_name: str
    make: Callable[[], bytes | str]
    mime: str


def gpkg_bytes(selection: export.Selection) -> bytes:
    """Return the selection as a GeoPackage file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        return export.write_gpkg(selection, Path(folder) / "export.gpkg").read_bytes()


def downloads(selection: export.Selection) -> list[Download]:
    """Return every download the tab offers, each made only when its button is clicked."""
    return [
        Download(
            "Bid pack (ZIP)",
            bidpack.bid_pack_name(selection),
            lambda: bidpack.build_bid_pack(selection),
            "application/zip",
        ),
        Download(
            "Sites · GeoJSON",
            "sites.geojson",
            lambda: export.geojson_text(export.geojson_collections(selection)["sites"]),
            "application/geo+json",
        ),
        Download(
            "Areas · GeoJSON",
            "areas.geojson",
            lambda: export.geojson_text(export.geojson_collections(selection)["areas"]),
            "application/geo+json",
        ),
        Download(
            "Sites · CSV",
            "sites.csv",
            lambda: export.sites_csv(selection).encode("utf-8-sig"),
            "text/csv",
        ),
        Download(
            "Google Earth · KML",
            "sites.kml",
            lambda: export.kml_document(selection),
            "application/vnd.google-earth.kml+xml",
        ),
        Download(
            "GeoPackage",
            "midlands-defence.gpkg",
            lambda: gpkg_bytes(selection),
            "application/geopackage+sqlite3",
        ),
        Download(
            "Offline HTML map",
            "map.html",
            lambda: standalone.standalone_html(selection).encode(),
            "text/html",
        ),
        Download(
            "Slide · PNG 1920×1080", "map.png", lambda: slides.render_slide(selection), "image/png"
        ),
        Download(
            "Slide · PDF",
            "map.pdf",
            lambda: slides.render_slide(selection, fmt="pdf"),
            "application/pdf",
        ),
    ]


def export_tab(selection: export.Selection) -> None:
    """Offer downloads of exactly what the filters select, with provenance inside each.

    Each file is made only when its button is clicked (Streamlit calls the function then, off
    the page's rerun), so the tab costs nothing until someone downloads.
    """
    st.markdown(
        f"**{len(selection.sites)} sites** · {plain(selection.criteria.describe())} · data "
        f"version `{selection.data_version}`. Each file records the filters, data "
        "version, date and attribution."
    )
    uploaded = credits.upload_credit(selection)
    if uploaded:
        st.caption(plain(uploaded))
    columns = st.columns(3)
    for index, item in enumerate(downloads(selection)):
        columns[index % 3].download_button(
            item.label,
            item.make,
            item.file_name,
            mime=item.mime,
            on_click="ignore",
            key=f"download-{item.file_name}",
            use_container_width=True,
        )
    command = export.command_line(
        selection.criteria,
        fmt="bidpack",
        output="bid-pack.zip",
        width_km=export.belt_width_km(selection),
        mode=export.belt_mode(selection),
    )
    st.caption("The same bid pack from the command line:")
    st.code(command, language="bash")
