"""The areas map's classes: each named by the counts it holds, and one overlay per class."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mapping.choropleth import EMPTY, choropleth_overlays, class_breaks, class_labels


def test_a_single_class_is_named_by_its_count_not_a_range():
    values = [4, 4]
    assert class_labels(values, class_breaks(values)) == ["4"]


def test_classes_name_the_smallest_and_largest_count_they_hold():
    values = [1, 1, 2, 3, 5, 8, 9, 12, 20]
    breaks = class_breaks(values)
    assert class_labels(values, breaks) == ["1", "2–3", "5", "8–9", "12–20"]


def test_combined_authorities_get_one_overlay_per_class_and_a_view_on_them(
    boundaries_dir: Path,
):
    from layers import boundaries

    authorities = boundaries.load_layer("combined_authorities", directory=boundaries_dir)
    codes = list(authorities["code"])
    counts = pd.DataFrame({"Code": codes, "Sites": [27, 14, 13][: len(codes)]})
    overlays, bounds = choropleth_overlays(
        counts, layer="combined_authorities", boundaries_dir=boundaries_dir
    )
    labels = [o.label for o in overlays]
    assert labels == ["13 sites", "14 sites", "27 sites"][-len(codes) :]
    fills = {o.style["fillColor"] for o in overlays}
    assert len(fills) == len(overlays) and EMPTY not in fills
    # every authority is in one overlay, named on hover with its count
    tips = [f["properties"]["tip"] for o in overlays for f in o.geojson["features"]]
    assert len(tips) == len(codes) and all("selected site" in t for t in tips)
    # the view is the shaded authorities' extent (all of them hold sites here)
    (south, west), (north, east) = bounds
    expected = authorities.to_crs("EPSG:4326").total_bounds
    assert [west, south, east, north] == pytest.approx(list(expected), abs=1e-3)


def test_areas_without_sites_are_grey_and_left_out_of_the_view(boundaries_dir: Path):
    from layers import boundaries

    authorities = boundaries.load_layer("combined_authorities", directory=boundaries_dir)
    first = authorities.iloc[0]
    counts = pd.DataFrame({"Code": [first["code"]], "Sites": [4]})
    overlays, bounds = choropleth_overlays(
        counts, layer="combined_authorities", boundaries_dir=boundaries_dir
    )
    assert [o.label for o in overlays] == ["No selected site", "4 sites"]
    assert overlays[0].style["fillColor"] == EMPTY
    (south, west), (north, east) = bounds
    expected = authorities.iloc[[0]].to_crs("EPSG:4326").total_bounds
    assert [west, south, east, north] == pytest.approx(list(expected), abs=1e-3)
