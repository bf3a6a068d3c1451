"""The hostile corpus: strings from data or uploads render as text everywhere, never as code.

The corpus goes in through the upload reader (the path an officer's file takes) and through
the boundaries (area names), and comes out through the popups, tooltips, legend and title of
``mapping.build_map``, the choropleth, and the standalone page. Static checks read the HTML;
the browser check opens every popup and tooltip in Chromium and listens for dialogs.

Each payload calls ``alert`` with its own number and no quotes, so that if one ever runs, the
dialog says which. Two kinds of code are guarded against: JavaScript in the browser (folium puts
popup and tooltip HTML inside JavaScript template literals) and Jinja on the server (branca
compiles every rendered element again as a Jinja template, so ``{{ ... }}`` in data would run
in the app's process).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from branca.element import Element

import settings
from layers.filters import SiteFilter
from layers.selection import make_selection
from layers.uploads import read_user_sites
from mapping import assets, build_map, popups, standalone
from mapping.choropleth import build_choropleth
from tests.support.browser import offline_page

LONG = "Long " + "x" * 100_000
#: Strings an attacker (or an unlucky spreadsheet) can put in any text field.
HOSTILE_TEXT: tuple[str, ...] = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg/onload=alert(3)>",
    "<b onmouseover=alert(4)>bold</b>",
    "' onmouseover='alert(5)' x='",
    "</script><script>alert(6)</script>",
    "${alert(7)}",
    "`-alert(8)-`",
    "\\`-alert(9)-\\`",
    "</div>`);alert(10);(`",
    "{{ 12345679 * 9 }}",
    "{% raw %} {# an unclosed Jinja block and comment",
    "Right\u202eto\u202cleft \u2066isolate\u2069 override",
    "Emoji 🚀🛡️ works",
    "NUL\x00byte works",
    "Line\u2028separator works",
    LONG,
)
#: Sources that must never become a link.
HOSTILE_URLS: tuple[str, ...] = (
    "javascript:alert(21)",
    "JaVaScRiPt:alert(22)",
    " javascript:alert(23)",
    "data:text/html,<script>alert(24)</script>",
    "vbscript:msgbox(25)",
    'https://example.org/" onmouseover="alert(26)',
    "https://example.org/`-alert(27)-`",
    "https://example.org/${alert(28)}",
    "https://example.org/{{12345679*9}}",
)
ALLOWED_TAGS = {"div", "h4", "p", "table", "tr", "th", "td", "ul", "li", "b", "a"}
ALLOWED_ATTRIBUTES = {"class", "href", "target", "rel"}


class Fragment(HTMLParser):
    """The tags, attributes and visible text of an HTML fragment."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown(value: str) -> str:
    """What a reader should see of ``value``: any white space as a space, no control or bidi."""
    spaced = "".join(" " if c.isspace() else c for c in value if c.isprintable() or c.isspace())
    return re.sub(r"[\u202a-\u202e\u2066-\u2069]", "", spaced)


def hostile_upload() -> bytes:
    """A CSV of sites whose every text field (and source) is hostile."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "name",
            "organisation",
            "kind",
            "capabilities",
            "town",
            "description",
            "source",
            "lat",
            "lon",
        ]
    )
    for number, value in enumerate(HOSTILE_TEXT):
        url = HOSTILE_URLS[number % len(HOSTILE_URLS)]
        lat, lon = 52.2 + number * 0.05, -2.2 + number * 0.08
        writer.writerow([value, value, value, f"space;{value}", value, value, url, lat, lon])
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def hostile_sites(boundaries_dir: Path) -> gpd.GeoDataFrame:
    sites, problems = read_user_sites(
        hostile_upload(), name="hostile.csv", boundaries_dir=boundaries_dir
    )
    left_out = [p for p in problems if not p.kept]
    assert left_out == [], "every hostile row has good coordinates, so each is kept"
    assert len(sites) == len(HOSTILE_TEXT)
    return sites


@pytest.fixture(scope="module")
def hostile_boundaries(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> Path:
    """A copy of the built boundaries whose display area names are hostile."""
    out = tmp_path_factory.mktemp("hostile-boundaries")
    shutil.copytree(boundaries_dir, out, dirs_exist_ok=True)
    for layer in ("lads", "counties", "combined_authorities"):
        path = out / settings.DISPLAY_DIR_NAME / f"{layer}.geojson"
        document = json.loads(path.read_text(encoding="utf-8"))
        for number, feature in enumerate(document["features"]):
            feature["properties"]["name"] = HOSTILE_TEXT[number % len(HOSTILE_TEXT)]
        path.write_text(json.dumps(document), encoding="utf-8")
    return out


def assert_no_hostile_markup(page: str) -> None:
    """No payload survives as markup or as code in a JavaScript string of the page."""
    for value in HOSTILE_TEXT:
        if "<" in value:
            assert value not in page, f"{value!r} reached the page unescaped"
    assert "<img src=x" not in page and "<svg/onload" not in page
    event = re.search(r"<[a-zA-Z][^<>]*\son\w+\s*=\s*['\"]?alert", page)
    assert event is None, f"an event attribute reached the page: {event and event.group(0)}"
    assert "${alert(" not in page, "a data string can interpolate into a JS template literal"
    assert "`-alert(" not in page and "`);alert(" not in page, "a backtick from data is raw"
    assert not re.search(r"href=\\?[\"']\s*(javascript|data|vbscript):", page, re.IGNORECASE)
    assert "\u202e" not in page and "\x00" not in page
    assert "111111111" not in page, "a data string was evaluated as a Jinja template"


# --------------------------------------------------------------------------------------------
# Popups and tooltips


@pytest.mark.parametrize("value", HOSTILE_TEXT, ids=range(len(HOSTILE_TEXT)))
def test_a_popup_holds_only_its_own_markup_and_shows_the_value_as_text(value: str):
    site = {
        "name": value,
        "organisation": value,
        "description": value,
        "town": value,
        "kind": value,
        "capabilities": [value],
        "lad_name": value,
        "location_precision": value,
        "source_url": "https://example.org/source",
        "last_checked": value,
    }
    popup = Fragment(popups.site_popup(site))
    assert set(popup.tags) <= ALLOWED_TAGS
    assert {name for name, _ in popup.attributes} <= ALLOWED_ATTRIBUTES
    assert [v for n, v in popup.attributes if n == "href"] == ["https://example.org/source"]
    visible = "".join(popup.text)
    assert shown(value)[:200] in visible, "the value is shown, as text"
    tooltip = Fragment(popups.site_tooltip(site))
    assert tooltip.tags == [] and shown(value)[:100] in "".join(tooltip.text)


@pytest.mark.parametrize("value", HOSTILE_TEXT, ids=range(len(HOSTILE_TEXT)))
def test_popup_and_tooltip_html_is_safe_inside_a_javascript_template_literal(value: str):
    # folium writes popup and tooltip HTML into JavaScript template literals (`...`), where a
    # backtick ends the string, "${" runs code and a backslash escapes what follows
    site = {"name": value, "organisation": value, "description": value, "town": value}
    for markup in (popups.site_popup(site), popups.site_tooltip(site), popups.text(value)):
        assert "`" not in markup and "${" not in markup and "\\" not in markup, markup[:200]


@pytest.mark.parametrize("value", HOSTILE_TEXT, ids=range(len(HOSTILE_TEXT)))
def test_popup_and_tooltip_html_is_inert_when_branca_compiles_it_as_a_jinja_template(value: str):
    # branca wraps every rendered element in Element(...), which compiles it as a template
    site = {"name": value, "organisation": value, "description": value, "town": value}
    for markup in (popups.site_popup(site), popups.site_tooltip(site), popups.text(value)):
        assert Element(markup).render() == markup


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_source_becomes_a_link_only_when_it_is_plain_http(url: str):
    link = Fragment(popups.safe_link(url, "public source"))
    hrefs = [value for name, value in link.attributes if name == "href"]
    assert all(re.match(r"https?://[^\s\"'<>]+$", href) for href in hrefs), hrefs
    assert not re.search(r"(javascript|data|vbscript):", " ".join(hrefs), re.IGNORECASE)
    assert {name for name, _ in link.attributes} <= ALLOWED_ATTRIBUTES
    markup = popups.safe_link(url, "public source")
    assert "`" not in markup and "${" not in markup, "safe inside a JavaScript template literal"
    assert Element(markup).render() == markup, "inert when compiled as a Jinja template"


def test_very_long_text_is_cut_and_control_characters_dropped():
    assert len(Fragment(popups.text(LONG)).text[0]) <= 600
    assert popups.text("a\x00b\u202ec") == "abc"


# --------------------------------------------------------------------------------------------
# The map, the choropleth and the standalone page


def test_uploaded_hostile_sites_render_as_text_on_the_map(
    hostile_sites: gpd.GeoDataFrame, boundaries_dir: Path
):
    assert "javascript" not in " ".join(hostile_sites["source_url"]), "never kept as a source"
    fmap = build_map(
        hostile_sites,
        boundaries_dir=boundaries_dir,
        cluster_markers=False,
        title=HOSTILE_TEXT[0],
        subtitle=HOSTILE_TEXT[6],
        kpis=[(HOSTILE_TEXT[1], HOSTILE_TEXT[7])],
    )
    page = fmap.get_root().render()
    assert_no_hostile_markup(page)
    # the title is escaped markup; each site's name is JSON data the page sets as text
    assert "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;" in page
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    assert "🚀" in page


def test_hostile_area_names_render_as_text_in_the_map_and_the_choropleth(
    registry: gpd.GeoDataFrame, hostile_boundaries: Path
):
    page = build_map(registry.head(5), boundaries_dir=hostile_boundaries).get_root().render()
    assert_no_hostile_markup(page)
    counts = pd.DataFrame({"Code": registry["lad_code"].unique()[:4], "Sites": [1, 2, 3, 4]})
    choropleth = build_choropleth(
        counts, layer="lads", caption=HOSTILE_TEXT[2], boundaries_dir=hostile_boundaries
    )
    page = choropleth.get_root().render()
    assert_no_hostile_markup(page)
    escaped = "&lt;svg/onload=alert(3)&gt;"
    assert escaped in page or escaped.replace("&", "\\u0026") in page, "kept, as text"


def test_the_standalone_page_has_no_inline_handlers_built_from_data(
    hostile_sites: gpd.GeoDataFrame, boundaries_dir: Path
):
    selection = make_selection(
        hostile_sites,
        SiteFilter(text=""),
        boundaries_dir=boundaries_dir,
        data_version="hostile-test",
    )
    page = standalone.standalone_html(selection, title=HOSTILE_TEXT[0], subtitle=HOSTILE_TEXT[4])
    assert_no_hostile_markup(page)
    handlers = re.findall(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", page)
    assert handlers == [], f"inline event handlers in the page: {handlers[:3]}"
    head = page.split("</head>", 1)[0]
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in head


# --------------------------------------------------------------------------------------------
# In a real browser


OPEN_EVERYTHING = """() => {
  let opened = 0;
  for (const key of Object.keys(window)) {
    const map = window[key];
    if (!key.startsWith('map_') || !map || !map.eachLayer) continue;
    map.eachLayer(layer => {
      if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened++; }
      if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
      if (layer.feature && layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
    });
  }
  return opened;
}"""

#: Open each site's popup on the map page (drawn by the live map's scripts); return their text.
OPEN_EVERY_SITE = """() => {
  const sites = window.livemap.sites, texts = [];
  for (const i of sites.shown()) {
    sites.openPopup(i);
    texts.push(document.querySelector('.leaflet-popup-content').innerText);
  }
  return texts;
}"""

INLINE_HANDLERS = """() => Array.from(document.querySelectorAll('*')).flatMap(
  element => Array.from(element.attributes)
    .filter(a => a.name.toLowerCase().startsWith('on'))
    .map(a => element.tagName + ' ' + a.name + '=' + a.value))"""


@pytest.mark.browser
def test_in_chromium_no_hostile_string_runs_and_each_shows_as_text(
    browser, tmp_path: Path, hostile_sites: gpd.GeoDataFrame, hostile_boundaries: Path
):
    pages = {
        "map.html": build_map(
            hostile_sites,
            boundaries_dir=hostile_boundaries,
            cluster_markers=False,
            title=HOSTILE_TEXT[0],
            kpis=[(HOSTILE_TEXT[6], HOSTILE_TEXT[7])],
        ),
        "choropleth.html": build_choropleth(
            pd.DataFrame({"Code": [], "Sites": []}),
            layer="lads",
            caption=HOSTILE_TEXT[3],
            boundaries_dir=hostile_boundaries,
        ),
    }
    dialogs: list[str] = []
    blocked: list[str] = []
    for name, fmap in pages.items():
        path = tmp_path / name
        path.write_text(assets.inline_html(fmap.get_root().render()), encoding="utf-8")
        page = offline_page(browser, blocked, width=1400, loopback=False)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        page.locator(".leaflet-container").wait_for(timeout=20_000)
        page.evaluate(OPEN_EVERYTHING)
        popups = page.evaluate(OPEN_EVERY_SITE) if name == "map.html" else []
        page.wait_for_timeout(300)
        body = "\n".join([page.locator("body").inner_text(), *popups])
        if name == "map.html":
            assert len(popups) == len(HOSTILE_TEXT), "every site's popup opened"
            assert "<script>alert(1)</script>" in body, "shown as text"
            assert "${alert(7)}" in body and "`-alert(8)-`" in body
            assert page.locator("img[src='x']").count() == 0
        else:
            assert "<b onmouseover=alert(4)>bold</b>" in body, "the caption, shown as text"
        assert page.evaluate(INLINE_HANDLERS) == [], "no element carries an inline handler"
        page.close()
    assert dialogs == [], f"hostile strings ran as code: alert({dialogs})"
    assert blocked == [], f"the offline page asked the network for {blocked[:3]}"
