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
from mapping import popups
from ui import keys
from ui.text import plain

#: How far the card looks for other sites by default, in km (measured on the National Grid).
NEARBY_KM = 10.0
#: The distances the card offers, in km.
NEARBY_CHOICES: tuple[float, ...] = (5.0, 10.0, 25.0, 50.0)
#: How many sites of one kind the card lists by name (the rest are counted).
NEARBY_LISTED = 8
#: Widget keys of the nearby list's distance and "all sites" switch.
RADIUS_KEY = "card_radius"
ALL_SITES_KEY = "card_all_sites"
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
    """Another site near the card's site: its id, name, distance in km and kind (a slug)."""

    site_id: str
    name: str
    km: float
    kind: str = ""


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
    kinds = near["kind"] if "kind" in near else pd.Series("", index=near.index)
    return [
        Neighbour(
            str(near["site_id"].iloc[i]),
            _text(near["name"].iloc[i]),
            metres[i] / 1000,
            _text(kinds.iloc[i]),
        )
        for i in order
        if metres[i] <= radius_km * 1000
    ]


def by_kind(found: Sequence[Neighbour]) -> list[tuple[str, list[Neighbour]]]:
    """Return ``found`` grouped by kind (the vocabulary's order), nearest first in each.

    Each group is (the kind's label, its sites); sites of no known kind come last, as
    "Other".
    """
    groups: dict[str, list[Neighbour]] = {}
    for neighbour in sorted(found, key=lambda n: n.km):
        groups.setdefault(neighbour.kind, []).append(neighbour)
    order = [k for k in vocabulary.KINDS if k in groups]
    order += sorted(k for k in groups if k not in vocabulary.KINDS)
    return [
        (vocabulary.kind_label(k) if k in vocabulary.KINDS else "Other", groups[k]) for k in order
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


def site_card(
    selected: Selection, site_id: str | None, *, registry: pd.DataFrame | None = None
) -> None:
    """Show the card of ``site_id`` (a hint when no site is chosen).

    A site the filters leave out keeps its card (with a note), so changing a filter to look
    around a site never closes it. ``registry`` is every site (default: the app's registry).
    """
    if site_id is None:
        st.caption(HINT)
        return
    everything = _registry() if registry is None else registry
    site, uploaded = _find(selected, site_id)
    filtered_out = False
    if site is None and everything is not None:
        rows = everything[everything["site_id"].astype(str) == site_id]
        if not rows.empty:
            site, filtered_out = rows.iloc[0], True
    if site is None:
        st.caption("The site last chosen is not in this selection. " + HINT)
        return
    card = card_of({str(k): v for k, v in site.items()}, uploaded=uploaded)
    st.markdown(f"**{plain(card.name)}**")
    if _text(site.get("status")) == "planned":
        st.markdown(":orange-badge[Planned] not open yet")
    if card.uploaded:
        st.caption("From your uploaded file")
    if filtered_out:
        st.caption("The filters leave this site out of the map; its card stays open.")
    note = location_note(site.get("location_precision"))
    if note:
        st.caption(plain(note))
    st.markdown("  \n".join(f"**{plain(label)}:** {plain(text)}" for label, text in card.facts))
    for label, address in card.links:
        st.link_button(f"{label} ↗", address, width="stretch")
    if card.areas:
        lines = [f"{plain(label)}: {plain(name)}" for label, name in card.areas]
        st.markdown("**Areas**  \n" + "  \n".join(lines))
    _company(site.get("company_number"))
    _nearby(selected, everything, site, site_id)


def _company(number: object) -> None:
    """Show the site's company as Companies House holds it, when the firms are loaded."""
    if not _text(number):
        return
    from layers import registers_figures  # noqa: PLC0415 (only for a site naming a company)
    from ui import registers  # noqa: PLC0415

    found = registers_figures.company_details(registers.loaded_sources().firms, number)
    if found is None:
        return
    lines = [
        f"Company number: {plain(found['company_number'])}",
        f"SIC codes: {plain(', '.join(found['sic_codes']) or 'none given')}",
        f"Registered office postcode: {plain(found['registered_office_postcode'])}",
    ]
    st.markdown("**Companies House**  \n" + "  \n".join(lines))


def location_note(precision: object) -> str:
    """Return the sentence saying a point is approximate ("" for a site's own point)."""
    # the sentence lives beside the popups, so the card and every map say the same thing
    return popups.placement_note(precision)


def _registry() -> pd.DataFrame | None:
    from ui.registry import load_registry  # noqa: PLC0415 (a cached resource, shared)

    return load_registry().sites


def nearby_sites(
    selected: Selection,
    registry: pd.DataFrame | None,
    site: pd.Series,
    site_id: str,
    *,
    radius_km: float,
    everything: bool,
) -> list[Neighbour]:
    """Return the sites within ``radius_km`` of ``site``, nearest first.

    The selected sites (and the user's), or with ``everything`` every site of the registry
    whatever the filters (the user's sites too).
    """
    frames = [registry if everything and registry is not None else selected.registry_sites]
    frames.append(selected.uploads)
    found: list[Neighbour] = []
    for frame in frames:
        if frame is not None and not frame.empty:
            found += neighbours(
                frame, float(site["lat"]), float(site["lon"]), exclude=site_id, radius_km=radius_km
            )
    return sorted(found, key=lambda n: n.km)


def _nearby(
    selected: Selection, registry: pd.DataFrame | None, site: pd.Series, site_id: str
) -> None:
    st.markdown("**What is near this site**")
    radius = st.segmented_control(
        "Within",
        options=list(NEARBY_CHOICES),
        default=NEARBY_KM,
        format_func=lambda km: f"{km:g} km",
        key=RADIUS_KEY,
    )
    everything = st.toggle(
        "All sites, ignoring the filters",
        key=ALL_SITES_KEY,
        help="Off: the sites the filters select. On: every site of the registry.",
    )
    radius_km = float(radius or NEARBY_KM)
    found = nearby_sites(
        selected, registry, site, site_id, radius_km=radius_km, everything=bool(everything)
    )
    scope = "sites" if everything else "selected sites"
    if not found:
        st.markdown(f"No other {scope} within {radius_km:g} km.")
        return
    lines = [f"{len(found)} other {scope} within {radius_km:g} km (straight-line distance):"]
    for label, group in by_kind(found):
        lines.append(f"**{plain(label)}** ({len(group)})")
        lines += [f"{plain(n.name)} · {n.km:.1f} km" for n in group[:NEARBY_LISTED]]
        if len(group) > NEARBY_LISTED:
            lines.append(f"and {len(group) - NEARBY_LISTED} more")
    st.markdown("  \n".join(lines))
