"""Exports of exactly what the filters select, and the command line that writes them.

Every export is made from one :class:`layers.selection.Selection` and records its provenance
(:mod:`mapping.credits`) in the way its format allows. The formats live one to a module:
:mod:`mapping.exports.geojson`, :mod:`~mapping.exports.geopackage`, :mod:`~mapping.exports.kml`,
:mod:`~mapping.exports.csv_table`, :mod:`mapping.standalone` (the offline map),
:mod:`mapping.slides` and :mod:`mapping.bidpack`. This module is only the command line: import
a format's functions from its own module.

Command line::

    python -m mapping.export --format {geojson,gpkg,kml,csv,html,png,pdf,bidpack,embed}
        [--capability SLUG]... [--kind KIND]... [--area CODE_OR_NAME]... [--text TEXT]
        [--in-belt] [--as-of YEAR] [--no-planned] [--width-km N] [--title TEXT]
        [--sites PATH] [--boundaries DIR] -o PATH

Without ``--as-of`` the sites are counted for this year, as the app counts them; planned sites
are kept (each with its ``status``) unless ``--no-planned``. The registry's warnings are for
``python -m layers.sites validate`` and ``audit``: an export prints only errors.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

import settings
from layers import areas, boundaries, filters, timeline
from layers._errors import BoundaryDataMissingError, SiteValidationError
from layers.filters import SiteFilter
from layers.selection import CorridorUnavailableError, Selection, make_selection
from mapping import bidpack, embed, slides, standalone
from mapping.exports.csv_table import write_csv
from mapping.exports.geojson import write_geojson
from mapping.exports.geopackage import write_gpkg
from mapping.exports.kml import write_kml
from mapping.exports.tables import LAYER_NAMES

_GSS_CODE = re.compile(r"[EWSN]\d{8}")
#: The formats the command line writes.
FORMATS: tuple[str, ...] = (
    "geojson",
    "gpkg",
    "kml",
    "csv",
    "html",
    "png",
    "pdf",
    "bidpack",
    "embed",
)


def known_area_codes(sites: pd.DataFrame, *, boundaries_dir: str | Path | None = None) -> set[str]:
    """Return every GSS code an area filter may name: Midlands LADs and the areas above them."""
    codes: set[str] = set()
    for column in filters.AREA_CODE_COLUMNS:
        if column in sites.columns:
            codes.update(sites[column].dropna().astype(str))
    directory = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    try:
        lads = boundaries.load_layer("lads", directory=directory)
    except BoundaryDataMissingError:
        lads = pd.DataFrame()
    for column in ("code", "county_code", "ca_code", "region_code"):
        if column in lads.columns:
            codes.update(lads[column].dropna().astype(str))
    return codes - {""}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mapping.export",
        description="Export the sites the filters select, with their provenance.",
        epilog="Filters combine as in the app: OR within a repeated option, AND between them.",
    )
    parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    parser.add_argument("--capability", action="append", default=[], metavar="SLUG")
    parser.add_argument("--kind", action="append", default=[], metavar="KIND")
    parser.add_argument(
        "--area",
        action="append",
        default=[],
        metavar="AREA",
        help="a GSS code or an area's name, any case (e.g. E06000051 or 'shropshire')",
    )
    parser.add_argument("--text", default="", help="search name, organisation and description")
    parser.add_argument("--in-belt", action="store_true", help="only sites inside the belt")
    parser.add_argument(
        "--as-of",
        type=int,
        default=timeline.default_year(),
        metavar="YEAR",
        help="only sites open in that year, as the app counts them (default this year, "
        f"{timeline.default_year()})",
    )
    parser.add_argument(
        "--no-planned",
        dest="planned",
        action="store_false",
        help="leave out planned sites (by default they are kept, with status 'planned')",
    )
    parser.add_argument(
        "--width-km",
        type=float,
        default=settings.CORRIDOR_WIDTH_KM,
        help="the Defence Belt's width (km)",
    )
    parser.add_argument(
        "--mode",
        choices=("straight", "roads"),
        default="straight",
        help="how the belt's hubs are joined (roads needs the cached road graph)",
    )
    parser.add_argument(
        "--corridor",
        action="store_true",
        help="also compute and export the Defence Belt (the bid pack always has it)",
    )
    parser.add_argument(
        "--layer",
        choices=LAYER_NAMES,
        default="sites",
        help="the layer a GeoJSON file holds (default sites)",
    )
    parser.add_argument(
        "--area-level",
        choices=list(areas.LEVELS),
        default="county",
        help="the authority level of the areas layer (default county)",
    )
    parser.add_argument("--dpi", type=int, default=None, help="PNG resolution (e.g. 300)")
    parser.add_argument("--title", default="", help="title of the map, slide or pack")
    parser.add_argument(
        "--sites", default=None, help=f"registry CSV (default {settings.SITES_CSV})"
    )
    parser.add_argument("--boundaries", default=str(settings.BOUNDARIES_DIR), metavar="DIR")
    parser.add_argument("-o", "--output", required=True, metavar="PATH")
    return parser


def area_codes(asked: list[str], sites: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Return the GSS codes ``asked`` names (codes or area names, any case) and the problems.

    A name no area has is a problem that suggests the names starting like it.
    """
    lookup = filters.area_lookup(sites)
    codes, problems = [], []
    for item in asked:
        text = item.strip()
        if _GSS_CODE.fullmatch(text.upper()):
            codes.append(text.upper())
            continue
        found = lookup.get(text.casefold())
        if found:
            codes.append(found[0])
            continue
        close = sorted(name for name in lookup if name.startswith(text.casefold()[:4]))[:5]
        hint = (
            "; did you mean " + ", ".join(f"{lookup[n][1]!r} ({lookup[n][0]})" for n in close)
            if close
            else "; give a GSS code or the name of a Midlands district, county, unitary "
            "or combined authority, or region"
        )
        problems.append(f"no area is called {text!r}{hint}")
    return codes, problems


def _criteria(args: argparse.Namespace, codes: list[str]) -> SiteFilter:
    return SiteFilter(
        capabilities=tuple(args.capability),
        kinds=tuple(args.kind),
        areas=tuple(codes),
        text=args.text,
        in_belt=args.in_belt,
        as_of=args.as_of,
        planned=args.planned,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the export command line; return the exit status (0 done, 1 data, 2 usage)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with _registry_warnings_silenced():
        return _export(args)


@contextmanager
def _registry_warnings_silenced() -> Iterator[None]:
    """Log only the registry's errors while exporting, then give its logger back its level.

    The registry's warnings (rows to look at again) are for ``validate`` and ``audit``; a
    caller that runs :func:`main` in its own process still gets them afterwards.
    """
    registry_logger = logging.getLogger("layers.sites")
    level = registry_logger.level
    registry_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        registry_logger.setLevel(level)


def _export(args: argparse.Namespace) -> int:
    from layers.sites import load_sites  # noqa: PLC0415 (keeps --help fast)

    try:
        registry = load_sites(args.sites, boundaries_dir=args.boundaries)
    except (SiteValidationError, BoundaryDataMissingError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    codes, problems = area_codes(args.area, registry)
    criteria = filters.with_area_names(_criteria(args, codes), registry)
    problems += filters.filter_problems(
        criteria, known_areas=known_area_codes(registry, boundaries_dir=args.boundaries)
    )
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("nothing was written; fix the options above and run again", file=sys.stderr)
        return 2
    try:
        selection = make_selection(
            registry,
            criteria,
            boundaries_dir=args.boundaries,
            sites_path=args.sites,
            with_corridor=args.corridor or args.fmt == "bidpack",
            width_km=args.width_km,
            mode=args.mode,
            area_level=args.area_level,
        )
    except CorridorUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    written = _writers(args)[args.fmt](selection, Path(args.output))
    for path in written:
        print(f"wrote {path}")
    print(f"{len(selection.sites)} site(s): {criteria.describe()}; data {selection.data_version}")
    return 0


def _writers(args: argparse.Namespace) -> dict[str, Callable[[Selection, Path], list[Path]]]:
    title = args.title or None

    def pack(selection: Selection, path: Path) -> list[Path]:
        bidpack.build_bid_pack(selection, path=path, title=title)
        return [path]

    return {
        "geojson": lambda s, p: [write_geojson(s, p, layer=args.layer)],
        "gpkg": lambda s, p: [write_gpkg(s, p)],
        "kml": lambda s, p: [write_kml(s, p)],
        "csv": write_csv,
        "html": lambda s, p: [standalone.write_standalone_html(s, p, title=title)],
        "png": lambda s, p: [slides.write_slide(s, p, dpi=args.dpi, title=title)],
        "pdf": lambda s, p: [slides.write_slide(s, p, dpi=args.dpi, title=title)],
        "bidpack": pack,
        "embed": lambda s, p: embed.write_embed(s, p, title=title),
    }


if __name__ == "__main__":
    sys.exit(main())
