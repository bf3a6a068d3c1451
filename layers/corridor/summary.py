"""What the belt holds: the share of the selected sites inside it, by capability and authority."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from layers import areas, vocabulary
from layers.areas import AuthorityLevel
from layers.corridor.build import sites_in_corridor

_BY_AUTHORITY_COLUMNS = ["area_code", "area_name", "sites", "inside", "share"]
_BY_CAPABILITY_COLUMNS = [
    "capability",
    "capability_label",
    "sites",
    "inside",
    "share",
    "top_area_name",
    "top_area_inside",
]


@dataclass(frozen=True)
class CorridorSummary:
    """What the belt holds: overall, by capability and by authority.

    Attributes
    ----------
    sites, inside, share
        The given sites, those inside the belt, and their share (NaN for no sites).
    by_capability
        Columns ``capability``, ``capability_label``, ``sites``, ``inside``, ``share``,
        ``top_area_name`` and ``top_area_inside`` (the authority holding most of the
        capability's belt sites), in the vocabulary's order.
    by_authority
        Columns ``area_code``, ``area_name``, ``sites``, ``inside``, ``share``, most sites
        inside first; sites in no authority of the level are grouped under an empty code.
    level
        The authority level of ``by_authority``.
    """

    sites: int
    inside: int
    share: float
    by_capability: pd.DataFrame = field(repr=False)
    by_authority: pd.DataFrame = field(repr=False)
    level: str = "ca"

    def headlines(self, base: str = "selected sites") -> list[str]:
        """Return the sentences a bid quotes, one overall and one per capability.

        Every share names its base, so no sentence can be quoted as a share of the registry:
        "The belt holds 12 of the 16 selected sites (75%)." and "Of the 16 selected sites,
        1 is a Space site; the belt holds it (100%)." ``base`` says what the sites are.
        """
        if self.sites == 0:
            return [f"There are no {base}, so the belt holds none."]
        lines = [
            f"The belt holds {self.inside} of the {_count(self.sites, base)} ({self.share:.0%})."
        ]
        for row in self.by_capability.to_dict("records"):
            sites, inside = int(row["sites"]), int(row["inside"])
            label = str(row["capability_label"])
            article = "an" if label[:1].upper() in "AEIOU" else "a"
            kind = f"is {article} {label} site" if sites == 1 else f"are {label} sites"
            held = "it" if sites == 1 else f"{inside} of them"
            if inside == 0:
                held = "none of it" if sites == 1 else "none of them"
            line = (
                f"Of the {_count(self.sites, base)}, {sites} {kind}; the belt holds {held} "
                f"({row['share']:.0%})"
            )
            if row["top_area_inside"] and sites > 1:
                line += f", {row['top_area_inside']} in {row['top_area_name']!s}"
            elif row["top_area_inside"]:
                line += f", in {row['top_area_name']!s}"
            lines.append(line + ".")
        return lines


def _count(number: int, base: str) -> str:
    """Return "16 selected sites", or "1 selected site" (the base's last word made singular)."""
    if number == 1 and base.endswith("s"):
        return f"{number} {base[:-1]}"
    return f"{number:,} {base}"


def corridor_summary(
    sites: gpd.GeoDataFrame,
    corridor: gpd.GeoDataFrame,
    *,
    level: AuthorityLevel = "ca",
) -> CorridorSummary:
    """Summarise the share of sites inside the belt, by capability and by authority.

    Parameters
    ----------
    sites
        The sites the corridor was built from (or any other selection to measure against it),
        with ``capabilities`` and the area columns from ``load_sites``.
    corridor
        The result of :func:`layers.corridor.build_corridor`.
    level
        The authority level for ``by_authority``: ``"lad"``, ``"county"``, ``"ca"`` or
        ``"region"``.

    Returns
    -------
    CorridorSummary
        The counts and shares; ``headlines()`` words them, e.g. "Of the 40 selected sites, 18
        are Combat air sites; the belt holds 13 of them (72%), 9 in West Midlands Combined
        Authority."
    """
    unplaced = areas.authority_level(level).unplaced
    inside = sites_in_corridor(sites, corridor).to_numpy()
    capability_lists = vocabulary.capability_lists(sites.get("capabilities", pd.Series()))
    if len(capability_lists) != len(sites):
        capability_lists = [[] for _ in range(len(sites))]
    codes, names = areas.site_areas(sites, level)

    authority_records = []
    for code in sorted(set(codes)):
        in_area = codes == code
        count = int(in_area.sum())
        held = int((in_area & inside).sum())
        authority_records.append(
            {
                "area_code": code,
                "area_name": names[in_area][0] if code else unplaced,
                "sites": count,
                "inside": held,
                "share": held / count,
            }
        )
    by_authority = (
        pd.DataFrame(authority_records, columns=_BY_AUTHORITY_COLUMNS)
        .sort_values(
            ["inside", "sites", "area_code"], ascending=[False, False, True], kind="mergesort"
        )
        .reset_index(drop=True)
    )

    capability_records = []
    present = {slug for listed in capability_lists for slug in listed}
    for slug in vocabulary.in_vocabulary_order(present, vocabulary.CAPABILITIES):
        holds = np.array([slug in listed for listed in capability_lists], dtype=bool)
        held = holds & inside
        top_name, top_count = _top_area(codes[held], names[held], unplaced)
        capability_records.append(
            {
                "capability": slug,
                "capability_label": vocabulary.capability_label(slug),
                "sites": int(holds.sum()),
                "inside": int(held.sum()),
                "share": float(held.sum() / holds.sum()),
                "top_area_name": top_name,
                "top_area_inside": top_count,
            }
        )
    total = len(sites)
    held_total = int(inside.sum())
    return CorridorSummary(
        sites=total,
        inside=held_total,
        share=held_total / total if total else float("nan"),
        by_capability=pd.DataFrame(capability_records, columns=_BY_CAPABILITY_COLUMNS),
        by_authority=by_authority,
        level=level,
    )


def _top_area(codes: np.ndarray, names: np.ndarray, unplaced: str) -> tuple[str, int]:
    """Return the authority holding most of the given sites (by code on ties) and its count."""
    placed = codes != ""
    if not placed.any():
        return "", 0
    values, counts = np.unique(codes[placed], return_counts=True)
    best = int(np.argmax(counts))  # np.unique sorts codes, so ties go to the first code
    name = names[placed][codes[placed] == values[best]][0]
    return str(name or unplaced), int(counts[best])
