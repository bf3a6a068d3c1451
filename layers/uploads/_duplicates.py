"""Uploads that repeat a registry site: the same name within a short distance is flagged."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

import settings
from layers.uploads import limits
from layers.uploads._problems import UploadProblem, site_id
from layers.uploads._rows import ParsedRow


def flag_registry_duplicates(
    rows: list[ParsedRow],
    registry: gpd.GeoDataFrame,
    problems: list[UploadProblem],
    *,
    column: str,
) -> None:
    """Note every upload with a registry site's name within ``DUPLICATE_DISTANCE_M``.

    Names are compared without case or extra spaces; distances are measured in EPSG:27700. The
    upload is flagged, never merged: the user decides whether it is the same site.
    """
    if registry.empty or not rows:
        return
    known = gpd.GeoDataFrame(
        {"key": registry["name"].astype(str).map(_name_key), "registry_id": registry["site_id"]},
        geometry=registry.geometry.values,
        crs=registry.crs,
    ).to_crs(settings.CRS_METRIC)
    uploads = gpd.GeoDataFrame(
        {"key": [_name_key(r.values["name"]) for r in rows], "position": range(len(rows))},
        geometry=gpd.points_from_xy(
            [r.values["lon"] for r in rows], [r.values["lat"] for r in rows]
        ),
        crs=settings.CRS_STORAGE,
    ).to_crs(settings.CRS_METRIC)
    uploads = uploads[uploads["key"].isin(set(known["key"]))]
    matches = []
    # The nearest site of the same name: a nearer site of another name must not hide it, so
    # each name is its own nearest search (only names in both lists, so few of them).
    for key, group in uploads.groupby("key", sort=False):
        nearest = gpd.sjoin_nearest(
            group,
            known[known["key"] == key][["registry_id", "geometry"]],
            max_distance=limits.DUPLICATE_DISTANCE_M,
            distance_col="metres",
        )
        matches.append(nearest)
    if not matches:
        return
    found = pd.concat(matches).sort_values(["position", "metres", "registry_id"])
    found = found.drop_duplicates("position")
    for position, registry_id, metres in zip(
        found["position"], found["registry_id"], found["metres"], strict=True
    ):
        row = rows[int(position)]
        problems.append(
            UploadProblem(
                row.row,
                site_id(row.row),
                column,
                row.values["name"],
                f"is also the name of registry site {str(registry_id)!r}, {metres:.0f} m away: "
                "probably the same site; it is shown as an upload, not merged",
                kept=True,
            )
        )


def _name_key(text: str) -> str:
    return " ".join(text.casefold().split())
