"""Density-based groups of points (DBSCAN's labels), without listing every pair of neighbours.

scikit-learn's DBSCAN lists every point's neighbours within the radius. On a dense registry
(100,000 sites with thousands of neighbours each) that list is the whole cost: about ten seconds
and gigabytes of memory. The same labels follow from far less:

- a point is *core* when its ``min_sites``-th nearest point (itself counted first) lies within
  the radius: one k-nearest query;
- core points within the radius of each other are in one group, and the groups of the graph
  "within the radius" are those of its shortest edges. Every minimum spanning tree of the points
  lies on their Delaunay triangulation, so the triangulation's edges up to the radius connect
  exactly the points the full graph connects;
- a point that is not core joins a group when a core point of it lies within the radius, the
  group found first in DBSCAN's scan (the one whose lowest-numbered core point comes first),
  and is noise otherwise. Such a point has fewer than ``min_sites`` points within the radius,
  so its neighbours are few and cheap to list.

The labels equal :class:`sklearn.cluster.DBSCAN`'s for the same input order (groups numbered in
the order DBSCAN's scan meets them, -1 for noise); ``tests/layers/test_density_groups.py``
checks that against scikit-learn itself.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Delaunay, QhullError, cKDTree

#: Below this many core points the pairs within the radius are listed directly (cheap there, and
#: free of the triangulation's special cases: fewer than three points, or all on one line).
_PAIRS_BELOW = 2_000
#: The cells a cell's points can reach (at most two cells away on each axis), one of each pair.
_NEAR_CELLS: tuple[tuple[int, int], ...] = tuple(
    (dx, dy) for dx in range(-2, 3) for dy in range(-2, 3) if (dx, dy) > (0, 0)
)
#: The grid is used while the cell pairs to look at number under this share of the points.
_GRID_PAYS_BELOW = 0.5


def density_labels(xy: np.ndarray, radius: float, min_sites: int) -> np.ndarray:
    """Return DBSCAN's labels for points ``xy`` (an ``(n, 2)`` array in metres).

    Parameters
    ----------
    xy
        The points' coordinates in a metric CRS, one row per point, in the order that breaks
        ties (as DBSCAN's scan order does).
    radius
        The neighbourhood radius, in the units of ``xy``; a point at exactly this distance is a
        neighbour.
    min_sites
        The fewest points (the point itself included) within ``radius`` that make a core point.

    Returns
    -------
    np.ndarray
        One integer per point: the group's number from 0, in scan order, or -1 for noise.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    count = len(xy)
    labels = np.full(count, -1, dtype=np.int64)
    if count == 0:
        return labels
    tree = cKDTree(xy)
    if min_sites <= 1:
        core = np.ones(count, dtype=bool)
    elif min_sites > count:
        return labels
    else:
        distances, _ = tree.query(xy, k=min_sites)
        core = distances[:, min_sites - 1] <= radius
    core_index = np.flatnonzero(core)
    if len(core_index) == 0:
        return labels
    component = _core_components(xy[core_index], radius)
    # number the groups as DBSCAN's scan meets them: by their lowest-numbered core point
    first_core = np.full(component.max() + 1, count, dtype=np.int64)
    np.minimum.at(first_core, component, core_index)
    order = np.argsort(first_core, kind="stable")
    number = np.empty_like(order)
    number[order] = np.arange(len(order))
    labels[core_index] = number[component]
    _join_border_points(xy, core, labels, radius)
    return labels


def _core_components(points: np.ndarray, radius: float) -> np.ndarray:
    """Label the groups of ``points`` joined by steps no longer than ``radius``."""
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if len(unique) >= _PAIRS_BELOW:
        on_grid = grid_components(unique, radius)
        if on_grid is not None:
            return on_grid[inverse]
    if len(unique) < _PAIRS_BELOW:
        pairs = cKDTree(unique).query_pairs(radius, output_type="ndarray")
    else:
        try:
            pairs = _delaunay_edges(unique)
        except QhullError:  # all on one line: no triangles to draw
            pairs = cKDTree(unique).query_pairs(radius, output_type="ndarray")
        lengths = np.hypot(*(unique[pairs[:, 0]] - unique[pairs[:, 1]]).T)
        pairs = pairs[lengths <= radius]
    size = len(unique)
    graph = sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(size, size)
    )
    _, component = connected_components(graph, directed=False)
    return component[inverse]


def grid_components(
    points: np.ndarray, radius: float, *, always: bool = False
) -> np.ndarray | None:
    """Label the groups of ``points`` joined by steps up to ``radius``, on a grid of cells.

    The cells are squares whose diagonal is just under ``radius``, so the points of one cell
    are all within reach of each other and form one group at once. Two cells can hold points
    within reach only when they are at most two cells apart on each axis; for each such pair
    not yet in one group, one nearest-point query of the smaller cell's points against the
    larger's tells whether any pair is within ``radius``. Dense points fill few cells, so this
    is far quicker than a triangulation. Returns None when the points are too sparse for the
    grid to pay (the triangulation is then used), unless ``always`` is set.
    """
    side = radius / np.sqrt(2.0) * (1.0 - 1e-9)
    cells = np.floor((points - points.min(axis=0)) / side).astype(np.int64)
    rows = int(cells[:, 1].max()) + 1
    flat, inverse, sizes = np.unique(
        cells[:, 0] * rows + cells[:, 1], return_inverse=True, return_counts=True
    )
    inverse = inverse.reshape(-1)
    keys = np.column_stack([flat // rows, flat % rows])
    if not always and len(keys) * len(_NEAR_CELLS) > len(points) * _GRID_PAYS_BELOW:
        return None
    members = np.split(np.argsort(inverse, kind="stable"), np.cumsum(sizes)[:-1])
    position = {(int(x), int(y)): index for index, (x, y) in enumerate(keys)}
    parent = np.arange(len(keys))

    def root(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = int(parent[cell])
        return cell

    trees: dict[int, cKDTree] = {}
    for cell, (x, y) in enumerate(keys):
        for dx, dy in _NEAR_CELLS:
            other = position.get((int(x) + dx, int(y) + dy))
            if other is None:
                continue
            a, b = root(cell), root(other)
            if a == b:
                continue
            small, large = (cell, other) if sizes[cell] <= sizes[other] else (other, cell)
            if large not in trees:
                trees[large] = cKDTree(points[members[large]])
            distances, _ = trees[large].query(
                points[members[small]], k=1, distance_upper_bound=radius * (1 + 1e-9)
            )
            if (distances <= radius).any():
                parent[max(a, b)] = min(a, b)
    roots = np.array([root(cell) for cell in range(len(keys))])
    _, component = np.unique(roots, return_inverse=True)
    return component.reshape(-1)[inverse]


def _delaunay_edges(points: np.ndarray) -> np.ndarray:
    """Return the Delaunay triangulation's edges of ``points`` as index pairs.

    An edge shared by two triangles is listed twice; the groups do not mind.
    """
    triangles = Delaunay(points).simplices
    return np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])


def _join_border_points(
    xy: np.ndarray, core: np.ndarray, labels: np.ndarray, radius: float
) -> None:
    """Give each point that is not core the first group (by number) with a core point in reach."""
    others = np.flatnonzero(~core)
    core_index = np.flatnonzero(core)
    if len(others) == 0:
        return
    reached = cKDTree(xy[core_index]).query_ball_point(xy[others], radius)
    for point, found in zip(others, reached, strict=True):
        if found:
            labels[point] = labels[core_index[found]].min()
