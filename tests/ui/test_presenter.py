"""The presenter shows each scene's own figures and notes from mapping.scenes."""

from __future__ import annotations

from layers.selection import make_selection
from mapping import scenes
from ui import presenter


def test_the_presenter_reads_the_scene_figures_and_notes(registry, boundaries_dir):
    scene = scenes.scene_by_key("nuclear-propulsion")
    chosen = make_selection(
        registry, scenes.scene_filter(scene, year=2026), boundaries_dir=boundaries_dir
    )
    pairs = presenter.scene_figures(scene, chosen)
    assert pairs[0] == ("nuclear and propulsion sites", str(len(chosen.sites)))
    assert not any("SME" in label for label, _ in pairs)
    notes = presenter.scene_notes(scene, chosen, registry, 2026)
    assert notes[0] == scene.opening
    assert "nuclear" in " ".join(notes).lower()
