"""A presenter scene's words: the figures in its box and the speaker's notes, from its data.

:func:`scene_figures` counts a scene's own figures from its sites (or, for the belt scene, the
belt's share and hubs) and adds the Blueprint figures that are about it; :func:`speaker_notes`
writes the speaker's notes: the scene's opening line, then what its sites say, in plain words.
The scenes themselves (what each selects and where the map looks) are in
:mod:`mapping.scene_list`; :mod:`mapping.scenes` imports both functions for its callers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from layers import blueprint, timeline, vocabulary
from mapping.scene_list import Scene


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
