"""The selection every export is made from: re-exported from :mod:`layers.selection`.

A selection and its Defence Belt are geography, computed in ``layers``; the exports, the bid
pack and the slides import them from here as before.
"""

from layers.selection import (
    CorridorUnavailableError,
    Selection,
    belt_mode,
    belt_width_km,
    compute_corridor,
    ensure_corridor,
    make_selection,
)

__all__ = [
    "CorridorUnavailableError",
    "Selection",
    "belt_mode",
    "belt_width_km",
    "compute_corridor",
    "ensure_corridor",
    "make_selection",
]
