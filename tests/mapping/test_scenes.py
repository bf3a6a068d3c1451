"""Presenter scenes: presets that select sites, place the map and round-trip through a URL.

Each presenter scene tells its own story: its own figures, plain words, notes from its data.
"""

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


YEAR = 2026


def shown(registry: gpd.GeoDataFrame, boundaries_dir: Path, scene: scenes.Scene):
    return make_selection(
        registry,
        scenes.scene_filter(scene, year=YEAR),
        boundaries_dir=boundaries_dir,
        with_corridor=scene.show_belt,
    )


def test_no_two_scenes_show_the_same_figures(registry, boundaries_dir):
    boxes = []
    for scene in scenes.SCENES:
        chosen = shown(registry, boundaries_dir, scene)
        figures = scenes.scene_figures(scene, chosen.sites, corridor=chosen.corridor)
        assert figures, scene.key
        boxes.append(tuple(figures))
    assert len(set(boxes)) == len(boxes)


def test_the_sme_spend_is_only_on_a_scene_about_it(registry, boundaries_dir):
    combat_air = scenes.scene_by_key("combat-air")
    chosen = shown(registry, boundaries_dir, combat_air)
    labels = [f.label for f in scenes.scene_figures(combat_air, chosen.sites)]
    assert not any("SME" in label for label in labels)
    # the first figure counts the scene's own sites, in plain words
    first = scenes.scene_figures(combat_air, chosen.sites)[0]
    assert first.value == str(len(chosen.sites)) and first.label == "combat air sites"


def test_figures_speak_plainly(registry, boundaries_dir):
    for scene in scenes.SCENES:
        chosen = shown(registry, boundaries_dir, scene)
        for figure in scenes.scene_figures(scene, chosen.sites, corridor=chosen.corridor):
            assert "selected" not in figure.label, (scene.key, figure)
            assert figure.label.strip() and figure.value.strip()
            if figure.source:
                assert figure.source.startswith("Blueprint, section ")


def test_every_blueprint_figure_a_scene_shows_is_one_it_names(registry, boundaries_dir):
    for scene in scenes.SCENES:
        chosen = shown(registry, boundaries_dir, scene)
        cited = [f for f in scenes.scene_figures(scene, chosen.sites) if f.source]
        assert len(cited) == len(scene.blueprint), scene.key


def test_the_nuclear_notes_speak_of_nuclear_and_its_sites(registry, boundaries_dir):
    scene = scenes.scene_by_key("nuclear-propulsion")
    chosen = shown(registry, boundaries_dir, scene)
    notes = scenes.speaker_notes(scene, chosen.sites, registry=registry, year=YEAR)
    text = " ".join(notes)
    assert "nuclear" in text.lower()
    nuclear = [n for n in chosen.sites["name"] if "Submarines" in n]
    assert nuclear and nuclear[0] in text, "a nuclear site is named from the data"
    assert f"{len(chosen.sites)} nuclear and propulsion sites" in text


@pytest.mark.parametrize("scene", scenes.SCENES, ids=lambda s: s.key)
def test_each_scene_has_notes_of_its_own(registry, boundaries_dir, scene):
    chosen = shown(registry, boundaries_dir, scene)
    notes = scenes.speaker_notes(
        scene, chosen.sites, registry=registry, corridor=chosen.corridor, year=YEAR
    )
    assert notes[0] == scene.opening and scene.opening
    assert any(str(len(chosen.sites)) in note for note in notes)
    others = [s.opening for s in scenes.SCENES if s.key != scene.key]
    assert scene.opening not in others


def test_the_belt_notes_and_figures_quote_the_belt(registry, boundaries_dir):
    scene = scenes.scene_by_key("belt")
    chosen = shown(registry, boundaries_dir, scene)
    belt = chosen.corridor.loc[chosen.corridor["part"] == "belt"].iloc[0]
    figures = scenes.scene_figures(scene, chosen.sites, corridor=chosen.corridor)
    assert figures[0].value == f"{float(belt['share_inside']):.0%}"
    notes = scenes.speaker_notes(scene, chosen.sites, registry=registry, corridor=chosen.corridor)
    assert any(f"holds {belt['sites_inside']} of the" in note for note in notes)


def test_planned_and_closing_sites_are_named_in_the_notes(registry, boundaries_dir):
    scene = scenes.scene_by_key("land-systems")
    chosen = shown(registry, boundaries_dir, scene)
    text = " ".join(scenes.speaker_notes(scene, chosen.sites, registry=registry, year=YEAR))
    planned = chosen.sites.loc[chosen.sites["status"] == "planned", "name"].tolist()
    assert planned, "the land systems scene shows the planned Telford factory"
    assert "planned" in text and planned[0] in text
