"""Companies House firms: the registered companies that meet the sector definition.

Reads Companies House's "Free Company Data Product" (``BasicCompanyDataAsOneFile-YYYY-MM-01.zip``,
monthly, one CSV of every live company), as published on the download page
https://download.companieshouse.gov.uk/en_output.html. The column names are the published ones,
with their quirks (a leading space in `` CompanyNumber``, dotted names such as
``RegAddress.PostCode``, ``Accounts.AccountCategory`` and ``SICCode.SicText_1`` to ``_4``); each
SIC cell reads "25400 - Manufacture of weapons and ammunition" and dates read ``DD/MM/YYYY``.

The CSV is streamed out of the ZIP in blocks (pyarrow's incremental CSV reader with every kept
column typed as text), filtered block by block, and never held whole. Kept: companies whose
``CompanyStatus`` is ``Active``, with at least one SIC code in the definition
(:mod:`layers.registers`), whose registered-office postcode lies in a district of the map.
Firms are placed at their registered office's postcode, precision ``registered office``: the
office may be an accountant's address, never the works.

The published file's columns and its streaming reader are :mod:`layers.companies_file`; their
public names are importable from here too.

Command line::

    python -m layers.companies build --source BasicCompanyDataAsOneFile-2026-12-01.zip [--out DIR]
    python -m layers.companies build --download [--out DIR]

Output: ``DIR/companies.parquet`` (GeoParquet, EPSG:4326) and ``DIR/manifest.json`` (month, URL,
sha256, row counts and every row that could not be placed, with the reason).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import settings
from layers import postcodes, registers, registers_download
from layers._io import sha256_file
from layers.companies_file import (
    ACCOUNTS,
    ACTIVE,
    DOWNLOAD_PAGE,
    INCORPORATED,
    NAME,
    NUMBER,
    POSTCODE,
    PUBLISHED_HEADER,
    REQUIRED,
    SIC_COLUMNS,
    STATUS,
    check_header,
    read_candidates,
)
from layers.registers import RegisterSourceError

#: The public names, those of the published file (companies_file) included.
__all__ = [
    "ACCOUNTS",
    "ACTIVE",
    "ATTRIBUTION",
    "COLUMNS",
    "DOWNLOAD_PAGE",
    "INCORPORATED",
    "MANIFEST_NAME",
    "NAME",
    "NUMBER",
    "OUTPUT_NAME",
    "OUT_DIR",
    "POSTCODE",
    "PRODUCT",
    "PUBLISHED_HEADER",
    "REQUIRED",
    "SIC_COLUMNS",
    "SMALL_ACCOUNT_CATEGORIES",
    "STATUS",
    "CompaniesResult",
    "build",
    "check_header",
    "file_month",
    "load_firms",
    "main",
    "newest_month_urls",
    "read_candidates",
    "select_firms",
]

logger = logging.getLogger(__name__)

OUT_DIR: Path = settings.COMPANIES_DIR
OUTPUT_NAME = "companies.parquet"
MANIFEST_NAME = "manifest.json"
PRODUCT = "Companies House Free Company Data Product (BasicCompanyDataAsOneFile)"
#: Companies House asks re-users to identify the source and acknowledge its copyright status
#: (its Information Fair Trader Scheme statement on gov.uk, "Statement of Public Task").
ATTRIBUTION = (
    "Source: Companies House, Free Company Data Product (BasicCompanyDataAsOneFile); "
    "© Crown copyright"
)
#: Account categories whose firms are often run from a home address (aggregated when public).
SMALL_ACCOUNT_CATEGORIES: frozenset[str] = frozenset({"MICRO ENTITY", "NO ACCOUNTS FILED", ""})

COLUMNS: tuple[str, ...] = (
    "company_number",
    "name",
    "status",
    "incorporated",
    "sic_codes",
    "capabilities",
    "core",
    "postcode",
    "location_precision",
    "lad_code",
    "account_category",
)
_FILE_MONTH_RE = re.compile(r"(\d{4})-(\d{2})-\d{2}")


def _iso_date(value: str) -> str | None:
    try:
        return datetime.strptime(value.strip(), "%d/%m/%Y").date().isoformat()
    except ValueError:
        return None


def _firm_fields(frame: pd.DataFrame, definition: dict[str, registers.SicLine]) -> pd.DataFrame:
    order = list(definition)
    sic = frame[list(SIC_COLUMNS)].to_numpy(dtype=object)
    codes_per_row = [
        [cell.split(" - ", 1)[0].strip() for cell in row if str(cell).strip()] for row in sic
    ]
    capabilities: list[str] = []
    core: list[bool] = []
    for codes in codes_per_row:
        defined = [definition[c] for c in order if c in codes]
        slugs: list[str] = []
        for line in defined:
            slugs.extend(s for s in line.capabilities if s not in slugs)
        capabilities.append(";".join(slugs))
        core.append(any(line.tier == "core" for line in defined))
    return pd.DataFrame(
        {
            "company_number": frame[NUMBER].str.strip().to_numpy(dtype=object),
            "name": frame[NAME].str.strip().to_numpy(dtype=object),
            "status": frame[STATUS].str.strip().to_numpy(dtype=object),
            "incorporated": [_iso_date(v) for v in frame[INCORPORATED]],
            "sic_codes": [";".join(codes) for codes in codes_per_row],
            "capabilities": capabilities,
            "core": np.array(core, dtype=bool),
            "raw_postcode": frame[POSTCODE].to_numpy(dtype=object),
            "account_category": frame[ACCOUNTS].str.strip().str.upper().to_numpy(dtype=object),
        }
    )


@dataclass(frozen=True)
class CompaniesResult:
    """The firms kept, the rows that could not be placed and the counts of each step."""

    firms: gpd.GeoDataFrame
    unplaced: pd.DataFrame
    counts: dict[str, int]


def select_firms(
    source: str | Path,
    *,
    definition_path: str | Path | None = None,
    index: postcodes.PostcodeIndex | str | Path | None = None,
    boundaries_dir: str | Path | None = None,
    hierarchy: str | Path | None = None,
    max_unzipped_bytes: int = registers.MAX_UNZIPPED_BYTES,
) -> CompaniesResult:
    """Read the file and return the active Midlands firms that meet the definition.

    Rows meeting the definition whose postcode is blank, malformed or not in the postcode
    index cannot be placed in or out of the Midlands: they are returned in ``unplaced`` with
    the reason, and counted, never dropped silently.
    """
    definition = registers.load_definition(definition_path)
    raw, counts = read_candidates(
        source, definition=definition, max_unzipped_bytes=max_unzipped_bytes
    )
    fields = _firm_fields(raw, definition)
    placed = registers.place_postcodes(
        fields["raw_postcode"], index=index, boundaries_dir=boundaries_dir
    )
    districts = registers.midlands_districts(hierarchy)
    found = placed["found"].to_numpy(dtype=bool)
    in_region = found & placed["lad_code"].isin(list(districts)).to_numpy(dtype=bool)
    unplaced = pd.DataFrame(
        {
            "company_number": fields.loc[~found, "company_number"].to_numpy(dtype=object),
            "name": fields.loc[~found, "name"].to_numpy(dtype=object),
            "postcode": fields.loc[~found, "raw_postcode"].to_numpy(dtype=object),
            "reason": placed.loc[~found, "message"].to_numpy(dtype=object),
        }
    )
    kept = fields.loc[in_region].drop(columns="raw_postcode").reset_index(drop=True)
    kept.insert(7, "postcode", placed.loc[in_region, "postcode"].to_numpy(dtype=object))
    kept.insert(8, "location_precision", registers.REGISTERED_OFFICE)
    kept.insert(9, "lad_code", placed.loc[in_region, "lad_code"].to_numpy(dtype=object))
    firms = gpd.GeoDataFrame(
        kept[list(COLUMNS)],
        geometry=placed.geometry[in_region].to_numpy(),
        crs=settings.CRS_STORAGE,
    )
    firms = firms.sort_values("company_number", kind="stable").reset_index(drop=True)
    counts = {
        **counts,
        "unplaced": int((~found).sum()),
        "outside_midlands": int((found & ~in_region).sum()),
        "kept": len(firms),
        "kept_core": int(firms["core"].sum()),
        "kept_adjacent": int((~firms["core"]).sum()),
    }
    return CompaniesResult(firms=firms, unplaced=unplaced, counts=counts)


def file_month(name: str) -> str | None:
    """Return the ``YYYY-MM`` a published file name carries, or None."""
    match = _FILE_MONTH_RE.search(name)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def build(
    source: str | Path,
    *,
    out_dir: str | Path | None = None,
    url: str | None = None,
    definition_path: str | Path | None = None,
    index: postcodes.PostcodeIndex | str | Path | None = None,
    boundaries_dir: str | Path | None = None,
    hierarchy: str | Path | None = None,
    max_unzipped_bytes: int = registers.MAX_UNZIPPED_BYTES,
) -> dict[str, Any]:
    """Build ``companies.parquet`` and its manifest from a local file; return the manifest.

    Both files are written only after the whole source was read, each atomically.
    """
    path = Path(source)
    result = select_firms(
        path,
        definition_path=definition_path,
        index=index,
        boundaries_dir=boundaries_dir,
        hierarchy=hierarchy,
        max_unzipped_bytes=max_unzipped_bytes,
    )
    folder = Path(out_dir) if out_dir is not None else OUT_DIR
    definition_file = Path(definition_path) if definition_path else registers.SIC_DEFINITION_CSV
    manifest: dict[str, Any] = {
        "product": PRODUCT,
        "month": file_month(path.name),
        "file": path.name,
        "url": url,
        "download_page": DOWNLOAD_PAGE,
        "sha256": sha256_file(path),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "definition": definition_file.name,
        "definition_sha256": sha256_file(definition_file),
        "location_precision": registers.REGISTERED_OFFICE,
        "counts": result.counts,
        "unplaced": result.unplaced.to_dict(orient="records"),
        "attribution": ATTRIBUTION,
    }
    registers.write_geoparquet(result.firms, folder / OUTPUT_NAME)
    registers.write_json(manifest, folder / MANIFEST_NAME)
    return manifest


def load_firms(directory: str | Path | None = None) -> gpd.GeoDataFrame | None:
    """Return the built firms, or None when ``companies.parquet`` is not built."""
    path = Path(directory if directory is not None else OUT_DIR) / OUTPUT_NAME
    return gpd.read_parquet(path) if path.is_file() else None


def newest_month_urls(today: date | None = None, *, months: int = 3) -> list[str]:
    """Return the file addresses to try, newest month first (files are dated the 1st)."""
    base = os.environ.get("MIDLANDS_COMPANIES_BASE_URL", "https://download.companieshouse.gov.uk")
    day = today or datetime.now(UTC).date()
    urls: list[str] = []
    year, month = day.year, day.month
    for _ in range(months):
        urls.append(f"{base.rstrip('/')}/BasicCompanyDataAsOneFile-{year:04d}-{month:02d}-01.zip")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return urls


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build --source PATH`` or ``build --download``."""
    parser = argparse.ArgumentParser(prog="python -m layers.companies", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="build companies.parquet from the monthly file")
    origin = build_cmd.add_mutually_exclusive_group(required=True)
    origin.add_argument("--source", help="a downloaded BasicCompanyDataAsOneFile ZIP (or CSV)")
    origin.add_argument("--download", action="store_true", help="fetch the newest month first")
    build_cmd.add_argument("--out", default=str(OUT_DIR), help=f"output folder (default {OUT_DIR})")
    build_cmd.add_argument("--definition", help="the sector definition CSV")
    build_cmd.add_argument("--cache", help="download folder (default data/companies/raw)")
    build_cmd.add_argument(
        "--max-unzipped-gb",
        type=float,
        default=registers.MAX_UNZIPPED_BYTES / 1024**3,
        help="stop if the CSV inflates past this size (default 8)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    limit = int(args.max_unzipped_gb * 1024**3)
    try:
        url = None
        source = Path(args.source) if args.source else None
        if args.download:
            cache = Path(args.cache) if args.cache else Path(args.out) / "raw"
            source, url = registers_download.download_newest(
                newest_month_urls(), cache, max_unzipped_bytes=limit
            )
        assert source is not None
        manifest = build(
            source,
            out_dir=args.out,
            url=url,
            definition_path=args.definition,
            max_unzipped_bytes=limit,
        )
    except (RegisterSourceError, registers.RegisterDownloadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except postcodes.PostcodeIndexMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = manifest["counts"]
    print(
        f"{counts['kept']} Midlands firms ({counts['kept_core']} core, "
        f"{counts['kept_adjacent']} adjacent) from {counts['rows']:,} rows of "
        f"{manifest['file']}; {counts['unplaced']} row{'' if counts['unplaced'] == 1 else 's'} "
        f"meeting the definition could not be placed (listed in {Path(args.out) / MANIFEST_NAME})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
