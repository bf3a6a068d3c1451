"""The corridor's command line: download the strategic road graph for roads mode."""

from __future__ import annotations

import argparse
import logging
import sys

import settings
from layers.corridor.roads import download_road_graph, load_road_graph

_DESCRIPTION = """\
The Midlands Defence Belt's road graph for roads mode (motorways and trunk roads from
OpenStreetMap, through osmnx).

    python -m layers.corridor roads [--out PATH]    # download the road graph (needs network)
"""


def main(argv: list[str] | None = None) -> int:
    """Run the corridor command line."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.corridor",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    roads = commands.add_parser("roads", help="download the strategic road graph (needs network)")
    roads.add_argument("--out", default=str(settings.ROAD_GRAPH_PATH), help="GraphML file to write")
    roads.add_argument(
        "--boundaries",
        default=str(settings.BOUNDARIES_DIR),
        help="the built boundaries folder (for the Midlands outline)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        written = download_road_graph(args.out, boundaries_dir=args.boundaries)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    graph = load_road_graph(written)
    edges = graph.number_of_edges() // 2 if graph is not None else 0
    print(f"wrote {written} ({edges} motorway and trunk road links)")
    return 0
