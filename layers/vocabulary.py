"""The registry's controlled vocabularies (capabilities, kinds of site, location precision).

They are defined once, in the registry's Table Schema (``data/sites/schema.json``), with a label
for each slug; this module reads them from there so the app, the map and the validator agree.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import settings


@cache
def _schema(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return loaded


def schema(path: str | Path = settings.SITES_SCHEMA) -> dict[str, Any]:
    """Return the registry's Table Schema (a shared, read-only dict: do not modify it)."""
    return _schema(str(path))


def _labels(field: str) -> dict[str, str]:
    for spec in schema()["fields"]:
        if spec["name"] == field:
            return dict(spec["enumLabels"])
    raise KeyError(f"the sites schema has no field {field!r}")


#: Capability slug -> label, in the Blueprint's order.
CAPABILITIES: dict[str, str] = _labels("capabilities")
#: Kind-of-site slug -> label.
KINDS: dict[str, str] = _labels("kind")
#: Location precision slug -> label.
PRECISIONS: dict[str, str] = _labels("location_precision")


def capability_label(slug: str) -> str:
    """Return the label of a capability slug (the slug itself when unknown)."""
    return CAPABILITIES.get(slug, slug)


def kind_label(slug: str) -> str:
    """Return the label of a kind-of-site slug (the slug itself when unknown)."""
    return KINDS.get(slug, slug)


def main_capability(capabilities: object) -> str:
    """Return a site's main capability: the first it lists ("" when it lists none).

    ``capabilities`` is a site's list of slugs as the registry holds it (a list, a tuple or a
    numpy array after a Parquet round trip); anything else (None, NaN) lists none. The map's
    marker colour, the legend's counts, the slide and the exports all use this one rule.
    """
    if capabilities is None or isinstance(capabilities, str):
        return ""
    try:
        first = next(iter(capabilities), None)  # type: ignore[call-overload]
    except TypeError:
        return ""
    return "" if first is None else str(first)
