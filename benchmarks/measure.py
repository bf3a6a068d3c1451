"""What a benchmark run measures and how: timings, rows of the results table, the datasets.

Every timing is the median of ``repeat`` runs after ``warmup`` runs, with the min and max of the
wall clock and the median CPU time of this process (on a shared machine the CPU time shows
how much of the wall clock was the work itself).
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

import settings
from benchmarks import synthetic
from layers.sites import load_sites

#: A figure whose warm-up takes longer than this (s) is reported from that single run.
SLOW_S: float = 120.0


@dataclass
class Timing:
    """Repeated measurements of one figure (seconds): wall clock, and CPU time when known."""

    runs: list[float]
    note: str = ""
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def low(self) -> float:
        return min(self.runs)

    @property
    def high(self) -> float:
        return max(self.runs)

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None


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
        print(f"  {row_line(row)}", file=sys.stderr, flush=True)

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
        """Time ``action`` (wall clock and this process's CPU) after a warm-up."""
        cpu: list[float] = []

        def sample() -> float:
            start, start_cpu = time.perf_counter(), time.process_time()
            action()
            cpu.append(time.process_time() - start_cpu)
            return time.perf_counter() - start

        timing = self.measure(sample)
        timing.cpu = cpu[-len(timing.runs) :]
        return timing


def load_datasets(bench: Bench, sizes: list[int]) -> list[Dataset]:
    """Load the real registry and write and load a synthetic registry of each size."""
    real = load_sites(settings.SITES_CSV, boundaries_dir=bench.boundaries_dir)
    datasets = [Dataset(f"real registry ({len(real)})", len(real), settings.SITES_CSV, real)]
    for size in sizes:
        started = time.perf_counter()
        sites = synthetic.synthetic_sites(size, seed=0, boundaries_dir=bench.boundaries_dir)
        path = synthetic.write_registry(sites, bench.work_dir / f"synthetic-{size}.csv")
        _say_written(f"synthetic {size:,}", path, started)
        datasets.append(Dataset(f"synthetic {short(size)}", size, path, sites))
    return datasets


def realistic_registry(bench: Bench, size: int) -> Path:
    """Write (once per run) a synthetic registry of ``size`` rows dressed as real ones."""
    path = bench.work_dir / f"realistic-{size}.csv"
    started = time.perf_counter()
    sites = synthetic.synthetic_sites(
        size, seed=0, boundaries_dir=bench.boundaries_dir, realistic=True
    )
    synthetic.write_registry(sites, path)
    _say_written(f"realistic {size:,}", path, started)
    return path


def _say_written(what: str, path: Path, started: float) -> None:
    print(
        f"{what}: written in {time.perf_counter() - started:.1f} s "
        f"({path.stat().st_size / 1e6:.1f} MB)",
        file=sys.stderr,
        flush=True,
    )


def short(size: int) -> str:
    """Return ``1k`` for 1000, ``100k`` for 100000, else the number with separators."""
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else f"{size:,}"


# --------------------------------------------------------------------------------------------
# How figures read


def central(value: Value) -> float:
    """Return the figure's central value: a timing's median, or a size."""
    return value.median if isinstance(value, Timing) else float(value)


def format_value(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Timing):
        return seconds(value.median)
    return size_text(value)


def seconds(value: float) -> str:
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def size_text(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1e6:.2f} MB"
    if value >= 1000:
        return f"{value / 1000:.1f} KB"
    return f"{value} B"


def spread(value: Value | None) -> str:
    """Return a timing's min – max and run count (and CPU median when measured)."""
    if not isinstance(value, Timing):
        return ""
    text = f"{seconds(value.low)} – {seconds(value.high)} (n={len(value.runs)})"
    if value.cpu_median is not None:
        text += f", CPU {seconds(value.cpu_median)}"
    return text + (f", {value.note}" if value.note else "")


def ratio(row: Row) -> str:
    if row.value is None or row.baseline_value is None:
        return ""
    value, baseline = central(row.value), central(row.baseline_value)
    if value <= 0:
        return ""
    return f"{baseline / value:.1f}x"


def row_line(row: Row) -> str:
    base = f" | {row.baseline}: {format_value(row.baseline_value)}" if row.baseline_value else ""
    return f"{row.figure} [{row.data}]: {format_value(row.value)}{base} {ratio(row)}"
