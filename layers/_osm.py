"""osmnx set-up and the calls that need OpenStreetMap services (Nominatim, Overpass).

osmnx is configured once here (cache folder, user agent, timeouts). Nothing here touches the
network at import time; every network call is made only when a function is called.
"""

from __future__ import annotations

from typing import Any

import osmnx as ox

import settings

ox.settings.use_cache = True
ox.settings.cache_folder = str(settings.ROOT / "data" / "cache" / "osmnx")
ox.settings.http_user_agent = "midlands-defence-map/0.1 (registry maintenance)"
ox.settings.requests_timeout = 30
ox.settings.log_console = False


def geocode_candidates(query: str, *, limit: int = 5) -> list[dict[str, Any]]:
    """Return up to ``limit`` Nominatim candidates with lat, lon and display name."""
    candidates: list[dict[str, Any]] = []
    for rank in range(1, limit + 1):
        try:
            found = ox.geocode_to_gdf(query, which_result=rank)
        except (ValueError, TypeError):
            break  # fewer results than asked for
        except Exception as exc:  # osmnx surfaces many network error types
            raise RuntimeError(
                f"the geocoder could not be reached ({exc.__class__.__name__}: {exc}); "
                "geocoding needs the internet"
            ) from exc
        row = found.iloc[0]
        point = row.geometry.representative_point()
        candidates.append(
            {"lat": point.y, "lon": point.x, "display_name": str(row.get("display_name", ""))}
        )
    return candidates
