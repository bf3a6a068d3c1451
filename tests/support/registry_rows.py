"""Registry files written by hand for the tests: the required columns and one made-up row.

Tests that need a registry CSV build it from :data:`WALSALL` (changing what they test) and
write it with :func:`write_registry`; nothing here comes from the code under test.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

#: The registry's required columns, in the schema's order.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "site_id",
    "name",
    "organisation",
    "kind",
    "capabilities",
    "lat",
    "lon",
    "location_precision",
    "town",
    "status",
    "description",
    "source_url",
    "last_checked",
)

#: A made-up supplier in Walsall town centre with every required field valid.
WALSALL: dict[str, str] = {
    "site_id": "test-walsall-works",
    "name": "Test Works",
    "organisation": "Test Ltd",
    "kind": "supplier",
    "capabilities": "land_systems",
    "lat": "52.58600",
    "lon": "-1.98200",
    "location_precision": "town",
    "town": "Walsall",
    "status": "active",
    "description": "A made-up row for tests.",
    "source_url": "https://example.org/walsall",
    "last_checked": "2026-11-01",
}


def write_registry(
    path: Path, rows: Sequence[dict[str, str]], columns: Sequence[str] = REQUIRED_COLUMNS
) -> Path:
    """Write ``rows`` under ``columns`` as a UTF-8 CSV.

    A column a row lacks is left empty; a value whose column is not in ``columns`` is left out
    (so a test can drop a column from a whole file).
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
