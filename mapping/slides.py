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
import math
import textwrap
import warnings
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath

import settings
from layers import boundaries, vocabulary
from layers._io import atomic_write_bytes
from mapping import export, style

#: The slide's size: PowerPoint's widescreen 13.333 x 7.5 inches (16:9).
SLIDE_INCHES: tuple[float, float] = (40 / 3, 7.5)
#: The default resolution: 144 dpi gives 1920 x 1080 pixels.
SCREEN_DPI: int = 144
#: Formats the slide is written in.
SLIDE_FORMATS: tuple[str, ...] = ("png", "pdf")
#: Kind of site -> matplotlib marker, echoing the web map's SVG shapes.
KIND_MARKERS: dict[str, str] = {
    "prime": "*",
    "supplier": "o",
    "research_centre": "D",
    "university": "^",
    "military": "s",
    "cluster_body": "h",
    "skills_centre": "v",
    "health": "P",
}
#: Marker area (points squared) by kind: a star reads smaller than a square of the same size.
KIND_SIZES: dict[str, float] = {"prime": 260.0, "research_centre": 80.0}
DEFAULT_SIZE = 110.0
DEFAULT_TITLE = "Midlands Defence Capability Map"

# Figure layout, as fractions of the slide: [left, bottom, width, height].
_MAP_BOX = (0.012, 0.075, 0.600, 0.800)
_LEGEND_BOX = (0.625, 0.075, 0.365, 0.800)
_INSET_BOX = (0.018, 0.585, 0.112, 0.262)
# Margin around the Midlands on the main map (metres).
_MARGIN_M = 12_000.0
_TEXT = "#1a1a1a"


def slide_figure(
    selection: export.Selection,
    *,
    title: str | None = None,
    subtitle: str | None = None,
) -> Figure:
    """Return the slide as a matplotlib figure (Agg canvas), 16:9.

    Parameters
    ----------
    selection
        What to show (``mapping.export.make_selection``).
    title
        The slide's title (default: the product's name).
    subtitle
        The line under the title (default: the filters and the counts).
    """
    figure = Figure(figsize=SLIDE_INCHES, dpi=SCREEN_DPI, facecolor="white")
    FigureCanvasAgg(figure)
    directory = selection.boundaries_dir
    sites = selection.sites.to_crs(settings.CRS_METRIC)
    midlands = boundaries.load_layer("midlands", display=True, directory=directory)
    midlands_m = midlands.to_crs(settings.CRS_METRIC)
    countries_m = boundaries.load_layer("countries", display=True, directory=directory).to_crs(
        settings.CRS_METRIC
    )

    axes = figure.add_axes(_MAP_BOX)
    extent = _map_extent(midlands_m.total_bounds, figure, _MAP_BOX)
    axes.set_xlim(extent[0], extent[2])
    axes.set_ylim(extent[1], extent[3])
    axes.set_aspect("equal", adjustable="box")
    axes.set_facecolor(style.SEA_COLOUR)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_edgecolor("#8c8c8c")

    _draw_polygons(axes, countries_m.geometry, face="#f4f1ea", edge="#c8c3b8", width=0.6, z=1)
    _draw_polygons(axes, midlands_m.geometry, face="#ffffff", edge="#1f4e79", width=1.0, z=2)
    if selection.has_corridor and selection.corridor is not None:
        _draw_corridor(axes, selection.corridor.to_crs(settings.CRS_METRIC))
    counties = boundaries.load_layer("counties", display=True, directory=directory)
    _draw_polygons(
        axes, counties.to_crs(settings.CRS_METRIC).geometry, face="none", edge="#4d4d4d", width=0.7
    )
    authorities = boundaries.load_layer("combined_authorities", display=True, directory=directory)
    ca_colour = str(style.BOUNDARY_STYLES["combined_authorities"]["color"])
    _draw_polygons(
        axes,
        authorities.to_crs(settings.CRS_METRIC).geometry,
        face=ca_colour,
        edge=ca_colour,
        width=2.2,
        alpha_face=0.06,
    )
    _draw_sites(axes, sites)
    _scale_bar(axes)
    _north_arrow(axes)
    _inset(figure, countries_m, midlands_m, extent)
    _legend(figure, selection)
    _titles(figure, selection, title=title, subtitle=subtitle)
    return figure


def render_slide(
    selection: export.Selection,
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
    metadata = export.export_metadata(selection)
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
                    "Description": _png_description(metadata),
                    "Copyright": " ".join(metadata["attribution"]),
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
    selection: export.Selection,
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


def _png_description(metadata: dict[str, object]) -> str:
    counts = metadata["counts"]
    sites = counts["sites"] if isinstance(counts, dict) else ""
    filters_used = metadata["filters"]
    described = filters_used["description"] if isinstance(filters_used, dict) else ""
    return f"Filters: {described}. Sites: {sites}. Made {metadata['created']}."


# --------------------------------------------------------------------------------------------
# Drawing


def _map_extent(
    bounds: np.ndarray,
    figure: Figure,
    box: tuple[float, ...],
    *,
    margin_m: float = _MARGIN_M,
) -> tuple[float, ...]:
    """Return (xmin, ymin, xmax, ymax) around ``bounds`` with the axes box's aspect ratio."""
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    xmin, ymin, xmax, ymax = xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m
    width_in, height_in = figure.get_size_inches()
    aspect = (box[2] * width_in) / (box[3] * height_in)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    width, height = xmax - xmin, ymax - ymin
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def _polygon_paths(shapes: Iterable[shapely.Geometry | None]) -> list[MplPath]:
    """Return one compound path per polygon (holes included), oriented for any fill rule."""
    paths = []
    for shape in shapes:
        if shape is None or shape.is_empty:
            continue
        for part in shapely.get_parts(shapely.orient_polygons(shape)):
            if not isinstance(part, shapely.Polygon) or part.is_empty:
                continue
            rings = [part.exterior, *part.interiors]
            paths.append(
                MplPath.make_compound_path(
                    *[MplPath(np.asarray(ring.coords)[:, :2], closed=True) for ring in rings]
                )
            )
    return paths


def _draw_polygons(
    axes: Axes,
    shapes: Iterable[shapely.Geometry | None],
    *,
    face: str,
    edge: str,
    width: float,
    alpha_face: float = 1.0,
    z: float = 3,
) -> None:
    patches = [PathPatch(path) for path in _polygon_paths(shapes)]
    if not patches:
        return
    collection = PatchCollection(
        patches,
        facecolor="none" if face == "none" else _with_alpha(face, alpha_face),
        edgecolor=edge,
        linewidth=width,
        zorder=z,
    )
    axes.add_collection(collection, autolim=False)


def _with_alpha(colour: str, alpha: float) -> tuple[float, float, float, float]:
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (red, green, blue, alpha)


def _draw_corridor(axes: Axes, corridor: gpd.GeoDataFrame) -> None:
    belt = corridor.loc[corridor["part"] == "belt"].geometry
    _draw_polygons(
        axes,
        belt,
        face=str(style.CORRIDOR_STYLE["fillColor"]),
        edge=str(style.CORRIDOR_STYLE["color"]),
        width=1.4,
        alpha_face=0.45,
        z=2.5,
    )
    lines = []
    for shape in corridor.loc[corridor["part"] == "spine"].geometry:
        if shape is None or shape.is_empty:
            continue
        for part in shapely.get_parts(shape):
            if isinstance(part, shapely.LineString):
                lines.append(np.asarray(part.coords)[:, :2])
    if lines:
        axes.add_collection(
            LineCollection(
                lines, colors=str(style.SPINE_STYLE["color"]), linewidths=2.6, zorder=2.6
            ),
            autolim=False,
        )


def _main_capability(capabilities: object) -> str:
    caps = list(capabilities) if isinstance(capabilities, list | tuple | np.ndarray) else []
    return str(caps[0]) if caps else ""


def _draw_sites(axes: Axes, sites: gpd.GeoDataFrame) -> None:
    if sites.empty:
        axes.text(
            0.5,
            0.5,
            "No sites match these filters",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=20,
            color="#555555",
            zorder=10,
            parse_math=False,
        )
        return
    mains = [_main_capability(c) for c in sites["capabilities"]]
    colours = np.array([style.capability_colour(m) for m in mains], dtype=object)
    kinds = sites["kind"].astype(str).to_numpy()
    xs = sites.geometry.x.to_numpy()
    ys = sites.geometry.y.to_numpy()
    # Larger kinds first so small markers stay visible on top of them.
    for kind in sorted(set(kinds), key=lambda k: -KIND_SIZES.get(k, DEFAULT_SIZE)):
        chosen = kinds == kind
        axes.scatter(
            xs[chosen],
            ys[chosen],
            s=KIND_SIZES.get(kind, DEFAULT_SIZE),
            c=list(colours[chosen]),
            marker=KIND_MARKERS.get(kind, "o"),
            edgecolors="#1a1a1a",
            linewidths=0.9,
            zorder=6,
        )


def _nice_length_km(width_m: float) -> float:
    """Return a round scale-bar length (km) of at most about a fifth of the map's width."""
    target = width_m / 5 / 1000
    candidates = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500]
    fitting = [c for c in candidates if c <= target]
    return float(fitting[-1] if fitting else candidates[0])


def _scale_bar(axes: Axes) -> None:
    """Draw a two-part scale bar, its length measured in the map's metres (EPSG:27700)."""
    xmin, xmax = axes.get_xlim()
    ymin, ymax = axes.get_ylim()
    width, height = xmax - xmin, ymax - ymin
    length_km = _nice_length_km(width)
    length_m = length_km * 1000
    x0, y0 = xmin + 0.035 * width, ymin + 0.045 * height
    bar = 0.012 * height
    axes.add_patch(
        Rectangle(
            (x0 - 0.012 * width, y0 - 0.025 * height),
            length_m + 0.05 * width,
            0.085 * height,
            facecolor="white",
            edgecolor="none",
            alpha=0.85,
            zorder=8,
        )
    )
    for index, colour in enumerate(("#1a1a1a", "#ffffff")):
        axes.add_patch(
            Rectangle(
                (x0 + index * length_m / 2, y0),
                length_m / 2,
                bar,
                facecolor=colour,
                edgecolor="#1a1a1a",
                linewidth=0.9,
                zorder=9,
            )
        )
    for fraction in (0.0, 0.5, 1.0):
        value = length_km * fraction
        label = f"{value:g}" + (" km" if fraction == 1.0 else "")
        axes.text(
            x0 + fraction * length_m,
            y0 + bar * 1.6,
            label,
            ha="center",
            va="bottom",
            fontsize=11,
            color=_TEXT,
            zorder=9,
            parse_math=False,
        )


def _north_arrow(axes: Axes) -> None:
    axes.annotate(
        "",
        xy=(0.955, 0.955),
        xytext=(0.955, 0.855),
        xycoords="axes fraction",
        arrowprops={"facecolor": _TEXT, "edgecolor": _TEXT, "width": 5, "headwidth": 17},
        zorder=9,
    )
    axes.text(
        0.955,
        0.83,
        "N",
        transform=axes.transAxes,
        ha="center",
        va="top",
        fontsize=17,
        fontweight="bold",
        color=_TEXT,
        zorder=9,
        parse_math=False,
    )


def _inset(
    figure: Figure,
    countries: gpd.GeoDataFrame,
    midlands: gpd.GeoDataFrame,
    extent: tuple[float, ...],
) -> None:
    inset = figure.add_axes(_INSET_BOX)
    inset.set_facecolor(style.SEA_COLOUR)
    _draw_polygons(inset, countries.geometry, face="#d9d6cf", edge="#ffffff", width=0.4, z=1)
    _draw_polygons(inset, midlands.geometry, face="#b35806", edge="#7f3b08", width=0.6, z=2)
    inset.add_patch(
        Rectangle(
            (extent[0], extent[1]),
            extent[2] - extent[0],
            extent[3] - extent[1],
            facecolor="none",
            edgecolor="#1a1a1a",
            linewidth=0.8,
            linestyle="--",
            zorder=3,
        )
    )
    view = _map_extent(countries.total_bounds, figure, _INSET_BOX, margin_m=0.0)
    inset.set_xlim(view[0], view[2])
    inset.set_ylim(view[1], view[3])
    inset.set_aspect("equal", adjustable="box")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_title("Where", fontsize=10, color=_TEXT, loc="left", parse_math=False)


def _legend(figure: Figure, selection: export.Selection) -> None:
    panel = figure.add_axes(_LEGEND_BOX)
    panel.set_axis_off()
    sites = selection.sites
    mains: dict[str, int] = {}
    for caps in sites["capabilities"]:
        main = _main_capability(caps)
        if main:
            mains[main] = mains.get(main, 0) + 1
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
        labelspacing=0.38,
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
                facecolor=_with_alpha(str(style.CORRIDOR_STYLE["fillColor"]), 0.45),
                edgecolor=str(style.CORRIDOR_STYLE["color"]),
                label="Midlands Defence Belt (model)",
            )
        )
    # The second legend starts just below the first, wherever the first one ends.
    box = first.get_window_extent(renderer=figure.canvas.get_renderer())  # type: ignore[attr-defined]
    below = panel.transAxes.inverted().transform((box.x0, box.y0))[1] - 0.025
    panel.legend(
        handles=other_handles,
        title="Kind of site (shape) and lines",
        loc="upper left",
        bbox_to_anchor=(0.0, below),
        fontsize=10.5,
        title_fontsize=12.5,
        frameon=False,
        alignment="left",
        labelspacing=0.38,
    )


def _titles(
    figure: Figure,
    selection: export.Selection,
    *,
    title: str | None,
    subtitle: str | None,
) -> None:
    metadata = export.export_metadata(selection)
    counts = metadata["counts"]
    figure.text(
        0.012,
        0.965,
        title or DEFAULT_TITLE,
        ha="left",
        va="top",
        fontsize=27,
        fontweight="bold",
        color="#1f4e79",
        parse_math=False,
    )
    line = subtitle or f"Showing: {selection.criteria.describe()}"
    facts = (
        f"{counts['sites']} sites · {counts['organisations']} organisations · "
        f"data version {metadata['data_version']} · {metadata['date']}"
    )
    figure.text(
        0.012,
        0.905,
        textwrap.shorten(f"{line}  ·  {facts}", width=170, placeholder="…"),
        ha="left",
        va="top",
        fontsize=14,
        color="#333333",
        parse_math=False,
    )
    credit = " ".join(metadata["attribution"])
    if selection.has_corridor:
        credit += " The Defence Belt is a model computed from the selected sites."
    figure.text(
        0.012,
        0.022,
        credit,
        ha="left",
        va="bottom",
        fontsize=8.5,
        color="#444444",
        parse_math=False,
    )
