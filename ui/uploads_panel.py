"""The sidebar's "Your sites" panel: a user's own list, placed, checked and reported."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers import uploads as user_lists
from ui import caches
from ui.text import plain

logger = logging.getLogger(__name__)

#: The upload's help text: what a row needs, and where the file goes.
UPLOAD_HELP = (
    "Needs a name and lat/lon, eastings/northings or a postcode per row; capabilities and kind "
    "are optional. Your file stays in this session and joins the map and exports."
)
#: The field of a whole-file problem about the postcode index: the rows with coordinates are
#: still placed, so it is a warning, not a refusal.
POSTCODES_FIELD = "postcodes"


@dataclass(frozen=True)
class Upload:
    """A user's uploaded list: the sites placed from it and the file's name (for the credits)."""

    sites: gpd.GeoDataFrame
    name: str


def _refused(problems: list[user_lists.UploadProblem]) -> bool:
    """Say whether a whole-file error (other than the postcode index) refused the file."""
    return any(
        p.row == user_lists.WHOLE_FILE and not p.kept and p.field != POSTCODES_FIELD
        for p in problems
    )


def _choose_columns(
    column_map: dict[str, str], choices: dict[str, list[str]], file_id: str
) -> None:
    """Let the user name the column of each field in ``choices`` (updates ``column_map``)."""
    with st.sidebar.expander("Match your columns", expanded=True):
        for field, candidates in choices.items():
            current = column_map.get(field)
            column_map[field] = st.selectbox(
                user_lists.UPLOAD_FIELDS.get(field, field),
                options=candidates,
                index=candidates.index(current) if current in candidates else 0,
                key=f"u_map_{file_id}_{field}",
                format_func=lambda c: c or "(none)",
            )


def _report(
    table: user_lists.UploadTable,
    found: gpd.GeoDataFrame,
    problems: list[user_lists.UploadProblem],
) -> None:
    """Say how many sites are on the map and list every problem, with the rows to fix."""
    bar = st.sidebar
    whole_file = [p for p in problems if p.row == user_lists.WHOLE_FILE]
    rows = [p for p in problems if p.row != user_lists.WHOLE_FILE]
    for problem in whole_file:
        if problem.field == POSTCODES_FIELD:
            bar.warning(plain(problem))
        elif not problem.kept:
            bar.error(plain(problem))
    if len(found):
        bar.success(f"{len(found)} of your sites are on the map.")
    left_out = [p for p in rows if not p.kept]
    notes = [p for p in problems if p.kept]
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


def uploads_panel(
    sites: gpd.GeoDataFrame, version: str, stamps: caches.DataStamps
) -> Upload | None:
    """Let a user overlay their own list of sites; report every problem, keep every good row.

    Returns the placed sites and the file's name, or None when no file is uploaded or it
    could not be read at all.
    """
    bar = st.sidebar
    bar.header("Your sites")
    uploaded = bar.file_uploader(
        "Overlay your own list (CSV, Excel or GeoJSON)",
        type=["csv", "xlsx", "geojson", "json"],
        key="u_file",
        max_upload_size=user_lists.MAX_FILE_BYTES // (1024 * 1024),
        help=UPLOAD_HELP,
    )
    if uploaded is None:
        return None
    data, name = uploaded.getvalue(), uploaded.name

    def place(
        column_map: dict[str, str],
    ) -> tuple[gpd.GeoDataFrame, list[user_lists.UploadProblem]]:
        return caches.cached_upload_sites(
            data, name, tuple(sorted(column_map.items())), version, stamps.postcodes, sites
        )

    try:
        table = caches.cached_upload_table(data, name)
        column_map = user_lists.suggest_column_map(table.header)
        found, problems = place(column_map)
        ambiguous = user_lists.ambiguous_columns(table.header)
        refused = _refused(problems)
        if ambiguous or refused:
            # a refused file may only need its columns named: offer every field then
            every_field = {f: ["", *table.header] for f in user_lists.UPLOAD_FIELDS}
            _choose_columns(column_map, every_field if refused else ambiguous, uploaded.file_id)
            found, problems = place(column_map)
    except Exception:  # a file we cannot read must not take the page down
        logger.exception("upload failed")
        bar.error(
            "Could not read that file. Save it as CSV (UTF-8) or .xlsx and try again; "
            "the details are in the app's log."
        )
        return None
    _report(table, found, problems)
    return Upload(sites=found, name=name)
