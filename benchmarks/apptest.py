"""Warm reruns of the app after a filter change, in Streamlit's AppTest (no browser).

Each direction of a change (choosing a capability, then clearing it) is summarised on its own,
beside the first run with empty caches.
"""

from __future__ import annotations

import gc
import time

import settings
from benchmarks.measure import Bench, Dataset, Row, Timing

APP = settings.ROOT / "app.py"


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
