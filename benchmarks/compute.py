"""Python-side figures: load + validate + join, the schema check alone, the spatial join,
a filter change, clusters and the corridor, each beside a naive baseline where one exists."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd

import settings
from benchmarks import frictionless_check
from benchmarks.measure import Bench, Dataset, Row, Timing, realistic_registry, short
from layers import boundaries, filters, vocabulary
from layers._validate import paused_collection, read_table
from layers._validate_columns import check_table
from layers.sites import load_sites, read_registry_text

#: The naive point-in-polygon loop runs on this many points and is scaled to the full size.
NAIVE_JOIN_SAMPLE: int = 200
#: The filters timed as "a filter change".
CHOICE_FILTER = filters.SiteFilter(
    capabilities=("combat_air", "cyber_digital"), kinds=("supplier", "prime")
)
TEXT_FILTER = filters.SiteFilter(text="precision")


def bench_load(bench: Bench, datasets: list[Dataset]) -> list[tuple[str, int, Path]]:
    """Load + validate + spatial join of each registry CSV, plain and with realistic rows.

    Returns the realistic registries written, as (label, size, path).
    """
    bench.section("load + validate + join")
    realistic = [
        (f"realistic {short(d.size)}", d.size, realistic_registry(bench, d.size))
        for d in datasets[1:]
    ]
    loads = [(d.label, d.size, d.path) for d in datasets]
    for label, size, path in loads + realistic:
        timing = bench.time(partial(load_sites, path, boundaries_dir=bench.boundaries_dir))
        kind = "realistic-" if label.startswith("realistic") else ""
        bench.add(Row(f"load:{kind}{size}", "load + validate + join (CSV)", label, timing))
    bench.section(f"schema check: ours vs frictionless {frictionless_check.PIN}")
    for label, size, path in loads + realistic:
        text = read_registry_text(path)
        ours = bench.time(partial(_check_by_columns, text))
        runs = 1 if size > frictionless_check.ONE_RUN_ABOVE else bench.repeat
        theirs, note = (
            (None, "frictionless is not run in quick mode")
            if bench.quick
            else frictionless_check.time_frictionless(path, runs=runs)
        )
        kind = "realistic-" if label.startswith("realistic") else ""
        bench.add(
            Row(
                f"schema:{kind}{size}",
                "schema check (read + check every cell)",
                label,
                ours,
                f"frictionless {frictionless_check.PIN} validate",
                theirs,
                note,
            )
        )
    return realistic


def _check_by_columns(text: str) -> object:
    with paused_collection():
        return check_table(read_table(text), vocabulary.schema())


def bench_join(bench: Bench, datasets: list[Dataset]) -> None:
    """The vectorised spatial join beside a Python loop of shapely point-in-polygon calls."""
    bench.section("spatial join")
    wards = boundaries.load_layer("wards", directory=bench.boundaries_dir).to_crs(
        settings.CRS_METRIC
    )
    wards = wards.rename(columns={"code": "ward_code"})[["ward_code", "geometry"]]
    polygons = list(wards.geometry)
    for data in datasets:
        points = data.sites[["site_id", "geometry"]].to_crs(settings.CRS_METRIC)
        vectorised = bench.time(partial(gpd.sjoin, points, wards, how="left", predicate="within"))
        sample = list(points.geometry.iloc[:NAIVE_JOIN_SAMPLE])

        def naive_loop(
            sample: list[Any] = sample, scale: float = len(points) / len(sample)
        ) -> float:
            start = time.perf_counter()
            for point in sample:
                for polygon in polygons:
                    if polygon.contains(point):
                        break
            return (time.perf_counter() - start) * scale

        baseline = bench.measure(naive_loop)
        scaled = len(points) > len(sample)
        bench.add(
            Row(
                f"join:{data.size}",
                "spatial join, sites in wards (gpd.sjoin)",
                data.label,
                vectorised,
                "Python loop of shapely contains",
                baseline,
                f"baseline scaled from {len(sample)} points" if scaled else "",
            )
        )


def bench_filter(bench: Bench, datasets: list[Dataset]) -> None:
    """A filter change (layers.filters.select_sites) beside a row-by-row loop."""
    bench.section("filter change")
    for data in datasets:
        for key, label, criteria in (
            ("filter", "filter change: 2 capabilities + 2 kinds", CHOICE_FILTER),
            ("filter-text", "filter change: text search", TEXT_FILTER),
        ):
            timing = bench.time(partial(filters.select_sites, data.sites, criteria))
            baseline = bench.time(partial(_filter_by_row_loop, data.sites, criteria))
            bench.add(
                Row(
                    f"{key}:{data.size}",
                    label,
                    data.label,
                    timing,
                    "loop over rows (iterrows)",
                    baseline,
                )
            )


def _filter_by_row_loop(sites: gpd.GeoDataFrame, criteria: filters.SiteFilter) -> list[int]:
    wanted, kinds, needle = set(criteria.capabilities), set(criteria.kinds), criteria.text.lower()
    kept = []
    for index, site in sites.iterrows():
        if wanted and not wanted.intersection(site["capabilities"]):
            continue
        if kinds and site["kind"] not in kinds:
            continue
        if needle:
            haystack = f"{site['name']} {site['organisation']} {site['description']}"
            if needle not in haystack.lower():
                continue
        kept.append(index)
    return kept


def bench_analysis(bench: Bench, datasets: list[Dataset]) -> None:
    """Clusters and the corridor, when their modules are importable."""
    bench.section("clusters and corridor")
    try:
        from layers.clusters import find_clusters
        from layers.corridor import build_corridor
    except ImportError as exc:
        bench.note(
            f"clusters and corridor skipped: layers.clusters/corridor not importable ({exc})"
        )
        return
    for data in datasets:
        found = find_clusters(data.sites)
        timing: Timing = bench.time(partial(find_clusters, data.sites))
        bench.add(
            Row(
                f"clusters:{data.size}",
                "clusters (find_clusters, DBSCAN 8 km)",
                data.label,
                timing,
                note=f"{len(found)} cluster(s)",
            )
        )
        corridor = build_corridor(data.sites)
        timing = bench.time(partial(build_corridor, data.sites))
        bench.add(
            Row(
                f"corridor:{data.size}",
                "corridor (build_corridor, straight)",
                data.label,
                timing,
                note=f"{int(corridor['hub_count'].iloc[0])} hub(s)",
            )
        )
