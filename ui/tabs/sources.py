"""The Data and sources tab: the data version, where each layer came from, licences."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

import settings
from layers import blueprint, provenance, vocabulary
from mapping import credits
from ui.text import plain


def sources_tab(version: str, sites: gpd.GeoDataFrame) -> None:
    """Show the data version, retrieval dates, licences and attribution."""
    st.markdown(
        f"**Data version** `{version}` (registry and boundaries); links and exports carry it."
    )
    st.markdown(
        f"**Sites registry**: {plain(settings.SITES_CSV.name)}, {len(sites)} sites, each "
        "with a public source and a location precision; checked between "
        f"{plain(sites['last_checked'].min())} and {plain(sites['last_checked'].max())}."
    )
    precision = sites["location_precision"].value_counts()
    st.caption(" · ".join(f"{vocabulary.PRECISIONS[k]}: {int(v)}" for k, v in precision.items()))
    st.markdown("**Boundaries** (ONS Open Geography Portal)")
    st.dataframe(
        pd.DataFrame(provenance.sources(settings.BOUNDARIES_DIR)), hide_index=True, width="stretch"
    )
    st.markdown("**Licences and attribution**")
    st.text(settings.ONS_ATTRIBUTION)
    st.text(f"{credits.postcode_source()}. {credits.postcode_attribution()}")
    st.text(credits.postcode_licence())
    st.text(f"OpenStreetMap data (where shown): {settings.OSM_ATTRIBUTION}")
    st.markdown(f"**Headline figures**: {blueprint.BLUEPRINT_TITLE}.")
    st.dataframe(
        pd.DataFrame(
            [
                {"figure": f.label, "value": f.display, "wording": f.wording, "section": f.section}
                for f in blueprint.HEADLINE_FIGURES
            ]
        ),
        hide_index=True,
        width="stretch",
    )
