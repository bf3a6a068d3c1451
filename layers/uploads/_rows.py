"""Parsing an upload's rows into a site's values: text, vocabulary, source, date, location."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from layers import vocabulary
from layers._validate import _check_date, _check_string
from layers.uploads import limits
from layers.uploads._coordinates import CoordinateReader, Report
from layers.uploads._problems import UploadProblem, shown, site_id
from layers.uploads._table import CONTROL, single_spaced

_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


@dataclass
class ParsedRow:
    """One row's site values and its location as given (placed later, all rows at once)."""

    row: int
    values: dict[str, Any]
    system: str  # see layers.uploads._coordinates: "wgs84", "bng" or "postcode"
    x: float
    y: float
    postcode: str = ""  # as written in the file (tidied), "" when none


class RowParser:
    """Turn one record into a site's values, reporting every problem of the row."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = mapping
        self.today = date.today()
        self.kinds = _lookup(vocabulary.KINDS)
        self.capabilities = _lookup(vocabulary.CAPABILITIES)
        self.precisions = _lookup(vocabulary.PRECISIONS)
        self.location = CoordinateReader(mapping)
        self.limits = {
            spec["name"]: int(spec["constraints"]["maxLength"])
            for spec in vocabulary.schema()["fields"]
            if "maxLength" in spec.get("constraints", {})
        }
        self.memo: dict[tuple[str, str], tuple[Any, list[tuple[str, str]]]] = {}

    def column(self, field_name: str) -> str:
        """Return the file's name for a field's column (the field's own name when unmapped)."""
        return self.mapping.get(field_name, field_name)

    def parse(
        self, row: int, record: Mapping[str, str], problems: list[UploadProblem]
    ) -> ParsedRow | None:
        """Return the row's site values, or None when the row is left out."""
        found: list[UploadProblem] = []

        def report(field_name: str, value: str, message: str, *, kept: bool = True) -> None:
            found.append(
                UploadProblem(
                    row, site_id(row), self.column(field_name), shown(value), message, kept
                )
            )

        def cell(field_name: str) -> str:
            column = self.mapping.get(field_name)
            return (record.get(column) or "") if column else ""

        values: dict[str, Any] = {}
        for field_name in ("name", "organisation", "town", "description"):
            values[field_name] = self.text(field_name, cell(field_name), report)
        if not values["name"]:
            if values["organisation"]:
                values["name"] = values["organisation"]
                if "name" in self.mapping:
                    report("name", "", "is empty; the organisation is used as the name")
            else:
                report(
                    "name",
                    "",
                    "is empty, and so is the organisation; give the site a name",
                    kept=False,
                )
        for field_name in ("kind", "capabilities", "location_precision"):
            values[field_name] = self.vocabulary_value(field_name, cell(field_name), report)
        values["source_url"] = self.source(cell("source_url"), report)
        values["last_checked"] = self.checked(cell("last_checked"), report)
        values["location_source"] = ""
        postcode = single_spaced(cell("postcode"))
        values["postcode"] = ""  # set when the index knows it
        position = self.location.read(cell, report)
        problems.extend(found)
        if position is None or any(not p.kept for p in found):
            return None
        system, x, y = position
        return ParsedRow(row=row, values=values, system=system, x=x, y=y, postcode=postcode)

    def text(self, field_name: str, raw: str, report: Report) -> str:
        """Return a text cell tidied: no control characters, single spaces, within limits."""
        cleaned = raw.strip()
        if cleaned and not cleaned.isprintable():
            if "\x00" in cleaned or CONTROL.search(cleaned):
                report(
                    field_name,
                    cleaned.replace("\x00", "\\0"),
                    "contains NUL or control characters; they were removed",
                )
            cleaned = CONTROL.sub(" ", cleaned)
        cleaned = " ".join(cleaned.split())
        limit = self.limits.get(field_name)
        if limit and len(cleaned) > limit:
            report(
                field_name,
                cleaned,
                f"is {len(cleaned):,} characters long; it was cut to the registry's limit "
                f"of {limit}",
            )
            cleaned = cleaned[: limit - 1] + "…"
        return cleaned

    def vocabulary_value(self, field_name: str, raw: str, report: Report) -> Any:
        """Resolve a kind, capabilities or precision cell (memoised: files repeat them)."""
        key = (field_name, raw)
        if key not in self.memo:
            resolve = {
                "kind": self.resolve_kind,
                "capabilities": self.resolve_capabilities,
                "location_precision": self.resolve_precision,
            }[field_name]
            self.memo[key] = resolve(raw)
        value, notes = self.memo[key]
        for value_shown, message in notes:
            report(field_name, value_shown, message)
        return list(value) if isinstance(value, list) else value

    def resolve_kind(self, raw: str) -> tuple[str, list[tuple[str, str]]]:
        """Return a kind's slug (the default when empty or unknown) and notes."""
        default = limits.DEFAULT_KIND
        cleaned = " ".join(raw.split())
        if not cleaned:
            empty = "kind" in self.mapping
            return default, ([("", f"is empty; the site is shown as {default!r}")] if empty else [])
        slug = self.kinds.get(_token(cleaned))
        if slug:
            return slug, []
        hint = _vocabulary_hint("kind", _token(cleaned), vocabulary.KINDS)
        return default, [(cleaned, f"{hint}; the site is shown as {default!r}")]

    def resolve_capabilities(self, raw: str) -> tuple[list[str], list[tuple[str, str]]]:
        """Return the capabilities' slugs (separated by ; | or ,) and notes on unknown ones."""
        found: list[str] = []
        unknown: list[str] = []
        pieces = (" ".join(p.split()) for p in re.split(r"[;|\n]", raw))
        for piece in filter(None, pieces):
            slug = self.capabilities.get(_token(piece))
            if slug:
                found.append(slug)
                continue
            for part in filter(None, (p.strip() for p in piece.split(","))):
                slug = self.capabilities.get(_token(part))
                if slug:
                    found.append(slug)
                else:
                    unknown.append(part)
        notes = [
            (
                item,
                f"{_vocabulary_hint('capabilities', _token(item), vocabulary.CAPABILITIES)}; "
                "it was left out of this site's capabilities",
            )
            for item in dict.fromkeys(unknown)
        ]
        if not found and raw.strip() and not unknown:
            notes.append((raw, "lists no capability"))
        return list(dict.fromkeys(found)), notes

    def resolve_precision(self, raw: str) -> tuple[str, list[tuple[str, str]]]:
        """Return a precision's slug (the default when empty or unknown) and notes."""
        default = limits.DEFAULT_PRECISION
        cleaned = " ".join(raw.split())
        if not cleaned:
            empty = "location_precision" in self.mapping
            message = f"is empty; the coordinates are taken as the site itself ({default!r})"
            return default, ([("", message)] if empty else [])
        slug = self.precisions.get(_token(cleaned))
        if slug:
            return slug, []
        hint = _vocabulary_hint("location_precision", _token(cleaned), vocabulary.PRECISIONS)
        return default, [(cleaned, f"{hint}; taken as {default!r}")]

    def source(self, raw: str, report: Report) -> str:
        """Return an http(s) source address, or blank (reported) for anything else."""
        cleaned = raw.strip()
        if not cleaned:
            return ""
        if vocabulary.is_http_url(cleaned) and len(cleaned) <= self.limits.get("source_url", 500):
            return cleaned
        report(
            "source_url",
            cleaned,
            "is not an http(s) address (of at most 500 characters), so it is not linked; "
            "it was left blank",
        )
        return ""

    def checked(self, raw: str, report: Report) -> str:
        """Return a last-checked date as ISO text, or blank (reported) when it is not one."""
        cleaned = raw.strip()
        if not cleaned:
            return ""
        messages: list[tuple[str, str, str]] = []
        value = _check_date(
            "last_checked",
            cleaned[:10] if re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+", cleaned) else cleaned,
            self.today,
            lambda f, v, m: messages.append((f, v, m)),
        )
        if value is None:
            for _, value_shown, message in messages:
                report("last_checked", value_shown, f"{message}; it was left blank")
            return ""
        return value.isoformat()


def _lookup(labels: Mapping[str, str]) -> dict[str, str]:
    """Return token -> slug for every slug and label of a vocabulary."""
    table = {_token(label): slug for slug, label in labels.items()}
    table.update({_token(slug): slug for slug in labels})
    return table


def _token(text: str) -> str:
    return "_".join(_NOT_ALPHANUMERIC.sub(" ", text.casefold()).split())


def _vocabulary_hint(field_name: str, token: str, labels: Mapping[str, str]) -> str:
    """Return "is not a known value; did you mean 'x'?" (the registry validator's wording)."""
    messages: list[str] = []
    _check_string(
        field_name, token, {"enum": list(labels)}, lambda f, v, m: messages.append(str(m))
    )
    return messages[0] if messages else "is not a known value"
