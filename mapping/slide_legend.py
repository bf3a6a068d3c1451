"""The legend panel of a slide: main capabilities (colour), kinds of site (shape) and lines."""

from __future__ import annotations

import math
import textwrap

from matplotlib import colors
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from layers import vocabulary
from layers.selection import Selection
from mapping import style
from mapping.legend import main_capability_counts
from mapping.slide_map import DEFAULT_SIZE, KIND_MARKERS, KIND_SIZES


def draw_legend(
    figure: Figure, selection: Selection, *, box: tuple[float, float, float, float]
) -> None:
    """Draw the legend panel in ``box``: main capabilities with counts, then kinds and lines."""
    panel = figure.add_axes(box)
    panel.set_axis_off()
    sites = selection.sites
    mains = main_capability_counts(sites)
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
        labelspacing=0.3,
    )
