"""The report: today's design beside now, the machine, the speed budgets (met or not; never
asserted) and the table of figures."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

from benchmarks.baseline import BASELINE_REV
from benchmarks.budgets import judge
from benchmarks.machine import machine
from benchmarks.measure import Bench, Row, Timing, central, format_value, ratio, seconds, spread


@dataclass(frozen=True)
class Measure:
    """One line of the design comparison: the measure, its budget, the figure first reported
    for today's design, and the row key."""

    text: str
    budget: str
    limit: float | None
    issue_today: str
    key: str


#: The design comparison, line by line (each measured on today's design and now, keys
#: ``key:design``).
SECTION6: tuple[Measure, ...] = (
    Measure(
        "first map visible after the page opens (first visit to a fresh server)",
        "≤ 3 s",
        3.0,
        "6–7 s",
        "s6-first-map-cold",
    ),
    Measure(
        "first map visible after the page opens (new session, warm server)",
        "≤ 3 s",
        3.0,
        "6–7 s",
        "s6-first-map-warm",
    ),
    Measure(
        "warm rerun, filter change, real registry: choose a capability",
        "≤ 150 ms",
        0.15,
        "384–446 ms",
        "s6-rerun-choose",
    ),
    Measure(
        "warm rerun, filter change, real registry: clear it",
        "≤ 150 ms",
        0.15,
        "384–446 ms",
        "s6-rerun-clear",
    ),
    Measure("load + validate + join, 100k sites (synthetic)", "≤ 2 s", 2.0, "4.6 s", "s6-load"),
    Measure(
        "load + validate + join, 100k sites (realistic rows, postcodes)",
        "≤ 2 s",
        2.0,
        "8.1 s",
        "s6-load-realistic",
    ),
    Measure("clusters, 100k sites", "≤ 1 s", 1.0, "3.7 s", "s6-clusters"),
    Measure("corridor, 100k sites", "≤ 2 s", 2.0, "10 s", "s6-corridor"),
    Measure(
        "bytes to the browser per filter change, real registry: choose a capability",
        "report",
        None,
        "about 400 KB",
        "s6-change-choose-bytes",
    ),
    Measure(
        "bytes to the browser per filter change, real registry: clear it",
        "report",
        None,
        "about 400 KB",
        "s6-change-clear-bytes",
    ),
    Measure(
        "bytes per site reaching the browser", "≤ 150 B", 150, "about 2,800 B", "s6-site-bytes"
    ),
)
TODAY = f"today ({BASELINE_REV})"


def section6(rows: list[Row]) -> str:
    """Return the design comparison as a Markdown table: budget, the figure first reported,
    today's design measured in this run, the working tree, and whether the working tree meets
    the budget."""
    by_key = {row.key: row for row in rows}
    lines = [
        f"| Measure | Data | Budget | Issue's today | Today's design ({BASELINE_REV}), this "
        "run | Now | Verdict (now) |",
        "|---|---|---|---|---:|---:|---|",
    ]
    for measure in SECTION6:
        today = by_key.get(f"{measure.key}:{TODAY}")
        now = by_key.get(f"{measure.key}:now")
        verdict = "not measured"
        if now is not None and now.value is not None:
            verdict = "report"
            if measure.limit is not None:
                verdict = "met" if central(now.value) <= measure.limit else "NOT MET"
        shown = now or today
        data = shown.data.rpartition(" · ")[0] if shown is not None else ""
        if "100k" in measure.text and data and "100k" not in data:
            verdict = "not judged (not 100k)"
        lines.append(
            f"| {measure.text} | {data} | {measure.budget} | {measure.issue_today} "
            f"| {_cell(today)} | {_cell(now)} | {verdict} |"
        )
    return "\n".join(lines)


def _cell(row: Row | None) -> str:
    """A §6 figure: a timing's median (and CPU median), or a size; blank when not measured."""
    if row is None or row.value is None:
        return "—"
    if isinstance(row.value, Timing) and row.value.cpu_median is not None:
        return f"{format_value(row.value)} (CPU {seconds(row.value.cpu_median)})"
    return format_value(row.value)


def table(rows: list[Row]) -> str:
    """Return the results as a Markdown table (it reads as well in a terminal)."""
    lines = [
        "| Figure | Data | Median / size | Min – max | Baseline | Baseline median / size "
        "| Baseline ÷ app | Note |",
        "|---|---|---:|---|---|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.figure} | {row.data} | {format_value(row.value)} | {spread(row.value)} "
            f"| {row.baseline} | {format_value(row.baseline_value)} | {ratio(row)} | {row.note} |"
        )
    return "\n".join(lines)


def report(bench: Bench, command: str, real_size: int) -> str:
    """Return RESULTS.md: the command, the design comparison, the machine, the budgets and the
    table."""
    verdicts = judge(bench.rows, real_size, bench.loads)
    loads = ", ".join(f"{title} {load:.2f}" for title, load in bench.loads)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks.run` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Command: `{command}`",
        "",
        f"Each timing is the median of {bench.repeat} run(s) after {bench.warmup} warm-up "
        "run(s), with the min and max and the median CPU time of the measuring process; "
        "sizes are bytes of UTF-8 HTML, or bytes received by the browser. Every baseline was "
        "measured in the same run, so the ratio holds on a noisy machine. "
        + ("**Quick mode: a smoke test, not a measurement.**" if bench.quick else ""),
        "",
        "## Issue 12 §6: today's design beside now (reported, never asserted)",
        "",
        f"Today's design is the code at `{BASELINE_REV}` (folium map, row-by-row validator), "
        "checked out with `git archive` and measured in this run by the same method as the "
        "working tree: timing jobs in fresh processes (`benchmarks/jobs.py`) and Chromium "
        "visits of each tree's app on its own `streamlit run` (`benchmarks/app_visits.py`). "
        "The issue's own figures (\"Issue's today\") are from its filing.",
        "",
        section6(bench.rows),
        "",
        "## Machine",
        "",
        *[f"- {label}: {value}" for label, value in machine()],
        f"- 1-minute load average as each group of figures began (this benchmark alone keeps "
        f"it near 1; more means other work shared the {os.cpu_count()} processors): {loads}",
        "",
        "## Budgets (issues 6 and 19 §5; reported, never asserted)",
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
