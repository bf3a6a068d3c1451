"""Public contract awards from defence buyers, placed at their suppliers' postcodes.

Reads OCDS release packages (Open Contracting Data Standard 1.1) as the Contracts Finder and
Find a Tender APIs publish them, under the Open Government Licence v3.0. Releases are compiled
per ``ocid`` with the Open Contracting Partnership's ``ocdsmerge`` first, so an award amended in
a later release counts once, at its latest value. Kept: awards (not cancelled or unsuccessful)
whose buyer matches the defence-family table (``data/definitions/defence_buyers.csv``). Each
award becomes one row per supplier, placed at the supplier's postcode (precision ``registered
office``); ``sme`` is the supplier's ``parties[].details.scale`` (``sme`` or ``micro``: True,
``large``: False, absent: unknown). An award naming several suppliers with one value does not
say how the value divides: its rows carry ``value_gbp`` None and the whole in
``shared_value_gbp``, and no total counts it against any district.

Reading and compiling the releases is :mod:`layers.contracts_ocds`, fetching them
:mod:`layers.contracts_download`; their public names are importable from here too.

Command line::

    python -m layers.contracts build --source PATH_OR_DIR [--out DIR]
    python -m layers.contracts build --download --since 2025-12-01 [--out DIR]
    python -m layers.contracts kpi [--out DIR] [--as-of YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import settings
from layers import postcodes, registers
from layers.contracts_download import SERVICES, download_pages
from layers.contracts_ocds import (
    AWARD_COLUMNS,
    MERGE_RULES,
    BuyerRule,
    award_rows,
    buyer_family,
    compile_releases,
    load_buyers,
    newest_date,
    read_releases,
)
from layers.registers import RegisterDownloadError, RegisterSourceError

#: The public names, those read from contracts_ocds and contracts_download included.
__all__ = [
    "ATTRIBUTION",
    "AWARD_COLUMNS",
    "COLUMNS",
    "KPI_DEFINITION",
    "LICENCE",
    "MANIFEST_NAME",
    "MERGE_RULES",
    "MIDLANDS",
    "OUTPUT_NAME",
    "OUTSIDE",
    "OUT_DIR",
    "SERVICES",
    "BuyerRule",
    "ContractsResult",
    "Kpi",
    "award_rows",
    "build",
    "buyer_family",
    "compile_releases",
    "download_pages",
    "load_awards",
    "load_buyers",
    "main",
    "mod_sme_kpi",
    "newest_date",
    "read_releases",
    "select_awards",
    "totals_by_district",
]

logger = logging.getLogger(__name__)

OUT_DIR: Path = settings.CONTRACTS_DIR
OUTPUT_NAME = "contracts.parquet"
MANIFEST_NAME = "manifest.json"
LICENCE = "Open Government Licence v3.0"
ATTRIBUTION = (
    "Contains public sector information from Contracts Finder and Find a Tender, licensed "
    "under the Open Government Licence v3.0"
)
MIDLANDS = "Midlands"
OUTSIDE = "outside the Midlands"
COLUMNS: tuple[str, ...] = (
    *AWARD_COLUMNS,
    "postcode",
    "location_precision",
    "lad_code",
    "region",
)


@dataclass(frozen=True)
class ContractsResult:
    """The placed award rows, the rows that could not be placed and the counts of each step.

    ``newest`` is the date (``YYYY-MM-DD``) of the newest release or award read: the data's
    publication date, whose month names the layer ("" when no release is dated).
    """

    awards: gpd.GeoDataFrame
    unplaced: pd.DataFrame
    counts: dict[str, int]
    newest: str = ""


def select_awards(
    source: str | Path,
    *,
    buyers_path: str | Path | None = None,
    index: postcodes.PostcodeIndex | str | Path | None = None,
    boundaries_dir: str | Path | None = None,
    hierarchy: str | Path | None = None,
) -> ContractsResult:
    """Read, compile and place the defence-family awards of saved release packages."""
    releases: dict[tuple[str, str], dict[str, Any]] = {}
    read = 0
    for release in read_releases(source):
        read += 1
        releases[(str(release["ocid"]), str(release.get("id")))] = release
    compiled = compile_releases(list(releases.values()))
    rows = award_rows(compiled, load_buyers(buyers_path))
    placed = registers.place_postcodes(
        rows["raw_postcode"], index=index, boundaries_dir=boundaries_dir
    )
    districts = registers.midlands_districts(hierarchy)
    found = placed["found"].to_numpy(dtype=bool)
    unplaced = rows.loc[~found, ["ocid", "award_id", "supplier", "supplier_id"]].copy()
    unplaced["postcode"] = rows.loc[~found, "raw_postcode"].to_numpy(dtype=object)
    unplaced["reason"] = placed.loc[~found, "message"].to_numpy(dtype=object)
    kept = rows.loc[found].drop(columns="raw_postcode").reset_index(drop=True)
    lad = placed.loc[found, "lad_code"].to_numpy(dtype=object)
    kept["postcode"] = placed.loc[found, "postcode"].to_numpy(dtype=object)
    kept["location_precision"] = registers.REGISTERED_OFFICE
    kept["lad_code"] = lad
    kept["region"] = np.where(pd.Series(lad).isin(list(districts)), MIDLANDS, OUTSIDE)
    kept["sme"] = kept["sme"].astype("boolean")
    for column in ("value_gbp", "shared_value_gbp"):
        kept[column] = pd.to_numeric(kept[column]).astype("Float64")
    awards = gpd.GeoDataFrame(
        kept[list(COLUMNS)], geometry=placed.geometry[found].to_numpy(), crs=settings.CRS_STORAGE
    )
    counts = {
        "releases": len(releases),
        "duplicate_releases": read - len(releases),
        "compiled_releases": len(compiled),
        "award_supplier_rows": len(rows),
        "placed": int(found.sum()),
        "placed_in_midlands": int((awards["region"] == MIDLANDS).sum()),
        "unplaced": int((~found).sum()),
    }
    return ContractsResult(
        awards=awards,
        unplaced=unplaced.reset_index(drop=True),
        counts=counts,
        newest=newest_date(releases.values()),
    )


def totals_by_district(
    awards: pd.DataFrame, *, hierarchy: str | Path | None = None
) -> pd.DataFrame:
    """Return value, award count and SME share per district, per region and for the Midlands.

    Region rows (``E12...`` codes) sum the mapped districts of each region.

    ``awards`` counts distinct awards; ``value_gbp`` sums the values attributable to a
    supplier (awards shared without a split are left out and their value shown apart);
    ``sme_share`` is the SME part of that value (None when there is none).
    """
    districts = registers.midlands_districts(hierarchy)
    midlands = awards[awards["region"] == MIDLANDS]
    groups: list[tuple[str, str, pd.DataFrame]] = [
        (code, name, midlands[midlands["lad_code"] == code]) for code, name in districts.items()
    ]
    regions = pd.read_csv(hierarchy or settings.HIERARCHY_CSV, dtype=str)
    for region_code, part in regions.groupby("region_code", sort=True):
        codes = set(part["lad_code"])
        groups.append(
            (
                str(region_code),
                f"{part['region_name'].iloc[0]} (mapped districts)",
                midlands[midlands["lad_code"].isin(list(codes))],
            )
        )
    groups.append(("midlands", "Midlands (all mapped districts)", midlands))
    rows = []
    for code, name, part in groups:
        value = float(part["value_gbp"].fillna(0).sum())
        sme_value = float(
            part.loc[part["sme"].fillna(False).astype(bool), "value_gbp"].fillna(0).sum()
        )
        rows.append(
            {
                "lad_code": code,
                "lad_name": name,
                "awards": int(part[["ocid", "award_id"]].drop_duplicates().shape[0]),
                "value_gbp": value,
                "sme_value_gbp": sme_value,
                "sme_share": sme_value / value if value else None,
                "shared_unsplit_value_gbp": float(
                    part.drop_duplicates(["ocid", "award_id"])["shared_value_gbp"].fillna(0).sum()
                ),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Kpi:
    """The Blueprint's headline, computed: value, period and the definition beside it."""

    value_gbp: float
    awards: int
    start: date
    end: date
    excluded_shared_gbp: float
    definition: str

    def headline(self) -> str:
        """Return the headline sentence with its period."""
        return (
            f"MOD awards to Midlands SMEs, last 12 months: £{self.value_gbp:,.0f} "
            f"({self.start.isoformat()} to {self.end.isoformat()}, {self.awards} awards)"
        )


KPI_DEFINITION = (
    "Sum of award values in pounds, from Contracts Finder and Find a Tender OCDS releases "
    "compiled per contracting process (an amended award counts once, at its latest value); "
    "buyer in the defence family table (data/definitions/defence_buyers.csv); supplier's "
    "organisation scale 'sme' or 'micro'; supplier's postcode in a mapped Midlands district; "
    "award date within the period. Awards to several suppliers whose notice does not split "
    "the value are left out (shown apart)."
)


def mod_sme_kpi(awards: pd.DataFrame, *, as_of: date | None = None) -> Kpi:
    """Compute "MOD awards to Midlands SMEs, last 12 months" from the placed award rows.

    The period is the 365 days ending on ``as_of``, both ends included. By default it ends on
    the newest award's date in ``awards``: the data's last 12 months, which do not change with
    the day the figure is read (today only when no award is dated).
    """
    dates = pd.to_datetime(awards["date"], errors="coerce").dt.normalize()
    newest = dates.max()
    end = as_of or (newest.date() if pd.notna(newest) else datetime.now(UTC).date())
    start = end - timedelta(days=364)
    in_period = dates.notna() & (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    chosen = awards[
        in_period & (awards["region"] == MIDLANDS) & awards["sme"].fillna(False).astype(bool)
    ]
    attributable = chosen[chosen["value_gbp"].notna()]
    shared = chosen[chosen["value_gbp"].isna()].drop_duplicates(["ocid", "award_id"])
    return Kpi(
        value_gbp=float(attributable["value_gbp"].sum()),
        awards=int(attributable[["ocid", "award_id"]].drop_duplicates().shape[0]),
        start=start,
        end=end,
        excluded_shared_gbp=float(shared["shared_value_gbp"].fillna(0).sum()),
        definition=KPI_DEFINITION,
    )


def build(
    source: str | Path,
    *,
    out_dir: str | Path | None = None,
    buyers_path: str | Path | None = None,
    index: postcodes.PostcodeIndex | str | Path | None = None,
    boundaries_dir: str | Path | None = None,
    hierarchy: str | Path | None = None,
    origin: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build ``contracts.parquet`` and its manifest; both are written only after all is read."""
    result = select_awards(
        source,
        buyers_path=buyers_path,
        index=index,
        boundaries_dir=boundaries_dir,
        hierarchy=hierarchy,
    )
    folder = Path(out_dir) if out_dir is not None else OUT_DIR
    totals = totals_by_district(result.awards, hierarchy=hierarchy)
    midlands = totals[totals["lad_code"] == "midlands"].iloc[0]
    manifest: dict[str, Any] = {
        "source": str(source),
        "origin": origin or {"kind": "saved release packages"},
        "month": result.newest[:7],
        "newest_release": result.newest,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "buyers": str(buyers_path or registers.BUYERS_CSV.name),
        "counts": result.counts,
        "midlands": {
            "awards": int(midlands["awards"]),
            "value_gbp": float(midlands["value_gbp"]),
            "sme_share": None if pd.isna(midlands["sme_share"]) else float(midlands["sme_share"]),
        },
        "unplaced": result.unplaced.to_dict(orient="records"),
    }
    kpi = mod_sme_kpi(result.awards)
    manifest["kpi"] = {
        "headline": kpi.headline(),
        "value_gbp": kpi.value_gbp,
        "start": kpi.start.isoformat(),
        "end": kpi.end.isoformat(),
        "definition": kpi.definition,
    }
    registers.write_geoparquet(result.awards, folder / OUTPUT_NAME)
    registers.write_json(manifest, folder / MANIFEST_NAME)
    return manifest


def load_awards(directory: str | Path | None = None) -> gpd.GeoDataFrame | None:
    """Return the built award rows, or None when ``contracts.parquet`` is not built."""
    path = Path(directory if directory is not None else OUT_DIR) / OUTPUT_NAME
    return gpd.read_parquet(path) if path.is_file() else None


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build --source PATH``, ``build --download --since DATE`` or ``kpi``."""
    parser = argparse.ArgumentParser(prog="python -m layers.contracts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="build contracts.parquet")
    origin = build_cmd.add_mutually_exclusive_group(required=True)
    origin.add_argument("--source", help="a saved OCDS release package, or a folder of them")
    origin.add_argument("--download", action="store_true", help="fetch award pages first")
    build_cmd.add_argument("--since", help="with --download: first date, YYYY-MM-DD")
    build_cmd.add_argument("--out", default=str(OUT_DIR), help=f"output folder (default {OUT_DIR})")
    build_cmd.add_argument("--buyers", help="the defence-family buyers table")
    kpi_cmd = sub.add_parser("kpi", help="print the MOD-to-Midlands-SMEs headline")
    kpi_cmd.add_argument("--out", default=str(OUT_DIR))
    kpi_cmd.add_argument(
        "--as-of", help="last day of the 12 months (default: the newest award's date)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "kpi":
            awards = load_awards(args.out)
            if awards is None:
                print(f"error: {Path(args.out) / OUTPUT_NAME} is not built; run build first")
                return 1
            as_of = date.fromisoformat(args.as_of) if args.as_of else None
            kpi = mod_sme_kpi(awards, as_of=as_of)
            print(kpi.headline())
            print(f"Definition: {kpi.definition}")
            return 0
        source = Path(args.source) if args.source else None
        origin_info: dict[str, Any] | None = None
        if args.download:
            if not args.since:
                parser.error("--download needs --since YYYY-MM-DD")
            since = date.fromisoformat(args.since)
            source = download_pages(since, Path(args.out) / "raw")
            origin_info = {
                "kind": "download",
                "since": since.isoformat(),
                "services": list(SERVICES),
            }
        assert source is not None
        manifest = build(source, out_dir=args.out, buyers_path=args.buyers, origin=origin_info)
    except (RegisterSourceError, RegisterDownloadError, postcodes.PostcodeIndexMissingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = manifest["counts"]
    print(
        f"{counts['placed']} award-supplier rows placed ({counts['placed_in_midlands']} in the "
        f"Midlands) from {counts['compiled_releases']} contracting processes; "
        f"{counts['unplaced']} could not be placed (listed in the manifest)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
