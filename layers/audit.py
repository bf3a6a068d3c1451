"""The registry audit: every row's point beside its postcode's, for a reviewer to read.

``python -m layers.sites audit`` prints a line per row and writes the same as CSV: the distance
from the point to its postcode's point in the postcode index (the ONS Postcode Directory by
default), the district of each, the precision, how the point was checked, the source's domain
and the row's age. Its summary (the index's edition, counts by precision and by kind of
location check, the share of physical sites placed at site or postcode, the thinnest
capability, the problems) and the registry's coverage counts go into ``data/sites/README.md``
between the ``audit`` markers, so the README always says what the last audit found.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import settings
from layers import boundaries, location_checks, postcodes, registry_checks, vocabulary
from layers._validate import Problem, read_rows

#: The audit's CSV columns, in order.
AUDIT_COLUMNS: tuple[str, ...] = (
    "site_id",
    "kind",
    "location_precision",
    "location_check",
    "postcode",
    "postcode_found",
    "distance_m",
    "district",
    "postcode_district",
    "source_domain",
    "age_days",
    "verdict",
)
README_START = "<!-- audit:start (written by python -m layers.sites audit --readme) -->"
README_END = "<!-- audit:end -->"
#: Kinds whose sites are not premises of their own (a cluster body is a network).
NOT_PHYSICAL_KINDS: frozenset[str] = frozenset({"cluster_body"})
#: Precisions that place a site on its own premises.
PRECISE: tuple[str, ...] = ("site", "postcode")


@dataclass
class Audit:
    """The audit of one registry: a table of rows, the problems and warnings, the coverage."""

    table: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sites: gpd.GeoDataFrame | None = None
    index: str = ""
    capabilities: dict[str, int] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        """Return the summary as Markdown lines."""
        table = self.table
        total = len(table)
        with_code = int((table["postcode"] != "").sum())
        found = int(table["postcode_found"].sum())
        agree = int((table["verdict"] == "ok").sum())
        lines = [
            f"- Postcode index: {self.index}." if self.index else "- Postcode index: none.",
            f"- Rows audited: {total}; with a postcode: {with_code}; postcode found in the "
            f"index: {found} ({_share(found, total)} of all rows).",
            f"- Points checked against their postcode and within tolerance: {agree} "
            f"({_share(agree, total)}).",
            "- By precision: "
            + ", ".join(
                f"{name} {count}"
                for name, count in Counter(table["location_precision"]).most_common()
            )
            + ".",
            "- By location check: "
            + ", ".join(f"{kind} {count}" for kind, count in self.check_counts().items())
            + ".",
            self.physical_line(),
            self.thinnest_line(),
            f"- Problems (errors): {len(self.problems)}; warnings: {len(self.warnings)}.",
        ]
        for problem in self.problems[:20]:
            lines.append(f"  - error: {problem}")
        for warning in self.warnings[:20]:
            lines.append(f"  - warning: {warning}")
        return lines

    def check_counts(self) -> dict[str, int]:
        """Return the rows by kind of location check (``none`` for rows without one)."""
        kinds = self.table["location_check"].map(location_checks.check_kind)
        counts = Counter(kinds.replace("", "none"))
        return {k: counts.get(k, 0) for k in (*location_checks.CHECK_KINDS, "none")}

    def physical_share(self) -> tuple[int, int]:
        """Return (physical sites at site or postcode, physical sites)."""
        physical = ~self.table["kind"].isin(NOT_PHYSICAL_KINDS)
        precise = self.table["location_precision"].isin(PRECISE)
        return int((physical & precise).sum()), int(physical.sum())

    def physical_line(self) -> str:
        """Return the share of physical sites placed on their premises, as a Markdown line."""
        precise, physical = self.physical_share()
        return (
            f"- Physical sites (every kind but cluster bodies) at site or postcode precision: "
            f"{precise} of {physical} ({_share(precise, physical)})."
        )

    def thinnest(self) -> tuple[list[str], int]:
        """Return the capabilities with the fewest sites, and that number."""
        if not self.capabilities:
            return [], 0
        fewest = min(self.capabilities.values())
        return [s for s, n in self.capabilities.items() if n == fewest], fewest

    def thinnest_line(self) -> str:
        """Return the thinnest capability (ties listed) as a Markdown line."""
        slugs, fewest = self.thinnest()
        if not slugs:
            return "- Thinnest capability: none counted."
        names = ", ".join(f"{vocabulary.capability_label(s)} ({s})" for s in slugs)
        return f"- Thinnest capability: {names}, with {fewest} site(s)."

    def coverage_lines(self) -> list[str]:
        """Return the registry's depth: kinds, capabilities, authorities, precision by kind."""
        if self.sites is None:
            return []
        sites = self.sites
        kinds = Counter(sites["kind"])
        caps = vocabulary.capability_counts(sites["capabilities"])
        lines = [
            f"- Sites: {len(sites)}; suppliers: {kinds.get('supplier', 0)}.",
            "- By kind: "
            + ", ".join(f"{vocabulary.kind_label(k)} {kinds.get(k, 0)}" for k in vocabulary.KINDS)
            + ".",
            "- By capability: "
            + ", ".join(f"{slug} {caps.get(slug, 0)}" for slug in vocabulary.CAPABILITIES)
            + f". Fewest: {min(caps.get(s, 0) for s in vocabulary.CAPABILITIES)}.",
        ]
        hierarchy = pd.read_csv(settings.HIERARCHY_CSV, dtype=str)
        counties = hierarchy.drop_duplicates("county_code")
        held = Counter(sites["county_code"])
        empty = [
            name
            for code, name in zip(counties["county_code"], counties["county_name"], strict=True)
            if not held[code]
        ]
        lines.append(
            f"- Counties and unitary authorities with a site: "
            f"{len(counties) - len(empty)} of {len(counties)}"
            + (f" (none yet: {', '.join(sorted(empty))})." if empty else ".")
        )
        precise = sites["location_precision"].isin(["site", "postcode"])
        for kind in vocabulary.KINDS:
            if kind == "cluster_body" or not kinds.get(kind):
                continue
            of_kind = sites["kind"] == kind
            share = precise[of_kind].mean()
            lines.append(f"  - {vocabulary.kind_label(kind)}: {share:.0%} at site or postcode")
        status = Counter(sites["status"])
        lines.append("- Status: " + ", ".join(f"{k} {v}" for k, v in sorted(status.items())) + ".")
        return lines


def build_audit(
    text: str,
    problems: list[Problem],
    warnings: list[Problem],
    sites: gpd.GeoDataFrame | None,
    *,
    boundaries_dir: str | Path | None = None,
    postcode_index: str | Path | None = None,
    today: date | None = None,
) -> Audit:
    """Compare each row of a registry with its postcode, given what validation found.

    Parameters
    ----------
    text
        The registry file's text: every row is audited, valid or not.
    problems, warnings
        What :func:`layers.sites.validate_sites` reported.
    sites
        The loaded registry when it is valid (for the coverage counts), else None.
    """
    today = today or date.today()
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    _, records = read_rows(text)
    rows = pd.DataFrame([record for _, record in records])
    columns = ("postcode", "source_url", "last_checked", "site_id", "kind", "capabilities")
    for column in (*columns, "location_check"):
        if column not in rows:
            rows[column] = ""
    rows = rows.fillna("")
    rows["lat"] = pd.to_numeric(rows["lat"], errors="coerce")
    rows["lon"] = pd.to_numeric(rows["lon"], errors="coerce")
    index = postcodes.load_index(postcode_index)
    distances = registry_checks.postcode_distances(
        rows, lambda codes: postcodes.lookup(codes, index=index)
    )
    lads = boundaries.load_layer("lads", directory=boundaries_dir)[["name", "geometry"]]
    here = _districts(rows["lon"], rows["lat"], lads)
    there = _districts(distances["lon"], distances["lat"], lads)
    bad = {p.site_id for p in problems}
    table = pd.DataFrame(
        {
            "site_id": rows["site_id"],
            "kind": rows["kind"],
            "location_precision": rows["location_precision"],
            "location_check": rows["location_check"],
            "postcode": rows["postcode"],
            "postcode_found": distances["found"],
            "distance_m": distances["distance_m"].round(0),
            "district": here,
            "postcode_district": there.where(distances["found"], ""),
            "source_domain": rows["source_url"].map(registry_checks.domain),
            "age_days": rows["last_checked"].map(lambda d: _age(d, today)),
        }
    )
    table["verdict"] = [
        "problem" if site_id in bad else "ok" if found else "no postcode check"
        for site_id, found in zip(table["site_id"], table["postcode_found"], strict=True)
    ]
    counted = vocabulary.capability_counts(rows["capabilities"])
    return Audit(
        table=table,
        problems=problems,
        warnings=warnings,
        sites=sites,
        index=index.describe(),
        capabilities={slug: counted.get(slug, 0) for slug in vocabulary.CAPABILITIES},
    )


def _age(value: str, today: date) -> int | None:
    try:
        return (today - date.fromisoformat(str(value))).days
    except ValueError:
        return None


def _districts(lon: pd.Series, lat: pd.Series, lads: gpd.GeoDataFrame) -> pd.Series:
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon, lat), crs=settings.CRS_STORAGE, index=lon.index
    )
    joined = gpd.sjoin(points, lads, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["name"].fillna("").astype(str)


def write_csv(audit: Audit, path: str | Path) -> Path:
    """Write the audit table as CSV (UTF-8) and return its path."""
    target = Path(path)
    audit.table.to_csv(target, index=False, columns=list(AUDIT_COLUMNS), quoting=csv.QUOTE_MINIMAL)
    return target


def print_lines(audit: Audit) -> list[str]:
    """Return one readable line per row (the audit's terminal output)."""
    lines = []
    for row in audit.table.to_dict("records"):
        metres = float(row["distance_m"])
        distance = "—" if np.isnan(metres) else f"{metres:,.0f} m"
        here, there = str(row["district"]), str(row["postcode_district"])
        district = here + (f" / postcode in {there}" if there and there != here else "")
        days = row["age_days"]
        age = "" if days is None or pd.isna(days) else f"{int(days)} d"
        lines.append(
            f"{row['verdict']:<17} {row['site_id']:<45} {row['location_precision']:<8} "
            f"{location_checks.check_kind(row['location_check']) or '-':<8} "
            f"{row['postcode'] or '-':<9} {distance:>9}  {district}  "
            f"[{row['source_domain']}, {age}]"
        )
    return lines


def update_readme(audit: Audit, readme: str | Path, *, today: date | None = None) -> None:
    """Replace the audit section of the registry README with this audit's summary."""
    path = Path(readme)
    text = path.read_text(encoding="utf-8")
    stamp = (today or date.today()).isoformat()
    body = "\n".join(
        [
            README_START,
            f"Audit of {stamp}:",
            "",
            *audit.summary_lines(),
            "",
            "Coverage:",
            "",
            *audit.coverage_lines(),
            README_END,
        ]
    )
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text)
    else:
        text = text.rstrip("\n") + "\n\n## Audit\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "0%"
