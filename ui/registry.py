"""The registry the page shows: from the cache, or what is wrong with it and how to fix it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

import settings
from layers._errors import BoundaryDataMissingError, SiteValidationError
from ui import caches
from ui.text import plain

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedData:
    """The registry and what it was made from.

    Attributes
    ----------
    sites
        The validated registry with its areas (shared by every session: never modify it).
    version
        The short data version of the registry and boundaries (links and exports carry it).
    stamps
        The stamps of the files behind the data, which key every cache.
    """

    sites: gpd.GeoDataFrame
    version: str
    stamps: caches.DataStamps


def load_registry() -> LoadedData:
    """Load the registry, or show what is wrong and how to fix it, and stop the page."""
    path = Path(settings.SITES_CSV)
    directory = str(settings.BOUNDARIES_DIR)
    stamps = caches.current_stamps()
    try:
        sites = caches.cached_registry(
            str(path), directory, stamps.registry, stamps.boundaries, stamps.postcodes
        )
        version = caches.cached_version(str(path), directory, stamps.registry, stamps.boundaries)
        return LoadedData(sites=sites, version=version, stamps=stamps)
    except BoundaryDataMissingError as exc:
        logger.exception("boundaries missing")
        st.error(
            "The boundaries are not built yet. Run `make data` (or `python -m "
            f"layers.boundaries build`), then reload this page.\n\nDetail: {plain(exc)}"
        )
    except FileNotFoundError:
        st.error(f"The sites registry {plain(path)} does not exist. Check `MIDLANDS_SITES_CSV`.")
    except SiteValidationError as exc:
        logger.warning("registry %s has %d problems", path, len(exc.problems))
        st.error(
            f"The sites registry {plain(path)} has {len(exc.problems)} problem(s), listed "
            "below. Fix them in the CSV (or point `MIDLANDS_SITES_CSV` at another file) "
            "and reload."
        )
        st.dataframe(pd.DataFrame({"problem": exc.problems}), hide_index=True, width="stretch")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises
