"""A standalone HTML map (``map.html``) that opens from a USB stick with no internet.

The page is the app's map (:func:`mapping.build_map`) on the offline basemap, with a title, a
KPI box (the Blueprint's headline figures beside live counts of the selection), the legend and
the attribution, and with Leaflet and its plugins inlined (:func:`mapping.assets.inline_html`),
so it asks the network for nothing. The export's provenance is kept in the page as a JSON block
(``<script type="application/json" id="mdm-export-metadata">``) and in its subtitle.

The page is built to be used without a mouse or without sight (WCAG 2.2 AA): it says
its language, lets the reader zoom, has one ``<main>`` with an ``<h1>``, names every site marker
and opens and closes its popup from the keyboard (the shared ``keyboard.js``), and ends with "the
map in words" (:mod:`mapping.description`) and a table of the sites, reached by a skip link.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd

from layers import blueprint, timeline, vocabulary
from layers._io import atomic_write_bytes
from layers.selection import Selection
from mapping import assets, credits, description, kpis
from mapping.livemap.rows import colour_capabilities
from mapping.popups import text
from mapping.sitemap import build_map

#: Blueprint figures shown in the KPI box by default (keys of ``layers.blueprint``).
DEFAULT_BLUEPRINT_KPIS: tuple[str, ...] = (
    "sme_spend",
    "high_skilled_jobs",
    "companies",
    "regular_forces",
)
DEFAULT_TITLE = "Midlands Defence Capability Map"
METADATA_ID = "mdm-export-metadata"
#: The page's language (``<html lang>``), for screen readers' pronunciation.
LANGUAGE = "en-GB"
#: The id of the "map in words" section that the skip link jumps to.
IN_WORDS_ID = "mdm-in-words"
#: The sites table lists at most this many rows (the CSV export has them all).
TABLE_ROWS = 2000
#: A viewport that lets the reader zoom (folium's own forbids it: WCAG 1.4.4).
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
_PAGE_CSS = """
#mdm-main { height: 100%; }
.mdm-visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px;
  padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.mdm-skip { position: absolute; left: 8px; top: -80px; z-index: 2000; background: #ffffff;
  color: #1a1a1a; padding: 8px 12px; font: 16px/1.3 "Helvetica Neue", Arial, sans-serif;
  border: 3px solid #1a1a1a; border-radius: 4px; }
.mdm-skip:focus { top: 8px; }
.mdm-words { max-width: 64rem; margin: 0 auto; padding: 16px 20px 40px; background: #ffffff;
  color: #1a1a1a; font: 16px/1.5 "Helvetica Neue", Arial, sans-serif; }
.mdm-words:focus { outline: 3px solid #1a1a1a; outline-offset: -3px; }
.mdm-words h2 { font-size: 1.4em; margin: 0.4em 0; }
.mdm-words h3 { font-size: 1.15em; margin: 1em 0 0.4em; }
.mdm-words table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
.mdm-words th, .mdm-words td { text-align: left; vertical-align: top; padding: 4px 8px;
  border-bottom: 1px solid #8c8c8c; }
"""

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
    registry: pd.DataFrame | None = None,
) -> str:
    """Return the standalone page of the selection: one HTML file with everything inlined.

    Parameters
    ----------
    selection
        What to show (``layers.selection.make_selection``).
    title, subtitle
        The title box's text (default: the product's name; the filters, data version, date).
    kpis
        The KPI box's (value, label) pairs (default: :func:`kpi_pairs`).
    cluster_markers
        Cluster nearby markers (default: only above
        :data:`mapping.largedata.CLUSTER_ABOVE` sites).
    large_legend
        A larger legend for projectors.
    registry
        The whole registry the selection came from, so "the map in words" can say what the
        filters left out.

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
    # under a capability filter each site takes the colour of the first chosen capability it has
    sites = selection.sites.assign(
        colour_capability=colour_capabilities(selection.sites, selection.criteria.capabilities)
    )
    fmap = build_map(
        sites,
        boundaries_dir=selection.boundaries_dir,
        basemap="offline",
        cluster_markers=cluster_markers,
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
    page = _with_head(page, title=heading, metadata=metadata)
    words = in_words_html(selection, registry=registry)
    return _accessible(page, title=heading, in_words=words)


def write_standalone_html(
    selection: Selection,
    path: str | Path,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    large_legend: bool = False,
    registry: pd.DataFrame | None = None,
) -> Path:
    """Write the standalone page to ``path`` (UTF-8); return the path."""
    page = standalone_html(
        selection, title=title, subtitle=subtitle, large_legend=large_legend, registry=registry
    )
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


def in_words_html(selection: Selection, *, registry: pd.DataFrame | None = None) -> str:
    """Return the page's "map in words" section: the description and a table of the sites.

    Every string from data is escaped (:func:`mapping.popups.text`); at most
    :data:`TABLE_ROWS` sites are listed, and the section says so when there are more.
    """
    sentences = description.selection_sentences(selection, registry=registry)
    paragraph = " ".join(text(sentence, limit=2000) for sentence in sentences)
    sites = selection.sites.drop(columns="geometry", errors="ignore")
    rows = []
    for site in sites.head(TABLE_ROWS).to_dict("records"):
        main = vocabulary.main_capability(site.get("capabilities"))
        cells = [
            text(site.get("name"), limit=160),
            text(vocabulary.kind_label(str(site.get("kind") or ""))),
            text(vocabulary.capability_label(main) if main else ""),
            text(
                timeline.status_text(
                    str(site.get("status") or ""),
                    str(site.get("opened") or ""),
                    str(site.get("closes") or ""),
                )
            ),
            text(site.get("town"), limit=80),
            text(site.get("lad_name"), limit=80),
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    listed = (
        f"<p>The first {TABLE_ROWS:,} of {len(sites):,} sites are listed; the CSV export has "
        "them all.</p>"
        if len(sites) > TABLE_ROWS
        else ""
    )
    header = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("Site", "Kind", "Main capability", "Status", "Town", "District")
    )
    table = (
        f'<table><caption class="mdm-visually-hidden">The sites on the map</caption>'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>No site is on the map.</p>"
    )
    return (
        f'<section id="{IN_WORDS_ID}" class="mdm-words" tabindex="-1" '
        f'aria-labelledby="{IN_WORDS_ID}-heading">'
        f'<h2 id="{IN_WORDS_ID}-heading">The map in words</h2><p>{paragraph}</p>'
        f"<h3>The sites on the map</h3>{listed}{table}</section>"
    )


_MAP_DIV = re.compile(r'<div class="folium-map" id="map_[0-9a-f]+" ></div>')
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def _accessible(page: str, *, title: str, in_words: str) -> str:
    """Give the page a language, a zoomable viewport, a skip link, ``<main>`` and ``<h1>``.

    Raises
    ------
    RuntimeError
        When folium's page template changed so that a part cannot be found (the page would
        silently lose its accessibility otherwise).
    """
    missing = [
        part
        for part, found in (
            ("<html>", "<html>" in page),
            ("the viewport meta tag", bool(_VIEWPORT.search(page))),
            ("the map's <div>", len(_MAP_DIV.findall(page)) == 1),
            ("</head>", "</head>" in page),
        )
        if not found
    ]
    if missing:
        raise RuntimeError(
            f"folium's page template changed: {', '.join(missing)} not found; update "
            "mapping.standalone._accessible"
        )
    page = page.replace("<html>", f'<html lang="{LANGUAGE}">', 1)
    page = _VIEWPORT.sub(VIEWPORT, page, count=1)
    page = page.replace("</head>", f"<style>{_PAGE_CSS}</style>\n</head>", 1)
    opening = (
        f'<a class="mdm-skip" href="#{IN_WORDS_ID}">Skip to the map in words</a>\n'
        f'<main id="mdm-main"><h1 class="mdm-visually-hidden">{text(title)}</h1>\n'
    )
    return _MAP_DIV.sub(lambda match: f"{opening}{match.group(0)}\n{in_words}</main>", page, 1)
