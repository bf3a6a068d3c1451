"""The map's HTML: layers, legend, attribution, local assets and escaped data.

What the folium map holds, read from the map object and its HTML without a browser. The sites
are drawn by the live map's scripts, inlined into the page; what they are given is the JSON
each sites layer writes (``var data = {...}``), read here as the page's scripts read it.

The selection is the eight hand-built sites of ``tests/support/handbuilt.py``; each one's main
capability (the first it lists) is written out below by hand, so a map that drops sites, draws
only filtered ones when given all, or colours a marker by the wrong capability fails here in
the fast suite.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pytest
import shapely

import settings
from layers import filters, vocabulary
from layers.corridor import build_corridor
from layers.filters import SiteFilter
from layers.sites import load_sites
from mapping import assets, build_map, largedata, legend, popups, style
from mapping.livemap.rows import plain_name
from tests.support import handbuilt

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def hostile(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)


def render(sites: gpd.GeoDataFrame, boundaries_dir: Path, **options: Any) -> str:
    return build_map(sites, boundaries_dir=boundaries_dir, **options).get_root().render()


def payloads(html: str) -> list[dict]:
    """Return what each sites layer of the page hands to the shared scripts, in page order."""
    found = [json.loads(p) for p in re.findall(r"var data = (\{.*?\});\n", html)]
    assert found, "the page writes its sites for the shared scripts"
    return found


def drawn_sites(html: str) -> dict[str, dict]:
    """Return {site id: what the page draws} from the rows the page's scripts receive.

    The colour and the shape are looked up in the tables the page sends with them, as
    ``sites.js`` does; the status row says the status text, closing, uploaded and planned.
    """
    drawn: dict[str, dict] = {}
    for data in payloads(html):
        tables = data["tables"]
        for number, row in enumerate(data["rows"]):
            site_id, lon, lat, kind, capability, status, name, _ = row
            assert site_id not in drawn, f"{site_id} drawn twice"
            text, closing, uploaded, planned = data["statuses"][status]
            drawn[site_id] = {
                "colour": tables["palette"][capability],
                "kind": tables["kinds"][kind],
                "position": (lat, lon),
                "name": name,
                "status": text,
                "closing": closing,
                "uploaded": uploaded,
                "planned": planned,
                "details": None if data["details"] is None else data["details"][number],
            }
    return drawn


def area_layers(fmap: folium.Map) -> list[str]:
    return [c.layer_name for c in fmap._children.values() if isinstance(c, folium.GeoJson)]


def test_the_map_has_its_layers_legend_and_attribution(registry, boundaries_dir: Path):
    fmap = build_map(registry, boundaries_dir=boundaries_dir)
    html = fmap.get_root().render()
    for label in (
        "Combined authorities",
        "Counties and unitary authorities",
        "Districts (LADs)",
        f"Sites ({len(registry)})",
    ):
        assert label in html
    drawn = area_layers(fmap)
    assert "Wards" not in drawn, "wards are only added when asked for"
    for label in ("Combined authorities", "Counties and unitary authorities", "Districts (LADs)"):
        assert label in drawn
    assert "Open Government Licence v.3.0" in html
    # one sites layer, drawn by the shared scripts, which bring the legend
    (data,) = payloads(html)
    assert len(data["rows"]) == len(registry)
    assert set(drawn_sites(html)) == set(registry["site_id"])
    for source in ("sites.js", "legend.js", "keyboard.js"):
        assert largedata.shared_sources()[source].replace("</script", "<\\/script") in html
    assert "Main capability (colour)" in html and "Kind of site (shape)" in html
    assert "mdm-marker" not in html, "no second kind of marker"
    assert "<summary>Legend</summary>" not in html, "no second legend (mapping.legend's own)"


def test_wards_are_added_when_asked(registry, boundaries_dir: Path):
    fmap = build_map(registry.head(3), boundaries_dir=boundaries_dir, show_wards=True)
    assert "Wards" in area_layers(fmap)


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
    # each string is JSON data, escaped so it cannot end the script, and set as text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "\u202e" not in html, "bidirectional overrides are dropped"
    drawn = drawn_sites(html)
    assert [drawn[i]["name"] for i in hostile["site_id"]] == [
        plain_name(n) for n in hostile["name"]
    ]
    probe = drawn["xss-probe-image"]["details"]
    assert probe["organisation"] == "<script>alert('org')</script>", "kept whole, as text"
    assert probe["town"] == "Walsall <b onmouseover=alert(2)>bold</b>"
    assert probe["source"] == "", "a source that is not a plain http(s) URL is not linked"


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


def site_colours(fmap: folium.Map) -> dict[str, str]:
    """Return {site id: fill colour} for every site the map draws, checked at its position."""
    drawn = drawn_sites(fmap.get_root().render())
    for site_id, site in drawn.items():
        assert site["position"] == pytest.approx(POSITIONS[site_id], abs=1e-5), site_id
    return {site_id: site["colour"] for site_id, site in drawn.items()}


def palette(site_ids: Collection[str]) -> dict[str, str]:
    return {site_id: style.CAPABILITY_COLOURS[MAIN_CAPABILITY[site_id]] for site_id in site_ids}


def sites_layers(fmap: folium.Map) -> list[largedata.FastSites]:
    return [e for e in descendants(fmap) if isinstance(e, largedata.FastSites)]


def test_the_palette_tells_the_eight_capabilities_apart():
    # a precondition: a marker coloured by the wrong capability would show another colour
    assert len(set(palette(handbuilt.ALL).values())) == 8


@pytest.mark.parametrize("cluster_markers", [True, False, None])
def test_an_unfiltered_selection_draws_every_site_in_its_colour(
    sites, boundaries_dir: Path, cluster_markers: bool | None
):
    # all eight, the planned and the closed ones too: nothing is filtered by the map itself
    fmap = build_map(sites, boundaries_dir=boundaries_dir, cluster_markers=cluster_markers)
    assert site_colours(fmap) == palette(handbuilt.ALL)
    (layer,) = sites_layers(fmap)
    assert layer.layer_name == "Sites (8)"
    (data,) = payloads(fmap.get_root().render())
    # eight sites are too few to cluster unless asked
    assert data["cluster"] is bool(cluster_markers)


def test_a_filtered_selection_draws_only_its_sites(sites, boundaries_dir: Path):
    chosen = filters.select_sites(sites, SiteFilter(capabilities=("cyber_digital", "istar")))
    fmap = build_map(chosen, boundaries_dir=boundaries_dir)
    expected = {"cyber-lab", "drone-startup", "space-centre", "radar-station"}
    assert site_colours(fmap) == palette(expected)


def test_every_site_is_drawn_by_the_shared_scripts_whatever_the_count(
    registry, boundaries_dir: Path
):
    for count in (0, 1, 8, len(registry)):
        fmap = build_map(registry.head(count), boundaries_dir=boundaries_dir)
        layers = sites_layers(fmap)
        assert len(layers) == 1 and layers[0].count == count
        assert not [e for e in descendants(fmap) if isinstance(e, folium.Marker)]
        assert legend.draws_shared_sites(fmap), "the shared scripts bring legend and keys"
        html = fmap.get_root().render()
        assert len(payloads(html)[0]["rows"]) == count
        assert not re.search(r"var (marker|div_icon)_[0-9a-f]+ = ", html), "no folium marker"


def test_each_site_carries_its_popup_and_tooltip_text(sites, boundaries_dir: Path):
    html = build_map(sites.loc[[100, 103]], boundaries_dir=boundaries_dir).get_root().render()
    drawn = drawn_sites(html)
    assert set(drawn) == {"aero-works", "tank-depot"}
    works, depot = drawn["aero-works"], drawn["tank-depot"]
    assert (works["name"], works["details"]["organisation"]) == (
        "Aero Works Coventry",
        "Skyward Aerospace",
    )
    assert (depot["name"], depot["details"]["organisation"], depot["status"]) == (
        "Donnington Vehicle Depot",
        "Army (UK) Logistics",
        "Closing, closes 2029",
    )
    # the closing depot carries the closing bar; the works do not
    assert depot["closing"] and not works["closing"]
    assert not works["uploaded"] and not depot["uploaded"]


def test_uploaded_sites_are_drawn_ringed_in_the_same_layer_and_legend(sites, boundaries_dir: Path):
    uploads = sites.loc[[101]].assign(site_id="mine")
    fmap = build_map(sites.loc[[100]], boundaries_dir=boundaries_dir, uploads=uploads)
    first, second = sites_layers(fmap)
    assert (first.uploaded, second.uploaded) == (False, True)
    assert first.control and not second.control, "one sites entry in the layer control"
    drawn = drawn_sites(fmap.get_root().render())
    assert drawn["mine"]["uploaded"] and not drawn["aero-works"]["uploaded"]
    # the same colour rule as every site: the upload is the cyber lab's row
    assert drawn["mine"]["colour"] == style.CAPABILITY_COLOURS[MAIN_CAPABILITY["cyber-lab"]]


def test_the_projector_legend_is_the_larger_one(sites, boundaries_dir: Path):
    large = payloads(render(sites, boundaries_dir, large_legend=True))[0]
    small = payloads(render(sites, boundaries_dir))[0]
    assert (large["large"], small["large"]) == (True, False)


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
    # the legend lists the belt (its overlay entry) only on a map that draws it
    belt_entry = {"label": BELT_GROUP, "style": style.CORRIDOR_STYLE}
    assert belt_entry in payloads(html)[0]["overlays"]
    without = build_map(sites, boundaries_dir=boundaries_dir)
    assert belt_layers(without) == []
    assert belt_entry not in payloads(without.get_root().render())[0]["overlays"]


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
