"""The site card and the sites table's paint, on hand-built sites.

Distances come from points placed by hand on the British National Grid (EPSG:27700), so the
expected kilometres are the ones written here.

What is near a site: a chosen distance, the selection or every site, grouped by kind.
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import Point

import settings
from layers.selection import Selection
from ui import keys, site_card
from ui.site_card import NEARBY_CHOICES, by_kind, card_of, nearby_sites, neighbours
from ui.tabs.sites import HIGHLIGHT, painted, painted_row, table_key

#: A closing site with every field filled in, as the registry holds it.
BARRACKS = {
    "site_id": "test-barracks",
    "name": "Test Barracks",
    "organisation": "British Army",
    "kind": "military",
    "capabilities": ["land_systems", "skills_training"],
    "lat": 52.40829,
    "lon": -1.51161,
    "location_precision": "postcode",
    "town": "Coventry",
    "postcode": "CV1 1DE",
    "status": "closing",
    "opened": "1939",
    "closes": "2029-03-31",
    "location_note": "Gate on the postcode point",
    "description": "A made-up barracks.",
    "source_url": "https://example.org/barracks",
    "status_source": "https://example.org/closure?q=<script>",
    "last_checked": "2026-11-01",
    "location_source": "",
    "ward_name": "St Michael's",
    "lad_name": "Coventry",
    "county_name": "West Midlands",
    "ca_name": "West Midlands Combined Authority",
    "region_name": "West Midlands",
}


@pytest.fixture(autouse=True)
def fresh_session() -> Iterator[None]:
    """Each test starts with no card open (session state is shared in bare mode)."""
    for name in (keys.CARD_SITE, keys.SEEN_CLICKS, keys.SEEN_TABLE):
        st.session_state.pop(name, None)
    yield
    for name in (keys.CARD_SITE, keys.SEEN_CLICKS, keys.SEEN_TABLE):
        st.session_state.pop(name, None)


def test_the_card_words_every_field_and_links_only_http_sources():
    card = card_of(BARRACKS)
    facts = dict(card.facts)
    assert card.name == "Test Barracks"
    assert facts == {
        "Site id": "test-barracks",
        "Organisation": "British Army",
        "Kind of site": "Military establishment",
        "Capabilities": "Land systems and armoured vehicles; Skills and training",
        "Location precision": "Postcode point (ONS Postcode Directory)",
        "Town": "Coventry",
        "Postcode": "CV1 1DE",
        "Status": "Closing, closes 2029",
        "Opened": "1939",
        "Closes": "2029-03-31",
        "Location note": "Gate on the postcode point",
        "Description": "A made-up barracks.",
        # holds markup characters: shown as text, never a link
        "Status source": "https://example.org/closure?q=<script>",
        "Last checked": "2026-11-01",
        "Point (WGS84)": "52.40829, -1.51161",
    }
    assert card.links == [("Source", "https://example.org/barracks")]
    assert card.areas == [
        ("Ward", "St Michael's"),
        ("District", "Coventry"),
        ("County or unitary authority", "West Midlands"),
        ("Combined authority", "West Midlands Combined Authority"),
        ("Region", "West Midlands"),
    ]


def test_an_uploaded_row_with_few_fields_gives_a_short_card():
    row = {"site_id": "upload-1", "name": "My Supplier", "kind": "supplier", "capabilities": []}
    row |= {"lat": 52.5, "lon": -1.9, "ca_name": "", "lad_name": "Birmingham"}
    card = card_of(row, uploaded=True)
    assert card.uploaded
    assert card.facts == [
        ("Site id", "upload-1"),
        ("Kind of site", "Supplier"),
        ("Point (WGS84)", "52.50000, -1.90000"),
    ]
    assert card.links == []
    assert card.areas == [("District", "Birmingham")]


def grid_sites(points: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Sites at National Grid (easting, northing) points, with their WGS84 lat and lon."""
    frame = gpd.GeoDataFrame(
        {"site_id": list(points), "name": [f"Site {k}" for k in points]},
        geometry=[Point(xy) for xy in points.values()],
        crs=settings.CRS_METRIC,
    ).to_crs(settings.CRS_STORAGE)
    frame["lat"], frame["lon"] = frame.geometry.y, frame.geometry.x
    return pd.DataFrame(frame.drop(columns="geometry"))


def test_neighbours_are_the_sites_within_10_km_nearest_first():
    sites = grid_sites(
        {
            "origin": (430_000, 280_000),
            "east-3": (433_000, 280_000),
            "diagonal-5": (433_000, 284_000),  # a 3-4-5 triangle
            "south-9.9": (430_000, 270_100),
            "west-10.1": (419_900, 280_000),
            "far": (460_000, 300_000),
        }
    )
    origin = sites[sites["site_id"] == "origin"].iloc[0]
    found = neighbours(sites, origin["lat"], origin["lon"], exclude="origin")
    assert [n.site_id for n in found] == ["east-3", "diagonal-5", "south-9.9"]
    assert [n.km for n in found] == pytest.approx([3.0, 5.0, 9.9], abs=1e-3)
    assert found[0].name == "Site east-3"
    assert neighbours(sites.iloc[:0], origin["lat"], origin["lon"]) == []


def test_a_click_opens_a_card_once_per_new_click():
    assert site_card.card_site() is None
    assert site_card.take_click("derby", 1) is True
    assert site_card.card_site() == "derby"
    assert site_card.take_click("derby", 1) is False  # the same report again
    assert site_card.take_click("derby", 2) is False  # a second click on the open card
    assert site_card.take_click("leicester", 3) is True
    assert site_card.card_site() == "leicester"
    # a map mounted again counts from nought: its first report opens nothing
    assert site_card.take_click(None, 0) is False
    assert site_card.card_site() == "leicester"


def test_one_ticked_row_opens_its_card_and_more_keep_it():
    site_card.take_table_choice(["derby"])
    assert site_card.card_site() == "derby"
    site_card.take_table_choice(["derby", "leicester"])
    assert site_card.card_site() == "derby"
    site_card.take_click("lincoln", 1)
    site_card.take_table_choice(["derby", "leicester"])  # unchanged: the click's card stays
    assert site_card.card_site() == "lincoln"


def test_the_open_cards_row_is_painted_and_only_it():
    sites = pd.DataFrame({"site_id": ["a", "b", "c"], "name": ["A", "B", "C"]})
    assert painted_row(sites, "b") == 1
    assert painted_row(sites, "z") is None
    assert painted_row(sites, None) is None
    table = pd.DataFrame({"Site": ["A", "B", "C"], "Town": ["x", "y", "z"]})
    assert painted(table, None) is table
    html = painted(table, 1).to_html()
    colour = HIGHLIGHT.split(": ")[1]
    assert html.count(colour) == 1  # one rule, for the row's cells
    rule = html[html.index("#T_") : html.index(colour)]
    assert "row1_col0" in rule and "row1_col1" in rule
    assert "row0" not in rule and "row2" not in rule


def test_the_table_key_names_the_rows_in_order():
    first = pd.DataFrame({"site_id": ["a", "b"]})
    assert table_key(first) == table_key(pd.DataFrame({"site_id": ["a", "b"]}))
    assert table_key(first) != table_key(pd.DataFrame({"site_id": ["b", "a"]}))
    assert table_key(first) != table_key(pd.DataFrame({"site_id": ["a"]}))


def grid_sites_site_card_nearby(points: dict[str, tuple[float, float, str]]) -> gpd.GeoDataFrame:
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


SITES = grid_sites_site_card_nearby(
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
