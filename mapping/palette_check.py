"""Check the map's colours: apart under colour-vision deficiencies, and 3:1 on the basemap.

Two questions from WCAG 2.2 (1.4.1 use of colour, 1.4.11 non-text contrast):

* Can two legend entries be told apart by colour, with normal vision and with simulated
  deuteranopia, protanopia and tritanopia? Colours are simulated with colorspacious (Machado,
  Oliveira and Fernandes 2009, full severity) and compared by their distance in CAM02-UCS
  (ΔE; about 1 is just noticeable side by side, small map symbols need far more). The figure
  reported is the smallest ΔE between any two capability colours.
* Does every marker colour and every line reach 3:1 contrast (WCAG's relative luminance)
  against each basemap fill it can sit on? Translucent fills and lines are blended first.

Command line (exit status 1 when a colour or a line is under 3:1)::

    python -m mapping.palette_check
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import colorspacious
import numpy as np

from mapping import style

#: Contrast that markers and lines need against the basemap (WCAG 1.4.11).
NON_TEXT_CONTRAST = 3.0
#: The visions compared, and colorspacious's name for each simulated deficiency.
VISIONS: dict[str, str | None] = {
    "normal": None,
    "deuteranopia": "deuteranomaly",
    "protanopia": "protanomaly",
    "tritanopia": "tritanomaly",
}
#: The capability palette before this check chose one (Okabe-Ito and Paul Tol colours), for
#: comparison.
PREVIOUS_CAPABILITY_COLOURS: dict[str, str] = {
    "land_systems": "#117733",
    "combat_air": "#0072B2",
    "nuclear_propulsion": "#E69F00",
    "cyber_digital": "#AA4499",
    "defence_medicine": "#CC6677",
    "space": "#332288",
    "istar": "#88CCEE",
    "advanced_manufacturing": "#999933",
    "power_propulsion": "#D55E00",
    "autonomy_ai": "#44AA99",
    "quantum": "#882255",
    "test_evaluation": "#DDCC77",
    "skills_training": "#56B4E9",
    "supply_chain": "#777777",
    "energy_decarbonisation": "#009E73",
}


@dataclass(frozen=True)
class Difference:
    """The closest two colours of a palette under one vision.

    Attributes
    ----------
    delta_e
        Their distance in CAM02-UCS.
    pair
        The two palette keys.
    """

    delta_e: float
    pair: tuple[str, str]


def _rgb(colour: str) -> np.ndarray:
    """Return ``#rrggbb`` (or ``#rgb``) as sRGB values in 0..1."""
    digits = colour.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    if len(digits) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in digits):
        raise ValueError(f"colour {colour!r} is not a #rrggbb or #rgb hex colour")
    return np.array([int(digits[i : i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255


def _number(options: Mapping[str, object], key: str) -> float:
    """Return a Leaflet path option as a number (opacity is 1 when a style leaves it out)."""
    return float(str(options.get(key, 1.0)))


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{round(float(value) * 255):02x}" for value in rgb)


def relative_luminance(colour: str) -> float:
    """Return WCAG's relative luminance of an sRGB colour (0 black .. 1 white)."""
    channel = _rgb(colour)
    linear = np.where(channel <= 0.04045, channel / 12.92, ((channel + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(first: str, second: str) -> float:
    """Return WCAG's contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def blend(colour: str, over: str, opacity: float) -> str:
    """Return ``colour`` drawn at ``opacity`` over ``over`` (what the eye sees), as hex."""
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity {opacity!r} is outside 0..1")
    return _hex(opacity * _rgb(colour) + (1 - opacity) * _rgb(over))


def basemap_fills() -> dict[str, str]:
    """Return every fill a marker or line can sit on in the offline basemap, blended."""
    land = str(style.LAND_STYLE["fillColor"])
    midlands = blend(
        str(style.MIDLANDS_STYLE["fillColor"]), land, _number(style.MIDLANDS_STYLE, "fillOpacity")
    )
    authority = style.BOUNDARY_STYLES["combined_authorities"]
    in_authority = blend(str(authority["fillColor"]), midlands, _number(authority, "fillOpacity"))
    belt_fill, belt_opacity = (
        str(style.CORRIDOR_STYLE["fillColor"]),
        _number(style.CORRIDOR_STYLE, "fillOpacity"),
    )
    return {
        "sea": style.SEA_COLOUR,
        "land": land,
        "Midlands": midlands,
        "combined authority": in_authority,
        "belt": blend(belt_fill, midlands, belt_opacity),
        "belt in a combined authority": blend(belt_fill, in_authority, belt_opacity),
    }


def map_lines() -> dict[str, tuple[str, float]]:
    """Return the map's lines (boundaries, belt, outlines) as (colour, opacity).

    The land's own coastline is the basemap itself, so it is not checked against it.
    """
    lines: dict[str, tuple[str, float]] = {
        f"{name} boundary": (str(line["color"]), _number(line, "opacity"))
        for name, line in style.BOUNDARY_STYLES.items()
    }
    lines["Midlands outline"] = (str(style.MIDLANDS_STYLE["color"]), 1.0)
    lines["belt edge"] = (str(style.CORRIDOR_STYLE["color"]), 1.0)
    lines["belt spine"] = (str(style.SPINE_STYLE["color"]), _number(style.SPINE_STYLE, "opacity"))
    lines["marker outline"] = (style.MARKER_OUTLINE, 1.0)
    lines["uploaded marker ring"] = (style.UPLOAD_STROKE, 1.0)
    return lines


def lowest_contrast(colour: str, *, opacity: float = 1.0) -> tuple[float, str]:
    """Return the lowest contrast of ``colour`` against the basemap fills, and that fill."""
    found = [
        (contrast_ratio(blend(colour, fill, opacity), fill), name)
        for name, fill in basemap_fills().items()
    ]
    return min(found)


def simulate(colours: list[str], vision: str) -> np.ndarray:
    """Return how ``colours`` look under ``vision`` (a key of :data:`VISIONS`), as sRGB 0..1."""
    if vision not in VISIONS:
        raise ValueError(f"unknown vision {vision!r}; choose from {', '.join(VISIONS)}")
    rgb = np.array([_rgb(colour) for colour in colours])
    deficiency = VISIONS[vision]
    if deficiency is None:
        return rgb
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)


def smallest_difference(palette: dict[str, str], vision: str) -> Difference:
    """Return the closest two colours of ``palette`` under ``vision`` (CAM02-UCS ΔE)."""
    if len(palette) < 2:
        raise ValueError("a palette needs two colours or more to compare")
    seen = colorspacious.cspace_convert(
        simulate(list(palette.values()), vision), "sRGB1", "CAM02-UCS"
    )
    names = list(palette)
    pairs = itertools.combinations(range(len(names)), 2)
    closest = min(pairs, key=lambda pair: float(np.linalg.norm(seen[pair[0]] - seen[pair[1]])))
    first, second = closest
    return Difference(
        float(np.linalg.norm(seen[first] - seen[second])), (names[first], names[second])
    )


def report() -> tuple[str, bool]:
    """Return the check's report, and whether every colour and line reaches 3:1."""
    before, after = PREVIOUS_CAPABILITY_COLOURS, style.CAPABILITY_COLOURS
    out = [
        "Smallest colour difference between two legend colours (CAM02-UCS ΔE; 15 capabilities)",
        f"{'vision':<14}{'before':>8}  {'closest pair before':<44}{'after':>8}  closest pair after",
    ]
    for vision in VISIONS:
        old, new = smallest_difference(before, vision), smallest_difference(after, vision)
        out.append(
            f"{vision:<14}{old.delta_e:>8.1f}  {' / '.join(old.pair):<44}"
            f"{new.delta_e:>8.1f}  {' / '.join(new.pair)}"
        )
    fills = basemap_fills()
    out += ["", "Basemap fills: " + ", ".join(f"{name} {fill}" for name, fill in fills.items())]
    out += [
        "",
        f"Marker colours: lowest contrast against those fills (need {NON_TEXT_CONTRAST:g}:1)",
        f"{'capability':<24}{'before':>9}{'':>7}{'after':>9}",
    ]
    passed = True
    for slug in after:
        old_ratio, _ = lowest_contrast(before.get(slug, after[slug]))
        new_ratio, fill = lowest_contrast(after[slug])
        passed &= new_ratio >= NON_TEXT_CONTRAST
        out.append(
            f"{slug:<24}{before.get(slug, ''):>9} {old_ratio:>5.2f}{after[slug]:>9} "
            f"{new_ratio:>5.2f}  {'ok' if new_ratio >= NON_TEXT_CONTRAST else 'TOO LOW'}"
            f" (lowest on {fill})"
        )
    unknown, _ = lowest_contrast(style.UNKNOWN_COLOUR)
    passed &= unknown >= NON_TEXT_CONTRAST
    out.append(f"{'(unknown capability)':<24}{'':>15}{style.UNKNOWN_COLOUR:>9} {unknown:>5.2f}")
    out += ["", f"Lines: lowest contrast against the fills (need {NON_TEXT_CONTRAST:g}:1)"]
    for name, (colour, opacity) in map_lines().items():
        ratio, fill = lowest_contrast(colour, opacity=opacity)
        passed &= ratio >= NON_TEXT_CONTRAST
        verdict = "ok" if ratio >= NON_TEXT_CONTRAST else "TOO LOW"
        out.append(
            f"{name:<32}{colour:>9} at {opacity:<4g}{ratio:>6.2f}  {verdict} (lowest on {fill})"
        )
    return "\n".join(out), passed


def main(argv: list[str] | None = None) -> int:
    """Print the report; return 0 when every colour and line reaches 3:1, else 1."""
    if argv if argv is not None else sys.argv[1:]:
        print("usage: python -m mapping.palette_check", file=sys.stderr)
        return 2
    text, passed = report()
    print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
