"""A standalone HTML map (``map.html``) that opens from a USB stick with no internet.

The page is the app's map (:func:`mapping.build_map`) on the offline basemap, with a title, a
KPI box (the Blueprint's headline figures beside live counts of the selection), the legend and
the attribution, and with Leaflet and its plugins inlined (:func:`mapping.assets.inline_html`),
so it asks the network for nothing. The export's provenance is kept in the page as a JSON block
(``<script type="application/json" id="mdm-export-metadata">``) and in its subtitle.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd

from layers import blueprint
from layers._io import atomic_write_bytes
from mapping import assets, credits, kpis
from mapping.selection import Selection
from mapping.sitemap import build_map

#: Blueprint figures shown in the KPI box by default (keys of ``layers.blueprint``).
DEFAULT_BLUEPRINT_KPIS: tuple[str, ...] = (
    "sme_spend",
    "high_skilled_jobs",
    "companies",
    "regular_forces",
)
#: Above this many sites, nearby markers are clustered (the page stays light and readable).
CLUSTER_ABOVE: int = 300
DEFAULT_TITLE = "Midlands Defence Capability Map"
METADATA_ID = "mdm-export-metadata"

_EXTERNAL = re.compile(
    r'<(?:script[^>]*\ssrc|link[^>]*\shref|img[^>]*\ssrc)\s*=\s*["\']((?:https?:)?//[^"\']+)',
    re.IGNORECASE,
)


def kpi_pairs(
    selection: Selection,
    *,
    blueprint_keys: tuple[str, ...] = DEFAULT_BLUEPRINT_KPIS,
) -> list[tuple[str, str]]:
    """Return the KPI box's (value, label) pairs: live counts first, then Blueprint figures."""
    live = kpis.live_counts(selection.sites)
    pairs = [
        (f"{live.sites}", "sites selected"),
        (f"{live.organisations}", "organisations"),
        (f"{live.districts}", "districts covered"),
        (f"{live.capabilities}", "capabilities present"),
    ]
    if selection.has_corridor and selection.corridor is not None:
        belt = selection.corridor.loc[selection.corridor["part"] == "belt"]
        share = belt["share_inside"].iloc[0] if not belt.empty else float("nan")
        if pd.notna(share):
            pairs.append((f"{float(share):.0%}", "of the sites inside the belt"))
    for key in blueprint_keys:
        figure = blueprint.figure(key)
        pairs.append((figure.display, f"{figure.label} ({figure.citation})"))
    return pairs


def standalone_html(
    selection: Selection,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    kpis: list[tuple[str, str]] | None = None,
    cluster_markers: bool | None = None,
    large_legend: bool = False,
) -> str:
    """Return the standalone page of the selection: one HTML file with everything inlined.

    Parameters
    ----------
    selection
        What to show (``mapping.selection.make_selection``).
    title, subtitle
        The title box's text (default: the product's name; the filters, data version, date).
    kpis
        The KPI box's (value, label) pairs (default: :func:`kpi_pairs`).
    cluster_markers
        Cluster nearby markers (default: only above :data:`CLUSTER_ABOVE` sites).
    large_legend
        A larger legend for projectors.

    Raises
    ------
    FileNotFoundError
        When the local map assets are not installed (``make assets``).
    RuntimeError
        When the page would still load anything from the network.
    """
    metadata = credits.export_metadata(selection)
    heading = title or DEFAULT_TITLE
    caption = subtitle or (
        f"Showing: {credits.selection_caption(selection)} · data version "
        f"{metadata['data_version']} · {metadata['date']}"
    )
    fmap = build_map(
        selection.sites,
        boundaries_dir=selection.boundaries_dir,
        basemap="offline",
        cluster_markers=(
            len(selection.sites) > CLUSTER_ABOVE if cluster_markers is None else cluster_markers
        ),
        corridor=selection.corridor if selection.has_corridor else None,
        estates=selection.estates,
        title=heading,
        subtitle=caption,
        kpis=kpis if kpis is not None else kpi_pairs(selection),
        large_legend=large_legend,
        local_assets=True,
    )
    page = assets.inline_html(fmap.get_root().render())
    remote = external_resources(page)
    if remote:
        raise RuntimeError(
            f"the standalone page would load {len(remote)} file(s) from the network, e.g. "
            f"{remote[0]!r}; install the local assets ('make assets') and add the library to "
            "mapping.assets.STANDALONE"
        )
    return _with_head(page, title=heading, metadata=metadata)


def write_standalone_html(
    selection: Selection,
    path: str | Path,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    large_legend: bool = False,
) -> Path:
    """Write the standalone page to ``path`` (UTF-8); return the path."""
    page = standalone_html(selection, title=title, subtitle=subtitle, large_legend=large_legend)
    atomic_write_bytes(path, page.encode("utf-8"))
    return Path(path)


def external_resources(page: str) -> list[str]:
    """Return the network addresses a page's scripts, stylesheets and images load from."""
    return _EXTERNAL.findall(page)


def _with_head(page: str, *, title: str, metadata: dict[str, object]) -> str:
    """Add the page's ``<title>`` and its provenance as an inert JSON block to ``<head>``."""
    data = json.dumps(metadata, ensure_ascii=False)
    # "<", ">" and "&" as JSON escapes: no data string can close the block or open a tag.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    head = (
        f"<title>{html.escape(title)}</title>\n"
        f'<script type="application/json" id="{METADATA_ID}">{data}</script>\n'
    )
    if "<head>" not in page:
        raise RuntimeError("the map page has no <head>; folium's page template changed")
    return page.replace("<head>", "<head>\n" + head, 1)
