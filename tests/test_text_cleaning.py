"""Cleaned text keeps words apart: newlines and non-breaking spaces become spaces everywhere
text leaves the app (popups, KML, marker names)."""

from __future__ import annotations

from mapping import keyboard
from mapping.exports.kml import kml_text
from mapping.popups import plain_text

RUN_TOGETHER = "Rolls-Royce\nSubmarines\u00a0Raynesway\tDerby\u2028site"
APART = "Rolls-Royce Submarines Raynesway Derby site"


def test_plain_text_turns_every_space_into_a_space():
    assert plain_text(RUN_TOGETHER) == APART
    assert plain_text("a\x00b\u200bc\u202ed") == "abcd"  # printing nothing: dropped


def test_kml_text_keeps_words_apart_and_escapes():
    assert kml_text(RUN_TOGETHER + " & <b>") == APART + " &amp; &lt;b&gt;"


def test_marker_names_keep_words_apart():
    label = keyboard.marker_label(
        {
            "name": RUN_TOGETHER,
            "kind": "prime",
            "capabilities": ["nuclear_propulsion"],
            "status": "active",
        }
    )
    assert label.startswith(APART)
