"""The legend panel of a slide: main capabilities (colour), kinds of site (shape) and lines."""

from __future__ import annotations

import math
import textwrap

import pandas as pd
from matplotlib import colors
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from layers import vocabulary
from layers.selection import Selection
from mapping import style
from mapping.livemap.rows import colour_capability_column
from mapping.popups import PLACED_AT, approximate_label
from mapping.slide_map import DEFAULT_SIZE, KIND_MARKERS, KIND_SIZES, with_colours


def draw_legend(
    figure: Figure, selection: Selection, *, box: tuple[float, float, float, float]
) -> None:
    """Draw the legend panel in ``box``: main capabilities with counts, then kinds and lines."""
    panel = figure.add_axes(box)
    panel.set_axis_off()
    sites = with_colours(selection)
    # counted as drawn: by the capability each site is coloured by
    mains = pd.Series(colour_capability_column(sites), dtype=object).value_counts().to_dict()
    capability_handles = [
        Patch(
            facecolor=style.capability_colour(slug),
            edgecolor="#1a1a1a",
            label=textwrap.fill(f"{label} ({mains[slug]})", 46),
        )
        for slug, label in vocabulary.CAPABILITIES.items()
        if mains.get(slug)
    ]
    if not capability_handles:
        capability_handles = [Patch(facecolor="white", edgecolor="white", label="No sites")]
    first = panel.legend(
        handles=capability_handles,
        title="Main capability (colour)",
        loc="upper left",
        bbox_to_anchor=(0.0, 1.0),
        fontsize=10.5,
        title_fontsize=12.5,
        frameon=False,
        alignment="left",
        handlelength=1.3,
        labelspacing=0.3,
    )
    panel.add_artist(first)
    kinds = sites["kind"].astype(str).value_counts()
    other_handles: list[Line2D | Patch] = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=KIND_MARKERS.get(slug, "o"),
            markersize=math.sqrt(KIND_SIZES.get(slug, DEFAULT_SIZE)) * 0.85,
            markerfacecolor="#ffffff",
            markeredgecolor="#1a1a1a",
            label=f"{label} ({int(kinds[slug])})",
        )
        for slug, label in vocabulary.KINDS.items()
        if slug in kinds
    ]
    if "status" in sites and (sites["status"] == "planned").any():
        other_handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=13,
                markerfacecolor="none",
                markeredgecolor="#1a1a1a",
                label=f"Planned ({int((sites['status'] == 'planned').sum())})",
            )
        )
    rough = {
        precision: int((sites["location_precision"] == precision).sum())
        for precision in PLACED_AT
        if "location_precision" in sites
    }
    if any(rough.values()):
        # one line for every approximate precision: "approximate location: town (46), street (9)"
        words = ", ".join(f"{p} ({n})" for p, n in rough.items() if n)
        other_handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=9,
                markerfacecolor="#ffffff",
                markeredgecolor="#1a1a1a",
                markeredgewidth=1.6,
                label=textwrap.fill(approximate_label("town").replace("town", words), 46),
            )
        )
    other_handles.append(
        Line2D(
            [],
            [],
            color=str(style.BOUNDARY_STYLES["combined_authorities"]["color"]),
            linewidth=2.2,
            label="Combined authority",
        )
    )
    other_handles.append(Line2D([], [], color="#4d4d4d", linewidth=0.9, label="County or unitary"))
    if selection.has_corridor:
        other_handles.append(
            Patch(
                facecolor=colors.to_rgba(str(style.CORRIDOR_STYLE["fillColor"]), 0.45),
                edgecolor=str(style.CORRIDOR_STYLE["color"]),
                label="Midlands Defence Belt (model)",
            )
        )
    # The second legend starts just below the first, wherever the first one ends.
    drawn = first.get_window_extent(renderer=figure.canvas.get_renderer())  # type: ignore[attr-defined]
    below = panel.transAxes.inverted().transform((drawn.x0, drawn.y0))[1] - 0.02
    panel.legend(
        handles=other_handles,
        title="Kind of site (shape) and lines",
        loc="upper left",
        bbox_to_anchor=(0.0, below),
        fontsize=10.5,
        title_fontsize=12.5,
        frameon=False,
        alignment="left",
        labelspacing=0.25,
    )
