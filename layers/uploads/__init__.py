"""Sites a user brings: read a CSV, Excel or GeoJSON list and place it beside the registry.

Files from the real world are messy, so the reader never stops at the first problem and never
drops a row in silence. Every problem is an :class:`UploadProblem` naming its row, field
(the column as the user's file names it) and value, and saying whether the row was kept.

The work is done in steps, one module each:

- ``_read`` (with ``_csv``, ``_xlsx``, ``_geojson`` and ``_table``): the file into rows of
  text. CSV (UTF-8 with or without a byte-order mark, UTF-16 with one, Windows-1252 when a line
  is not UTF-8; delimiter ``,``, ``;`` or tab, sniffed; quoted fields may hold line breaks),
  Excel ``.xlsx`` (the first sheet; its first non-empty row is the header; XML read through
  ``defusedxml``) and GeoJSON (Point features; a ``crs`` naming EPSG:27700 means eastings and
  northings). Row numbers are what a person sees: the spreadsheet row (the CSV header is row 1
  and a cell spanning lines is one row), or the feature's position (1 = first) in GeoJSON.
- ``_columns``: the columns to fields, by name with common aliases (:data:`ALIASES`; case,
  spaces and punctuation ignored): ``latitude``/``lat``, ``Easting``/``Northing``,
  ``Postcode``/``post code``/``zip``, ``organisation``/``company`` and so on.
  :func:`suggest_column_map` gives the mapping, :func:`ambiguous_columns` the fields that more
  than one column could fill, and ``column_map`` lets the user choose.
- ``_rows`` and ``_coordinates``: each row into a site's values and its location as given.
- ``_place``: degrees, swapped pairs, the UK check and the areas
  (:func:`layers.placement.assign_areas`); ``_postcode``: rows placed or checked by postcode;
  ``_duplicates``: registry sites repeated.
- :mod:`~layers.uploads.limits`: the limits, tolerances and defaults.

Location
    A row with lat/lon is placed by them (over eastings/northings). A row with only a postcode
    is placed at its postcode's ONSPD point, precision ``postcode``; a row with both
    coordinates and a postcode is flagged (kept) when they are more than 1 km apart. An unknown
    or malformed postcode is a problem of its row naming the value; when the postcode index is
    not built, a whole-file problem says to run ``make data``.

When a row is left out (``kept=False``)
    Only when it cannot be shown truthfully: it has no usable location (coordinates missing,
    not a number or out of range, and no postcode the index knows), lies outside the UK, has no
    name (nor an organisation to name it by), or holds more cells than the header has columns
    (a field with an unquoted delimiter shifts every column after it). :func:`problems_csv`
    gives these rows back, with a ``problem`` column, so nothing is lost.

When a row is kept with a note (``kept=True``)
    Everything else gets a documented default and a note: a missing or unknown kind becomes
    ``supplier`` (the plain circle marker); unknown capabilities are left out, with the nearest
    known slug suggested; a missing precision is ``site`` (the file's coordinates are taken as
    the site's own); a source that is not an http(s) address is blank (never a link); text over
    the registry's length limits is cut; NUL and control characters are removed; lat and lon
    that are swapped (the UK's latitudes and longitudes never overlap) are swapped back; a site
    outside the Midlands is shown without a Midlands authority; a site with the same name as a
    registry site within 250 m (measured in EPSG:27700) is flagged, never merged.

Whole-file problems
    Problems about the file itself have row 0: empty, unreadable, over a limit
    (:data:`MAX_FILE_BYTES`, :data:`MAX_ROWS`, :data:`MAX_COLUMNS`), no location columns.
    When one of them is an error, no row is read into sites.

Each uploaded site gets ``site_id`` ``upload-<row>``, the registry's columns (those the file
cannot fill are blank) and the same area columns.

Command line::

    python -m layers.uploads FILE [--problems OUT.csv] [--map FIELD=COLUMN ...]
"""

from __future__ import annotations

from layers.uploads import limits
from layers.uploads._cli import main
from layers.uploads._columns import (
    ALIASES,
    GEOMETRY_COLUMNS,
    UPLOAD_FIELDS,
    ambiguous_columns,
    suggest_column_map,
)
from layers.uploads._problems import (
    EXTRA_COLUMN,
    WHOLE_FILE,
    UploadProblem,
    UploadTable,
    problems_csv,
)
from layers.uploads._read import read_table
from layers.uploads._user_sites import read_user_sites

# Copies for reading (the app shows the size limit); to change a limit, set it in ``limits``.
from layers.uploads.limits import (
    DEFAULT_KIND,
    DEFAULT_PRECISION,
    DUPLICATE_DISTANCE_M,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    POSTCODE_MISMATCH_M,
)

__all__ = [
    "ALIASES",
    "DEFAULT_KIND",
    "DEFAULT_PRECISION",
    "DUPLICATE_DISTANCE_M",
    "EXTRA_COLUMN",
    "GEOMETRY_COLUMNS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "POSTCODE_MISMATCH_M",
    "UPLOAD_FIELDS",
    "WHOLE_FILE",
    "UploadProblem",
    "UploadTable",
    "ambiguous_columns",
    "limits",
    "main",
    "problems_csv",
    "read_table",
    "read_user_sites",
    "suggest_column_map",
]
