"""Eight sites written by hand, with every answer about them worked out by hand.

The filter, popup and map tests assert exact results on these rows; nothing here is computed
by the code under test. The area codes are real GSS codes of the places named, chosen so that
each level (district, county, combined authority, region) selects a different set of sites.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

import settings

COLUMNS = (
    "site_id",
    "name",
    "organisation",
    "description",
    "kind",
    "capabilities",
    "lad_code",
    "county_code",
    "ca_code",
    "region_code",
    "status",
    "opened",
    "closes",
    "lat",
    "lon",
)

ROWS: list[tuple] = [
    # Coventry (metropolitan district: its county code is its own), in the WMCA.
    (
        "aero-works",
        "Aero Works Coventry",
        "Skyward Aerospace",
        "Wing assembly for fast jets.",
        "prime",
        ["combat_air", "advanced_manufacturing"],
        "E08000026",
        "E08000026",
        "E47000007",
        "E12000005",
        "active",
        "",
        "",
        52.4080,
        -1.5100,
    ),
    # Malvern Hills, in Worcestershire; no combined authority. "harrier" only in the description.
    (
        "cyber-lab",
        "Malvern Cyber Lab",
        "Hill Signals",
        "Secure radio research; callsign HARRIER-7 trials.",
        "supplier",
        ["cyber_digital"],
        "E07000235",
        "E10000034",
        "",
        "E12000005",
        "active",
        "",
        "",
        52.1100,
        -2.3250,
    ),
    # Leicester (unitary). "kestrel" only in the organisation.
    (
        "space-centre",
        "Orbital Centre",
        "Kestrel Holdings Ltd",
        "Satellite ground station.",
        "university",
        ["space", "istar"],
        "E06000016",
        "E06000016",
        "",
        "E12000004",
        "active",
        "2019",
        "",
        52.6200,
        -1.1250,
    ),
    # Telford and Wrekin: closes during 2029 (an ISO date), so it is on the map in 2029 only.
    (
        "tank-depot",
        "Donnington Vehicle Depot",
        "Army (UK) Logistics",
        "Armoured vehicle repair.",
        "military",
        ["land_systems", "supply_chain"],
        "E06000020",
        "E06000020",
        "",
        "E12000005",
        "closing",
        "",
        "2029-03-31",
        52.7200,
        -2.4400,
    ),
    # Derby, in the EMCCA: planned, opening in 2027.
    (
        "reactor-plant",
        "Derby Reactor Plant",
        "Core Power",
        "Submarine reactor cores.",
        "prime",
        ["nuclear_propulsion"],
        "E06000015",
        "E06000015",
        "E47000013",
        "E12000004",
        "planned",
        "2027",
        "",
        52.9150,
        -1.4700,
    ),
    # Hinckley and Bosworth, in Leicestershire: closed in 2024; no description at all.
    (
        "old-airfield",
        "Old Airfield Test Site",
        "Legacy Trials",
        None,
        "research_centre",
        ["test_evaluation", "combat_air"],
        "E07000132",
        "E10000018",
        "",
        "E12000004",
        "closed",
        "1990",
        "2024",
        52.5400,
        -1.3700,
    ),
    # Lincoln, in Lincolnshire and the GLCCA: planned with no opening date (never on the map).
    (
        "radar-station",
        "Lincoln Radar Station",
        "RAF",
        "Airspace surveillance for the uk.",
        "military",
        ["istar"],
        "E07000138",
        "E10000019",
        "E47000017",
        "E12000004",
        "planned",
        "",
        "",
        53.2300,
        -0.5400,
    ),
    # Birmingham, in the WMCA: opened in June 2021.
    (
        "drone-startup",
        "Swarm Robotics",
        "Birmingham Autonomy Co",
        "Uncrewed systems software.",
        "supplier",
        ["autonomy_ai", "cyber_digital"],
        "E08000025",
        "E08000025",
        "E47000007",
        "E12000005",
        "active",
        "2021-06-01",
        "",
        52.4800,
        -1.9000,
    ),
]

ALL = frozenset(row[0] for row in ROWS)


def sites(index_start: int = 100) -> gpd.GeoDataFrame:
    """Return the eight sites (EPSG:4326), indexed from ``index_start`` (not 0: labels matter)."""
    frame = pd.DataFrame(ROWS, columns=list(COLUMNS))
    frame.index = pd.RangeIndex(index_start, index_start + len(frame))
    frame["town"] = frame["name"].str.split().str[-1]
    frame["location_precision"] = "site"
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=settings.CRS_STORAGE
    )


def ids(frame: pd.DataFrame) -> set[str]:
    """Return the site ids in ``frame`` as a set."""
    return set(frame["site_id"])
