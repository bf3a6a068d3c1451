"""Time and size what the app does, beside a naive baseline and today's design, in one run.

Command line::

    python -m benchmarks.run [--sizes 1000,10000,100000] [--repeat 5] [--quick] [--out PATH]
                             [--groups load,join,...] [--no-browser]

Every timing is the median of ``--repeat`` runs after one warm-up, with the min and max. The
data are the real registry and seeded synthetic registries of each size, plain and dressed
as real rows (see ``benchmarks.synthetic`` and ``benchmarks.realistic``). The table is printed
and written, with the machine's description, today's design beside now and the speed
budgets (met or not met; never asserted), to ``benchmarks/RESULTS.md``.

``--groups`` runs some groups only (a long run can be made in parts): load, join, filter,
analysis, map, apptest, postcodes, chromium, section6. ``--quick`` is the smoke test: the 1k
registry, one run, no cold start of Streamlit, no marker sweep and no design comparison; its
figures are not measurements and it writes RESULTS.md only when ``--out`` is given.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

import settings
from benchmarks import apptest, chromium, compute, issue12, map_html, registers
from benchmarks.budgets import judge
from benchmarks.harness import HarnessError
from benchmarks.harness import chromium as launch_chromium
from benchmarks.measure import Bench, Dataset, load_datasets
from benchmarks.report import report, section6, table

OUT_DIR: Path = settings.ROOT / "benchmarks" / "out"
RESULTS: Path = settings.ROOT / "benchmarks" / "RESULTS.md"
GROUPS: tuple[str, ...] = (
    "load",
    "join",
    "filter",
    "analysis",
    "map",
    "apptest",
    "postcodes",
    "chromium",
    "section6",
    "registers",
)


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
    parser.add_argument("--groups", help=f"comma-separated groups (default all: {GROUPS})")
    args = parser.parse_args(argv)
    default_sizes = "1000" if args.quick else "1000,10000,100000"
    sizes = [int(s) for s in (args.sizes or default_sizes).split(",") if s.strip()]
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 5)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    groups = [g.strip() for g in (args.groups or ",".join(GROUPS)).split(",") if g.strip()]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
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
    run_groups(bench, datasets, groups)
    command = "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv)
    print_summary(bench, datasets[0].size)
    out = Path(args.out) if args.out else (None if args.quick else RESULTS)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report(bench, command.strip(), datasets[0].size), encoding="utf-8")
        print(f"\nwrote {out}")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


def run_groups(bench: Bench, datasets: list[Dataset], groups: list[str]) -> None:
    """Run the chosen groups of figures, in the table's order."""
    realistic: list[tuple[str, int, Path]] = []
    if "load" in groups:
        realistic = compute.bench_load(bench, datasets)
    if "join" in groups:
        compute.bench_join(bench, datasets)
    if "filter" in groups:
        compute.bench_filter(bench, datasets)
    if "analysis" in groups:
        compute.bench_analysis(bench, datasets)
    if "map" in groups:
        map_html.bench_map(bench, datasets)
    if "apptest" in groups:
        apptest.bench_apptest(bench, datasets)
    if "postcodes" in groups:
        issue12.bench_postcodes(bench)
    if "registers" in groups:
        registers.bench_registers(bench)
    browser_groups = [g for g in ("chromium", "section6") if g in groups]
    if not browser_groups:
        return
    if bench.quick:
        bench.note(
            "quick mode: the DivIcon marker sweep, the cold start of streamlit run (about 10 s "
            "a run) and the issue 12 §6 comparison with today's design were skipped"
        )
    if not bench.browser:
        bench.note("Chromium figures skipped (--no-browser)")
        if "section6" in groups and not bench.quick:
            issue12.bench_section6(bench, datasets, realistic, None)
        return
    try:
        with launch_chromium() as browser:
            if "chromium" in groups:
                chromium.bench_draw(bench, browser, datasets)
                if not bench.quick:
                    chromium.bench_marker_sweep(bench, browser, datasets)
                    chromium.bench_cold_start(bench, browser, datasets)
            if "section6" in groups and not bench.quick:
                issue12.bench_section6(bench, datasets, realistic, browser)
    except HarnessError as exc:
        bench.note(f"Chromium figures skipped: {exc}")


def print_summary(bench: Bench, real_size: int) -> None:
    """Print the figures, the design comparison, the budgets' verdicts and the notes."""
    print()
    print(table(bench.rows))
    print()
    print("Issue 12 §6, today's design beside now:")
    print(section6(bench.rows))
    print()
    print("Budgets (reported, never asserted):")
    for budget, measured, verdict in judge(bench.rows, real_size, bench.loads):
        print(f"  {budget}: {measured} -> {verdict}")
    for note in bench.notes:
        print(f"note: {note}")


if __name__ == "__main__":
    sys.exit(main())
