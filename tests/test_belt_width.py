"""The belt's width measured on the ground, in EPSG:27700, from hubs placed by hand.

``width_km`` is the belt's full width: the spine is buffered by half of it on each side (see
``layers.corridor.build_corridor``). The hubs below are National Grid points chosen by hand
well inside the Midlands (over 15 km from its edge, checked), so no clipping touches the belt
and every expected distance is plain geometry: half the width across the spine, half the width
beyond each end, a stadium's area.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

import settings
from layers import boundaries
from layers.corridor import build_corridor, sites_in_corridor

# Two hubs on the National Grid: near Nuneaton and near Loughborough, 40 km apart (a 3-4-5
# triangle: 24 km east, 32 km north), so the spine's direction and length are exact.
WEST = (436_000.0, 289_000.0)
EAST = (460_000.0, 321_000.0)
SPINE_KM = 40.0
#: The spine's unit direction and the unit normal to it (turned a quarter left).
ALONG = np.array([24.0, 32.0]) / 40.0
ACROSS = np.array([-32.0, 24.0]) / 40.0
MIDDLE = (np.array(WEST) + np.array(EAST)) / 2


@pytest.fixture(scope="module")
def midlands(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return boundaries.load_layer("midlands", directory=boundaries_dir)


def grid_sites(points: list[tuple[float, float]], prefix: str = "hub") -> gpd.GeoDataFrame:
    """Sites at National Grid points, one per point, in EPSG:27700."""
    frame = pd.DataFrame(
        {
            "site_id": [f"{prefix}-{k}" for k in range(len(points))],
            "town": [f"Town {k}" for k in range(len(points))],
            "kind": "supplier",
            "capabilities": [["combat_air"] for _ in points],
        }
    )
    return gpd.GeoDataFrame(
        frame,
        geometry=[shapely.Point(x, y) for x, y in points],
        crs=settings.CRS_METRIC,
    )


def belt_of(corridor: gpd.GeoDataFrame) -> shapely.Geometry:
    return corridor.loc[corridor["part"] == "belt"].to_crs(settings.CRS_METRIC).geometry.iloc[0]


def spine_of(corridor: gpd.GeoDataFrame) -> shapely.Geometry:
    return corridor.loc[corridor["part"] == "spine"].to_crs(settings.CRS_METRIC).geometry.iloc[0]


def reach(belt: shapely.Geometry, start: np.ndarray, direction: np.ndarray) -> float:
    """Metres from ``start`` (inside the belt) to the belt's edge along ``direction``."""
    far = start + direction * 100_000.0
    ray = shapely.LineString([tuple(start), tuple(far)])
    crossing = ray.intersection(belt.boundary)
    return min(shapely.Point(start).distance(p) for p in shapely.get_parts(crossing))


def test_the_hubs_are_far_inside_the_midlands(midlands):
    # A precondition of every measurement below: a 30 km belt is never clipped.
    outline = midlands.to_crs(settings.CRS_METRIC).geometry.iloc[0]
    spine = shapely.LineString([WEST, EAST])
    assert spine.length == pytest.approx(SPINE_KM * 1000.0)
    assert outline.boundary.distance(spine) > 16_000.0
    assert outline.contains(spine)


@pytest.mark.parametrize("width_km", [4.0, 30.0])
def test_across_the_spine_the_belt_reaches_half_its_width(midlands, width_km):
    corridor = build_corridor(grid_sites([WEST, EAST]), width_km=width_km, outline=midlands)
    belt = belt_of(corridor)
    half_m = width_km * 1000.0 / 2
    # perpendicular to the spine, at its middle and a quarter of the way along, both sides:
    # a buffer of a straight line is exact across it, so to the metre
    for point in (MIDDLE, np.array(WEST) + ALONG * 10_000.0):
        assert reach(belt, point, ACROSS) == pytest.approx(half_m, abs=1.0)
        assert reach(belt, point, -ACROSS) == pytest.approx(half_m, abs=1.0)
    # beyond each hub, along the spine: round ends of radius half the width (a 64-gon's
    # vertices lie on the circle and its sides within 0.12% inside it)
    assert reach(belt, np.array(EAST), ALONG) == pytest.approx(half_m, rel=0.002)
    assert reach(belt, np.array(WEST), -ALONG) == pytest.approx(half_m, rel=0.002)
    # nowhere is the belt further than half the width from the spine, and it holds the spine
    spine = shapely.LineString([WEST, EAST])
    assert spine.hausdorff_distance(belt.boundary) == pytest.approx(half_m, rel=0.002)
    assert max(spine.distance(shapely.Point(p)) for p in belt.exterior.coords) <= half_m + 1.0
    assert belt.contains(spine)
    # a stadium: a rectangle of the spine's length and the full width, and a disc at the ends
    stadium = SPINE_KM * 1000.0 * width_km * 1000.0 + math.pi * half_m**2
    assert belt.area == pytest.approx(stadium, rel=0.002)
    assert corridor["area_km2"].iloc[0] == pytest.approx(stadium / 1e6, rel=0.002)
    # the spine drawn joins the two hubs
    assert spine_of(corridor).length == pytest.approx(SPINE_KM * 1000.0, abs=1.0)
    assert corridor["length_km"].iloc[1] == pytest.approx(SPINE_KM, abs=0.001)
    assert corridor["width_km"].iloc[0] == width_km
    assert corridor["hub_count"].iloc[0] == 2


@pytest.mark.parametrize("width_km", [4.0, 30.0])
def test_around_a_single_site_the_belt_is_a_disc_of_half_the_width(midlands, width_km):
    corridor = build_corridor(grid_sites([MIDDLE]), width_km=width_km, outline=midlands)
    belt = belt_of(corridor)
    radius_m = width_km * 1000.0 / 2
    centre = shapely.Point(MIDDLE)
    # a polygon of 64 sides around the circle (grown and shrunk: its vertices and sides lie
    # within 0.13% of the circle, never outside it)
    vertices = [centre.distance(shapely.Point(p)) for p in belt.exterior.coords]
    assert radius_m * 0.9987 <= min(vertices) <= max(vertices) <= radius_m + 1.0
    assert centre.distance(belt.boundary) == pytest.approx(radius_m, rel=0.0013)
    for angle in np.linspace(0, 2 * math.pi, 8, endpoint=False):
        direction = np.array([math.cos(angle), math.sin(angle)])
        assert reach(belt, np.array(MIDDLE), direction) == pytest.approx(radius_m, rel=0.0013)
    assert spine_of(corridor).is_empty


def probes(distances_km: list[float]) -> gpd.GeoDataFrame:
    """Sites off the middle of the spine, ``distances_km`` to its left, in EPSG:4326."""
    points = [tuple(MIDDLE + ACROSS * d * 1000.0) for d in distances_km]
    return grid_sites(points, prefix="probe").to_crs(settings.CRS_STORAGE)


def test_a_wider_belt_covers_strictly_more(midlands):
    hubs = grid_sites([WEST, EAST])
    narrow = build_corridor(hubs, width_km=4.0, outline=midlands)
    wide = build_corridor(hubs, width_km=30.0, outline=midlands)
    assert belt_of(wide).area > belt_of(narrow).area * 5
    assert belt_of(wide).contains(belt_of(narrow))
    # sites 1.5 and 1.99 km off the spine are in both; 2.01 and 8 km only in the wider belt;
    # 14.99 km is just inside the wider one; 15.01 and 20 km in neither
    off = probes([1.5, 1.99, 2.01, 8.0, 14.99, 15.01, 20.0])
    assert sites_in_corridor(off, narrow).tolist() == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert sites_in_corridor(off, wide).tolist() == [True, True, True, True, True, False, False]
    # the same distances on the other side
    other = probes([-1.99, -2.01, -14.99, -15.01])
    assert sites_in_corridor(other, narrow).tolist() == [True, False, False, False]
    assert sites_in_corridor(other, wide).tolist() == [True, True, True, False]


def test_sites_in_corridor_keeps_the_sites_index_and_name(midlands):
    corridor = build_corridor(grid_sites([WEST, EAST]), width_km=4.0, outline=midlands)
    off = probes([0.0, 3.0, 1.0])
    off.index = pd.Index([30, 10, 20])
    inside = sites_in_corridor(off, corridor)
    assert inside.name == "in_corridor"
    assert inside.dtype == bool
    assert inside.to_dict() == {30: True, 10: False, 20: True}
    # a site on the belt's very edge counts as inside
    edge = gpd.GeoDataFrame(
        {"site_id": ["edge"]},
        geometry=[shapely.Point(belt_of(corridor).exterior.coords[0])],
        crs=settings.CRS_METRIC,
    )
    assert sites_in_corridor(edge, corridor).tolist() == [True]


def test_sites_in_corridor_refuses_what_is_not_a_belt_or_has_no_crs(midlands):
    corridor = build_corridor(grid_sites([WEST, EAST]), width_km=4.0, outline=midlands)
    no_belt = "corridor has no 'belt' row; pass the result of build_corridor"
    with pytest.raises(ValueError) as raised:
        sites_in_corridor(probes([0.0]), corridor[corridor["part"] == "spine"])
    assert str(raised.value) == no_belt
    with pytest.raises(ValueError) as raised:
        sites_in_corridor(probes([0.0]), corridor.drop(columns="part"))
    assert str(raised.value) == no_belt
    bare = gpd.GeoDataFrame({"site_id": ["x"]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(ValueError) as raised:
        sites_in_corridor(bare, corridor)
    assert str(raised.value) == "sites have no CRS; set it first, e.g. sites.set_crs('EPSG:4326')"
    nothing = probes([])
    assert sites_in_corridor(nothing, corridor).empty


def test_the_figures_are_the_drawn_shapes_rounded_to_metres(midlands):
    corridor = build_corridor(grid_sites([WEST, EAST]), width_km=30.0, outline=midlands)
    assert corridor["area_km2"].iloc[0] == round(belt_of(corridor).area / 1e6, 3)
    assert corridor["length_km"].iloc[1] == round(spine_of(corridor).length / 1000.0, 3)
    assert corridor["sites_inside"].tolist() == [2, 2]
    assert corridor["share_inside"].tolist() == [1.0, 1.0]


def test_the_default_outline_is_the_built_midlands(midlands, boundaries_dir, monkeypatch):
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    corridor = build_corridor(grid_sites([WEST, EAST]), width_km=4.0)
    stadium = SPINE_KM * 1000.0 * 4000.0 + math.pi * 2000.0**2
    assert belt_of(corridor).area == pytest.approx(stadium, rel=0.002)


def test_an_outline_without_crs_or_shape_is_refused(midlands):
    hubs = grid_sites([WEST, EAST])
    with pytest.raises(ValueError) as raised:
        build_corridor(hubs, outline=midlands.set_crs(None, allow_override=True))
    assert str(raised.value) == "outline has no CRS; pass boundaries.load_layer('midlands', ...)"
    with pytest.raises(ValueError) as raised:
        build_corridor(hubs, outline=midlands.iloc[0:0])
    assert str(raised.value) == "outline is empty; pass boundaries.load_layer('midlands', ...)"


def test_an_empty_belt_holds_no_site(midlands):
    # sites far outside the Midlands (the Isle of Wight) give no belt; none is inside it
    away = grid_sites([(445_000.0, 85_000.0), (455_000.0, 90_000.0)])
    corridor = build_corridor(away, width_km=10.0, outline=midlands)
    assert belt_of(corridor).is_empty
    inside = sites_in_corridor(away, corridor)
    assert inside.tolist() == [False, False]
    assert inside.name == "in_corridor"
    assert corridor["sites_inside"].iloc[0] == 0
    assert corridor["share_inside"].iloc[0] == 0.0


# --------------------------------------------------------------------------------------------
# The belt in the app, from a link with w=25


def test_the_app_draws_and_exports_a_belt_25_km_wide(
    monkeypatch: pytest.MonkeyPatch, boundaries_dir: Path
):
    """A link with ``w=25`` and a text that selects Whittington Barracks alone.

    One site makes one hub, so the belt is a disc around it: radius 12.5 km, measured from the
    site's registry position (52.65889 N, 1.7730 W), over 50 km from the Midlands' edge.
    """
    from layers import selection as selecting

    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    exported: list[selecting.Selection] = []
    make_selection = selecting.make_selection

    def spy(*args, **kwargs):
        selection = make_selection(*args, **kwargs)
        exported.append(selection)
        return selection

    monkeypatch.setattr(selecting, "make_selection", spy)
    app = AppTest.from_file(str(settings.ROOT / "app.py"), default_timeout=90)
    app.query_params["w"] = "25"
    app.query_params["q"] = "Whittington Barracks"
    app.session_state["tab"] = "Export"  # only the open tab under the map runs
    at = app.run()
    assert not at.exception
    assert at.slider(key="o_width").value == 25.0
    assert any("--width-km 25" in c.value for c in at.code)
    selection = exported[-1]
    assert list(selection.sites["site_id"]) == ["whittington-barracks"]
    corridor = selection.corridor
    assert corridor is not None
    belt = belt_of(corridor)
    site = gpd.GeoSeries([shapely.Point(-1.7730, 52.65889)], crs=settings.CRS_STORAGE)
    centre = site.to_crs(settings.CRS_METRIC).iloc[0]
    vertices = [centre.distance(shapely.Point(p)) for p in belt.exterior.coords]
    assert 12_500.0 * 0.9987 <= min(vertices) <= max(vertices) <= 12_500.0 + 1.0
    assert belt.area == pytest.approx(math.pi * 12_500.0**2, rel=0.003)  # a 64-gon: -0.16%
    assert corridor["width_km"].iloc[0] == 25.0
