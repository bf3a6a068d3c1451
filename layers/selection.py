"""A selection of sites and its Defence Belt: what the app shows and every export is made from.

:func:`make_selection` applies a :class:`layers.filters.SiteFilter` the way the app does (the
Defence Belt is computed from the sites the other criteria select, then "in the belt" keeps the
sites inside it) and records what an export must say about it: the filter, the data version,
the date, and the uploaded file any user's sites came from. A selection and its corridor are
geography, so they live here; ``mapping.selection`` re-exports them for the exports.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
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
    """What an export holds: the selected sites and where they came from.

    Attributes
    ----------
    sites
        The selected sites (EPSG:4326), as :func:`layers.filters.select_sites` returns them.
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
        return self.sites.loc[self.sites["site_id"].astype(str).isin(self.uploaded_ids)]


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
    estates: gpd.GeoDataFrame | None = None,
    area_level: str = "county",
    created: datetime | None = None,
    uploads: gpd.GeoDataFrame | None = None,
    upload_name: str = "",
) -> Selection:
    """Select the sites ``criteria`` asks for, with the belt when needed, ready to export.

    The Defence Belt is computed from the registry sites the other criteria select (everything
    but "in the belt"), as the app draws it; "in the belt" then keeps the sites inside it.

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
        A belt already computed (the app's); computed here when the filter or
        ``with_corridor`` needs one and none is given.
    with_corridor
        Compute the belt even when the filter does not ask for "in the belt" (the bid pack
        carries it); skipped with a warning when ``layers.corridor`` is not importable.
    width_km, mode
        The belt's width (default ``settings.CORRIDOR_WIDTH_KM``) and links (``"straight"``
        or ``"roads"``) when it is computed here.
    estates
        OpenStreetMap estate footprints to carry (their attribution is then added).
    area_level
        The authority level of the areas layer.
    created
        The export's date and time (default: now, UTC).
    uploads
        The user's uploaded sites (``layers.uploads.read_user_sites``): filtered like the
        registry and exported with it, credited to ``upload_name``. They never shape the belt.
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
    if corridor is None and (criteria.in_belt or with_corridor):
        base = filters.select_sites(sites, dataclasses.replace(criteria, in_belt=False))
        try:
            corridor = compute_corridor(
                base, width_km=width_km, mode=mode, boundaries_dir=directory
            )
        except CorridorUnavailableError:
            if criteria.in_belt:
                raise
            logger.warning("the Defence Belt module is not available; exporting without it")
    uploaded_ids: frozenset[str] = frozenset()
    offered = sites
    if uploads is not None and not uploads.empty:
        uploaded_ids = frozenset(uploads["site_id"].astype(str))
        offered = gpd.GeoDataFrame(pd.concat([sites, uploads], ignore_index=True), crs=sites.crs)
    in_belt = None
    if criteria.in_belt and corridor is not None:
        in_belt = _corridor_module().sites_in_corridor(offered, corridor)
    selected = filters.select_sites(offered, criteria, in_belt=in_belt)
    version = data_version or provenance.data_version(sites_path, boundaries_dir=directory)
    return Selection(
        sites=selected,
        criteria=criteria,
        data_version=version,
        created=created or datetime.now(UTC),
        corridor=corridor,
        estates=estates,
        boundaries_dir=directory,
        area_level=area_level,
        upload_name=upload_name if uploaded_ids else "",
        uploaded_ids=uploaded_ids,
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
            selection.sites, width_km=width_km, boundaries_dir=selection.boundaries_dir
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
