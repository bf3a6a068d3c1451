"""The map panel of a slide, drawn with matplotlib in the British National Grid (EPSG:27700).

Boundaries, the Defence Belt and the sites (coloured by main capability, shaped by kind), a
scale bar measured in the map's metres, a north arrow and an inset locating the Midlands; the
whole Midlands, or the chosen areas framed, outlined and named.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import colors
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

import settings
from layers import boundaries
from layers.selection import Selection
from mapping import style
from mapping.livemap.rows import colour_capabilities, colour_capability_column
from mapping.popups import PLACED_AT

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
# Margin around the Midlands on the main map (metres).
MARGIN_M = 12_000.0
#: The margin around the chosen areas on a map fitted to them (metres), and their outline.
FOCUS_MARGIN_M = 5_000.0
FOCUS_COLOUR = "#1a1a1a"
TEXT_COLOUR = "#1a1a1a"


def draw_map(
    figure: Figure,
    selection: Selection,
    *,
    box: tuple[float, float, float, float],
    inset_box: tuple[float, float, float, float],
    focus: gpd.GeoDataFrame | None = None,
) -> None:
    """Draw the map of ``selection`` in ``box`` and the inset locating it in ``inset_box``.

    Without ``focus`` the map shows the whole Midlands with its counties and combined
    authorities. ``focus`` (the chosen areas, any CRS: :func:`layers.filters.area_shapes`)
    frames the map on those areas with :data:`FOCUS_MARGIN_M` around them, over the districts,
    and outlines and names them. Under a capability filter each site takes the colour of the
    first chosen capability it has, as the legend counts it.
    """
    metric = settings.CRS_METRIC
    directory = selection.boundaries_dir
    midlands_m = boundaries.load_layer("midlands", display=True, directory=directory).to_crs(metric)
    countries_m = boundaries.load_layer("countries", display=True, directory=directory).to_crs(
        metric
    )
    focus_m = focus.to_crs(metric) if focus is not None and not focus.empty else None
    extent = (
        map_extent(midlands_m.total_bounds, figure, box)
        if focus_m is None
        else map_extent(focus_m.total_bounds, figure, box, margin_m=FOCUS_MARGIN_M)
    )
    axes = map_axes(figure, box, extent)
    draw_polygons(axes, countries_m.geometry, face="#f4f1ea", edge="#c8c3b8", width=0.6, z=1)
    draw_polygons(axes, midlands_m.geometry, face="#ffffff", edge="#1f4e79", width=1.0, z=2)
    if selection.has_corridor and selection.corridor is not None:
        draw_corridor(axes, selection.corridor.to_crs(metric))
    if focus_m is None:
        draw_authorities(axes, directory)
    else:
        draw_focus(axes, focus_m, directory)
    draw_sites(axes, with_colours(selection).to_crs(metric))
    scale_bar(axes)
    north_arrow(axes)
    inset(figure, countries_m, midlands_m, extent, box=inset_box)


def map_axes(
    figure: Figure, box: tuple[float, float, float, float], extent: tuple[float, ...]
) -> Axes:
    """Add the map's axes in ``box``, framed on ``extent`` (metres): one scale, sea behind."""
    axes = figure.add_axes(box)
    axes.set_xlim(extent[0], extent[2])
    axes.set_ylim(extent[1], extent[3])
    axes.set_aspect("equal", adjustable="box")
    axes.set_facecolor(style.SEA_COLOUR)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_edgecolor("#8c8c8c")
    return axes


def draw_authorities(axes: Axes, directory: str | Path) -> None:
    """Draw the counties' lines and the combined authorities (tinted) of the whole Midlands."""
    metric = settings.CRS_METRIC
    counties = boundaries.load_layer("counties", display=True, directory=directory)
    draw_polygons(axes, counties.to_crs(metric).geometry, face="none", edge="#4d4d4d", width=0.7)
    authorities = boundaries.load_layer("combined_authorities", display=True, directory=directory)
    ca_colour = str(style.BOUNDARY_STYLES["combined_authorities"]["color"])
    draw_polygons(
        axes,
        authorities.to_crs(metric).geometry,
        face=ca_colour,
        edge=ca_colour,
        width=2.2,
        alpha_face=0.06,
    )


def draw_focus(axes: Axes, focus_m: gpd.GeoDataFrame, directory: str | Path) -> None:
    """Draw the districts' lines, then the chosen areas (EPSG:27700) outlined and named."""
    districts = boundaries.load_layer("lads", display=True, directory=directory)
    draw_polygons(
        axes,
        districts.to_crs(settings.CRS_METRIC).geometry,
        face="none",
        edge="#8c8c8c",
        width=0.5,
    )
    draw_polygons(axes, focus_m.geometry, face="none", edge=FOCUS_COLOUR, width=2.6, z=6)
    for name, point in zip(focus_m["name"], focus_m.geometry.representative_point(), strict=True):
        axes.text(
            point.x,
            point.y,
            str(name),
            ha="center",
            va="center",
            fontsize=12,
            fontweight="bold",
            color=FOCUS_COLOUR,
            alpha=0.75,
            zorder=5,
            clip_on=True,
            parse_math=False,
        )


def with_colours(selection: Selection) -> gpd.GeoDataFrame:
    """Return the selection's sites with the capability each is coloured by."""
    sites = selection.sites
    chosen = selection.criteria.capabilities
    return sites.assign(colour_capability=colour_capabilities(sites, chosen))


def map_extent(
    bounds: np.ndarray,
    figure: Figure,
    box: tuple[float, ...],
    *,
    margin_m: float = MARGIN_M,
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


def polygon_paths(shapes: Iterable[shapely.Geometry | None]) -> list[MplPath]:
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


def draw_polygons(
    axes: Axes,
    shapes: Iterable[shapely.Geometry | None],
    *,
    face: str,
    edge: str,
    width: float,
    alpha_face: float = 1.0,
    z: float = 3,
) -> None:
    """Fill and outline ``shapes`` on ``axes`` as one collection (holes kept)."""
    patches = [PathPatch(path) for path in polygon_paths(shapes)]
    if not patches:
        return
    collection = PatchCollection(
        patches,
        facecolor="none" if face == "none" else colors.to_rgba(face, alpha_face),
        edgecolor=edge,
        linewidth=width,
        zorder=z,
    )
    axes.add_collection(collection, autolim=False)


def draw_corridor(axes: Axes, corridor: gpd.GeoDataFrame) -> None:
    """Draw the Defence Belt (translucent) and its spine (a line) on ``axes``."""
    belt = corridor.loc[corridor["part"] == "belt"].geometry
    draw_polygons(
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


def draw_sites(axes: Axes, sites: gpd.GeoDataFrame) -> None:
    """Draw the sites coloured by main capability and shaped by kind (or say there are none)."""
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
    colours = np.array(
        [style.capability_colour(slug) for slug in colour_capability_column(sites)], dtype=object
    )
    kinds = sites["kind"].astype(str).to_numpy()
    approximate = approximate_mask(sites)
    planned = (
        (sites["status"] == "planned").to_numpy()
        if "status" in sites
        else np.zeros(len(sites), bool)
    )
    xs = sites.geometry.x.to_numpy()
    ys = sites.geometry.y.to_numpy()
    # A planned site sits in a dotted ring, drawn under its marker.
    if planned.any():
        axes.scatter(
            xs[planned],
            ys[planned],
            s=DEFAULT_SIZE * 3.2,
            facecolors="none",
            edgecolors="#1a1a1a",
            linewidths=1.3,
            linestyles=(0, (1.5, 1.5)),
            zorder=5.9,
        )
    # Larger kinds first so small markers stay visible on top of them.
    for kind in sorted(set(kinds), key=lambda k: -KIND_SIZES.get(k, DEFAULT_SIZE)):
        for rough in (False, True):
            chosen = (kinds == kind) & (approximate == rough)
            if not chosen.any():
                continue
            if rough:
                # an approximate (town or street) point: hollow, its outline dashed in the colour
                axes.scatter(
                    xs[chosen],
                    ys[chosen],
                    s=KIND_SIZES.get(kind, DEFAULT_SIZE),
                    facecolors=[colors.to_rgba("#ffffff", 0.75)] * int(chosen.sum()),
                    marker=KIND_MARKERS.get(kind, "o"),
                    edgecolors=list(colours[chosen]),
                    linewidths=1.8,
                    linestyles=(0, (2.5, 1.5)),
                    zorder=6,
                )
            else:
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


def approximate_mask(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Return which sites sit on an approximate point (town or street precision)."""
    if "location_precision" not in sites:
        return np.zeros(len(sites), dtype=bool)
    return sites["location_precision"].isin(list(PLACED_AT)).to_numpy()


def nice_length_km(width_m: float) -> float:
    """Return a round scale-bar length (km) of at most about a fifth of the map's width."""
    target = width_m / 5 / 1000
    candidates = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500]
    fitting = [c for c in candidates if c <= target]
    return float(fitting[-1] if fitting else candidates[0])


def scale_bar(axes: Axes) -> None:
    """Draw a two-part scale bar, its length measured in the map's metres (EPSG:27700)."""
    xmin, xmax = axes.get_xlim()
    ymin, ymax = axes.get_ylim()
    width, height = xmax - xmin, ymax - ymin
    length_km = nice_length_km(width)
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
            color=TEXT_COLOUR,
            zorder=9,
            parse_math=False,
        )


def north_arrow(axes: Axes) -> None:
    """Draw a north arrow in the top right corner of ``axes`` (grid north is up)."""
    axes.annotate(
        "",
        xy=(0.955, 0.955),
        xytext=(0.955, 0.855),
        xycoords="axes fraction",
        arrowprops={
            "facecolor": TEXT_COLOUR,
            "edgecolor": TEXT_COLOUR,
            "width": 5,
            "headwidth": 17,
        },
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
        color=TEXT_COLOUR,
        zorder=9,
        parse_math=False,
    )


def inset(
    figure: Figure,
    countries: gpd.GeoDataFrame,
    midlands: gpd.GeoDataFrame,
    extent: tuple[float, ...],
    *,
    box: tuple[float, float, float, float],
) -> None:
    """Draw a small map of Great Britain in ``box`` with the Midlands and the main map's frame."""
    inset = figure.add_axes(box)
    inset.set_facecolor(style.SEA_COLOUR)
    draw_polygons(inset, countries.geometry, face="#d9d6cf", edge="#ffffff", width=0.4, z=1)
    draw_polygons(inset, midlands.geometry, face="#b35806", edge="#7f3b08", width=0.6, z=2)
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
    view = map_extent(countries.total_bounds, figure, box, margin_m=0.0)
    inset.set_xlim(view[0], view[2])
    inset.set_ylim(view[1], view[3])
    inset.set_aspect("equal", adjustable="box")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_title("Where", fontsize=10, color=TEXT_COLOUR, loc="left", parse_math=False)
