"""The areas view's map: authorities shaded by how many selected sites they hold."""

from __future__ import annotations

from pathlib import Path

import folium
import pandas as pd

import settings
from mapping import assets
from mapping.basemap import display_geojson, new_map
from mapping.legend import MapChrome
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
    lower = 1
    for bound in breaks:
        colour = colour_for(bound, breaks)
        label = f"{lower}" if bound == lower else f"{lower}–{bound}"
        legend.append(
            f'<div class="mdm-row"><span class="swatch" style="background:{colour}">'
            f"</span>{label}</div>"
        )
        lower = bound + 1
    legend.append(
        f'<div class="mdm-row"><span class="swatch" style="background:{EMPTY}"></span>none</div>'
    )
    fmap.add_child(MapChrome(legend_html="".join(legend), attributions=[settings.ONS_ATTRIBUTION]))
    if local_assets:
        assets.localise(fmap)
    return fmap
