"""The Midlands Defence Belt: a corridor computed from the selected sites, never hand-drawn.

Hubs are clusters of the selected sites (:func:`layers.clusters.find_clusters`), each placed at
the mean position of its sites and weighted by how many it holds. The spine joins the hubs by a
minimum spanning tree, pruned of short spurs to light hubs so it reads as a corridor; in roads
mode each link follows the shortest path on a graph of motorways and trunk roads from osmnx. The
belt is the spine buffered by the chosen width, smoothed (a closing: grown, then shrunk, which
fills the notches where links meet) and clipped to the Midlands outline. Every distance is in
metres in EPSG:27700; results are stored in EPSG:4326.

One module per job: ``build`` (the belt and the sites inside it), ``summary`` (the shares a bid
quotes), ``roads`` (the road graph and routing), with the hubs, spine and belt geometry in
private modules.

Command line::

    python -m layers.corridor roads [--out PATH]    # download the road graph (needs network)
"""

from layers.corridor._cli import main
from layers.corridor.build import (
    CORRIDOR_COLUMNS,
    MODES,
    CorridorMode,
    build_corridor,
    sites_in_corridor,
)
from layers.corridor.roads import download_road_graph, load_road_graph
from layers.corridor.summary import CorridorSummary, corridor_summary

__all__ = [
    "CORRIDOR_COLUMNS",
    "MODES",
    "CorridorMode",
    "CorridorSummary",
    "build_corridor",
    "corridor_summary",
    "download_road_graph",
    "load_road_graph",
    "main",
    "sites_in_corridor",
]
