"""What the folium map holds, read from the map object and its HTML without a browser.

The selection is the eight hand-built sites of ``tests/support/handbuilt.py``; each one's main
capability (the first it lists) is written out below by hand, so a map that drops sites, draws
only filtered ones when given all, or colours a marker by the wrong capability fails here in
the fast suite.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import pytest
import shapely
from folium.plugins import MarkerCluster

from layers import filters
from layers.corridor import build_corridor
from layers.filters import SiteFilter
from mapping import build_map, style
from tests.support import handbuilt

#: Each hand-built site's main capability: the first it lists (all eight differ).
MAIN_CAPABILITY = {
    "aero-works": "combat_air",
    "cyber-lab": "cyber_digital",
    "space-centre": "space",
    "tank-depot": "land_systems",
    "reactor-plant": "nuclear_propulsion",
    "old-airfield": "test_evaluation",
    "radar-station": "istar",
    "drone-startup": "autonomy_ai",
}
#: Each site's position as written in the fixture (lat, lon).
POSITIONS = {row[0]: (row[13], row[14]) for row in handbuilt.ROWS}
BELT_GROUP = "Midlands Defence Belt (model)"


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    return handbuilt.sites()


def descendants(element: folium.Element) -> list[folium.Element]:
    found = []
    for child in element._children.values():
        found.append(child)
        found.extend(descendants(child))
    return found


def site_markers(fmap: folium.Map) -> dict[str, str]:
    """Return {site id: marker fill colour} for every site marker, by the marker's position."""
    by_position = {position: site_id for site_id, position in POSITIONS.items()}
    colours: dict[str, str] = {}
    for element in descendants(fmap):
        if not isinstance(element, folium.Marker):
            continue
        icon = next(c for c in element._children.values() if isinstance(c, folium.DivIcon))
        fill = re.search(r'<g fill="(#[0-9A-Fa-f]{6})"', icon.options["html"])
        assert fill, icon.options["html"]
        site_id = by_position[tuple(element.location)]
        assert site_id not in colours, f"{site_id} drawn twice"
        colours[site_id] = fill.group(1)
    return colours


def palette(site_ids: set[str]) -> dict[str, str]:
    return {site_id: style.CAPABILITY_COLOURS[MAIN_CAPABILITY[site_id]] for site_id in site_ids}


def html_markers(html: str) -> dict[tuple[float, float], str]:
    """Return {(lat, lon): fill colour} for every marker in the rendered page."""
    positions = {
        name: (float(lat), float(lon))
        for name, lat, lon in re.findall(
            r"var (marker_\w+) = L\.marker\(\s*\[([-\d.]+), ([-\d.]+)\]", html
        )
    }
    fills = dict(
        re.findall(
            r'var (div_icon_\w+) = L\.divIcon\(\{\s*"html": "(?:[^"\\]|\\.)*?'
            r'fill=\\"(#[0-9A-Fa-f]{6})\\"',
            html,
        )
    )
    links = re.findall(r"(marker_\w+)\.setIcon\((div_icon_\w+)\)", html)
    assert len(links) == len(positions)
    return {positions[marker]: fills[icon] for marker, icon in links}


def test_the_palette_tells_the_eight_capabilities_apart():
    # a precondition: a marker coloured by the wrong capability would show another colour
    assert len(set(palette(handbuilt.ALL).values())) == 8


@pytest.mark.parametrize("cluster_markers", [True, False])
def test_an_unfiltered_selection_draws_every_site_in_its_colour(
    sites, boundaries_dir: Path, cluster_markers: bool
):
    # all eight, the planned and the closed ones too: nothing is filtered by the map itself
    fmap = build_map(sites, boundaries_dir=boundaries_dir, cluster_markers=cluster_markers)
    assert site_markers(fmap) == palette(handbuilt.ALL)
    groups = [e for e in descendants(fmap) if isinstance(e, (MarkerCluster, folium.FeatureGroup))]
    names = [g.layer_name for g in groups]
    assert "Sites (8)" in names
    group = groups[names.index("Sites (8)")]
    assert isinstance(group, MarkerCluster) is cluster_markers


def test_a_filtered_selection_draws_only_its_sites(sites, boundaries_dir: Path):
    chosen = filters.select_sites(sites, SiteFilter(capabilities=("cyber_digital", "istar")))
    fmap = build_map(chosen, boundaries_dir=boundaries_dir)
    expected = {"cyber-lab", "drone-startup", "space-centre", "radar-station"}
    assert site_markers(fmap) == palette(expected)


def test_the_page_has_one_marker_per_site_in_its_colour(sites, boundaries_dir: Path):
    html = build_map(sites, boundaries_dir=boundaries_dir).get_root().render()
    expected = {POSITIONS[site_id]: colour for site_id, colour in palette(handbuilt.ALL).items()}
    assert html_markers(html) == expected
    assert '"Sites (8)"' in html


def test_each_marker_carries_its_sites_popup_and_tooltip(sites, boundaries_dir: Path):
    fmap = build_map(sites.loc[[100, 103]], boundaries_dir=boundaries_dir)
    markers = [e for e in descendants(fmap) if isinstance(e, folium.Marker)]
    assert len(markers) == 2
    tooltips = sorted(
        c.text for m in markers for c in m._children.values() if isinstance(c, folium.Tooltip)
    )
    assert tooltips == [
        "Aero Works Coventry · Skyward Aerospace",
        "Donnington Vehicle Depot · Army (UK) Logistics · Closing, closes 2029",
    ]
    html = fmap.get_root().render()
    assert "<h4>Aero Works Coventry</h4>" in html
    assert "<h4>Donnington Vehicle Depot</h4>" in html
    # the closing depot carries the closing bar; the works do not
    icons = {
        tuple(m.location): next(
            c for c in m._children.values() if isinstance(c, folium.DivIcon)
        ).options["html"]
        for m in markers
    }
    assert 'class="mdm-closing"' in icons[POSITIONS["tank-depot"]]
    assert 'class="mdm-closing"' not in icons[POSITIONS["aero-works"]]


def belt_layers(fmap: folium.Map) -> list[folium.GeoJson]:
    groups = [
        e
        for e in descendants(fmap)
        if isinstance(e, folium.FeatureGroup) and e.layer_name == BELT_GROUP
    ]
    if not groups:
        return []
    assert len(groups) == 1
    return [c for c in groups[0]._children.values() if isinstance(c, folium.GeoJson)]


def geometry_of(layer: folium.GeoJson) -> dict:
    """The one geometry a layer draws (folium wraps it in a feature collection)."""
    features = layer.data["features"]
    assert len(features) == 1
    return features[0]["geometry"]


def test_the_belt_is_drawn_when_asked_and_only_then(sites, boundaries_dir: Path):
    from layers import boundaries

    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    corridor = build_corridor(sites, width_km=10.0, outline=outline)
    with_belt = build_map(sites, boundaries_dir=boundaries_dir, corridor=corridor)
    layers = belt_layers(with_belt)
    kinds = sorted(geometry_of(layer)["type"] for layer in layers)
    assert kinds == ["MultiLineString", "Polygon"] or kinds == ["LineString", "Polygon"]
    polygon = next(
        geometry_of(layer) for layer in layers if geometry_of(layer)["type"] == "Polygon"
    )
    drawn = shapely.geometry.shape(polygon)
    given = corridor.loc[corridor["part"] == "belt"].geometry.iloc[0]
    assert drawn.equals_exact(given, tolerance=1e-9)
    html = with_belt.get_root().render()
    assert f'"{BELT_GROUP}"' in html
    assert "Midlands Defence Belt (computed model), 10 km wide" in html
    without = build_map(sites, boundaries_dir=boundaries_dir)
    assert belt_layers(without) == []
    assert BELT_GROUP not in without.get_root().render()


def test_a_belt_around_one_hub_is_drawn_without_a_spine(sites, boundaries_dir: Path):
    from layers import boundaries

    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    one = sites.loc[[100]]
    corridor = build_corridor(one, width_km=6.0, outline=outline)
    layers = belt_layers(build_map(one, boundaries_dir=boundaries_dir, corridor=corridor))
    assert [geometry_of(layer)["type"] for layer in layers] == ["Polygon"]
    assert len(geometry_of(layers[0])["coordinates"][0]) > 60  # a disc of many vertices


def test_the_attribution_is_one_text_of_full_sentences(boundaries_dir: Path) -> None:
    """Leaflet joins separate attributions with ", ", which after a full stop reads "2023., ";
    the map gives one attribution (ONS, then OpenStreetMap for the estates) of whole sentences."""
    estates = gpd.GeoDataFrame(
        {"name": ["Test range"]},
        geometry=[shapely.box(-1.51, 52.49, -1.49, 52.51)],
        crs="EPSG:4326",
    )
    fmap = build_map(handbuilt.sites(), boundaries_dir=boundaries_dir, estates=estates)
    page = fmap.get_root().render()
    calls = page.split("map.attributionControl.addAttribution(")
    assert len(calls) == 2
    added = json.loads(calls[1].split(");")[0])
    assert added == (
        "Source: Office for National Statistics licensed under the Open Government Licence "
        "v.3.0. Contains OS data \u00a9 Crown copyright and database right 2023. "
        "\u00a9 OpenStreetMap contributors (ODbL)."
    )
