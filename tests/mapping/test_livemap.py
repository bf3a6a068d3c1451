"""The live map's Python side: compact rows, the catalogue, the show mask, what each render
sends, the base, and the checks on its options. Expected values are written by hand."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd
import pytest

from layers import vocabulary
from mapping.livemap import (
    Catalogue,
    build_base,
    overlay,
    payload_json,
    show_mask,
    shown_indexes,
)
from mapping.livemap.component import (
    _checked_view,
    _Session,
    catch_up,
    record_click,
    render_args,
)
from mapping.livemap.rows import PRECISION_SLUGS, plain_name

KINDS = list(vocabulary.KINDS)
CAPABILITIES = list(vocabulary.CAPABILITIES)


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


DERBY = {
    "site_id": "derby-works",
    "name": "Derby Works",
    "kind": "prime",
    "capabilities": ["nuclear_propulsion", "advanced_manufacturing"],
    "lat": 52.922512345,
    "lon": -1.474598765,
    "status": "active",
}
LINCOLN = {
    "site_id": "lincoln-base",
    "name": "Lincoln Base",
    "kind": "military",
    "capabilities": "istar;test_evaluation",
    "lat": 53.2307,
    "lon": -0.5406,
    "status": "closing",
    "closes": "2029-03-31",
}
HOSTILE = {
    "site_id": "hostile",
    "name": "<img src=x onerror=alert(1)>\u202eevil",
    "kind": "no_such_kind",
    "capabilities": [],
    "lat": 52.4862,
    "lon": -1.8904,
}


def test_a_row_holds_id_rounded_point_indexes_status_and_name() -> None:
    catalogue = Catalogue()
    assert catalogue.encode(frame(DERBY, LINCOLN)) == [0, 1]
    assert catalogue.rows[0] == (
        "derby-works",
        -1.4746,
        52.92251,
        KINDS.index("prime"),
        CAPABILITIES.index("nuclear_propulsion"),
        0,
        "Derby Works",
        len(PRECISION_SLUGS) - 1,  # no location_precision column: not recorded
    )
    assert catalogue.rows[1][3:5] == (KINDS.index("military"), CAPABILITIES.index("istar"))
    assert catalogue.statuses == [
        ["Active", False, False, False],
        ["Closing, closes 2029", True, False, False],
    ]


def test_unknown_kind_and_capability_index_the_last_entry_and_names_stay_plain_text() -> None:
    catalogue = Catalogue()
    catalogue.encode(frame(HOSTILE))
    row = catalogue.rows[0]
    assert row[3] == len(KINDS)  # "Unknown kind", after the vocabulary
    assert row[4] == len(CAPABILITIES)
    # not escaped (the browser uses textContent), but the bidirectional override is gone
    assert row[6] == "<img src=x onerror=alert(1)> evil"
    assert catalogue.statuses == [["Status not recorded", False, False, False]]


def test_plain_name_drops_control_characters_and_cuts_long_names() -> None:
    assert plain_name("Works\nWest\x00") == "Works West"
    assert plain_name("x" * 150) == "x" * 99 + "…"
    assert plain_name(None) == ""


def test_each_row_is_sent_once_and_a_changed_row_is_a_new_one() -> None:
    catalogue = Catalogue()
    assert catalogue.encode(frame(DERBY, LINCOLN)) == [0, 1]
    assert catalogue.encode(frame(LINCOLN)) == [1]
    assert catalogue.encode(frame(DERBY, LINCOLN)) == [0, 1]
    assert len(catalogue.rows) == 2
    renamed = {**DERBY, "name": "Derby Works (renamed)"}
    assert catalogue.encode(frame(renamed)) == [2]
    assert [row[0] for row in catalogue.rows] == ["derby-works", "lincoln-base", "derby-works"]


def test_points_can_come_from_a_geometry() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    sites = gpd.GeoDataFrame(
        [{k: v for k, v in DERBY.items() if k not in ("lat", "lon")}],
        geometry=[Point(-1.474598765, 52.922512345)],
        crs="EPSG:4326",
    )
    catalogue = Catalogue()
    catalogue.encode(sites)
    assert catalogue.rows[0][1:3] == (-1.4746, 52.92251)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"'kind'"):
        Catalogue().encode(pd.DataFrame([{"site_id": "a", "name": "A", "capabilities": []}]))


def test_the_show_mask_sets_one_bit_per_shown_row() -> None:
    # rows 0, 3 and 9 of 10: bits 0 and 3 of byte 0 (0x09) and bit 1 of byte 1 (0x02)
    assert base64.b64decode(show_mask([0, 3, 9], 10)) == b"\x09\x02"
    assert shown_indexes(show_mask([0, 3, 9], 10)) == [0, 3, 9]
    assert shown_indexes(show_mask([], 5)) == []


def test_a_render_sends_the_base_and_rows_once(boundaries_dir: Path) -> None:
    base = build_base(boundaries_dir=boundaries_dir)
    session = _Session()
    options = {
        "fit": True,
        "selected_ids": (),
        "view": None,
        "height": 500,
        "cluster": "auto",
        "report_view": True,
    }
    first = render_args(session, base, frame(DERBY, LINCOLN), **options)
    assert json.loads(first["base"]) == base.payload
    assert first["from"] == 0
    assert [row[0] for row in json.loads(first["rows"])] == ["derby-works", "lincoln-base"]
    # what live_map does once the render is queued
    session.catalogue.sent = first["from"] + first["rowCount"]
    session.base_version = first["baseVersion"]

    second = render_args(session, base, frame(LINCOLN), **{**options, "selected_ids": ["x"]})
    assert "base" not in second
    assert second["from"] == 2
    assert json.loads(second["rows"]) == []
    assert shown_indexes(second["show"]) == [1]
    assert second["selected"] == []

    third = render_args(
        session, base, frame(DERBY, LINCOLN, HOSTILE), **{**options, "selected_ids": ["hostile"]}
    )
    assert third["from"] == 2
    assert [row[0] for row in json.loads(third["rows"])] == ["hostile"]
    assert third["selected"] == [2]
    assert third["cluster"] is False  # three sites: no clusters in "auto"
    assert render_args(session, base, frame(DERBY), **{**options, "cluster": True})["cluster"]


def test_rows_cost_less_than_150_bytes_per_site(registry) -> None:
    catalogue = Catalogue()
    catalogue.encode(registry)
    per_site = len(payload_json(catalogue.rows)) / len(registry)
    assert per_site <= 150, f"{per_site:.0f} bytes per site"
    hand_built = Catalogue()
    hand_built.encode(frame(DERBY, LINCOLN, HOSTILE))
    assert len(payload_json(hand_built.rows)) / 3 <= 150


def test_the_base_holds_the_boundaries_once_and_a_stable_version(boundaries_dir: Path) -> None:
    base = build_base(boundaries_dir=boundaries_dir)
    names = [layer["name"] for layer in base.payload["layers"]]
    assert names == ["countries", "midlands", "combined_authorities", "counties", "lads"]
    lads = base.payload["layers"][-1]["geojson"]["features"]
    assert len(lads) == 67  # the Midlands' districts (data/boundaries/hierarchy.csv)
    assert {"Birmingham", "Derby", "West Lindsey"} <= {f["properties"]["name"] for f in lads}
    assert base.payload["layers"][0]["geojson"]["features"][0]["properties"] == {}
    assert build_base(boundaries_dir=boundaries_dir).version == base.version
    fewer = build_base(boundaries_dir=boundaries_dir, layers=("midlands", "lads"))
    assert fewer.version != base.version
    assert base.size == len(
        json.dumps(base.payload, separators=(",", ":"), ensure_ascii=False).encode()
    )
    with pytest.raises(ValueError, match="unknown base layer"):
        build_base(boundaries_dir=boundaries_dir, layers=("oceans",))


def test_a_view_is_checked_and_normalised() -> None:
    assert _checked_view({"center": ["52.9", -1.4], "zoom": 9}) == {
        "center": [52.9, -1.4],
        "zoom": 9.0,
    }
    assert _checked_view(None) is None
    with pytest.raises(ValueError, match="center"):
        _checked_view({"zoom": 9})
    with pytest.raises(ValueError, match="out of range"):
        _checked_view({"center": [152.6, -1.4], "zoom": 9})
    with pytest.raises(ValueError, match="finite"):
        _checked_view({"center": [float("nan"), -1.4], "zoom": 9})


def test_an_overlay_is_rounded_wgs84_and_sent_when_it_changes(boundaries_dir: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point, box

    # a 1 km square at the British National Grid point (430000, 340000), near Derby
    square = gpd.GeoDataFrame(
        geometry=[box(430000, 340000, 431000, 341000), Point(0, 0).buffer(0)], crs="EPSG:27700"
    )
    belt = overlay(square, label="Belt", style={"color": "#b35806"}, tooltip="10 km wide")
    (feature,) = belt.geojson["features"]  # the empty geometry is left out
    ring = feature["geometry"]["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    # pyproj puts (430000, 340000) at about -1.5533, 52.9546 (checked by hand in QGIS)
    assert min(lons) == pytest.approx(-1.5533, abs=0.002)
    assert min(lats) == pytest.approx(52.9546, abs=0.002)
    assert all(round(v, 5) == v for v in lons + lats)
    with pytest.raises(ValueError, match="no CRS"):
        overlay(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), label="x", style={})

    base = build_base(boundaries_dir=boundaries_dir)
    session = _Session()
    options = {"fit": True, "selected_ids": (), "view": None, "height": 500}
    options |= {"cluster": "auto", "report_view": True}
    first = render_args(session, base, frame(DERBY), overlays=[belt], **options)
    assert json.loads(first["overlays"])[0]["tooltip"] == "10 km wide"
    session.overlays_version = first["overlaysVersion"]
    assert "overlays" not in render_args(session, base, frame(DERBY), overlays=[belt], **options)
    cleared = render_args(session, base, frame(DERBY), overlays=[], **options)
    assert json.loads(cleared["overlays"]) == []


def test_a_frame_that_missed_a_render_gets_only_what_it_lacks() -> None:
    session = _Session(base_version="b1", overlays_version="o1")
    session.catalogue.encode(frame(DERBY, LINCOLN, HOSTILE))
    session.catalogue.sent = 3
    have = {"session": session.catalogue.session, "rows": 1, "base": "b1", "overlays": "o0"}
    catch_up(session, have)
    assert (session.catalogue.sent, session.base_version, session.overlays_version) == (
        1,
        "b1",
        "o0",
    )
    # a new frame holds nothing of this catalogue: every row again, and the base
    catch_up(session, {"session": None, "rows": 0, "base": None, "overlays": None})
    assert (session.catalogue.sent, session.base_version, session.overlays_version) == (
        0,
        None,
        None,
    )
    session.catalogue.sent = 3
    catch_up(session, {"session": session.catalogue.session, "rows": "3; drop table"})
    assert session.catalogue.sent == 0


def test_a_click_report_counts_once_however_many_runs_read_it() -> None:
    session = _Session()
    record_click(session, {"site": "derby", "token": "t1"})
    # the report stays in the component's state: the next runs read it again
    record_click(session, {"site": "derby", "token": "t1"})
    assert (session.clicked, session.clicks) == ("derby", 1)
    # the same site opened again is a new click (a new token)
    record_click(session, {"site": "derby", "token": "t2"})
    record_click(session, {"site": "lincoln", "token": "t3"})
    assert (session.clicked, session.clicks) == ("lincoln", 3)
    # nothing reported, or a malformed report, changes nothing
    for odd in (None, "derby", {"site": "derby"}, {"site": 7, "token": "t4"}, {"token": "t5"}):
        record_click(session, odd)
    assert (session.clicked, session.clicks) == ("lincoln", 3)


def test_uploaded_sites_have_their_own_status_entries(boundaries_dir: Path) -> None:
    base = build_base(boundaries_dir=boundaries_dir)
    uploaded = {**DERBY, "site_id": "upload-1", "name": "My supplier"}
    args = render_args(
        _Session(),
        base,
        frame(DERBY),
        uploads=frame(uploaded),
        fit=True,
        selected_ids=["upload-1"],
        view=None,
        height=500,
        cluster="auto",
        report_view=True,
    )
    rows = json.loads(args["rows"])
    assert [row[0] for row in rows] == ["derby-works", "upload-1"]
    assert args["statuses"] == [["Active", False, False, False], ["Active", False, True, False]]
    assert [rows[0][5], rows[1][5]] == [0, 1]
    assert shown_indexes(args["show"]) == [0, 1]
    assert args["selected"] == [1]
