"""A slide of the selection: a 16:9 PNG or PDF map drawn with matplotlib, without tiles.

The slide shows the Midlands' counties and combined authorities, the Defence Belt when there is
one, and the sites coloured by main capability (the map's palette) and shaped by kind, with a
title, a legend, a scale bar, a north arrow, a small inset locating the Midlands, and the
attribution line. It is drawn in the British National Grid (EPSG:27700), so the scale bar is
measured in metres on the map itself.

Matplotlib's Agg canvas is used directly (no pyplot), so drawing a slide never changes the
process's backend or global figure state and is safe in the app's threads.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from layers import filters
from layers._io import atomic_write_bytes
from layers.selection import Selection
from mapping import credits, slide_map
from mapping.description import selection_description
from mapping.slide_legend import draw_legend

#: The slide's size: PowerPoint's widescreen 13.333 x 7.5 inches (16:9).
SLIDE_INCHES: tuple[float, float] = (40 / 3, 7.5)
#: The default resolution: 144 dpi gives 1920 x 1080 pixels.
SCREEN_DPI: int = 144
#: Formats the slide is written in.
SLIDE_FORMATS: tuple[str, ...] = ("png", "pdf")
DEFAULT_TITLE = "Midlands Defence Capability Map"

#: The subtitle's size, and the characters a line of it holds across the slide (13 pt
#: characters average about 7 pt wide; the slide is 960 pt wide, less its margins).
SUBTITLE_POINTS = 13
SUBTITLE_CHARACTERS = 118
#: The characters the 27 pt title holds on its one line.
TITLE_CHARACTERS = 54

#: The margin around the chosen areas on a slide fitted to them (metres): the slide map's.
FOCUS_MARGIN_M = slide_map.FOCUS_MARGIN_M

# Figure layout, as fractions of the slide: [left, bottom, width, height]; the map's top
# leaves room for the title and three lines of subtitle.
_MAP_BOX = (0.012, 0.075, 0.600, 0.74)
_LEGEND_BOX = (0.625, 0.075, 0.365, 0.74)
# Characters per line of the credit at the bottom of the slide (7.5 pt across 13.3 inches).
_CREDIT_CHARACTERS = 230
_INSET_BOX = (0.018, 0.545, 0.112, 0.262)


def slide_figure(
    selection: Selection,
    *,
    title: str | None = None,
    subtitle: str | None = None,
) -> Figure:
    """Return the slide as a matplotlib figure (Agg canvas), 16:9.

    Parameters
    ----------
    selection
        What to show (``layers.selection.make_selection``).
    title
        The slide's title (default: the product's name).
    subtitle
        The line under the title (default: the filters and the counts).
    """
    figure = Figure(figsize=SLIDE_INCHES, dpi=SCREEN_DPI, facecolor="white")
    FigureCanvasAgg(figure)
    # chosen areas frame the map, outlined; without them it shows the whole Midlands
    focus = filters.area_shapes(selection.criteria.areas, directory=selection.boundaries_dir)
    slide_map.draw_map(figure, selection, box=_MAP_BOX, inset_box=_INSET_BOX, focus=focus)
    draw_legend(figure, selection, box=_LEGEND_BOX)
    _titles(figure, selection, title=title, subtitle=subtitle)
    return figure


def render_slide(
    selection: Selection,
    *,
    fmt: str = "png",
    dpi: int | None = None,
    title: str | None = None,
    subtitle: str | None = None,
) -> bytes:
    """Return the slide as PNG or PDF bytes.

    Parameters
    ----------
    selection
        What to show.
    fmt
        ``"png"`` or ``"pdf"``.
    dpi
        PNG resolution: the default 144 gives 1920 x 1080 pixels; 300 gives 4000 x 2250 for
        print. A PDF is vector and keeps the same 16:9 page whatever the dpi.
    title, subtitle
        As for :func:`slide_figure`.
    """
    if fmt not in SLIDE_FORMATS:
        raise ValueError(f"unknown slide format {fmt!r}; choose one of {', '.join(SLIDE_FORMATS)}")
    if dpi is not None and not 50 <= dpi <= 1200:
        raise ValueError(f"dpi {dpi!r} is out of range; use a value from 50 to 1200 (e.g. 300)")
    figure = slide_figure(selection, title=title, subtitle=subtitle)
    metadata = credits.export_metadata(selection)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A filter typed in another script (an emoji) may lack a glyph: draw a box, not fail.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        if fmt == "png":
            figure.savefig(
                buffer,
                format="png",
                dpi=dpi or SCREEN_DPI,
                metadata={
                    "Title": metadata["title"],
                    "Description": f"{selection_description(selection)} "
                    + _png_description(metadata),
                    "Copyright": credits.credit_text(metadata["attribution"]),
                    "Source": f"data version {metadata['data_version']}",
                    "Creation Time": metadata["created"],
                },
            )
        else:
            figure.savefig(
                buffer,
                format="pdf",
                metadata={
                    "Title": metadata["title"],
                    "Subject": _png_description(metadata),
                    "Creator": metadata["generator"],
                    "Keywords": f"data version {metadata['data_version']}",
                },
            )
    return buffer.getvalue()


def write_slide(
    selection: Selection,
    path: str | Path,
    *,
    fmt: str | None = None,
    dpi: int | None = None,
    title: str | None = None,
    subtitle: str | None = None,
) -> Path:
    """Write the slide to ``path`` (format from ``fmt`` or the file's suffix); return the path."""
    target = Path(path)
    chosen = fmt or target.suffix.lstrip(".").lower()
    if chosen not in SLIDE_FORMATS:
        raise ValueError(
            f"cannot tell the slide format from {target.name!r}; name it .png or .pdf, or pass fmt"
        )
    data = render_slide(selection, fmt=chosen, dpi=dpi, title=title, subtitle=subtitle)
    atomic_write_bytes(target, data)
    return target


def subtitle_text(line: str, facts: str, *, width: int = SUBTITLE_CHARACTERS) -> str:
    """Return the subtitle: the selection on at most two lines, then the facts on their own.

    A longer selection is shortened at a word with "…", so nothing runs off the slide.
    """
    wrapped = textwrap.wrap(line, width=width, max_lines=2, placeholder=" …")
    return "\n".join([*wrapped, textwrap.shorten(facts, width=width, placeholder=" …")])


def _png_description(metadata: dict[str, object]) -> str:
    counts = metadata["counts"]
    sites = counts["sites"] if isinstance(counts, dict) else ""
    filters_used = metadata["filters"]
    described = filters_used["description"] if isinstance(filters_used, dict) else ""
    return f"Filters: {described}. Sites: {sites}. Made {metadata['created']}."


def _titles(
    figure: Figure,
    selection: Selection,
    *,
    title: str | None,
    subtitle: str | None,
) -> None:
    metadata = credits.export_metadata(selection)
    counts = metadata["counts"]
    figure.text(
        0.012,
        0.965,
        textwrap.shorten(title or DEFAULT_TITLE, width=TITLE_CHARACTERS, placeholder=" …"),
        ha="left",
        va="top",
        fontsize=27,
        fontweight="bold",
        color="#1f4e79",
        parse_math=False,
    )
    line = subtitle or f"Showing: {credits.selection_caption(selection)}"
    facts = (
        f"{counts['sites']} sites · {counts['organisations']} organisations · "
        f"data version {metadata['data_version']} · {metadata['date']}"
    )
    figure.text(
        0.012,
        0.912,
        subtitle_text(line, facts),
        ha="left",
        va="top",
        fontsize=SUBTITLE_POINTS,
        linespacing=1.25,
        color="#333333",
        parse_math=False,
    )
    credit = credits.credit_text(metadata["attribution"])
    if selection.has_corridor:
        credit += " The Defence Belt is a model computed from the selected sites."
    # Postcode and upload credits make the line long: wrapped, it stays on the slide.
    figure.text(
        0.012,
        0.008,
        textwrap.fill(credit, width=_CREDIT_CHARACTERS),
        ha="left",
        va="bottom",
        fontsize=7.5,
        linespacing=1.15,
        color="#444444",
        parse_math=False,
    )
