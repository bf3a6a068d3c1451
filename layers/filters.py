"""Selecting sites: the filter semantics shared by the app, the exports and the command line.

Within one criterion the values combine with OR (a site with any chosen capability, of any
chosen kind, in any chosen area); the criteria combine with AND. An empty criterion selects
everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

import settings
from layers import areas as area_levels
from layers import boundaries, timeline, vocabulary
from layers._errors import BoundaryDataMissingError

#: Site columns that hold an area code, finest first; an area filter matches any of them.
AREA_CODE_COLUMNS: tuple[str, ...] = ("lad_code", "county_code", "ca_code", "region_code")
#: Site columns that hold the name of the area in the code column of the same position.
AREA_NAME_COLUMNS: tuple[str, ...] = ("lad_name", "county_name", "ca_name", "region_name")
#: Columns the free-text search looks in.
TEXT_COLUMNS: tuple[str, ...] = ("name", "organisation", "description")


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Return ``values`` without blanks and repeats, in their first order.

    A unitary authority's code is both a county's and a district's, so a link or a command
    may name it twice; the filter holds it once.
    """
    return tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))


@dataclass(frozen=True)
class SiteFilter:
    """What to select: capabilities, kinds of site, areas (GSS codes), text, in the belt only.

    ``as_of`` is a year: when set, sites not yet open in that year (``opened`` later, or
    ``planned`` with no opening date) and sites already closed before it (``closes`` earlier,
    or ``closed`` with no date) are left out. A site closing during the year is kept.
    ``planned`` keeps planned sites in every year from their announcement (see
    :func:`layers.timeline.open_in`), to be drawn as planned.

    Capabilities, kinds and areas are held once each, in their first order, whatever the
    caller passed. ``area_names`` maps an area code to its name for :meth:`describe` (it is
    not part of the filter: two filters differing only in names are equal).
    """

    capabilities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    text: str = ""
    in_belt: bool = False
    as_of: int | None = None
    planned: bool = True
    area_names: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("capabilities", "kinds", "areas"):
            object.__setattr__(self, name, unique(getattr(self, name)))

    def area_name(self, code: str) -> str:
        """Return an area's name (the code itself when the filter was not given its name)."""
        return dict(self.area_names).get(code, code)

    def named_areas(self) -> list[dict[str, str]]:
        """Return the chosen areas as ``{"code": ..., "name": ...}``, for metadata."""
        return [{"code": code, "name": self.area_name(code)} for code in self.areas]

    def is_empty(self) -> bool:
        """Say whether this filter selects every site."""
        return not (
            self.capabilities
            or self.kinds
            or self.areas
            or self.text.strip()
            or self.in_belt
            or self.as_of is not None
        )

    def describe(self) -> str:
        """Return a one-line, human description of the filter (for exports and captions)."""
        parts = []
        if self.capabilities:
            parts.append(
                "capabilities: "
                + ", ".join(vocabulary.capability_label(c) for c in self.capabilities)
            )
        if self.kinds:
            parts.append("kinds: " + ", ".join(vocabulary.kind_label(k) for k in self.kinds))
        if self.areas:
            parts.append("areas: " + ", ".join(self.area_name(c) for c in self.areas))
        if self.text.strip():
            parts.append(f"text: {self.text.strip()!r}")
        if self.in_belt:
            parts.append("inside the Defence Belt only")
        if self.as_of is not None:
            parts.append(f"as of {self.as_of}")
        if not self.planned:
            parts.append("planned sites left out")
        return "; ".join(parts) if parts else "all sites"


def with_area_names(criteria: SiteFilter, sites: pd.DataFrame) -> SiteFilter:
    """Return ``criteria`` with the names of its areas, read from the sites' area columns.

    A code no site carries keeps the code as its name.
    """
    found: dict[str, str] = {}
    for code_column, name_column in zip(AREA_CODE_COLUMNS, AREA_NAME_COLUMNS, strict=True):
        if code_column not in sites or name_column not in sites:
            continue
        chosen = sites.loc[sites[code_column].isin(criteria.areas), [code_column, name_column]]
        for code, name in chosen.drop_duplicates(code_column).itertuples(index=False):
            if str(name).strip():
                found.setdefault(str(code), str(name).strip())
    names = tuple((code, found[code]) for code in criteria.areas if code in found)
    return replace(criteria, area_names=names)


def area_lookup(sites: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Return every area's case-folded name -> (code, name), for a command line's names."""
    lookup: dict[str, tuple[str, str]] = {}
    for code_column, name_column in zip(AREA_CODE_COLUMNS, AREA_NAME_COLUMNS, strict=True):
        if code_column not in sites or name_column not in sites:
            continue
        pairs = sites[[code_column, name_column]].drop_duplicates()
        for code, name in pairs.itertuples(index=False):
            if str(code).strip() and str(name).strip():
                lookup.setdefault(str(name).strip().casefold(), (str(code), str(name).strip()))
    return lookup


def filter_problems(criteria: SiteFilter, *, known_areas: Iterable[str] = ()) -> list[str]:
    """Return a message for every unknown capability, kind or area code in ``criteria``."""
    problems = []
    for slug in criteria.capabilities:
        if slug not in vocabulary.CAPABILITIES:
            problems.append(
                f"unknown capability {slug!r}; choose from {', '.join(vocabulary.CAPABILITIES)}"
            )
    for slug in criteria.kinds:
        if slug not in vocabulary.KINDS:
            problems.append(
                f"unknown kind of site {slug!r}; choose from {', '.join(vocabulary.KINDS)}"
            )
    areas = set(known_areas)
    for code in criteria.areas:
        if code not in areas:
            problems.append(
                f"unknown area code {code!r}; use a GSS code of a Midlands LAD, "
                "county or unitary authority, combined authority or region"
            )
    return problems


def select_sites(
    sites: gpd.GeoDataFrame,
    criteria: SiteFilter,
    *,
    in_belt: pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """Return the sites that ``criteria`` selects (a new frame; ``sites`` is not modified).

    Parameters
    ----------
    sites
        Sites with ``capabilities`` as lists and the area code columns.
    criteria
        The filter.
    in_belt
        A boolean Series aligned with ``sites``: which sites lie inside the Defence Belt.
        Needed only when ``criteria.in_belt`` is set.
    """
    keep = pd.Series(True, index=sites.index)
    if criteria.capabilities:
        wanted = set(criteria.capabilities)
        keep &= sites["capabilities"].map(lambda caps: bool(wanted.intersection(caps)))
    if criteria.kinds:
        keep &= sites["kind"].isin(criteria.kinds)
    if criteria.areas:
        in_area = pd.Series(False, index=sites.index)
        for column in AREA_CODE_COLUMNS:
            in_area |= sites[column].isin(criteria.areas)
        keep &= in_area
    text = criteria.text.strip().casefold()
    if text:
        # column by column: a row-wise join is a Python loop (4 s for 100k sites)
        found = pd.Series(False, index=sites.index)
        for column in TEXT_COLUMNS:
            found |= sites[column].fillna("").str.casefold().str.contains(text, regex=False)
        keep &= found
    if criteria.as_of is not None:
        keep &= timeline.open_in(sites, criteria.as_of, planned=criteria.planned)
    if criteria.in_belt:
        if in_belt is None:
            raise ValueError("the in-belt filter needs the corridor: pass in_belt=")
        keep &= in_belt.reindex(sites.index, fill_value=False).astype(bool)
    return sites[keep.to_numpy()].copy()


def capability_counts(sites: pd.DataFrame) -> dict[str, int]:
    """Return how many of ``sites`` have each capability (every slug, zeros included)."""
    counts = dict.fromkeys(vocabulary.CAPABILITIES, 0)
    counts.update(vocabulary.capability_counts(sites["capabilities"]))
    return counts


def kind_counts(sites: pd.DataFrame) -> dict[str, int]:
    """Return how many of ``sites`` are of each kind (every kind, zeros included)."""
    found = sites["kind"].value_counts()
    return {slug: int(found.get(slug, 0)) for slug in vocabulary.KINDS}


def to_query(criteria: SiteFilter) -> dict[str, str]:
    """Return ``criteria`` as URL query parameters (empty criteria left out)."""
    query = {
        "cap": ",".join(criteria.capabilities),
        "kind": ",".join(criteria.kinds),
        "area": ",".join(criteria.areas),
        "q": criteria.text.strip(),
        "belt": "1" if criteria.in_belt else "",
        "year": "" if criteria.as_of is None else str(criteria.as_of),
        "planned": "" if criteria.planned else "0",
    }
    return {key: value for key, value in query.items() if value}


def from_query(query: Mapping[str, str]) -> SiteFilter:
    """Return the filter that URL query parameters describe (unknown keys are ignored)."""

    def listed(key: str) -> tuple[str, ...]:
        return tuple(item for item in str(query.get(key, "")).split(",") if item)

    return SiteFilter(
        capabilities=listed("cap"),
        kinds=listed("kind"),
        areas=listed("area"),
        text=str(query.get("q", "")),
        in_belt=str(query.get("belt", "")) in ("1", "true"),
        as_of=_year(query.get("year")),
        planned=str(query.get("planned", "")) not in ("0", "false"),
    )


def _year(value: object) -> int | None:
    """Return a four-digit year from a URL value, or None for anything else."""
    text = str(value or "").strip()
    return int(text) if len(text) == 4 and text.isdigit() else None


def facet_counts(
    sites: gpd.GeoDataFrame, criteria: SiteFilter
) -> tuple[dict[str, int], dict[str, int]]:
    """Return capability and kind counts as the other criteria leave them.

    Each count answers "how many sites would I get if I added this value": capability counts
    apply every criterion but the capabilities, kind counts every criterion but the kinds
    (the in-belt criterion, which needs the corridor, is left out of both).
    """
    without_caps = replace(criteria, capabilities=(), in_belt=False)
    without_kinds = replace(criteria, kinds=(), in_belt=False)
    return (
        capability_counts(select_sites(sites, without_caps)),
        kind_counts(select_sites(sites, without_kinds)),
    )


def area_shapes(codes: Iterable[str], *, directory: str | Path | None = None) -> gpd.GeoDataFrame:
    """Return the boundaries of the chosen areas: ``code``, ``name``, ``level``, EPSG:4326.

    Each code is looked up from the finest level to the coarsest (a unitary authority's code
    is a district's and a county's: its outline is the same), so a map or a slide can outline
    the chosen areas and fit its view to them (``total_bounds``). A code no built layer holds
    is left out; without built boundaries the frame is empty.
    """
    wanted = list(unique(codes))
    frames = []
    for level in ("lad", "county", "ca", "region"):
        if not wanted:
            break
        spec = area_levels.AUTHORITY_LEVELS[level]
        try:
            layer = boundaries.load_layer(spec.layer, directory=directory)
        except BoundaryDataMissingError:
            continue
        found = layer.loc[layer["code"].isin(wanted), ["code", "name", "geometry"]].copy()
        found["level"] = spec.label
        frames.append(found)
        wanted = [code for code in wanted if code not in set(found["code"])]
    columns = ["code", "name", "level", "geometry"]
    if not frames:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=settings.CRS_STORAGE)
    joined = pd.concat(frames, ignore_index=True)[columns]
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=settings.CRS_STORAGE)
