"""Popup and tooltip HTML for sites and areas, with every string from data escaped.

Nothing from the registry or an upload becomes markup: text goes through ``html.escape`` and a
link is written only for an http(s) URL (:func:`layers.vocabulary.is_http_url`), escaped as an
attribute.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from layers import timeline, vocabulary

_MAX_TEXT = 600
#: Where an approximate point is placed, by location precision (the rest of the sentence is
#: :data:`_NOT_PUBLISHED`).
PLACED_AT: dict[str, str] = {
    "town": "Placed at the town centre",
    "street": "Placed on the street, campus or business park",
}
_NOT_PUBLISHED = "the works' address is not published in a source we cite"
_LITERAL_ENTITIES = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)


def plain_text(value: object) -> str:
    """Return ``value`` as text a reader sees as it is: one line, nothing hidden.

    White space of every kind (newlines, tabs, non-breaking and other Unicode spaces) becomes a
    plain space, so the words on either side stay apart. Other characters that print nothing
    (NUL and control characters, zero-width and bidirectional controls) are dropped, so they
    cannot reorder or hide what a reader sees. Nothing is escaped: see :func:`text` for HTML.
    """
    raw = "" if value is None else str(value)
    return "".join(" " if ch.isspace() else ch for ch in raw if ch.isprintable() or ch.isspace())


def text(value: object, *, limit: int = _MAX_TEXT) -> str:
    """Return ``value`` as escaped HTML text (:func:`plain_text`), cut to ``limit`` characters."""
    raw = plain_text(value)
    if len(raw) > limit:
        raw = raw[: limit - 1] + "…"
    return _literal_safe(html.escape(raw, quote=True))


def _literal_safe(escaped: str) -> str:
    """Replace the characters that act in folium's templates with HTML entities.

    folium writes popup HTML into JavaScript `...` literals, where a backtick ends the string,
    ``${`` runs code and a backslash escapes, and branca compiles it as a Jinja template, where
    ``{{ }}`` and ``{% %}`` run; as entities these characters still show as themselves.
    """
    return escaped.translate(_LITERAL_ENTITIES)


def placement_note(precision: object) -> str:
    """Return the sentence that says a point is approximate, or "" for a point of the site.

    The site card, the popups of every map and the legend's explanation use this sentence, so
    a reader is told the same thing wherever a ``town`` or ``street`` point is shown.

    >>> placement_note("town")
    "Placed at the town centre: the works' address is not published in a source we cite"
    >>> placement_note("site")
    ''
    """
    placed = PLACED_AT.get(str(precision or ""))
    return f"{placed}: {_NOT_PUBLISHED}" if placed else ""


def approximate_label(precision: object) -> str:
    """Return the legend's words for an approximate point ("approximate location: town")."""
    return f"approximate location: {precision}" if str(precision) in PLACED_AT else ""


def safe_link(url: object, label: str) -> str:
    """Return an escaped link to ``url`` when it is http(s); otherwise the escaped URL as text."""
    raw = "" if url is None else str(url).strip()
    if not vocabulary.is_http_url(raw):
        return text(raw) if raw else ""
    return (
        f'<a href="{_literal_safe(html.escape(raw, quote=True))}" target="_blank" '
        f'rel="noopener noreferrer">{text(label)}</a>'
    )


def site_popup(site: Mapping[str, Any]) -> str:
    """Return the popup HTML of one site: every field escaped, the source as a safe link."""
    capabilities = site.get("capabilities") or []
    caps = "".join(f"<li>{text(vocabulary.capability_label(c))}</li>" for c in capabilities)
    authority = " · ".join(
        text(site.get(column))
        for column in ("lad_name", "county_name", "ca_name")
        if site.get(column)
        and (column != "county_name" or site.get("county_name") != site.get("lad_name"))
    )
    precision = vocabulary.PRECISIONS.get(
        str(site.get("location_precision")), str(site.get("location_precision", ""))
    )
    status = timeline.status_text(
        str(site.get("status") or ""), str(site.get("opened") or ""), str(site.get("closes") or "")
    )
    rows = [
        ("Organisation", text(site.get("organisation"))),
        ("Kind", text(vocabulary.kind_label(str(site.get("kind", ""))))),
        ("Status", text(status)),
        ("Town", text(site.get("town"))),
        ("Postcode", text(site.get("postcode"))),
        ("Authority", authority),
        ("Location", text(placement_note(site.get("location_precision")) or precision)),
        (
            "Source",
            safe_link(site.get("source_url"), "public source")
            + (f" (checked {text(site.get('last_checked'))})" if site.get("last_checked") else ""),
        ),
    ]
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows if value)
    return (
        '<div class="mdm-popup">'
        f"<h4>{text(site.get('name'))}</h4>"
        f"<p>{text(site.get('description'))}</p>"
        f"<table>{body}</table>"
        f'<div class="mdm-caps"><b>Capabilities</b><ul>{caps}</ul></div>'
        "</div>"
    )


def site_tooltip(site: Mapping[str, Any]) -> str:
    """Return the hover text of one site (escaped): its name, organisation and any closure."""
    name, organisation = site.get("name"), site.get("organisation")
    shown = text(name, limit=120)
    if organisation and organisation != name:
        shown += f" · {text(organisation, limit=80)}"
    if site.get("status") in ("closing", "closed", "planned"):
        status = timeline.status_text(
            str(site["status"]), str(site.get("opened") or ""), str(site.get("closes") or "")
        )
        shown += f" · {text(status)}"
    return shown
