"""The map and belt options the sidebar offers, and the bounds a link's values must keep to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from layers import timeline

#: The narrowest and widest belt the slider (and a link's ``w``) allows, in km.
WIDTH_MIN_KM = 2.0
WIDTH_MAX_KM = 40.0
#: The first year the year control offers.
FIRST_YEAR = 2020
#: How the belt's spine joins its hubs, as the sidebar names each way.
MODE_LABELS: dict[str, str] = {"straight": "Straight links", "roads": "Strategic roads"}
#: Why the light tiles and the density heat change the map (only the folium map draws them).
OLDER_MAP_NOTE = (
    "Only the older map draws this: it is drawn again on every change, so your zoom is not "
    "kept, and a click does not open the site card."
)


@dataclass(frozen=True)
class MapOptions:
    """What the sidebar asks the map to draw besides the selected sites.

    Attributes
    ----------
    belt
        Whether the Defence Belt is computed and drawn.
    width_km
        The belt's width.
    mode
        How the belt's spine joins its hubs (``"straight"`` or ``"roads"``).
    clusters, heat
        Whether site clusters and the density heat are drawn.
    basemap
        The basemap's key (:data:`mapping.basemap.BASEMAPS`).
    cluster_markers
        Whether nearby markers are always grouped (else only above
        :data:`mapping.livemap.CLUSTER_ABOVE` shown sites).
    show_wards
        Whether the wards are drawn.
    keep_view
        "Keep my view": the map stays where the reader put it when the selection changes.
    estates
        Whether the MOD estate footprints (OpenStreetMap) are drawn.
    """

    belt: bool = True
    width_km: float = 10.0
    mode: str = "straight"
    clusters: bool = False
    heat: bool = False
    basemap: str = "offline"
    cluster_markers: bool = False
    show_wards: bool = False
    keep_view: bool = False
    estates: bool = False

    @property
    def needs_folium(self) -> bool:
        """Say whether an option only the folium map draws is on (light tiles, density heat)."""
        return self.heat or self.basemap != "offline"


def year_range(sites: gpd.GeoDataFrame) -> tuple[int, int]:
    """Return the years the year control offers: 2020 to the year after the last closure.

    A site is on the map in the year it closes, so the year after the last announced closure
    is the first that shows the estate without it. The range always reaches this year.
    """
    this_year = date.today().year
    closes = timeline.year_of(sites["closes"]).max() if "closes" in sites else None
    last = int(closes) + 1 if closes is not None and pd.notna(closes) else this_year
    return FIRST_YEAR, max(last, this_year)
