"""The map's view in the link (``c`` and ``z``) and the overlays the explorer's map draws.

The link's areas go to one chooser each, so the link written back names each once.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from mapping import style
from mapping.livemap import overlay
from ui.map_overlays import belt_overlays, cluster_overlay
from ui.url_state import chooser_codes, link_view, reported_view, view_query


@pytest.mark.parametrize(
    ("centre", "zoom", "view"),
    [
        ("52.92,-1.4746", "11.5", {"center": [52.92, -1.4746], "zoom": 11.5}),
        (" 52.5 , -2 ", "8", {"center": [52.5, -2.0], "zoom": 8.0}),
        ("49,-11", "5", {"center": [49.0, -11.0], "zoom": 5.0}),  # the corners are allowed
        ("61,3", "18", {"center": [61.0, 3.0], "zoom": 18.0}),
    ],
)
def test_a_link_view_in_range_is_read(centre: str, zoom: str, view: dict):
    assert link_view(centre, zoom) == view


@pytest.mark.parametrize(
    ("centre", "zoom"),
    [
        ("0,0", "8"),  # off West Africa
        ("52.9,-1.5", "40"),
        ("52.9,-1.5", "4.9"),
        ("52.9", "8"),
        ("52.9,-1.5,3", "8"),
        ("nan,-1.5", "8"),
        ("52.9,-1.5", "inf"),
        ("[x](https://e.org)", "8"),
        ("", ""),
        (None, None),
    ],
)
def test_a_link_view_out_of_range_or_not_numbers_is_ignored(centre, zoom):
    assert link_view(centre, zoom) is None


def test_a_view_is_written_rounded_without_trailing_zeros():
    view = {"center": [52.921234567, -1.40000049], "zoom": 11.256}
    assert view_query(view) == {"c": "52.92123,-1.4", "z": "11.26"}
    assert view_query({"center": [53.0, -0.000001], "zoom": 9.0}) == {"c": "53,0", "z": "9"}
    assert view_query(None) == {}


def test_a_reported_view_is_checked_like_a_links():
    assert reported_view({"center": [52.9, -1.5], "zoom": 9, "bounds": []}) == {
        "center": [52.9, -1.5],
        "zoom": 9.0,
    }
    for bad in (None, {}, {"center": [52.9], "zoom": 9}, {"center": "52.9,-1.5", "zoom": 9}):
        assert reported_view(bad) is None


def corridor(spine: LineString | None) -> gpd.GeoDataFrame:
    """A belt and spine as layers.corridor builds them (columns it names), placed by hand."""
    rows = [
        {
            "part": "belt",
            "width_km": 10.0,
            "share_inside": 0.7,
            "hubs": "Derby (12), Coventry (9)",
            "note": "",
            "geometry": box(-1.6, 52.3, -1.3, 53.0),
        },
        {
            "part": "spine",
            "width_km": 10.0,
            "share_inside": None,
            "hubs": "",
            "note": "",
            "geometry": spine if spine is not None else LineString(),
        },
    ]
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def test_the_belt_and_its_spine_are_two_overlays_with_their_styles():
    found = belt_overlays(corridor(LineString([(-1.47, 52.92), (-1.51, 52.41)])))
    assert [o.label for o in found] == ["Midlands Defence Belt (model)", "The belt's spine"]
    assert dict(found[0].style) == style.CORRIDOR_STYLE
    assert dict(found[1].style) == style.SPINE_STYLE
    assert found[0].tooltip == (
        "Midlands Defence Belt (computed model), 10 km wide, holds 70% of the selected sites, "
        "hubs: Derby (12), Coventry (9)"
    )
    spine = found[1].geojson["features"][0]["geometry"]
    assert [list(point) for point in spine["coordinates"]] == [[-1.47, 52.92], [-1.51, 52.41]]


def test_a_belt_round_one_hub_has_no_spine_and_no_belt_none():
    assert [o.label for o in belt_overlays(corridor(None))] == ["Midlands Defence Belt (model)"]
    assert belt_overlays(None) == []


def test_each_cluster_is_named_with_its_size_on_hover():
    clusters = gpd.GeoDataFrame(
        {"name": ["Derby", "Coventry"], "size": [4, 3]},
        geometry=[Point(-1.47, 52.92).buffer(0.05), Point(-1.51, 52.41).buffer(0.05)],
        crs="EPSG:4326",
    )
    found = cluster_overlay(clusters)
    assert found.label == "Site clusters" == style.overlay_label("clusters")
    tips = [f["properties"]["tip"] for f in found.geojson["features"]]
    assert tips == ["Derby: 4 sites", "Coventry: 3 sites"]


def test_an_overlay_keeps_each_tooltip_with_its_shape_and_drops_empty_shapes():
    shapes = gpd.GeoSeries([box(0, 0, 1, 1), Point(5, 5).buffer(0)], crs="EPSG:4326")
    found = overlay(shapes, label="x", style={}, tooltips=["first <b>", "empty"])
    assert [f["properties"] for f in found.geojson["features"]] == [{"tip": "first <b>"}]
    assert json.dumps(found.geojson).count("tip") == 1
    with pytest.raises(ValueError, match="1 tooltips for 2 shapes"):
        overlay(shapes, label="x", style={}, tooltips=["only one"])


def test_a_unitary_authority_goes_to_the_county_chooser_only(registry: gpd.GeoDataFrame):
    chosen = chooser_codes(registry, ("E06000020", "E06000051"))
    assert chosen["f_county"] == ["E06000020", "E06000051"]
    assert chosen["f_lad"] == []
    every = [code for codes in chosen.values() for code in codes]
    assert sorted(every) == ["E06000020", "E06000051"]


def test_every_kind_of_area_is_chosen_once(registry: gpd.GeoDataFrame):
    lad = registry.loc[registry["lad_code"] != registry["county_code"], "lad_code"].iloc[0]
    county = registry.loc[registry["county_code"].str.startswith("E10"), "county_code"].iloc[0]
    ca = registry.loc[registry["ca_code"] != "", "ca_code"].iloc[0]
    region = registry["region_code"].iloc[0]
    chosen = chooser_codes(registry, (region, ca, county, lad, lad, region))
    assert chosen == {"f_region": [region], "f_ca": [ca], "f_county": [county], "f_lad": [lad]}
