"""The bid pack: one ZIP with the evidence behind a bid, all from the same selection.

``sites.geojson``, ``corridor.geojson``, ``areas.geojson``, ``sites.csv``, ``map.png`` (the
slide), ``map.html`` (the offline map), ``description.txt`` (the map in words, for readers who
cannot see it) and ``README.txt``: what is inside, the filters, the data version and date, the
counts, the sources and licences, and the attribution text to paste into a bid. Every file is
made from one :class:`layers.selection.Selection`, so they agree.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from layers import (
    areas,
    companies,
    contracts,
    provenance,
    registers_figures,
    statistics,
    vocabulary,
)
from layers._io import atomic_write_bytes
from layers.selection import Selection, belt_mode, belt_width_km, ensure_corridor
from mapping import credits, description, slides, standalone
from mapping.exports.csv_table import csvw_json, sites_csv
from mapping.exports.geojson import geojson_collections, geojson_text
from mapping.exports.names import selection_stem

#: The pack's files and what each holds, in the order they are written.
PACK_FILES: dict[str, str] = {
    "README.txt": "this file: contents, filters, data version, counts, sources, licences",
    "sites.geojson": "the selected sites (GeoJSON, RFC 7946, WGS84 longitude/latitude)",
    "corridor.geojson": "the Midlands Defence Belt computed from the selection (belt and spine)",
    "areas.geojson": "the authorities holding selected sites, with counts by capability",
    "sites.csv": "the selected sites as a table (lat/lon, authorities, capability flags)",
    "sites.csv-metadata.json": "what each column of sites.csv means (CSV on the Web metadata)",
    "map.png": "a 16:9 slide of the selection (1920 x 1080)",
    "map.html": "an interactive map that opens in a browser with no internet",
    "description.txt": "the map in words: what it shows, for readers who cannot see it",
    "registers/figures.csv": "the official registers' figures for the selected sites' districts",
    "registers/firms_core.csv": "the registered firms counted as core (one row each)",
    "registers/firms_adjacent.csv": "the registered firms counted as adjacent (one row each)",
    "registers/firms_by_district.csv": "firms aggregated to their district (public profile)",
    "registers/awards.csv": "the defence contract awards counted (one row per supplier)",
    "registers/official_counts.csv": "the official business counts counted (one row per cell)",
}
#: The columns of each registers CSV (written with these headers even when a source is absent).
_REGISTER_COLUMNS: dict[str, list[str]] = {
    "firms_core": [c for c in companies.COLUMNS if c != "account_category"],
    "firms_adjacent": [c for c in companies.COLUMNS if c != "account_category"],
    "awards": [c for c in contracts.COLUMNS],
    "counts": [c for c in statistics.COLUMNS],
}
DEFAULT_TITLE = "Midlands Defence Capability Map: bid pack"


def build_bid_pack(
    selection: Selection,
    *,
    path: str | Path | None = None,
    title: str | None = None,
    with_corridor: bool = True,
    registry: pd.DataFrame | None = None,
    registers: registers_figures.RegisterSources | None = None,
    profile: str = "public",
) -> bytes:
    """Return the bid pack ZIP (and write it to ``path`` when given).

    Parameters
    ----------
    selection
        What the pack holds (``layers.selection.make_selection``).
    path
        Where to write the ZIP as well; nothing is written when None.
    title
        The title of the slide, the map and the README.
    with_corridor
        Compute the Defence Belt from the selected sites when the selection has none (when
        ``layers.corridor`` is not importable, ``corridor.geojson`` is empty and says why).
    registry
        The whole registry the selection came from, so the description can say what the
        filters left out (without it, it describes the selection alone).
    registers
        The official register layers (default: whichever are built); their figures cover the
        districts that hold the selected sites, each with a CSV of the rows it counts.
    profile
        ``public`` (default) aggregates micro-entity and no-accounts firms to the district;
        ``partner`` lists every firm.
    """
    if with_corridor:
        selection = ensure_corridor(selection)
    heading = title or DEFAULT_TITLE
    collections = geojson_collections(selection)
    files: dict[str, bytes] = {
        "sites.geojson": geojson_text(collections["sites"]).encode("utf-8"),
        "corridor.geojson": geojson_text(collections["corridor"]).encode("utf-8"),
        "areas.geojson": geojson_text(collections["areas"]).encode("utf-8"),
        "sites.csv": sites_csv(selection).encode("utf-8-sig"),
        "sites.csv-metadata.json": csvw_json(selection, "sites.csv").encode("utf-8"),
        "map.png": slides.render_slide(selection, fmt="png", title=heading),
        "map.html": standalone.standalone_html(selection, title=heading, registry=registry).encode(
            "utf-8"
        ),
    }
    sources = registers if registers is not None else registers_figures.load_sources()
    sentences = description.selection_sentences(selection, registry=registry, registers=sources)
    files["description.txt"] = description_text(sentences, title=heading).encode("utf-8")
    register_lines, register_files = register_pack(selection, sources, profile=profile)
    files.update(register_files)
    files["README.txt"] = readme_text(
        selection, title=heading, sentences=sentences, register_lines=register_lines
    ).encode("utf-8")
    stamp = selection.created.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in PACK_FILES:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    data = buffer.getvalue()
    if path is not None:
        atomic_write_bytes(path, data)
    return data


def bid_pack_name(selection: Selection) -> str:
    """Return a file name for the pack: the filter's parts by name (areas once each), the date."""
    return f"bid-pack_{selection_stem(selection)}.zip"


def description_text(sentences: list[str], *, title: str = DEFAULT_TITLE) -> str:
    """Return ``description.txt``: the title and the view's description, one sentence a line."""
    heading = f"{title}: the map in words"
    return "\n".join([heading, "=" * len(heading), "", *map(_wrap, sentences)]) + "\n"


def register_pack(
    selection: Selection, sources: registers_figures.RegisterSources, *, profile: str = "public"
) -> tuple[list[str], dict[str, bytes]]:
    """Return the README lines and the ``registers/`` files for the selection's districts."""
    where, rows, found = registers_figures.sites_districts_figures(selection.sites, sources)
    lines = registers_figures.describe_figures(found, where=where)
    aggregate = pd.DataFrame(columns=["lad_code", "core", "adjacent"])
    note = registers_figures.PARTNER_NOTE
    for tier in ("firms_core", "firms_adjacent"):
        if tier in rows and sources.firms is not None:
            chosen = sources.firms[
                sources.firms["company_number"].isin(rows[tier]["company_number"])
            ]
            points, small, note = registers_figures.firms_for_export(chosen, profile=profile)
            rows[tier] = pd.DataFrame(points).drop(columns="geometry")
            aggregate = pd.concat([aggregate, small.assign(tier=tier)], ignore_index=True)
    if sources.firms is not None:
        lines.append(note)
        aggregate = aggregate.groupby("lad_code", as_index=False)[["core", "adjacent"]].sum()
    for name in ("firms", "awards", "counts"):
        lines.append(
            f"{name}: {sources.label(name)}"
            if sources.loaded()[name]
            else f"{name}: not loaded; to load: {registers_figures.LOAD_COMMANDS[name]}"
        )
    if sources.awards is not None:
        kpi = contracts.mod_sme_kpi(sources.awards)
        lines += [kpi.headline(), "KPI definition: " + kpi.definition]
    figures_table = pd.DataFrame([{"where": where, **found}])
    files = {"registers/figures.csv": _csv(figures_table)}
    targets = {
        "firms_core": "registers/firms_core.csv",
        "firms_adjacent": "registers/firms_adjacent.csv",
        "awards": "registers/awards.csv",
        "counts": "registers/official_counts.csv",
    }
    for key, name in targets.items():
        table = rows.get(key, pd.DataFrame(columns=_REGISTER_COLUMNS[key]))
        files[name] = _csv(table[[c for c in _REGISTER_COLUMNS[key] if c in table.columns]])
    files["registers/firms_by_district.csv"] = _csv(aggregate)
    return lines, files


def _csv(table: pd.DataFrame) -> bytes:
    """Return a table as UTF-8 CSV with a BOM; text that a spreadsheet would run is quoted off."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = [
                "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
                for v in safe[column]
            ]
    return safe.to_csv(index=False).encode("utf-8-sig")


def readme_text(
    selection: Selection,
    *,
    title: str = DEFAULT_TITLE,
    sentences: list[str] | None = None,
    register_lines: list[str] | None = None,
) -> str:
    """Return the pack's README: contents, filters, version, counts, sources, licences, credit.

    ``sentences`` (the view's description, :mod:`mapping.description`) open the README under
    "IN WORDS" when given.
    """
    metadata = credits.export_metadata(selection)
    counts = metadata["counts"]
    criteria = selection.criteria
    lines = [title, "=" * len(title), ""]
    lines += [
        f"Made {metadata['created']} from data version {metadata['data_version']} "
        "(a short hash of the sites registry and the built boundaries: the same version means "
        "the same data).",
        "",
        "CONTENTS",
        *[f"  {name:<17} {what}" for name, what in PACK_FILES.items()],
        "",
        *(["IN WORDS", *[f"  {sentence}" for sentence in sentences], ""] if sentences else []),
        "FILTERS",
        f"  {credits.selection_caption(selection)}",
        f"  App link parameters: {_query_text(metadata['filters']['query'])}",
        "  Made again with:",
        "    "
        + credits.command_line(
            criteria,
            output="bid-pack.zip",
            width_km=belt_width_km(selection),
            mode=belt_mode(selection),
        ),
        "  Within one filter the values combine with OR; different filters combine with AND.",
    ]
    if criteria.in_belt:
        lines.append(
            "  'Inside the Defence Belt': the belt is computed from the sites the other filters "
            "select, then only the sites inside it are kept."
        )
    lines += ["", "COUNTS", f"  Sites: {counts['sites']}"]
    lines.append(f"  Organisations: {counts['organisations']}")
    lines.append(f"  Areas ({counts['area_level']}) holding sites: {counts['areas']}")
    lines.append("  By capability (a site can have several):")
    lines += [
        f"    {vocabulary.capability_label(slug)}: {number}"
        for slug, number in counts["capabilities"].items()
        if number
    ]
    lines.append("  By kind of site:")
    lines += [
        f"    {vocabulary.kind_label(slug)}: {number}"
        for slug, number in counts["kinds"].items()
        if number
    ]
    if register_lines:
        lines += ["", "OFFICIAL REGISTERS", *[f"  {line}" for line in register_lines]]
        lines.append(
            "  Each figure's rows are in registers/*.csv beside it; firms are placed at their "
            "registered office's postcode, not at the works."
        )
    lines += ["", "DEFENCE BELT", *_corridor_lines(metadata)]
    lines += ["", "SOURCES"]
    lines += [f"  {line}" for line in metadata["sources"] if line != credits.BOUNDARY_SOURCE]
    lines += _boundary_source_lines(selection)
    lines += [
        "  Headline figures quoted on the map: the Defence and Security Blueprint for the "
        "Midlands (EMCCA and WMCA, 2025), with the section of each figure.",
        "",
        "LICENCES",
        *[f"  {item}" for item in metadata["licences"]],
        "",
        "ATTRIBUTION (paste this into the bid)",
        *[f"  {line}" for line in metadata["attribution"]],
        f"  Sites: {credits.PRODUCT}, data version {metadata['data_version']}, {metadata['date']}.",
        "",
        "NOTES",
        "  Coordinates are WGS84 longitude/latitude (EPSG:4326) with at most 6 decimals. A site "
        "marked 'town' in location_precision is placed at its town, not at the site itself.",
        f"  Areas are {areas.LEVELS[selection.area_level][3].lower()} boundaries from the ONS; "
        "each counts a site once in 'sites' and once under each of its capabilities.",
        "  sites.csv is UTF-8 with a byte-order mark; text cells that begin with = + - @ carry "
        "a leading ' so that a spreadsheet does not run them.",
    ]
    return "\n".join(_wrap(line) for line in lines) + "\n"


def _query_text(query: Mapping[str, str]) -> str:
    return "&".join(f"{key}={value}" for key, value in query.items()) or "(none: all sites)"


def _corridor_lines(metadata: Mapping[str, Any]) -> list[str]:
    corridor = metadata.get("corridor")
    if not corridor:
        return ["  Not computed for this pack; corridor.geojson is empty."]
    share = corridor.get("share_inside")
    lines = [
        "  A model computed from the selected sites, never hand-drawn: hubs are clusters of "
        "sites, the spine joins them, and the belt is the spine widened and clipped to the "
        "Midlands.",
        f"  Width {corridor.get('width_km')} km; links: {corridor.get('mode')}.",
    ]
    if share is not None:
        lines.append(f"  It holds {float(share):.0%} of the sites it was computed from.")
    if corridor.get("hubs"):
        lines.append(f"  Hubs: {corridor['hubs']}")
    if corridor.get("note"):
        lines.append(f"  Note: {corridor['note']}")
    return lines


def _boundary_source_lines(selection: Selection) -> list[str]:
    rows = provenance.sources(selection.boundaries_dir)
    if not rows:
        return ["  Boundaries: ONS Open Geography Portal (download record not found)."]
    lines = ["  Boundaries: ONS Open Geography Portal:"]
    for row in rows:
        retrieved = row.get("retrieved_at") or "date not recorded"
        lines.append(f"    {row['service']} ({row['layer']}), retrieved {retrieved}")
    return lines


def _wrap(line: str) -> str:
    if len(line) <= 96 or "python -m" in line:  # a command stays on one line to be pasted
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return textwrap.fill(line, width=96, subsequent_indent=indent + "  ", break_on_hyphens=False)
