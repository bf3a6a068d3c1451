"""Uploads by postcode: place rows that give only a postcode, check rows that give both.

A row with a postcode and no coordinates is placed at its postcode's point in the default index,
the ONS Postcode Directory (:mod:`layers.postcodes`)
(precision ``postcode``). A row with both is checked against itself: when its coordinates lie
more than :data:`~layers.uploads.limits.POSTCODE_MISMATCH_M` from its postcode's point it is
flagged (kept). An unknown or malformed postcode is a problem of its row, naming the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import settings
from layers import postcodes
from layers._metric import transformer
from layers.uploads import limits
from layers.uploads._coordinates import POSTCODE
from layers.uploads._problems import WHOLE_FILE, UploadProblem, site_id
from layers.uploads._rows import ParsedRow


def place_by_postcode(
    rows: list[ParsedRow],
    mapping: Mapping[str, str],
    problems: list[UploadProblem],
    *,
    index: postcodes.PostcodeIndex | str | Path | None = None,
) -> list[ParsedRow]:
    """Place the postcode-only rows and check the others; return the rows that can be shown.

    ``rows`` are those already placed by coordinates (``values`` has lat and lon) and those
    that give only a postcode. Rows without a postcode pass through untouched.
    """
    with_postcode = [r for r in rows if r.postcode]
    if not with_postcode:
        return rows
    column = mapping.get("postcode", "postcode")
    try:
        found = postcodes.lookup([r.postcode for r in with_postcode], index=index)
    except postcodes.PostcodeIndexMissingError as exc:
        return _without_index(rows, column, problems, str(exc))
    metres = _distances(with_postcode, found)
    left_out: set[int] = set()
    for row, hit, apart in zip(with_postcode, found.itertuples(index=False), metres, strict=True):
        if not hit.found:
            _report_unknown(row, column, hit.message, problems)
            if row.system == POSTCODE:
                left_out.add(row.row)
            else:
                row.values["postcode"] = postcodes.normalise(row.postcode) or ""
            continue
        row.values["postcode"] = hit.postcode
        if row.system == POSTCODE:
            _place_at(row, hit.geometry.x, hit.geometry.y, mapping, problems)
        elif apart > limits.POSTCODE_MISMATCH_M:
            _flag_distance(row, hit.postcode, float(apart), problems)
    return [r for r in rows if r.row not in left_out]


def _distances(rows: list[ParsedRow], found: gpd.GeoDataFrame) -> np.ndarray:
    """Return metres (EPSG:27700) from each row's coordinates to its postcode's point (or nan)."""
    metric = transformer(settings.CRS_STORAGE, settings.CRS_METRIC)
    lon = np.array([r.values.get("lon", np.nan) for r in rows], dtype=float)
    lat = np.array([r.values.get("lat", np.nan) for r in rows], dtype=float)
    x, y = metric.transform(lon, lat)
    points = found.geometry.to_crs(settings.CRS_METRIC).values
    return np.hypot(x - shapely.get_x(points), y - shapely.get_y(points))


def _place_at(
    row: ParsedRow,
    lon: float,
    lat: float,
    mapping: Mapping[str, str],
    problems: list[UploadProblem],
) -> None:
    given = row.values.get("location_precision")
    if "location_precision" in mapping and given not in ("", limits.DEFAULT_PRECISION, None):
        problems.append(
            UploadProblem(
                row.row,
                site_id(row.row),
                mapping["location_precision"],
                str(given),
                f"is replaced by {limits.POSTCODE_PRECISION!r}: the row has no coordinates, so "
                "the site is placed at its postcode's point",
                kept=True,
            )
        )
    row.values["location_precision"] = limits.POSTCODE_PRECISION
    row.values["lon"] = round(float(lon), 6)
    row.values["lat"] = round(float(lat), 6)


def _flag_distance(
    row: ParsedRow, postcode: str, metres: float, problems: list[UploadProblem]
) -> None:
    problems.append(
        UploadProblem(
            row.row,
            site_id(row.row),
            "lat/lon",
            f"{row.values['lat']:g}, {row.values['lon']:g}",
            f"are {metres / 1000:.1f} km from the point of the row's postcode {postcode} "
            f"(more than {limits.POSTCODE_MISMATCH_M / 1000:g} km): check the coordinates "
            "or the postcode; the site is shown at its coordinates",
            kept=True,
        )
    )


def _report_unknown(
    row: ParsedRow, column: str, reason: str, problems: list[UploadProblem]
) -> None:
    placed = row.system != POSTCODE
    if reason.startswith(postcodes.NOT_A_POSTCODE):
        reason = "not a UK postcode (they look like CV8 3AB)"
    if placed:
        consequence = "the coordinates could not be checked against it"
    else:
        consequence = "the row has no coordinates, so the site cannot be placed"
    problems.append(
        UploadProblem(
            row.row, site_id(row.row), column, row.postcode, f"is {reason}; {consequence}", placed
        )
    )


def _without_index(
    rows: list[ParsedRow], column: str, problems: list[UploadProblem], detail: str
) -> list[ParsedRow]:
    """Leave out the postcode-only rows (each reported), say why once, and keep the rest."""
    kept = [r for r in rows if r.system != POSTCODE]
    unplaced = [r for r in rows if r.system == POSTCODE]
    if unplaced:
        what = (
            f"{len(unplaced)} row(s) give only a postcode and were left out; the rows with "
            "coordinates were not checked against their postcodes"
        )
    else:
        what = "the rows' coordinates were not checked against their postcodes"
    problems.insert(
        0,
        UploadProblem(
            WHOLE_FILE,
            "",
            "postcodes",
            "",
            f"could not be looked up: {detail}. {what.capitalize()}",
            kept=bool(kept),
        ),
    )
    for row in unplaced:
        problems.append(
            UploadProblem(
                row.row,
                site_id(row.row),
                column,
                row.postcode,
                "could not be looked up: the postcode index is missing (see the file's first "
                "problem)",
            )
        )
    return kept
