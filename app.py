"""Midlands Defence Capability Map: the Streamlit app.

This file only wires widgets to the layer and mapping functions: it holds no geometry code.
Run it with ``make run``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import settings
from layers import areas, blueprint, filters, provenance, vocabulary
from layers._errors import BoundaryDataMissingError, SiteValidationError
from layers.sites import load_sites
from mapping import build_map
from mapping.basemap import BASEMAPS
from mapping.choropleth import build_choropleth

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
logger = logging.getLogger("app")

st.set_page_config(
    page_title="Midlands Defence Capability Map",
    page_icon="🛡️",
    layout="wide",
    initial_sidebar_state="expanded",
)


@st.cache_resource(show_spinner="Loading the sites registry…")
def cached_registry(path: str, modified: float, boundaries_dir: str) -> gpd.GeoDataFrame:
    """Return the validated registry, shared by every session (never modify it)."""
    del modified  # part of the cache key: an edited registry is loaded again
    return load_sites(path, boundaries_dir=boundaries_dir)


@st.cache_data(show_spinner=False)
def cached_version(path: str, modified: float, boundaries_dir: str) -> str:
    """Return the short data version of the registry and boundaries in use."""
    del modified
    return provenance.data_version(path, boundaries_dir=boundaries_dir)


def load_registry() -> tuple[gpd.GeoDataFrame, str]:
    """Load the registry (or show what is wrong and stop the page)."""
    path = Path(settings.SITES_CSV)
    directory = str(settings.BOUNDARIES_DIR)
    try:
        modified = path.stat().st_mtime
        sites = cached_registry(str(path), modified, directory)
        return sites, cached_version(str(path), modified, directory)
    except BoundaryDataMissingError as exc:
        logger.exception("boundaries missing")
        st.error(
            f"The boundaries are not built yet. Run `make data` (or `python -m "
            f"layers.boundaries build`), then reload this page.\n\nDetail: {exc}"
        )
    except FileNotFoundError:
        st.error(f"The sites registry `{path}` does not exist. Check `MIDLANDS_SITES_CSV`.")
    except SiteValidationError as exc:
        logger.warning("registry %s has %d problems", path, len(exc.problems))
        st.error(
            f"The sites registry `{path}` has {len(exc.problems)} problem(s), listed "
            "below. Fix them in the CSV (or point `MIDLANDS_SITES_CSV` at another file) "
            "and reload."
        )
        st.dataframe(pd.DataFrame({"problem": exc.problems}), hide_index=True, width="stretch")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def init_state_from_url(sites: gpd.GeoDataFrame) -> None:
    """On a session's first run, set the widgets from the URL's query parameters."""
    if st.session_state.get("_from_url_done"):
        return
    st.session_state["_from_url_done"] = True
    criteria = filters.from_query(st.query_params.to_dict())
    known = set(sites["lad_code"]) | set(sites["county_code"]) | set(sites["ca_code"])
    problems = filters.filter_problems(criteria, known_areas=known - {""})
    if problems:
        st.session_state["_url_problems"] = problems
    st.session_state["f_caps"] = [c for c in criteria.capabilities if c in vocabulary.CAPABILITIES]
    st.session_state["f_kinds"] = [k for k in criteria.kinds if k in vocabulary.KINDS]
    for key, column in (("f_ca", "ca_code"), ("f_county", "county_code"), ("f_lad", "lad_code")):
        st.session_state[key] = [a for a in criteria.areas if a in set(sites[column])]
    st.session_state["f_text"] = criteria.text
    st.session_state["f_belt"] = criteria.in_belt
    st.session_state["link_version"] = st.query_params.get("v", "")


def area_options(sites: gpd.GeoDataFrame, code: str, name: str) -> dict[str, str]:
    """Return area code -> name for the areas that hold at least one site."""
    pairs = sites.loc[sites[code] != "", [code, name]].drop_duplicates().sort_values(name)
    return dict(zip(pairs[code], pairs[name], strict=True))


def sidebar(sites: gpd.GeoDataFrame) -> tuple[filters.SiteFilter, dict[str, object]]:
    """Draw the filters and map options; return the filter and the options."""
    bar = st.sidebar
    bar.header("Filter the sites")
    cap_counts = filters.capability_counts(sites)
    bar.multiselect(
        "Capabilities",
        options=list(vocabulary.CAPABILITIES),
        key="f_caps",
        format_func=lambda s: f"{vocabulary.capability_label(s)} ({cap_counts[s]})",
        help="Sites with any of the chosen capabilities.",
    )
    kind_counts = filters.kind_counts(sites)
    bar.multiselect(
        "Kinds of site",
        options=list(vocabulary.KINDS),
        key="f_kinds",
        format_func=lambda s: f"{vocabulary.kind_label(s)} ({kind_counts[s]})",
    )
    with bar.expander(
        "Areas",
        expanded=bool(
            st.session_state.get("f_ca")
            or st.session_state.get("f_county")
            or st.session_state.get("f_lad")
        ),
    ):
        chosen: list[str] = []
        for key, code, name, label in (
            ("f_ca", "ca_code", "ca_name", "Combined authority"),
            ("f_county", "county_code", "county_name", "County or unitary authority"),
            ("f_lad", "lad_code", "lad_name", "District (LAD)"),
        ):
            options = area_options(sites, code, name)
            chosen += st.multiselect(
                label, options=list(options), key=key, format_func=lambda c, o=options: o.get(c, c)
            )
    bar.text_input(
        "Search name, organisation, description",
        key="f_text",
        placeholder="e.g. Rolls-Royce, rehabilitation",
    )
    bar.header("Map")
    options: dict[str, object] = {
        "basemap": bar.radio(
            "Basemap", options=list(BASEMAPS), format_func=BASEMAPS.get, key="o_basemap"
        ),
        "cluster_markers": bar.toggle("Cluster nearby markers", value=True, key="o_cluster"),
        "show_wards": bar.toggle("Show wards (1,534; slower)", value=False, key="o_wards"),
    }
    criteria = filters.SiteFilter(
        capabilities=tuple(st.session_state.get("f_caps", [])),
        kinds=tuple(st.session_state.get("f_kinds", [])),
        areas=tuple(chosen),
        text=st.session_state.get("f_text", ""),
    )
    return criteria, options


def kpi_strip(selected: gpd.GeoDataFrame, total: int) -> None:
    """Show live counts of the selection, then the Blueprint's headline figures."""
    live = st.columns(4)
    live[0].metric("Sites selected", f"{len(selected)}", help=f"of {total} in the registry")
    live[1].metric("Organisations", f"{selected['organisation'].nunique()}")
    districts = selected.loc[selected["lad_code"] != "", "lad_code"].nunique()
    live[2].metric("Districts covered", f"{districts}", help="of the Midlands' 67")
    caps = filters.capability_counts(selected)
    live[3].metric(
        "Capabilities present",
        f"{sum(1 for v in caps.values() if v)}",
        help="of the 15 in the Blueprint vocabulary",
    )
    st.caption(f"Headline figures from the {blueprint.BLUEPRINT_TITLE}")
    figures = st.columns(len(blueprint.HEADLINE_FIGURES))
    for column, item in zip(figures, blueprint.HEADLINE_FIGURES, strict=True):
        column.markdown(f"**{item.display}**  \n{item.label}", help=item.wording)
        column.caption(item.citation)


def sites_tab(selected: gpd.GeoDataFrame) -> None:
    """Show a sortable table of the selected sites."""
    table = pd.DataFrame(selected.drop(columns="geometry"))
    table["capabilities"] = table["capabilities"].map(
        lambda caps: "; ".join(vocabulary.capability_label(c) for c in caps)
    )
    table["kind"] = table["kind"].map(vocabulary.kind_label)
    shown = [
        "name",
        "organisation",
        "kind",
        "capabilities",
        "town",
        "lad_name",
        "ca_name",
        "location_precision",
        "source_url",
        "last_checked",
    ]
    st.dataframe(
        table[shown],
        hide_index=True,
        width="stretch",
        column_config={
            "name": "Site",
            "organisation": "Organisation",
            "kind": "Kind",
            "capabilities": st.column_config.TextColumn("Capabilities", width="large"),
            "town": "Town",
            "lad_name": "District",
            "ca_name": "Combined authority",
            "location_precision": "Location",
            "last_checked": "Checked",
            "source_url": st.column_config.LinkColumn("Source", display_text="open"),
        },
    )


def areas_tab(selected: gpd.GeoDataFrame) -> None:
    """Show sites per authority by capability, with a choropleth."""
    level = st.radio(
        "Areas",
        options=list(areas.LEVELS),
        horizontal=True,
        key="a_level",
        format_func=lambda key: areas.LEVELS[key][3],
    )
    table = areas.capability_table(selected, level=level)
    left, right = st.columns([3, 2])
    with left:
        nonzero = ["Area", "Code", "Sites", *[c for c in table.columns[3:] if table[c].sum()]]
        st.dataframe(table[nonzero], hide_index=True, width="stretch")
    with right:
        choropleth = build_choropleth(
            table,
            layer=areas.LEVELS[level][2],
            caption=f"Selected sites per {areas.LEVELS[level][3]}",
            boundaries_dir=settings.BOUNDARIES_DIR,
        )
        st_folium(
            choropleth,
            height=480,
            use_container_width=True,
            returned_objects=[],
            key=f"choropleth-{level}",
        )


def sources_tab(version: str, sites: gpd.GeoDataFrame) -> None:
    """Show the data version, retrieval dates, licences and attribution."""
    st.markdown(
        f"**Data version** `{version}` (registry and boundaries); links and exports carry it."
    )
    st.markdown(
        f"**Sites registry**: `{settings.SITES_CSV.name}`, {len(sites)} sites, each "
        "with a public source and a location precision; checked between "
        f"{sites['last_checked'].min()} and {sites['last_checked'].max()}."
    )
    precision = sites["location_precision"].value_counts()
    st.caption(" · ".join(f"{vocabulary.PRECISIONS[k]}: {int(v)}" for k, v in precision.items()))
    st.markdown("**Boundaries** (ONS Open Geography Portal)")
    st.dataframe(
        pd.DataFrame(provenance.sources(settings.BOUNDARIES_DIR)), hide_index=True, width="stretch"
    )
    st.markdown("**Licences and attribution**")
    st.text(settings.ONS_ATTRIBUTION)
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


def main() -> None:
    """Draw the page."""
    sites, version = load_registry()
    init_state_from_url(sites)
    criteria, options = sidebar(sites)
    selected = filters.select_sites(sites, criteria)
    st.query_params.from_dict({**filters.to_query(criteria), "v": version})

    st.title("Midlands Defence Capability Map")
    st.caption(
        "Who and what is where across the Midlands Defence Belt: sites by capability, "
        "kind and authority, from a sourced registry and official ONS boundaries. "
        f"Showing: {criteria.describe()}."
    )
    for problem in st.session_state.pop("_url_problems", []):
        st.warning(f"The link asked for something this data does not have: {problem}.")
    link_version = st.session_state.get("link_version")
    if link_version and link_version != version:
        st.info(
            f"This link was made with data version {link_version}; the data has changed "
            f"since (now {version}), so counts may differ."
        )
    kpi_strip(selected, len(sites))
    fmap = build_map(
        selected,
        boundaries_dir=settings.BOUNDARIES_DIR,
        basemap=str(options["basemap"]),
        cluster_markers=bool(options["cluster_markers"]),
        show_wards=bool(options["show_wards"]),
    )
    st_folium(fmap, height=640, use_container_width=True, returned_objects=[], key="site-map")
    tab_sites, tab_areas, tab_sources = st.tabs(["Sites", "Areas", "Data and sources"])
    with tab_sites:
        sites_tab(selected)
    with tab_areas:
        areas_tab(selected)
    with tab_sources:
        sources_tab(version, sites)


main()
