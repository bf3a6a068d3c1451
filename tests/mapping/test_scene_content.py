"""Each presenter scene tells its own story: its own figures, plain words, notes from its data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from layers.selection import make_selection
from mapping import scenes

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
