"""Midlands Defence Capability Map: the Streamlit app.

This file only wires widgets to the layer and mapping functions: it holds no geometry code.
Run it with ``make run``.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import settings
from layers import (
    areas,
    blueprint,
    boundaries,
    clusters,
    estates,
    filters,
    provenance,
    timeline,
    vocabulary,
)
from layers import corridor as belt
from layers import uploads as user_lists
from layers._errors import BoundaryDataMissingError, SiteValidationError
from layers.sites import load_sites
from mapping import bidpack, build_map, export, scenes, slides, standalone
from mapping.basemap import BASEMAPS
from mapping.choropleth import build_choropleth

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
logger = logging.getLogger("app")

PRESENTING = "scene" in st.query_params
#: The first year the year control offers.
FIRST_YEAR = 2020
st.set_page_config(
    page_title="Midlands Defence Capability Map",
    page_icon="🛡️",
    layout="wide",
    initial_sidebar_state="collapsed" if PRESENTING else "expanded",
)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(value: object) -> str:
    """Return ``value`` with every Markdown character escaped.

    Text from a link, a file or the registry then shows as itself and never becomes a link,
    an image or formatting.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(value))


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


@st.cache_resource(show_spinner=False)
def cached_outline(boundaries_dir: str) -> gpd.GeoDataFrame:
    """Return the Midlands outline (shared; never modify it)."""
    return boundaries.load_layer("midlands", directory=boundaries_dir)


@st.cache_data(show_spinner="Computing the Defence Belt…", max_entries=64)
def cached_corridor(
    _sites: gpd.GeoDataFrame, site_ids: tuple[str, ...], width_km: float, mode: str, version: str
) -> gpd.GeoDataFrame:
    """Return the belt of the selected sites; ``site_ids``, width, mode and version key it."""
    del site_ids, version
    return belt.build_corridor(
        _sites,
        width_km=width_km,
        mode=mode,  # type: ignore[arg-type]
        outline=cached_outline(str(settings.BOUNDARIES_DIR)),
    )


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
    _registry: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[user_lists.UploadProblem]]:
    """Return the placed sites and the problems of an upload (keyed by bytes, mapping, data)."""
    del version
    return user_lists.read_user_sites(
        cached_upload_table(data, name),
        column_map=dict(column_map),
        registry=_registry,
        boundaries_dir=settings.BOUNDARIES_DIR,
    )


def uploads_panel(sites: gpd.GeoDataFrame, version: str) -> gpd.GeoDataFrame | None:
    """Let a user overlay their own list of sites; report every problem, keep every good row."""
    bar = st.sidebar
    bar.header("Your sites")
    uploaded = bar.file_uploader(
        "Overlay your own list (CSV, Excel or GeoJSON)",
        type=["csv", "xlsx", "geojson", "json"],
        key="u_file",
        max_upload_size=user_lists.MAX_FILE_BYTES // (1024 * 1024),
        help="Needs a name and lat/lon (or eastings/northings) per row; capabilities and kind "
        "are optional. Your file stays in this session and joins the map and exports.",
    )
    if uploaded is None:
        return None
    data = uploaded.getvalue()
    try:
        table = cached_upload_table(data, uploaded.name)
        column_map = user_lists.suggest_column_map(table.header)
        found, problems = cached_upload_sites(
            data, uploaded.name, tuple(sorted(column_map.items())), version, sites
        )
        ambiguous = user_lists.ambiguous_columns(table.header)
        refused = any(p.row == user_lists.WHOLE_FILE and not p.kept for p in problems)
        if ambiguous or refused:
            # a refused file may only need its columns named: offer every field then
            choices = (
                {f: ["", *table.header] for f in user_lists.UPLOAD_FIELDS} if refused else ambiguous
            )
            with bar.expander("Match your columns", expanded=True):
                for field, candidates in choices.items():
                    start = (
                        candidates.index(column_map[field])
                        if column_map.get(field) in candidates
                        else 0
                    )
                    column_map[field] = st.selectbox(
                        user_lists.UPLOAD_FIELDS.get(field, field),
                        options=candidates,
                        index=start,
                        key=f"u_map_{uploaded.file_id}_{field}",
                        format_func=lambda c: c or "(none)",
                    )
            found, problems = cached_upload_sites(
                data, uploaded.name, tuple(sorted(column_map.items())), version, sites
            )
    except Exception:  # a file we cannot read must not take the page down
        logger.exception("upload failed")
        bar.error(
            "Could not read that file. Save it as CSV (UTF-8) or .xlsx and try again; "
            "the details are in the app's log."
        )
        return None
    whole_file = [p for p in problems if p.row == user_lists.WHOLE_FILE and not p.kept]
    left_out = [p for p in problems if not p.kept and p.row != user_lists.WHOLE_FILE]
    notes = [p for p in problems if p.kept]
    for problem in whole_file:
        bar.error(plain(problem))
    if len(found):
        bar.success(f"{len(found)} of your sites are on the map.")
    if left_out or notes:
        bar.warning(f"{len({p.row for p in left_out})} row(s) left out, {len(notes)} note(s).")
    if problems:
        with bar.expander("What we found in your file"):
            st.dataframe(
                pd.DataFrame({"problem": [str(p) for p in problems]}),
                hide_index=True,
                width="stretch",
            )
            st.download_button(
                "Download the rows left out (CSV with a problem column)",
                user_lists.problems_csv(table, problems),
                "rows-to-fix.csv",
                mime="text/csv",
                on_click="ignore",
                key="u_problems",
            )
    return found


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
    first, last = year_range(sites)
    if criteria.as_of is not None and first <= criteria.as_of <= last:
        st.session_state["f_year"] = criteria.as_of
    width = st.query_params.get("w", "")
    if width.replace(".", "", 1).isdigit() and 2 <= float(width) <= 40:
        st.session_state["o_width"] = float(width)
    if st.query_params.get("mode") in belt.MODES:
        st.session_state["o_mode"] = st.query_params["mode"]
    st.session_state["link_version"] = st.query_params.get("v", "")


def year_range(sites: gpd.GeoDataFrame) -> tuple[int, int]:
    """Return the years the year control offers: 2020 to the year after the last closure.

    A site is on the map in the year it closes, so the year after the last announced closure
    is the first that shows the estate without it.
    """
    this_year = date.today().year
    closes = timeline.year_of(sites["closes"]).max() if "closes" in sites else None
    last = int(closes) + 1 if closes is not None and pd.notna(closes) else this_year
    return FIRST_YEAR, max(last, this_year)


def area_options(sites: gpd.GeoDataFrame, code: str, name: str) -> dict[str, str]:
    """Return area code -> name for the areas that hold at least one site."""
    pairs = sites.loc[sites[code] != "", [code, name]].drop_duplicates().sort_values(name)
    return dict(zip(pairs[code], pairs[name], strict=True))


def sidebar(sites: gpd.GeoDataFrame) -> tuple[filters.SiteFilter, dict[str, object]]:
    """Draw the filters and map options; return the filter and the options."""
    bar = st.sidebar
    bar.header("Filter the sites")
    state = st.session_state
    chosen_areas = [*state.get("f_ca", []), *state.get("f_county", []), *state.get("f_lad", [])]
    cap_counts, kind_counts = filters.facet_counts(
        sites,
        filters.SiteFilter(
            capabilities=tuple(state.get("f_caps", [])),
            kinds=tuple(state.get("f_kinds", [])),
            areas=tuple(chosen_areas),
            text=state.get("f_text", ""),
            as_of=state.get("f_year", date.today().year),
        ),
    )
    bar.multiselect(
        "Capabilities",
        options=list(vocabulary.CAPABILITIES),
        key="f_caps",
        format_func=lambda s: f"{vocabulary.capability_label(s)} ({cap_counts[s]})",
        help="Sites with any of the chosen capabilities; each count is what adding it would "
        "give with the other filters.",
    )
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
    first, last = year_range(sites)
    bar.slider(
        "Year",
        min_value=first,
        max_value=last,
        value=min(max(date.today().year, first), last),
        key="f_year",
        help="Sites open in that year: later openings and earlier closures are left out. "
        "Sites closing that year are marked.",
    )
    bar.header("Midlands Defence Belt")
    show_belt = bar.toggle(
        "Show the belt",
        value=True,
        key="o_belt",
        help="A computed model: hubs are clusters of the selected sites, joined by a spanning "
        "tree (or the strategic roads) and buffered.",
    )
    bar.checkbox("Inside the belt only", key="f_belt", disabled=not show_belt)
    width = bar.slider(
        "Belt width (km)",
        min_value=2.0,
        max_value=40.0,
        step=1.0,
        value=settings.CORRIDOR_WIDTH_KM,
        key="o_width",
        disabled=not show_belt,
    )
    mode = bar.radio(
        "Spine follows",
        options=list(belt.MODES),
        key="o_mode",
        horizontal=True,
        format_func={"straight": "Straight links", "roads": "Strategic roads"}.get,
        disabled=not show_belt,
        help="Strategic roads needs a road graph ('make roads', with internet); without one "
        "the belt says so and uses straight links.",
    )
    bar.header("Map")
    options: dict[str, object] = {
        "belt": show_belt,
        "width_km": width,
        "mode": mode,
        "clusters": bar.toggle("Show site clusters", value=False, key="o_clusters"),
        "heat": bar.toggle("Show density heat", value=False, key="o_heat"),
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
        in_belt=bool(show_belt and st.session_state.get("f_belt")),
        as_of=int(st.session_state.get("f_year", date.today().year)),
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
    table["status"] = [
        timeline.status_text(status, opened, closes)
        for status, opened, closes in zip(
            table["status"], table["opened"], table["closes"], strict=True
        )
    ]
    shown = [
        "name",
        "organisation",
        "kind",
        "status",
        "capabilities",
        "town",
        "postcode",
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
            "status": "Status",
            "capabilities": st.column_config.TextColumn("Capabilities", width="large"),
            "town": "Town",
            "postcode": "Postcode",
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
    left, right = st.columns([1, 1])
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


def belt_tab(base: gpd.GeoDataFrame, corridor: gpd.GeoDataFrame | None) -> None:
    """Show what the belt holds, by capability and by authority: the numbers a bid quotes."""
    if corridor is None:
        st.info("Turn on 'Show the belt' in the sidebar to compute the Defence Belt.")
        return
    for note in dict.fromkeys(n for n in corridor["note"].tolist() if n):
        st.caption(note)
    level = st.radio(
        "By",
        options=["ca", "county", "lad"],
        horizontal=True,
        key="b_level",
        format_func=lambda key: areas.LEVELS[key][3],
    )
    summary = belt.corridor_summary(base, corridor, level=level)  # type: ignore[arg-type]
    headlines = summary.headlines()
    st.markdown(f"**{headlines[0]}**")
    with st.expander("By capability (sentences to quote)", expanded=False):
        st.text("\n".join(headlines[1:]) or "No capability in the selection.")
    share = st.column_config.ProgressColumn(
        "Share inside", format="percent", min_value=0.0, max_value=1.0
    )
    left, right = st.columns(2)
    by_capability = summary.by_capability
    left.dataframe(
        by_capability.loc[
            by_capability["sites"] > 0,
            ["capability_label", "sites", "inside", "share", "top_area_name"],
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "capability_label": "Capability",
            "sites": "Sites",
            "inside": "Inside",
            "share": share,
            "top_area_name": "Most inside in",
        },
    )
    right.dataframe(
        summary.by_authority[["area_name", "sites", "inside", "share"]],
        hide_index=True,
        width="stretch",
        column_config={
            "area_name": areas.LEVELS[level][3],
            "sites": "Sites",
            "inside": "Inside",
            "share": share,
        },
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
    st.text(f"Postcode points (OS Code-Point Open): {settings.CODEPOINT_ATTRIBUTION}")
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


def export_tab(selection: export.Selection) -> None:
    """Offer downloads of exactly what the filters select, with provenance inside each.

    Each file is made only when its button is clicked (Streamlit calls the function then, off
    the page's rerun), so the tab costs nothing until someone downloads.
    """
    st.markdown(
        f"**{len(selection.sites)} sites** · {plain(selection.criteria.describe())} · data "
        f"version `{selection.data_version}`. Each file records the filters, data "
        "version, date and attribution."
    )
    downloads = [
        (
            "Bid pack (ZIP)",
            bidpack.bid_pack_name(selection),
            lambda: bidpack.build_bid_pack(selection),
            "application/zip",
        ),
        (
            "Sites · GeoJSON",
            "sites.geojson",
            lambda: export.geojson_text(export.geojson_collections(selection)["sites"]),
            "application/geo+json",
        ),
        (
            "Areas · GeoJSON",
            "areas.geojson",
            lambda: export.geojson_text(export.geojson_collections(selection)["areas"]),
            "application/geo+json",
        ),
        (
            "Sites · CSV",
            "sites.csv",
            lambda: export.sites_csv(selection).encode("utf-8-sig"),
            "text/csv",
        ),
        (
            "Google Earth · KML",
            "sites.kml",
            lambda: export.kml_document(selection),
            "application/vnd.google-earth.kml+xml",
        ),
        (
            "GeoPackage",
            "midlands-defence.gpkg",
            lambda: gpkg_bytes(selection),
            "application/geopackage+sqlite3",
        ),
        (
            "Offline HTML map",
            "map.html",
            lambda: standalone.standalone_html(selection).encode(),
            "text/html",
        ),
        ("Slide · PNG 1920×1080", "map.png", lambda: slides.render_slide(selection), "image/png"),
        (
            "Slide · PDF",
            "map.pdf",
            lambda: slides.render_slide(selection, fmt="pdf"),
            "application/pdf",
        ),
    ]
    columns = st.columns(3)
    for index, (label, name, make, mime) in enumerate(downloads):
        columns[index % 3].download_button(
            label,
            make,
            name,
            mime=mime,
            on_click="ignore",
            key=f"download-{name}",
            use_container_width=True,
        )
    command = export.command_line(
        selection.criteria,
        fmt="bidpack",
        output="bid-pack.zip",
        width_km=export.belt_width_km(selection),
        mode=export.belt_mode(selection),
    )
    st.caption("The same bid pack from the command line:")
    st.code(command, language="bash")


def gpkg_bytes(selection: export.Selection) -> bytes:
    """Return the selection as a GeoPackage file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        return export.write_gpkg(selection, Path(folder) / "export.gpkg").read_bytes()


def presenter(sites: gpd.GeoDataFrame, version: str) -> None:
    """Show one preset scene full width, with previous and next, for a pitch."""
    try:
        scene = scenes.scene_from_query(st.query_params.to_dict())
    except KeyError as exc:
        st.warning(f"{plain(exc.args[0])} Showing the overview.")
        scene = scenes.SCENES[0]
    if scene is None:
        return
    back, title, forward, leave = st.columns([1, 8, 1, 1])
    if back.button("◀ Previous", use_container_width=True):
        st.query_params.from_dict(scenes.scene_to_query(scenes.next_scene(scene, step=-1)))
        st.rerun()
    if forward.button("Next ▶", use_container_width=True):
        st.query_params.from_dict(scenes.scene_to_query(scenes.next_scene(scene)))
        st.rerun()
    if leave.button("Exit", use_container_width=True, help="Back to the explorer"):
        st.query_params.from_dict(filters.to_query(scene.filter))
        st.rerun()
    position = scenes.scene_index(scene.key) + 1
    title.markdown(f"## {scene.title}")
    title.caption(f"{scene.subtitle} · scene {position} of {len(scenes.SCENES)}")
    chosen = export.make_selection(
        sites,
        scene.filter,
        boundaries_dir=settings.BOUNDARIES_DIR,
        data_version=version,
        with_corridor=scene.show_belt,
    )
    fmap = build_map(
        chosen.sites,
        boundaries_dir=settings.BOUNDARIES_DIR,
        corridor=chosen.corridor if scene.show_belt else None,
        title=scene.title,
        subtitle=scene.subtitle,
        kpis=standalone.kpi_pairs(chosen),
        large_legend=True,
    )
    st_folium(
        fmap,
        center=list(scene.center),
        zoom=scene.zoom,
        height=820,
        use_container_width=True,
        returned_objects=[],
        key=f"presenter-{scene.key}",
    )
    st.caption(settings.ONS_ATTRIBUTION)
    st.stop()


def present_panel() -> None:
    """Let a presenter pick a scene and start presenting."""
    with st.sidebar:
        st.header("Present")
        choice = st.selectbox(
            "Presenter scenes",
            options=[s.key for s in scenes.SCENES],
            format_func=lambda key: scenes.scene_by_key(key).title,
            key="o_scene",
        )
        if st.button("Start presenting", use_container_width=True):
            st.query_params.from_dict(scenes.scene_to_query(scenes.scene_by_key(choice)))
            st.rerun()


def select_with_belt(
    sites: gpd.GeoDataFrame,
    criteria: filters.SiteFilter,
    options: dict[str, object],
    version: str,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, gpd.GeoDataFrame]:
    """Return the sites before the in-belt filter, the belt (or None), and the selection.

    The belt follows every filter but "inside the belt", which it then answers, so the two
    never chase each other.
    """
    base = filters.select_sites(sites, replace(criteria, in_belt=False))
    if not options["belt"]:
        return base, None, base
    corridor = cached_corridor(
        base,
        tuple(sorted(base["site_id"])),
        float(options["width_km"]),  # type: ignore[arg-type]
        str(options["mode"]),
        version,
    )
    if not criteria.in_belt:
        return base, corridor, base
    inside = belt.sites_in_corridor(base, corridor)
    return base, corridor, filters.select_sites(base, criteria, in_belt=inside)


def remember_in_url(criteria: filters.SiteFilter, options: dict[str, object], version: str) -> None:
    """Write the filters, belt settings and data version into the page's URL."""
    query = {**filters.to_query(criteria), "v": version}
    if options["belt"]:
        query.update(
            w=f"{float(options['width_km']):g}",  # type: ignore[arg-type]
            mode=str(options["mode"]),
        )
    st.query_params.from_dict(query)


def header(criteria: filters.SiteFilter, version: str) -> None:
    """Draw the title, what is shown, and any message about the link that opened the page."""
    st.title("Midlands Defence Capability Map")
    st.caption(
        "Who and what is where across the Midlands Defence Belt: sites by capability, "
        "kind and authority, from a sourced registry and official ONS boundaries. "
        f"Showing: {plain(criteria.describe())}."
    )
    for problem in st.session_state.pop("_url_problems", []):
        st.warning(f"The link asked for something this data does not have: {plain(problem)}.")
    link_version = st.session_state.get("link_version")
    if link_version and link_version != version:
        st.info(
            f"This link was made with data version {link_version}; the data has changed "
            f"since (now {version}), so counts may differ."
        )


def site_map(
    selected: gpd.GeoDataFrame,
    corridor: gpd.GeoDataFrame | None,
    options: dict[str, object],
    version: str,
    user_sites: gpd.GeoDataFrame | None,
) -> None:
    """Draw the map of the selection with the layers the sidebar asks for."""
    found_clusters, heat = None, None
    if options["clusters"] or options["heat"]:
        found_clusters, heat = cached_analysis(
            selected, tuple(sorted(selected["site_id"])), version
        )
    footprints = estates.load_estates()
    fmap = build_map(
        selected,
        boundaries_dir=settings.BOUNDARIES_DIR,
        basemap=str(options["basemap"]),
        cluster_markers=bool(options["cluster_markers"]),
        show_wards=bool(options["show_wards"]),
        corridor=corridor,
        clusters=found_clusters if options["clusters"] else None,
        heat_points=heat if options["heat"] else None,
        estates=None if footprints.empty else footprints,
        uploads=user_sites,
    )
    st_folium(fmap, height=640, use_container_width=True, returned_objects=[], key="site-map")


def main() -> None:
    """Draw the page."""
    sites, version = load_registry()
    if PRESENTING:
        presenter(sites, version)
    init_state_from_url(sites)
    criteria, options = sidebar(sites)
    uploaded = uploads_panel(sites, version)
    present_panel()
    user_sites = None
    if uploaded is not None and not uploaded.empty:
        user_sites = filters.select_sites(uploaded, replace(criteria, in_belt=False))
    base, corridor, selected = select_with_belt(sites, criteria, options, version)
    if user_sites is not None and criteria.in_belt and corridor is not None:
        inside = belt.sites_in_corridor(user_sites, corridor)
        user_sites = filters.select_sites(user_sites, criteria, in_belt=inside)
    remember_in_url(criteria, options, version)

    header(criteria, version)
    kpi_strip(selected, len(sites))
    site_map(selected, corridor, options, version, user_sites)
    if corridor is not None:
        st.caption(
            belt.corridor_summary(base, corridor).headlines()[0] + " The belt is a "
            "computed model, not a drawn boundary: the Defence Belt tab says how."
        )
    tab_sites, tab_areas, tab_belt, tab_export, tab_sources = st.tabs(
        ["Sites", "Areas", "Defence Belt", "Export", "Data and sources"]
    )
    with tab_sites:
        sites_tab(selected)
        if user_sites is not None and not user_sites.empty:
            st.markdown(f"**Your uploaded sites** ({len(user_sites)} shown with the filters)")
            sites_tab(user_sites)
    with tab_areas:
        areas_tab(selected)
    with tab_belt:
        belt_tab(base, corridor)
    with tab_export:
        everything = sites if uploaded is None else pd.concat([sites, uploaded], ignore_index=True)
        export_tab(
            export.make_selection(
                everything,  # uploads join the exports, filtered like the registry
                criteria,
                boundaries_dir=settings.BOUNDARIES_DIR,
                data_version=version,
                corridor=corridor,
            )
        )
    with tab_sources:
        sources_tab(version, sites)


main()
