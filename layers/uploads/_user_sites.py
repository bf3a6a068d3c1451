"""Reading a user's list of sites, step by step: file, columns, rows, places, problems."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO

import geopandas as gpd

import settings
from layers import postcodes
from layers.uploads._columns import resolve_columns
from layers.uploads._coordinates import POSTCODE
from layers.uploads._duplicates import flag_registry_duplicates
from layers.uploads._place import empty_sites, note_outside_midlands, place, to_sites
from layers.uploads._postcode import place_by_postcode
from layers.uploads._problems import UploadProblem, UploadTable, refused
from layers.uploads._read import read_table
from layers.uploads._rows import ParsedRow, RowParser


def read_user_sites(
    file: str | Path | bytes | IO[bytes] | UploadTable,
    *,
    name: str | None = None,
    column_map: Mapping[str, str | None] | None = None,
    registry: gpd.GeoDataFrame | None = None,
    boundaries_dir: str | Path | None = None,
    postcode_index: postcodes.PostcodeIndex | str | Path | None = None,
) -> tuple[gpd.GeoDataFrame, list[UploadProblem]]:
    """Read a user's list of sites; return the sites that can be shown and every problem.

    Parameters
    ----------
    file
        A path, the file's bytes, a binary file object (such as Streamlit's ``UploadedFile``),
        or a table already read by :func:`read_table`.
    name
        The file's name when ``file`` is bytes or has none; its extension picks the format
        (content decides when it is missing).
    column_map
        Field -> column choices that override :func:`suggest_column_map`; ``None`` or ``""``
        leaves a field unmapped. Fields are the keys of :data:`UPLOAD_FIELDS`.
    registry
        The registry sites; an upload with a registry site's name within
        :data:`DUPLICATE_DISTANCE_M` is flagged. None skips the check.
    boundaries_dir
        The built boundaries (wards for the areas, the UK outline for the UK check).
    postcode_index
        The postcode index (a loaded :class:`layers.postcodes.PostcodeIndex` or its file) for
        rows with a postcode; default the built one (``make data``). Read only when a row has
        a postcode.

    Returns
    -------
    sites, problems
        The kept rows as a GeoDataFrame (EPSG:4326) with the registry's columns, area columns
        and geometry, ``site_id`` ``upload-<row>``; and every problem, file-level ones first.

    Raises
    ------
    FileNotFoundError
        When ``file`` is a path that does not exist.
    BoundaryDataMissingError
        When the boundaries are not built (run ``make data``).
    """
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    table = file if isinstance(file, UploadTable) else read_table(file, name=name)
    problems = list(table.problems)
    if refused(problems):
        return empty_sites(), problems
    mapping, map_problems = resolve_columns(table, column_map)
    problems.extend(map_problems)
    if refused(map_problems):
        return empty_sites(), problems
    left_out = {p.row for p in table.problems if not p.kept}
    parsed: list[ParsedRow] = []
    row_problems: list[UploadProblem] = []
    parser = RowParser(mapping)
    for row, record in table.records:
        if row in left_out:
            continue
        candidate = parser.parse(row, record, row_problems)
        if candidate is not None:
            parsed.append(candidate)
    by_coordinates = [r for r in parsed if r.system != POSTCODE]
    placed = place(by_coordinates, mapping, row_problems, boundaries_dir=boundaries_dir)
    placed += [r for r in parsed if r.system == POSTCODE]
    placed = place_by_postcode(placed, mapping, row_problems, index=postcode_index)
    placed.sort(key=lambda r: r.row)
    if registry is not None and placed:
        flag_registry_duplicates(placed, registry, row_problems, column=mapping.get("name", "name"))
    sites = to_sites(placed, boundaries_dir=boundaries_dir)
    note_outside_midlands(sites, row_problems)
    return sites, sorted(problems + row_problems, key=lambda p: p.row)
