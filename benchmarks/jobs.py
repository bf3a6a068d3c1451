"""Timing jobs that run in a fresh process, on this tree's code or on another's.

:mod:`benchmarks.baseline` runs this file from inside a tree (today's design, checked out from
git, or the working tree), with that tree first on the import path, so ``layers`` and ``app``
are the tree's own. It therefore imports nothing from ``benchmarks``. Each job prints one JSON
object: wall-clock and CPU seconds of each timed run after the warm-up runs.

Jobs::

    load CSV        load + validate + join (layers.sites.load_sites)
    clusters CSV    find_clusters on the loaded registry
    corridor CSV    build_corridor (straight) on the loaded registry
    rerun CSV       warm AppTest reruns of app.py after a filter change (choose, then clear)
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The capability chosen and cleared in the rerun job, and the filter's widget key.
CAPABILITY = "combat_air"
CAPABILITIES_KEY = "f_caps"


def timed(action: Callable[[], object], *, repeat: int, warmup: int) -> dict[str, Any]:
    """Run ``action`` ``warmup`` times, then time it ``repeat`` times (wall and CPU)."""
    for _ in range(warmup):
        gc.collect()
        action()
    runs, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        cpu.append(time.process_time() - start_cpu)
        runs.append(time.perf_counter() - start)
    return {"runs": runs, "cpu": cpu}


def _sites(args: argparse.Namespace) -> Any:
    from layers.sites import load_sites

    return load_sites(args.csv, boundaries_dir=args.boundaries)


def job_load(args: argparse.Namespace) -> dict[str, Any]:
    from layers.sites import load_sites

    def action() -> object:
        return load_sites(args.csv, boundaries_dir=args.boundaries)

    return timed(action, repeat=args.repeat, warmup=args.warmup)


def job_clusters(args: argparse.Namespace) -> dict[str, Any]:
    from layers.clusters import find_clusters

    sites = _sites(args)
    result = timed(lambda: find_clusters(sites), repeat=args.repeat, warmup=args.warmup)
    return {**result, "note": f"{len(find_clusters(sites))} cluster(s)"}


def job_corridor(args: argparse.Namespace) -> dict[str, Any]:
    from layers.corridor import build_corridor

    sites = _sites(args)
    result = timed(lambda: build_corridor(sites), repeat=args.repeat, warmup=args.warmup)
    hubs = int(build_corridor(sites)["hub_count"].iloc[0])
    return {**result, "note": f"{hubs} hub(s)"}


def job_rerun(args: argparse.Namespace) -> dict[str, Any]:
    """Warm reruns after choosing a capability and after clearing it, and the first run."""
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # AppTest runs without a server; its warnings say only that
    app_path = str(Path.cwd() / "app.py")
    start = time.perf_counter()
    app = AppTest.from_file(app_path, default_timeout=900)
    app.run()
    first = time.perf_counter() - start
    problems = [str(e.value)[:200] for e in app.exception]
    if not [chooser for chooser in app.multiselect if chooser.key == CAPABILITIES_KEY]:
        # the app stopped before its filters (an older tree that cannot read this registry)
        shown = [str(e.value)[:200] for e in app.error]
        return {"first_run": first, "problems": (problems + shown)[:3], "ran": False}
    runs: dict[str, list[float]] = {"choose": [], "clear": []}
    cpu: dict[str, list[float]] = {"choose": [], "clear": []}
    for _ in range(args.warmup + args.repeat):
        for direction, value in (("choose", [CAPABILITY]), ("clear", [])):
            chooser = app.multiselect(key=CAPABILITIES_KEY).set_value(value)
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            chooser.run()
            cpu[direction].append(time.process_time() - start_cpu)
            runs[direction].append(time.perf_counter() - start)
            problems += [str(e.value)[:200] for e in app.exception]
    return {
        direction: {"runs": runs[direction][args.warmup :], "cpu": cpu[direction][args.warmup :]}
        for direction in runs
    } | {"first_run": first, "problems": problems[:3], "ran": True}


JOBS = {"load": job_load, "clusters": job_clusters, "corridor": job_corridor, "rerun": job_rerun}


def main(argv: list[str] | None = None) -> int:
    """Run one job and print its JSON."""
    parser = argparse.ArgumentParser(prog="benchmarks/jobs.py", description=__doc__)
    parser.add_argument("job", choices=sorted(JOBS))
    parser.add_argument("csv")
    parser.add_argument("--boundaries", default=os.environ.get("MIDLANDS_BOUNDARIES_DIR"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the figures are the output; warnings would drown them
    warnings.simplefilter("ignore")
    result = JOBS[args.job](args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
