"""Sites as compact rows, and the catalogue of rows one browser map already holds.

A site reaches the browser as one JSON array::

    [site_id, lon, lat, kind, capability, status, name, precision]

``lon`` and ``lat`` are rounded to 5 decimals (about a metre); ``kind``, ``capability`` and
``precision`` index the base's tables (:func:`mapping.livemap.base.legend_tables`); ``status``
indexes the catalogue's status table (``[text, closing, uploaded, planned]`` entries such as
``["Closing, closes 2029", true, false, false]``).

``capability`` is the colour's capability: the column ``colour_capability`` when the frame has
one (:func:`colour_capabilities`: under a capability filter, the first chosen capability a
site has), otherwise the site's main capability.
Strings stay plain text: the browser inserts them with ``textContent`` only.

The catalogue is append-only. A row is sent once per session; a filter change then sends only
rows the browser has never seen, and says which rows to show as a bit mask over the catalogue
(``show``, base64). The browser checks that rows arrive without gaps and asks for everything
again when they do not (a remount, a lost render).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from layers import timeline, vocabulary

#: Coordinates are sent with this many decimals (about a metre).
COORDINATE_DECIMALS: int = 5
#: Names longer than this are cut (the site card and the table show them in full).
NAME_LIMIT: int = 100
#: The order of a row's fields (the browser reads the same order).
ROW_FIELDS: tuple[str, ...] = (
    "id",
    "lon",
    "lat",
    "kind",
    "capability",
    "status",
    "name",
    "precision",
)
#: Location precision slugs a row's ``precision`` indexes (the last entry: not recorded).
PRECISION_SLUGS: tuple[str, ...] = (*vocabulary.PRECISIONS, "coordinates")
_HIDDEN_CHARACTERS = re.compile(
    r"[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

Row = tuple[str, float, float, int, int, int, str, int]


def plain_name(value: object, *, limit: int = NAME_LIMIT) -> str:
    """Return ``value`` as one line of plain text, without characters that hide or reorder text.

    Nothing is escaped: the browser inserts the text with ``textContent``, where markup is
    shown as itself.
    """
    raw = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    raw = _HIDDEN_CHARACTERS.sub(" ", raw).strip()
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def _capability_lists(values: pd.Series) -> list[object]:
    # the registry holds lists; a hand-made frame may hold "a;b" strings
    return [v.split(";") if isinstance(v, str) else v for v in values.tolist()]


def colour_capabilities(sites: pd.DataFrame, chosen: Sequence[str]) -> list[str]:
    """Return the capability each site is coloured by: the first of ``chosen`` it has.

    With no capability chosen, or for a site that has none of them, it is the site's main
    capability. Assign the result to a ``colour_capability`` column: every map colours and
    counts by it, so the legend's counts add up to what is drawn.
    """
    wanted = [slug for slug in chosen if slug]
    colours = []
    for caps in _capability_lists(sites["capabilities"]):
        listed = list(caps) if isinstance(caps, list | tuple | np.ndarray) else []
        first = next((slug for slug in wanted if slug in listed), None)
        colours.append(first or vocabulary.main_capability(listed) or "")
    return colours


def colour_capability_column(sites: pd.DataFrame) -> list[str]:
    """Return each site's colour capability: ``colour_capability`` where set, else its main."""
    mains = [vocabulary.main_capability(c) or "" for c in _capability_lists(sites["capabilities"])]
    if "colour_capability" not in sites:
        return mains
    given = sites["colour_capability"].fillna("").astype(str).tolist()
    return [g or m for g, m in zip(given, mains, strict=True)]


def precision_indexes(sites: pd.DataFrame) -> list[int]:
    """Return each site's index into :data:`PRECISION_SLUGS` (unknown: the last entry)."""
    index = {slug: i for i, slug in enumerate(PRECISION_SLUGS)}
    if "location_precision" not in sites:
        return [len(PRECISION_SLUGS) - 1] * len(sites)
    values = sites["location_precision"].fillna("").astype(str).tolist()
    return [index.get(v, len(PRECISION_SLUGS) - 1) for v in values]


def _coordinates(sites: pd.DataFrame) -> tuple[list[float], list[float]]:
    if {"lat", "lon"} <= set(sites.columns):
        lats, lons = pd.to_numeric(sites["lat"]), pd.to_numeric(sites["lon"])
    elif "geometry" in sites.columns:
        lats = pd.Series(sites.geometry.y, index=sites.index)
        lons = pd.Series(sites.geometry.x, index=sites.index)
    else:
        raise ValueError("sites need 'lat' and 'lon' columns or a point geometry (EPSG:4326)")
    return (
        lons.round(COORDINATE_DECIMALS).tolist(),
        lats.round(COORDINATE_DECIMALS).tolist(),
    )


@dataclass
class Catalogue:
    """The rows one browser map holds, in the order it received them.

    One catalogue belongs to one mounted map in one session (the component keeps it in
    ``st.session_state``). :meth:`encode` turns a selection into catalogue indexes, appending
    the rows not seen before; the first ``sent`` rows are those the browser has been sent.
    """

    session: str = field(default_factory=lambda: secrets.token_hex(4))
    rows: list[Row] = field(default_factory=list)
    statuses: list[list[Any]] = field(default_factory=list)
    sent: int = 0
    _index: dict[Row, int] = field(default_factory=dict, repr=False)
    _status_index: dict[tuple[str, bool, bool], int] = field(default_factory=dict, repr=False)

    def encode(self, sites: pd.DataFrame, *, uploaded: bool = False) -> list[int]:
        """Return the catalogue index of each site of ``sites``, adding rows not seen before.

        ``uploaded`` marks sites a user uploaded: the map rings them so they never pass for
        registry sites.
        """
        missing = [c for c in ("site_id", "name", "kind", "capabilities") if c not in sites]
        if missing:
            raise ValueError(f"sites lack the column(s) {missing!r} the live map draws from")
        capability_index = {slug: i for i, slug in enumerate(vocabulary.CAPABILITIES)}
        kind_index = {slug: i for i, slug in enumerate(vocabulary.KINDS)}
        lons, lats = _coordinates(sites)
        blank = [""] * len(sites)
        statuses = [
            self._status(str(s or ""), str(o or ""), str(c or ""), uploaded)
            for s, o, c in zip(
                sites["status"].fillna("").tolist() if "status" in sites else blank,
                sites["opened"].fillna("").tolist() if "opened" in sites else blank,
                sites["closes"].fillna("").tolist() if "closes" in sites else blank,
                strict=True,
            )
        ]
        indexes = []
        for site_id, lon, lat, kind, colour, status, name, precision in zip(
            sites["site_id"].astype(str).tolist(),
            lons,
            lats,
            sites["kind"].astype(str).tolist(),
            colour_capability_column(sites),
            statuses,
            sites["name"].tolist(),
            precision_indexes(sites),
            strict=True,
        ):
            row: Row = (
                site_id,
                lon,
                lat,
                kind_index.get(kind, len(kind_index)),
                capability_index.get(colour, len(capability_index)),
                status,
                plain_name(name),
                precision,
            )
            found = self._index.get(row)
            if found is None:
                found = self._index[row] = len(self.rows)
                self.rows.append(row)
            indexes.append(found)
        return indexes

    def _status(self, status: str, opened: str, closes: str, uploaded: bool) -> int:
        text = timeline.status_text(status, opened, closes) or "Status not recorded"
        key = (text, uploaded, status == "planned")
        found = self._status_index.get(key)
        if found is None:
            found = self._status_index[key] = len(self.statuses)
            self.statuses.append([text, status == "closing", uploaded, status == "planned"])
        return found


def show_mask(indexes: Sequence[int], size: int) -> str:
    """Return the rows to show as a base64 bit mask over ``size`` catalogue rows.

    Bit ``i`` (byte ``i // 8``, bit ``i % 8`` from the least significant) is set when row ``i``
    is shown: about 1 byte per 6 catalogue rows, whatever the selection.
    """
    bits = np.zeros(size, dtype=bool)
    if len(indexes):
        bits[np.asarray(indexes, dtype=np.int64)] = True
    return base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode("ascii")


def shown_indexes(mask: str) -> list[int]:
    """Return the catalogue rows a :func:`show_mask` marks as shown (its inverse)."""
    packed = np.frombuffer(base64.b64decode(mask), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(packed, bitorder="little")).tolist()


def payload_json(rows: Sequence[Row]) -> bytes:
    """Return ``rows`` as the bytes the browser receives: compact UTF-8 JSON."""
    return json.dumps(
        [list(row) for row in rows], separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()
