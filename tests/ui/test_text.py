"""The Markdown guard and the link's values: text from a URL is shown as itself, or ignored."""

from __future__ import annotations

import pytest

from ui.text import plain
from ui.url_state import belt_width, link_version


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("[click](https://example.org)", "\\[click\\]\\(\u2060https\\://example\\.org\\)"),
        ("![x](https://e.org/x.png)", "\\!\\[x\\]\\(\u2060https\\://e\\.org/x\\.png\\)"),
        ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert\(1\)\>"),
        ("# heading", r"\# heading"),
        (":red[alarm]", r"\:red\[alarm\]"),
        ("$x^2$", r"\$x^2\$"),
        ("**bold** _it_", r"\*\*bold\*\* \_it\_"),
        ("AT&T", r"AT\&T"),
        ("Rolls Royce", "Rolls Royce"),
    ],
)
def test_plain_escapes_every_markdown_character(raw: str, shown: str):
    assert plain(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        # a word joiner (U+2060) before each address: Markdown then never links it
        ("see https://example.org", "see \u2060https\\://example\\.org"),
        ("HTTP://EXAMPLE.ORG", "\u2060HTTP\\://EXAMPLE\\.ORG"),
        ("http://a and http://b", "\u2060http\\://a and \u2060http\\://b"),
        ("https://www.example.org", "\u2060https\\://\u2060www\\.example\\.org"),
        ("www.example.org", "\u2060www\\.example\\.org"),
        ("bid@example.org", "bid\u2060@example\\.org"),
        ("Hawthorn", "Hawthorn"),  # "http" needs its colon, "www" its dot
        ("wwwhat", "wwwhat"),
    ],
)
def test_plain_keeps_bare_addresses_from_becoming_links(raw: str, shown: str):
    assert plain(raw) == shown


def test_plain_turns_line_breaks_into_spaces():
    # a line break would start a new Markdown block: "# title" on its own line is a heading
    assert plain("first\n# second\r\nthird\u2028fourth") == r"first \# second third fourth"


@pytest.mark.parametrize(
    ("value", "version"),
    [
        ("0a1b2c3d", "0a1b2c3d"),
        ("0A1B2C3D", "0a1b2c3d"),
        (" 0a1b2c3d ", "0a1b2c3d"),
        ("![x](https://example.org/x.png)", ""),
        ("[v](https://example.org)", ""),
        ("0a1b2c3", ""),
        ("0a1b2c3d4", ""),
        ("0a1b2c3g", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_a_link_version_is_eight_hex_digits_or_nothing(value: object, version: str):
    assert link_version(value) == version


@pytest.mark.parametrize(
    ("value", "width"),
    [("25", 25.0), ("2", 2.0), ("40", 40.0), ("12.5", 12.5)]
    + [(bad, None) for bad in ("1.5", "41", "nan", "inf", "-5", "", "w](x)")],
)
def test_a_link_belt_width_must_be_one_the_slider_offers(value: str, width: float | None):
    assert belt_width(value) == width
