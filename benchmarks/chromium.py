"""Figures only a browser gives (headless Debian Chromium through Playwright): the map drawn,
a zoom step, where one DivIcon marker per site stops being comfortable, and the first map from
a cold ``streamlit run``."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import geopandas as gpd

from benchmarks.harness import MAP_DRAWN_JS, HarnessError, Server, app_server, offline_page
from benchmarks.map_html import plain_marker_limit, render
from benchmarks.measure import Bench, Dataset, Row, Timing, seconds
from mapping import assets, build_map, largedata

#: Sizes at which one DivIcon marker per site is compared with fast mode in Chromium.
MARKER_SWEEP: tuple[int, ...] = (250, 500, 1000, 1500, 2000, 4000)
#: "Comfortable" in Chromium: first draw and a zoom step within these (s).
COMFORT_DRAW_S: float = 1.0
COMFORT_ZOOM_S: float = 0.1

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


def _draw(browser: Any, page_path: Path) -> dict[str, float]:
    page = offline_page(browser)
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
    path.write_text(assets.inline_html(render(sites, bench.boundaries_dir, plain=plain)))
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
    limit = plain_marker_limit(bench)
    for data in datasets:
        app_page = _page_file(bench, data.sites, f"app-{data.size}", plain=False)
        drawn, zoom, points = _draw_timings(bench, browser, app_page)
        plain_drawn: Timing | None = None
        plain_zoom: Timing | None = None
        note = ""
        if data.size <= limit:
            plain_page = _page_file(bench, data.sites, f"plain-{data.size}", plain=True)
            plain_drawn, plain_zoom, _ = _draw_timings(bench, browser, plain_page)
        else:
            note = f"baseline not run above {limit:,} sites; "
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


def bench_cold_start(bench: Bench, browser: Any, datasets: list[Dataset]) -> None:
    """Chromium: time to the first map from a cold ``streamlit run``."""
    bench.section("Chromium: cold start of streamlit run")
    for data in datasets:
        ready: list[float] = []
        killed: list[Server] = []

        def cold_start(
            data: Dataset = data, ready: list[float] = ready, killed: list[Server] = killed
        ) -> float:
            start = time.perf_counter()
            with app_server(
                sites_csv=data.path, boundaries_dir=bench.boundaries_dir, log_name="bench"
            ) as server:
                ready.append(server.started_s)
                page = offline_page(browser)
                try:
                    page.goto(server.url)
                    page.wait_for_function(MAP_DRAWN_JS, timeout=600_000, polling=50)
                    page.evaluate(
                        "() => new Promise(done => requestAnimationFrame("
                        "() => requestAnimationFrame(done)))"
                    )
                    return time.perf_counter() - start
                finally:
                    page.close()
                    killed.append(server)

        try:
            timing = bench.measure(cold_start)
        except HarnessError as exc:
            bench.note(f"cold start on {data.label} failed: {exc}")
            continue
        if any(server.killed for server in killed):
            bench.note(
                f"a streamlit server on {data.label} did not stop within 30 s of SIGTERM "
                "(a script run was still going) and was killed"
            )
        healthy_after = statistics.median(ready[-len(timing.runs) :])
        bench.add(
            Row(
                f"cold-start:{data.size}",
                "Chromium: first map from a cold streamlit run",
                data.label,
                timing,
                note="process start to map painted (server healthy after "
                f"{seconds(healthy_after)}); Chromium already running",
            )
        )
