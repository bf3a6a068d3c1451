"""Time and size what the app does, beside a naive baseline measured in the same run.

Command line::

    python -m benchmarks.run [--sizes 1000,10000,100000] [--repeat 5] [--quick] [--out PATH]

Every timing is the median of ``--repeat`` runs after one warm-up, with the min and max. The
data are the real registry and seeded synthetic registries of each size (see
``benchmarks.synthetic``). The table is printed and written, with the machine's description and
the issue's budgets (met or not met; never asserted), to ``benchmarks/RESULTS.md``.

``--quick`` is the smoke test: the 1k registry, one run, no cold start of Streamlit and no marker
sweep; its figures are not measurements and it writes RESULTS.md only when ``--out`` is given.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from jinja2.utils import htmlsafe_json_dumps

import settings
from benchmarks import synthetic
from layers import boundaries, filters
from layers.sites import load_sites
from mapping import assets, build_map, largedata
from mapping.basemap import display_geojson

OUT_DIR: Path = settings.ROOT / "benchmarks" / "out"
RESULTS: Path = settings.ROOT / "benchmarks" / "RESULTS.md"
APP: Path = settings.ROOT / "app.py"
#: The naive point-in-polygon loop runs on this many points and is scaled to the full size.
NAIVE_JOIN_SAMPLE: int = 200
#: One-marker-per-site baselines (build and browser) run up to this many sites.
PLAIN_MARKER_LIMIT: int = 10_000
#: A figure whose warm-up takes longer than this (s) is reported from that single run.
SLOW_S: float = 120.0
#: Sizes at which one DivIcon marker per site is compared with fast mode in Chromium.
MARKER_SWEEP: tuple[int, ...] = (250, 500, 1000, 1500, 2000, 4000)
#: "Comfortable" in Chromium: first draw and a zoom step within these (s).
COMFORT_DRAW_S: float = 1.0
COMFORT_ZOOM_S: float = 0.1
#: The filters timed as "a filter change".
CHOICE_FILTER = filters.SiteFilter(
    capabilities=("combat_air", "cyber_digital"), kinds=("supplier", "prime")
)
TEXT_FILTER = filters.SiteFilter(text="precision")
LIBRARIES = (
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "pyarrow",
    "pandas",
    "numpy",
    "folium",
    "branca",
    "streamlit",
    "streamlit-folium",
    "scikit-learn",
    "playwright",
)

logger = logging.getLogger("benchmarks")


# --------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Timing:
    """Repeated measurements of one figure (seconds), summarised by median, min and max."""

    runs: list[float]
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def low(self) -> float:
        return min(self.runs)

    @property
    def high(self) -> float:
        return max(self.runs)


Value = Timing | int


@dataclass
class Row:
    """One line of the results table: a figure, its data, and its baseline."""

    key: str
    figure: str
    data: str
    value: Value | None
    baseline: str = ""
    baseline_value: Value | None = None
    note: str = ""


@dataclass
class Dataset:
    """A registry to measure: its label, CSV and loaded sites."""

    label: str
    size: int
    path: Path
    sites: gpd.GeoDataFrame


@dataclass
class Bench:
    """What one benchmark run measures, with its options; collects the rows."""

    repeat: int
    warmup: int
    quick: bool
    boundaries_dir: Path
    work_dir: Path
    browser: bool
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loads: list[tuple[str, float]] = field(default_factory=list)

    def section(self, title: str) -> None:
        """Start a group of figures; record the machine's load (other work skews timings)."""
        load = os.getloadavg()[0]
        self.loads.append((title, load))
        print(f"{title} (load average {load:.2f})", file=sys.stderr, flush=True)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {_row_line(row)}", file=sys.stderr, flush=True)

    def note(self, message: str) -> None:
        self.notes.append(message)
        print(f"note: {message}", file=sys.stderr, flush=True)

    def measure(self, sample: Callable[[], float]) -> Timing:
        """Run ``sample`` (which returns a duration in s) after a warm-up; summarise."""
        first = None
        for _ in range(self.warmup):
            gc.collect()
            first = sample()
        if first is not None and first > SLOW_S:
            return Timing([first], note=f"1 run (over {SLOW_S:.0f} s)")
        runs = []
        for _ in range(self.repeat):
            gc.collect()
            runs.append(sample())
        return Timing(runs)

    def time(self, action: Callable[[], object]) -> Timing:
        """Time ``action`` (wall clock) after a warm-up."""

        def sample() -> float:
            start = time.perf_counter()
            action()
            return time.perf_counter() - start

        return self.measure(sample)


# --------------------------------------------------------------------------------------------
# Data


def load_datasets(bench: Bench, sizes: list[int]) -> list[Dataset]:
    """Load the real registry and write and load a synthetic registry of each size."""
    real = load_sites(settings.SITES_CSV, boundaries_dir=bench.boundaries_dir)
    datasets = [Dataset(f"real registry ({len(real)})", len(real), settings.SITES_CSV, real)]
    for size in sizes:
        started = time.perf_counter()
        sites = synthetic.synthetic_sites(size, seed=0, boundaries_dir=bench.boundaries_dir)
        path = synthetic.write_registry(sites, bench.work_dir / f"synthetic-{size}.csv")
        print(
            f"synthetic {size:,}: written in {time.perf_counter() - started:.1f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)",
            file=sys.stderr,
            flush=True,
        )
        datasets.append(Dataset(f"synthetic {_short(size)}", size, path, sites))
    return datasets


def _short(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else f"{size:,}"


# --------------------------------------------------------------------------------------------
# Python-side figures


def bench_load(bench: Bench, datasets: list[Dataset]) -> None:
    """Load + validate + spatial join of each registry CSV (layers.sites.load_sites)."""
    bench.section("load + validate + join")
    for data in datasets:
        timing = bench.time(partial(load_sites, data.path, boundaries_dir=bench.boundaries_dir))
        bench.add(Row(f"load:{data.size}", "load + validate + join (CSV)", data.label, timing))


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
        timing = bench.time(partial(find_clusters, data.sites))
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


def bench_map(bench: Bench, datasets: list[Dataset]) -> None:
    """Building the map HTML: time, and bytes split into sites, boundaries and libraries."""
    bench.section("map HTML")
    for data in datasets:
        html = _render(data.sites, bench.boundaries_dir)
        timing = bench.time(partial(_render, data.sites, bench.boundaries_dir))
        mode = (
            "fast mode"
            if largedata.use_fast_mode(data.size)
            else "clustered markers (below the fast-mode threshold)"
        )
        plain_html: str | None = None
        plain_timing: Timing | None = None
        if data.size <= PLAIN_MARKER_LIMIT:
            plain_html = _render(data.sites, bench.boundaries_dir, plain=True)
            plain_timing = bench.time(
                partial(_render, data.sites, bench.boundaries_dir, plain=True)
            )
        baseline = "one folium.Marker per site"
        skipped = "" if plain_html else f"baseline not run above {PLAIN_MARKER_LIMIT:,} sites"
        bench.add(
            Row(
                f"map-build:{data.size}",
                "map HTML: build + render",
                data.label,
                timing,
                baseline,
                plain_timing,
                f"app draws {mode}" + (f"; {skipped}" if skipped else ""),
            )
        )
        empty = _render(data.sites.head(0), bench.boundaries_dir)
        sites_bytes = _size(html) - _size(empty)
        plain_sites = _size(plain_html) - _size(empty) if plain_html else None
        bench.add(
            Row(
                f"map-sites-bytes:{data.size}",
                "map page: sites data",
                data.label,
                sites_bytes,
                baseline,
                plain_sites,
                f"{sites_bytes / max(data.size, 1):.0f} B per site"
                + (f" (baseline {plain_sites / data.size:.0f} B)" if plain_sites else ""),
            )
        )
        bench.add(
            Row(
                f"map-page-bytes:{data.size}",
                "map page: data (all but libraries)",
                data.label,
                _size(html),
                baseline,
                _size(plain_html) if plain_html else None,
            )
        )
        if data is datasets[0]:
            fmap = build_map(data.sites, boundaries_dir=bench.boundaries_dir)
            boundary_bytes = _boundary_bytes(fmap)
            unsimplified = _unsimplified_bytes(bench.boundaries_dir)
            bench.add(
                Row(
                    "map-boundaries-bytes",
                    "map page: boundaries (display, default layers)",
                    data.label,
                    boundary_bytes,
                    "unsimplified boundaries",
                    unsimplified.get("default"),
                    "outline, CAs, counties, LADs as the default map draws them, plus the "
                    "land basemap; baseline: the full-resolution layers (land basemap as "
                    "displayed)",
                )
            )
            wards_display = len(htmlsafe_json_dumps(display_geojson("wards", bench.boundaries_dir)))
            bench.add(
                Row(
                    "map-wards-bytes",
                    "map page: wards layer (when shown)",
                    data.label,
                    wards_display,
                    "unsimplified boundaries",
                    unsimplified.get("wards"),
                )
            )
            libraries, note = _library_bytes(html)
            bench.add(
                Row(
                    "map-library-bytes",
                    "map libraries (fetched separately)",
                    data.label,
                    libraries,
                    note=note,
                )
            )
        if assets.installed():
            bench.add(
                Row(
                    f"standalone-bytes:{data.size}",
                    "standalone HTML (libraries inlined)",
                    data.label,
                    _size(assets.inline_html(html)),
                    baseline,
                    _size(assets.inline_html(plain_html)) if plain_html else None,
                )
            )


def _render(sites: gpd.GeoDataFrame, boundaries_dir: Path, *, plain: bool = False) -> str:
    """Render the app's map to HTML (``plain``: one marker per site, unclustered)."""
    options: dict[str, Any] = (
        {"cluster_markers": False, "large_data_threshold": len(sites) + 1} if plain else {}
    )
    html: str = build_map(sites, boundaries_dir=boundaries_dir, **options).get_root().render()
    return html


def _size(html: str | None) -> int:
    return len(html.encode("utf-8")) if html else 0


def _boundary_bytes(fmap: folium.Map) -> int:
    total = 0
    for element in _walk(fmap):
        if isinstance(element, folium.GeoJson):
            total += len(htmlsafe_json_dumps(element.data).encode("utf-8"))
    return total


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _unsimplified_bytes(directory: Path) -> dict[str, int]:
    """GeoJSON bytes of the full-resolution layers the map would draw without simplification."""

    def full(name: str) -> int:
        frame = boundaries.load_layer(name, directory=directory)
        return len(htmlsafe_json_dumps(json.loads(frame[["code", "name", "geometry"]].to_json())))

    default = sum(full(name) for name in ("midlands", "combined_authorities", "counties", "lads"))
    land = len(htmlsafe_json_dumps(display_geojson("countries", directory)))
    return {"default": default + land, "wards": full("wards")}


def _library_bytes(html: str) -> tuple[int, str]:
    links = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    local = [link for link in links if link.startswith(assets.SERVED_URL)]
    total = 0
    for link in local:
        path = assets.VENDOR_DIR / link.removeprefix(assets.SERVED_URL + "/")
        total += path.stat().st_size if path.is_file() else 0
    note = f"{len(local)} files served from static/vendor"
    if len(local) < len(links):
        note += f"; {len(links) - len(local)} from CDNs not counted (run 'make assets')"
    return total, note


def bench_apptest(bench: Bench, datasets: list[Dataset]) -> None:
    """A warm AppTest rerun after a filter change, beside the first run with empty caches."""
    bench.section("AppTest reruns")
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # AppTest runs without a server; its warnings say only that

    saved = settings.SITES_CSV, settings.BOUNDARIES_DIR
    settings.BOUNDARIES_DIR = bench.boundaries_dir
    try:
        for data in datasets:
            settings.SITES_CSV = data.path
            problems: list[str] = []

            def cold_run(problems: list[str] = problems) -> float:
                st.cache_resource.clear()
                st.cache_data.clear()
                app = AppTest.from_file(str(APP), default_timeout=900)
                start = time.perf_counter()
                app.run()
                elapsed = time.perf_counter() - start
                if app.exception:
                    problems.append(str(app.exception[0].value)[:200])
                return elapsed

            cold = bench.measure(cold_run)
            app = AppTest.from_file(str(APP), default_timeout=900)
            app.run()
            # Alternate the two directions of a change: choosing a capability, then clearing
            # it (every site again); each direction is summarised on its own.
            runs: dict[str, list[float]] = {"choose": [], "clear": []}
            for _ in range(bench.warmup + bench.repeat):
                for direction, value in (("choose", ["combat_air"]), ("clear", [])):
                    chooser = app.multiselect(key="f_caps").set_value(value)
                    gc.collect()
                    start = time.perf_counter()
                    chooser.run()
                    runs[direction].append(time.perf_counter() - start)
                    if app.exception:
                        problems.append(str(app.exception[0].value)[:200])
            chosen = int((data.sites["capabilities"].map(lambda c: "combat_air" in c)).sum())
            for direction, label in (
                ("choose", f"choose 1 capability ({chosen:,} sites)"),
                ("clear", f"clear it (all {data.size:,} sites)"),
            ):
                bench.add(
                    Row(
                        f"apptest-{direction}:{data.size}",
                        f"warm AppTest rerun after a filter change: {label}",
                        data.label,
                        Timing(runs[direction][bench.warmup :]),
                        "first run, empty caches",
                        cold,
                        f"app raised: {problems[0]}" if problems else "",
                    )
                )
    finally:
        settings.SITES_CSV, settings.BOUNDARIES_DIR = saved


# --------------------------------------------------------------------------------------------
# Browser figures (headless Debian Chromium through Playwright)

_DRAW_JS = """async () => {
  const frames = () => new Promise(done =>
    requestAnimationFrame(() => requestAnimationFrame(done)));
  await frames();
  const drawn = performance.now();
  let map = null;
  for (const key of Object.keys(window)) {
    if (key.startsWith('map_') && window[key] && window[key].setZoom) { map = window[key]; }
  }
  let points = document.querySelectorAll('.leaflet-marker-icon').length;
  map.eachLayer(layer => {
    if (layer.options && layer.options.row !== undefined) { points++; }
  });
  // the opening fitBounds animates; a zoom asked for meanwhile would be dropped
  while (map._animatingZoom) {
    await new Promise(done => map.once('zoomend', done));
    await frames();
  }
  const before = map.getZoom();
  const start = performance.now();
  map.setView(map.getCenter(), before + 1, {animate: false});
  await frames();
  const zoom = (performance.now() - start) / 1000;
  return {drawn: drawn / 1000, zoom: zoom, points: points, zoomed: map.getZoom() - before};
}"""

_MAP_DRAWN_JS = """() => [...document.querySelectorAll('iframe')].some(frame => {
  const doc = frame.contentDocument;
  return doc && doc.querySelector('.leaflet-container') &&
    doc.querySelector('.mdm-marker, .marker-cluster, .mdm-fast-note');
})"""


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield a headless Debian Chromium (Playwright); raise RuntimeError when missing."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing ('make browser' installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _offline_page(browser: Any) -> Any:
    """A page on which every request to another machine is aborted."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})

    def route(request_route: Any, request: Any) -> None:
        local = re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]", request.url)
        if local or request.url.startswith(("file:", "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)
    return page


def _draw(browser: Any, page_path: Path) -> dict[str, float]:
    page = _offline_page(browser)
    try:
        page.goto(page_path.as_uri(), wait_until="load", timeout=600_000)
        result: dict[str, float] = page.evaluate(_DRAW_JS)
        return result
    finally:
        page.close()


def _drawn(browser: Any, page_path: Path) -> float:
    return _draw(browser, page_path)["drawn"]


def _page_file(bench: Bench, sites: gpd.GeoDataFrame, name: str, *, plain: bool) -> Path:
    path = bench.work_dir / "pages" / f"{name}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(assets.inline_html(_render(sites, bench.boundaries_dir, plain=plain)))
    return path


def _draw_timings(bench: Bench, browser: Any, path: Path) -> tuple[Timing, Timing, int]:
    """Time a page's first draw and a zoom step on the same loads; return the points drawn."""
    zooms: list[float] = []
    points: list[int] = []

    def sample() -> float:
        result = _draw(browser, path)
        zooms.append(result["zoom"])
        points.append(int(result["points"]))
        if result["zoomed"] != 1:
            bench.note(f"{path.name}: the zoom step did not change the zoom; not a measurement")
        return result["drawn"]

    drawn = bench.measure(sample)
    return drawn, Timing(zooms[-len(drawn.runs) :]), min(points)


def bench_draw(bench: Bench, browser: Any, datasets: list[Dataset]) -> None:
    """Chromium: time to finish drawing the map of N sites, and a zoom step, vs one marker each."""
    bench.section("Chromium: drawing the map")
    for data in datasets:
        app_page = _page_file(bench, data.sites, f"app-{data.size}", plain=False)
        drawn, zoom, points = _draw_timings(bench, browser, app_page)
        plain_drawn: Timing | None = None
        plain_zoom: Timing | None = None
        note = ""
        if data.size <= PLAIN_MARKER_LIMIT:
            plain_page = _page_file(bench, data.sites, f"plain-{data.size}", plain=True)
            plain_drawn, plain_zoom, _ = _draw_timings(bench, browser, plain_page)
        else:
            note = f"baseline not run above {PLAIN_MARKER_LIMIT:,} sites; "
        clustered = not largedata.use_fast_mode(data.size)
        note += (
            "app page clusters its markers"
            if clustered
            else f"{points:,} of {data.size:,} sites drawn on the canvas"
        )
        for key, figure, value, baseline in (
            ("draw", "Chromium: map drawn (page load to painted)", drawn, plain_drawn),
            ("zoom", "Chromium: a zoom step (to painted)", zoom, plain_zoom),
        ):
            bench.add(
                Row(
                    f"{key}:{data.size}",
                    figure,
                    data.label,
                    value,
                    "one folium.Marker per site",
                    baseline,
                    note,
                )
            )


def bench_marker_sweep(bench: Bench, browser: Any, datasets: list[Dataset]) -> None:
    """Chromium: where one DivIcon marker per site stops being comfortable (draw, zoom step).

    Each size is drawn as fast mode (the app's layer above the threshold) and as one DivIcon
    marker per site, unclustered; a zoom step is timed on the same page load.
    """
    bench.section("Chromium: DivIcon markers vs fast mode")
    largest = max(datasets, key=lambda d: d.size)
    comfortable = 0
    for size in MARKER_SWEEP:
        if size > largest.size:
            break
        sites = largest.sites.head(size)
        plain = _page_file(bench, sites, f"sweep-plain-{size}", plain=True)
        fast = bench.work_dir / "pages" / f"sweep-fast-{size}.html"
        fast.write_text(
            assets.inline_html(
                build_map(sites, boundaries_dir=bench.boundaries_dir, large_data_threshold=0)
                .get_root()
                .render()
            )
        )
        draws: dict[str, Timing] = {}
        zooms: dict[str, Timing] = {}
        for label, path in (("fast", fast), ("plain", plain)):
            draws[label], zooms[label], _ = _draw_timings(bench, browser, path)
        ok = draws["plain"].median <= COMFORT_DRAW_S and zooms["plain"].median <= COMFORT_ZOOM_S
        comfortable = size if ok and comfortable == size_before(size) else comfortable
        verdict = "markers comfortable" if ok else "markers not comfortable"
        for what, timings in (("draw", draws), ("zoom step", zooms)):
            bench.add(
                Row(
                    f"sweep-{what}:{size}",
                    f"Chromium sweep: {what}",
                    f"synthetic {size:,}",
                    timings["fast"],
                    "one DivIcon marker per site",
                    timings["plain"],
                    f"{verdict} (draw <= {COMFORT_DRAW_S:g} s, zoom step <= "
                    f"{COMFORT_ZOOM_S * 1000:.0f} ms)",
                )
            )
    bench.note(
        f"one DivIcon marker per site stays comfortable in Chromium up to {comfortable:,} sites "
        f"of the sweep {', '.join(f'{s:,}' for s in MARKER_SWEEP)} (first draw <= "
        f"{COMFORT_DRAW_S:g} s and a zoom step <= {COMFORT_ZOOM_S * 1000:.0f} ms); fast mode's "
        f"threshold (mapping.largedata.LARGE_DATA_THRESHOLD) is {largedata.LARGE_DATA_THRESHOLD:,}"
    )


def size_before(size: int) -> int:
    """The sweep size before ``size`` (0 for the first): comfort must hold at every size."""
    index = MARKER_SWEEP.index(size)
    return MARKER_SWEEP[index - 1] if index else 0


@contextmanager
def _streamlit(sites_csv: Path, bench: Bench) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free loopback port; yield its URL; always stop it.

    Like ``tests.browser.streamlit_server``, but a server that does not stop within 30 s of
    SIGTERM (it waits for a script run still in progress) is killed and the wait noted.
    """
    from tests.browser import ARTIFACTS, free_port

    port = free_port()
    env = {
        **os.environ,
        "MIDLANDS_SITES_CSV": str(sites_csv),
        "MIDLANDS_BOUNDARIES_DIR": str(bench.boundaries_dir),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"bench-streamlit-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=settings.ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}")
                time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
                bench.note(
                    f"streamlit on {sites_csv.name} did not stop within 30 s of SIGTERM "
                    "(a script run was still going) and was killed"
                )


def _healthy(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def bench_cold_start(bench: Bench, browser: Any, datasets: list[Dataset]) -> None:
    """Chromium: time to the first map from a cold ``streamlit run``."""
    bench.section("Chromium: cold start of streamlit run")
    for data in datasets:
        ready: list[float] = []

        def cold_start(data: Dataset = data, ready: list[float] = ready) -> float:
            start = time.perf_counter()
            with _streamlit(data.path, bench) as url:
                ready.append(time.perf_counter() - start)
                page = _offline_page(browser)
                try:
                    page.goto(url)
                    page.wait_for_function(_MAP_DRAWN_JS, timeout=600_000, polling=50)
                    page.evaluate(
                        "() => new Promise(done => requestAnimationFrame("
                        "() => requestAnimationFrame(done)))"
                    )
                    return time.perf_counter() - start
                finally:
                    page.close()

        try:
            timing = bench.measure(cold_start)
        except RuntimeError as exc:
            bench.note(f"cold start on {data.label} failed: {exc}")
            continue
        server = statistics.median(ready[-len(timing.runs) :])
        bench.add(
            Row(
                f"cold-start:{data.size}",
                "Chromium: first map from a cold streamlit run",
                data.label,
                timing,
                note=f"process start to map painted (server healthy after {_seconds(server)}); "
                "Chromium already running",
            )
        )


# --------------------------------------------------------------------------------------------
# Budgets, table and report


@dataclass(frozen=True)
class Budget:
    """One of the issue's budgets: which figure, the limit, and how it reads."""

    text: str
    key: str
    limit: float
    ratio: float | None = None


def budgets(real_size: int) -> list[Budget]:
    return [
        Budget(
            "Warm rerun after a filter change, real registry: under 0.3 s server-side "
            "(choosing a capability)",
            f"apptest-choose:{real_size}",
            0.3,
        ),
        Budget(
            "Warm rerun after a filter change, real registry: under 0.3 s server-side "
            "(clearing it: every site)",
            f"apptest-clear:{real_size}",
            0.3,
        ),
        Budget("Default map: data payload under 1 MB", f"map-page-bytes:{real_size}", 1_000_000),
        Budget("Default map: boundaries under 400 KB", "map-boundaries-bytes", 400_000),
        Budget("100k sites: load + validate + join under 3 s", "load:100000", 3.0),
        Budget("100k sites: a filter change under 0.1 s", "filter:100000", 0.1),
        Budget(
            "100k sites: a text-search filter change under 0.1 s (same budget)",
            "filter-text:100000",
            0.1,
        ),
        Budget(
            "10k points drawn in Chromium under 2 s, at least 10 times faster than one marker "
            "per site",
            "draw:10000",
            2.0,
            ratio=10.0,
        ),
        Budget(
            "Standalone HTML of the full registry under 3 MB",
            f"standalone-bytes:{real_size}",
            3_000_000,
        ),
    ]


def judge(rows: list[Row], real_size: int) -> list[tuple[str, str, str]]:
    """Return (budget, measured, verdict) for every budget: met, not met, or not measured."""
    by_key = {row.key: row for row in rows}
    verdicts = []
    for budget in budgets(real_size):
        row = by_key.get(budget.key)
        if row is None or row.value is None:
            verdicts.append((budget.text, "not measured in this run", "not measured"))
            continue
        value = _central(row.value)
        met = value < budget.limit
        measured = _format(row.value)
        if budget.ratio is not None:
            if row.baseline_value is None:
                verdicts.append((budget.text, measured + ", no baseline", "not measured"))
                continue
            ratio = _central(row.baseline_value) / value
            measured += f", {ratio:.1f}x faster"
            met = met and ratio >= budget.ratio
        verdicts.append((budget.text, measured, "met" if met else "NOT MET"))
    return verdicts


def _central(value: Value) -> float:
    return value.median if isinstance(value, Timing) else float(value)


def _format(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Timing):
        return _seconds(value.median)
    return _bytes(value)


def _seconds(value: float) -> str:
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _bytes(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1e6:.2f} MB"
    if value >= 1000:
        return f"{value / 1000:.1f} KB"
    return f"{value} B"


def _spread(value: Value | None) -> str:
    if not isinstance(value, Timing):
        return ""
    spread = f"{_seconds(value.low)} – {_seconds(value.high)} (n={len(value.runs)})"
    return spread + (f", {value.note}" if value.note else "")


def _ratio(row: Row) -> str:
    if row.value is None or row.baseline_value is None:
        return ""
    value, baseline = _central(row.value), _central(row.baseline_value)
    if value <= 0:
        return ""
    return f"{baseline / value:.1f}x"


def _row_line(row: Row) -> str:
    base = f" | {row.baseline}: {_format(row.baseline_value)}" if row.baseline_value else ""
    return f"{row.figure} [{row.data}]: {_format(row.value)}{base} {_ratio(row)}"


def table(rows: list[Row]) -> str:
    """Return the results as a Markdown table (it reads as well in a terminal)."""
    lines = [
        "| Figure | Data | Median / size | Min – max | Baseline | Baseline median / size "
        "| Baseline ÷ app | Note |",
        "|---|---|---:|---|---|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.figure} | {row.data} | {_format(row.value)} | {_spread(row.value)} "
            f"| {row.baseline} | {_format(row.baseline_value)} | {_ratio(row)} | {row.note} |"
        )
    return "\n".join(lines)


def machine() -> list[tuple[str, str]]:
    """Describe this machine: processors, memory, CPU, OS, Python, libraries, Chromium."""
    cpu = "unknown"
    memory = "unknown"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
        meminfo = Path("/proc/meminfo").read_text()
        total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
        memory = f"{int(total.group(1)) / 1024 / 1024:.1f} GiB" if total else memory
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    try:
        browser = subprocess.run(
            ["/usr/bin/chromium", "--version"],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        browser = "not installed"
    try:
        revision = subprocess.run(
            ["git", "-C", str(settings.ROOT), "describe", "--always", "--dirty"],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        revision = "unknown"
    return [
        ("Code", f"git {revision or 'unknown'} (the app and layers as they stood during the run)"),
        ("Processors (nproc)", str(usable)),
        ("Memory", memory),
        ("CPU", cpu),
        ("OS", platform.platform()),
        ("Python", sys.version.split()[0]),
        ("Libraries", ", ".join(versions)),
        ("Browser", browser or "unknown"),
    ]


def report(bench: Bench, command: str, real_size: int) -> str:
    """Return RESULTS.md: the machine, the command, the budgets and the table."""
    verdicts = judge(bench.rows, real_size)
    loads = ", ".join(f"{title} {load:.2f}" for title, load in bench.loads)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks.run` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Command: `{command}`",
        "",
        f"Each timing is the median of {bench.repeat} run(s) after {bench.warmup} warm-up "
        "run(s), with the min and max; sizes are bytes of UTF-8 HTML. Every baseline was "
        "measured in the same run, so the ratio holds on a noisy machine. "
        + ("**Quick mode: a smoke test, not a measurement.**" if bench.quick else ""),
        "",
        "## Machine",
        "",
        *[f"- {label}: {value}" for label, value in machine()],
        f"- 1-minute load average as each group of figures began (this benchmark alone keeps "
        f"it near 1; more means other work shared the {os.cpu_count()} processors): {loads}",
        "",
        "## Budgets (issue 6; reported, never asserted)",
        "",
        "| Budget | Measured | Verdict |",
        "|---|---|---|",
        *[f"| {text} | {measured} | {verdict} |" for text, measured, verdict in verdicts],
        "",
        "## Figures",
        "",
        table(bench.rows),
        "",
    ]
    if bench.notes:
        lines += ["## Notes", "", *[f"- {note}" for note in bench.notes], ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table and write the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", help="synthetic registry sizes (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, help="timed runs per figure (default 5)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1k, one run")
    parser.add_argument("--out", help=f"report path (default {RESULTS}; none in quick mode)")
    parser.add_argument("--boundaries", default=str(settings.BOUNDARIES_DIR))
    parser.add_argument("--work-dir", default=str(OUT_DIR), help="synthetic CSVs and pages")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    args = parser.parse_args(argv)
    default_sizes = "1000" if args.quick else "1000,10000,100000"
    sizes = [int(s) for s in (args.sizes or default_sizes).split(",") if s.strip()]
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 5)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.simplefilter("ignore", FutureWarning)
    bench = Bench(
        repeat=repeat,
        warmup=0 if args.quick else 1,
        quick=args.quick,
        boundaries_dir=Path(args.boundaries),
        work_dir=work_dir,
        browser=not args.no_browser,
    )
    started = time.perf_counter()
    datasets = load_datasets(bench, sizes)
    bench_load(bench, datasets)
    bench_join(bench, datasets)
    bench_filter(bench, datasets)
    bench_analysis(bench, datasets)
    bench_map(bench, datasets)
    bench_apptest(bench, datasets)
    if bench.browser:
        _browser_figures(bench, datasets)
    else:
        bench.note("Chromium figures skipped (--no-browser)")
    command = "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv)
    text = report(bench, command.strip(), datasets[0].size)
    print()
    print(table(bench.rows))
    print()
    for budget, measured, verdict in judge(bench.rows, datasets[0].size):
        print(f"{verdict:>12}  {budget}: {measured}")
    for note in bench.notes:
        print(f"note: {note}")
    out = Path(args.out) if args.out else (None if args.quick else RESULTS)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"\nwrote {out}")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


def _browser_figures(bench: Bench, datasets: list[Dataset]) -> None:
    try:
        with chromium() as browser:
            bench_draw(bench, browser, datasets)
            if bench.quick:
                bench.note(
                    "quick mode: the DivIcon marker sweep and the cold start of streamlit run "
                    "(about 10 s a run) were skipped"
                )
                return
            bench_marker_sweep(bench, browser, datasets)
            bench_cold_start(bench, browser, datasets)
    except RuntimeError as exc:
        bench.note(f"Chromium figures skipped: {exc}")


if __name__ == "__main__":
    sys.exit(main())
