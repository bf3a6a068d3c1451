"""Presenter scenes: preset filters and map views that tell the Midlands' story in order.

A scene is data: a title and subtitle for the screen, the filter it applies (the same
:class:`layers.filters.SiteFilter` the app and the exports use), where the map looks, and
whether the Defence Belt is drawn. The app's presenter mode steps through :data:`SCENES`; each
scene is also a URL (:func:`scene_to_query`, :func:`scene_from_query`).

Every scene counts for the year the presenter chose: :func:`scene_filter` gives a scene's filter
for that year (sites not yet open or already closed are left out, as on the explorer's map),
and the year travels in the scene's URL (``?scene=cyber&year=2030``, :func:`scene_year`), so
moving to the next scene keeps it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from layers import filters
from layers.filters import SiteFilter

#: The query parameter naming a scene.
SCENE_KEY = "scene"


@dataclass(frozen=True)
class Scene:
    """One presenter scene.

    Attributes
    ----------
    key
        A short stable slug, used in URLs (``?scene=combat-air``).
    title, subtitle
        What the screen says (plain text; the map escapes it).
    filter
        The sites the scene selects.
    center
        Where the map is centred, as (lat, lon) in WGS84.
    zoom
        The Leaflet zoom level (fractions allowed; the map snaps to quarters).
    show_belt
        Draw the Midlands Defence Belt computed from the scene's sites.
    """

    key: str
    title: str
    subtitle: str
    filter: SiteFilter = field(default_factory=SiteFilter)
    center: tuple[float, float] = (52.75, -1.5)
    zoom: float = 8.0
    show_belt: bool = False


SCENES: tuple[Scene, ...] = (
    Scene(
        key="overview",
        title="Overview",
        subtitle="The Midlands' defence and security sites, by main capability and kind",
        filter=SiteFilter(),
        center=(52.75, -1.5),
        zoom=8.0,
    ),
    Scene(
        key="combat-air",
        title="Combat air",
        subtitle="Aero-engines and flight systems, their research, and RAF stations and ranges",
        filter=SiteFilter(capabilities=("combat_air",)),
        center=(52.8, -1.2),
        zoom=8.0,
    ),
    Scene(
        key="nuclear-propulsion",
        title="Nuclear and propulsion",
        subtitle="Submarine reactors and nuclear skills in Derby; engines, batteries, future power",
        filter=SiteFilter(capabilities=("nuclear_propulsion", "power_propulsion")),
        center=(52.8, -1.45),
        zoom=8.5,
    ),
    Scene(
        key="land-systems",
        title="Land systems",
        subtitle="Armoured vehicles, guns and equipment support, with barracks and training areas",
        filter=SiteFilter(capabilities=("land_systems",)),
        center=(52.7, -1.5),
        zoom=8.0,
    ),
    Scene(
        key="cyber",
        title="Cyber",
        subtitle="Malvern and Hereford's cyber clusters, secure communications, universities",
        filter=SiteFilter(capabilities=("cyber_digital",)),
        center=(52.6, -1.6),
        zoom=8.0,
    ),
    Scene(
        key="defence-medicine",
        title="Defence medicine and rehabilitation",
        subtitle="Stanford Hall's rehabilitation centres and the Royal Centre for Defence Medicine",
        filter=SiteFilter(capabilities=("defence_medicine",)),
        center=(52.7, -1.5),
        zoom=9.0,
    ),
    Scene(
        key="space-istar",
        title="Space and ISTAR",
        subtitle="Space Park Leicester, and Lincolnshire's intelligence and surveillance stations",
        filter=SiteFilter(capabilities=("space", "istar")),
        center=(52.65, -1.5),
        zoom=8.0,
    ),
    Scene(
        key="belt",
        title="The Belt",
        subtitle="The Midlands Defence Belt: a corridor computed from where the sites are",
        filter=SiteFilter(in_belt=True),
        center=(52.65, -1.6),
        zoom=8.25,
        show_belt=True,
    ),
)


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
