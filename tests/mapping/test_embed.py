"""The "Embed" export: an iframe a council's page can paste, named, sized, lazy, with its data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pytest

import settings
from layers.filters import SiteFilter
from layers.selection import make_selection
from mapping import embed, export

MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


class Tags(HTMLParser):
    """Every start tag of a snippet with its attributes, in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_snippet_is_an_iframe_with_a_title_a_size_lazy_loading_and_data_links():
    snippet = embed.embed_html(
        "maps/belt.html",
        title="Defence sites in the Midlands",
        data_links={"GeoJSON": "maps/sites.geojson", "CSV": "maps/sites.csv"},
        width=800,
        height=450,
    )
    assert snippet == (
        '<figure class="mdm-embed">\n'
        '  <iframe src="maps/belt.html" title="Defence sites in the Midlands" width="800" '
        'height="450" loading="lazy" style="border: 1px solid #666666;" '
        'allow="fullscreen"></iframe>\n'
        "  <figcaption>Defence sites in the Midlands: "
        '<a href="maps/belt.html#mdm-in-words">The map in words</a> · '
        '<a href="maps/sites.geojson">Download the data (GeoJSON)</a> · '
        '<a href="maps/sites.csv">Download the data (CSV)</a></figcaption>\n'
        "</figure>\n"
    )


def test_a_title_with_markup_stays_text():
    snippet = embed.embed_html("https://example.org/map.html", title='Sites "A" <b>&</b>')
    frame = dict(Tags(snippet).tags)["iframe"]
    assert frame["title"] == 'Sites "A" <b>&</b>'
    assert "<b>" not in snippet


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"map_url": "javascript:alert(1)"}, "map_url 'javascript:alert(1)' is not an http(s)"),
        ({"data_links": {"CSV": "data:text/csv,x"}}, "CSV 'data:text/csv,x' is not an http(s)"),
        ({"title": "  "}, "title is empty"),
        ({"width": "wide"}, "width 'wide' is neither pixels"),
        ({"height": 20}, "height 20 is not a number of pixels"),
    ],
)
def test_bad_input_is_refused_with_the_reason(options: dict, message: str):
    arguments = {"map_url": "map.html", **options}
    with pytest.raises(ValueError, match="cannot write the embed") as raised:
        embed.embed_html(**arguments)
    assert message in str(raised.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as raised:
        embed.embed_html("javascript:x", title="", height=5)
    assert str(raised.value).count(";") == 2


def test_write_embed_puts_the_map_and_its_data_beside_the_snippet(
    registry: gpd.GeoDataFrame, boundaries_dir: Path, tmp_path: Path
):
    selection = make_selection(
        registry,
        SiteFilter(capabilities=("space",)),
        boundaries_dir=boundaries_dir,
        data_version="testdata",
        created=MADE,
    )
    written = embed.write_embed(selection, tmp_path / "pitch.html", title="Space sites")
    names = sorted(path.name for path in written)
    assert names == [
        "pitch-map.html",
        "pitch-sites.csv",
        "pitch-sites.csv-metadata.json",
        "pitch-sites.geojson",
        "pitch.html",
    ]
    snippet = (tmp_path / "pitch.html").read_text(encoding="utf-8")
    tags = Tags(snippet).tags
    frame = dict(tags)["iframe"]
    assert frame["src"] == "pitch-map.html"
    assert frame["title"] == f"Space sites (interactive map of {len(selection.sites)} sites)"
    assert frame["loading"] == "lazy" and frame["height"] == "600" and frame["width"] == "100%"
    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert links == ["pitch-map.html#mdm-in-words", "pitch-sites.geojson", "pitch-sites.csv"]
    for link in links:
        assert (tmp_path / link.split("#")[0]).is_file(), link
    geojson = json.loads((tmp_path / "pitch-sites.geojson").read_text(encoding="utf-8"))
    assert len(geojson["features"]) == len(selection.sites) > 0
    assert 'id="mdm-in-words"' in (tmp_path / "pitch-map.html").read_text(encoding="utf-8")


def test_the_command_line_writes_the_embed(boundaries_dir: Path, tmp_path: Path):
    out = tmp_path / "embed.html"
    argv = ["--sites", str(settings.SITES_CSV), "--boundaries", str(boundaries_dir)]
    assert export.main([*argv, "--format", "embed", "--kind", "university", "-o", str(out)]) == 0
    assert "<iframe" in out.read_text(encoding="utf-8")
    assert (tmp_path / "embed-map.html").is_file()
