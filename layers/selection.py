"""A selection of sites and its Defence Belt: what the app shows and every export is made from.

:func:`make_selection` is the one selection step, used by the map, the tabs, the presenter and
every export: the filters, then the Defence Belt of the registry sites they select, then "in the
belt" keeps the sites inside it; the user's uploaded sites are filtered beside the registry's
and never shape the belt. The :class:`Selection` it returns records what an export must say
about it: the filter, the data version, the date, and the uploaded file the user's sites came
from.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pandas as pd

import settings
from layers import areas, boundaries, filters, provenance
from layers.filters import SiteFilter

logger = logging.getLogger(__name__)


class CorridorUnavailableError(RuntimeError):
    """The Defence Belt cannot be computed here (``layers.corridor`` is not importable)."""


@dataclass(frozen=True, eq=False)
class Selection:
    """What the filter selects, and where it came from: what the app shows and exports hold.

    Attributes
    ----------
    sites
        Every selected site (EPSG:4326): the registry's, then the user's uploaded ones.
    criteria
        The filter that selected them.
    data_version
        The short version of the registry and boundaries (``layers.provenance.data_version``).
    created
        When the export was made (UTC).
    corridor
        The Defence Belt (``layers.corridor.build_corridor``'s result) when there is one.
    estates
        MOD estate footprints from OpenStreetMap shown with the sites, when any.
    boundaries_dir
        Where the built boundaries are (areas, slides and the offline map read them).
    area_level
        The authority level of the areas layer: ``"ca"``, ``"county"`` or ``"lad"``.
    upload_name
        The name of the file the user's uploaded sites came from ("" without an upload).
    uploaded_ids
        The ``site_id`` of every uploaded site offered to the selection (selected or not).
    base
        The registry sites every criterion but "in the belt" selects: the sites the belt
        follows (None when the selection was not made by :func:`make_selection`).
    registry
        The registry's part of ``sites`` as selected, before the uploads joined it (None when
        ``sites`` holds no upload, or was given by hand).
    """

    sites: gpd.GeoDataFrame
    criteria: SiteFilter = field(default_factory=SiteFilter)
    data_version: str = ""
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    corridor: gpd.GeoDataFrame | None = None
    estates: gpd.GeoDataFrame | None = None
    boundaries_dir: Path = field(default_factory=lambda: Path(settings.BOUNDARIES_DIR))
    area_level: str = "county"
    upload_name: str = ""
    uploaded_ids: frozenset[str] = frozenset()
    base: gpd.GeoDataFrame | None = None
    registry: gpd.GeoDataFrame | None = None

    @property
    def has_corridor(self) -> bool:
        """Say whether the selection carries a non-empty Defence Belt."""
        return self.corridor is not None and not self.corridor.empty

    @property
    def uses_osm(self) -> bool:
        """Say whether the export carries OpenStreetMap data (estates, or roads-mode belt)."""
        if self.estates is not None and not self.estates.empty:
            return True
        return bool(
            self.has_corridor
            and self.corridor is not None
            and "mode" in self.corridor.columns
            and (self.corridor["mode"] == "roads").any()
        )

    @property
    def uploaded_sites(self) -> gpd.GeoDataFrame:
        """Return the selected sites that came from the user's uploaded file."""
        return self.sites.loc[self._uploaded_mask()]

    @property
    def registry_sites(self) -> gpd.GeoDataFrame:
        """Return the selected registry sites (the selection without the user's uploads)."""
        if self.registry is not None:
            return self.registry
        if not self.uploaded_ids:
            return self.sites
        return self.sites.loc[~self._uploaded_mask()]

    @property
    def uploads(self) -> gpd.GeoDataFrame | None:
        """Return the selected uploaded sites, or None without an upload."""
        return self.uploaded_sites if self.uploaded_ids else None

    @property
    def belt_sites(self) -> gpd.GeoDataFrame:
        """Return the registry sites the belt follows (every criterion but "in the belt")."""
        return self.registry_sites if self.base is None else self.base

    def _uploaded_mask(self) -> pd.Series:
        return self.sites["site_id"].astype(str).isin(self.uploaded_ids)


def make_selection(
    sites: gpd.GeoDataFrame,
    criteria: SiteFilter,
    *,
    boundaries_dir: str | Path | None = None,
    data_version: str = "",
    sites_path: str | Path | None = None,
    corridor: gpd.GeoDataFrame | None = None,
    with_corridor: bool = False,
    width_km: float | None = None,
    mode: str = "straight",
    corridor_of: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
    estates: gpd.GeoDataFrame | None = None,
    area_level: str = "county",
    created: datetime | None = None,
    uploads: gpd.GeoDataFrame | None = None,
    upload_name: str = "",
) -> Selection:
    """Select the sites ``criteria`` asks for, with the belt when needed: the one selection step.

    The filters run first; the Defence Belt is computed from the registry sites they select
    (everything but "in the belt"); "in the belt" then keeps the sites inside it. The user's
    uploaded sites are filtered beside the registry's, "in the belt" included, and never shape
    the belt.

    Parameters
    ----------
    sites
        The whole registry (``layers.sites.load_sites``).
    criteria
        The filter (the app's, the command line's or a scene's).
    boundaries_dir
        Where the built boundaries are (default ``settings.BOUNDARIES_DIR``).
    data_version
        The data version; computed from ``sites_path`` and ``boundaries_dir`` when empty.
    sites_path
        The registry file the sites were read from (default ``settings.SITES_CSV``).
    corridor
        A belt already computed for these criteria; otherwise it is computed here when the
        filter or ``with_corridor`` needs one.
    with_corridor
        Compute the belt even when the filter does not ask for "in the belt" (the map shows
        it, the bid pack carries it); skipped with a warning when ``layers.corridor`` is not
        importable.
    width_km, mode
        The belt's width (default ``settings.CORRIDOR_WIDTH_KM``) and links (``"straight"``
        or ``"roads"``) when it is computed here.
    corridor_of
        How to compute the belt of the sites it follows (the app passes its cache); default
        :func:`compute_corridor` with ``width_km``, ``mode`` and ``boundaries_dir``.
    estates
        OpenStreetMap estate footprints to carry (their attribution is then added).
    area_level
        The authority level of the areas layer.
    created
        The export's date and time (default: now, UTC).
    uploads
        The user's uploaded sites (``layers.uploads.read_user_sites``), credited to
        ``upload_name``.
    upload_name
        The uploaded file's name, as the credits and metadata name it.

    Raises
    ------
    CorridorUnavailableError
        When ``criteria.in_belt`` is set, no corridor is given and ``layers.corridor`` cannot
        be imported.
    """
    if area_level not in areas.LEVELS:
        raise ValueError(
            f"unknown area level {area_level!r}; choose one of {', '.join(areas.LEVELS)}"
        )
    directory = Path(settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir)
    everything_but_belt = dataclasses.replace(criteria, in_belt=False)
    base = filters.select_sites(sites, everything_but_belt)
    offered = uploads if uploads is not None and not uploads.empty else None
    user_sites = None if offered is None else filters.select_sites(offered, everything_but_belt)
    if corridor is None and (criteria.in_belt or with_corridor):
        try:
            corridor = (
                corridor_of(base)
                if corridor_of is not None
                else compute_corridor(base, width_km=width_km, mode=mode, boundaries_dir=directory)
            )
        except CorridorUnavailableError:
            if criteria.in_belt:
                raise
            logger.warning("the Defence Belt module is not available; exporting without it")
    selected = base
    if criteria.in_belt and corridor is not None:
        inside = _corridor_module().sites_in_corridor
        selected = filters.select_sites(base, criteria, in_belt=inside(base, corridor))
        if user_sites is not None:
            user_sites = filters.select_sites(
                user_sites, criteria, in_belt=inside(user_sites, corridor)
            )
    uploaded_ids: frozenset[str] = frozenset()
    every_site, registry = selected, None
    if offered is not None and user_sites is not None:
        uploaded_ids = frozenset(offered["site_id"].astype(str))
        every_site = gpd.GeoDataFrame(
            pd.concat([selected, user_sites], ignore_index=True), crs=sites.crs
        )
        registry = selected
    version = data_version or provenance.data_version(sites_path, boundaries_dir=directory)
    return Selection(
        sites=every_site,
        criteria=criteria,
        data_version=version,
        created=created or datetime.now(UTC),
        corridor=corridor,
        estates=estates,
        boundaries_dir=directory,
        area_level=area_level,
        upload_name=upload_name if uploaded_ids else "",
        uploaded_ids=uploaded_ids,
        base=base,
        registry=registry,
    )


def compute_corridor(
    sites: gpd.GeoDataFrame,
    *,
    width_km: float | None = None,
    mode: str = "straight",
    boundaries_dir: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Return the Defence Belt of ``sites``, clipped to the built outline.

    ``mode`` is ``"straight"`` or ``"roads"`` (roads fall back to straight links, and say so
    in the belt's ``note``, when the road graph is not cached). ``width_km`` defaults to
    ``settings.CORRIDOR_WIDTH_KM``.

    Raises
    ------
    CorridorUnavailableError
        When ``layers.corridor`` cannot be imported.
    """
    module = _corridor_module()
    directory = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    outline = boundaries.load_layer("midlands", directory=directory)
    corridor: gpd.GeoDataFrame = module.build_corridor(
        sites,
        width_km=settings.CORRIDOR_WIDTH_KM if width_km is None else width_km,
        mode=mode,
        outline=outline,
    )
    return corridor


def _corridor_module() -> ModuleType:
    # Imported when needed: the belt is optional for most exports, and its module may be absent.
    try:
        # By name, so a test can make the import fail through sys.modules.
        corridor = importlib.import_module("layers.corridor")
    except ImportError as exc:
        raise CorridorUnavailableError(
            f"the Defence Belt cannot be computed: layers.corridor is not importable ({exc}); "
            "export without --in-belt, or install the corridor module"
        ) from exc
    return corridor


def ensure_corridor(selection: Selection, *, width_km: float | None = None) -> Selection:
    """Return ``selection`` with a belt computed from its sites when it has none.

    When ``layers.corridor`` is not importable the selection comes back unchanged (a warning
    is logged), so a bid pack can still be made.
    """
    if selection.corridor is not None:
        return selection
    try:
        corridor = compute_corridor(
            selection.belt_sites, width_km=width_km, boundaries_dir=selection.boundaries_dir
        )
    except CorridorUnavailableError as exc:
        logger.warning("%s", exc)
        return selection
    return dataclasses.replace(selection, corridor=corridor)


def belt_width_km(selection: Selection) -> float | None:
    """Return the width (km) of the selection's belt, or None without one."""
    if selection.corridor is None or "width_km" not in selection.corridor.columns:
        return None
    widths = selection.corridor["width_km"].dropna()
    return float(widths.iloc[0]) if len(widths) else None


def belt_mode(selection: Selection) -> str | None:
    """Return how the selection's belt joins its hubs (the mode used), or None without one."""
    if selection.corridor is None or "mode" not in selection.corridor.columns:
        return None
    modes = selection.corridor["mode"].dropna()
    return str(modes.iloc[0]) if len(modes) else None
