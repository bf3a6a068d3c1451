"""The belt's hubs and spine on groups of sites placed by hand on the National Grid.

Each group is a row of sites 100 m apart at a chosen point, so with hubs 2 km across every
group is one hub of a known size, and the distances between hubs are the ones chosen here
(the junction is at 450 km E, 300 km N). Which spurs are pruned, and why, follows from the
rule in ``layers.corridor``: a side branch shorter than ``min_spur_km`` whose hubs hold fewer
sites than the hub it leaves is pruned, shortest first, while that hub keeps two links.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import settings
from layers import boundaries
from layers.corridor import build_corridor

JUNCTION = (450_000.0, 300_000.0)


@pytest.fixture(scope="module")
def midlands(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return boundaries.load_layer("midlands", directory=boundaries_dir)


def groups(*specs: tuple[str, float, float, int]) -> gpd.GeoDataFrame:
    """Sites in groups: (town, km east of the junction, km north of it, how many sites)."""
    rows = [
        (
            f"{town.lower()}-{k}",
            town,
            JUNCTION[0] + east * 1000 + 100 * k,
            JUNCTION[1] + north * 1000,
        )
        for town, east, north, count in specs
        for k in range(count)
    ]
    frame = pd.DataFrame(rows, columns=["site_id", "town", "x", "y"])
    frame["kind"] = "supplier"
    frame["capabilities"] = [["space"] for _ in rows]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=settings.CRS_METRIC
    )


def corridor_of(sites: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame, **options: object):
    settings_like = {"width_km": 4, "hub_radius_km": 2, "hub_min_sites": 2, "min_spur_km": 15}
    return build_corridor(sites, outline=midlands, **{**settings_like, **options})


def hubs_and_note(corridor: gpd.GeoDataFrame) -> tuple[str, str]:
    return corridor["hubs"].iloc[0], corridor["note"].iloc[0]


def test_of_two_short_spurs_the_shorter_is_pruned_even_when_heavier(midlands):
    # East: 5 km, 3 sites; North: 8 km, 2 sites; the junction keeps only two links after one
    sites = groups(
        ("Junction", 0, 0, 10), ("Trunk", -40, 0, 4), ("East", 5, 0, 3), ("North", 0, 8, 2)
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); Trunk (4 sites); North (2 sites)",
        "Short spurs to East were pruned from the spine.",
    )


def test_of_two_short_spurs_the_shorter_is_pruned_whatever_its_place(midlands):
    # North is heavier (listed first among hubs of its size order) but East is shorter
    sites = groups(
        ("Junction", 0, 0, 10), ("Trunk", -40, 0, 4), ("East", 5, 0, 2), ("North", 0, 8, 3)
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); Trunk (4 sites); North (3 sites)",
        "Short spurs to East were pruned from the spine.",
    )


def test_spurs_are_pruned_while_the_junction_keeps_two_links(midlands):
    sites = groups(
        ("Junction", 0, 0, 10),
        ("West", -40, 0, 4),
        ("South", 0, -40, 4),
        ("East", 5, 0, 3),
        ("North", 0, 8, 2),
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); South (4 sites); West (4 sites)",
        "Short spurs to East, North were pruned from the spine.",
    )


def test_a_spur_as_heavy_as_its_junction_stays(midlands):
    sites = groups(
        ("Junction", 0, 0, 4), ("West", -40, 0, 4), ("South", 0, -40, 4), ("East", 5, 0, 4)
    )
    hubs, note = hubs_and_note(corridor_of(sites, midlands))
    assert hubs.count("(4 sites)") == 4
    assert note == ""


def test_a_spur_is_measured_along_its_whole_chain(midlands):
    # Far - Near - Junction: 10 km and 10 km, 20 km in all: longer than 15 km, so it stays
    sites = groups(
        ("Junction", 0, 0, 10),
        ("West", -40, 0, 4),
        ("South", 0, -40, 4),
        ("Near", 10, 0, 2),
        ("Far", 20, 0, 2),
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); South (4 sites); West (4 sites); Far (2 sites); Near (2 sites)",
        "",
    )
    # with a 25 km limit the whole chain goes
    assert hubs_and_note(corridor_of(sites, midlands, min_spur_km=25)) == (
        "Junction (10 sites); South (4 sites); West (4 sites)",
        "Short spurs to Far, Near were pruned from the spine.",
    )


def test_hubs_are_clustered_at_the_radius_asked(midlands):
    # 5 km apart: two hubs at 2 km, one at 8 km
    sites = groups(("Junction", 0, 0, 3), ("East", 5, 0, 3))
    assert corridor_of(sites, midlands)["hub_count"].iloc[0] == 2
    merged = corridor_of(sites, midlands, hub_radius_km=8)
    assert merged["hub_count"].iloc[0] == 1


def test_two_clusters_leave_lone_sites_out_of_the_hubs(midlands):
    sites = groups(("Junction", 0, 0, 3), ("West", -30, 0, 3), ("Lone", 0, 20, 1))
    hubs, note = hubs_and_note(corridor_of(sites, midlands))
    assert hubs == "Junction (3 sites); West (3 sites)"
    assert note == ""


def test_sparse_sites_each_make_a_hub_and_say_so(midlands):
    sites = groups(("Junction", 0, 0, 1), ("West", -30, 0, 1), ("North", 0, 20, 1))
    corridor = corridor_of(sites, midlands)
    assert corridor["hub_count"].iloc[0] == 3
    assert corridor["note"].iloc[0] == (
        "The sites form fewer than two clusters of 2 within 2 km, so every group of sites "
        "within 2 km is a hub."
    )


def test_one_group_is_one_hub_and_the_note_says_only_that(midlands):
    corridor = corridor_of(groups(("Junction", 0, 0, 5)), midlands)
    assert hubs_and_note(corridor) == (
        "Junction (5 sites)",
        "The sites form one hub (Junction), so the belt is a circle around it rather than a "
        "corridor.",
    )
    assert corridor["mode"].eq("straight").all()


def test_no_site_and_no_site_in_the_midlands_say_why_there_is_no_belt(midlands):
    none = build_corridor(groups(("Junction", 0, 0, 1)).iloc[0:0], outline=midlands, mode="roads")
    assert list(none["mode"]) == ["straight", "straight"]
    assert none["note"].iloc[0] == (
        "No sites are selected, so there is no corridor; widen the filters."
    )
    # 250 km south of the junction: the Isle of Wight
    away = build_corridor(groups(("Island", 0, -250, 2)), outline=midlands, mode="roads")
    assert list(away["mode"]) == ["straight", "straight"]
    assert away["note"].iloc[0] == (
        "No selected site lies in the Midlands, so there is no corridor. 2 of 2 sites lie "
        "outside the Midlands; they are not hubs and count as outside the belt."
    )


def test_options_are_checked_with_messages_that_name_them(midlands):
    sites = groups(("Junction", 0, 0, 2), ("West", -30, 0, 2))
    with pytest.raises(ValueError) as raised:
        corridor_of(sites, midlands, hub_radius_km=0)
    assert str(raised.value) == "hub_radius_km must be a positive number of kilometres, got 0"
    with pytest.raises(ValueError) as raised:
        corridor_of(sites, midlands, min_spur_km=-1)
    assert str(raised.value) == "min_spur_km must be zero or more kilometres, got -1"
    # no pruning at all is allowed
    assert corridor_of(sites, midlands, min_spur_km=0)["hub_count"].iloc[0] == 2
    assert corridor_of(sites, midlands, min_spur_km=0.5)["hub_count"].iloc[0] == 2


def test_the_outline_given_is_the_one_used(midlands, tmp_path, monkeypatch):
    # the default boundaries folder is empty: only the outline passed in can be used
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", tmp_path)
    sites = groups(("Junction", 0, 0, 2), ("West", -30, 0, 2))
    assert corridor_of(sites, midlands)["hub_count"].iloc[0] == 2


def test_pruning_goes_on_at_other_junctions_after_one_is_down_to_two_links(midlands):
    # J1 (10 sites) has spurs East (5 km) and South (8 km) and one trunk link to J2; J2 has a
    # spur NE (12 km) and a trunk link to North (20 km on). East goes first; South must stay
    # (J1 would be left with one link); NE is still pruned.
    sites = groups(
        ("Junction", 0, 0, 10),
        ("Second", 0, 20, 10),
        ("North", 0, 40, 4),
        ("East", 5, 0, 2),
        ("South", 0, -8, 3),
        ("Northeast", 12, 20, 2),
    )
    hubs, note = hubs_and_note(corridor_of(sites, midlands))
    assert note == "Short spurs to East, Northeast were pruned from the spine."
    assert sorted(hubs.split("; ")) == [
        "Junction (10 sites)",
        "North (4 sites)",
        "Second (10 sites)",
        "South (3 sites)",
    ]


def test_sparse_sites_are_grouped_at_the_radius_asked(midlands):
    # single sites 5 km apart: three hubs at 2 km (the default 8 km would merge two)
    sites = groups(("Junction", 0, 0, 1), ("East", 5, 0, 1), ("West", -30, 0, 1))
    corridor = corridor_of(sites, midlands)
    assert corridor["hub_count"].iloc[0] == 3
    # two single sites: two hubs, and the note says why
    pair = corridor_of(groups(("Junction", 0, 0, 1), ("West", -30, 0, 1)), midlands)
    assert pair["hub_count"].iloc[0] == 2
    assert pair["note"].iloc[0] == (
        "The sites form fewer than two clusters of 2 within 2 km, so every group of sites "
        "within 2 km is a hub."
    )
