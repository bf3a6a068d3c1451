"""The sites registry: read, validate and place the Midlands' defence and security sites.

``data/sites/sites.csv`` is the source of truth, validated against its Table Schema
(``data/sites/schema.json``). Each valid site is joined to its ward and so to its LAD,
county or unitary authority, combined authority and region.

Its command line (``python -m layers.sites validate|audit|osm-check|geocode``) is
:mod:`layers.sites.cli`.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import Transformer

import settings
from layers import (
    boundaries,
    location_checks,
    postcodes,
    registry_checks,
    uploads,
    vocabulary,
)
from layers._errors import BoundaryDataMissingError, SiteValidationError
from layers._metric import transformer
from layers._validate import Problem, paused_collection
from layers._validate_arrow import read_registry_table
from layers._validate_columns import check_table
from layers.placement import (  # AREA_COLUMNS is re-exported from its old home
    AREA_COLUMNS,  # noqa: F401
    REGISTRY_COLUMNS,
    assign_areas,
)

logger = logging.getLogger(__name__)

#: Registry columns that may be empty: empty text, never NaN, once loaded.
OPTIONAL_TEXT_COLUMNS: tuple[str, ...] = (
    "postcode",
    "opened",
    "closes",
    "location_note",
    "status_source",
    "location_source",
    "location_check",
    "location_checked",
    "capability_sources",
    "company_number",
)


def read_registry_text(path: str | Path) -> str:
    """Return a registry file's text (UTF-8, with or without a byte-order mark)."""
    return Path(path).read_bytes().decode("utf-8-sig")


def validate_sites(
    path: str | Path | None = None,
    *,
    boundaries_dir: str | Path | None = None,
    today: date | None = None,
    postcode_index: str | Path | None = None,
    warnings: list[Problem] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate a registry file; return its valid rows and every problem found.

    Beyond the schema, rows are checked against each other, their sources' domains and the
    postcode index (:mod:`layers.registry_checks`).

    Parameters
    ----------
    path
        The registry CSV (default: ``settings.SITES_CSV``).
    boundaries_dir
        Where the built boundaries are; the Midlands outline check needs them and is reported
        as a problem of its own when they are missing.
    today
        The date that counts as today for the "not in the future" check.
    postcode_index
        The postcode index to check locations with (default: the built one). When it is not
        built, the postcode checks are skipped with a warning.
    warnings
        A list that receives what is worth a look but is not an error (rows not checked for a
        year, postcodes that could not be checked); logged when not given.

    Returns
    -------
    valid, problems
        The rows with no problem (typed, ``capabilities`` as a list, ``row`` the file row), and
        the problems of every other row.
    """
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    source = Path(path or settings.SITES_CSV)
    with paused_collection():
        table = read_registry_table(source)
        rows, typed, problems = check_table(
            table, vocabulary.schema(), today=today, text_as_arrow=True
        )
        del table
        valid = _typed_frame(rows, typed)
    try:
        outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    except BoundaryDataMissingError as exc:
        problems.append(
            Problem(
                0,
                "",
                "boundaries",
                str(boundaries_dir),
                f"are not built, so no site was checked against the Midlands outline ({exc})",
            )
        )
        return valid, problems
    found = _outside_outline(valid, outline)
    noted: list[Problem] = []
    found += _cross_checks(valid, today or date.today(), postcode_index, noted)
    problems.extend(found)
    bad_rows = {p.row for p in found}
    valid = valid[~valid["row"].isin(bad_rows)].reset_index(drop=True)
    problems.sort(key=lambda p: (p.row, p.field))
    if warnings is not None:
        warnings.extend(noted)
    else:
        for warning in noted:
            logger.warning("%s: %s", source.name, warning)
    return valid, problems


def _typed_frame(rows: list[int], typed: dict[str, Any]) -> pd.DataFrame:
    """Return the valid rows as a frame: ``row`` and the registry's columns, typed.

    A column held in Arrow (text, null when empty) becomes pandas' ``str`` column without
    passing through Python strings; one with no value at all is a column of None, as a list
    of None would be.
    """
    columns = ["row", *REGISTRY_COLUMNS]
    if not rows:
        return pd.DataFrame([], columns=columns)
    held = {
        name: values if isinstance(values, list) else _pandas_text(values)
        for name, values in typed.items()
    }
    return pd.DataFrame({"row": rows, **held}, columns=columns)


def _pandas_text(values: pa.ChunkedArray) -> Any:
    if values.null_count == len(values):
        return [None] * len(values)
    # one chunk, as a column built from Python strings is: later takes and filters stay fast
    return pd.array(values.combine_chunks(), dtype="str")


def _cross_checks(
    valid: pd.DataFrame, today: date, index: str | Path | None, warnings: list[Problem]
) -> list[Problem]:
    """Run the checks across rows, sources and postcodes; add warnings to ``warnings``."""
    if valid.empty:
        return []
    schema = vocabulary.schema()
    rules = registry_checks.SourceRules.from_schema(schema)
    located = location_checks.LocationRules.from_schema(schema)
    found = registry_checks.source_problems(valid, rules)
    found += registry_checks.shared_point_problems(valid)
    errors, noted = registry_checks.timeline_problems(valid, today=today)
    found += errors
    found += location_checks.status_problems(
        valid, today=today, stale_after_days=located.stale_after_days
    )
    found += location_checks.note_problems(valid, located)
    found += location_checks.capability_source_problems(valid)
    warnings += noted
    warnings += registry_checks.stale_warnings(valid, rules, today=today)
    try:
        loaded = postcodes.load_index(index)
    except postcodes.PostcodeIndexMissingError as exc:
        warnings.append(Problem(0, "", "postcodes", "", f"were not checked: {exc}"))
        return found + location_checks.location_check_problems(
            valid, None, located, registry_checks.domain
        )
    distances = registry_checks.postcode_distances(
        valid, lambda codes: postcodes.lookup(codes, index=loaded)
    )
    errors, noted = registry_checks.postcode_problems(valid, distances, rules)
    warnings += noted
    found += location_checks.location_check_problems(
        valid, distances, located, registry_checks.domain
    )
    return found + errors


def _outside_outline(valid: pd.DataFrame, outline: gpd.GeoDataFrame) -> list[Problem]:
    if valid.empty:
        return []
    x, y = _to_metric().transform(valid["lon"].to_numpy(float), valid["lat"].to_numpy(float))
    shape = outline.to_crs(settings.CRS_METRIC).geometry.iloc[0]
    shapely.prepare(shape)
    # a point inside the outline is 0 m from it: measure only the others
    inside = shapely.contains_xy(shape, x, y)
    distances = np.zeros(len(valid))
    distances[~inside] = shapely.distance(shapely.points(x[~inside], y[~inside]), shape)
    far = distances > settings.OUTLINE_TOLERANCE_M
    problems = []
    for (_, site), metres in zip(valid[far].iterrows(), distances[far], strict=True):
        problems.append(
            Problem(
                int(site["row"]),
                site["site_id"],
                "lat/lon",
                f"{site['lat']}, {site['lon']}",
                f"is {metres / 1000:.1f} km outside the Midlands outline (tolerance "
                f"{settings.OUTLINE_TOLERANCE_M / 1000:g} km); check the coordinates, "
                "and that lat and lon are not swapped",
            )
        )
    return problems


def _to_metric() -> Transformer:
    return transformer(settings.CRS_STORAGE, settings.CRS_METRIC)


def load_sites(
    path: str | Path | None = None,
    *,
    boundaries_dir: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Return the validated registry (EPSG:4326) with each site's areas.

    Raises
    ------
    SiteValidationError
        When any row has a problem: one error lists them all; no row is dropped in silence.
    BoundaryDataMissingError
        When the boundaries are not built (run ``make data``).
    """
    source = Path(path or settings.SITES_CSV)
    with paused_collection():  # validate_sites reads the settings' folder when given None
        return _placed_sites(source, boundaries_dir)


def _placed_sites(source: Path, boundaries_dir: str | Path | None) -> gpd.GeoDataFrame:
    valid, problems = validate_sites(source, boundaries_dir=boundaries_dir)
    missing = [p for p in problems if p.field == "boundaries"]
    if missing:
        raise BoundaryDataMissingError(missing[0].message)
    if problems:
        raise SiteValidationError([str(p) for p in problems], source=str(source))
    sites = gpd.GeoDataFrame(
        valid.drop(columns="row"),
        geometry=gpd.points_from_xy(valid["lon"], valid["lat"]),
        crs=settings.CRS_STORAGE,
    )
    sites["last_checked"] = _iso_days(sites["last_checked"], empty=None)
    if "location_checked" in sites.columns:
        sites["location_checked"] = _iso_days(sites["location_checked"], empty="")
    optional = [c for c in OPTIONAL_TEXT_COLUMNS if c in sites.columns]
    # text dtype whatever the rows hold: a column no row fills (company_number today) too
    sites[optional] = sites[optional].fillna("").astype(str)
    return assign_areas(sites, boundaries_dir=boundaries_dir)


def _iso_days(days: pd.Series, *, empty: str | None) -> np.ndarray:
    """Return each date as ISO text (``empty`` where there is none), each distinct day written once.

    A few hundred distinct days among many sites: formatting each row's would be the slow way.
    """
    codes, distinct = pd.factorize(days)  # an empty cell is code -1: the last entry
    shown = [day.isoformat() if isinstance(day, date) else empty for day in distinct]
    return np.array([*shown, empty], dtype=object)[codes]


def read_user_sites(
    file: str | Path | bytes | BinaryIO, **options: Any
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read a user's CSV, .xlsx or GeoJSON list of sites: see ``layers.uploads``.

    Returns the sites that can be shown (the registry's columns, ``site_id`` ``upload-<row>``)
    and every problem (``layers.uploads.UploadProblem``: each says whether its row was kept).
    """
    sites, problems = uploads.read_user_sites(file, **options)
    return sites, list(problems)


def geocode_candidates(query: str, *, limit: int = 5) -> list[dict[str, Any]]:
    """Return Nominatim candidates for ``query`` (through osmnx), for a person to review.

    Needs the network; raises ``RuntimeError`` with advice when the geocoder cannot be reached.
    Nothing is ever written to the registry.
    """
    from layers import _osm  # noqa: PLC0415 (osmnx is slow to import; only geocoding needs it)

    return _osm.geocode_candidates(query, limit=limit)
