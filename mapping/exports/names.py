"""File names that say what an export holds: the selection and the date, never ``sites.csv``.

``land-systems_telford-and-wrekin_2026-12-06.geojson``: capabilities, kinds and areas (by
name), the search text, then the day the file was made, so repeated downloads of different
views never overwrite each other.
"""

from __future__ import annotations

import re
import unicodedata

from layers.selection import Selection

#: The longest a file name's selection part may be (most file systems allow 255 bytes).
MAX_SELECTION_CHARS: int = 80
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Return ``text`` as lower-case ASCII words joined by hyphens.

    >>> slug("Telford and Wrekin")
    'telford-and-wrekin'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_WORD.sub("-", ascii_text.casefold()).strip("-")


def selection_stem(selection: Selection) -> str:
    """Return a file name's stem for ``selection``, without the extension.

    The parts are joined by ``_``: capabilities, kinds, areas and the search text (each
    part's values by ``+``), or ``all-sites`` when the filter chooses none, then the date.
    A long selection is cut at a whole part and marked ``more``.
    """
    criteria = selection.criteria
    parts = [
        "+".join(slug(c) for c in criteria.capabilities),
        "+".join(slug(k) for k in criteria.kinds),
        "+".join(slug(criteria.area_name(a)) for a in criteria.areas),
        slug(criteria.text),
        "in-belt" if criteria.in_belt else "",
    ]
    named = [part for part in parts if part]
    kept: list[str] = []
    for part in named:
        if len("_".join([*kept, part])) > MAX_SELECTION_CHARS:
            kept.append("more")
            break
        kept.append(part)
    if not kept:
        kept = ["all-sites"]
    elif len(kept[0]) > MAX_SELECTION_CHARS:
        kept = [kept[0][:MAX_SELECTION_CHARS].rstrip("-+")]
    day = selection.created.date().isoformat()
    return "_".join([*kept, day])


def file_name(selection: Selection, extension: str, *, layer: str = "") -> str:
    """Return the file name of an export: ``<selection>_<date>[_<layer>].<extension>``."""
    stem = selection_stem(selection)
    return f"{stem}_{layer}.{extension}" if layer else f"{stem}.{extension}"
