"""Popup and tooltip text, checked against escapes written out by hand.

Every expected string is typed here character by character (``&lt;`` for ``<``, ``&#96;`` for a
backtick, ...), never produced by ``html.escape`` or by ``mapping.popups`` itself, so a missing
or doubled escape, or a rule that deletes white space instead of turning it into a space, fails.

Cleaned text keeps words apart: newlines and non-breaking spaces become spaces everywhere
text leaves the app (popups, KML, marker names).
"""

from __future__ import annotations

import pytest

from mapping import popups
from mapping.exports.kml import kml_text
from mapping.popups import plain_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<", "&lt;"),
        (">", "&gt;"),
        ("&", "&amp;"),
        ('"', "&quot;"),
        ("'", "&#x27;"),
        ("`", "&#96;"),
        ("$", "&#36;"),
        ("${x}", "&#36;&#123;x&#125;"),
        ("{{ 7*7 }}", "&#123;&#123; 7*7 &#125;&#125;"),
        ("{% if x %}", "&#123;% if x %&#125;"),
        ("\\", "&#92;"),
        ("a\\nb", "a&#92;nb"),
        (
            "<script>alert(`${document.cookie}`)</script>",
            "&lt;script&gt;alert(&#96;&#36;&#123;document.cookie&#125;&#96;)&lt;/script&gt;",
        ),
        ('Tom & Jerry\'s "Ltd"', "Tom &amp; Jerry&#x27;s &quot;Ltd&quot;"),
        ('<img src=x onerror="go()">', "&lt;img src=x onerror=&quot;go()&quot;&gt;"),
        # an entity in the data is shown as typed, not decoded
        ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
        # what is not special stays as it is
        ("Rolls-Royce (Derby) £1.6bn, 50% – é ✈", "Rolls-Royce (Derby) £1.6bn, 50% – é ✈"),
        ("", ""),
    ],
)
def test_text_escapes_each_character_that_acts_in_html_js_or_jinja(raw, expected):
    assert popups.text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Defence\nsystems", "Defence systems"),
        ("Defence\r\nsystems", "Defence  systems"),
        ("Babcock\u00a0Walsall", "Babcock Walsall"),
        ("tab\there", "tab here"),
        ("line\u2028separator", "line separator"),
        ("wide\u3000space", "wide space"),
        ("next\x85line", "next line"),
        # what prints nothing is dropped: NUL, bell, zero-width space, soft hyphen, BOM, RLO
        ("a\x00b\x07c\u200bd\u00ade\ufefff\u202eg", "abcdefg"),
        ("<b>\nbold</b>", "&lt;b&gt; bold&lt;/b&gt;"),
    ],
)
def test_white_space_becomes_spaces_and_invisible_characters_go(raw, expected):
    assert popups.text(raw) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (0, "0"), (3.5, "3.5"), (False, "False"), (["<a>"], "[&#x27;&lt;a&gt;&#x27;]")],
)
def test_any_value_becomes_text(value, expected):
    assert popups.text(value) == expected


def test_plain_text_keeps_markup_characters_for_a_text_node():
    assert popups.plain_text("<b>A & B</b>\n`${x}`") == "<b>A & B</b> `${x}`"
    assert popups.plain_text(None) == ""
    assert popups.plain_text(12) == "12"


def test_long_text_is_cut_to_the_limit_with_an_ellipsis():
    assert popups.text("abcd", limit=4) == "abcd"
    assert popups.text("abcde", limit=4) == "abc…"
    assert popups.text("x" * 600) == "x" * 600
    assert popups.text("x" * 601) == "x" * 599 + "…"
    # the limit counts characters as the reader sees them, before escaping
    assert popups.text("&&&&&", limit=3) == "&amp;&amp;…"
    assert popups.text("<<<<", limit=4) == "&lt;&lt;&lt;&lt;"


# --------------------------------------------------------------------------------------------
# Links


def test_an_http_source_becomes_a_safe_link():
    assert popups.safe_link("https://example.org/a?b=1&c=2", "public source") == (
        '<a href="https://example.org/a?b=1&amp;c=2" target="_blank" '
        'rel="noopener noreferrer">public source</a>'
    )
    assert popups.safe_link("  http://example.org/x  ", "<b>it</b>") == (
        '<a href="http://example.org/x" target="_blank" '
        'rel="noopener noreferrer">&lt;b&gt;it&lt;/b&gt;</a>'
    )
    # template characters in an address become entities in the attribute too
    assert popups.safe_link("https://example.org/`${a}`\\{{b}}", "s") == (
        '<a href="https://example.org/&#96;&#36;&#123;a&#125;&#96;&#92;&#123;&#123;b&#125;&#125;" '
        'target="_blank" rel="noopener noreferrer">s</a>'
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("ftp://example.org/<x>", "ftp://example.org/&lt;x&gt;"),
        ('https://example.org/"onmouseover=go()', "https://example.org/&quot;onmouseover=go()"),
        ("see the 2025 annual report", "see the 2025 annual report"),
        ("   ", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_anything_else_is_shown_as_text(url, expected):
    assert popups.safe_link(url, "public source") == expected


# --------------------------------------------------------------------------------------------
# Popups and tooltips, whole


def test_a_full_popup_is_exactly_the_escaped_fields():
    site = {
        "name": "Aero <Works>",
        "description": "Wings & `jets`\nfor ${export}",
        "organisation": 'Skyward "Aero"',
        "kind": "prime",
        "status": "closing",
        "opened": "",
        "closes": "2029-03-31",
        "town": "Coventry",
        "postcode": "CV1 2AB",
        "lad_name": "Coventry",
        "county_name": "Coventry",
        "ca_name": "West Midlands",
        "location_precision": "postcode",
        "source_url": "https://example.org/a?b=1&c=2",
        "last_checked": "2026-11-30",
        "capabilities": ["combat_air", "space"],
    }
    assert popups.site_popup(site) == (
        '<div class="mdm-popup">'
        "<h4>Aero &lt;Works&gt;</h4>"
        "<p>Wings &amp; &#96;jets&#96; for &#36;&#123;export&#125;</p>"
        "<table>"
        "<tr><th>Organisation</th><td>Skyward &quot;Aero&quot;</td></tr>"
        "<tr><th>Kind</th><td>Prime contractor</td></tr>"
        "<tr><th>Status</th><td>Closing, closes 2029</td></tr>"
        "<tr><th>Town</th><td>Coventry</td></tr>"
        "<tr><th>Postcode</th><td>CV1 2AB</td></tr>"
        # a unitary or metropolitan district is not named twice
        "<tr><th>Authority</th><td>Coventry · West Midlands</td></tr>"
        "<tr><th>Location</th><td>Postcode point (ONS Postcode Directory)</td></tr>"
        '<tr><th>Source</th><td><a href="https://example.org/a?b=1&amp;c=2" target="_blank" '
        'rel="noopener noreferrer">public source</a> (checked 2026-11-30)</td></tr>'
        "</table>"
        '<div class="mdm-caps"><b>Capabilities</b><ul>'
        "<li>Combat air and military aerospace</li><li>Space and satellite applications</li>"
        "</ul></div>"
        "</div>"
    )


def test_a_popup_leaves_out_empty_rows():
    assert popups.site_popup({"name": "X"}) == (
        '<div class="mdm-popup"><h4>X</h4><p></p><table></table>'
        '<div class="mdm-caps"><b>Capabilities</b><ul></ul></div></div>'
    )


def test_a_popup_names_each_authority_and_shows_unknown_values_as_text():
    site = {
        "name": "Lab",
        "kind": "spy",
        "lad_name": "Malvern Hills",
        "county_name": "<Worcestershire>",
        "ca_name": "",
        "location_precision": "guess",
        "source_url": "see the annual report",
        "status": "planned",
        "opened": "2027",
        "capabilities": ["warp_drive"],
    }
    assert popups.site_popup(site) == (
        '<div class="mdm-popup"><h4>Lab</h4><p></p><table>'
        "<tr><th>Kind</th><td>spy</td></tr>"
        "<tr><th>Status</th><td>Planned, opens 2027</td></tr>"
        "<tr><th>Authority</th><td>Malvern Hills · &lt;Worcestershire&gt;</td></tr>"
        "<tr><th>Location</th><td>guess</td></tr>"
        "<tr><th>Source</th><td>see the annual report</td></tr>"
        "</table>"
        '<div class="mdm-caps"><b>Capabilities</b><ul><li>warp_drive</li></ul></div></div>'
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"status": "planned"}, "Planned"),
        ({"status": "closing"}, "Closing"),
        ({"status": "closed"}, "Closed"),
        ({"status": "active"}, "Active"),
        ({"status": None, "opened": "2019"}, None),
    ],
)
def test_a_status_without_dates_is_shown_alone(status, expected):
    popup = popups.site_popup({"name": "X", **status})
    if expected is None:
        assert "<th>Status</th>" not in popup
    else:
        assert f"<tr><th>Status</th><td>{expected}</td></tr>" in popup


def test_a_popup_names_the_county_and_authority_of_a_district():
    site = {
        "name": "Depot",
        "lad_name": "Hinckley and Bosworth",
        "county_name": "Leicestershire",
        "ca_name": "Nowhere CA",
        "last_checked": "2026-01-02",
    }
    popup = popups.site_popup(site)
    assert (
        "<tr><th>Authority</th><td>Hinckley and Bosworth · Leicestershire · Nowhere CA</td></tr>"
        in popup
    )
    # a date checked with no source is still said
    assert "<tr><th>Source</th><td> (checked 2026-01-02)</td></tr>" in popup


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ({"name": "Aero", "organisation": "Skyward"}, "Aero · Skyward"),
        ({"name": "RAF Cosford", "organisation": "RAF Cosford"}, "RAF Cosford"),
        ({"name": "Aero", "organisation": None}, "Aero"),
        ({"name": "Aero"}, "Aero"),
        (
            {"name": "Depot", "organisation": "Army", "status": "closing", "closes": "2029-03-31"},
            "Depot · Army · Closing, closes 2029",
        ),
        ({"name": "Field", "status": "closed", "closes": "2024"}, "Field · Closed 2024"),
        ({"name": "Field", "status": "closed"}, "Field · Closed"),
        ({"name": "Plant", "status": "planned", "opened": "2027"}, "Plant · Planned, opens 2027"),
        # no date given: the status alone, never a made-up year
        ({"name": "Plant", "status": "planned"}, "Plant · Planned"),
        ({"name": "Depot", "status": "closing"}, "Depot · Closing"),
        # an active site says nothing of its status, even with a closing date
        ({"name": "Works", "status": "active", "closes": "2031"}, "Works"),
        ({"name": "<b>", "organisation": "`${x}`"}, "&lt;b&gt; · &#96;&#36;&#123;x&#125;&#96;"),
    ],
)
def test_a_tooltip_says_name_organisation_and_any_closure(site, expected):
    assert popups.site_tooltip(site) == expected


def test_a_tooltip_cuts_long_names_and_organisations():
    tooltip = popups.site_tooltip({"name": "n" * 121, "organisation": "o" * 81})
    assert tooltip == "n" * 119 + "…" + " · " + "o" * 79 + "…"
    exact = popups.site_tooltip({"name": "n" * 120, "organisation": "o" * 80})
    assert exact == "n" * 120 + " · " + "o" * 80


RUN_TOGETHER = "Rolls-Royce\nSubmarines\u00a0Raynesway\tDerby\u2028site"
APART = "Rolls-Royce Submarines Raynesway Derby site"


def test_plain_text_turns_every_space_into_a_space():
    assert plain_text(RUN_TOGETHER) == APART
    assert plain_text("a\x00b\u200bc\u202ed") == "abcd"  # printing nothing: dropped


def test_kml_text_keeps_words_apart_and_escapes():
    assert kml_text(RUN_TOGETHER + " & <b>") == APART + " &amp; &lt;b&gt;"
