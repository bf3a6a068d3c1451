"""The map's HTML: layers, legend, attribution, local assets and escaped data.

What the folium map holds, read from the map object and its HTML without a browser.

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

import settings
from layers import filters, vocabulary
from layers.corridor import build_corridor
from layers.filters import SiteFilter
from layers.sites import load_sites
from mapping import assets, build_map, popups, style
from tests.support import handbuilt

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def hostile(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)


def render(sites: gpd.GeoDataFrame, boundaries_dir: Path, **options: object) -> str:
    return build_map(sites, boundaries_dir=boundaries_dir, **options).get_root().render()


def test_the_map_has_its_layers_legend_and_attribution(registry, boundaries_dir: Path):
    html = render(registry, boundaries_dir)
    for label in (
        "Combined authorities",
        "Counties and unitary authorities",
        "Districts (LADs)",
        f"Sites ({len(registry)})",
    ):
        assert label in html
    assert "Wards" not in html, "wards are only added when asked for"
    assert "Main capability (colour)" in html and "Kind of site (shape)" in html
    assert "Open Government Licence v.3.0" in html
    assert html.count('class_name": "mdm-marker"') + html.count("mdm-marker") >= len(registry)


def test_wards_are_added_when_asked(registry, boundaries_dir: Path):
    assert "Wards" in render(registry.head(3), boundaries_dir, show_wards=True)


def test_area_tooltips_count_the_selected_sites(registry, boundaries_dir: Path):
    walsall = registry[registry["lad_code"] == "E08000030"]
    html = render(walsall, boundaries_dir)
    assert f'"code": "E08000030", "name": "Walsall", "sites": {len(walsall)}}}' in html
    assert '"code": "E08000025", "name": "Birmingham", "sites": 0}' in html


def test_a_hostile_name_appears_only_as_text(hostile, boundaries_dir: Path):
    html = render(hostile, boundaries_dir)
    assert "<img src=x onerror=alert(1)>" not in html
    assert "<script>alert(" not in html
    assert "onmouseover=alert(2)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\u202e" not in html, "bidirectional overrides are dropped"


def test_a_javascript_url_never_becomes_a_link():
    popup = popups.site_popup({"name": "x", "source_url": "javascript:alert(1)"})
    assert "href" not in popup
    assert "javascript:alert(1)" in popup  # shown as text
    good = popups.site_popup({"name": "x", "source_url": "https://example.org/?a=1&b=<2>"})
    assert 'href="https://example.org/?a=1&amp;b=&lt;2&gt;"' not in good  # <> is not a URL
    safe = popups.site_popup({"name": "x", "source_url": "https://example.org/?a=1&b=2"})
    assert 'href="https://example.org/?a=1&amp;b=2"' in safe
    assert 'rel="noopener noreferrer"' in safe


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/page?a=1&b=2", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("ftp://example.org/file", False),
        ("https://example.org/a page", False),
        ('https://example.org/"onmouseover=alert(1)', False),
        ("https://example.org/?q=<b>", False),
        ("https://example.org/it's", False),
        ("https://", False),
        ("", False),
        (None, False),
    ],
)
def test_one_rule_says_what_is_an_http_url(url: object, linked: bool):
    assert vocabulary.is_http_url(url) is linked
    assert ("href=" in popups.safe_link(url, "source")) is linked


def test_newlines_and_non_breaking_spaces_become_spaces():
    # Regression: they were deleted, so "Defence\nsystems" read "Defencesystems".
    assert popups.plain_text("Defence\nsystems\u00a0Ltd\tWalsall\r\nUnit\u20282") == (
        "Defence systems Ltd Walsall  Unit 2"
    )
    assert popups.text("Line one\nLine two") == "Line one Line two"
    popup = popups.site_popup({"name": "Babcock\u00a0Walsall", "description": "Makes\nthings"})
    assert "Babcock Walsall" in popup and "Makes things" in popup
    # What prints nothing is still dropped: NUL, a zero-width space, bidirectional overrides.
    assert popups.plain_text("a\x00b\u200bc\u202ed\u2066e") == "abcde"


def test_long_text_is_cut():
    assert len(popups.text("x" * 5000)) <= 600


def test_assets_point_at_local_copies_not_cdns(registry, boundaries_dir: Path):
    if not assets.installed():
        pytest.fail("local map assets are not installed: run 'make assets'")
    html = render(registry, boundaries_dir)
    sources = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    assert sources, "the page loads its libraries"
    assert all(src.startswith(assets.SERVED_URL) for src in sources), sources
    for src in sources:
        assert (assets.VENDOR_DIR / src.removeprefix(assets.SERVED_URL + "/")).is_file(), src


def test_inlined_html_needs_no_network(registry, boundaries_dir: Path):
    html = assets.inline_html(render(registry, boundaries_dir))
    assert not re.search(r'<script src="https?://', html)
    assert not re.search(r'<link rel="stylesheet" href="https?://', html)
    assert "L.markerClusterGroup" in html or "markerClusterGroup" in html


def test_the_light_basemap_uses_tiles_and_credits_them(registry, boundaries_dir: Path):
    html = render(registry.head(2), boundaries_dir, basemap="light")
    assert "server.arcgisonline.com" in html
    assert "Esri" in html


def test_an_unknown_basemap_is_refused(registry, boundaries_dir: Path):
    with pytest.raises(ValueError, match="unknown basemap 'satellite'"):
        build_map(registry, boundaries_dir=boundaries_dir, basemap="satellite")


def test_the_settings_attribution_is_the_ons_wording():
    assert settings.ONS_ATTRIBUTION.startswith("Source: Office for National Statistics")


def test_choropleth_classes_suit_few_and_many_areas():
    from mapping.choropleth import RAMP, class_breaks, colour_for

    assert class_breaks([21, 13, 13]) == [13, 21]
    assert colour_for(21, [13, 21]) == RAMP[-1]
    assert colour_for(0, [13, 21]) != colour_for(13, [13, 21])
    many = class_breaks(list(range(1, 68)))
    assert len(many) == len(RAMP) and many[-1] == 67


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
