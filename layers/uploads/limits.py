"""The upload reader's limits, tolerances and defaults, in one place.

They are read when used (``limits.MAX_ROWS``), never copied at import, so a test or a deployment
can change one here and every step sees it.
"""

from __future__ import annotations

#: Upload limits: larger files are refused as a whole, with a message saying what to do.
MAX_FILE_BYTES: int = 25 * 1024 * 1024
MAX_ROWS: int = 200_000
MAX_COLUMNS: int = 200
#: An .xlsx is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES: int = 400 * 1024 * 1024
#: A site with a registry site's name closer than this (metres, EPSG:27700) is flagged.
DUPLICATE_DISTANCE_M: float = 250.0
#: A row whose coordinates are farther than this from its postcode's point is flagged (metres).
POSTCODE_MISMATCH_M: float = 1000.0
#: How far outside the UK's (generalised) coast a point may lie and still count as in the UK.
UK_TOLERANCE_M: float = 5000.0
#: The UK's bounding box (lon/lat), used only when the UK outline is not built.
UK_BOUNDS: tuple[float, float, float, float] = (-8.75, 49.8, 1.8, 60.9)
#: British National Grid extent (metres).
BNG_BOUNDS: tuple[float, float, float, float] = (0.0, 0.0, 700_000.0, 1_300_000.0)
#: Defaults for fields a row leaves empty (each use is noted).
DEFAULT_KIND: str = "supplier"
DEFAULT_PRECISION: str = "site"
#: The precision of a site placed from its postcode (the registry's vocabulary has it).
POSTCODE_PRECISION: str = "postcode"
