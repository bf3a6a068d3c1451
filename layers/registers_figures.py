"""The official registers' figures by district and belt, the rows behind each, and map data.

Four figures sit beside each other wherever an area is described (areas tab, belt tab, the map
in words, the bid pack): the curated sites, the registered firms (core and adjacent), the
defence awards with their value and SME share, and the official business counts. Each figure
can list the rows it counts (:func:`figure_rows`), so a reader can check it.

Export profiles: ``public`` (the default for anything leaving the app) aggregates firms that
file micro-entity accounts or none (``Accounts.AccountCategory``), which are often run from a
home address, to their district; ``partner`` keeps every firm's point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from layers import companies, contracts, registers, statistics

PROFILES = ("public", "partner")
PUBLIC_NOTE = (
    "Public profile: firms that file micro-entity accounts or none (Companies House "
    "Accounts.AccountCategory) are often run from a home address; they are counted by district "
    "and not shown as points."
)
PARTNER_NOTE = "Partner profile: every firm is shown at its registered office's postcode."
LOAD_COMMANDS: dict[str, str] = {
    "firms": "python -m layers.companies build --download   (or --source BasicCompanyData...zip)",
    "awards": "python -m layers.contracts build --download --since YYYY-MM-DD   (or --source DIR)",
    "counts": "python -m layers.statistics build --download   (or --source nomis.csv)",
}
SOURCE_NAMES: dict[str, str] = {
    "firms": "Companies House, Free Company Data Product",
    "awards": "Contracts Finder and Find a Tender (OCDS), OGL v3.0",
    "counts": "ONS UK Business Counts via Nomis, OGL v3.0",
}


@dataclass
class RegisterSources:
    """The loaded register layers (None where not built) and their manifests."""

    firms: gpd.GeoDataFrame | None = None
    awards: gpd.GeoDataFrame | None = None
    counts: pd.DataFrame | None = None
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)

    def loaded(self) -> dict[str, bool]:
        """Say which of the three sources is loaded."""
        return {
            "firms": self.firms is not None,
            "awards": self.awards is not None,
            "counts": self.counts is not None,
        }

    def label(self, name: str) -> str:
        """Name the source, the month or date of its data, and the definition it was built with.

        The month is the data's (the file's month, the newest award's, the counts' dates),
        never the day the layer was built.
        """
        manifest = self.manifests.get(name, {})
        when = (
            manifest.get("month")
            or ", ".join(manifest.get("dates", []))
            or "month of the data not stated"
        )
        definition = manifest.get("definition") or manifest.get("buyers") or ""
        parts = [SOURCE_NAMES[name], str(when)]
        if definition:
            parts.append(f"definition {Path(str(definition)).name}")
        return "; ".join(p for p in parts if p)


def load_sources(
    *,
    companies_dir: str | Path | None = None,
    contracts_dir: str | Path | None = None,
    statistics_dir: str | Path | None = None,
) -> RegisterSources:
    """Read whichever register layers are built (nothing fails when none is)."""
    folders = {
        "firms": Path(companies_dir or companies.OUT_DIR),
        "awards": Path(contracts_dir or contracts.OUT_DIR),
        "counts": Path(statistics_dir or statistics.OUT_DIR),
    }
    manifests = {
        name: registers.read_json(folder / "manifest.json") for name, folder in folders.items()
    }
    return RegisterSources(
        firms=companies.load_firms(folders["firms"]),
        awards=contracts.load_awards(folders["awards"]),
        counts=statistics.load_counts(folders["counts"]),
        manifests={k: v for k, v in manifests.items() if v},
    )


def without_curated(firms: gpd.GeoDataFrame, sites: pd.DataFrame) -> gpd.GeoDataFrame:
    """Drop the firms that are curated sites (same ``company_number``), so each is drawn once."""
    if "company_number" not in sites.columns:
        return firms
    curated = {str(n).strip() for n in sites["company_number"].dropna() if str(n).strip()}
    return firms[~firms["company_number"].isin(curated)]


def _within(points: gpd.GeoDataFrame, area: BaseGeometry | None) -> np.ndarray:
    if area is None:
        return np.ones(len(points), dtype=bool)
    mask = shapely.contains_xy(area, points.geometry.x.to_numpy(), points.geometry.y.to_numpy())
    return np.asarray(mask, dtype=bool)


def _in_districts(frame: pd.DataFrame, lad_codes: set[str] | None) -> np.ndarray:
    if lad_codes is None:
        return np.ones(len(frame), dtype=bool)
    return frame["lad_code"].isin(list(lad_codes)).to_numpy(dtype=bool)


def figure_rows(
    sites: pd.DataFrame,
    sources: RegisterSources,
    *,
    lad_codes: set[str] | None = None,
    area: BaseGeometry | None = None,
) -> dict[str, pd.DataFrame]:
    """Return, per figure, the rows it counts in the districts (or the area, e.g. the belt).

    ``area`` is a polygon in EPSG:4326; official counts exist per district only, so within an
    area they are the counts of the districts given in ``lad_codes`` (none without them).
    """
    rows: dict[str, pd.DataFrame] = {}
    site_mask = _in_districts(sites, lad_codes)
    if area is not None and isinstance(sites, gpd.GeoDataFrame):
        site_mask = site_mask & _within(sites, area)
    rows["sites"] = pd.DataFrame(sites.loc[site_mask]).drop(columns="geometry", errors="ignore")
    if sources.firms is not None:
        firms = without_curated(sources.firms, sites)
        mask = _in_districts(firms, lad_codes) & _within(firms, area)
        chosen = pd.DataFrame(firms.loc[mask]).drop(columns="geometry")
        rows["firms_core"] = chosen[chosen["core"].astype(bool)]
        rows["firms_adjacent"] = chosen[~chosen["core"].astype(bool)]
    if sources.awards is not None:
        awards = sources.awards[sources.awards["region"] == contracts.MIDLANDS]
        mask = _in_districts(awards, lad_codes) & _within(awards, area)
        rows["awards"] = pd.DataFrame(awards.loc[mask]).drop(columns="geometry")
    if sources.counts is not None and (area is None or lad_codes is not None):
        rows["counts"] = sources.counts[_in_districts(sources.counts, lad_codes)]
    return rows


def figures(rows: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Return the four figures from :func:`figure_rows`' rows (None for a source not loaded)."""
    result: dict[str, Any] = {"sites": len(rows["sites"])}
    if "firms_core" in rows:
        result["firms_core"] = len(rows["firms_core"])
        result["firms_adjacent"] = len(rows["firms_adjacent"])
    else:
        result["firms_core"] = result["firms_adjacent"] = None
    if "awards" in rows:
        awards = rows["awards"]
        value = float(awards["value_gbp"].fillna(0).sum())
        sme = float(
            awards.loc[awards["sme"].fillna(False).astype(bool), "value_gbp"].fillna(0).sum()
        )
        result["awards"] = int(awards[["ocid", "award_id"]].drop_duplicates().shape[0])
        result["award_value_gbp"] = value
        result["sme_share"] = sme / value if value else None
    else:
        result["awards"] = result["award_value_gbp"] = result["sme_share"] = None
    if "counts" in rows:
        counts = rows["counts"]
        result["official_count"] = (
            int(counts["count"].sum()) if counts["count"].notna().any() else None
        )
        result["official_suppressed_cells"] = int(counts["suppressed"].sum())
    else:
        result["official_count"] = result["official_suppressed_cells"] = None
    return result


def districts_of(sites: pd.DataFrame) -> set[str]:
    """Return the mapped districts holding ``sites`` (their ``lad_code``; blanks left out)."""
    if "lad_code" not in sites.columns:
        return set()
    codes = sites["lad_code"].dropna().astype(str).str.strip()
    return set(codes[codes != ""])


def sites_districts_figures(
    sites: pd.DataFrame, sources: RegisterSources, *, noun: str = "selected sites"
) -> tuple[str, dict[str, pd.DataFrame], dict[str, Any]]:
    """Return the heading, the rows and the four figures of the districts holding ``sites``.

    The scope of a view described in words and of the bid pack: every district that holds one
    of the sites (``noun`` names them in the heading, e.g. "The 3 districts holding the
    selected sites").
    """
    lad_codes = districts_of(sites)
    plural = "district" if len(lad_codes) == 1 else "districts"
    where = f"The {len(lad_codes)} {plural} holding the {noun}"
    rows = figure_rows(sites, sources, lad_codes=lad_codes)
    return where, rows, figures(rows)


def figures_by_district(
    sites: pd.DataFrame, sources: RegisterSources, *, hierarchy: str | Path | None = None
) -> pd.DataFrame:
    """Return the four figures for every mapped district (one row each)."""
    table = []
    for code, name in registers.midlands_districts(hierarchy).items():
        found = figures(figure_rows(sites, sources, lad_codes={code}))
        table.append({"lad_code": code, "lad_name": name, **found})
    return pd.DataFrame(table)


def describe_figures(found: dict[str, Any], *, where: str) -> list[str]:
    """Return the figures as sentences (for the map in words and the bid pack's README)."""
    noun = "curated site" if found["sites"] == 1 else "curated sites"
    lines = [f"{where}: {found['sites']:,} {noun}."]
    if found["firms_core"] is None:
        lines.append("Registered firms: not loaded (" + LOAD_COMMANDS["firms"] + ").")
    else:
        lines.append(
            f"Registered firms meeting the definition: {found['firms_core']} core and "
            f"{found['firms_adjacent']} adjacent (registered office, not the works)."
        )
    if found["awards"] is None:
        lines.append("Defence contract awards: not loaded (" + LOAD_COMMANDS["awards"] + ").")
    else:
        share = "no value to share" if found["sme_share"] is None else f"{found['sme_share']:.0%}"
        lines.append(
            f"Defence contract awards: {found['awards']} worth £{found['award_value_gbp']:,.0f}, "
            f"SME share of value {share}."
        )
    if found["official_count"] is None and found["official_suppressed_cells"] is None:
        lines.append("Official business counts: not loaded (" + LOAD_COMMANDS["counts"] + ").")
    else:
        count = (
            "none published" if found["official_count"] is None else f"{found['official_count']:,}"
        )
        suppressed = found["official_suppressed_cells"] or 0
        if suppressed and found["official_count"] is not None:
            count = f"at least {count}"
        cells = "cell is" if suppressed == 1 else "cells are"
        extra = f" ({suppressed} {cells} suppressed, never counted as 0)" if suppressed else ""
        lines.append(f"Official business counts (local units): {count}{extra}.")
    return lines


def firms_for_export(
    firms: gpd.GeoDataFrame, *, profile: str = "public"
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, str]:
    """Return the firms to export as points, the district aggregate, and the note to print.

    ``public`` keeps points only for firms filing other accounts; micro-entity and
    no-accounts firms become counts per district (core and adjacent). ``partner`` keeps all.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {PROFILES}")
    if profile == "partner":
        empty = pd.DataFrame(columns=["lad_code", "core", "adjacent"])
        return firms, empty, PARTNER_NOTE
    category = firms.get("account_category", pd.Series("", index=firms.index)).fillna("")
    small = category.str.upper().isin(companies.SMALL_ACCOUNT_CATEGORIES).to_numpy(dtype=bool)
    grouped = (
        pd.DataFrame(
            {
                "lad_code": firms.loc[small, "lad_code"],
                "core": firms.loc[small, "core"].astype(bool),
            }
        )
        .groupby("lad_code")["core"]
        .agg(core="sum", total="size")
        .reset_index()
    )
    grouped["adjacent"] = grouped["total"] - grouped["core"]
    aggregate = grouped[["lad_code", "core", "adjacent"]].astype({"core": int, "adjacent": int})
    return firms.loc[~small], aggregate, PUBLIC_NOTE


def firm_points(firms: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the firms as compact rows for a clustered point layer (lon, lat, text, tier)."""
    return pd.DataFrame(
        {
            "lon": firms.geometry.x.round(6),
            "lat": firms.geometry.y.round(6),
            "name": firms["name"],
            "company_number": firms["company_number"],
            "tier": np.where(firms["core"].astype(bool), "core", "adjacent"),
            "capabilities": firms["capabilities"],
            "precision": firms["location_precision"],
        }
    ).reset_index(drop=True)


def award_points(awards: gpd.GeoDataFrame, *, max_radius_px: float = 24.0) -> pd.DataFrame:
    """Return awards as points sized by value: the radius grows with the square root.

    Rows of awards shared without a split get the smallest radius and their shared value.
    """
    value = awards["value_gbp"].astype("Float64")
    shown = value.fillna(0).astype(float).to_numpy()
    largest = float(shown.max()) if len(shown) else 0.0
    radius = (
        3.0 + (max_radius_px - 3.0) * np.sqrt(shown / largest)
        if largest
        else np.full(len(shown), 3.0)
    )
    return pd.DataFrame(
        {
            "lon": awards.geometry.x.round(6),
            "lat": awards.geometry.y.round(6),
            "supplier": awards["supplier"],
            "buyer": awards["buyer"],
            "value_gbp": value,
            "shared_value_gbp": awards["shared_value_gbp"],
            "sme": awards["sme"],
            "date": awards["date"],
            "radius_px": np.round(radius, 1),
        }
    ).reset_index(drop=True)


def counts_choropleth(
    counts: pd.DataFrame, lads: gpd.GeoDataFrame, *, sic_class: str | None = None
) -> gpd.GeoDataFrame:
    """Return the districts with their official count (None and ``suppressed`` when withheld).

    ``lads`` is the built district layer (``code`` column); ``sic_class`` picks one class,
    else the definition's classes are summed (a district with a suppressed cell says so).
    """
    chosen = counts if sic_class is None else counts[counts["sic_class"] == sic_class]
    summary = statistics.counts_by_district(chosen)
    merged = lads[["code", "name", "geometry"]].merge(
        summary[["lad_code", "count", "suppressed_cells"]],
        left_on="code",
        right_on="lad_code",
        how="left",
    )
    merged["suppressed_cells"] = merged["suppressed_cells"].fillna(0).astype(int)
    merged["label"] = [
        statistics.describe_count(c, False) + (" (at least; some cells suppressed)" if s else "")
        if not pd.isna(c)
        else ("suppressed" if s else "no data")
        for c, s in zip(merged["count"], merged["suppressed_cells"], strict=True)
    ]
    return gpd.GeoDataFrame(merged.drop(columns="lad_code"), geometry="geometry", crs=lads.crs)


def company_details(firms: pd.DataFrame | None, company_number: object) -> dict[str, Any] | None:
    """Return a curated site's company as the register holds it (SIC codes, registered office).

    None when the firms are not loaded, the site names no company, or the company is not among
    the firms kept (not active, outside the definition or outside the mapped districts).
    """
    number = str(company_number or "").strip()
    if firms is None or not number:
        return None
    match = firms[firms["company_number"] == number]
    if match.empty:
        return None
    row = match.iloc[0]
    return {
        "company_number": number,
        "name": row["name"],
        "sic_codes": [c for c in str(row["sic_codes"]).split(";") if c],
        "registered_office_postcode": row["postcode"],
        "lad_code": row["lad_code"],
        "core": bool(row["core"]),
    }
