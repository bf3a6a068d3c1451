"""The areas view's map: authorities shaded by how many selected sites they hold.

:func:`choropleth_overlays` gives the shading as overlays of the live map
(:mod:`mapping.livemap`), one per class, so the map's legend names each class.
:func:`build_choropleth` draws the same shading with folium, for a page of its own.
"""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

import settings
from mapping import assets
from mapping.basemap import display_geojson, new_map
from mapping.legend import MapChrome
from mapping.livemap import Overlay, overlay
from mapping.popups import text

#: A sequential blue ramp (light to dark), readable in greyscale too.
RAMP: tuple[str, ...] = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
EMPTY = "#f7f7f7"


def class_breaks(values: list[int], *, classes: int = len(RAMP)) -> list[int]:
    """Return the upper bounds of up to ``classes`` classes of the non-zero values.

    With few distinct values each value is its own class (three authorities need no quantiles);
    otherwise the classes hold about equal numbers of areas.
    """
    positive = sorted(v for v in values if v > 0)
    distinct = sorted(set(positive))
    if len(distinct) <= classes:
        return distinct
    series = pd.Series(positive)
    return sorted({int(series.quantile((i + 1) / classes)) for i in range(classes)})


def colour_for(value: int, breaks: list[int]) -> str:
    """Return the ramp colour of ``value`` given the class ``breaks`` (grey for zero)."""
    if value <= 0 or not breaks:
        return EMPTY
    for index, bound in enumerate(breaks):
        if value <= bound:
            return RAMP[min(index + len(RAMP) - len(breaks), len(RAMP) - 1)]
    return RAMP[-1]


def class_labels(values: list[int], breaks: list[int]) -> list[str]:
    """Return each class's label: the smallest to the largest count it holds ("3", "5–9").

    A class is named by the counts it holds, not by the gap before it, so a single class of
    areas that all hold 4 sites reads "4", not "1–4".
    """
    labels = []
    lower = 0
    for bound in breaks:
        held = [v for v in values if lower < v <= bound]
        low, high = (min(held), max(held)) if held else (lower + 1, bound)
        labels.append(str(low) if low == high else f"{low}–{high}")
        lower = bound
    return labels


#: How each area is drawn: a thin grey edge under the shading.
AREA_STYLE: dict[str, object] = {"color": "#555555", "weight": 0.8, "fillOpacity": 0.85}


def choropleth_overlays(
    counts: pd.DataFrame, *, layer: str, boundaries_dir: str | Path | None = None
) -> tuple[list[Overlay], list[list[float]]]:
    """Return ``layer``'s areas shaded by ``counts`` (``Code``, ``Sites``), one overlay a class.

    Returns
    -------
    overlays, bounds
        The overlays, from "no selected site" to the darkest class, each labelled with the
        counts it holds; and the bounds ``[[south, west], [north, east]]`` of the areas that
        hold sites (all the areas when none does), for the view.
    """
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    areas = gpd.GeoDataFrame.from_features(
        display_geojson(layer, boundaries_dir)["features"], crs=settings.CRS_STORAGE
    )
    by_code = dict(zip(counts["Code"], counts["Sites"], strict=True)) if len(counts) else {}
    areas["sites"] = [int(by_code.get(code, 0)) for code in areas["code"]]
    values = [v for v in areas["sites"] if v > 0]
    breaks = class_breaks(values)
    areas["fill"] = [colour_for(v, breaks) for v in areas["sites"]]
    tips = [
        f"{name} ({code}): {n} selected site{'s' if n != 1 else ''}"
        for name, code, n in zip(areas["name"], areas["code"], areas["sites"], strict=True)
    ]
    areas["tip"] = tips
    found = []
    empty = areas[areas["sites"] == 0]
    if not empty.empty:
        found.append(
            overlay(
                empty,
                label="No selected site",
                style={**AREA_STYLE, "fillColor": EMPTY},
                tooltips=list(empty["tip"]),
            )
        )
    for bound, label in zip(breaks, class_labels(values, breaks), strict=True):
        colour = colour_for(bound, breaks)
        shaded = areas[areas["fill"] == colour]
        sites_word = "site" if label == "1" else "sites"
        found.append(
            overlay(
                shaded,
                label=f"{label} {sites_word}",
                style={**AREA_STYLE, "fillColor": colour},
                tooltips=list(shaded["tip"]),
            )
        )
    framed = areas[areas["sites"] > 0] if values else areas
    west, south, east, north = (float(v) for v in framed.total_bounds)
    return found, [[south, west], [north, east]]


def build_choropleth(
    counts: pd.DataFrame,
    *,
    layer: str,
    caption: str,
    boundaries_dir: str | Path | None = None,
    local_assets: bool = True,
) -> folium.Map:
    """Return a map of ``layer``'s areas shaded by ``counts`` (columns ``Code`` and ``Sites``)."""
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    # a fixed view, not fit-to-bounds: in a hidden tab the map has no size to fit to
    fmap = new_map(boundaries_dir=boundaries_dir, fit_bounds=False)
    by_code = dict(zip(counts["Code"], counts["Sites"], strict=True)) if len(counts) else {}
    breaks = class_breaks(list(by_code.values()))
    features = []
    for feature in display_geojson(layer, boundaries_dir)["features"]:
        code = feature["properties"]["code"]
        value = int(by_code.get(code, 0))
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "name": text(feature["properties"]["name"]),
                    "code": text(code),
                    "sites": value,
                    "fill": colour_for(value, breaks),
                },
            }
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=caption,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.85,
            "color": "#555555",
            "weight": 0.8,
        },
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code", "sites"], aliases=["", "Code", "Selected sites"], sticky=True
        ),
    ).add_to(fmap)
    legend = [f"<h5>{text(caption)}</h5>"]
    labels = class_labels([v for v in by_code.values() if v > 0], breaks)
    for bound, label in zip(breaks, labels, strict=True):
        colour = colour_for(bound, breaks)
        legend.append(
            f'<div class="mdm-row"><span class="swatch" style="background:{colour}">'
            f"</span>{label}</div>"
        )
    legend.append(
        f'<div class="mdm-row"><span class="swatch" style="background:{EMPTY}"></span>none</div>'
    )
    fmap.add_child(MapChrome(legend_html="".join(legend), attributions=[settings.ONS_ATTRIBUTION]))
    if local_assets:
        assets.localise(fmap)
    return fmap
