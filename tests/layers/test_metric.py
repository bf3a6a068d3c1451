"""One cached transformer per pair of CRSs, built in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import settings
from layers import _metric
from tests.support.sources import python_files

ROOT = Path(settings.ROOT)


def test_one_transformer_per_pair_however_the_crs_is_named():
    first = _metric.transformer(settings.CRS_STORAGE, settings.CRS_METRIC)
    assert _metric.transformer() is first
    assert _metric.transformer(4326, 27700) is first
    assert _metric.transformer("epsg:4326", "EPSG:27700") is first
    assert _metric.transformer(settings.CRS_METRIC, settings.CRS_STORAGE) is not first


def test_the_transformer_takes_lon_lat_and_gives_national_grid_metres():
    # the grid's true origin, 49 N 2 W, is E 400 km, N -100 km (within the datum shift)
    x, y = _metric.transformer().transform(-2.0, 49.0)
    assert x == pytest.approx(400_000, abs=200)
    assert y == pytest.approx(-100_000, abs=200)
    lon, lat = _metric.transformer(settings.CRS_METRIC, settings.CRS_STORAGE).transform(x, y)
    assert (lon, lat) == pytest.approx((-2.0, 49.0), abs=1e-8)


def _builds_a_transformer(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"from_crs", "from_proj", "from_pipeline"}
            and getattr(node.func.value, "id", getattr(node.func.value, "attr", ""))
            == "Transformer"
        ):
            lines.append(node.lineno)
    return lines


def test_only_layers_metric_builds_a_transformer():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in python_files("layers", "mapping", "ui", "benchmarks")
        if (lines := _builds_a_transformer(path))
    }
    assert found == {"layers/_metric.py": found.get("layers/_metric.py", [])}
    assert found["layers/_metric.py"], "the one transformer is built in layers/_metric.py"
