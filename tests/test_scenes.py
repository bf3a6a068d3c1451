"""Presenter scenes: presets that select sites, place the map and round-trip through a URL."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from layers import filters
from layers.filters import SiteFilter
from layers.selection import make_selection
from mapping import scenes
from mapping.basemap import MIDLANDS_BOUNDS

BRIEF_TITLES = [
    "Overview",
    "Combat air",
    "Nuclear and propulsion",
    "Land systems",
    "Cyber",
    "Defence medicine and rehabilitation",
    "Space and ISTAR",
    "The Belt",
]


def test_the_scenes_follow_the_story_in_order():
    assert [scene.title for scene in scenes.SCENES] == BRIEF_TITLES
    assert scenes.SCENES[0].filter.is_empty(), "the first scene shows everything"


def test_scene_keys_are_unique_url_slugs():
    keys = [scene.key for scene in scenes.SCENES]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", key) for key in keys), keys


def test_every_scene_filter_uses_the_vocabulary():
    for scene in scenes.SCENES:
        assert filters.filter_problems(scene.filter) == [], scene.key


def test_every_scene_looks_at_the_midlands():
    (south, west), (north, east) = MIDLANDS_BOUNDS
    for scene in scenes.SCENES:
        lat, lon = scene.center
        assert south < lat < north and west < lon < east, f"{scene.key}: center is (lat, lon)"
        assert 6 <= scene.zoom <= 18, scene.key
        assert scene.title.strip() and scene.subtitle.strip()


def test_only_the_belt_scene_draws_and_filters_by_the_belt():
    belt = scenes.scene_by_key("belt")
    assert belt.show_belt and belt.filter.in_belt
    others = [s for s in scenes.SCENES if s.key != "belt"]
    assert not any(s.show_belt or s.filter.in_belt for s in others)


def test_every_scene_shows_sites_from_the_registry(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    for scene in scenes.SCENES:
        chosen = make_selection(
            registry, scene.filter, boundaries_dir=boundaries_dir, data_version="test"
        )
        assert len(chosen.sites) > 0, f"{scene.key} selects no site"
        for slug in scene.filter.capabilities:
            assert any(slug in caps for caps in chosen.sites["capabilities"]), (scene.key, slug)
        if scene.filter.in_belt:
            assert chosen.has_corridor and len(chosen.sites) < len(registry)


@pytest.mark.parametrize("scene", scenes.SCENES, ids=lambda s: s.key)
def test_a_scene_is_a_url(scene: scenes.Scene):
    query = scenes.scene_to_query(scene)
    assert query[scenes.SCENE_KEY] == scene.key
    assert filters.from_query(query) == scene.filter, "the app reads the same filter from it"
    assert scenes.scene_from_query(query) == scene


def test_a_scene_link_shows_the_scene_even_if_other_parameters_differ():
    query = {"scene": "cyber", "cap": "space"}
    assert scenes.scene_from_query(query) == scenes.scene_by_key("cyber")


def test_a_url_without_a_scene_names_none():
    assert scenes.scene_from_query({}) is None
    assert scenes.scene_from_query({"cap": "space", "scene": " "}) is None


def test_an_unknown_scene_is_refused_with_the_known_keys():
    with pytest.raises(KeyError, match=r"no presenter scene 'finale'.*overview.*belt"):
        scenes.scene_by_key("finale")
    with pytest.raises(KeyError, match="finale"):
        scenes.scene_from_query({"scene": "finale"})


def test_next_and_previous_wrap_round():
    first, last = scenes.SCENES[0], scenes.SCENES[-1]
    assert scenes.next_scene(first) == scenes.SCENES[1]
    assert scenes.next_scene(first, step=-1) == last
    assert scenes.next_scene(last) == first
    assert scenes.scene_index(last.key) == len(scenes.SCENES) - 1


def test_scenes_cannot_be_changed_in_place():
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenes.SCENES[0].zoom = 3  # type: ignore[misc]
    assert isinstance(scenes.SCENES[0].filter, SiteFilter)


def test_a_scene_counts_for_the_chosen_year():
    cyber = scenes.scene_by_key("cyber")
    counted = scenes.scene_filter(cyber, year=2030)
    assert counted == SiteFilter(capabilities=("cyber_digital",), as_of=2030)
    assert scenes.scene_filter(cyber) == cyber.filter, "no year: the scene's own filter"
    belt = scenes.scene_filter(scenes.scene_by_key("belt"), year=2026)
    assert belt.in_belt and belt.as_of == 2026


@pytest.mark.parametrize("scene", scenes.SCENES, ids=lambda s: s.key)
def test_the_year_travels_in_the_scene_url(scene: scenes.Scene):
    query = scenes.scene_to_query(scene, year=2031)
    assert query["year"] == "2031" and query[scenes.SCENE_KEY] == scene.key
    assert scenes.scene_year(query) == 2031
    assert filters.from_query(query) == dataclasses.replace(scene.filter, as_of=2031)
    assert scenes.scene_from_query(query) == scene
    following = scenes.scene_to_query(scenes.next_scene(scene), year=scenes.scene_year(query))
    assert following["year"] == "2031", "the next scene keeps the year"
    assert scenes.scene_year(scenes.scene_to_query(scene)) is None


def test_every_scene_leaves_out_sites_not_open_in_the_year(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    # one hand-made site of every capability, planned to open in 2028: none counts in 2026
    sites = registry.head(1).copy()
    sites["site_id"], sites["name"], sites["status"] = "planned-x", "Planned X", "planned"
    sites["opened"], sites["closes"] = "2028", ""
    sites["capabilities"] = [
        [
            "combat_air",
            "nuclear_propulsion",
            "land_systems",
            "cyber_digital",
            "defence_medicine",
            "space",
        ]
    ]
    with_planned = gpd.GeoDataFrame(
        pd.concat([registry, sites], ignore_index=True), crs=registry.crs
    )
    for scene in scenes.SCENES:
        # in 2030 the site counts, except in the belt scene when the belt misses its point
        checks = [(2026, False)] if scene.filter.in_belt else [(2026, False), (2030, True)]
        for year, counted in checks:
            chosen = make_selection(
                with_planned,
                dataclasses.replace(scenes.scene_filter(scene, year=year), planned=False),
                boundaries_dir=boundaries_dir,
                data_version="test",
            )
            assert ("planned-x" in set(chosen.sites["site_id"])) is counted, (scene.key, year)
        if not scene.filter.in_belt:
            # kept as planned (the default), it is on the map before it opens
            chosen = make_selection(
                with_planned,
                scenes.scene_filter(scene, year=2026),
                boundaries_dir=boundaries_dir,
                data_version="test",
            )
            assert "planned-x" in set(chosen.sites["site_id"]), scene.key
