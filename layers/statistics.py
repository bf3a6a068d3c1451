"""Official counts by district: ONS UK Business Counts and BRES, read from Nomis.

UK Business Counts, local units by industry and employment size band (Nomis dataset
``NM_141_1``), and the Business Register and Employment Survey (``NM_189_1``, where Nomis gives
it without a key), as Nomis's CSV answers print them: one row per cell, with ``DATE_NAME``,
``GEOGRAPHY_CODE``, ``INDUSTRY_NAME`` ("2540 : Manufacture of weapons and ammunition"),
``OBS_VALUE`` and the flags ``OBS_STATUS`` and ``OBS_CONF``. Kept: the definition's SIC 2007
classes in the mapped districts (``EMPLOYMENT_SIZEBAND_NAME`` "Total" when that column is
there). A cell withheld for confidentiality or marked unreliable is kept as *suppressed*, with
no number: it is never read as zero, and a district total says how many cells it lacks.

Command line::

    python -m layers.statistics build --source nomis.csv [--dataset NM_141_1] [--out DIR]
    python -m layers.statistics build --download [--dataset NM_141_1] [--out DIR]

Source: Office for National Statistics, via Nomis, under the Open Government Licence v3.0.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import requests

import settings
from layers import http, registers
from layers._io import atomic_write
from layers.registers import RegisterDownloadError, RegisterSourceError

logger = logging.getLogger(__name__)

OUT_DIR: Path = settings.STATISTICS_DIR
OUTPUT_NAME = "business_counts.parquet"
MANIFEST_NAME = "manifest.json"
DATASETS: dict[str, str] = {
    "NM_141_1": "UK Business Counts - local units by industry and employment size band",
    "NM_189_1": "Business Register and Employment Survey (employment)",
}
ATTRIBUTION = "Source: Office for National Statistics (Nomis), licensed under the OGL v3.0"
NOMIS_API = "https://www.nomisweb.co.uk/api/v01/dataset"
REQUIRED = ("GEOGRAPHY_CODE", "INDUSTRY_NAME", "OBS_VALUE")
#: Observation statuses Nomis uses for a value that is not published as a number.
SUPPRESSED_STATUS = frozenset({"Q", "X", "*", "..", "-", "!", "~"})
_CLASS_RE = re.compile(r"^\s*(\d{2})\.?(\d{2})\b")
COLUMNS = (
    "dataset",
    "date",
    "lad_code",
    "lad_name",
    "sic_class",
    "industry",
    "count",
    "suppressed",
    "status",
)


def _sic_class(industry: object) -> str | None:
    match = _CLASS_RE.match(str(industry or ""))
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in {"t", "true", "1", "y", "yes"}


def read_counts(
    source: str | Path | io.StringIO,
    *,
    dataset: str = "NM_141_1",
    definition_path: str | Path | None = None,
    hierarchy: str | Path | None = None,
) -> pd.DataFrame:
    """Return the counts of the definition's SIC classes in the mapped districts.

    Raises
    ------
    RegisterSourceError
        When a required column is missing (each is named), or the file is not CSV.
    """
    name = str(source) if not isinstance(source, io.StringIO) else "the download"
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise RegisterSourceError(
            f"{name} is not a Nomis CSV ({exc}). Nothing was written."
        ) from exc
    raw.columns = [c.strip().upper() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise RegisterSourceError(
            f"{name}: the header has no column {', '.join(repr(m) for m in missing)}; save the "
            "Nomis answer as CSV with its standard columns. Nothing was written."
        )
    if "EMPLOYMENT_SIZEBAND_NAME" in raw.columns:
        raw = raw[raw["EMPLOYMENT_SIZEBAND_NAME"].str.strip().str.lower() == "total"]
    classes = {line.sic_class for line in registers.load_definition(definition_path).values()}
    districts = registers.midlands_districts(hierarchy)
    sic = raw["INDUSTRY_NAME"].map(_sic_class)
    keep = sic.isin(classes) & raw["GEOGRAPHY_CODE"].str.strip().isin(list(districts))
    rows = raw[keep]
    values = pd.to_numeric(rows["OBS_VALUE"].str.replace(",", "").str.strip(), errors="coerce")
    status = rows["OBS_STATUS"].str.strip() if "OBS_STATUS" in rows.columns else ""
    confidential = rows["OBS_CONF"].map(_truthy) if "OBS_CONF" in rows.columns else False
    flagged = pd.Series(status, index=rows.index).isin(SUPPRESSED_STATUS)
    suppressed = values.isna() | flagged | pd.Series(confidential, index=rows.index)
    lad = rows["GEOGRAPHY_CODE"].str.strip()
    table = pd.DataFrame(
        {
            "dataset": dataset,
            "date": rows["DATE_NAME"].str.strip() if "DATE_NAME" in rows.columns else "",
            "lad_code": lad,
            "lad_name": lad.map(districts),
            "sic_class": sic[keep],
            "industry": rows["INDUSTRY_NAME"].str.strip(),
            "count": values.where(~suppressed).round().astype("Int64"),
            "suppressed": suppressed.astype(bool),
            "status": pd.Series(status, index=rows.index).where(suppressed, ""),
        }
    )
    return table.sort_values(["lad_code", "sic_class"], kind="stable").reset_index(drop=True)


def counts_by_district(table: pd.DataFrame) -> pd.DataFrame:
    """Return per district the sum of the published cells and how many cells are suppressed.

    ``count`` is a floor when ``suppressed_cells`` is above zero; display it as "at least".
    """
    grouped = table.groupby("lad_code", sort=True)
    summary = pd.DataFrame(
        {
            "lad_name": grouped["lad_name"].first(),
            "count": grouped["count"].sum(min_count=1).astype("Int64"),
            "cells": grouped.size(),
            "suppressed_cells": grouped["suppressed"].sum().astype(int),
        }
    )
    return summary.reset_index()


def describe_count(count: object, suppressed: bool) -> str:
    """Return a cell as text: the number, or "suppressed" (never 0 for a withheld cell)."""
    if suppressed or count is None or count is pd.NA:
        return "suppressed"
    return f"{int(count):,}"  # type: ignore[call-overload]


def build(
    source: str | Path | io.StringIO,
    *,
    dataset: str = "NM_141_1",
    out_dir: str | Path | None = None,
    definition_path: str | Path | None = None,
    hierarchy: str | Path | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """Build ``business_counts.parquet`` and its manifest (written only when all is read)."""
    table = read_counts(
        source, dataset=dataset, definition_path=definition_path, hierarchy=hierarchy
    )
    folder = Path(out_dir) if out_dir is not None else OUT_DIR
    definition_file = Path(definition_path) if definition_path else registers.SIC_DEFINITION_CSV
    manifest = {
        "dataset": dataset,
        "title": DATASETS.get(dataset, dataset),
        "source": url or str(source),
        "dates": sorted(set(table["date"])),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "definition": definition_file.name,  # the SIC classes kept
        "cells": len(table),
        "suppressed_cells": int(table["suppressed"].sum()),
        "attribution": ATTRIBUTION,
    }
    atomic_write(folder / OUTPUT_NAME, lambda tmp: table.to_parquet(tmp, index=False))
    registers.write_json(manifest, folder / MANIFEST_NAME)
    return manifest


def load_counts(directory: str | Path | None = None) -> pd.DataFrame | None:
    """Return the built counts, or None when they are not built."""
    path = Path(directory if directory is not None else OUT_DIR) / OUTPUT_NAME
    return pd.read_parquet(path) if path.is_file() else None


def industry_codes(session: requests.Session, dataset: str, classes: set[str]) -> list[str]:
    """Return Nomis's industry ids for the SIC classes, read from the dataset's code list."""
    base = os.environ.get("MIDLANDS_NOMIS_API", NOMIS_API).rstrip("/")
    url = f"{base}/{dataset}/industry.def.sdmx.json"
    try:
        document = http.get_json(session, url)
    except http.DownloadError as exc:
        raise RegisterDownloadError(f"Nomis code list {url}: {exc}; try again later") from exc
    try:
        codes = document["structure"]["codelists"]["codelist"][0]["code"]
    except (KeyError, IndexError, TypeError) as exc:
        raise RegisterDownloadError(f"{url} is not a Nomis code list (no codelist codes)") from exc
    found = [
        str(code["value"])
        for code in codes
        if _sic_class((code.get("description") or {}).get("value")) in classes
    ]
    if not found:
        raise RegisterDownloadError(f"{url} lists none of the SIC classes {sorted(classes)}")
    return found


def download(
    *,
    dataset: str = "NM_141_1",
    session: requests.Session | None = None,
    definition_path: str | Path | None = None,
    hierarchy: str | Path | None = None,
) -> tuple[str, str]:
    """Fetch the latest counts for the definition's classes and districts; return CSV and URL."""
    own = session is None
    client = http.retrying_session() if session is None else session
    try:
        classes = {line.sic_class for line in registers.load_definition(definition_path).values()}
        industries = industry_codes(client, dataset, classes)
        base = os.environ.get("MIDLANDS_NOMIS_API", NOMIS_API).rstrip("/")
        geography = ",".join(registers.midlands_districts(hierarchy))
        url = (
            f"{base}/{dataset}.data.csv?geography={geography}&industry={','.join(industries)}"
            "&date=latest&measures=20100"
        )
        if dataset == "NM_141_1":
            url += "&employment_sizeband=0&legal_status=0"
        try:
            text = http.get_bytes(client, url).decode("utf-8")
        except http.DownloadError as exc:
            raise RegisterDownloadError(f"Nomis {dataset}: {exc}; try again later") from exc
    finally:
        if own:
            client.close()
    return text, url


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build --source PATH`` or ``build --download``."""
    parser = argparse.ArgumentParser(prog="python -m layers.statistics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="build business_counts.parquet")
    origin = build_cmd.add_mutually_exclusive_group(required=True)
    origin.add_argument("--source", help="a Nomis CSV answer saved to disk")
    origin.add_argument("--download", action="store_true", help="ask Nomis (no key needed)")
    build_cmd.add_argument("--dataset", default="NM_141_1", choices=sorted(DATASETS))
    build_cmd.add_argument("--out", default=str(OUT_DIR), help=f"output folder (default {OUT_DIR})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.download:
            text, url = download(dataset=args.dataset)
            manifest = build(io.StringIO(text), dataset=args.dataset, out_dir=args.out, url=url)
        else:
            manifest = build(args.source, dataset=args.dataset, out_dir=args.out)
    except (RegisterSourceError, RegisterDownloadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{manifest['cells']} cells of {manifest['dataset']} kept "
        f"({manifest['suppressed_cells']} suppressed) in {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
