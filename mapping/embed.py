"""The "Embed" export: the iframe HTML that puts the standalone map on a council's web page.

A council or investor page pastes :func:`embed_html`: an ``<iframe>`` of the standalone map
(:mod:`mapping.standalone`) with a ``title`` that names it for screen readers (WCAG 4.1.2),
a width and height, ``loading="lazy"``, and, beside it, links to the same sites as GeoJSON and
CSV and to the map's text version (``#mdm-in-words``), so no reader depends on the map.
:func:`write_embed` writes the snippet with the map and the data files beside it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from layers._io import atomic_write_bytes
from layers.selection import Selection
from mapping import standalone
from mapping.exports.csv_table import write_csv
from mapping.exports.geojson import write_geojson

DEFAULT_HEIGHT = 600
DEFAULT_WIDTH = "100%"
#: A URL the snippet may point at: http(s), or a path relative to the page (no other scheme).
_SAFE_URL = re.compile(r"^(?:https?://[^\s\"'<>]+|(?![a-zA-Z][a-zA-Z0-9+.-]*:)[^\s\"'<>]+)$")
_WIDTH = re.compile(r"^(?:\d{2,4}|\d{1,3}%)$")


def embed_html(
    map_url: str,
    *,
    title: str = standalone.DEFAULT_TITLE,
    data_links: Mapping[str, str] | None = None,
    width: int | str = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> str:
    """Return the HTML to paste into a web page: the map's iframe and the links to its data.

    Parameters
    ----------
    map_url
        Where the standalone map is published (absolute http(s) or relative to the page).
    title
        The iframe's ``title``: what a screen reader announces for the frame.
    data_links
        Link text -> URL of the data behind the map (e.g. ``{"GeoJSON": "sites.geojson"}``).
    width, height
        The iframe's size: width in pixels or a percentage, height in pixels.

    Raises
    ------
    ValueError
        For a URL with another scheme (``javascript:``, ``data:``), an empty title, or a size
        that is not pixels (or a percentage, for the width).
    """
    problems = [
        f"{name} {url!r} is not an http(s) address or a relative path"
        for name, url in [("map_url", map_url), *(data_links or {}).items()]
        if not _SAFE_URL.match(url.strip())
    ]
    if not title.strip():
        problems.append("title is empty: the frame needs a name for screen readers")
    if not _WIDTH.match(str(width)):
        problems.append(f"width {width!r} is neither pixels (e.g. 800) nor a percentage")
    if not isinstance(height, int) or not 100 <= height <= 4000:
        problems.append(f"height {height!r} is not a number of pixels from 100 to 4000")
    if problems:
        raise ValueError("cannot write the embed: " + "; ".join(problems))
    frame = (
        f'<iframe src="{_attr(map_url)}" title="{_attr(title)}" width="{_attr(str(width))}" '
        f'height="{height}" loading="lazy" style="border: 1px solid #666666;" '
        'allow="fullscreen"></iframe>'
    )
    links = [f'<a href="{_attr(map_url)}#{standalone.IN_WORDS_ID}">The map in words</a>']
    links += [
        f'<a href="{_attr(url)}">Download the data ({html.escape(label)})</a>'
        for label, url in (data_links or {}).items()
    ]
    return (
        '<figure class="mdm-embed">\n'
        f"  {frame}\n"
        f"  <figcaption>{html.escape(title)}: {' · '.join(links)}</figcaption>\n"
        "</figure>\n"
    )


def write_embed(
    selection: Selection,
    path: str | Path,
    *,
    title: str | None = None,
    registry: pd.DataFrame | None = None,
    height: int = DEFAULT_HEIGHT,
) -> list[Path]:
    """Write the snippet to ``path`` and, beside it, the map and its data; return the files.

    The map is ``<stem>-map.html``, the data ``<stem>-sites.geojson`` and ``<stem>-sites.csv``
    (with the CSV's metadata side file), all linked relatively: publish the folder as it is.
    """
    target = Path(path)
    stem = target.with_suffix("")
    heading = title or standalone.DEFAULT_TITLE
    written = [
        standalone.write_standalone_html(
            selection, f"{stem}-map.html", title=heading, registry=registry
        ),
        write_geojson(selection, f"{stem}-sites.geojson"),
        *write_csv(selection, f"{stem}-sites.csv"),
    ]
    snippet = embed_html(
        f"{stem.name}-map.html",
        title=f"{heading} (interactive map of {len(selection.sites):,} sites)",
        data_links={
            "GeoJSON": f"{stem.name}-sites.geojson",
            "CSV": f"{stem.name}-sites.csv",
        },
        height=height,
    )
    atomic_write_bytes(target, snippet.encode("utf-8"))
    return [target, *written]


def _attr(value: str) -> str:
    return html.escape(value.strip(), quote=True)
