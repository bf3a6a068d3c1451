"""Drawing and exporting: folium maps, legend, local assets and exports built from the layers."""

from mapping.sitemap import build_map

__all__ = ["build_map"]
