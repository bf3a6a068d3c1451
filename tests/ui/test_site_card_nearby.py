"""What is near a site: a chosen distance, the selection or every site, grouped by kind."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

import settings
from layers.selection import Selection
from ui.site_card import NEARBY_CHOICES, by_kind, nearby_sites, neighbours


def grid_sites(points: dict[str, tuple[float, float, str]]) -> gpd.GeoDataFrame:
    """Sites at National Grid (easting, northing) points, each with a kind."""
    frame = gpd.GeoDataFrame(
        {
            "site_id": list(points),
            "name": [f"Site {k}" for k in points],
            "kind": [kind for _, _, kind in points.values()],
        },
        geometry=[Point(x, y) for x, y, _ in points.values()],
        crs=settings.CRS_METRIC,
    ).to_crs(settings.CRS_STORAGE)
    frame["lat"], frame["lon"] = frame.geometry.y, frame.geometry.x
    return frame


SITES = grid_sites(
    {
        "origin": (430_000, 280_000, "prime"),
        "supplier-4": (434_000, 280_000, "supplier"),
        "prime-7": (430_000, 287_000, "prime"),
        "supplier-20": (410_000, 280_000, "supplier"),
        "base-45": (430_000, 325_000, "military"),
        "far-80": (510_000, 280_000, "university"),
    }
)
ORIGIN = SITES.iloc[0]


def test_the_card_offers_5_to_50_km():
    assert NEARBY_CHOICES == (5.0, 10.0, 25.0, 50.0)


@pytest.mark.parametrize(
    ("radius", "expected"),
    [
        (5.0, ["supplier-4"]),
        (10.0, ["supplier-4", "prime-7"]),
        (25.0, ["supplier-4", "prime-7", "supplier-20"]),
        (50.0, ["supplier-4", "prime-7", "supplier-20", "base-45"]),
    ],
)
def test_the_distance_chosen_sets_what_is_near(radius, expected):
    found = neighbours(SITES, ORIGIN["lat"], ORIGIN["lon"], exclude="origin", radius_km=radius)
    assert [n.site_id for n in found] == expected
    assert found[0].km == pytest.approx(4.0, abs=1e-3)


def test_nearby_sites_are_grouped_by_kind_nearest_first():
    found = neighbours(SITES, ORIGIN["lat"], ORIGIN["lon"], exclude="origin", radius_km=50)
    groups = by_kind(found)
    assert [label for label, _ in groups] == [
        "Prime contractor",
        "Supplier",
        "Military establishment",
    ]
    suppliers = dict(groups)["Supplier"]
    assert [(n.site_id, round(n.km, 1)) for n in suppliers] == [
        ("supplier-4", 4.0),
        ("supplier-20", 20.0),
    ]


def test_all_sites_ignores_the_filters_but_the_selection_does_not():
    # the filters chose suppliers: the card's prime is not among them, its card stays
    chosen = Selection(sites=SITES.loc[SITES["kind"] == "supplier"])
    selected = nearby_sites(chosen, SITES, ORIGIN, "origin", radius_km=10, everything=False)
    assert [n.site_id for n in selected] == ["supplier-4"]
    every = nearby_sites(chosen, SITES, ORIGIN, "origin", radius_km=10, everything=True)
    assert [n.site_id for n in every] == ["supplier-4", "prime-7"]
    assert all(n.site_id != "origin" for n in every)


def test_a_site_of_no_known_kind_is_grouped_as_other():
    odd = pd.concat([SITES, SITES.iloc[[1]].assign(site_id="odd", kind="")], ignore_index=True)
    found = neighbours(odd, ORIGIN["lat"], ORIGIN["lon"], exclude="origin", radius_km=5)
    assert [label for label, _ in by_kind(found)] == ["Supplier", "Other"]
