"""The map's HTML: layers, legend, attribution, local assets and escaped data."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest

import settings
from layers import vocabulary
from layers.sites import load_sites
from mapping import assets, build_map, popups

DATA = Path(__file__).parent / "data"


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
