"""Canvas sites on folium pages: the switch, bytes per point, one encoding, and escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from benchmarks.synthetic import synthetic_sites
from layers import vocabulary
from layers.sites import load_sites
from mapping import build_map, largedata, style
from mapping.livemap.base import legend_tables
from mapping.livemap.rows import Catalogue, plain_name

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def many(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return synthetic_sites(2000, seed=3, boundaries_dir=boundaries_dir)


@pytest.fixture(scope="module")
def hostile(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)


def render(sites: gpd.GeoDataFrame, boundaries_dir: Path, **options: Any) -> str:
    return build_map(sites, boundaries_dir=boundaries_dir, **options).get_root().render()


def payload_of(html: str) -> dict:
    found = re.search(r"var data = (\{.*?\});\n", html)
    assert found, "the fast-mode layer writes its data"
    return json.loads(found.group(1))


def test_every_size_is_drawn_on_the_canvas_and_details_go_above_the_threshold(
    registry, boundaries_dir: Path
):
    five = render(registry.head(5), boundaries_dir)
    assert '"Sites (5)"' in five, "the layer control names the sites"
    assert "mdm-marker" not in five, "no per-site DOM markers, at any size"
    payload = payload_of(five)
    assert len(payload["rows"]) == 5 and len(payload["details"]) == 5
    assert payload["note"] == "", "five sites are not fast mode: their popups keep details"
    # a low threshold does not strip a small page's popups: fast mode is above the default too
    six = payload_of(render(registry.head(6), boundaries_dir, large_data_threshold=5))
    assert len(six["details"]) == 6 and six["note"] == ""


def test_fast_mode_is_above_the_threshold_and_the_default(many, boundaries_dir: Path):
    html = render(many, boundaries_dir, large_data_threshold=0)
    payload = payload_of(html)
    assert '"Sites (2,000, fast mode)"' in html
    assert payload["details"] is None, "fast mode sends the rows only"
    assert payload["note"].startswith("Fast mode: 2,000 sites (more than 0)")


def test_the_default_threshold_applies_when_none_is_given():
    limit = largedata.LARGE_DATA_THRESHOLD
    assert not largedata.use_fast_mode(limit)
    assert largedata.use_fast_mode(limit + 1)
    assert largedata.use_fast_mode(1, threshold=0)
    with pytest.raises(ValueError, match="large_data_threshold must be 0 or more sites, got -1"):
        largedata.use_fast_mode(10, threshold=-1)


def test_fast_mode_costs_under_100_bytes_of_page_per_site(many, boundaries_dir: Path):
    scripts = len(render(many.head(1), boundaries_dir, large_data_threshold=0).encode())
    fast = len(render(many, boundaries_dir, large_data_threshold=0).encode())
    detailed = len(render(many, boundaries_dir, large_data_threshold=10_000).encode())
    per_site = (fast - scripts) / (len(many) - 1)
    assert per_site <= 100, f"{per_site:.0f} bytes per site"
    assert (detailed - scripts) / (len(many) - 1) > per_site, "the details are what fast mode saves"


def test_the_page_draws_from_the_live_maps_tables_and_rows(many):
    payload = largedata.compact_payload(many.head(50))
    assert payload["tables"] == json.loads(json.dumps(legend_tables()))
    catalogue = Catalogue()
    indexes = catalogue.encode(many.head(50))
    assert payload["rows"] == [list(catalogue.rows[i]) for i in indexes]
    assert payload["statuses"] == catalogue.statuses


def test_every_string_reaches_the_page_as_text_in_json(hostile, boundaries_dir: Path):
    html = render(hostile, boundaries_dir, large_data_threshold=0)
    assert "<img src=x onerror=alert(1)>" not in html
    assert "<script>alert(" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html, "written as JSON escapes"
    assert "\u202e" not in html and "\\u202e" not in html, "bidirectional overrides are dropped"
    names = [row[6] for row in payload_of(html)["rows"]]
    assert names == [plain_name(n) for n in hostile["name"]]


def test_the_page_sets_no_markup_from_data(hostile, boundaries_dir: Path):
    html = render(hostile, boundaries_dir, large_data_threshold=0)
    glue = html[html.index("var data = ") : html.index("return shared.sites.layer;")]
    assert "innerHTML" not in glue
    for name, source in largedata.shared_sources().items():
        assert "innerHTML" not in source, f"{name} sets text only"
        inline = re.search(r"setAttribute\(\s*[\"']on|<[^>]*\son\w+\s*=", source)
        assert not inline, f"{name} binds no inline handler"


def test_script_json_cannot_end_the_script_element():
    dumped = largedata.script_json({"name": "</script><!-- \u2028"})
    assert "</" not in dumped and "<!--" not in dumped and "\u2028" not in dumped
    assert json.loads(dumped) == {"name": "</script><!-- \u2028"}


def test_the_markers_draw_the_legend_shapes():
    for kind in vocabulary.KINDS:
        corners = style.kind_corners(kind)
        if "circle" in style.KIND_SHAPES[kind]:
            assert corners is None, kind
            continue
        assert corners and len(corners) >= 3, kind
        assert all(-1.2 <= v <= 1.2 for corner in corners for v in corner), kind
    assert style.kind_corners("military") == [
        [-0.82, -0.82],
        [0.82, -0.82],
        [0.82, 0.82],
        [-0.82, 0.82],
    ]


def test_template_characters_in_names_stay_text(registry, boundaries_dir: Path):
    sites = registry.head(3).copy()
    sites["name"] = ["{{ 7*7 }} Works", "${alert(7)} `tick` Ltd", "{% raw %}back\\slash"]
    html = render(sites, boundaries_dir, large_data_threshold=0)
    names = [row[6] for row in payload_of(html)["rows"]]
    assert names == [plain_name(n) for n in sites["name"]]
    assert "49 Works" not in html, "branca never evaluates a name as a Jinja template"
    for live in ("{{ 7*7 }}", "{% raw %}"):
        assert live not in html
