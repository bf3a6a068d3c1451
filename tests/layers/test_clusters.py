"""Clusters and the density surface: synthetic cases and the registry."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

import settings
from layers.clusters import (
    CLUSTER_COLUMNS,
    density_surface,
    find_clusters,
)


def site_frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    """Sites from (site_id, town, lad_name, kind, capabilities, lat, lon) rows."""
    columns = ["site_id", "town", "lad_name", "kind", "capabilities", "lat", "lon"]
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=settings.CRS_STORAGE
    )


# Three groups a few hundred metres across (Coventry, Derby, Lincoln) and one lone site (Hereford).
GROUPS = [
    ("cov-1", "Coventry", "Coventry", "prime", ["combat_air", "cyber_digital"], 52.4080, -1.5100),
    ("cov-2", "Coventry", "Coventry", "supplier", ["combat_air"], 52.4100, -1.5050),
    ("cov-3", "Coventry", "Coventry", "university", ["cyber_digital", "space"], 52.4060, -1.5150),
    ("cov-4", "Coventry", "Coventry", "supplier", ["advanced_manufacturing"], 52.4120, -1.5120),
    ("der-1", "Derby", "Derby", "prime", ["nuclear_propulsion"], 52.9220, -1.4760),
    (
        "der-2",
        "Derby",
        "Derby",
        "supplier",
        ["nuclear_propulsion", "power_propulsion"],
        52.9200,
        -1.4700,
    ),
    ("der-3", "Derby", "Derby", "research_centre", ["power_propulsion"], 52.9250, -1.4800),
    ("lin-1", "Lincoln", "Lincoln", "military", ["istar"], 53.2300, -0.5400),
    ("lin-2", "Lincoln", "Lincoln", "university", ["istar", "autonomy_ai"], 53.2280, -0.5480),
    ("lin-3", "Waddington", "North Kesteven", "military", ["istar"], 53.2250, -0.5350),
    ("her-1", "Hereford", "Herefordshire, County of", "military", ["istar"], 52.0560, -2.7160),
]


@pytest.fixture
def grouped() -> gpd.GeoDataFrame:
    return site_frame(GROUPS)


def test_clusters_describe_each_group(grouped: gpd.GeoDataFrame) -> None:
    clusters = find_clusters(grouped, radius_km=5, min_sites=3)

    assert list(clusters.columns) == list(CLUSTER_COLUMNS)
    assert clusters.crs == settings.CRS_STORAGE
    assert clusters["cluster_id"].tolist() == [1, 2, 3]
    assert clusters["name"].tolist() == ["Coventry", "Derby", "Lincoln"]
    assert clusters["size"].tolist() == [4, 3, 3]
    assert clusters.loc[0, "site_ids"] == "cov-1;cov-2;cov-3;cov-4"
    assert clusters.loc[0, "capability_mix"] == (
        "combat_air:2;cyber_digital:2;space:1;advanced_manufacturing:1"
    )
    assert clusters.loc[0, "top_capability"] == "combat_air"
    assert clusters.loc[0, "kind_mix"] == "supplier:2;prime:1;university:1"
    assert clusters.loc[2, "kind_mix"] == "military:2;university:1"
    # The lone Hereford site is in no cluster.
    assert not any("her-1" in ids for ids in clusters["site_ids"])


def test_cluster_polygons_hold_their_sites_and_centroids(grouped: gpd.GeoDataFrame) -> None:
    clusters = find_clusters(grouped, radius_km=5, min_sites=3)
    by_id = grouped.set_index("site_id")
    for row in clusters.itertuples():
        polygon = row.geometry
        assert polygon.is_valid and polygon.geom_type == "Polygon"
        members = by_id.loc[row.site_ids.split(";")]
        assert polygon.contains(shapely.MultiPoint(list(members.geometry)))
        assert row.centroid_lat == pytest.approx(members["lat"].mean(), abs=1e-3)
        assert row.centroid_lon == pytest.approx(members["lon"].mean(), abs=1e-3)
        assert polygon.contains(shapely.Point(row.centroid_lon, row.centroid_lat))
        assert row.area_km2 > 0


def test_clusters_do_not_depend_on_row_order(grouped: gpd.GeoDataFrame) -> None:
    first = find_clusters(grouped, radius_km=5, min_sites=3)
    shuffled = grouped.sample(frac=1.0, random_state=7)
    assert_geodataframe_equal(first, find_clusters(shuffled, radius_km=5, min_sites=3))


def test_a_spread_out_cluster_takes_its_authority_name() -> None:
    sites = site_frame(
        [
            ("a", "Cranwell", "North Kesteven", "military", ["combat_air"], 53.030, -0.483),
            ("b", "Scopwick", "North Kesteven", "military", ["istar"], 53.091, -0.434),
            ("c", "Sleaford", "North Kesteven", "supplier", ["istar"], 53.000, -0.410),
        ]
    )
    clusters = find_clusters(sites, radius_km=10, min_sites=2)
    assert clusters["name"].tolist() == ["North Kesteven"]


def test_repeated_names_are_numbered() -> None:
    sites = site_frame(
        [
            ("a-1", "Lincoln", "Lincoln", "military", ["istar"], 53.230, -0.540),
            ("a-2", "Lincoln", "Lincoln", "military", ["istar"], 53.232, -0.542),
            ("b-1", "Lincoln", "West Lindsey", "supplier", ["istar"], 53.400, -0.540),
            ("b-2", "Lincoln", "West Lindsey", "supplier", ["istar"], 53.402, -0.542),
        ]
    )
    clusters = find_clusters(sites, radius_km=2, min_sites=2)
    assert clusters["name"].tolist() == ["Lincoln", "Lincoln (2)"]


def test_no_sites_give_an_empty_frame(grouped: gpd.GeoDataFrame) -> None:
    clusters = find_clusters(grouped.iloc[:0])
    assert clusters.empty
    assert list(clusters.columns) == list(CLUSTER_COLUMNS)
    assert clusters.crs == settings.CRS_STORAGE


def test_one_site_is_a_cluster_only_when_one_site_is_enough(grouped: gpd.GeoDataFrame) -> None:
    lone = grouped[grouped["site_id"] == "her-1"]
    assert find_clusters(lone, radius_km=8, min_sites=2).empty
    clusters = find_clusters(lone, radius_km=8, min_sites=1)
    assert clusters["name"].tolist() == ["Hereford"]
    # A single site's polygon is a disc of a quarter of the radius.
    assert clusters.loc[0, "area_km2"] == pytest.approx(math.pi * 2.0**2, rel=0.01)


def test_bad_options_say_what_to_do(grouped: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="radius_km must be a positive"):
        find_clusters(grouped, radius_km=0)
    with pytest.raises(ValueError, match="min_sites must be at least 1"):
        find_clusters(grouped, min_sites=0)
    with pytest.raises(ValueError, match="set_crs"):
        find_clusters(grouped.set_crs(None, allow_override=True))
    with pytest.raises(TypeError, match="load_sites"):
        find_clusters(pd.DataFrame(grouped.drop(columns="geometry")))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Density surface


def test_density_peaks_at_the_densest_group(grouped: gpd.GeoDataFrame) -> None:
    surface = density_surface(grouped, bandwidth_km=5, cell_km=1)
    assert list(surface.columns) == ["lat", "lon", "weight"]
    assert surface["weight"].max() == pytest.approx(1.0)
    assert surface["weight"].min() >= 0.05
    peak = surface.loc[surface["weight"].idxmax()]
    # Coventry's four sites outweigh Derby's and Lincoln's three.
    assert peak["lat"] == pytest.approx(52.409, abs=0.03)
    assert peak["lon"] == pytest.approx(-1.511, abs=0.05)
    assert surface.equals(density_surface(grouped.iloc[::-1], bandwidth_km=5, cell_km=1))


def test_density_of_no_sites_is_empty(grouped: gpd.GeoDataFrame) -> None:
    surface = density_surface(grouped.iloc[:0])
    assert surface.empty and list(surface.columns) == ["lat", "lon", "weight"]
    with pytest.raises(ValueError, match="cell_km"):
        density_surface(grouped, cell_km=-1)
    with pytest.raises(ValueError, match="min_weight"):
        density_surface(grouped, min_weight=1.5)


# --------------------------------------------------------------------------------------------
# On the real registry


def test_registry_clusters_are_deterministic_and_well_formed(registry: gpd.GeoDataFrame) -> None:
    first = find_clusters(registry)
    assert_geodataframe_equal(first, find_clusters(registry))
    assert_geodataframe_equal(first, find_clusters(registry.iloc[::-1]))
    assert first["name"].is_unique
    members = [site for ids in first["site_ids"] for site in ids.split(";")]
    assert len(members) == len(set(members)) <= len(registry)
    assert set(members) <= set(registry["site_id"])
    assert first.geometry.is_valid.all()
    assert (first["size"] >= 3).all()


def test_a_cluster_counts_capabilities_however_a_cell_holds_them() -> None:
    """Lists, tuples, arrays and ``a; b`` text (a CSV cell) count alike; blanks and NaN do not."""
    import numpy as np

    rows = [
        ("a", "Derby", "Derby", "prime", ["combat_air", "space"], 52.9220, -1.4760),
        ("b", "Derby", "Derby", "supplier", "combat_air; land_systems", 52.9230, -1.4750),
        ("c", " ", "Derby", "supplier", ("space",), 52.9210, -1.4770),
        ("d", None, "Derby", None, np.array(["combat_air"]), 52.9225, -1.4765),
        ("e", "Belper", "Amber Valley", "university", None, 52.9215, -1.4755),
    ]
    found = find_clusters(site_frame(rows), radius_km=2, min_sites=2)
    assert len(found) == 1
    cluster = found.iloc[0]
    assert cluster["capability_mix"] == "combat_air:3;space:2;land_systems:1"
    assert cluster["kind_mix"] == "supplier:2;prime:1;university:1"
    # the town Derby (two of five; one Belper, two blank) is short of half, so the authority
    # Derby (four of five) names the cluster
    assert (cluster["town"], cluster["authority"]) == ("Derby", "Derby")
    assert cluster["name"] == "Derby"


def test_capability_counts_read_cells_as_capability_lists_does() -> None:
    """The column-wise count and the per-site lists follow one rule, on every kind of cell."""
    from collections import Counter

    import numpy as np

    from layers import vocabulary

    cells = [
        ["combat_air", "space"],
        "combat_air; land_systems",
        " space ;; ",
        ("istar",),
        np.array(["combat_air"]),
        None,
        float("nan"),
        [],
        "",
    ]
    listed = Counter(slug for slugs in vocabulary.capability_lists(cells) for slug in slugs)
    assert vocabulary.capability_counts(cells) == listed
    assert listed == Counter(combat_air=3, space=2, land_systems=1, istar=1)
