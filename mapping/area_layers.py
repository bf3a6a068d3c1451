"""The boundary layers every map draws, with their names and the site column each one counts.

A leaf module (it imports nothing of the project), so the live map's base and the folium
page read the one table without importing each other.
"""

from __future__ import annotations

#: Boundary layer -> (label in the layer control and legend, site column holding its code).
AREA_LAYERS: dict[str, tuple[str, str]] = {
    "combined_authorities": ("Combined authorities", "ca_code"),
    "counties": ("Counties and unitary authorities", "county_code"),
    "lads": ("Districts (LADs)", "lad_code"),
    "wards": ("Wards", "ward_code"),
}
