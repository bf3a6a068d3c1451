"""The site card beside the map: every field of one site, its links, areas and neighbours.

Every value on the card comes from data (the registry or a user's file), so each one is shown
through :func:`ui.text.plain` (as text, never Markdown) and only http(s) addresses
(:func:`layers.vocabulary.is_http_url`) become links. Which site the card shows is kept in the
session: the last site clicked on the map, or the one row chosen in the sites table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

import settings
from layers import timeline, vocabulary
from layers.selection import Selection
from ui import keys
from ui.text import plain

#: How far the card looks for other selected sites, in km (measured on the National Grid).
NEARBY_KM = 10.0
#: How many of those the card lists by name (the rest are counted).
NEARBY_LISTED = 12
#: The site's areas, finest first, as the card names them.
AREA_FIELDS: tuple[tuple[str, str], ...] = (
    ("ward_name", "Ward"),
    ("lad_name", "District"),
    ("county_name", "County or unitary authority"),
    ("ca_name", "Combined authority"),
    ("region_name", "Region"),
)
#: What the card column says before a site is chosen.
HINT = (
    "Click a site on the map, or choose its row in the Sites table below the map, to see "
    "everything the registry holds about it here."
)
# Fields the card shows in its own way (the name is the heading; the point and the status
# are worded from several fields).
_WORDED = {"name", "lat", "lon", "status"}


@dataclass(frozen=True)
class Neighbour:
    """Another selected site near the card's site: its id, name and distance in km."""

    site_id: str
    name: str
    km: float


@dataclass(frozen=True)
class Card:
    """What the card shows of one site, as text (nothing here is markup).

    Attributes
    ----------
    name
        The site's name (the card's heading).
    facts
        Every other field with a value, as (label, text), in the schema's order.
    links
        The site's http(s) sources, as (label, address).
    areas
        The names of its areas, finest first, as (label, name).
    uploaded
        Whether the site comes from the user's file rather than the registry.
    """

    name: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    areas: list[tuple[str, str]] = field(default_factory=list)
    uploaded: bool = False


def _text(value: object) -> str:
    """Return a cell as one stripped string ("" for None, NaN and empty lists)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def card_of(site: Mapping[str, Any], *, uploaded: bool = False) -> Card:
    """Return the card of one site (a registry row, or a placed row of the user's file).

    Facts follow the registry schema's fields and titles: labels for slugs (kind,
    capabilities, location precision), the status in words ("Closing, closes 2029"), the
    point as "lat, lon". A source field holding an http(s) address becomes a link; any other
    value in it is shown as text.
    """
    facts: list[tuple[str, str]] = []
    links: list[tuple[str, str]] = []
    status = timeline.status_text(
        _text(site.get("status")), _text(site.get("opened")), _text(site.get("closes"))
    )
    for spec in vocabulary.schema()["fields"]:
        name, title = spec["name"], str(spec.get("title") or spec["name"])
        if name == "status" and status:
            facts.append((title, status))
        if name in _WORDED:
            continue
        value = site.get(name)
        if name == "capabilities":
            slugs = vocabulary.capability_lists([value])[0]
            text = "; ".join(vocabulary.capability_label(s) for s in slugs)
        elif name == "kind":
            text = vocabulary.kind_label(_text(value)) if _text(value) else ""
        elif name == "location_precision":
            text = vocabulary.PRECISIONS.get(_text(value), _text(value))
        else:
            text = _text(value)
        if not text:
            continue
        if spec.get("format") == "uri" and vocabulary.is_http_url(text):
            links.append((title, text))
        else:
            facts.append((title, text))
    lat, lon = site.get("lat"), site.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        facts.append(("Point (WGS84)", f"{float(lat):.5f}, {float(lon):.5f}"))
    areas = [(label, _text(site.get(column))) for column, label in AREA_FIELDS]
    return Card(
        name=_text(site.get("name")) or "(no name)",
        facts=facts,
        links=links,
        areas=[(label, name) for label, name in areas if name],
        uploaded=uploaded,
    )


def neighbours(
    sites: pd.DataFrame,
    lat: float,
    lon: float,
    *,
    exclude: str = "",
    radius_km: float = NEARBY_KM,
) -> list[Neighbour]:
    """Return the ``sites`` within ``radius_km`` of (``lat``, ``lon``), nearest first.

    Distances are measured in metres on the British National Grid (EPSG:27700). Only sites
    inside a box of about one and a half times the radius are projected, so a large
    selection costs little. ``exclude`` is the site's own id.
    """
    if sites.empty:
        return []
    margin_lat = radius_km / 110.0 * 1.5
    margin_lon = radius_km / (111.32 * max(math.cos(math.radians(lat)), 0.1)) * 1.5
    lats, lons = sites["lat"].astype(float), sites["lon"].astype(float)
    near = sites[
        ((lats - lat).abs() <= margin_lat)
        & ((lons - lon).abs() <= margin_lon)
        & (sites["site_id"].astype(str) != exclude)
    ]
    if near.empty:
        return []
    points = gpd.GeoSeries(
        gpd.points_from_xy(near["lon"].astype(float), near["lat"].astype(float)),
        crs=settings.CRS_STORAGE,
    ).to_crs(settings.CRS_METRIC)
    origin = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=settings.CRS_STORAGE).to_crs(
        settings.CRS_METRIC
    )[0]
    metres = np.asarray(points.distance(origin))
    order = np.argsort(metres, kind="stable")
    return [
        Neighbour(str(near["site_id"].iloc[i]), _text(near["name"].iloc[i]), metres[i] / 1000)
        for i in order
        if metres[i] <= radius_km * 1000
    ]


# --- which site the card shows ---


def card_site() -> str | None:
    """Return the id of the site whose card is open, or None."""
    found = st.session_state.get(keys.CARD_SITE)
    return str(found) if found else None


def take_table_choice(site_ids: Sequence[str]) -> None:
    """Open the card of the one row chosen in the sites table, when the choice has changed."""
    chosen = tuple(site_ids)
    if st.session_state.get(keys.SEEN_TABLE) == chosen:
        return
    st.session_state[keys.SEEN_TABLE] = chosen
    if len(chosen) == 1:
        st.session_state[keys.CARD_SITE] = chosen[0]


def take_click(clicked: str | None, clicks: int) -> bool:
    """Open the card of a site clicked on the map; return True when the card's site changed.

    ``clicks`` counts the map's clicks, so a second click on the same site is seen too.
    """
    if st.session_state.get(keys.SEEN_CLICKS, 0) == clicks:
        return False
    st.session_state[keys.SEEN_CLICKS] = clicks
    if not clicked or clicked == card_site():
        return False
    st.session_state[keys.CARD_SITE] = clicked
    return True


# --- drawing ---


def _find(selected: Selection, site_id: str) -> tuple[pd.Series | None, bool]:
    for frame, uploaded in ((selected.registry_sites, False), (selected.uploads, True)):
        if frame is None or frame.empty:
            continue
        rows = frame[frame["site_id"].astype(str) == site_id]
        if not rows.empty:
            return rows.iloc[0], uploaded
    return None, False


def site_card(selected: Selection, site_id: str | None) -> None:
    """Show the card of ``site_id`` (a hint when no site is chosen or it is filtered out)."""
    if site_id is None:
        st.caption(HINT)
        return
    site, uploaded = _find(selected, site_id)
    if site is None:
        st.caption("The site last chosen is not in this selection. " + HINT)
        return
    card = card_of({str(k): v for k, v in site.items()}, uploaded=uploaded)
    st.markdown(f"**{plain(card.name)}**")
    if card.uploaded:
        st.caption("From your uploaded file")
    st.markdown("  \n".join(f"**{plain(label)}:** {plain(text)}" for label, text in card.facts))
    for label, address in card.links:
        st.link_button(f"{label} ↗", address, width="stretch")
    if card.areas:
        lines = [f"{plain(label)}: {plain(name)}" for label, name in card.areas]
        st.markdown("**Areas**  \n" + "  \n".join(lines))
    _nearby(selected, site, site_id)


def _nearby(selected: Selection, site: pd.Series, site_id: str) -> None:
    found: list[Neighbour] = []
    for frame in (selected.registry_sites, selected.uploads):
        if frame is not None and not frame.empty:
            found += neighbours(frame, float(site["lat"]), float(site["lon"]), exclude=site_id)
    found.sort(key=lambda n: n.km)
    heading = f"**Other selected sites within {NEARBY_KM:g} km**"
    if not found:
        st.markdown(f"{heading}  \nNone.")
        return
    lines = [f"{plain(n.name)} · {n.km:.1f} km" for n in found[:NEARBY_LISTED]]
    if len(found) > NEARBY_LISTED:
        lines.append(f"and {len(found) - NEARBY_LISTED} more")
    st.markdown(f"{heading} ({len(found)})  \n" + "  \n".join(lines))
