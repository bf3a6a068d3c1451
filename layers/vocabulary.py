"""The registry's controlled vocabularies (capabilities, kinds of site, location precision).

They are defined once, in the registry's Table Schema (``data/sites/schema.json``), with a label
for each slug; this module reads them from there so the app, the map and the validator agree.
The form of a source address (:func:`is_http_url`) is read from the same schema.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import settings


@cache
def _schema(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return loaded


def schema(path: str | Path | None = None) -> dict[str, Any]:
    """Return the registry's Table Schema (a shared, read-only dict: do not modify it).

    ``path`` defaults to ``settings.SITES_SCHEMA``, read when called.
    """
    return _schema(str(settings.SITES_SCHEMA if path is None else path))


def _field(name: str) -> dict[str, Any]:
    for spec in schema()["fields"]:
        if spec["name"] == name:
            found: dict[str, Any] = spec
            return found
    raise KeyError(f"the sites schema has no field {name!r}")


def _labels(field: str) -> dict[str, str]:
    return dict(_field(field)["enumLabels"])


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


def capability_lists(values: Iterable[object]) -> list[list[str]]:
    """Return each site's capabilities as a list of distinct slugs, in the order listed.

    This is the one cell rule, which :func:`capability_counts` counts by. A site's
    capabilities may come as a list, a tuple or a numpy array (after a Parquet round trip) or as
    ``;``-separated text (a CSV cell); every text item is split at ``;`` and stripped, empty
    items and anything not text (None, NaN, numbers) are dropped, and a slug listed twice is
    kept once.
    """
    return [list(dict.fromkeys(_cell_slugs(value))) for value in values]


#: The types of a slug: numpy arrays of text hold ``numpy.str_``.
_TEXT_TYPES = (str, np.str_)


def _cell_slugs(value: object) -> list[str]:
    if isinstance(value, str):
        items: Iterable[object] = (value,)
    elif isinstance(value, list | tuple | np.ndarray):
        items = value
    else:
        return []
    return [
        slug.strip()
        for item in items
        if type(item) in _TEXT_TYPES
        for slug in str(item).split(";")
        if slug.strip()
    ]


def site_capabilities(values: Iterable[object]) -> pd.Series:
    """Return one row per site and capability it lists: the slug, indexed by the site's position.

    Each value is one site's capabilities, read by the rule of :func:`capability_lists` (``;``
    text split, items stripped, anything not text dropped, a slug listed twice by one site
    kept once); the index is the value's position (0, 1, ...). Column-wise: a hundred thousand
    sites take a fraction of a second. :func:`capability_counts` and the areas' capability table
    count from it.
    """
    positions, codes, names = _distinct_pairs(values)
    return pd.Series(names[codes], index=positions, dtype=object, name="capability")


def _distinct_pairs(values: Iterable[object]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (site position, slug code) pairs, each once, in site order, and the slugs."""
    slugs = pd.Series(list(values), dtype=object).explode()
    slugs = slugs[slugs.map(type).isin(_TEXT_TYPES)].astype(str)  # drops None, NaN, numbers
    written = slugs.str.contains(";", regex=False)
    if written.any():  # cells from a CSV: split them; listed slugs are already one per row
        slugs = pd.concat([slugs[~written], slugs[written].str.split(";").explode()])
    slugs = slugs.str.strip()
    slugs = slugs[slugs != ""]
    codes, names = pd.factorize(slugs, sort=False)
    keys = slugs.index.to_numpy(dtype=np.int64) * max(len(names), 1) + codes
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    kept = order[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else order
    names_array = np.asarray(names, dtype=object)
    return slugs.index.to_numpy(dtype=np.int64)[kept], codes[kept], names_array


def capability_counts(values: Iterable[object]) -> Counter[str]:
    """Return how many sites list each capability: the one count every caller uses.

    Each value is one site's capabilities, read by the rule of :func:`capability_lists`
    (``;`` text split, items stripped, anything not text dropped, a slug listed twice by one
    site counted once). Slugs no site lists are absent from the counter.
    """
    _, codes, names = _distinct_pairs(values)
    counts = np.bincount(codes, minlength=len(names))
    return Counter({str(name): int(n) for name, n in zip(names, counts, strict=True) if n})


def in_vocabulary_order(slugs: Iterable[str], known: dict[str, str]) -> list[str]:
    """Return the distinct ``slugs`` in the order of ``known``; unknown ones last, A to Z."""
    rank = {slug: position for position, slug in enumerate(known)}
    return sorted(set(slugs), key=lambda slug: (rank.get(slug, len(rank)), slug))


# Characters that end a quoted HTML attribute or open a tag: never part of a link we write
# (RFC 3986 has no place for them either; a real address percent-encodes them).
_MARKUP_CHARACTERS = frozenset("\"'<>")


@cache
def _source_url_form() -> re.Pattern[str]:
    # Addresses are compared case-insensitively: "HTTPS://" is the same scheme as "https://".
    return re.compile(_field("source_url")["constraints"]["pattern"], re.IGNORECASE)


def is_http_url(value: object) -> bool:
    """Say whether ``value`` is an http(s) address a page may link to.

    The form is the registry schema's ``source_url`` pattern (``http://`` or ``https://`` and
    no white space), which the registry's validator checks too, and no quote or angle bracket,
    which HTML would read as markup. The upload reader and the popups ask this one question.
    """
    if not isinstance(value, str):
        return False
    return bool(_source_url_form().fullmatch(value)) and _MARKUP_CHARACTERS.isdisjoint(value)
