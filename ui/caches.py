"""What the app keeps between reruns and sessions, keyed on every file it was made from.

A cache entry is keyed on the files behind it (:class:`DataStamps`): the registry file, the
boundaries manifest, the road graph file and the postcode index manifest. A rebuilt layer
therefore changes the key, and the next rerun reads it without a restart.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st

import settings
from layers import boundaries, clusters, postcodes, provenance
from layers import corridor as belt
from layers import uploads as user_lists
from layers.sites import load_sites
from mapping.livemap import BASE_LAYERS, MapBase, build_base

#: The stamp of a file that is not there.
ABSENT = "absent"


@dataclass(frozen=True)
class DataStamps:
    """Short stamps of the files the app's data is made from; any change changes a stamp.

    Attributes
    ----------
    registry
        The registry file: its path, modification time and size.
    boundaries
        The boundaries folder and the content of its manifest (rewritten by every build).
    road_graph
        The strategic road graph file (its path and modification time), or absent.
    postcodes
        The postcode index manifest's content (empty when the index is not built).
    """

    registry: str
    boundaries: str
    road_graph: str
    postcodes: str


def file_stamp(path: str | Path) -> str:
    """Return a stamp of the file at ``path``: its path, modification time and size."""
    source = Path(path)
    try:
        found = source.stat()
    except OSError:
        return f"{source}:{ABSENT}"
    return f"{source}:{found.st_mtime_ns}:{found.st_size}"


def manifest_stamp(manifest: dict[str, Any]) -> str:
    """Return a short hash of a manifest's content (the same for equal manifests)."""
    text = json.dumps(manifest, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def current_stamps() -> DataStamps:
    """Return the stamps of the files the settings point at now (read on every rerun)."""
    directory = settings.BOUNDARIES_DIR
    return DataStamps(
        registry=file_stamp(settings.SITES_CSV),
        boundaries=f"{directory}:{manifest_stamp(boundaries.read_manifest(directory))}",
        road_graph=file_stamp(settings.ROAD_GRAPH_PATH),
        postcodes=manifest_stamp(postcodes.read_manifest()),
    )


@st.cache_resource(show_spinner="Loading the sites registry…", max_entries=4)
def cached_registry(
    path: str, boundaries_dir: str, registry: str, boundary_layers: str, postcode_index: str
) -> gpd.GeoDataFrame:
    """Return the validated registry, shared by every session (never modify it).

    ``registry``, ``boundary_layers`` and ``postcode_index`` are the stamps of the files it is
    checked and placed with: they key the cache, so an edited or rebuilt file is read again.
    """
    del registry, boundary_layers, postcode_index
    return load_sites(path, boundaries_dir=boundaries_dir)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_version(path: str, boundaries_dir: str, registry: str, boundary_layers: str) -> str:
    """Return the short data version of the registry and boundaries (keyed on their stamps)."""
    del registry, boundary_layers
    return provenance.data_version(path, boundaries_dir=boundaries_dir)


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_outline(boundaries_dir: str, boundary_layers: str) -> gpd.GeoDataFrame:
    """Return the Midlands outline (shared; never modify it), keyed on the boundaries' stamp."""
    del boundary_layers
    return boundaries.load_layer("midlands", directory=boundaries_dir)


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_map_base(boundaries_dir: str, boundary_layers: str, *, wards: bool) -> MapBase:
    """Return the live map's base (shared; immutable), keyed on the boundaries' stamp.

    ``wards`` adds the 1,534 wards (about 1.3 MB more, sent to a browser once when asked for).
    """
    del boundary_layers
    layers = (*BASE_LAYERS, "wards") if wards else BASE_LAYERS
    return build_base(boundaries_dir=boundaries_dir, layers=layers)


@st.cache_data(show_spinner="Computing the Defence Belt…", max_entries=64)
def cached_corridor(
    _sites: gpd.GeoDataFrame,
    site_ids: tuple[str, ...],
    width_km: float,
    mode: str,
    version: str,
    stamps: tuple[str, str],
) -> gpd.GeoDataFrame:
    """Return the belt of the selected sites.

    ``site_ids``, the width, the mode, the data version and ``stamps`` (the boundaries' and
    the road graph's, from :class:`DataStamps`) key it: a new road graph is used at once.
    """
    del site_ids, version
    boundary_layers, _ = stamps
    directory = str(settings.BOUNDARIES_DIR)
    return belt.build_corridor(
        _sites,
        width_km=width_km,
        mode=mode,  # type: ignore[arg-type]
        outline=cached_outline(directory, boundary_layers),
        road_graph_path=settings.ROAD_GRAPH_PATH,
    )


def corridor_of(
    sites: gpd.GeoDataFrame, *, width_km: float, mode: str, version: str, stamps: DataStamps
) -> gpd.GeoDataFrame:
    """Return the belt of ``sites`` from the cache (computed the first time it is asked for)."""
    return cached_corridor(sites, *_belt_key(sites, width_km, mode, version, stamps))


def _belt_key(
    sites: gpd.GeoDataFrame, width_km: float, mode: str, version: str, stamps: DataStamps
) -> tuple[tuple[str, ...], float, str, str, tuple[str, str]]:
    """Return what makes one belt, as the cached functions take it.

    The sites' ids, the width, the mode, the data version and the boundaries' and road graph's
    stamps: :func:`cached_corridor` and :func:`cached_belt_headline` are keyed alike.
    """
    site_ids = tuple(sorted(sites["site_id"]))
    return site_ids, float(width_km), mode, version, (stamps.boundaries, stamps.road_graph)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_belt_headline(
    _sites: gpd.GeoDataFrame,
    _corridor: gpd.GeoDataFrame,
    site_ids: tuple[str, ...],
    width_km: float,
    mode: str,
    version: str,
    stamps: tuple[str, str],
) -> str:
    """Return the belt's first headline ("The belt holds 70% of the selected sites ...").

    Keyed like :func:`cached_corridor` (the sites' ids, the width, the mode, the data version
    and the boundaries' and road graph's stamps), which makes the same belt.
    """
    del site_ids, width_km, mode, version, stamps
    return belt.corridor_summary(_sites, _corridor).headlines()[0]


def belt_headline(
    sites: gpd.GeoDataFrame,
    corridor: gpd.GeoDataFrame,
    *,
    width_km: float,
    mode: str,
    version: str,
    stamps: DataStamps,
) -> str:
    """Return the belt's first headline from the cache (worded the first time it is asked for)."""
    return cached_belt_headline(sites, corridor, *_belt_key(sites, width_km, mode, version, stamps))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_analysis(
    _sites: gpd.GeoDataFrame, site_ids: tuple[str, ...], version: str
) -> tuple[gpd.GeoDataFrame, list[list[float]]]:
    """Return the clusters and the density heat points of the selected sites."""
    del site_ids, version
    found = clusters.find_clusters(_sites)
    heat = clusters.density_surface(_sites)[["lat", "lon", "weight"]].to_numpy().tolist()
    return found, heat


@st.cache_data(show_spinner="Reading your file…", max_entries=8)
def cached_upload_table(data: bytes, name: str) -> user_lists.UploadTable:
    """Return an uploaded file read into rows (keyed by its bytes and name)."""
    return user_lists.read_table(data, name=name)


@st.cache_data(show_spinner="Placing your sites…", max_entries=8)
def cached_upload_sites(
    data: bytes,
    name: str,
    column_map: tuple[tuple[str, str], ...],
    version: str,
    postcode_index: str,
    _registry: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[user_lists.UploadProblem]]:
    """Return the placed sites and the problems of an upload.

    Keyed by the file's bytes and name, the column choices, the data version (registry and
    boundaries) and the postcode index's stamp, so a newly built index places postcode rows.
    """
    del version, postcode_index
    return user_lists.read_user_sites(
        cached_upload_table(data, name),
        column_map=dict(column_map),
        registry=_registry,
        boundaries_dir=settings.BOUNDARIES_DIR,
    )
