"""What the official-register layers share: definition, districts, placement, guarded ZIPs.

The shared parts are the sector definition, the Midlands districts, placing rows by postcode,
guarded ZIP reading and atomic output.

The definition (``data/definitions/defence_sic.csv``) is a table anyone can read and change:
one SIC 2007 subclass a line (the five-digit code Companies House prints, e.g. ``25400``), its
title, a ``core`` or ``adjacent`` tier, the capabilities it stands for (slugs from the sites
schema, ``;``-separated) and the public page the line rests on.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import pandas as pd

import settings
from layers import postcodes, vocabulary
from layers._io import atomic_write

DEFINITIONS_DIR: Path = settings.ROOT / "data" / "definitions"
SIC_DEFINITION_CSV: Path = DEFINITIONS_DIR / "defence_sic.csv"
BUYERS_CSV: Path = DEFINITIONS_DIR / "defence_buyers.csv"
#: The precision of a point placed at a registered office or a supplier's postcode.
REGISTERED_OFFICE = "registered office"
#: Default ceiling on the bytes one ZIP member may inflate to (the real file is about 2.7 GB).
MAX_UNZIPPED_BYTES: int = 8 * 1024**3
TIERS = ("core", "adjacent")
_SIC_CODE_RE = re.compile(r"^[0-9]{5}$")


class RegisterSourceError(ValueError):
    """A register file cannot be read as published (header, ZIP, JSON or definition)."""


class RegisterDownloadError(RuntimeError):
    """A register download or API did not give a complete, valid answer."""


class ZipBombError(RegisterSourceError):
    """A ZIP member inflates past the stated ceiling."""


@dataclass(frozen=True)
class SicLine:
    """One line of the sector definition."""

    sic_code: str
    title: str
    tier: str
    capabilities: tuple[str, ...]
    source: str

    @property
    def sic_class(self) -> str:
        """The four-digit SIC 2007 class with its dot (``25.40``), as ONS tables print it."""
        return f"{self.sic_code[:2]}.{self.sic_code[2:4]}"


def load_definition(path: str | Path | None = None) -> dict[str, SicLine]:
    """Return the sector definition, SIC code -> line, after checking every line.

    Parameters
    ----------
    path
        The definition CSV (default ``data/definitions/defence_sic.csv``).

    Raises
    ------
    RegisterSourceError
        Listing every bad line (code, tier, capability or source), with what to fix.
    """
    target = Path(path) if path is not None else SIC_DEFINITION_CSV
    with open(target, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    problems: list[str] = []
    lines: dict[str, SicLine] = {}
    for number, row in enumerate(rows, start=2):
        code = (row.get("sic_code") or "").strip()
        tier = (row.get("tier") or "").strip()
        slugs = tuple(s.strip() for s in (row.get("capabilities") or "").split(";") if s.strip())
        source = (row.get("source") or "").strip()
        if not _SIC_CODE_RE.match(code):
            problems.append(f"line {number}: sic_code {code!r} is not a five-digit SIC 2007 code")
        if tier not in TIERS:
            problems.append(f"line {number} ({code}): tier {tier!r} is not core or adjacent")
        unknown = [s for s in slugs if s not in vocabulary.CAPABILITIES]
        if unknown or not slugs:
            problems.append(
                f"line {number} ({code}): capabilities {unknown or list(slugs)!r} are not in "
                f"the project's vocabulary ({', '.join(vocabulary.CAPABILITIES)})"
            )
        if not vocabulary.is_http_url(source):
            problems.append(f"line {number} ({code}): source {source!r} is not a web address")
        if code in lines:
            problems.append(f"line {number}: sic_code {code!r} is listed twice")
        lines[code] = SicLine(code, (row.get("title") or "").strip(), tier, slugs, source)
    if problems:
        raise RegisterSourceError(
            f"the sector definition {target} has {len(problems)} problem(s); fix them:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return lines


def definition_frame(path: str | Path | None = None) -> pd.DataFrame:
    """Return the definition as a table for display (code, class, title, tier, capabilities)."""
    lines = load_definition(path)
    return pd.DataFrame(
        [
            {
                "sic_code": line.sic_code,
                "sic_class": line.sic_class,
                "title": line.title,
                "tier": line.tier,
                "capabilities": "; ".join(
                    vocabulary.capability_label(s) for s in line.capabilities
                ),
                "source": line.source,
            }
            for line in lines.values()
        ]
    )


@cache
def _districts(hierarchy: str) -> dict[str, str]:
    frame = pd.read_csv(hierarchy, dtype=str)
    return dict(zip(frame["lad_code"], frame["lad_name"], strict=True))


def midlands_districts(hierarchy: str | Path | None = None) -> dict[str, str]:
    """Return the districts the map covers, code -> name (``data/boundaries/hierarchy.csv``)."""
    return _districts(str(hierarchy if hierarchy is not None else settings.HIERARCHY_CSV))


def place_postcodes(
    values: Iterable[object],
    *,
    index: postcodes.PostcodeIndex | str | Path | None = None,
    boundaries_dir: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Place postcodes through the project's postcode index and name their district.

    Uses the index's own ``lad_code`` when it carries one; otherwise the point is joined to the
    built district boundaries (``lads.parquet``), so rows outside the map get no district.

    Returns
    -------
    gpd.GeoDataFrame
        One row per value, in order: ``postcode``, ``found``, ``message`` (why not placed),
        ``lad_code`` (None when unplaced or outside the mapped districts), point geometry.
    """
    placed = postcodes.lookup(list(values), index=index)
    if "lad_code" in placed.columns:
        lad = placed["lad_code"].astype(object).where(placed["found"], None)
    else:
        lad = pd.Series([None] * len(placed), index=placed.index, dtype=object)
        if bool(placed["found"].any()):
            folder = Path(boundaries_dir) if boundaries_dir is not None else settings.BOUNDARIES_DIR
            lads = gpd.read_parquet(folder / "lads.parquet", columns=["code", "geometry"])
            hits = placed.loc[placed["found"], ["geometry"]]
            joined = gpd.sjoin(hits, lads.to_crs(placed.crs), how="left", predicate="within")
            joined = joined[~joined.index.duplicated(keep="first")]
            lad.loc[joined.index] = joined["code"].astype(object).where(joined["code"].notna())
    result = gpd.GeoDataFrame(
        {
            "postcode": placed["postcode"].to_numpy(dtype=object),
            "found": placed["found"].to_numpy(dtype=bool),
            "message": placed["message"].to_numpy(dtype=object),
            "lad_code": lad.to_numpy(dtype=object),
        },
        geometry=placed.geometry.to_numpy(),
        crs=settings.CRS_STORAGE,
    )
    return result


class _CountingReader(io.RawIOBase):
    """A read-only stream that stops once more than ``limit`` bytes came through it."""

    def __init__(self, inner: IO[bytes], *, limit: int, name: str) -> None:
        self._inner = inner
        self._limit = limit
        self._name = name
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        self.count += len(data)
        if self.count > self._limit:
            raise ZipBombError(
                f"{self._name} inflates past {self._limit:,} bytes, the stated ceiling; it is "
                "not the published file (or raise max_unzipped_bytes if it truly is)"
            )
        buffer[: len(data)] = data
        return len(data)


def open_zip_member(
    path: str | Path, *, suffix: str = ".csv", max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
) -> tuple[zipfile.ZipFile, IO[bytes], str]:
    """Open the one ``suffix`` member of a ZIP as a guarded byte stream (never read whole).

    The declared size is checked first and the inflated bytes are counted while reading, so a
    ZIP bomb stops at ``max_unzipped_bytes`` whatever its header claims. A truncated or corrupt
    archive fails here or, for a bad CRC, when the stream reaches its end.

    Returns
    -------
    tuple
        The open archive (close it when done), the stream and the member's name.
    """
    source = Path(path)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RegisterSourceError(
            f"{source} is not a complete ZIP archive ({exc}); download it again"
        ) from exc
    members = [i for i in archive.infolist() if i.filename.lower().endswith(suffix)]
    if len(members) != 1:
        archive.close()
        raise RegisterSourceError(
            f"{source} holds {len(members)} {suffix} files ({[i.filename for i in members]}); "
            f"the published archive holds exactly one"
        )
    member = members[0]
    if member.file_size > max_unzipped_bytes:
        archive.close()
        raise ZipBombError(
            f"{source}: {member.filename} declares {member.file_size:,} bytes unzipped, over the "
            f"stated ceiling of {max_unzipped_bytes:,} bytes"
        )
    try:
        inner = archive.open(member)
    except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
        archive.close()
        raise RegisterSourceError(f"{source}: cannot open {member.filename} ({exc})") from exc
    guarded = _CountingReader(inner, limit=max_unzipped_bytes, name=f"{source}:{member.filename}")
    return archive, io.BufferedReader(guarded, buffer_size=1 << 20), member.filename


def write_geoparquet(frame: gpd.GeoDataFrame, path: str | Path) -> None:
    """Write a GeoParquet file atomically (readers see the old file or the whole new one)."""
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_json(data: dict[str, Any], path: str | Path) -> None:
    """Write a JSON document atomically, sorted and indented."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_json(path: str | Path) -> dict[str, Any]:
    """Return a JSON document, or an empty dict when the file is not there."""
    target = Path(path)
    if not target.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return loaded
