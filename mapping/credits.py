"""Credits and metadata: what every export says about itself, in one place.

Every export (GeoJSON, GeoPackage, KML, CSV, the offline map, the slide and the bid pack) takes
its provenance from :func:`export_metadata` and its credit line from :func:`attributions`: the
filters (described, as the app's URL query and as the command that makes it again), the year the
selection counts for, the data version, the date, the counts, the attribution, the licences and
the sources — the registry, the user's uploaded file when its sites are exported, and the ONS,
OpenStreetMap and postcode data when they are used. Postcode points are credited to the index
in use: the ONS Postcode Directory by default (its edition and ONSPD's attribution statements),
or an OS Code-Point Open build when one is chosen.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

import settings
from layers import areas, filters, onspd, postcodes
from layers.filters import SiteFilter
from layers.selection import Selection, belt_mode, belt_width_km
from mapping import kpis

#: The product's name, as exports credit it.
PRODUCT: str = "Midlands Defence Capability Map"
#: Where the sites come from, as exports credit it.
REGISTRY_SOURCE: str = (
    "Sites: the Midlands Defence Capability Map registry (data/sites/sites.csv); every site "
    "cites its public source (source_url) and the date it was checked (last_checked)."
)
BOUNDARY_SOURCE: str = "Boundaries: ONS Open Geography Portal"
#: The licences of the data an export can carry.
ONS_LICENCE: str = "ONS boundaries: Open Government Licence v3.0"
OSM_LICENCE: str = "OpenStreetMap data: Open Database Licence (ODbL) v1.0"
#: The precision of a site placed at its postcode's point (registry rows and uploads alike).
POSTCODE_PRECISION: str = "postcode"


def _postcode_index() -> tuple[str, str]:
    """Return the product and edition of the postcode index in use."""
    manifest = postcodes.read_manifest()
    product = str(manifest.get("product") or onspd.PRODUCT)
    edition = str(manifest.get("edition") or "")
    if not edition and product == onspd.PRODUCT:
        try:
            edition = onspd.edition()
        except onspd.OnspdMissingError:
            edition = "edition unknown"
    return product, edition


def _is_onspd(product: str) -> bool:
    return product == onspd.PRODUCT


def postcode_attribution() -> str:
    """Return the postcode points' attribution: ONSPD's statements, or Code-Point Open's."""
    product, _ = _postcode_index()
    return settings.POSTCODE_ATTRIBUTION if _is_onspd(product) else settings.CODEPOINT_ATTRIBUTION


def postcode_source() -> str:
    """Return where postcode points come from, with the edition ("... November 2025 ...")."""
    product, edition = _postcode_index()
    if _is_onspd(product):
        return f"Postcode points: {onspd.PRODUCT} ({onspd.SHORT_NAME}), {edition}"
    return f"Postcode points: OS {product}, edition {edition}"


def postcode_licence() -> str:
    """Return the postcode points' licence line, naming the product and edition."""
    product, edition = _postcode_index()
    if _is_onspd(product):
        return (
            f"{onspd.PRODUCT} ({onspd.SHORT_NAME}, {edition}) postcode points: Open "
            "Government Licence v3.0"
        )
    return f"OS {product} ({edition}) postcode points: Open Government Licence v3.0"


def as_of(criteria: SiteFilter) -> int | None:
    """Return the year the filter counts sites for, or None when it counts every site."""
    year = getattr(criteria, "as_of", None)
    return None if year is None else int(year)


def uses_postcodes(selection: Selection) -> bool:
    """Say whether any selected site is placed at its postcode's point."""
    sites = selection.sites
    if sites.empty or "location_precision" not in sites.columns:
        return False
    return bool((sites["location_precision"].astype(str) == POSTCODE_PRECISION).any())


def selection_caption(selection: Selection) -> str:
    """Return what the selection shows, in words, with the year it counts for when there is one.

    For captions and subtitles: "capabilities: Combat air; as of 2027".
    """
    described = selection.criteria.describe()
    year = as_of(selection.criteria)
    if year is not None and f"as of {year}" not in described:
        described = f"{described}; as of {year}"
    return described


def upload_credit(selection: Selection) -> str | None:
    """Return the line crediting the user's uploaded file, or None when no upload is exported."""
    count = len(selection.uploaded_sites)
    if not count:
        return None
    name = selection.upload_name or "a file whose name was not given"
    return (
        f"Uploaded sites: {count} from {name!r}, uploaded by the user of this export; they are "
        "not part of the registry and their sources are the uploader's."
    )


def attributions(selection: Selection) -> list[str]:
    """Return the attribution lines the selection's data needs.

    ONS always; OpenStreetMap when estates or a roads-mode belt are carried; the postcode
    index's statements when a site is placed at its postcode; the uploaded file when its sites
    are exported.
    """
    lines = [settings.ONS_ATTRIBUTION]
    if selection.uses_osm:
        lines.append(settings.OSM_ATTRIBUTION)
    if uses_postcodes(selection):
        # ONSPD's statements repeat the ONS licence statement the boundaries already make
        said = " ".join(lines)
        fresh = [part for part in postcode_attribution().split("; ") if part not in said]
        if fresh:
            lines.append("; ".join(fresh))
    uploaded = upload_credit(selection)
    if uploaded:
        lines.append(uploaded)
    return lines


def credit_text(lines: list[str]) -> str:
    """Return attribution lines as one paragraph, each ending with a full stop."""
    return " ".join(line if line.endswith(".") else f"{line}." for line in lines)


def licences(selection: Selection) -> list[str]:
    """Return the licences of the data the selection carries."""
    found = [ONS_LICENCE]
    if selection.uses_osm:
        found.append(OSM_LICENCE)
    if uses_postcodes(selection):
        found.append(postcode_licence())
    return found


def sources(selection: Selection) -> list[str]:
    """Return where the selection's data comes from: registry, upload, boundaries, postcodes."""
    found = [REGISTRY_SOURCE]
    uploaded = upload_credit(selection)
    if uploaded:
        found.append(uploaded)
    found.append(BOUNDARY_SOURCE)
    if uses_postcodes(selection):
        found.append(postcode_source())
    return found


def command_line(
    criteria: SiteFilter,
    *,
    fmt: str = "bidpack",
    output: str = "OUTPUT",
    width_km: float | None = None,
    mode: str | None = None,
) -> str:
    """Return the command that exports the same selection again (for READMEs and metadata).

    ``width_km`` and ``mode`` are written when they are not the belt's defaults.
    """
    words = ["python", "-m", "mapping.export", "--format", fmt]
    for slug in criteria.capabilities:
        words += ["--capability", slug]
    for slug in criteria.kinds:
        words += ["--kind", slug]
    for code in criteria.areas:
        words += ["--area", code]
    if criteria.text.strip():
        words += ["--text", criteria.text.strip()]
    if criteria.in_belt:
        words.append("--in-belt")
    year = as_of(criteria)
    if year is not None:
        words += ["--as-of", str(year)]
    if not getattr(criteria, "planned", True):
        words.append("--no-planned")
    if width_km is not None and width_km != settings.CORRIDOR_WIDTH_KM:
        words += ["--width-km", f"{width_km:g}"]
    if mode is not None and mode != "straight":
        words += ["--mode", mode]
    words += ["-o", output]
    return shlex.join(words)


def export_counts(selection: Selection) -> dict[str, Any]:
    """Return the counts an export records: sites, organisations, areas, by capability, kind."""
    sites = selection.sites
    live = kpis.live_counts(sites)
    counts: dict[str, Any] = {
        "sites": live.sites,
        "organisations": live.organisations,
        "areas": len(areas.capability_table(sites, level=selection.area_level)),
        "area_level": areas.LEVELS[selection.area_level][3],
        "capabilities": filters.capability_counts(sites),
        "kinds": filters.kind_counts(sites),
    }
    if selection.uploaded_ids:
        counts["uploaded_sites"] = len(selection.uploaded_sites)
    if selection.has_corridor and selection.corridor is not None:
        belt = selection.corridor.loc[selection.corridor["part"] == "belt"]
        if not belt.empty:
            row = belt.iloc[0]
            counts["belt_sites_total"] = json_value(row.get("sites_total"))
            counts["belt_sites_inside"] = json_value(row.get("sites_inside"))
    return counts


def export_metadata(selection: Selection) -> dict[str, Any]:
    """Return the provenance every export records.

    Filters (described and as the app's URL query and the command line), the year the
    selection counts for (``as_of``, None for every site), data version, date, counts,
    attribution, licences and sources (the uploaded file is named when its sites are exported).
    """
    criteria = selection.criteria
    caption = selection_caption(selection)
    metadata: dict[str, Any] = {
        "title": f"{PRODUCT}: {caption}",
        "filters": {
            "description": caption,
            "query": filters.to_query(criteria),
            "command": command_line(
                criteria, width_km=belt_width_km(selection), mode=belt_mode(selection)
            ),
        },
        "as_of": as_of(criteria),
        "areas": criteria.named_areas(),
        "data_version": selection.data_version,
        "created": selection.created.astimezone(UTC).isoformat(timespec="seconds"),
        "date": selection.created.astimezone(UTC).date().isoformat(),
        "counts": export_counts(selection),
        "coordinates": "WGS 84 longitude, latitude (EPSG:4326), at most 6 decimals",
        "attribution": attributions(selection),
        "licences": licences(selection),
        "sources": sources(selection),
        "generator": f"{PRODUCT} (mapping.export)",
    }
    if selection.uploaded_ids:
        metadata["uploaded_file"] = selection.upload_name or None
    if selection.has_corridor and selection.corridor is not None:
        metadata["corridor"] = corridor_description(selection.corridor)
    return metadata


def corridor_description(corridor: pd.DataFrame) -> dict[str, Any]:
    """Return what the belt is, for metadata: mode, width, hubs and the share it holds."""
    belt = corridor.loc[corridor["part"] == "belt"]
    if belt.empty:
        return {"note": "no belt"}
    row = belt.iloc[0]
    return {
        "model": "Midlands Defence Belt, computed from the selected sites (never hand-drawn)",
        "mode": json_value(row.get("mode")),
        "width_km": json_value(row.get("width_km")),
        "hubs": json_value(row.get("hubs")),
        "share_inside": json_value(row.get("share_inside")),
        "note": json_value(row.get("note")),
    }


def flat_metadata(metadata: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Return metadata as (key, value) rows, the filters and belt spelled out as ``a.b`` keys."""
    rows: list[tuple[str, Any]] = []
    for key, value in metadata.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and key in ("filters", "corridor"):
            rows.extend(flat_metadata(value, prefix=f"{name}."))
        else:
            rows.append((name, value))
    return rows


def provenance_text(metadata: Mapping[str, Any]) -> str:
    """Return the provenance as one paragraph (a KML description, a caption)."""
    counts = metadata["counts"]
    return (
        f"{metadata['title']}. Filters: {metadata['filters']['description']}. "
        f"Sites: {counts['sites']}. Data version {metadata['data_version']}, "
        f"made {metadata['created']}. " + credit_text(metadata["attribution"])
    )


def json_value(value: Any) -> Any:
    """Return ``value`` as a plain JSON value (numpy scalars unwrapped, NaN as None)."""
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    elif not isinstance(value, bool | int | float | str | type(None)):
        value = str(value)
    return value
