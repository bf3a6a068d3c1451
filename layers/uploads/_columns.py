"""Matching a file's columns to the fields of a site, by name, with the user's choices on top."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from layers.uploads import limits
from layers.uploads._problems import WHOLE_FILE, UploadProblem, UploadTable, shown

#: Fields an upload can fill, with the label the mapping step shows.
UPLOAD_FIELDS: dict[str, str] = {
    "name": "Site name",
    "organisation": "Organisation",
    "kind": "Kind of site",
    "capabilities": "Capabilities",
    "lat": "Latitude (WGS84)",
    "lon": "Longitude (WGS84)",
    "easting": "Easting (British National Grid)",
    "northing": "Northing (British National Grid)",
    "postcode": "Postcode (places rows without coordinates, checks the others)",
    "town": "Town",
    "description": "Description",
    "source_url": "Source (http or https address)",
    "location_precision": "Location precision",
    "last_checked": "Last checked (YYYY-MM-DD)",
}

#: Column names a GeoJSON file's point coordinates are given under.
GEOMETRY_COLUMNS: dict[str, str] = {
    "lon": "geometry longitude",
    "lat": "geometry latitude",
    "easting": "geometry easting",
    "northing": "geometry northing",
}

#: Recognised column names per field, best first (compared after :func:`normalise_name`).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "site name", "site", "location name", "facility", "facility name"),
    "organisation": (
        "organisation",
        "organization",
        "company",
        "company name",
        "organisation name",
        "organization name",
        "org",
        "business",
        "business name",
        "operator",
        "owner",
        "member",
        "member name",
        "supplier",
        "supplier name",
    ),
    "kind": ("kind", "kind of site", "site kind", "type", "site type", "category"),
    "capabilities": (
        "capabilities",
        "capability",
        "capability slugs",
        "capability areas",
        "capability area",
    ),
    "lat": (GEOMETRY_COLUMNS["lat"], "lat", "latitude", "latitude wgs84", "lat wgs84", "wgs84 lat"),
    "lon": (
        GEOMETRY_COLUMNS["lon"],
        "lon",
        "longitude",
        "lng",
        "long",
        "longitude wgs84",
        "lon wgs84",
        "wgs84 lon",
    ),
    "easting": (
        GEOMETRY_COLUMNS["easting"],
        "easting",
        "eastings",
        "bng e",
        "bng easting",
        "os easting",
        "grid easting",
        "x easting",
    ),
    "northing": (
        GEOMETRY_COLUMNS["northing"],
        "northing",
        "northings",
        "bng n",
        "bng northing",
        "os northing",
        "grid northing",
        "y northing",
    ),
    "postcode": (
        "postcode",
        "post code",
        "postal code",
        "postcodes",
        "site postcode",
        "address postcode",
        "postcode of site",
        "pcd",
        "pcds",
        "zip",
        "zip code",
        "zipcode",
        "postal zip code",
    ),
    "town": ("town", "city", "town city", "town or city", "locality", "place", "post town"),
    "description": ("description", "notes", "summary", "details", "about", "comments"),
    "source_url": (
        "source url",
        "source",
        "url",
        "website",
        "web site",
        "website url",
        "web",
        "link",
        "web address",
        "homepage",
    ),
    "location_precision": ("location precision", "precision", "location accuracy", "accuracy"),
    "last_checked": ("last checked", "checked", "date checked", "last updated", "checked on"),
}

_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def suggest_column_map(header: Sequence[str]) -> dict[str, str]:
    """Return field -> column for every field a column's name matches (best alias first).

    Parameters
    ----------
    header
        The file's column names.
    """
    suggested: dict[str, str] = {}
    for field_name, candidates in _candidates(header).items():
        if candidates:
            suggested[field_name] = candidates[0]
    return suggested


def ambiguous_columns(header: Sequence[str]) -> dict[str, list[str]]:
    """Return field -> columns for the fields that more than one column could fill.

    These are the choices a person should confirm in the mapping step; the first column is
    the one :func:`suggest_column_map` picks.

    Parameters
    ----------
    header
        The file's column names.
    """
    return {f: columns for f, columns in _candidates(header).items() if len(columns) > 1}


def normalise_name(column: str) -> str:
    """Return a column name as compared with the aliases: case, spaces and punctuation folded."""
    return " ".join(_NOT_ALPHANUMERIC.sub(" ", column.casefold()).split())


def _candidates(header: Sequence[str]) -> dict[str, list[str]]:
    """Return field -> matching columns, best alias first, for every field."""
    normalised = [(normalise_name(column), column) for column in header]
    found: dict[str, list[str]] = {}
    for field_name, aliases in ALIASES.items():
        ranked = [
            column for alias in aliases for norm, column in normalised if norm == alias and column
        ]
        found[field_name] = list(dict.fromkeys(ranked))
    return found


def has_coordinates(mapping: Mapping[str, str]) -> bool:
    """Return whether the mapping names a full pair of coordinate columns."""
    return ("lat" in mapping and "lon" in mapping) or (
        "easting" in mapping and "northing" in mapping
    )


def resolve_columns(
    table: UploadTable, column_map: Mapping[str, str | None] | None
) -> tuple[dict[str, str], list[UploadProblem]]:
    """Return field -> column (suggestions overridden by the user) and whole-file notes."""
    header = table.header
    problems: list[UploadProblem] = []
    mapping: dict[str, str] = dict(suggest_column_map(header))
    for field_name, column in (column_map or {}).items():
        if field_name not in UPLOAD_FIELDS:
            problems.append(
                UploadProblem(
                    WHOLE_FILE,
                    "",
                    "column map",
                    str(field_name),
                    f"is not a field that can be mapped; choose from {', '.join(UPLOAD_FIELDS)}",
                )
            )
        elif not column:
            mapping.pop(field_name, None)
        elif column not in header:
            problems.append(
                UploadProblem(
                    WHOLE_FILE,
                    "",
                    "column map",
                    f"{field_name}={column}",
                    f"names a column that is not in the file; its columns are "
                    f"{shown(', '.join(header))}",
                )
            )
        else:
            mapping[field_name] = column
    if problems:
        return mapping, problems
    if not has_coordinates(mapping) and "postcode" not in mapping:
        half = [UPLOAD_FIELDS[f] for f in ("lat", "lon", "easting", "northing") if f in mapping]
        found = f" (it has only {', '.join(half)})" if half else ""
        message = (
            f"has no coordinate or postcode columns{found}; add lat and lon (WGS84), easting "
            "and northing (British National Grid) or a postcode, or choose the columns that "
            "hold them in the column mapping"
        )
        problems.append(UploadProblem(WHOLE_FILE, "", "header", shown(", ".join(header)), message))
        return mapping, problems
    problems.extend(_header_notes(header, mapping))
    return mapping, problems


def _header_notes(header: Sequence[str], mapping: Mapping[str, str]) -> list[UploadProblem]:
    notes = []

    def note(value: str, message: str) -> None:
        notes.append(UploadProblem(WHOLE_FILE, "", "header", value, message, kept=True))

    coordinates = has_coordinates(mapping)
    if "name" not in mapping and "organisation" in mapping:
        note(
            mapping["organisation"],
            "is used as each site's name: the file has no name column",
        )
    if "kind" not in mapping:
        note("", f"has no kind column; every site is shown as {limits.DEFAULT_KIND!r} (a circle)")
    if "capabilities" not in mapping:
        note("", "has no capabilities column; the sites are shown in grey, with none")
    if "location_precision" not in mapping and coordinates:
        note(
            "",
            f"has no location precision column; each site's coordinates are taken as the "
            f"site itself ({limits.DEFAULT_PRECISION!r})",
        )
    if "postcode" in mapping:
        distance = f"{limits.POSTCODE_MISMATCH_M / 1000:g} km"
        note(
            mapping["postcode"],
            (
                "places the rows without coordinates at their postcode's point (precision "
                f"{limits.POSTCODE_PRECISION!r}), and checks the others: a row more than "
                f"{distance} from its postcode's point is flagged"
            )
            if coordinates
            else (
                "places each site at its postcode's point (precision "
                f"{limits.POSTCODE_PRECISION!r}): the file has no coordinate columns"
            ),
        )
    used = set(mapping.values())
    unused = [c for c in header if c not in used and not re.fullmatch(r"column \d+( \(\d+\))?", c)]
    if unused:
        note(shown(", ".join(unused)), "names columns that no field matches; they are not used")
    return notes
