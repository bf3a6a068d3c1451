"""Place labels: towns from GeoNames and districts from the boundaries, shown where they fit."""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import geopandas as gpd

import settings
from layers import places


def pixel_gap(a: list, b: list, zoom: int) -> float:
    """Screen distance in pixels between two labels at ``zoom`` (metres from EPSG:27700)."""
    points = gpd.GeoSeries(
        gpd.points_from_xy([a[2], b[2]], [a[1], b[1]]), crs=settings.CRS_STORAGE
    ).to_crs(settings.CRS_METRIC)
    metres = points.iloc[0].distance(points.iloc[1])
    scale = 156_543.03 * math.cos(math.radians((a[1] + b[1]) / 2)) / 2**zoom
    return metres / scale


def test_towns_and_districts_are_labelled_from_a_zoom_where_they_do_not_crowd(
    boundaries_dir: Path,
) -> None:
    labels = places.place_labels(boundaries_dir)
    towns = [label for label in labels if label[4] == "town"]
    districts = [label for label in labels if label[4] == "district"]
    assert towns and districts
    by_name = {label[0]: label for label in towns}
    assert by_name["Birmingham"][3] == 8, "the largest city is named first"
    assert all(label[3] >= places.DISTRICT_ZOOM for label in districts)
    for a, b in combinations(towns, 2):
        together = max(a[3], b[3])
        if together < places.MAX_ZOOM:
            # a small allowance: the gap is computed at the label's own latitude
            assert pixel_gap(a, b, together) >= places.MIN_GAP_PX * 0.98, (a, b)
    names = {label[0] for label in districts}
    assert "Derby" not in names, "a district named as its city is labelled once"


def test_the_map_credits_geonames(boundaries_dir: Path) -> None:
    from mapping.livemap.base import build_base

    base = build_base(boundaries_dir=boundaries_dir)
    assert places.GEONAMES_ATTRIBUTION in base.payload["attributions"]
    assert "CC BY 4.0" in places.GEONAMES_ATTRIBUTION
    assert base.payload["places"] == places.place_labels(boundaries_dir)
