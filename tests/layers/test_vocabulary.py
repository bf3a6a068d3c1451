"""Capability counting has one home: one rule for ``;`` text and duplicates, for every caller."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import settings
from layers import audit, clusters, filters, summary, vocabulary
from tests.support.sources import python_files

ROOT = Path(settings.ROOT)

#: Every kind of cell a capabilities column may hold, one site each.
CELLS: list[object] = [
    ["combat_air", "space", "space"],  # listed twice: one site, counted once
    "combat_air; land_systems;combat_air",  # CSV text, with a repeat
    " space ;; ",  # spaces and an empty item
    ("istar",),
    np.array(["combat_air", "combat_air"]),
    ["cyber_digital;istar"],  # text inside a list is split too
    None,
    float("nan"),
    [],
    "",
    [None, 7, "space"],  # items that are not text are dropped
]
#: How many of those sites list each capability.
EXPECTED = Counter(combat_air=3, space=3, land_systems=1, istar=2, cyber_digital=1)


def sites_with(cells: list[object]) -> gpd.GeoDataFrame:
    """A small frame of sites in Birmingham with ``cells`` as their capabilities."""
    count = len(cells)
    return gpd.GeoDataFrame(
        {
            "site_id": [f"s{n}" for n in range(count)],
            "name": [f"Site {n}" for n in range(count)],
            "kind": ["supplier"] * count,
            "town": ["Birmingham"] * count,
            "lad_code": ["E08000025"] * count,
            "lad_name": ["Birmingham"] * count,
            "county_code": ["E11000005"] * count,
            "location_precision": ["exact"] * count,
            "status": ["active"] * count,
            "capabilities": pd.Series(cells, dtype=object),
        },
        geometry=[shapely.Point(-1.89 + n * 1e-4, 52.48) for n in range(count)],
        crs=settings.CRS_STORAGE,
    )


def test_the_count_is_the_number_of_sites_listing_each_capability():
    assert vocabulary.capability_counts(CELLS) == EXPECTED


def test_the_lists_and_the_count_follow_one_rule():
    lists = vocabulary.capability_lists(CELLS)
    assert lists[0] == ["combat_air", "space"]
    assert lists[1] == ["combat_air", "land_systems"]
    assert lists[4] == ["combat_air"]
    assert Counter(slug for listed in lists for slug in listed) == EXPECTED


def test_the_count_keeps_to_the_rule_on_a_shuffled_index():
    column = pd.Series(CELLS, dtype=object, index=np.arange(len(CELLS))[::-1] * 10)
    assert vocabulary.capability_counts(column) == EXPECTED
    assert vocabulary.capability_counts([]) == Counter()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on the one counting function: record how many sites each call counted."""
    calls: list[int] = []
    real = vocabulary.capability_counts

    def spy(values):
        values = list(values)
        calls.append(len(values))
        return real(values)

    monkeypatch.setattr(vocabulary, "capability_counts", spy)
    return calls


def test_the_filters_facets_count_through_the_one_function(counted: list[int]):
    counts = filters.capability_counts(sites_with(CELLS))
    assert counted == [len(CELLS)]
    assert {slug: n for slug, n in counts.items() if n} == dict(EXPECTED)
    assert set(vocabulary.CAPABILITIES) <= set(counts), "every slug is offered, zeros included"


def test_the_map_in_words_counts_through_the_one_function(counted: list[int]):
    text = summary.describe_view(sites_with(CELLS), sites_with(CELLS))
    assert counted, "the capability sentence counts through vocabulary.capability_counts"
    top = vocabulary.capability_label("combat_air")
    assert top.lower() in text.lower() or top in text


def test_a_clusters_description_counts_through_the_one_function(counted: list[int]):
    found = clusters.find_clusters(sites_with(CELLS), radius_km=1.0, min_sites=3)
    assert len(found) == 1
    assert counted == [len(CELLS)]


def test_the_audit_counts_through_the_one_function(counted: list[int]):
    audit.Audit(table=pd.DataFrame(), sites=sites_with(CELLS)).coverage_lines()
    assert counted == [len(CELLS)]


#: Counts of something else than "sites listing each capability", named and justified (none
#: now: the markers' colours are counted by the shared legend script, legend.js).
OTHER_MEASURES: set[tuple[str, str]] = set()


def _functions(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _counts_capabilities_itself(function: ast.AST) -> bool:
    """Say whether a function reads the capabilities column and tallies it by hand."""
    reads = any(
        isinstance(n, ast.Constant) and n.value == "capabilities" for n in ast.walk(function)
    )
    tallies = any(
        (
            isinstance(n, ast.Call)
            and getattr(n.func, "id", getattr(n.func, "attr", ""))
            in {"Counter", "value_counts", "explode", "crosstab"}
        )
        or (
            isinstance(n, ast.AugAssign)
            and isinstance(n.op, ast.Add)
            and isinstance(n.target, ast.Subscript)
        )
        or (
            isinstance(n, ast.BinOp)
            and isinstance(n.op, ast.Add)
            and isinstance(n.left, ast.Call)
            and getattr(n.left.func, "attr", "") == "get"
        )
        for n in ast.walk(function)
    )
    delegates = any(
        isinstance(n, ast.Attribute | ast.Name)
        and getattr(n, "attr", getattr(n, "id", "")) in {"capability_counts", "site_capabilities"}
        for n in ast.walk(function)
    )
    return reads and tallies and not delegates


@pytest.mark.parametrize(
    "path",
    [p for p in python_files("layers", "mapping", "ui") if p != ROOT / "layers" / "vocabulary.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_counts_capabilities_by_a_rule_of_its_own(path: Path):
    where = str(path.relative_to(ROOT))
    own = [
        f.name
        for f in _functions(path)
        if _counts_capabilities_itself(f) and (where, f.name) not in OTHER_MEASURES
    ]
    assert not own, f"{where}: {own} count capabilities by hand; use vocabulary.capability_counts"


def test_the_areas_table_counts_each_site_once_under_each_capability():
    from layers import areas

    sites = sites_with(CELLS).assign(lad_code="E08000025", lad_name="Birmingham")
    table = areas.capability_table(sites, level="lad")
    row = table.iloc[0]
    for slug, count in EXPECTED.items():
        assert row[vocabulary.capability_label(slug)] == count
    assert row["Sites"] == len(CELLS)
