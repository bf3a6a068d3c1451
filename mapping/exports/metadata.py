"""What every data export says about itself.

:func:`mapping.credits.export_metadata`, plus the chosen areas by name with their codes
and whether planned sites are kept.
"""

from __future__ import annotations

from typing import Any

from layers.selection import Selection
from mapping.credits import export_metadata


def selection_metadata(selection: Selection) -> dict[str, Any]:
    """Return the export metadata of ``selection``.

    Beside the credits' fields: ``areas`` lists each chosen area as ``{"code", "name"}``
    (empty when no area is chosen), and ``planned_sites`` says whether planned sites are
    kept (each site's ``status`` says which ones are planned).
    """
    metadata = export_metadata(selection)
    metadata.setdefault("areas", selection.criteria.named_areas())
    metadata.setdefault("planned_sites", "kept" if selection.criteria.planned else "left out")
    return metadata
