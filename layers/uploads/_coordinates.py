"""Reading a row's location: lat/lon in any usual notation, grid metres, or only a postcode."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from layers.uploads import limits
from layers.uploads._table import single_spaced

#: A row's coordinate system: "wgs84" (x = lon, y = lat), "bng" (x = easting, y = northing)
#: or "postcode" (no coordinates: the row is placed at its postcode's point).
WGS84, BNG, POSTCODE = "wgs84", "bng", "postcode"

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$")

Report = Callable[..., None]


class CoordinateReader:
    """Read the location cells of a row, reporting what is wrong with them."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = mapping

    def read(self, cell: Callable[[str], str], report: Report) -> tuple[str, float, float] | None:
        """Return (system, x, y), or None when the row cannot be placed (reported).

        Given lat/lon win over eastings/northings, which win over a postcode; a postcode-only
        row comes back as ("postcode", nan, nan) and is placed later, from the index.
        """
        wgs84 = "lat" in self.mapping and "lon" in self.mapping
        grid = "easting" in self.mapping and "northing" in self.mapping
        lat_raw, lon_raw = (cell("lat").strip(), cell("lon").strip()) if wgs84 else ("", "")
        east_raw, north_raw = (
            (cell("easting").strip(), cell("northing").strip()) if grid else ("", "")
        )
        if lat_raw or lon_raw:
            return self.degrees(lat_raw, lon_raw, report)
        if east_raw or north_raw:
            return self.grid(east_raw, north_raw, report)
        if single_spaced(cell("postcode")):  # the postcode as the row keeps it, not blank
            return POSTCODE, math.nan, math.nan
        if wgs84 or grid:
            also = ", or its postcode" if "postcode" in self.mapping else ""
            report(
                pair(self.mapping, WGS84 if wgs84 else BNG),
                "",
                f"are empty; give the site's lat and lon (WGS84) or easting and northing{also}",
                kept=False,
            )
        else:
            report(
                "postcode",
                "",
                "is empty; give the site's postcode (or its lat and lon)",
                kept=False,
            )
        return None

    def degrees(
        self, lat_raw: str, lon_raw: str, report: Report
    ) -> tuple[str, float, float] | None:
        """Return ("wgs84", lon, lat) when both are degrees in range."""
        lat = self.number("lat", lat_raw, report, kind="lat")
        lon = self.number("lon", lon_raw, report, kind="lon")
        if lat is None or lon is None:
            return None
        if abs(lat) <= 90 and abs(lon) <= 180:
            return WGS84, lon, lat
        if in_bng(lon, lat) or in_bng(lat, lon):
            message = (
                "look like British National Grid eastings and northings, not degrees; "
                "map these columns to easting and northing"
            )
        else:
            message = "are outside -90..90 (lat) and -180..180 (lon)"
        report(pair(self.mapping, WGS84), f"{lat_raw}, {lon_raw}", message, kept=False)
        return None

    def grid(
        self, east_raw: str, north_raw: str, report: Report
    ) -> tuple[str, float, float] | None:
        """Return ("bng", easting, northing) when both are metres on the grid (or swapped)."""
        easting = self.number("easting", east_raw, report, kind="grid")
        northing = self.number("northing", north_raw, report, kind="grid")
        if easting is None or northing is None:
            return None
        if in_bng(easting, northing) or in_bng(northing, easting):
            return BNG, easting, northing
        report(
            pair(self.mapping, BNG),
            f"{east_raw}, {north_raw}",
            "are outside the British National Grid (0..700,000 m east, 0..1,300,000 m "
            "north); check the values are metres",
            kept=False,
        )
        return None

    def number(self, field_name: str, raw: str, report: Report, *, kind: str) -> float | None:
        """Return one coordinate as a finite number, or None (reported)."""
        if not raw:
            report(field_name, "", "is empty; both coordinates are needed", kept=False)
            return None
        value = parse_number(raw, kind=kind)
        if value is None:
            example = {"lat": "52.4862", "lon": "-1.8904", "grid": "406789"}[kind]
            report(
                field_name,
                raw,
                f"is not a number; give decimal {'metres' if kind == 'grid' else 'degrees'} "
                f"(e.g. {example})",
                kept=False,
            )
            return None
        if not math.isfinite(value):
            report(field_name, raw, "is not a finite number", kept=False)
            return None
        return value


def parse_number(raw: str, *, kind: str) -> float | None:
    """Parse a coordinate as written in the wild; None when it is not a number.

    Degrees may carry a degree sign, a hemisphere letter (S and W are negative) or a decimal
    comma; grid metres may group thousands with commas or spaces.
    """
    text = raw.strip().replace("\u2212", "-").replace("°", "").strip()
    if _NUMBER.fullmatch(text):
        return float(text)
    if kind == "grid":
        if _THOUSANDS.fullmatch(text):
            return float(text.replace(",", "").replace(" ", ""))
        return None
    letters = "NS" if kind == "lat" else "EW"
    sign = 1.0
    match = re.fullmatch(rf"([{letters}]?)\s*([^A-Za-z]*?)\s*([{letters}]?)", text, re.IGNORECASE)
    if match and bool(match.group(1)) != bool(match.group(3)):
        text = match.group(2)
        sign = -1.0 if (match.group(1) or match.group(3)).upper() in "SW" else 1.0
        if text.startswith(("-", "+")):
            return None  # "-1.5W" gives the sign twice; refuse rather than guess
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    return sign * float(text)


def in_bng(easting: float, northing: float) -> bool:
    """Return whether a pair of numbers lies on the British National Grid (and is not degrees)."""
    west, south, east, north = limits.BNG_BOUNDS
    return west <= easting <= east and south <= northing <= north and max(easting, northing) > 180


def pair(mapping: Mapping[str, str], system: str) -> str:
    """Return the coordinate columns' names as the file has them, e.g. "Latitude/Longitude"."""
    first, second = ("easting", "northing") if system == BNG else ("lat", "lon")
    return f"{mapping.get(first, first)}/{mapping.get(second, second)}"
