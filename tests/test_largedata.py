"""Fast mode: the switch at the threshold, bytes per point, and escaping of every string."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest

from benchmarks.synthetic import synthetic_sites
from layers import vocabulary
from layers.sites import load_sites
from mapping import build_map, largedata, popups, style

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def many(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return synthetic_sites(2000, seed=3, boundaries_dir=boundaries_dir)


@pytest.fixture(scope="module")
def hostile(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)


def render(sites: gpd.GeoDataFrame, boundaries_dir: Path, **options: object) -> str:
    return build_map(sites, boundaries_dir=boundaries_dir, **options).get_root().render()


def payload_of(html: str) -> dict:
    found = re.search(r"var data = (\{.*?\});\n", html)
    assert found, "the fast-mode layer writes its data"
    return json.loads(found.group(1))


def test_the_map_switches_to_fast_mode_just_above_the_threshold(registry, boundaries_dir: Path):
    five, six = registry.head(5), registry.head(6)
    at = render(five, boundaries_dir, large_data_threshold=5)
    above = render(six, boundaries_dir, large_data_threshold=5)
    assert "Sites (5)" in at and "fast mode" not in at
    assert "mdm-marker" in at
    assert '"Sites (6, fast mode)"' in above, "the layer control names the switch"
    assert "mdm-marker" not in above, "no per-site markers in fast mode"
    payload = payload_of(above)
    assert payload["note"].startswith("<b>Fast mode</b>: 6 sites (more than 5)"), "a note says so"
    assert len(payload["rows"]) == 6


def test_the_default_threshold_applies_when_none_is_given():
    limit = largedata.LARGE_DATA_THRESHOLD
    assert not largedata.use_fast_mode(limit)
    assert largedata.use_fast_mode(limit + 1)
    assert largedata.use_fast_mode(1, threshold=0)
    with pytest.raises(ValueError, match="large_data_threshold must be 0 or more sites, got -1"):
        largedata.use_fast_mode(10, threshold=-1)


def test_the_real_registry_keeps_its_rich_markers(registry, boundaries_dir: Path):
    assert len(registry) <= largedata.LARGE_DATA_THRESHOLD
    assert "fast mode" not in render(registry, boundaries_dir)


def test_fast_mode_costs_under_100_bytes_of_page_per_site(many, boundaries_dir: Path):
    base = len(render(many.head(0), boundaries_dir).encode())
    fast = len(render(many, boundaries_dir, large_data_threshold=0).encode())
    markers = len(render(many.head(200), boundaries_dir, large_data_threshold=10_000).encode())
    per_site = (fast - base) / len(many)
    assert per_site <= 100, f"{per_site:.0f} bytes per site"
    assert (markers - base) / 200 > 10 * per_site, "one marker each is the costly way"


def test_the_legend_still_counts_the_selection_in_fast_mode(many, boundaries_dir: Path):
    html = render(many, boundaries_dir, large_data_threshold=0)
    assert "Main capability (colour)" in html and "Kind of site (shape)" in html
    suppliers = int((many["kind"] == "supplier").sum())
    # the legend's HTML is written as a JSON string (<, > and " escaped)
    assert f'Supplier\\u003cspan class=\\"count\\"\\u003e{suppliers}\\u003c' in html


def test_rows_carry_position_colour_kind_capabilities_and_district(many):
    payload = largedata.compact_payload(many.head(50))
    slugs = list(vocabulary.CAPABILITIES)
    for row, site in zip(payload["rows"], many.head(50).to_dict("records"), strict=True):
        lat, lon, colour, kind, mask, district, name = row
        assert (lat, lon) == (round(site["lat"], 5), round(site["lon"], 5))
        assert payload["colours"][colour] == style.capability_colour(site["capabilities"][0])
        assert list(vocabulary.KINDS)[kind] == site["kind"]
        assert {slugs[i] for i in range(len(slugs)) if mask & (1 << i)} == set(site["capabilities"])
        assert payload["districts"][district] == popups.text(site["lad_name"])
        assert name == popups.text(site["name"], limit=120)
    assert len(payload["districts"]) < 50, "district names are written once each"


def test_every_string_is_escaped_before_it_reaches_the_page(hostile, boundaries_dir: Path):
    html = render(hostile, boundaries_dir, large_data_threshold=0)
    assert "<img src=x onerror=alert(1)>" not in html
    assert "<script>alert(" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\u202e" not in html, "bidirectional overrides are dropped"
    names = [row[-1] for row in payload_of(html)["rows"]]
    assert names == [popups.text(n, limit=120) for n in hostile["name"]]
    assert not any("<" in n or ">" in n for n in names)


def test_the_fast_layer_uses_no_inline_event_handlers(hostile, boundaries_dir: Path):
    html = render(hostile, boundaries_dir, large_data_threshold=0)
    script = html[html.index("var data = ") : html.index("return group;")]
    assert not re.search(r"<[^>]*\son\w+\s*=", script), "no on*= attribute in built markup"
    assert ".innerHTML = data.note" in script  # the note is written in Python, escaped
    assert 'group.on("click"' in script and 'group.on("mouseover"' in script


def test_script_json_cannot_end_the_script_element():
    dumped = largedata.script_json({"name": "</script><!-- \u2028"})
    assert "</" not in dumped and "<!--" not in dumped and "\u2028" not in dumped
    assert json.loads(dumped) == {"name": "</script><!-- \u2028"}


def test_fast_mode_draws_the_legend_shapes():
    for kind in vocabulary.KINDS:
        corners = largedata.kind_corners(kind)
        if "circle" in style.KIND_SHAPES[kind]:
            assert corners is None, kind
            continue
        assert corners and len(corners) >= 3, kind
        assert all(-1.2 <= v <= 1.2 for corner in corners for v in corner), kind
    assert largedata.kind_corners("military") == [
        [-0.82, -0.82],
        [0.82, -0.82],
        [0.82, 0.82],
        [-0.82, 0.82],
    ]


def test_template_characters_in_names_stay_text(registry, boundaries_dir: Path):
    sites = registry.head(3).copy()
    sites["name"] = ["{{ 7*7 }} Works", "${alert(7)} `tick` Ltd", "{% raw %}back\\slash"]
    html = render(sites, boundaries_dir, large_data_threshold=0)
    names = [row[-1] for row in payload_of(html)["rows"]]
    assert names == [popups.text(n, limit=120) for n in sites["name"]]
    assert "49 Works" not in html, "branca never evaluates a name as a Jinja template"
    for live in ("{{ 7*7 }}", "${alert(7)}", "`tick`", "{% raw %}"):
        assert live not in html
