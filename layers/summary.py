"""A plain-English description of a map view, from the same numbers the map shows.

Screen readers, speaker notes, the bid pack and the ``alt`` text of exported pictures all need
the map in words (WCAG 1.1.1; the "non-map route" of GOV.UK's guidance on maps). The sentences
say how many sites the view shows (of how many), how many the Defence Belt holds, the districts
and capabilities with the most sites, and what the filters changed against the whole registry.
Given the official registers, they add the figures of the districts holding the view's sites
(curated sites, registered firms core and adjacent, defence awards with value and SME share,
official counts), counted by :mod:`layers.registers_figures` as the areas and belt tabs and the
bid pack count them; a register not loaded is named with the command that loads it.
Everything is counted here from the frames the map is drawn from; nothing is estimated.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from layers import timeline, vocabulary

if TYPE_CHECKING:
    from layers.registers_figures import RegisterSources

#: How many districts and capabilities a description names.
DEFAULT_TOP = 3


def describe_view(
    selected: pd.DataFrame,
    registry: pd.DataFrame | None = None,
    *,
    corridor: pd.DataFrame | None = None,
    year: int | None = None,
    top: int = DEFAULT_TOP,
    planned: bool = True,
    registers: RegisterSources | None = None,
) -> str:
    """Return a short plain-English description of a map view (a few sentences).

    Parameters
    ----------
    selected
        The sites the view shows, with ``site_id``, ``capabilities`` (lists of slugs) and
        ``lad_name`` (empty outside the Midlands' districts).
    registry
        The whole registry the view was selected from; without it the description says what
        the view holds but not what the filters left out.
    corridor
        The Defence Belt (``layers.corridor.build_corridor``'s result): its belt row's
        ``sites_inside`` and ``share_inside`` are quoted as they are on the map.
    year
        The year the view counts for: the registry is then compared by its sites open in that
        year (``layers.timeline.open_in``), as the map shows them.
    top
        How many districts and capabilities to name.
    planned
        Whether the view keeps planned sites (``layers.filters.SiteFilter.planned``): the
        registry is then counted with them, as the map shows them.
    registers
        The official register layers (:func:`layers.registers_figures.load_sources`); when
        given, :func:`register_sentences` are added for the districts of ``selected`` (which
        then needs ``lad_code``).
    """
    return " ".join(
        view_sentences(
            selected,
            registry,
            corridor=corridor,
            year=year,
            top=top,
            planned=planned,
            registers=registers,
        )
    )


def view_sentences(
    selected: pd.DataFrame,
    registry: pd.DataFrame | None = None,
    *,
    corridor: pd.DataFrame | None = None,
    year: int | None = None,
    top: int = DEFAULT_TOP,
    planned: bool = True,
    registers: RegisterSources | None = None,
) -> list[str]:
    """Return the description's sentences, one per fact (for bullet points and speaker notes).

    The parameters are those of :func:`describe_view`.
    """
    if top < 1:
        raise ValueError(f"top must be 1 or more, not {top!r}")
    baseline = None if registry is None else counted_against(registry, year, planned=planned)
    sentences = [_count_sentence(selected, baseline, year)]
    belt = _belt_sentence(corridor)
    if belt:
        sentences.append(belt)
    if not selected.empty:
        sentences += _district_sentences(selected, top)
        sentences.append(_capability_sentence(selected, top))
        if baseline is not None:
            sentences += _change_sentences(selected, baseline, year)
    if registers is not None:
        sentences += register_sentences(selected, registers)
    return sentences


def register_sentences(selected: pd.DataFrame, registers: RegisterSources) -> list[str]:
    """Return the official registers' figures for the districts holding the view's sites.

    One sentence per figure (:func:`layers.registers_figures.describe_figures`): curated
    sites, registered firms (core and adjacent), defence awards with value and SME share, and
    official counts; a register not loaded reads "not loaded" with the command that loads it.
    """
    # read here, not on import: descriptions without registers need none of the registers' code
    from layers import registers_figures  # noqa: PLC0415

    where, _, found = registers_figures.sites_districts_figures(
        selected, registers, noun="view's sites"
    )
    if found["sites"] == 0:
        return [
            "The official registers' figures are given by district, and no site of the view "
            "lies in a mapped district."
        ]
    return registers_figures.describe_figures(found, where=where)


def _sites(number: int) -> str:
    return f"{number:,} site" if number == 1 else f"{number:,} sites"


def counted_against(
    registry: pd.DataFrame, year: int | None, *, planned: bool = True
) -> pd.DataFrame:
    """Return the registry's sites a view is counted against, as the map shows them.

    Those open in ``year`` (and planned ones, when the view keeps them: see
    ``layers.timeline.open_in``), or every site without a year. The page's count line and the
    map in words both count "of" these.
    """
    if year is None:
        return registry
    return registry.loc[timeline.open_in(registry, year, planned=planned)]


def scope(year: int | None, baseline: pd.DataFrame | None = None) -> str:
    """Return what the counted sites are: "in the registry", "open in 2026".

    "open or planned in 2026" when they hold planned sites.
    """
    if year is None:
        return "in the registry"
    planned = (
        baseline is not None and "status" in baseline and (baseline["status"] == "planned").any()
    )
    return f"open or planned in {year}" if planned else f"open in {year}"


def _count_sentence(selected: pd.DataFrame, baseline: pd.DataFrame | None, year: int | None) -> str:
    shown = len(selected)
    if baseline is None:
        opened = "" if year is None else f" open in {year}"
        return f"The view shows {_sites(shown) if shown else 'no sites'}{opened}."
    known = set(baseline["site_id"].astype(str))
    from_registry = int(selected["site_id"].astype(str).isin(known).sum())
    uploaded = shown - from_registry
    total = len(baseline)
    if from_registry == 0:
        held = f"none of the {_sites(total)} {scope(year, baseline)}"
    elif from_registry == total:
        held = f"all {_sites(total)} {scope(year, baseline)}"
    else:
        held = f"{from_registry:,} of the {_sites(total)} {scope(year, baseline)}"
    extra = f", and {uploaded:,} uploaded" if uploaded else ""
    return f"The view shows {held}{extra}."


def _belt_sentence(corridor: pd.DataFrame | None) -> str:
    if corridor is None or corridor.empty or "part" not in corridor.columns:
        return ""
    belt = corridor.loc[corridor["part"] == "belt"]
    if belt.empty:
        return ""
    inside, share = belt["sites_inside"].iloc[0], belt["share_inside"].iloc[0]
    if pd.isna(inside) or pd.isna(share):
        return ""
    inside, share = int(inside), float(share)
    if inside == 0 or share <= 0:
        return "The Midlands Defence Belt holds none of the sites it was computed from."
    base = round(inside / share)
    return (
        f"The Midlands Defence Belt holds {inside:,} of the {_sites(base)} it was computed "
        f"from ({share:.0%})."
    )


def _ranked(counts: Counter[str], order: Iterable[str], top: int) -> list[tuple[str, int]]:
    """Return the ``top`` largest counts, ties in ``order`` (names or the vocabulary's order)."""
    rank = {key: index for index, key in enumerate(order)}
    found = [(key, number) for key, number in counts.items() if number]
    found.sort(key=lambda item: (-item[1], rank.get(item[0], len(rank)), item[0]))
    return found[:top]


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _district_sentences(selected: pd.DataFrame, top: int) -> list[str]:
    names = selected["lad_name"].fillna("").astype(str).str.strip()
    placed = names[names != ""]
    outside = len(names) - len(placed)
    sentences = []
    counts = Counter(placed)
    if len(counts) == 1:
        (name,) = counts
        sentences.append(f"It is in {name}." if len(names) == 1 else f"All are in {name}.")
    elif counts:
        ranked = _ranked(counts, sorted(counts), top)
        named = _listed([f"{name} ({number:,})" for name, number in ranked])
        sentences.append(
            f"They are spread over {len(counts):,} districts; the most are in {named}."
        )
    if outside:
        verb = "lies" if outside == 1 else "lie"
        sentences.append(f"{_sites(outside)} {verb} outside the Midlands' districts.")
    return sentences


def _capability_counts(sites: pd.DataFrame) -> Counter[str]:
    return vocabulary.capability_counts(sites["capabilities"])


def _label(slug: str) -> str:
    """Return a capability's label for the middle of a sentence ("AI, ..." keeps its capital)."""
    label = vocabulary.capability_label(slug)
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _capability_sentence(selected: pd.DataFrame, top: int) -> str:
    counts = _capability_counts(selected)
    if not counts:
        return "No capability is listed for these sites."
    ranked = _ranked(counts, vocabulary.CAPABILITIES, top)
    first, first_count = ranked[0]
    parts = [f"{_label(first)} ({_sites(first_count)})"]
    parts += [f"{_label(slug)} ({number:,})" for slug, number in ranked[1:]]
    if len(counts) == 1:
        return f"The only capability listed is {parts[0]}."
    if len(parts) == 1:
        return f"The capability listed most often is {parts[0]}."
    return f"The capabilities listed most often are {_listed(parts)}."


def _change_sentences(
    selected: pd.DataFrame, baseline: pd.DataFrame, year: int | None
) -> list[str]:
    shown = set(selected["site_id"].astype(str))
    base_ids = baseline["site_id"].astype(str)
    left_out = int((~base_ids.isin(shown)).sum())
    whole = "the whole registry" if year is None else f"every site {scope(year, baseline)}"
    if left_out == 0:
        return [f"Nothing is filtered out: the view is {whole}."]
    base_districts = set(baseline["lad_name"].fillna("").astype(str).str.strip()) - {""}
    view_districts = set(selected["lad_name"].fillna("").astype(str).str.strip()) - {""}
    empty = len(base_districts - view_districts)
    sentence = f"Against {whole}, the filters leave out {_sites(left_out)}"
    if base_districts and empty:
        sentence += f" and {empty:,} of its {len(base_districts):,} districts"
    sentences = [sentence + "."]
    shifts = _share_shifts(selected, baseline)
    if shifts:
        sentences.append(shifts)
    return sentences


def _share_shifts(selected: pd.DataFrame, baseline: pd.DataFrame) -> str:
    """Say which capability's share of the sites rose most, and which fell most."""
    view, base = _capability_counts(selected), _capability_counts(baseline)
    changes = []
    for slug in vocabulary.CAPABILITIES:
        before = base[slug] / len(baseline) if len(baseline) else 0.0
        after = view[slug] / len(selected)
        changes.append((after - before, slug, before, after))
    parts = []
    rise = max(changes, key=lambda change: change[0])  # max/min keep the first of equals
    fall = min(changes, key=lambda change: change[0])
    for change, verb, sign in ((rise, "rises", 1), (fall, "falls", -1)):
        delta, slug, before, after = change
        if delta * sign <= 0 or math.isclose(round(before, 2), round(after, 2)):
            continue  # no rise (or fall) at all, or one under a percentage point
        parts.append(f"{_label(slug)} {verb} from {before:.0%} to {after:.0%} of the sites")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
