"""The registry's cross checks one by one, and the whole load, on one registry file.

``make bench`` times the load as a whole (group ``load``). This command splits the
validation into its checks, so a change to one of them can be measured on its own::

    python -m benchmarks.validate_checks PATH [--repeat 3]

``PATH`` is a registry CSV, for example one written by
``python -m benchmarks.synthetic 100000 PATH --realistic``. Each figure is the median of
``--repeat`` runs after one warm-up: wall clock and this process's CPU time (the machine is
shared: the CPU time shows the work itself), printed with the load average.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

import settings
from layers import location_checks, postcodes, registry_checks, vocabulary
from layers.sites import load_sites, validate_sites


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Return the median wall clock and CPU time (s) of ``action`` after one warm-up."""
    action()
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        cpus.append(time.process_time() - start_cpu)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls), statistics.median(cpus)


def checks(valid: pd.DataFrame, today: date) -> dict[str, Callable[[], object]]:
    """Return each cross check of :func:`layers.sites.validate_sites`, ready to run."""
    schema = vocabulary.schema()
    rules = registry_checks.SourceRules.from_schema(schema)
    located = location_checks.LocationRules.from_schema(schema)
    index = postcodes.load_index()
    distances = registry_checks.postcode_distances(
        valid, lambda codes: postcodes.lookup(codes, index=index)
    )
    return {
        "source_problems": partial(registry_checks.source_problems, valid, rules),
        "shared_point_problems": partial(registry_checks.shared_point_problems, valid),
        "timeline_problems": partial(registry_checks.timeline_problems, valid, today=today),
        "status_problems": partial(
            location_checks.status_problems,
            valid,
            today=today,
            stale_after_days=located.stale_after_days,
        ),
        "note_problems": partial(location_checks.note_problems, valid, located),
        "capability_source_problems": partial(location_checks.capability_source_problems, valid),
        "stale_warnings": partial(registry_checks.stale_warnings, valid, rules, today=today),
        "postcode_distances": partial(
            registry_checks.postcode_distances,
            valid,
            lambda codes: postcodes.lookup(codes, index=index),
        ),
        "postcode_problems": partial(registry_checks.postcode_problems, valid, distances, rules),
        "location_check_problems": partial(
            location_checks.location_check_problems,
            valid,
            distances,
            located,
            registry_checks.domain,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the load's figures and each check's, wall clock and CPU."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a registry CSV")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{args.path} (load average {os.getloadavg()[0]:.2f})")
    boundaries = settings.BOUNDARIES_DIR
    wall, cpu = timed(partial(load_sites, args.path, boundaries_dir=boundaries), args.repeat)
    print(f"  load + validate + join   {wall:7.3f} s wall  {cpu:7.3f} s CPU")
    wall, cpu = timed(partial(validate_sites, args.path, boundaries_dir=boundaries), args.repeat)
    print(f"  validate_sites           {wall:7.3f} s wall  {cpu:7.3f} s CPU")
    valid, problems = validate_sites(args.path, boundaries_dir=boundaries)
    if problems:
        print(f"  note: {len(problems)} problems; checks run on the {len(valid)} valid rows")
    total = 0.0
    for name, action in checks(valid, date.today()).items():
        wall, cpu = timed(action, args.repeat)
        total += cpu
        print(f"  {name:<24} {wall:7.3f} s wall  {cpu:7.3f} s CPU")
    print(f"  cross checks, CPU total  {total:7.3f} s (load average {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
