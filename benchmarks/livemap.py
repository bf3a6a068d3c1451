"""The live map beside today's folium map: bytes per site, bytes per filter change, first map.

Command line::

    python -m benchmarks.livemap [--repeat 3] [--size 1000]

Both maps are drawn by the same small page (``benchmarks/livemap_page.py``), on the real
registry and on a seeded synthetic registry of ``--size`` sites, each served by its own
``streamlit run``. Bytes are what the page receives (websocket frames and HTTP bodies, the
method of /work/shared/PERFORMANCE.md); times are medians of ``--repeat`` fresh browser
contexts after one warm-up visit. Nothing is asserted: the figures are printed.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import settings
from benchmarks import synthetic
from benchmarks.harness import Meter, chromium
from layers.sites import load_sites
from mapping.livemap import Catalogue, build_base, payload_json
from tests.support.servers import page_server

PAGE = Path(__file__).parent / "livemap_page.py"
#: The filter change measured: choose this capability, then clear it again.
CAPABILITY = "combat_air"
#: What shows that each map has drawn its sites.
DRAWN = {
    "live": ('iframe[title="mapping.livemap.component.livemap"]', ".mdm-legend .mdm-count"),
    "folium": ('iframe[title="streamlit_folium.st_folium"]', ".leaflet-marker-icon"),
}


@dataclass
class Figures:
    """One renderer on one registry."""

    renderer: str
    sites: int
    first_map_s: list[float] = field(default_factory=list)
    first_load_bytes: int = 0
    change_bytes: list[int] = field(default_factory=list)
    shown_after_change: int = 0


@dataclass
class Registry:
    """A registry file, its size and how many of its sites the filter change shows."""

    path: Path
    sites: int
    filtered: int
    row_bytes: int


def read_registry(path: Path, boundaries_dir: Path) -> Registry:
    """Load a registry and measure the bytes of its rows as the live map sends them."""
    sites = load_sites(path, boundaries_dir=boundaries_dir)
    catalogue = Catalogue()
    catalogue.encode(sites)
    filtered = int(sites["capabilities"].map(lambda caps: CAPABILITY in caps).sum())
    return Registry(path, len(sites), filtered, len(payload_json(catalogue.rows)))


def measure(browser: Any, url: str, renderer: str, registry: Registry, repeat: int) -> Figures:
    frame_selector, drawn = DRAWN[renderer]
    figures = Figures(renderer=renderer, sites=registry.sites)

    def open_page(meter: Meter | None = None) -> tuple[Any, Any, float]:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        if meter:
            meter.attach(page)
        started = time.perf_counter()
        page.goto(url)
        page.frame_locator(frame_selector).locator(drawn).first.wait_for(timeout=120_000)
        return context, page, time.perf_counter() - started

    context, _, _ = open_page()  # warm-up: the server's caches fill
    context.close()
    for _ in range(repeat):
        context, _, elapsed = open_page()
        figures.first_map_s.append(elapsed)
        context.close()

    meter = Meter()
    context, page, _ = open_page(meter)
    meter.wait_quiet(page)
    figures.first_load_bytes = meter.total()
    for value, shown in ((CAPABILITY, registry.filtered), ("", registry.sites)):
        before = meter.total()
        box = page.get_by_label("Capability")
        box.fill(value)
        box.press("Enter")
        page.get_by_text(f"shown: {shown}", exact=True).wait_for(timeout=60_000)
        meter.wait_quiet(page)
        page.frame_locator(frame_selector).locator(drawn).first.wait_for(timeout=120_000)
        figures.change_bytes.append(meter.total() - before)
    figures.shown_after_change = registry.filtered
    context.close()
    return figures


def run(repeat: int, size: int, say: Callable[[str], None]) -> list[Figures]:
    work = Path(tempfile.mkdtemp(prefix="livemap-bench-"))
    boundaries_dir = settings.BOUNDARIES_DIR
    registries = {
        "real": settings.SITES_CSV,
        f"{size:,}": synthetic.registry_file(size, directory=work, boundaries_dir=boundaries_dir),
    }
    say("Bytes per site of the rows the live map sends (compact JSON, measured in Python):")
    loaded = {}
    for name, path in registries.items():
        found = loaded[name] = read_registry(path, boundaries_dir)
        say(
            f"  {name} registry, {found.sites:,} sites: {found.row_bytes:,} B, "
            f"{found.row_bytes / found.sites:.1f} B per site"
        )
    base = build_base(boundaries_dir=boundaries_dir)
    say(f"  base (boundaries, palette, labels), sent once per session: {base.size:,} B")

    results = []
    with chromium() as browser:
        for name, found in loaded.items():
            for renderer in ("live", "folium"):
                env = {
                    "LIVEMAP_RENDERER": renderer,
                    "LIVEMAP_SITES_CSV": str(found.path),
                    "MIDLANDS_BOUNDARIES_DIR": str(boundaries_dir),
                }
                with page_server(PAGE, work / f"{renderer}-{name}", env) as url:
                    results.append(measure(browser, url, renderer, found, repeat))
                say(f"  measured {renderer} on the {name} registry")
    return results


def report(results: list[Figures], say: Callable[[str], None]) -> None:
    say("")
    say(
        "| map | sites | first map (median, min-max) | first load | filter change: to "
        f"{CAPABILITY} | back to all |"
    )
    say("| --- | ---: | --- | ---: | ---: | ---: |")
    for f in results:
        times = f"{statistics.median(f.first_map_s):.2f} s ({min(f.first_map_s):.2f}-"
        times += f"{max(f.first_map_s):.2f})"
        say(
            f"| {f.renderer} | {f.sites:,} | {times} | {f.first_load_bytes / 1e3:,.1f} KB | "
            f"{f.change_bytes[0] / 1e3:,.1f} KB ({f.shown_after_change:,} sites) | "
            f"{f.change_bytes[1] / 1e3:,.1f} KB |"
        )
    say("")
    say(
        "Bytes per site reaching the browser (first load, large registry minus real, per extra "
        "site):"
    )
    for renderer in ("live", "folium"):
        small, large = (f for f in results if f.renderer == renderer)
        extra = large.sites - small.sites
        per_site = (large.first_load_bytes - small.first_load_bytes) / extra
        say(f"  {renderer}: {per_site:,.0f} B per site")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh visits timed per map")
    parser.add_argument("--size", type=int, default=1000, help="sites in the synthetic registry")
    args = parser.parse_args(argv)
    # the synthetic rows' "last checked" warnings are not what this benchmark is about
    logging.getLogger("layers.sites").setLevel(logging.ERROR)

    def say(line: str) -> None:
        print(line, flush=True)

    report(run(args.repeat, args.size, say), say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
