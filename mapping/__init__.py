"""Drawing and exporting: folium maps, legend, local assets and exports built from the layers."""
