"""Every budget is judged: met, not met with its reason, or not measured with how to measure it."""

from __future__ import annotations

from benchmarks.budgets import budgets, judge
from benchmarks.measure import Row, Timing

ISSUE19 = {
    "s6-first-map-warm:now",
    "s6-site-bytes:now",
    "load:realistic-100000",
    "clusters:100000",
    "corridor:100000",
}


def verdicts(rows: list[Row], loads=None) -> dict[str, tuple[str, str]]:
    keys = [b.key for b in budgets(102)]
    return {
        key: (measured, verdict)
        for key, (_, measured, verdict) in zip(keys, judge(rows, 102, loads), strict=True)
    }


def test_issue_19_budgets_are_all_judged():
    assert ISSUE19 <= {b.key for b in budgets(102)}
    found = verdicts([])
    for key in ISSUE19:
        assert found[key][1].startswith("not measured: run --groups ")


def test_a_budget_met_and_one_not_met_by_cpu_alone():
    rows = [
        Row("clusters:100000", "clusters", "synthetic 100k", Timing([0.8], cpu=[0.8])),
        Row("corridor:100000", "corridor", "synthetic 100k", Timing([3.5], cpu=[1.7])),
        Row("load:realistic-100000", "load", "realistic 100k", Timing([2.6], cpu=[2.5])),
    ]
    loads = [("load + validate + join", 1.2), ("clusters and corridor", 6.0)]
    found = verdicts(rows, loads)
    assert found["clusters:100000"][1] == "met"
    corridor = found["corridor:100000"][1]
    assert corridor.startswith("not met: the CPU time (1.70 s) meets it")
    assert "load average 6.0" in corridor
    load = found["load:realistic-100000"][1]
    assert load.startswith("not met: ") and "CPU time" not in load and "cross checks" in load


def test_bytes_per_site_is_judged_on_its_limit():
    found = verdicts([Row("s6-site-bytes:now", "bytes per site", "1k minus real", 432)])
    assert found["s6-site-bytes:now"][1].startswith("not met: ")
    found = verdicts([Row("s6-site-bytes:now", "bytes per site", "1k minus real", 140)])
    assert found["s6-site-bytes:now"][1] == "met"
