"""The uploads command line: check a file, list its problems, write the rows to fix."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import settings
from layers.uploads._columns import UPLOAD_FIELDS
from layers.uploads._problems import WHOLE_FILE, kept, problems_csv, refused
from layers.uploads._read import read_table
from layers.uploads._user_sites import read_user_sites


def main(argv: list[str] | None = None) -> int:
    """Check an upload from the command line: list its problems, optionally write the CSV."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.uploads",
        description="Read a CSV, .xlsx or GeoJSON list of sites and list every problem.",
    )
    parser.add_argument("file", help="the file to check")
    parser.add_argument("--problems", help="write the rows left out to this CSV")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help=f"choose the column of a field ({', '.join(UPLOAD_FIELDS)})",
    )
    parser.add_argument("--boundaries", default=str(settings.BOUNDARIES_DIR))
    parser.add_argument("--postcodes", help="the postcode index (default: the built one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    column_map: dict[str, str | None] = {}
    for item in args.map:
        field_name, _, column = item.partition("=")
        column_map[field_name.strip()] = column
    table = read_table(args.file)
    sites, problems = read_user_sites(
        table,
        column_map=column_map,
        boundaries_dir=args.boundaries,
        postcode_index=args.postcodes,
    )
    for problem in problems:
        print(("note  " if kept(problem) else "error ") + str(problem))
    left_out = {p.row for p in problems if not kept(p) and p.row != WHOLE_FILE}
    print(f"{args.file}: {len(sites)} site(s) kept, {len(left_out)} row(s) left out")
    if args.problems:
        Path(args.problems).write_bytes(problems_csv(table, problems))
        print(f"rows left out written to {args.problems}")
    return 1 if refused(problems) or left_out else 0
