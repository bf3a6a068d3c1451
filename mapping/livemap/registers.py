"""The official registers on the live map: three layers, each with its own toggle.

- **Registered firms** (Companies House): small points at the registered office's postcode,
  clustered. The public profile applies: firms that file micro-entity accounts or none are
  counted by district in the layer's note and not drawn.
- **Defence contract awards** (Contracts Finder and Find a Tender): points sized by value.
- **Official business counts** (ONS UK Business Counts, Nomis): a district choropleth; a
  district whose cells are all withheld is grey and dashed, never 0.

Each layer names its source, month and definition and carries its credit. A source that is not
built is a disabled toggle that gives the command that builds it; nothing else changes.

The layers travel once per session and version, like the site rows: :func:`render_arg` sends
the data only when this map has not received the version, or when the map asks for it again
(a ``resync`` whose ``have.registers`` differs).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers import companies, contracts, registers_figures, statistics
from mapping.livemap.base import COORDINATE_DECIMALS, compact_json
from mapping.livemap.reports import unhandled

#: The layers, in the order of their toggles.
NAMES: tuple[str, ...] = ("firms", "awards", "counts")
TITLES: dict[str, str] = {
    "firms": "Registered firms (registered office)",
    "awards": "Defence contract awards (sized by value)",
    "counts": "Official business counts by district",
}
CREDITS: dict[str, str] = {
    "firms": companies.ATTRIBUTION,
    "awards": contracts.ATTRIBUTION,
    "counts": statistics.ATTRIBUTION,
}
#: The choropleth's classes, light to dark (local units in the definition's SIC classes).
COUNT_COLOURS: tuple[str, ...] = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")
SUPPRESSED_COLOUR = "#bdbdbd"
#: Awards: SME suppliers, other suppliers, scale not stated.
AWARD_COLOURS: dict[str, str] = {"sme": "#1b9e77", "large": "#d95f02", "unknown": "#7570b3"}
_STATE_PREFIX = "livemap-registers:"


@dataclass(frozen=True)
class RegistersPayload:
    """The three layers as compact JSON text, and its version (a hash of the text)."""

    version: str
    text: str
    drawn: dict[str, int]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _placed(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geometry = frame.geometry
    return frame[geometry.notna() & ~geometry.is_empty]


def firm_rows(firms: gpd.GeoDataFrame, sites: pd.DataFrame) -> tuple[list[list[Any]], int]:
    """Return the firms drawn as points under the public profile, and how many are held back.

    Rows are ``[lon, lat, name, company_number, core (1/0), capabilities]``. A firm that is a
    curated site (same ``company_number``) is left out: the site is drawn instead.
    """
    shown, _, _ = registers_figures.firms_for_export(firms, profile="public")
    held_back = len(firms) - len(shown)
    points = registers_figures.firm_points(_placed(registers_figures.without_curated(shown, sites)))
    rows = [
        [
            _number(row.lon),
            _number(row.lat),
            _text(row.name),
            _text(row.company_number),
            1 if row.tier == "core" else 0,
            _text(row.capabilities).replace(";", ", ").replace("_", " "),
        ]
        for row in points.itertuples(index=False)
    ]
    return rows, held_back


def award_rows(awards: gpd.GeoDataFrame) -> list[list[Any]]:
    """Return the Midlands awards as rows for points sized by value.

    Rows are ``[lon, lat, supplier, buyer, value, shared value, sme, date, radius_px]``; ``sme``
    is 1, 0, or None when the notice does not say.
    """
    midlands = _placed(awards[awards["region"] == contracts.MIDLANDS])
    points = registers_figures.award_points(midlands)
    rows = []
    for row in points.itertuples(index=False):
        sme = None if row.sme is None or row.sme is pd.NA else (1 if bool(row.sme) else 0)
        rows.append(
            [
                _number(row.lon),
                _number(row.lat),
                _text(row.supplier),
                _text(row.buyer),
                _number(row.value_gbp),
                _number(row.shared_value_gbp),
                sme,
                _text(row.date)[:10],
                _number(row.radius_px),
            ]
        )
    return rows


def count_classes(values: list[float]) -> list[float]:
    """Return the upper bounds of up to four classes (quartiles of the published counts)."""
    if not values:
        return []
    ordered = sorted(values)
    bounds = [
        ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]
        for q in (0.25, 0.5, 0.75, 1)
    ]
    return sorted(set(bounds))


def count_features(
    counts: pd.DataFrame, lads: gpd.GeoDataFrame
) -> tuple[dict[str, Any], list[list[str]]]:
    """Return the districts with a published or withheld count (GeoJSON) and the legend rows.

    Each feature has ``name``, ``label`` ("1,005", "15 (at least; ...)", "suppressed"),
    ``fill`` and ``suppressed`` (1 when any cell is withheld). Districts without any cell are
    not drawn.
    """
    shaded = registers_figures.counts_choropleth(counts, lads)
    shaded = shaded[(shaded["label"] != "no data")].to_crs(4326)
    published = [float(c) for c in shaded["count"].dropna()]
    bounds = count_classes(published)
    features = []
    for row in shaded.itertuples(index=False):
        count = _number(row.count)
        if count is None:
            fill = SUPPRESSED_COLOUR
        else:
            klass = next(i for i, bound in enumerate(bounds) if count <= bound)
            fill = COUNT_COLOURS[klass + len(COUNT_COLOURS) - len(bounds)]
        geometry = _rounded(row.geometry.__geo_interface__)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": _text(row.name),
                    "label": _text(row.label),
                    "fill": fill,
                    "suppressed": 1 if int(row.suppressed_cells) else 0,
                },
                "geometry": geometry,
            }
        )
    legend = []
    low = 0.0
    for i, bound in enumerate(bounds):
        colour = COUNT_COLOURS[i + len(COUNT_COLOURS) - len(bounds)]
        legend.append(
            [
                colour,
                f"{low:,.0f}–{bound:,.0f} local units"
                if bound > low
                else f"{bound:,.0f} local units",
            ]
        )
        low = bound + 1
    legend.append([SUPPRESSED_COLOUR, "suppressed (withheld, not 0)"])
    return {"type": "FeatureCollection", "features": features}, legend


def _rounded(geometry: Mapping[str, Any]) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, COORDINATE_DECIMALS)
        if isinstance(value, list | tuple):
            return [walk(item) for item in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def registers_payload(
    sources: registers_figures.RegisterSources,
    sites: pd.DataFrame,
    lads: gpd.GeoDataFrame | None,
) -> RegistersPayload:
    """Return the three layers for the live map: data for the loaded ones, the command else.

    Parameters
    ----------
    sources
        The built register layers (:func:`layers.registers_figures.load_sources`).
    sites
        The curated registry: a firm with a curated site's ``company_number`` is not drawn.
    lads
        The districts (``code``, ``name``, geometry), for the counts' choropleth.
    """
    loaded = sources.loaded()
    layers: list[dict[str, Any]] = []
    drawn = dict.fromkeys(NAMES, 0)
    for name in NAMES:
        spec: dict[str, Any] = {"name": name, "title": TITLES[name], "loaded": loaded[name]}
        if not loaded[name]:
            spec["command"] = registers_figures.LOAD_COMMANDS[name]
            spec["source"] = registers_figures.SOURCE_NAMES[name]
            layers.append(spec)
            continue
        spec["label"] = sources.label(name)
        spec["credit"] = CREDITS[name]
        if name == "firms" and sources.firms is not None:
            rows, held_back = firm_rows(sources.firms, sites)
            spec["rows"] = rows
            spec["note"] = (
                f"{len(rows):,} firms whose SIC codes meet the definition, at their registered "
                "office's postcode (often an accountant's office, not the works)."
                + (
                    f" {held_back:,} filing micro-entity accounts or none are counted by "
                    "district (public profile), not drawn."
                    if held_back
                    else ""
                )
            )
            drawn[name] = len(rows)
        elif name == "awards" and sources.awards is not None:
            rows = award_rows(sources.awards)
            spec["rows"] = rows
            spec["colours"] = AWARD_COLOURS
            spec["note"] = (
                f"{len(rows):,} awards by defence buyers to Midlands suppliers, at the "
                "supplier's postcode; a point's area grows with the award's value."
            )
            drawn[name] = len(rows)
        elif name == "counts" and sources.counts is not None:
            if lads is None or lads.empty:
                spec["loaded"] = False
                spec["command"] = "make data   (the districts' boundaries are not built)"
                layers.append(spec)
                continue
            geojson, legend = count_features(sources.counts, lads)
            spec["geojson"] = geojson
            spec["legend"] = legend
            spec["note"] = (
                "Local units in the definition's SIC classes, summed per district; "
                "'at least' where a cell is withheld."
            )
            drawn[name] = len(geojson["features"])
        layers.append(spec)
    text = compact_json({"layers": layers}).decode()
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    return RegistersPayload(version=version, text=text, drawn=drawn)


def render_arg(key: str, payload: RegistersPayload) -> dict[str, Any]:
    """Return the render's ``registers`` argument: the version, and the data when it is due.

    The data is due when this map (``key``) has not been sent this version in this session,
    or when the map asked again (a resync saying it holds another version).
    """
    state = st.session_state.get(_STATE_PREFIX + key)
    if not isinstance(state, dict):
        state = st.session_state[_STATE_PREFIX + key] = {"sent": None, "handled": None}
    raw = st.session_state.get(key)
    resync = unhandled(raw.get("resync") if isinstance(raw, Mapping) else None, state["handled"])
    if resync is not None:
        state["handled"] = resync["token"]
        have = resync.get("have")
        if not isinstance(have, Mapping) or have.get("registers") != payload.version:
            state["sent"] = None
    arg: dict[str, Any] = {"version": payload.version}
    if state["sent"] != payload.version:
        arg["data"] = payload.text
    return arg


def mark_sent(key: str, arg: Mapping[str, Any]) -> None:
    """Remember that the render holding ``arg`` reached the queue to the browser."""
    state = st.session_state.get(_STATE_PREFIX + key)
    if isinstance(state, dict) and "data" in arg:
        state["sent"] = arg["version"]
