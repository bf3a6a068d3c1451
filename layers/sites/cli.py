"""The sites registry's command line: validate, audit, check against OSM, geocode.

Command line::

    python -m layers.sites validate [PATH]
    python -m layers.sites audit [PATH] [--csv OUT] [--readme]
    python -m layers.sites osm-check [PATH] [--osm FILE] [--csv OUT] [--radius M]
    python -m layers.sites geocode "name, town"
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import settings
from layers import audit, postcodes
from layers._errors import BoundaryDataMissingError
from layers._validate import Problem
from layers.sites import geocode_candidates, load_sites, read_registry_text, validate_sites


def _cmd_validate(path: str | None, boundaries_dir: str) -> int:
    target = path or str(settings.SITES_CSV)
    warnings: list[Problem] = []
    valid, problems = validate_sites(target, boundaries_dir=boundaries_dir, warnings=warnings)
    for warning in warnings:
        print(f"warning: {warning}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{target}: {len(problems)} problem(s); {len(valid)} valid row(s)", file=sys.stderr)
        return 1
    print(f"{target}: {len(valid)} sites, no problems")
    return 0


def _cmd_audit(path: str | None, boundaries_dir: str, out: str | None, readme: bool) -> int:
    target = Path(path or settings.SITES_CSV)
    warnings: list[Problem] = []
    try:
        postcodes.load_index()
    except postcodes.PostcodeIndexMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _, problems = validate_sites(target, boundaries_dir=boundaries_dir, warnings=warnings)
    loaded = None if problems else load_sites(target, boundaries_dir=boundaries_dir)
    report = audit.build_audit(
        read_registry_text(target), problems, warnings, loaded, boundaries_dir=boundaries_dir
    )
    for line in audit.print_lines(report):
        print(line)
    print()
    for line in [*report.summary_lines(), *report.coverage_lines()]:
        print(line)
    written = audit.write_csv(report, out or target.with_name("audit.csv"))
    print(f"audit table written to {written}")
    if readme:
        audit.update_readme(report, target.with_name("README.md"))
        print(f"summary written to {target.with_name('README.md')}")
    return 1 if problems else 0


def _cmd_osm_check(path: str | None, osm: str | None, out: str | None, radius_m: float) -> int:
    from layers import osm_check  # noqa: PLC0415 (only this command needs it)

    target = Path(path or settings.SITES_CSV)
    rows = osm_check.read_rows(target)
    try:
        features = (
            osm_check.read_osm_xml(osm)
            if osm
            else osm_check.fetch_overpass(rows, radius_m=radius_m)
        )
    except osm_check.OsmCheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = osm_check.osm_check(rows, features, radius_m=radius_m)
    source = osm or "Overpass"
    print(f"OpenStreetMap features matching each site within {radius_m / 1000:g} km ({source}):")
    print("\t".join(osm_check.REPORT_COLUMNS))
    for record in report.itertuples(index=False):
        print("\t".join(str(value) for value in record))
    matched = set(report["site_id"])
    for site_id in rows["site_id"]:
        if site_id not in matched:
            print(f"{site_id}: no OpenStreetMap feature of its name within {radius_m / 1000:g} km")
    print(
        "A footprint that holds the point can check it (location_check osm:way/<id>); cite "
        "the feature: OpenStreetMap data, ODbL v1.0."
    )
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        report.to_csv(out, index=False, lineterminator="\n")
        print(f"report written to {out}")
    return 0


def _cmd_geocode(query: str, limit: int) -> int:
    candidates = geocode_candidates(query, limit=limit)
    if not candidates:
        print(f"no candidates for {query!r}")
        return 1
    print(f"candidates for {query!r} (review them; nothing is written to the registry):")
    for rank, found in enumerate(candidates, start=1):
        print(f"{rank}. lat {found['lat']:.5f}, lon {found['lon']:.5f}  {found['display_name']}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """Run the chosen command."""
    if args.command == "validate":
        return _cmd_validate(args.path, args.boundaries)
    if args.command == "audit":
        return _cmd_audit(args.path, args.boundaries, args.csv, args.readme)
    if args.command == "osm-check":
        return _cmd_osm_check(args.path, args.osm, args.csv, args.radius)
    return _cmd_geocode(args.query, args.limit)


def main(argv: list[str] | None = None) -> int:
    """Run the sites command line."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.sites",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check a registry file and list every problem")
    check.add_argument("path", nargs="?", help=f"registry CSV (default {settings.SITES_CSV})")
    check.add_argument(
        "--boundaries",
        default=str(settings.BOUNDARIES_DIR),
        help="built boundaries folder, for the Midlands outline check",
    )
    review = commands.add_parser(
        "audit", help="compare every point with its postcode's and write a review table"
    )
    review.add_argument("path", nargs="?", help=f"registry CSV (default {settings.SITES_CSV})")
    review.add_argument("--boundaries", default=str(settings.BOUNDARIES_DIR))
    review.add_argument("--csv", help="where to write the table (default: audit.csv beside it)")
    review.add_argument(
        "--readme", action="store_true", help="write the summary into the registry README"
    )
    osm = commands.add_parser(
        "osm-check",
        help="list OpenStreetMap features of each site's name near its point "
        "(from an OSM XML file, or Overpass when online)",
    )
    osm.add_argument("path", nargs="?", help=f"registry CSV (default {settings.SITES_CSV})")
    osm.add_argument("--osm", help="an OSM XML file to read instead of asking Overpass")
    osm.add_argument("--csv", help="where to write the report")
    osm.add_argument("--radius", type=float, default=5000.0, help="search radius in metres")
    find = commands.add_parser("geocode", help="look up candidate coordinates (needs network)")
    find.add_argument("query", help='"name, town"')
    find.add_argument("--limit", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _run(args)
    except BoundaryDataMissingError as exc:  # names the layer and says to run make data
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(
            f"error: no registry file at {exc.filename}; give the path of a registry CSV "
            f"(the default is {settings.SITES_CSV})",
            file=sys.stderr,
        )
        return 2
    except RuntimeError as exc:  # the geocoder could not be reached
        print(f"error: {exc}", file=sys.stderr)
        return 2
