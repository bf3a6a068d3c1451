"""The map's colours: WCAG contrast done right, and every marker and line 3:1 on the basemap."""

from __future__ import annotations

import numpy as np
import pytest

from mapping import palette_check, style


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),  # the largest contrast there is
        ("#ffffff", "#000000", 21.0),  # the order does not matter
        ("#777", "#fff", 4.48),  # WCAG's well-known grey: just under 4.5
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes 4.5 on white
        ("#0000ff", "#ffffff", 8.59),  # pure blue on white
        ("#abcdef", "#abcdef", 1.0),  # a colour on itself
    ],
)
def test_contrast_ratio_matches_wcag(first: str, second: str, expected: float):
    assert palette_check.contrast_ratio(first, second) == pytest.approx(expected, abs=0.005)


def test_relative_luminance_and_blending():
    assert palette_check.relative_luminance("#ffffff") == pytest.approx(1.0)
    assert palette_check.relative_luminance("#000000") == 0.0
    assert palette_check.relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    assert palette_check.blend("#000000", "#ffffff", 0.5) == "#808080"
    assert palette_check.blend("#ff0000", "#0000ff", 1.0) == "#ff0000"
    with pytest.raises(ValueError, match="not a #rrggbb"):
        palette_check.contrast_ratio("red", "#fff")
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        palette_check.blend("#000", "#fff", 1.5)


def test_the_basemap_fills_are_those_of_the_style():
    fills = palette_check.basemap_fills()
    assert fills["sea"] == style.SEA_COLOUR.lower()
    assert fills["land"] == str(style.LAND_STYLE["fillColor"]).lower()
    # white at 0.85 over the land #f4f1ea: 255 - 0.15 * (255 - 244) = 253.35 -> fd ...
    assert fills["Midlands"] == "#fdfdfc"


@pytest.mark.parametrize("slug", list(style.CAPABILITY_COLOURS))
def test_every_capability_colour_is_3_to_1_on_every_basemap_fill(slug: str):
    colour = style.CAPABILITY_COLOURS[slug]
    for name, fill in palette_check.basemap_fills().items():
        ratio = palette_check.contrast_ratio(colour, fill)
        assert ratio >= 3.0, f"{slug} {colour} on the {name} ({fill}) is only {ratio:.2f}:1"


def test_the_unknown_colour_and_every_line_reach_3_to_1():
    fills = palette_check.basemap_fills().values()
    assert all(palette_check.contrast_ratio(style.UNKNOWN_COLOUR, f) >= 3.0 for f in fills)
    for name, (colour, opacity) in palette_check.map_lines().items():
        ratio, fill = palette_check.lowest_contrast(colour, opacity=opacity)
        assert ratio >= 3.0, f"the {name} ({colour}) is only {ratio:.2f}:1 on the {fill}"


def test_simulations_keep_greys_and_bring_red_and_green_together():
    greys = ["#000000", "#777777", "#ffffff"]
    for vision in palette_check.VISIONS:
        np.testing.assert_allclose(
            palette_check.simulate(greys, vision),
            palette_check.simulate(greys, "normal"),
            atol=0.01,
        )
    pair = {"red": "#d03030", "green": "#30a030"}
    normal = palette_check.smallest_difference(pair, "normal").delta_e
    for vision in ("deuteranopia", "protanopia"):
        assert palette_check.smallest_difference(pair, vision).delta_e < normal / 2, vision


def test_the_palette_stays_apart_under_every_vision():
    before = palette_check.PREVIOUS_CAPABILITY_COLOURS
    assert set(before) == set(style.CAPABILITY_COLOURS)
    for vision in palette_check.VISIONS:
        now = palette_check.smallest_difference(style.CAPABILITY_COLOURS, vision)
        assert now.delta_e >= 10.0, (vision, now)
        assert now.delta_e > palette_check.smallest_difference(before, vision).delta_e


def test_the_command_prints_the_figures(capsys: pytest.CaptureFixture[str]):
    assert palette_check.main([]) == 0
    out = capsys.readouterr().out
    for vision in ("normal", "deuteranopia", "protanopia", "tritanopia"):
        assert vision in out
    assert "TOO LOW" not in out
    assert palette_check.main(["--extra"]) == 2
