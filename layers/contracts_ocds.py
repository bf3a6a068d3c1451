"""OCDS award releases: reading release packages, compiling them, and one row per supplier.

The reading half of :mod:`layers.contracts`. Release packages (Open Contracting Data Standard
1.1, as Contracts Finder and Find a Tender publish them) are read from a file or a folder;
releases are compiled per ``ocid`` with the Open Contracting Partnership's ``ocdsmerge``, so an
award amended in a later release counts once, at its latest value; awards of buyers in the
defence-family table (``data/definitions/defence_buyers.csv``) become one row per supplier.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from ocdsmerge import Merger

from layers import registers
from layers.registers import RegisterSourceError

#: The columns of an award row as read (the placed layer adds postcode, precision, district
#: and region).
AWARD_COLUMNS: tuple[str, ...] = (
    "ocid",
    "award_id",
    "date",
    "buyer",
    "buyer_family",
    "supplier",
    "supplier_id",
    "sme",
    "value_gbp",
    "shared_value_gbp",
    "suppliers_on_award",
)
#: The OCDS 1.1 merge rules this layer relies on: a release's own id, date and tag are not
#: carried into the compiled release; arrays of objects with ids merge by id, other arrays
#: are replaced whole (ocdsmerge's defaults), so no schema has to be fetched.
MERGE_RULES: dict[tuple[str, ...], str] = {
    ("id",): "omitWhenMerged",
    ("date",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
}
_DROPPED_AWARD_STATUS = frozenset({"cancelled", "unsuccessful"})
_SME_SCALES = frozenset({"sme", "micro"})


@dataclass(frozen=True)
class BuyerRule:
    """One line of the defence-family table: a pattern on the buyer's name and its family."""

    pattern: re.Pattern[str]
    family: str
    source: str


def load_buyers(path: str | Path | None = None) -> list[BuyerRule]:
    """Return the defence-family table (regular expressions, matched case-insensitively)."""
    target = Path(path) if path is not None else registers.BUYERS_CSV
    rules: list[BuyerRule] = []
    with open(target, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                pattern = re.compile(row["pattern"], re.IGNORECASE)
            except re.error as exc:
                raise RegisterSourceError(
                    f"{target} line {number}: pattern {row['pattern']!r} is not a valid "
                    f"regular expression ({exc})"
                ) from exc
            rules.append(BuyerRule(pattern, row["buyer"].strip(), row["source"].strip()))
    return rules


def buyer_family(name: object, rules: list[BuyerRule]) -> str | None:
    """Return the defence family a buyer's name belongs to, or None."""
    text = str(name or "")
    for rule in rules:
        if rule.pattern.search(text):
            return rule.family
    return None


def _package_files(source: Path) -> list[Path]:
    if source.is_dir():
        files = sorted(p for p in source.rglob("*.json") if not p.name.startswith("state"))
        if not files:
            raise RegisterSourceError(f"{source} holds no .json release packages")
        return files
    if not source.is_file():
        raise RegisterSourceError(
            f"{source} does not exist; give a saved OCDS release package (or a folder of them) "
            "with --source, or use --download --since YYYY-MM-DD"
        )
    return [source]


def read_releases(source: str | Path) -> Iterator[dict[str, Any]]:
    """Yield every release of the release packages in a file or folder.

    Raises
    ------
    RegisterSourceError
        Naming the file, line and column of malformed JSON, or a file that is not a release
        package.
    """
    for path in _package_files(Path(source)):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RegisterSourceError(
                f"{path}: not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); "
                "the page was cut off or is not a release package: fetch it again. "
                "Nothing was written."
            ) from exc
        packages = document if isinstance(document, list) else [document]
        for package in packages:
            releases = package.get("releases") if isinstance(package, dict) else None
            if not isinstance(releases, list):
                raise RegisterSourceError(
                    f"{path}: not an OCDS release package (no 'releases' list). "
                    "Nothing was written."
                )
            for release in releases:
                if isinstance(release, dict) and release.get("ocid"):
                    yield release


def compile_releases(releases: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> list[dict]:
    """Return one compiled release per ``ocid`` (latest values win, awards merged by id)."""
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for release in releases:
        by_ocid.setdefault(str(release["ocid"]), []).append(release)
    merger = Merger(merge_rules=MERGE_RULES)
    return [merger.create_compiled_release(group) for _, group in sorted(by_ocid.items())]


def _scale(party: dict[str, Any]) -> bool | None:
    scale = str((party.get("details") or {}).get("scale") or "").strip().lower()
    if not scale:
        return None
    return scale in _SME_SCALES


def _supplier_id(party: dict[str, Any], fallback: str) -> str:
    identifier = party.get("identifier") or {}
    scheme, value = identifier.get("scheme"), identifier.get("id")
    if scheme and value:
        return f"{scheme}-{value}"
    return str(value or fallback or "")


def _amount(award: dict[str, Any]) -> float | None:
    value = award.get("value") or {}
    amount = value.get("amount")
    currency = str(value.get("currency") or "GBP").upper()
    if amount is None or currency != "GBP":
        return None
    try:
        return float(amount)
    except (TypeError, ValueError):
        return None


def _buyer_name(release: dict[str, Any], parties: dict[str, dict[str, Any]]) -> str:
    buyer = release.get("buyer") or {}
    if buyer.get("name"):
        return str(buyer["name"])
    named = parties.get(str(buyer.get("id")), {})
    if named.get("name"):
        return str(named["name"])
    for party in parties.values():
        if "buyer" in (party.get("roles") or []):
            return str(party.get("name") or "")
    return ""


def award_rows(compiled: list[dict[str, Any]], rules: list[BuyerRule]) -> pd.DataFrame:
    """Return one row per supplier of each kept award of defence-family buyers."""
    rows: list[dict[str, Any]] = []
    for release in compiled:
        parties = {str(p.get("id")): p for p in release.get("parties") or [] if isinstance(p, dict)}
        buyer = _buyer_name(release, parties)
        family = buyer_family(buyer, rules)
        if family is None:
            continue
        for award in release.get("awards") or []:
            if str(award.get("status") or "").lower() in _DROPPED_AWARD_STATUS:
                continue
            suppliers = [s for s in award.get("suppliers") or [] if isinstance(s, dict)]
            amount = _amount(award)
            shared = len(suppliers) > 1
            for supplier in suppliers:
                party = parties.get(str(supplier.get("id")), {})
                address = party.get("address") or {}
                rows.append(
                    {
                        "ocid": release["ocid"],
                        "award_id": str(award.get("id")),
                        "date": str(award.get("date") or release.get("date") or "")[:10],
                        "buyer": buyer,
                        "buyer_family": family,
                        "supplier": str(supplier.get("name") or party.get("name") or ""),
                        "supplier_id": _supplier_id(party, str(supplier.get("id") or "")),
                        "sme": _scale(party),
                        "value_gbp": None if shared else amount,
                        "shared_value_gbp": amount if shared else None,
                        "suppliers_on_award": len(suppliers),
                        "raw_postcode": str(address.get("postalCode") or ""),
                    }
                )
    return pd.DataFrame(rows, columns=[*AWARD_COLUMNS, "raw_postcode"])


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def newest_date(releases: Iterable[dict[str, Any]]) -> str:
    """Return the newest ``date`` of the releases and of their awards (``YYYY-MM-DD``, or "")."""
    days = [
        str(stamp)[:10]
        for release in releases
        for stamp in (
            release.get("date"),
            *(a.get("date") for a in release.get("awards") or [] if isinstance(a, dict)),
        )
        if stamp and _ISO_DAY.fullmatch(str(stamp)[:10])
    ]
    return max(days, default="")
