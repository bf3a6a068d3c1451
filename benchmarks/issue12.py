"""The design comparison: every figure of the speed table, today's design beside the working
tree.

Today's design is the code at :data:`benchmarks.baseline.BASELINE_REV`, checked out and run in
the same benchmark run by the same method as the working tree: timing jobs in fresh processes
(load, clusters, corridor, warm reruns) and Chromium visits of each tree's app (first map,
bytes). The postcode index's figures (load, 10,000 lookups) are measured here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError

import settings
from benchmarks import baseline
from benchmarks import postcodes as postcode_bench
from benchmarks.app_visits import Visit, visit_app
from benchmarks.harness import HarnessError
from benchmarks.measure import Bench, Dataset, Row, Timing, realistic_registry, short
from layers import postcodes

#: Registry sizes for the "bytes per site" difference: the real registry and this many sites.
SITE_BYTES_SIZE = 1000


def bench_postcodes(bench: Bench) -> None:
    """The postcode index: a cold load, and a lookup of 10,000 postcodes."""
    bench.section("postcode index")
    try:
        index = postcodes.load_index()
    except postcodes.PostcodeIndexMissingError as exc:
        bench.note(f"postcode figures skipped: {exc}")
        return
    data = f"{index.describe()} ({len(index):,} postcodes)"
    load = Timing(postcode_bench.index_load_runs(None, bench.repeat))
    bench.add(Row("pc-load", "postcode index: cold load", data, load))
    lookup = Timing(postcode_bench.lookup_runs(None, bench.repeat))
    bench.add(
        Row(
            "pc-lookup",
            f"postcode lookup of {postcode_bench.LOOKUP_SIZE:,} values",
            data,
            lookup,
            note="90% present, 5% absent, 5% malformed",
        )
    )


def bench_section6(
    bench: Bench,
    datasets: list[Dataset],
    realistic: list[tuple[str, int, Path]],
    browser: Any | None,
) -> None:
    """Measure each figure of the speed table on today's design and on the working tree."""
    bench.section(f"issue 12 §6: today's design ({baseline.BASELINE_REV}) and now")
    designs = {
        f"today ({baseline.BASELINE_REV})": baseline.tree(work_dir=bench.work_dir),
        "now": settings.ROOT,
    }
    largest = max(datasets[1:], key=lambda d: d.size)
    jobs: list[tuple[str, str, str, Path]] = [
        ("s6-load", "load + validate + join (CSV)", "load", largest.path),
        ("s6-clusters", "clusters (find_clusters)", "clusters", largest.path),
        ("s6-corridor", "corridor (build_corridor, straight)", "corridor", largest.path),
    ]
    runnable = dict(designs)  # the designs whose app runs on the real registry, to visit
    sized = [path for _, size, path in realistic if size == largest.size]
    path = sized[0] if sized else realistic_registry(bench, largest.size)
    jobs.insert(1, ("s6-load-realistic", "load + validate + join (CSV)", "load", path))
    for design, code in designs.items():
        for key, figure, job, path in jobs:
            data = f"{_data_label(path, largest)} · {design}"
            try:
                result = _job(bench, code, job, path)
            except baseline.JobError as exc:
                bench.note(str(exc))
                continue
            bench.add(
                Row(f"{key}:{design}", figure, data, _timing(result), note=result.get("note", ""))
            )
        if not _reruns(bench, design, code, datasets[0]):
            runnable.pop(design)
    if browser is None:
        bench.note("issue 12 §6 browser figures skipped (no Chromium)")
        return
    one_k = next((d for d in datasets if d.size == SITE_BYTES_SIZE), None)
    for design, code in runnable.items():
        _visits(bench, browser, design, code, datasets[0], one_k)


def _data_label(path: Path, largest: Dataset) -> str:
    kind = "realistic" if path.name.startswith("realistic") else "synthetic"
    return f"{kind} {short(largest.size)}"


def _job(bench: Bench, code: Path, job: str, path: Path) -> dict[str, Any]:
    return baseline.run_job(
        code,
        job,
        path,
        boundaries_dir=bench.boundaries_dir,
        repeat=bench.repeat,
        warmup=bench.warmup,
    )


def _timing(result: dict[str, Any]) -> Timing:
    return Timing(list(result["runs"]), cpu=list(result["cpu"]))


def _reruns(bench: Bench, design: str, code: Path, real: Dataset) -> bool:
    """Time the design's warm reruns; return whether its app ran on the real registry."""
    try:
        result = _job(bench, code, "rerun", real.path)
    except baseline.JobError as exc:
        bench.note(str(exc))
        return False
    if not result.get("ran", True):
        said = "; ".join(result["problems"]) or "no error shown"
        bench.note(
            f"{design}: the app stopped before its filters on {real.label} ({said}); its "
            "reruns and browser visits are not measured"
        )
        return False
    trouble = f"app raised: {result['problems'][0]}" if result["problems"] else ""
    for direction, label in (("choose", "choose a capability"), ("clear", "clear it")):
        bench.add(
            Row(
                f"s6-rerun-{direction}:{design}",
                f"warm rerun after a filter change: {label} (AppTest)",
                f"{real.label} · {design}",
                _timing(result[direction]),
                note=trouble,
            )
        )
    return True


def _visits(
    bench: Bench, browser: Any, design: str, code: Path, real: Dataset, one_k: Dataset | None
) -> None:
    visits: dict[int, Visit] = {}
    for data in (real, one_k):
        if data is None:
            continue
        try:
            visits[data.size] = visit_app(
                browser,
                code,
                sites_csv=data.path,
                boundaries_dir=bench.boundaries_dir,
                repeat=bench.repeat,
            )
        except (*HarnessError, PlaywrightError, TimeoutError, RuntimeError) as exc:
            bench.note(f"Chromium visit of {design} on {data.label} failed: {exc}")
    found = visits.get(real.size)
    if found is None:
        return
    where = f"{real.label} · {design}"
    bench.add(
        Row(
            f"s6-first-map-cold:{design}",
            "first map visible after the page opens (first visit, fresh server)",
            where,
            Timing([found.first_map_cold_s]),
        )
    )
    bench.add(
        Row(
            f"s6-first-map-warm:{design}",
            "first map visible after the page opens (new session, warm server)",
            where,
            Timing(found.first_map_warm_s),
        )
    )
    for key, label, value in (
        ("choose", "choose Combat air", found.change_bytes[0]),
        ("clear", "clear it", found.change_bytes[1]),
    ):
        bench.add(
            Row(
                f"s6-change-{key}-bytes:{design}", f"bytes per filter change: {label}", where, value
            )
        )
    bench.add(
        Row(
            f"s6-first-load-bytes:{design}",
            "bytes on opening the app",
            where,
            found.first_load_bytes,
        )
    )
    large = visits.get(SITE_BYTES_SIZE)
    if large is not None and one_k is not None:
        extra = one_k.size - real.size
        per_site = round((large.first_load_bytes - found.first_load_bytes) / extra)
        bench.add(
            Row(
                f"s6-site-bytes:{design}",
                "bytes per site reaching the browser (opening the app)",
                f"{one_k.label} minus {real.label} · {design}",
                per_site,
                note=f"({large.first_load_bytes:,} - {found.first_load_bytes:,}) B / "
                f"{extra:,} sites",
            )
        )
