"""The belt's hubs: clusters of the selected sites, and the straight links between them."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import shapely

import settings
from layers._metric import metric_points
from layers.clusters import clusters_of, every_group, group_count, point_labels


@dataclass(frozen=True)
class Hub:
    """A cluster of selected sites: its name, how many sites it holds, and its mean position."""

    name: str
    size: int
    point: shapely.Point  # EPSG:27700

    @property
    def label(self) -> str:
        """Return the hub as the corridor's ``hubs`` column names it: "Derby (6 sites)"."""
        return f"{self.name} ({self.size} site{'s' if self.size != 1 else ''})"


def find_hubs(
    points: gpd.GeoDataFrame, *, hub_radius_km: float, hub_min_sites: int, notes: list[str]
) -> list[Hub]:
    """Cluster the sites (EPSG:27700) into hubs; with fewer than two clusters, every group is one.

    A corridor needs two ends: when the sites form fewer than two clusters of ``hub_min_sites``,
    the selection is sparse, and the belt is better drawn through its sites than around a single
    cluster, so every group of sites within ``hub_radius_km`` becomes a hub (said in ``notes``).
    """
    points = metric_points(points)
    labels = point_labels(points, hub_radius_km, hub_min_sites)
    if group_count(labels) < 2:
        # with 2 sites or fewer per cluster, every group follows from the same labels
        grouped = every_group(labels, hub_min_sites)
        labels = point_labels(points, hub_radius_km, 1) if grouped is None else grouped
        if group_count(labels) > 1:
            notes.append(
                f"The sites form fewer than two clusters of {hub_min_sites} within "
                f"{hub_radius_km:g} km, so every group of sites within {hub_radius_km:g} km "
                "is a hub."
            )
    clusters = clusters_of(points, labels, hub_radius_km)
    centroids = gpd.GeoSeries(
        gpd.points_from_xy(clusters["centroid_lon"], clusters["centroid_lat"]),
        crs=settings.CRS_STORAGE,
    ).to_crs(settings.CRS_METRIC)
    return [
        Hub(str(name), int(size), point)
        for name, size, point in zip(clusters["name"], clusters["size"], centroids, strict=True)
    ]


class StraightLinks:
    """Every pair of hubs joined by a straight line: the spine's candidate links."""

    def __init__(self, hubs: list[Hub]) -> None:
        self.hubs = hubs
        #: (a, b) with a < b -> the link's length in metres.
        self.lengths: dict[tuple[int, int], float] = {
            (a, b): shapely.distance(hubs[a].point, hubs[b].point)
            for a in range(len(hubs))
            for b in range(a + 1, len(hubs))
        }

    def lines(self, pairs: list[tuple[int, int]]) -> list[shapely.Geometry]:
        """Return the line of each link in ``pairs`` (a < b)."""
        return [shapely.LineString([self.hubs[a].point, self.hubs[b].point]) for a, b in pairs]
