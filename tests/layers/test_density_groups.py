"""The grid of cells groups points exactly as the full "within the radius" graph does.

The density groups give scikit-learn DBSCAN's labels, on inputs where the shortcuts could slip.

scikit-learn's own DBSCAN is the oracle here: the labels must be equal, number for number, in
the same input order (noise, border points that two groups reach, duplicates, points on a line,
points on a lattice, where many distances tie).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from sklearn.cluster import DBSCAN

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


def _dbscan(xy: np.ndarray, radius: float, min_sites: int) -> np.ndarray:
    return DBSCAN(eps=radius, min_samples=min_sites).fit_predict(xy)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_sites", [1, 2, 3, 5])
def test_random_towns_and_scatter_match_dbscan(seed: int, min_sites: int) -> None:
    rng = np.random.default_rng(seed)
    towns = rng.uniform(0, 100_000, size=(6, 2))
    near = towns[rng.integers(0, 6, 300)] + rng.normal(0, 3_000, size=(300, 2))
    scatter = rng.uniform(0, 100_000, size=(100, 2))
    xy = np.concatenate([near, scatter])
    assert np.array_equal(density_labels(xy, 8_000, min_sites), _dbscan(xy, 8_000, min_sites))


def test_the_triangulation_path_matches_dbscan(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pair listing switched off, the Delaunay edges alone give the same groups."""
    monkeypatch.setattr(_density_groups, "_PAIRS_BELOW", 0)
    rng = np.random.default_rng(7)
    xy = np.concatenate(
        [rng.normal(0, 5_000, size=(800, 2)), rng.uniform(-60_000, 60_000, size=(400, 2))]
    )
    for min_sites in (2, 3, 4):
        assert np.array_equal(density_labels(xy, 4_000, min_sites), _dbscan(xy, 4_000, min_sites))


def test_a_lattice_of_ties_and_duplicates_match_dbscan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A square lattice (every square's four corners on one circle) with repeated points."""
    monkeypatch.setattr(_density_groups, "_PAIRS_BELOW", 0)
    grid = np.array([(x, y) for x in range(0, 30) for y in range(0, 30)], dtype=float) * 1_000
    grid = grid[(grid[:, 0] != 15_000)]  # a gap of 2 km splits the lattice in two
    xy = np.concatenate([grid, grid[::7]])
    labels = density_labels(xy, 1_000, 3)
    assert np.array_equal(labels, _dbscan(xy, 1_000, 3))
    assert sorted(set(labels)) == [0, 1]


def test_points_on_one_line_fall_back_to_listing_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_density_groups, "_PAIRS_BELOW", 0)
    xy = np.column_stack([np.array([0, 1, 2, 5, 6, 20], dtype=float) * 1_000, np.zeros(6)])
    assert density_labels(xy, 1_500, 2).tolist() == [0, 0, 0, 1, 1, -1]


def test_a_point_between_two_groups_joins_the_one_scanned_first() -> None:
    """Groups of four 5 km apart; the point half-way reaches one point of each (radius 2.5 km)
    and so is not core (three points with itself, four needed): it joins the group scanned first.
    """
    west = [[0, 0], [-10, 0], [-20, 0], [-30, 0]]
    east = [[5_000, 0], [5_010, 0], [5_020, 0], [5_030, 0]]
    middle = [[2_500, 0]]
    xy = np.array(west + east + middle, dtype=float)
    assert density_labels(xy, 2_500, 4).tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 0]
    xy = np.array(east + west + middle, dtype=float)
    assert density_labels(xy, 2_500, 4).tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 0]
    assert density_labels(xy, 2_500, 4).tolist() == _dbscan(xy, 2_500, 4).tolist()


def test_no_points_too_few_points_and_min_sites_above_the_count() -> None:
    assert density_labels(np.empty((0, 2)), 1_000, 3).tolist() == []
    assert density_labels(np.array([[0.0, 0.0]]), 1_000, 1).tolist() == [0]
    assert density_labels(np.array([[0.0, 0.0], [10.0, 0.0]]), 1_000, 3).tolist() == [-1, -1]
