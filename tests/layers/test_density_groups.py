"""The grid of cells groups points exactly as the full "within the radius" graph does."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from layers import _density_groups
from layers._density_groups import density_labels, grid_components


def graph_groups(points: np.ndarray, radius: float) -> np.ndarray:
    """The reference: components of every pair of points at most ``radius`` apart."""
    pairs = cKDTree(points).query_pairs(radius, output_type="ndarray")
    size = len(points)
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(size, size))
    return connected_components(graph, directed=False)[1]


def same_groups(a: np.ndarray, b: np.ndarray) -> bool:
    """Say whether two labellings split the points into the same groups."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("seed", range(12))
def test_random_clouds_group_as_the_full_graph(seed: int):
    rng = np.random.default_rng(seed)
    spread = rng.uniform(2_000, 30_000)
    points = rng.normal(0, spread, size=(int(rng.integers(500, 4000)), 2))
    points = np.unique(np.round(points, int(rng.integers(-2, 2))), axis=0)
    radius = float(rng.uniform(200, 3000))
    found = grid_components(points, radius, always=True)
    assert found is not None
    reference = graph_groups(points, radius)
    assert same_groups(found, reference)
    assert 1 < len(set(reference.tolist())) < len(points), "the cloud has several groups"


@pytest.mark.parametrize(
    ("radius", "groups"),
    [(500.0, 1), (499.999, 3600), (707.1067811865476, 1), (np.nextafter(500.0, 0), 3600)],
)
def test_a_lattice_at_exactly_the_radius_is_one_group(radius: float, groups: int):
    xs, ys = np.meshgrid(np.arange(60) * 500.0, np.arange(60) * 500.0)
    points = np.column_stack([xs.ravel(), ys.ravel()])
    found = grid_components(points, radius, always=True)
    assert found is not None
    assert len(set(found.tolist())) == groups


def test_sparse_points_are_left_to_the_triangulation():
    points = np.column_stack([np.arange(3000) * 10_000.0, np.zeros(3000)])
    assert grid_components(points, 100.0) is None


def test_dense_labels_are_the_same_with_and_without_the_grid(monkeypatch: pytest.MonkeyPatch):
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 200_000, size=(12, 2))
    points = np.concatenate([c + rng.normal(0, 4000, size=(2000, 2)) for c in centres])
    points = np.concatenate([points, rng.uniform(0, 200_000, size=(200, 2))])
    assert grid_components(points, 5000.0) is not None, "dense enough for the grid"
    with_grid = density_labels(points, 5000.0, 3)
    monkeypatch.setattr(_density_groups, "grid_components", lambda *a, **k: None)
    without = density_labels(points, 5000.0, 3)
    assert (with_grid == without).all()
    assert len(set(with_grid.tolist()) - {-1}) > 1
