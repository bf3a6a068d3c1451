"""Synthetic sites registries for the benchmarks: N sites inside the Midlands, seeded.

The sites are placed around hubs, as real suppliers gather around towns and primes: two thirds
around the registry's own sites (4 km spread) and a third around the Midlands' districts
(8 km spread), in EPSG:27700, keeping only points inside the Midlands outline. Kinds and
capabilities follow a supplier-heavy mix, which is what a full supplier list or a Companies
House extract looks like: most rows are small firms in manufacturing and the supply chain.

``synthetic_sites`` returns the same columns as :func:`layers.sites.load_sites`;
``write_registry`` writes a registry CSV that validates against the schema, so the benchmark
can time the whole load from the file.

Command line::

    python -m benchmarks.synthetic 10000 data/tmp/synthetic-10000.csv [--seed 0] [--realistic]
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import settings
from benchmarks import realistic as realistic_rows
from layers import boundaries, postcodes, vocabulary
from layers._metric import transformer
from layers._validate import read_rows
from layers.sites import REGISTRY_COLUMNS, assign_areas, read_registry_text

#: Share of each kind of site (a supplier list: mostly suppliers).
KIND_SHARES: dict[str, float] = {
    "supplier": 0.78,
    "prime": 0.03,
    "research_centre": 0.05,
    "university": 0.02,
    "military": 0.04,
    "cluster_body": 0.01,
    "skills_centre": 0.05,
    "health": 0.02,
}
#: Relative weight of each capability (manufacturing and supply chain lead).
CAPABILITY_WEIGHTS: dict[str, float] = {
    "land_systems": 8,
    "combat_air": 7,
    "nuclear_propulsion": 2,
    "cyber_digital": 7,
    "defence_medicine": 2,
    "space": 3,
    "istar": 4,
    "advanced_manufacturing": 20,
    "power_propulsion": 6,
    "autonomy_ai": 4,
    "quantum": 1,
    "test_evaluation": 4,
    "skills_training": 5,
    "supply_chain": 16,
    "energy_decarbonisation": 3,
}
#: How many capabilities a site lists: 1, 2 or 3, with these shares.
CAPABILITY_COUNT_SHARES: tuple[float, float, float] = (0.35, 0.45, 0.20)
#: The main capability some kinds always have.
KIND_MAIN_CAPABILITY: dict[str, str] = {
    "health": "defence_medicine",
    "skills_centre": "skills_training",
}
PRECISION_SHARES: dict[str, float] = {"site": 0.5, "street": 0.3, "town": 0.2}
#: Hub spreads (metres) and the share of sites placed around registry sites.
REGISTRY_HUB_SPREAD_M: float = 4000.0
DISTRICT_HUB_SPREAD_M: float = 8000.0
REGISTRY_HUB_SHARE: float = 2 / 3
#: Every synthetic row was "checked" on one of this many days before today (never stale).
CHECKED_WITHIN_DAYS: int = 300

# Our own word lists for plausible firm names.
_NAME_WORDS = (
    "Precision",
    "Advanced",
    "Applied",
    "Integrated",
    "Allied",
    "Vector",
    "Sentinel",
    "Forge",
    "Apex",
    "Keystone",
    "Meridian",
    "Beacon",
)
_TRADES = (
    "Engineering",
    "Components",
    "Systems",
    "Composites",
    "Electronics",
    "Machining",
    "Castings",
    "Technologies",
    "Dynamics",
    "Fabrications",
    "Optics",
    "Software",
)
_KIND_NAMES: dict[str, tuple[str, ...]] = {
    "prime": ("Works", "Assembly Plant", "Systems Centre"),
    "research_centre": ("Research Centre", "Innovation Hub", "Test Laboratory"),
    "university": ("University Campus", "Engineering Faculty"),
    "military": ("Barracks", "Training Area", "Support Depot", "Airfield"),
    "cluster_body": ("Defence Cluster", "Manufacturing Network"),
    "skills_centre": ("Skills Academy", "Technical College"),
    "health": ("Rehabilitation Centre", "Medical Unit"),
}
_PRIMES = (
    "Northgate Defence",
    "Ironbridge Aerospace",
    "Severn Systems",
    "Trent Land Systems",
    "Avon Propulsion",
)
_MAX_PLACEMENT_ROUNDS = 100


def synthetic_sites(
    count: int,
    *,
    seed: int = 0,
    boundaries_dir: str | Path = settings.BOUNDARIES_DIR,
    hubs_csv: str | Path | None = None,
    realistic: bool = False,
    postcode_index: str | Path | None = None,
    today: date | None = None,
) -> gpd.GeoDataFrame:
    """Return ``count`` synthetic sites inside the Midlands, the same every time for a seed.

    Parameters
    ----------
    count
        How many sites.
    seed
        The random generator's seed.
    boundaries_dir
        The built boundaries (the outline, districts and wards).
    hubs_csv
        A registry whose sites serve as hubs (default: ``settings.SITES_CSV``; when it is
        missing, only the districts are hubs).
    realistic
        Dress the rows as the real registry's are (:mod:`benchmarks.realistic`): long notes,
        descriptions and source URLs, opening years, closing sites and postcodes.
    postcode_index
        The postcode index realistic rows take their postcodes from (default: the built one;
        when it is not built, realistic rows have no postcode).
    today
        The day the rows were checked before (default: today); every row was checked within
        :data:`CHECKED_WITHIN_DAYS` of it, so none is stale.

    Returns
    -------
    gpd.GeoDataFrame
        The columns of :func:`layers.sites.load_sites`, in EPSG:4326, with ids
        ``synthetic-000001`` onwards.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count!r}")
    rng = np.random.default_rng(seed)
    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    shape = outline.to_crs(settings.CRS_METRIC).geometry.iloc[0]
    shapely.prepare(shape)
    today = today or date.today()
    x, y = _place(count, rng, shape, _hubs(boundaries_dir, hubs_csv))
    # realistic dress draws from its own generator, so its rows are the plain rows dressed
    dress_rng = np.random.default_rng([seed, 1])
    codes = np.full(count, "", dtype=object)
    on_postcode = np.zeros(count, dtype=bool)
    if realistic:
        try:
            index = postcodes.load_index(postcode_index)
        except postcodes.PostcodeIndexMissingError:
            index = None
        if index is not None:
            x, y, codes, on_postcode = realistic_rows.choose_postcodes(x, y, dress_rng, index)
    lon, lat = transformer(settings.CRS_METRIC, settings.CRS_STORAGE).transform(x, y)
    lat, lon = _apart(np.round(lat, 5), np.round(lon, 5))
    kinds = rng.choice(list(KIND_SHARES), size=count, p=_shares(KIND_SHARES))
    checked = [
        (today - timedelta(days=int(d))).isoformat()
        for d in rng.integers(1, CHECKED_WITHIN_DAYS + 1, size=count)
    ]
    precision = rng.choice(list(PRECISION_SHARES), size=count, p=_shares(PRECISION_SHARES))
    precision = np.where(on_postcode, "postcode", precision)
    # a site-precision point names its check: here an OpenStreetMap way, dated
    on_site = precision == "site"
    ways = np.char.add("osm:way/", np.arange(1, count + 1).astype(str))
    frame = pd.DataFrame(
        {
            "site_id": [f"synthetic-{i:06d}" for i in range(1, count + 1)],
            "name": "",
            "organisation": "",
            "kind": kinds,
            "capabilities": _capabilities(count, rng, kinds),
            "lat": lat,
            "lon": lon,
            "location_precision": precision,
            "town": "",
            "postcode": codes,
            "status": "active",
            "opened": "",
            "closes": "",
            "location_note": "",
            "description": "",
            "source_url": "",
            "status_source": "",
            "last_checked": checked,
            "location_source": "",
            "location_check": np.where(on_site, ways, ""),
            "location_checked": np.where(on_site, checked, ""),
            "capability_sources": "",
        },
        columns=list(REGISTRY_COLUMNS),
    )
    sites = assign_areas(
        gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=settings.CRS_STORAGE),
        boundaries_dir=boundaries_dir,
    )
    _describe(sites, rng)
    if realistic:
        realistic_rows.dress(sites, dress_rng, today=today)
    return sites


def write_registry(sites: pd.DataFrame, path: str | Path) -> Path:
    """Write ``sites`` as a registry CSV (the schema's columns, capabilities joined by ';')."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = sites[list(REGISTRY_COLUMNS)].copy()
    rows["capabilities"] = rows["capabilities"].map(";".join)
    rows["lat"] = rows["lat"].map(lambda v: f"{v:.5f}")
    rows["lon"] = rows["lon"].map(lambda v: f"{v:.5f}")
    rows.to_csv(target, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return target


def registry_file(
    count: int,
    *,
    directory: str | Path,
    seed: int = 0,
    boundaries_dir: str | Path = settings.BOUNDARIES_DIR,
    realistic: bool = False,
) -> Path:
    """Return the path of a synthetic registry CSV in ``directory``, writing it when missing."""
    dressed = "-realistic" if realistic else ""
    target = Path(directory) / f"synthetic-{count}-seed{seed}{dressed}.csv"
    if not target.is_file():
        sites = synthetic_sites(
            count, seed=seed, boundaries_dir=boundaries_dir, realistic=realistic
        )
        write_registry(sites, target)
    return target


def _apart(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each repeat of a rounded point 1e-5 degrees north per repeat (rows never share)."""
    for _ in range(_MAX_PLACEMENT_ROUNDS):
        repeat = pd.DataFrame({"lat": lat, "lon": lon}).groupby(["lat", "lon"]).cumcount()
        if not repeat.any():
            break
        lat = np.round(lat + repeat.to_numpy() * 1e-5, 5)
    return lat, lon


def _shares(shares: dict[str, float]) -> np.ndarray:
    weights = np.array(list(shares.values()), dtype=float)
    return weights / weights.sum()


def _hubs(
    boundaries_dir: str | Path, hubs_csv: str | Path | None
) -> list[tuple[np.ndarray, float, float]]:
    """Return the hub sets: (EPSG:27700 coordinates, spread in metres, share of sites)."""
    districts = boundaries.load_layer("lads", directory=boundaries_dir).to_crs(settings.CRS_METRIC)
    centres = districts.geometry.representative_point()
    district_xy = np.column_stack([centres.x, centres.y])
    source = Path(hubs_csv or settings.SITES_CSV)
    if not source.is_file():
        return [(district_xy, DISTRICT_HUB_SPREAD_M, 1.0)]
    _, records = read_rows(read_registry_text(source))
    lonlat = np.array(
        [(float(r["lon"]), float(r["lat"])) for _, r in records if r.get("lat") and r.get("lon")]
    )
    to_metric = transformer(settings.CRS_STORAGE, settings.CRS_METRIC)
    registry_xy = np.column_stack(to_metric.transform(lonlat[:, 0], lonlat[:, 1]))
    return [
        (registry_xy, REGISTRY_HUB_SPREAD_M, REGISTRY_HUB_SHARE),
        (district_xy, DISTRICT_HUB_SPREAD_M, 1.0 - REGISTRY_HUB_SHARE),
    ]


def _place(
    count: int,
    rng: np.random.Generator,
    shape: shapely.Geometry,
    hubs: list[tuple[np.ndarray, float, float]],
) -> tuple[np.ndarray, np.ndarray]:
    """Scatter points around the hubs; redraw those outside ``shape`` until all are inside."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    placed = 0
    for _ in range(_MAX_PLACEMENT_ROUNDS):
        need = count - placed
        if need <= 0:
            break
        which = rng.choice(len(hubs), size=need, p=[share for _, _, share in hubs])
        x = np.empty(need)
        y = np.empty(need)
        for index, (centres, spread, _) in enumerate(hubs):
            chosen = which == index
            picked = centres[rng.integers(0, len(centres), size=int(chosen.sum()))]
            x[chosen] = picked[:, 0] + rng.normal(0.0, spread, size=len(picked))
            y[chosen] = picked[:, 1] + rng.normal(0.0, spread, size=len(picked))
        inside = shapely.contains_xy(shape, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        placed += int(inside.sum())
    else:
        raise RuntimeError(f"could not place {count} sites inside the Midlands outline")
    return np.concatenate(xs)[:count], np.concatenate(ys)[:count]


def _capabilities(count: int, rng: np.random.Generator, kinds: np.ndarray) -> list[list[str]]:
    """Draw 1-3 distinct capabilities per site, weighted (Gumbel top-k: no Python loop)."""
    slugs = list(CAPABILITY_WEIGHTS)
    keys = np.log(np.array(list(CAPABILITY_WEIGHTS.values()))) + rng.gumbel(
        size=(count, len(slugs))
    )
    order = np.argsort(-keys, axis=1)
    sizes = rng.choice(len(CAPABILITY_COUNT_SHARES), size=count, p=CAPABILITY_COUNT_SHARES) + 1
    drawn = []
    for row, size, kind in zip(order, sizes, kinds, strict=True):
        caps = [slugs[j] for j in row[:size]]
        main = KIND_MAIN_CAPABILITY.get(str(kind))
        if main:
            caps = [main, *[c for c in caps if c != main]][:size]
        drawn.append(caps)
    return drawn


def _describe(sites: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
    """Fill in names, organisations, towns, descriptions and sources (in place)."""
    count = len(sites)
    places = np.where(sites["ward_name"] != "", sites["ward_name"], sites["lad_name"])
    places = np.where(places == "", "Midlands", places)
    words = rng.integers(0, len(_NAME_WORDS), size=count)
    trades = rng.integers(0, len(_TRADES), size=(count, 2))
    variants = rng.integers(0, 6, size=count)
    primes = rng.integers(0, len(_PRIMES), size=count)
    names, organisations, descriptions = [], [], []
    for i, (place, kind, caps, district) in enumerate(
        zip(places, sites["kind"], sites["capabilities"], sites["lad_name"], strict=True)
    ):
        if kind == "supplier":
            if variants[i] == 0:
                name = f"{place} {_TRADES[trades[i, 0]]} & {_TRADES[trades[i, 1]]}"
            else:
                name = f"{place} {_NAME_WORDS[words[i]]} {_TRADES[trades[i, 0]]}"
            organisation = f"{name} Ltd"
        elif kind == "prime":
            organisation = f"{_PRIMES[primes[i]]} plc"
            name = f"{_PRIMES[primes[i]]} {place} {_KIND_NAMES['prime'][variants[i] % 3]}"
        else:
            options = _KIND_NAMES[str(kind)]
            name = f"{place} {options[variants[i] % len(options)]}"
            organisation = f"{name} (synthetic)"
        labels = [vocabulary.capability_label(c).lower() for c in caps]
        descriptions.append(
            f"Synthetic {vocabulary.kind_label(str(kind)).lower()} in "
            f"{district or 'the Midlands'} working on {'; '.join(labels)}."
        )
        names.append(name)
        organisations.append(organisation)
    sites["name"] = names
    sites["organisation"] = organisations
    sites["town"] = places
    sites["description"] = descriptions
    sites["source_url"] = "https://example.org/synthetic-registry/" + sites["site_id"]


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic registry CSV."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synthetic", description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--boundaries", default=str(settings.BOUNDARIES_DIR))
    parser.add_argument(
        "--realistic", action="store_true", help="long text, sources and postcodes, as real rows"
    )
    args = parser.parse_args(argv)
    sites = synthetic_sites(
        args.count, seed=args.seed, boundaries_dir=args.boundaries, realistic=args.realistic
    )
    print(f"wrote {len(sites)} sites to {write_registry(sites, args.path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
