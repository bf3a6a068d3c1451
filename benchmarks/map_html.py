"""Building the map HTML as the folium design draws it: its time, and its bytes split into
sites, boundaries and libraries, beside one ``folium.Marker`` per site."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from jinja2.utils import htmlsafe_json_dumps

from benchmarks.measure import Bench, Dataset, Row, Timing
from layers import boundaries
from mapping import assets, build_map, largedata
from mapping.basemap import display_geojson

#: One-marker-per-site baselines (build and browser) run up to this many sites.
PLAIN_MARKER_LIMIT: int = 10_000
#: In quick mode (a smoke test) they run on the real registry only: a 1k folium page of one
#: marker per site takes seconds to build and draw, and quick figures are not measurements.
QUICK_PLAIN_MARKER_LIMIT: int = 500


def plain_marker_limit(bench: Bench) -> int:
    """The largest registry the one-marker-per-site baselines run on in this run."""
    return QUICK_PLAIN_MARKER_LIMIT if bench.quick else PLAIN_MARKER_LIMIT


def bench_map(bench: Bench, datasets: list[Dataset]) -> None:
    """Building the map HTML: time, and bytes split into sites, boundaries and libraries."""
    bench.section("map HTML")
    limit = plain_marker_limit(bench)
    for data in datasets:
        html = render(data.sites, bench.boundaries_dir)
        timing = bench.time(partial(render, data.sites, bench.boundaries_dir))
        mode = (
            "fast mode"
            if largedata.use_fast_mode(data.size)
            else "clustered markers (below the fast-mode threshold)"
        )
        plain_html: str | None = None
        plain_timing: Timing | None = None
        if data.size <= limit:
            plain_html = render(data.sites, bench.boundaries_dir, plain=True)
            plain_timing = bench.time(partial(render, data.sites, bench.boundaries_dir, plain=True))
        baseline = "one folium.Marker per site"
        skipped = "" if plain_html else f"baseline not run above {limit:,} sites"
        bench.add(
            Row(
                f"map-build:{data.size}",
                "map HTML: build + render",
                data.label,
                timing,
                baseline,
                plain_timing,
                f"app draws {mode}" + (f"; {skipped}" if skipped else ""),
            )
        )
        empty = render(data.sites.head(0), bench.boundaries_dir)
        sites_bytes = page_bytes(html) - page_bytes(empty)
        plain_sites = page_bytes(plain_html) - page_bytes(empty) if plain_html else None
        bench.add(
            Row(
                f"map-sites-bytes:{data.size}",
                "map page: sites data",
                data.label,
                sites_bytes,
                baseline,
                plain_sites,
                f"{sites_bytes / max(data.size, 1):.0f} B per site"
                + (f" (baseline {plain_sites / data.size:.0f} B)" if plain_sites else ""),
            )
        )
        bench.add(
            Row(
                f"map-page-bytes:{data.size}",
                "map page: data (all but libraries)",
                data.label,
                page_bytes(html),
                baseline,
                page_bytes(plain_html) if plain_html else None,
            )
        )
        if data is datasets[0]:
            fmap = build_map(data.sites, boundaries_dir=bench.boundaries_dir)
            drawn_boundaries = boundary_bytes(fmap)
            unsimplified = unsimplified_bytes(bench.boundaries_dir)
            bench.add(
                Row(
                    "map-boundaries-bytes",
                    "map page: boundaries (display, default layers)",
                    data.label,
                    drawn_boundaries,
                    "unsimplified boundaries",
                    unsimplified.get("default"),
                    "outline, CAs, counties, LADs as the default map draws them, plus the "
                    "land basemap; baseline: the full-resolution layers (land basemap as "
                    "displayed)",
                )
            )
            wards_display = len(htmlsafe_json_dumps(display_geojson("wards", bench.boundaries_dir)))
            bench.add(
                Row(
                    "map-wards-bytes",
                    "map page: wards layer (when shown)",
                    data.label,
                    wards_display,
                    "unsimplified boundaries",
                    unsimplified.get("wards"),
                )
            )
            libraries, note = library_bytes(html)
            bench.add(
                Row(
                    "map-library-bytes",
                    "map libraries (fetched separately)",
                    data.label,
                    libraries,
                    note=note,
                )
            )
        if assets.installed():
            bench.add(
                Row(
                    f"standalone-bytes:{data.size}",
                    "standalone HTML (libraries inlined)",
                    data.label,
                    page_bytes(assets.inline_html(html)),
                    baseline,
                    page_bytes(assets.inline_html(plain_html)) if plain_html else None,
                )
            )


def render(sites: gpd.GeoDataFrame, boundaries_dir: Path, *, plain: bool = False) -> str:
    """Render the app's map to HTML.

    ``plain`` is the naive baseline: the same page without the app's sites, and one folium
    ``Marker`` with a ``DivIcon`` and a popup per site, unclustered (what a folium map does
    unless it is told otherwise). The app draws its sites with the live map's scripts.
    """
    if not plain:
        page: str = build_map(sites, boundaries_dir=boundaries_dir).get_root().render()
        return page
    fmap = build_map(sites.iloc[0:0], boundaries_dir=boundaries_dir)
    for lat, lon, name in zip(sites["lat"], sites["lon"], sites["name"], strict=True):
        folium.Marker(
            [float(lat), float(lon)],
            icon=folium.DivIcon(html='<div class="naive-marker"></div>', icon_size=(14, 14)),
            popup=folium.Popup(html.escape(str(name))),
        ).add_to(fmap)
    baseline: str = fmap.get_root().render()
    return baseline


def page_bytes(html: str | None) -> int:
    """Return the UTF-8 size of a page (0 for none)."""
    return len(html.encode("utf-8")) if html else 0


def boundary_bytes(fmap: folium.Map) -> int:
    total = 0
    for element in _walk(fmap):
        if isinstance(element, folium.GeoJson):
            total += len(htmlsafe_json_dumps(element.data).encode("utf-8"))
    return total


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def unsimplified_bytes(directory: Path) -> dict[str, int]:
    """GeoJSON bytes of the full-resolution layers the map would draw without simplification."""

    def full(name: str) -> int:
        frame = boundaries.load_layer(name, directory=directory)
        return len(htmlsafe_json_dumps(json.loads(frame[["code", "name", "geometry"]].to_json())))

    default = sum(full(name) for name in ("midlands", "combined_authorities", "counties", "lads"))
    land = len(htmlsafe_json_dumps(display_geojson("countries", directory)))
    return {"default": default + land, "wards": full("wards")}


def library_bytes(html: str) -> tuple[int, str]:
    links = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    local = [link for link in links if link.startswith(assets.SERVED_URL)]
    total = 0
    for link in local:
        path = assets.VENDOR_DIR / link.removeprefix(assets.SERVED_URL + "/")
        total += path.stat().st_size if path.is_file() else 0
    note = f"{len(local)} files served from static/vendor"
    if len(local) < len(links):
        note += f"; {len(links) - len(local)} from CDNs not counted (run 'make assets')"
    return total, note
