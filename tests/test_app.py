"""The Streamlit app through AppTest: filters, counts, links and registry problems."""

from __future__ import annotations

import csv
import logging
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import settings
from tests.support.oracles import open_in_year

APP = str(settings.ROOT / "app.py")
DATA = Path(__file__).parent / "data"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, boundaries_dir: Path) -> AppTest:
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def registry(registry):
    """The registry as the app shows it by default: the sites open this year, and planned ones."""
    return registry[[open_in_year(site, planned=True) for site in registry.to_dict("records")]]


#: Where each count sits in the KPI line ("**96** of 104 sites open or planned in 2026 ·
#: **70** organisations · ...").
KPI_PATTERNS = {
    "Sites selected": r"\*\*(\d+)\*\* of \d+ sites",
    "Sites counted": r"\*\*\d+\*\* of (\d+ sites [a-z ]+ \d{4}) ·",
    "Organisations": r"\*\*(\d+)\*\* organisations",
    "Districts covered": r"\*\*(\d+)\*\* of 67 districts",
    "Capabilities present": r"\*\*(\d+)\*\* of 15 capabilities",
}


def metric(at: AppTest, label: str) -> str:
    """Read one count from the page's KPI line."""
    for block in at.markdown:
        found = re.search(KPI_PATTERNS[label], str(block.value))
        if found:
            return found.group(1)
    raise AssertionError(f"no KPI line with {label!r} on the page")


def table_rows(at: AppTest) -> int:
    return len(at.dataframe[0].value)


def test_the_page_shows_every_site_at_first(app: AppTest, registry):
    at = app.run()
    assert not at.exception
    assert metric(at, "Sites selected") == str(len(registry))
    assert table_rows(at) == len(registry)
    assert at.query_params["v"], "the URL carries the data version"


def test_choosing_a_capability_changes_the_table_and_counts(app: AppTest, registry):
    at = app.run()
    at.multiselect(key="f_caps").set_value(["combat_air"]).run()
    expected = sum("combat_air" in caps for caps in registry["capabilities"])
    assert 0 < expected < len(registry)
    assert metric(at, "Sites selected") == str(expected)
    assert table_rows(at) == expected
    assert at.query_params["cap"] == ["combat_air"] or at.query_params["cap"] == "combat_air"


def test_filters_combine(app: AppTest, registry):
    at = app.run()
    at.multiselect(key="f_kinds").set_value(["military"]).run()
    at.text_input(key="f_text").set_value("RAF").run()
    text = registry["name"] + " " + registry["organisation"] + " " + registry["description"]
    expected = registry[(registry["kind"] == "military") & text.str.contains("raf", case=False)]
    assert 0 < len(expected) < (registry["kind"] == "military").sum() + 1
    assert metric(at, "Sites selected") == str(len(expected))


def test_a_link_reproduces_the_view(app: AppTest, registry):
    app.query_params["cap"] = "nuclear_propulsion"
    app.query_params["kind"] = "prime"
    at = app.run()
    assert at.multiselect(key="f_caps").value == ["nuclear_propulsion"]
    assert at.multiselect(key="f_kinds").value == ["prime"]
    expected = registry[
        (registry["kind"] == "prime")
        & registry["capabilities"].map(lambda c: "nuclear_propulsion" in c)
    ]
    assert metric(at, "Sites selected") == str(len(expected))


def test_a_link_from_older_data_says_so(app: AppTest):
    app.query_params["v"] = "00000000"
    at = app.run()
    assert any("the data has changed" in i.value for i in at.info)


def test_a_link_with_an_unknown_slug_warns(app: AppTest):
    app.query_params["cap"] = "combat_ai"
    at = app.run()
    assert any(r"unknown capability 'combat\_ai'" in w.value for w in at.warning)


def test_a_registry_with_problems_lists_them_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch, app: AppTest, tmp_path: Path
):
    bad = tmp_path / "bad.csv"
    text = (DATA / "hostile_sites.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("52.92250,-1.47630", "152.9,-1.47630"), encoding="utf-8")
    monkeypatch.setattr(settings, "SITES_CSV", bad)
    at = app.run()
    assert not at.exception
    assert any("1 problem" in e.value for e in at.error)
    problems = at.dataframe[0].value["problem"].tolist()
    assert problems == ["row 4 (plain-derby): lat 152.9 is outside -90..90"]


def test_hostile_names_reach_the_table_as_text(monkeypatch: pytest.MonkeyPatch, app: AppTest):
    monkeypatch.setattr(settings, "SITES_CSV", DATA / "hostile_sites.csv")
    at = app.run()
    assert not at.exception
    names = at.dataframe[0].value["name"].tolist()
    assert "<img src=x onerror=alert(1)>" in names  # st.dataframe shows text, never markup


def test_inside_the_belt_only_keeps_the_belt_sites(app: AppTest, registry, boundaries_dir):
    from layers import boundaries
    from layers.corridor import build_corridor, sites_in_corridor

    at = app.run()
    at.checkbox(key="f_belt").check().run()
    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    corridor = build_corridor(registry, width_km=settings.CORRIDOR_WIDTH_KM, outline=outline)
    inside = int(sites_in_corridor(registry, corridor).sum())
    assert 0 < inside < len(registry)
    assert metric(at, "Sites selected") == str(inside)
    assert at.query_params["belt"] in ("1", ["1"])


def test_the_belt_width_travels_in_the_link(app: AppTest):
    app.query_params["w"] = "25"
    at = app.run()
    assert at.slider(key="o_width").value == 25.0
    assert any("The belt holds" in c.value for c in at.caption)


def test_widgets_set_by_a_link_take_its_values_without_a_streamlit_warning(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
):
    warned: list[str] = []
    # Streamlit's own logger for widgets given both a value and a state set by the code
    policies = logging.getLogger("streamlit.elements.lib.policies")
    monkeypatch.setattr(policies, "warning", lambda message, *args, **_: warned.append(message))
    for key, value in {"year": "2029", "planned": "0", "w": "14"}.items():
        app.query_params[key] = value
    at = app.run()
    assert not at.exception
    assert at.slider(key="f_year").value == 2029
    assert at.toggle(key="f_planned").value is False
    assert at.slider(key="o_width").value == 14.0
    at = at.run()  # and again, as after any click
    assert at.slider(key="f_year").value == 2029 and at.toggle(key="f_planned").value is False
    assert warned == []


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open one of the tabs under the map (only the open tab's content runs)."""
    at.session_state["tab"] = label
    return at.run()


def test_only_the_open_tab_runs(app: AppTest, registry):
    at = app.run()
    assert at.code.len == 0, "the Export tab (its command line) is not open"
    open_tab(at, "Export")
    assert [c.value.split(" --")[0] for c in at.code] == ["python -m mapping.export"]


def test_the_export_tab_offers_files_of_the_selection(app: AppTest, registry):
    at = open_tab(app, "Export")
    at.multiselect(key="f_kinds").set_value(["university"]).run()
    assert not at.exception
    expected = (registry["kind"] == "university").sum()
    assert any(f"**{expected} sites**" in m.value for m in at.markdown)
    assert any("--kind university" in c.value for c in at.code)


def test_a_scene_link_opens_presenter_mode(app: AppTest):
    app.query_params["scene"] = "combat-air"
    at = app.run()
    assert not at.exception
    assert any(m.value == "## Combat air" for m in at.markdown)
    assert any("scene 2 of" in m.value for m in at.markdown)
    next_button = next(b for b in at.button if b.label == "Next ▶")
    next_button.click().run()
    assert any(m.value == "## Nuclear and propulsion" for m in at.markdown)
    assert any("scene 3 of" in m.value for m in at.markdown)


def test_an_unknown_scene_falls_back_to_the_overview(app: AppTest):
    app.query_params["scene"] = "no-such-scene"
    at = app.run()
    assert any(". Showing the overview." in w.value for w in at.warning)


def test_an_upload_joins_the_map_and_reports_its_problems(app: AppTest):
    upload = (DATA / "uploads" / "swapped.csv").read_bytes()
    at = app.run()
    at.file_uploader(key="u_file").upload("swapped.csv", upload, "text/csv").run()
    assert not at.exception
    assert any("of your sites are on the map" in s.value for s in at.success)
    assert any("Your uploaded sites" in m.value for m in at.markdown)


def test_a_hostile_upload_is_shown_as_text(app: AppTest):
    hostile = (DATA / "hostile_sites.csv").read_bytes()
    at = app.run()
    at.file_uploader(key="u_file").upload("hostile.csv", hostile, "text/csv").run()
    assert not at.exception
    uploaded_table = at.dataframe[1].value
    assert "<img src=x onerror=alert(1)>" in uploaded_table["name"].tolist()


def test_a_refused_upload_says_why_and_offers_every_column_choice(app: AppTest):
    refused = (DATA / "uploads" / "missing_coordinates.csv").read_bytes()
    at = app.run()
    at.file_uploader(key="u_file").upload("missing.csv", refused, "text/csv").run()
    assert not at.exception
    assert at.error, "a refused file is an error, not 'rows left out'"
    labels = {s.label for s in at.selectbox}
    assert "Latitude (WGS84)" in labels and "Easting (British National Grid)" in labels


def test_text_from_a_link_never_becomes_markdown(app: AppTest):
    app.query_params["q"] = "[click](https://example.org)"
    at = app.run()
    caption = next(c.value for c in at.caption if "Showing:" in c.value)
    assert "[click](https" not in caption
    assert "\\[click\\]\\(\u2060https\\://example\\.org\\)" in caption


# --- what a link may carry: every value is checked, and none reaches Markdown as markup ---

#: A value that Streamlit Markdown would render as a link, an image and an HTML image.
CRAFTED = "[x](https://example.org/p)![i](https://example.org/i.png)<img src=x>"
LINK_PARAMETERS = ("cap", "kind", "area", "q", "belt", "year", "w", "mode", "v")


def shown_texts(at: AppTest) -> list[str]:
    """The text of every element Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header")
    return [element.value for kind in kinds for element in getattr(at, kind)]


def markup_in(texts: list[str]) -> list[str]:
    """The texts that hold an unescaped Markdown link or image, or an HTML tag."""
    return [t for t in texts if "](" in t or "![" in t or re.search(r"(?<!\\)<[a-z]", t)]


def test_a_crafted_link_version_is_ignored(app: AppTest):
    app.query_params["v"] = "![x](https://example.org/x.png)"
    at = app.run()
    assert not at.exception
    assert not at.info, "a v that is not 8 hex digits says nothing about the data"
    assert markup_in(shown_texts(at)) == []
    assert re.fullmatch(r"[0-9a-f]{8}", at.query_params["v"]), "the page writes its own version"


def test_no_value_from_a_link_reaches_markdown_as_markup(app: AppTest):
    for parameter in LINK_PARAMETERS:
        app.query_params[parameter] = CRAFTED
    at = app.run()
    assert not at.exception
    texts = shown_texts(at)
    assert any("\\[x\\]\\(\u2060https\\://example\\.org/p\\)" in t for t in texts), "q is shown"
    assert markup_in(texts) == []


def test_no_scene_name_from_a_link_reaches_markdown_as_markup(app: AppTest):
    app.query_params["scene"] = CRAFTED
    at = app.run()
    assert not at.exception
    assert any(". Showing the overview." in w.value for w in at.warning)
    assert markup_in(shown_texts(at)) == []


WEST = "E12000005"


def west_midlands_sites(registry) -> int:
    """How many of ``registry`` lie in West Midlands districts, by the committed hierarchy."""
    # the hierarchy table is hand-authored: it says which districts are West Midlands
    with open(settings.HIERARCHY_CSV, encoding="utf-8") as table:
        west = {row["lad_code"] for row in csv.DictReader(table) if row["region_code"] == WEST}
    return int(registry["lad_code"].isin(west).sum())


def test_a_region_code_in_a_link_selects_the_region(app: AppTest, registry):
    expected = west_midlands_sites(registry)
    assert 0 < expected < len(registry)
    app.query_params["area"] = WEST
    at = app.run()
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    assert at.multiselect(key="f_region").value == [WEST]
    assert metric(at, "Sites selected") == str(expected)
    assert at.query_params["area"] == WEST


def test_choosing_a_region_in_the_sidebar_filters_and_travels_in_the_link(app: AppTest, registry):
    at = app.run()
    at.multiselect(key="f_region").set_value([WEST]).run()
    assert metric(at, "Sites selected") == str(west_midlands_sites(registry))
    assert at.query_params["area"] == WEST


# --- the KPI strip, the uploads panel, exports and presenter credits ---


def test_the_kpis_count_the_selection(app: AppTest, registry):
    universities = registry[registry["kind"] == "university"]
    assert len(universities) > 1
    app.query_params["kind"] = "university"
    at = app.run()
    assert metric(at, "Sites selected") == str(len(universities))
    assert metric(at, "Organisations") == str(universities["organisation"].nunique())
    districts = universities.loc[universities["lad_code"] != "", "lad_code"].nunique()
    assert metric(at, "Districts covered") == str(districts)
    present = {slug for caps in universities["capabilities"] for slug in caps}
    assert metric(at, "Capabilities present") == str(len(present))


def test_the_count_line_counts_the_sites_the_map_in_words_counts(app: AppTest, registry):
    """The count line says "of N sites open or planned in <year>", the N the words use; with
    planned sites turned off both count the open ones only."""
    year = date.today().year
    whole = app.run()
    assert metric(whole, "Sites counted") == f"{len(registry)} sites open or planned in {year}"
    assert f"all {len(registry)} sites open or planned in {year}" in in_words(whole)
    at = whole.toggle(key="f_planned").set_value(False).run()
    rows = app_registry_rows()
    opened = [row for row in rows if open_in_year(row, year)]
    assert 0 < len(opened) < len(registry), "a planned site is open or planned this year"
    assert metric(at, "Sites counted") == f"{len(opened)} sites open in {year}"
    assert f"all {len(opened)} sites open in {year}" in in_words(at)


def in_words(at: AppTest) -> str:
    """The page's map in words."""
    return " ".join(str(block.value) for block in at.text)


def app_registry_rows() -> list[dict[str, str]]:
    """The committed registry's rows, as text."""
    with open(settings.SITES_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_upload_help_names_every_way_to_place_a_row(app: AppTest):
    at = app.run()
    help_text = at.file_uploader(key="u_file").proto.help
    assert "Needs a name and lat/lon, eastings/northings or a postcode per row" in help_text


def test_the_exports_credit_the_uploaded_file(app: AppTest, registry):
    upload = (DATA / "uploads" / "swapped.csv").read_bytes()  # two rows, both placed
    at = open_tab(app, "Export")
    at.file_uploader(key="u_file").upload("swapped.csv", upload, "text/csv").run()
    assert not at.exception
    assert any(f"**{len(registry) + 2} sites**" in m.value for m in at.markdown)
    assert any(r"Uploaded sites\: 2 from 'swapped\.csv'" in c.value for c in at.caption)


def test_the_presenter_caption_gives_the_full_credits(app: AppTest):
    with open(settings.SITES_CSV, encoding="utf-8") as table:
        precisions = {row["location_precision"] for row in csv.DictReader(table)}
    assert "postcode" in precisions, "the registry places some sites at their postcode"
    app.query_params["scene"] = "overview"
    at = app.run()
    assert not at.exception
    credits = next(m.value for m in at.markdown if "Office for National Statistics" in m.value)
    assert "Royal Mail" in credits, "postcode points are shown, so Code-Point Open is credited"


def test_the_map_in_words_follows_the_filter(app: AppTest, registry):
    at = app.run()
    at.multiselect(key="f_caps").set_value(["combat_air"]).run()
    expected = sum("combat_air" in caps for caps in registry["capabilities"])
    words = [t.value for t in at.text if " sites" in str(t.value)]
    assert words, "the page describes the view in words"
    assert re.search(rf"\b{expected}\b", words[0]), (expected, words[0])


# --- the live map's options and its view in the link ---


def test_the_map_view_in_a_link_is_kept_and_a_bad_one_dropped(app: AppTest):
    app.query_params["c"] = "52.92,-1.4746"
    app.query_params["z"] = "11.5"
    at = app.run()
    assert not at.exception
    assert (at.query_params["c"], at.query_params["z"]) in (
        ("52.92,-1.4746", "11.5"),
        (["52.92,-1.4746"], ["11.5"]),
    )


def test_a_map_view_far_from_the_midlands_is_not_written_back(app: AppTest):
    app.query_params["c"] = "0,0"
    app.query_params["z"] = "8"
    at = app.run()
    assert not at.exception
    assert "c" not in at.query_params and "z" not in at.query_params


def test_the_density_heat_and_light_tiles_draw_on_the_live_map(app: AppTest):
    at = app.run()
    at.toggle(key="o_heat").set_value(True).run()
    assert not at.exception
    at.radio(key="o_basemap").set_value("light").run()
    assert not at.exception
    # no fallback to another map engine, and so no note about one
    assert not any("older map" in c.value for c in at.caption)


def test_every_map_option_draws_without_an_error(app: AppTest):
    at = app.run()
    for key in ("o_keep_view", "o_clusters", "o_estates", "o_cluster", "o_wards"):
        at.toggle(key=key).set_value(True).run()
        assert not at.exception, key
    assert any("Click a site on the map" in c.value for c in at.caption)  # the card's hint
