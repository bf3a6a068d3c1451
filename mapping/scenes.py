"""Presenter scenes: preset filters and map views that tell the Midlands' story in order.

A scene is data: a title and subtitle for the screen, the filter it applies (the same
:class:`layers.filters.SiteFilter` the app and the exports use), where the map looks, and
whether the Defence Belt is drawn. The app's presenter mode steps through :data:`SCENES`; each
scene is also a URL (:func:`scene_to_query`, :func:`scene_from_query`).

Each scene has its own figures (:func:`scene_figures`: counted from the scene's sites, plus
the Blueprint figures that are about it) and speaker notes written for it and filled from the
data (:func:`speaker_notes`), in plain words.

Every scene counts for the year the presenter chose: :func:`scene_filter` gives a scene's filter
for that year (sites not yet open or already closed are left out, as on the explorer's map),
and the year travels in the scene's URL (``?scene=cyber&year=2030``, :func:`scene_year`), so
moving to the next scene keeps it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from layers import blueprint, filters, timeline, vocabulary
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
    topic
        What the scene's sites are, in a sentence's words ("combat air sites").
    opening
        The speaker's first line for the scene, written for it (the data follows it).
    blueprint
        Keys of the Blueprint figures (``layers.blueprint``) that are about this scene.
    """

    key: str
    title: str
    subtitle: str
    filter: SiteFilter = field(default_factory=SiteFilter)
    center: tuple[float, float] = (52.75, -1.5)
    zoom: float = 8.0
    show_belt: bool = False
    topic: str = "defence and security sites"
    opening: str = ""
    blueprint: tuple[str, ...] = ()


SCENES: tuple[Scene, ...] = (
    Scene(
        key="overview",
        title="Overview",
        subtitle="The Midlands' defence and security sites, by main capability and kind",
        filter=SiteFilter(),
        center=(52.75, -1.5),
        zoom=8.0,
        topic="defence and security sites",
        opening=(
            "Start with the whole region: every site on the registry, coloured by what it does."
        ),
        blueprint=("companies", "ads_employment"),
    ),
    Scene(
        key="combat-air",
        title="Combat air",
        subtitle="Aero-engines and flight systems, their research, and RAF stations and ranges",
        filter=SiteFilter(capabilities=("combat_air",)),
        center=(52.8, -1.2),
        zoom=8.0,
        topic="combat air sites",
        opening=(
            "Combat air is the region's aero-engine and flight systems base beside the RAF's "
            "stations and ranges."
        ),
        blueprint=("ads_employment",),
    ),
    Scene(
        key="nuclear-propulsion",
        title="Nuclear and propulsion",
        subtitle="Submarine reactors and nuclear skills in Derby; engines, batteries, future power",
        filter=SiteFilter(capabilities=("nuclear_propulsion", "power_propulsion")),
        center=(52.8, -1.45),
        zoom=8.5,
        topic="nuclear and propulsion sites",
        opening=(
            "Nuclear propulsion is centred on Derby, where the Royal Navy's submarine reactors are"
            " made; future power and batteries sit around it."
        ),
        blueprint=(),
    ),
    Scene(
        key="land-systems",
        title="Land systems",
        subtitle="Armoured vehicles, guns and equipment support, with barracks and training areas",
        filter=SiteFilter(capabilities=("land_systems",)),
        center=(52.7, -1.5),
        zoom=8.0,
        topic="land systems sites",
        opening=(
            "Land systems: the armoured vehicles and guns built in Telford, the equipment they "
            "need, and the Army's bases."
        ),
        blueprint=("regular_forces",),
    ),
    Scene(
        key="cyber",
        title="Cyber",
        subtitle="Malvern and Hereford's cyber clusters, secure communications, universities",
        filter=SiteFilter(capabilities=("cyber_digital",)),
        center=(52.6, -1.6),
        zoom=8.0,
        topic="cyber and secure communications sites",
        opening=(
            "Cyber and secure communications cluster around Malvern and Hereford, with the "
            "universities that train for them."
        ),
        blueprint=(),
    ),
    Scene(
        key="defence-medicine",
        title="Defence medicine and rehabilitation",
        subtitle="Stanford Hall's rehabilitation centres and the Royal Centre for Defence Medicine",
        filter=SiteFilter(capabilities=("defence_medicine",)),
        center=(52.7, -1.5),
        zoom=9.0,
        topic="defence medicine sites",
        opening=(
            "Defence medicine: rehabilitation at Stanford Hall and the Royal Centre for Defence "
            "Medicine in Birmingham."
        ),
        blueprint=("covenant_signatories",),
    ),
    Scene(
        key="space-istar",
        title="Space and ISTAR",
        subtitle="Space Park Leicester, and Lincolnshire's intelligence and surveillance stations",
        filter=SiteFilter(capabilities=("space", "istar")),
        center=(52.65, -1.5),
        zoom=8.0,
        topic="space and ISTAR sites",
        opening=(
            "Space and ISTAR: Space Park Leicester, and Lincolnshire's intelligence, surveillance "
            "and reconnaissance stations."
        ),
        blueprint=("high_skilled_jobs",),
    ),
    Scene(
        key="belt",
        title="The Belt",
        subtitle="The Midlands Defence Belt: a corridor computed from where the sites are",
        filter=SiteFilter(in_belt=True),
        center=(52.65, -1.6),
        zoom=8.25,
        show_belt=True,
        topic="sites in the Defence Belt",
        opening=(
            "The Defence Belt is a model, computed from where the sites are: a corridor joining "
            "the region's clusters, not a drawn line."
        ),
        blueprint=(),
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


@dataclass(frozen=True)
class SceneFigure:
    """One figure of a scene's box: the number as shown, what it counts, and its source.

    ``source`` is "" for a figure counted from the registry on screen, else the document
    that states it (e.g. "Blueprint, section 4").
    """

    value: str
    label: str
    source: str = ""


#: The kinds a scene's figures count, in the order they are offered, with plain labels.
_KIND_WORDS: dict[str, tuple[str, str]] = {
    "prime": ("prime contractor", "prime contractors"),
    "military": ("military base", "military bases"),
    "research_centre": ("research centre", "research centres"),
    "university": ("university", "universities"),
    "supplier": ("supplier", "suppliers"),
    "health": ("health and rehabilitation site", "health and rehabilitation sites"),
    "skills_centre": ("skills centre", "skills centres"),
    "cluster_body": ("cluster body", "cluster bodies"),
}
#: How many figures a scene counts from its sites (the Blueprint's follow them).
COUNTED_FIGURES = 3


def _plural(number: int, one: str, many: str) -> str:
    return one if number == 1 else many


def _belt_row(corridor: pd.DataFrame | None) -> dict[str, Any] | None:
    if corridor is None or corridor.empty or "part" not in corridor.columns:
        return None
    belt = corridor.loc[corridor["part"] == "belt"]
    return None if belt.empty else dict(belt.iloc[0])


def _top_districts(sites: pd.DataFrame, top: int = 2) -> list[tuple[str, int]]:
    if "lad_name" not in sites.columns:
        return []
    names = sites["lad_name"].fillna("").astype(str).str.strip()
    counts = Counter(name for name in names if name)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def scene_figures(
    scene: Scene,
    sites: pd.DataFrame,
    *,
    corridor: pd.DataFrame | None = None,
) -> list[SceneFigure]:
    """Return the figures of ``scene``'s box: counted from its sites, then its Blueprint's.

    Parameters
    ----------
    scene
        The scene shown.
    sites
        The sites the scene shows (its filter applied for the presenter's year), with
        ``kind``, ``organisation`` and ``lad_name``.
    corridor
        The Defence Belt the scene draws, when it draws one: the belt scene's figures are
        the share of the sites inside it and its hubs.

    Returns
    -------
    list of SceneFigure
        First the scene's own count ("12 combat air sites"), then the kinds it holds most
        of, or the belt's share and hubs, then the Blueprint figures that are about the scene
        (:attr:`Scene.blueprint`), each with its section.
    """
    count = len(sites)
    figures = [SceneFigure(f"{count:,}", scene.topic if count != 1 else _one(scene.topic))]
    belt = _belt_row(corridor) if scene.show_belt else None
    if belt is not None and pd.notna(belt.get("share_inside")):
        inside = belt.get("sites_inside")
        share = float(str(belt["share_inside"]))
        figures[0] = SceneFigure(f"{share:.0%}", "of the region's sites lie inside the belt")
        if inside is not None and pd.notna(inside):
            figures.append(SceneFigure(f"{int(str(inside)):,}", "sites inside the belt"))
        hubs = str(belt.get("hubs") or "")
        if hubs:
            number = len([h for h in hubs.split(";") if h.strip()])
            figures.append(SceneFigure(f"{number}", _plural(number, "hub", "hubs") + " joined"))
    elif count:
        kinds = sites["kind"].value_counts()
        for slug in sorted(_KIND_WORDS, key=lambda k: -int(kinds.get(k, 0))):
            found = int(kinds.get(slug, 0))
            if found and len(figures) < COUNTED_FIGURES:
                figures.append(SceneFigure(f"{found:,}", _plural(found, *_KIND_WORDS[slug])))
        organisations = int(sites["organisation"].nunique())
        if len(figures) < COUNTED_FIGURES:
            figures.append(
                SceneFigure(
                    f"{organisations:,}", _plural(organisations, "organisation", "organisations")
                )
            )
    for key in scene.blueprint:
        item = blueprint.figure(key)
        figures.append(SceneFigure(item.display, item.label, item.citation))
    return figures


def _one(topic: str) -> str:
    """Return "combat air site" from "combat air sites" (the words before "sites" kept)."""
    return topic.replace(" sites", " site", 1) if " sites" in topic else topic


def _names(sites: pd.DataFrame, top: int = 3) -> str:
    """Return up to ``top`` site names with their towns: primes first, then bases, research."""
    if sites.empty:
        return ""
    order = {slug: index for index, slug in enumerate(_KIND_WORDS)}
    ranked = sites.assign(_rank=sites["kind"].map(lambda k: order.get(k, len(order))))
    ranked = ranked.sort_values(["_rank", "name"]).head(top)
    parts = []
    for name, town in zip(ranked["name"], ranked.get("town", [""] * len(ranked)), strict=True):
        place = str(town or "").strip()
        parts.append(f"{name} ({place})" if place else str(name))
    return "; ".join(parts)


def speaker_notes(
    scene: Scene,
    sites: pd.DataFrame,
    *,
    registry: pd.DataFrame | None = None,
    corridor: pd.DataFrame | None = None,
    year: int | None = None,
) -> list[str]:
    """Return the speaker's notes for ``scene``: its opening line, then what its data says.

    The notes are for the speaker's screen, not the audience's: the scene's own opening
    (:attr:`Scene.opening`), then how many of the scene's sites there are and of the
    registry's, the capabilities it is about counted one by one, where most of them are,
    a few sites to name, what is planned or closing, and for the belt scene its share.
    Every number is counted from ``sites`` (and ``registry``, ``corridor``) here.

    Parameters
    ----------
    scene
        The scene shown.
    sites
        The sites it shows.
    registry
        Every site of the registry (counted for ``year`` when given), for "of how many".
    corridor
        The belt the scene draws, when it draws one.
    year
        The year the scene counts for.
    """
    notes = [scene.opening] if scene.opening else []
    when = "" if year is None else f" in {year}"
    count = len(sites)
    if registry is not None:
        on_map = timeline.open_in(registry, year, planned=scene.filter.planned) if year else None
        base = registry if on_map is None else registry.loc[on_map]
        notes.append(
            f"The map shows {count:,} {scene.topic if count != 1 else _one(scene.topic)}{when}, "
            f"of the {len(base):,} sites on the registry."
        )
    else:
        notes.append(f"The map shows {count:,} {scene.topic}{when}.")
    if count == 0:
        return notes
    capability_counts = vocabulary.capability_counts(sites["capabilities"])
    for slug in scene.filter.capabilities:
        number = capability_counts.get(slug, 0)
        label = vocabulary.capability_label(slug)
        notes.append(
            f"{number:,} {_plural(number, 'site carries', 'sites carry')} {label.lower()}"
            f"{': ' + _names(_having(sites, slug)) if number else ''}."
        )
    if not scene.filter.capabilities:
        notes.append(f"Sites to name: {_names(sites)}.")
    districts = _top_districts(sites)
    if districts:
        named = " and ".join(f"{name} ({number:,})" for name, number in districts)
        notes.append(f"Most are in {named}.")
    notes += _status_notes(sites)
    belt = _belt_row(corridor) if scene.show_belt else None
    if belt is not None and pd.notna(belt.get("share_inside")):
        notes.append(
            f"The belt holds {belt.get('sites_inside')} of the {belt.get('sites_total')} sites "
            f"it was computed from ({float(str(belt['share_inside'])):.0%}); it is a model, "
            f"{float(str(belt.get('width_km'))):g} km wide, so say so when you show it."
        )
    return notes


def _having(sites: pd.DataFrame, slug: str) -> pd.DataFrame:
    return sites.loc[[slug in (caps or []) for caps in sites["capabilities"]]]


def _status_notes(sites: pd.DataFrame) -> list[str]:
    if "status" not in sites.columns:
        return []
    notes = []
    for status, words in (("planned", "planned"), ("closing", "closing")):
        chosen = sites.loc[sites["status"].fillna("") == status]
        if not chosen.empty:
            names = ", ".join(str(n) for n in chosen["name"].head(3))
            verb = "is" if len(chosen) == 1 else "are"
            notes.append(f"{len(chosen)} {verb} {words}: {names}.")
    return notes
