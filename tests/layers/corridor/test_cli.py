"""The road graph's download area and the corridor command line, offline.

osmnx's Overpass download is stubbed with the hand-made OSM fixture (tests/data/roads.osm), and
the Midlands outline is a 40 km square on the National Grid, so the download area's margin can
be measured by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pytest
import shapely

import settings
from layers import _osm
from layers.corridor import _cli, main

ROADS_OSM = Path(__file__).parents[2] / "data" / "roads.osm"
# The square Midlands: 420 000 to 460 000 E, 280 000 to 320 000 N.
SQUARE = shapely.box(420_000, 280_000, 460_000, 320_000)


@pytest.fixture
def square_midlands(tmp_path: Path) -> Path:
    """A boundaries folder whose Midlands outline is the square."""
    folder = tmp_path / "boundaries"
    folder.mkdir()
    outline = gpd.GeoDataFrame({"name": ["Midlands"]}, geometry=[SQUARE], crs=settings.CRS_METRIC)
    outline.to_crs(settings.CRS_STORAGE).to_parquet(folder / "midlands.parquet")
    return folder


@pytest.fixture
def overpass(monkeypatch: pytest.MonkeyPatch) -> list[shapely.Geometry]:
    """Stand in for osmnx's download: record the area asked for, answer with the fixture roads."""
    asked: list[shapely.Geometry] = []

    def graph_from_polygon(polygon: shapely.Geometry, **options: object) -> nx.MultiDiGraph:
        asked.append(polygon)
        return ox.graph_from_xml(ROADS_OSM, simplify=False, retain_all=True)

    monkeypatch.setattr(_osm.ox, "graph_from_polygon", graph_from_polygon)
    return asked


def test_the_download_area_is_the_midlands_grown_by_5_km(overpass, square_midlands, tmp_path):
    out = tmp_path / "roads.graphml"
    assert main(["roads", "--out", str(out), "--boundaries", str(square_midlands)]) == 0
    (polygon,) = overpass
    area = gpd.GeoSeries([polygon], crs=settings.CRS_STORAGE).to_crs(settings.CRS_METRIC).iloc[0]
    # simplifying keeps some of the grown outline's corners: each is 5 km from the square
    corners = shapely.points(shapely.get_coordinates(area.exterior))
    assert shapely.distance(corners, SQUARE) == pytest.approx(5_000.0, abs=0.01)
    # the square's sides moved out 5 km are kept whole
    assert area.bounds == pytest.approx((415_000, 275_000, 465_000, 325_000), abs=0.01)


@contextmanager
def fresh_root_logging() -> Iterator[None]:
    """Let the command line set up logging as in a fresh process (no handlers), then restore.

    pytest hangs its own handlers on the root logger for each test phase, so this wraps the
    call itself: with them in place ``logging.basicConfig`` would do nothing.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_command_line_reports_its_progress_on_stderr(
    overpass, square_midlands, tmp_path, capsys
):
    out = tmp_path / "roads.graphml"
    with fresh_root_logging():
        assert main(["roads", "--out", str(out), "--boundaries", str(square_midlands)]) == 0
    lines = capsys.readouterr().err.splitlines()
    read_back = (
        f"INFO layers.corridor.roads: reading the road graph {out.resolve()} "
        f"(version {out.stat().st_mtime_ns})"
    )
    assert read_back in lines


def test_the_command_line_reports_no_links_when_the_written_graph_is_gone(
    tmp_path, monkeypatch, capsys
):
    gone = tmp_path / "roads.graphml"  # never written (or removed before it was read back)

    def download(path: object, *, boundaries_dir: object) -> Path:
        return gone

    monkeypatch.setattr(_cli, "download_road_graph", download)
    assert main(["roads", "--out", str(gone)]) == 0
    assert capsys.readouterr().out == f"wrote {gone} (0 motorway and trunk road links)\n"


def test_the_command_line_help_shows_the_example_command_on_its_own_line(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    assert raised.value.code == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert (
        "python -m layers.corridor roads [--out PATH]    # download the road graph (needs network)"
        in lines
    )
    assert "OpenStreetMap, through osmnx)." in lines
