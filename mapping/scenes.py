"""Presenter scenes: preset filters and map views that tell the Midlands' story in order.

A scene is data (:mod:`mapping.scene_list`): a title and subtitle for the screen, the filter
it applies (the same :class:`layers.filters.SiteFilter` the app and the exports use), where the
map looks, and whether the Defence Belt is drawn. The app's presenter mode steps through
:data:`SCENES`; each scene is also a URL (:func:`scene_to_query`, :func:`scene_from_query`).
This module moves between the scenes and their URLs; it imports the scenes and their words so
callers need only ``from mapping import scenes``.

Each scene has its own figures (:func:`scene_figures`: counted from the scene's sites, plus
the Blueprint figures that are about it) and speaker notes written for it and filled from the
data (:func:`speaker_notes`), in plain words (:mod:`mapping.scene_words`).

Every scene counts for the year the presenter chose: :func:`scene_filter` gives a scene's filter
for that year (sites not yet open or already closed are left out, as on the explorer's map),
and the year travels in the scene's URL (``?scene=cyber&year=2030``, :func:`scene_year`), so
moving to the next scene keeps it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from layers import filters
from layers.filters import SiteFilter
from mapping.scene_list import SCENES, Scene
from mapping.scene_words import COUNTED_FIGURES, SceneFigure, scene_figures, speaker_notes

__all__ = [
    "COUNTED_FIGURES",
    "SCENES",
    "SCENE_KEY",
    "Scene",
    "SceneFigure",
    "next_scene",
    "scene_by_key",
    "scene_figures",
    "scene_filter",
    "scene_from_query",
    "scene_index",
    "scene_to_query",
    "scene_year",
    "speaker_notes",
]

#: The query parameter naming a scene.
SCENE_KEY = "scene"


def scene_by_key(key: str) -> Scene:
    """Return the scene with ``key``.

    Raises
    ------
    KeyError
        When no scene has that key; the message lists the keys there are.
    """
    for scene in SCENES:
        if scene.key == key:
            return scene
    known = ", ".join(scene.key for scene in SCENES)
    raise KeyError(f"no presenter scene {key!r}; the scenes are: {known}")


def scene_index(key: str) -> int:
    """Return the position of the scene with ``key`` in :data:`SCENES` (for next/previous)."""
    return SCENES.index(scene_by_key(key))


def next_scene(scene: Scene, *, step: int = 1) -> Scene:
    """Return the scene ``step`` places after ``scene`` (negative for before), wrapping round."""
    return SCENES[(scene_index(scene.key) + step) % len(SCENES)]


def scene_filter(scene: Scene, *, year: int | None = None) -> SiteFilter:
    """Return the filter of ``scene`` counted for ``year`` (its own filter when None).

    The year replaces any the scene carries: a scene selects by capability or belt, never by
    time, so the presenter's year always applies.
    """
    if year is None:
        return scene.filter
    return dataclasses.replace(scene.filter, as_of=int(year))


def scene_to_query(scene: Scene, *, year: int | None = None) -> dict[str, str]:
    """Return the URL query parameters of a scene: its filter's for ``year``, plus its key."""
    return {**filters.to_query(scene_filter(scene, year=year)), SCENE_KEY: scene.key}


def scene_year(query: Mapping[str, str]) -> int | None:
    """Return the year a scene's URL counts for (``year=``), or None when it names none."""
    return filters.from_query(query).as_of


def scene_from_query(query: Mapping[str, str]) -> Scene | None:
    """Return the scene a URL names, or None when it names none.

    The scene's own filter wins over the other parameters, so a scene link always shows that
    scene.

    Raises
    ------
    KeyError
        When ``scene`` names no scene (the message lists the keys there are).
    """
    key = str(query.get(SCENE_KEY, "")).strip()
    if not key:
        return None
    return scene_by_key(key)
