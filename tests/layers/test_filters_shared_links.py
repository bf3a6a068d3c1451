"""A filter names each area once, by name as well as code, and keeps planned sites on request."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from layers import filters, timeline
from layers.filters import SiteFilter

TELFORD, SHROPSHIRE = "E06000020", "E06000051"


def test_a_unitary_code_named_twice_is_held_once():
    criteria = SiteFilter(areas=(TELFORD, SHROPSHIRE, TELFORD, SHROPSHIRE))
    assert criteria.areas == (TELFORD, SHROPSHIRE)
    assert SiteFilter(capabilities=("space", "space"), kinds=("prime", " prime")) == SiteFilter(
        capabilities=("space",), kinds=("prime",)
    )


@pytest.mark.parametrize("times", [1, 2, 3, 8])
def test_a_link_read_and_written_again_is_the_same_link(times):
    link = {"cap": "land_systems", "area": f"{TELFORD},{SHROPSHIRE}", "year": "2026"}
    query = dict(link)
    for _ in range(times):
        # the app reads the link, a county and a district chooser both hold a unitary code,
        # and the codes chosen in every chooser are written back
        criteria = filters.from_query(query)
        doubled = SiteFilter(**{**criteria.__dict__, "areas": criteria.areas * 2})
        query = filters.to_query(doubled)
    assert query == link


def test_a_planned_filter_travels_in_the_link():
    hidden = SiteFilter(as_of=2026, planned=False)
    assert filters.to_query(hidden)["planned"] == "0"
    assert filters.from_query(filters.to_query(hidden)) == hidden
    assert "planned" not in filters.to_query(SiteFilter(as_of=2026))
    assert filters.from_query({}).planned


def test_areas_are_named_from_the_registry(registry: gpd.GeoDataFrame):
    criteria = filters.with_area_names(SiteFilter(areas=(TELFORD, SHROPSHIRE)), registry)
    assert criteria.describe() == "areas: Telford and Wrekin, Shropshire"
    assert criteria.named_areas() == [
        {"code": TELFORD, "name": "Telford and Wrekin"},
        {"code": SHROPSHIRE, "name": "Shropshire"},
    ]
    # names are not part of the filter: the same selection, the same cache key
    assert criteria == SiteFilter(areas=(TELFORD, SHROPSHIRE))
    assert hash(criteria) == hash(SiteFilter(areas=(TELFORD, SHROPSHIRE)))
    unknown = filters.with_area_names(SiteFilter(areas=("E99999999",)), registry)
    assert unknown.describe() == "areas: E99999999"


def test_area_names_are_looked_up_in_any_case(registry: gpd.GeoDataFrame):
    lookup = filters.area_lookup(registry)
    assert lookup["shropshire"] == (SHROPSHIRE, "Shropshire")
    assert lookup["telford and wrekin"] == (TELFORD, "Telford and Wrekin")
    assert lookup["west midlands"][0].startswith("E1200")  # the region, not a district


def test_the_chosen_areas_outlines_cover_their_sites(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    shapes = filters.area_shapes([TELFORD, SHROPSHIRE, TELFORD], directory=boundaries_dir)
    assert list(shapes["code"]) == [TELFORD, SHROPSHIRE]
    assert list(shapes["name"]) == ["Telford and Wrekin", "Shropshire"]
    assert shapes.crs.to_epsg() == 4326
    inside = registry.loc[registry["county_code"].isin([TELFORD, SHROPSHIRE])]
    assert len(inside) > 0
    assert inside.geometry.within(shapes.union_all().buffer(1e-6)).all()
    west, south, east, north = shapes.total_bounds
    assert -3.3 < west < east < -2.2 and 52.3 < south < north < 53.1
    # a combined authority is found at its own level
    ca = filters.area_shapes(["E47000007"], directory=boundaries_dir)
    assert list(ca["level"]) == ["Combined authority"]
    assert filters.area_shapes(["E99999999"], directory=boundaries_dir).empty


def frame(**columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_planned_sites_are_on_the_map_from_their_announcement():
    sites = frame(
        status=["planned", "planned", "planned", "active"],
        opened=["", "2029", "", "2030"],
        closes=["", "", "", ""],
        announced=["", "", "2024", ""],
    )
    assert timeline.open_in(sites, 2020).tolist() == [False, False, False, False]
    assert timeline.open_in(sites, 2020, planned=True).tolist() == [True, True, False, False]
    assert timeline.open_in(sites, 2024, planned=True).tolist() == [True, True, True, False]
    # an active site not yet opened stays off the map: only planned sites are kept early
    assert timeline.open_in(sites, 2031, planned=True).tolist() == [True, True, True, True]


def test_this_year_is_the_default_for_the_app_and_the_command_line():
    from datetime import date

    assert timeline.default_year() == date.today().year
