"""The Sites tab: a sortable table of the selected sites, in words; the keyboard route to them.

Rows chosen in the registry's table are highlighted on the map (the page reads the choice
before it draws the map: :func:`chosen_ids`); the site whose card is open beside the map has
its row painted.

A selection larger than one page (:data:`PAGE_ROWS`) is shown a page at a time, so the page
sends only the rows on screen: finding and sorting then run here over every selected row
(:func:`table_view`), and opening a site's card turns the table to the page that holds it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from layers import timeline, vocabulary
from ui.text import plain

#: The columns the table shows, in order, with their headings.
COLUMNS: dict[str, Any] = {
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
    "source_url": st.column_config.LinkColumn("Source", display_text="open"),
    "last_checked": "Checked",
}


def sites_table(selected: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the selected sites as the table shows them: labels, not slugs."""
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
    return table[list(COLUMNS)]


#: The background of the row of the site whose card is open.
HIGHLIGHT = "background-color: #ffe08a"
#: Larger tables are not painted (styling every cell would slow each rerun).
PAINT_ROWS_MAX = 20_000


#: Rows on one page of the table: the whole real registry fits on one page.
PAGE_ROWS = 200
#: The widget keys' stem of the registry's table (choosable) and of the uploads' table.
REGISTRY_TABLE = "sites-table"
UPLOADS_TABLE = "uploads-table"
#: "Sort by" choice that keeps the selection's own order.
AS_SELECTED = "(as selected)"


@dataclass(frozen=True)
class TableView:
    """Which selected sites the table shows, in which order, and which page of them.

    Attributes
    ----------
    order
        Positions in the selection of the rows found, in the order shown.
    page
        The page shown, from 1.
    pages
        How many pages the rows found fill (at least 1).
    """

    order: np.ndarray
    page: int
    pages: int

    @property
    def start(self) -> int:
        """Position in :attr:`order` of the page's first row."""
        return (self.page - 1) * PAGE_ROWS

    @property
    def rows(self) -> np.ndarray:
        """Positions in the selection of the page's rows, in the order shown."""
        return self.order[self.start : self.start + PAGE_ROWS]


def is_paged(selected: pd.DataFrame) -> bool:
    """Return True when the selection needs more than one page (then find/sort run here)."""
    return len(selected) > PAGE_ROWS


def found_rows(table: pd.DataFrame, words: str) -> np.ndarray:
    """Return the positions of the rows whose text holds ``words`` (any case), in order."""
    needle = words.strip().casefold()
    if not needle:
        return np.arange(len(table))
    hit = np.zeros(len(table), dtype=bool)
    for column in table.columns:
        text = table[column].astype(str).str.casefold()
        hit |= text.str.contains(needle, regex=False).to_numpy(dtype=bool)
    return hit.nonzero()[0]


def sorted_rows(table: pd.DataFrame, rows: np.ndarray, column: str, descending: bool) -> np.ndarray:
    """Return ``rows`` ordered by ``column`` (stable: ties keep the selection's order)."""
    if column not in table.columns:
        return rows
    values = table[column].iloc[rows].astype(str).str.casefold().reset_index(drop=True)
    order = values.sort_values(ascending=not descending, kind="stable").index.to_numpy()
    return rows[order]


def table_view(selected: pd.DataFrame, stem: str = REGISTRY_TABLE) -> TableView:
    """Return the rows the table with widget keys ``stem`` shows, from its widgets' state.

    A selection that fits on one page is shown whole, in its own order (the table's own
    search and sort then cover every row).
    """
    everything = np.arange(len(selected))
    if not is_paged(selected):
        return TableView(everything, 1, 1)
    words = str(st.session_state.get(f"{stem}-find") or "")
    column = str(st.session_state.get(f"{stem}-sort") or AS_SELECTED)
    descending = bool(st.session_state.get(f"{stem}-descending", False))
    order = everything
    if words.strip() or column != AS_SELECTED or descending:
        table = sites_table(selected).reset_index(drop=True)
        order = found_rows(table, words)
        heading = {_heading(v): k for k, v in COLUMNS.items()}
        if column in heading:
            order = sorted_rows(table, order, heading[column], descending)
        elif descending:
            order = order[::-1]
    pages = max(1, -(-len(order) // PAGE_ROWS))
    page = st.session_state.get(f"{stem}-page", 1)
    page = min(max(int(page), 1), pages) if isinstance(page, (int, float)) else 1
    return TableView(order, page, pages)


def _heading(config: Any) -> str:
    if isinstance(config, str):
        return config
    return str(config.get("label", "")) if hasattr(config, "get") else str(config)


def table_key(selected: pd.DataFrame, rows: np.ndarray | None = None) -> str:
    """Return the sites table's widget key: it names the rows the table shows, in order.

    A choice of rows is kept by position, so a new selection, page, sort or search gets a
    new key (and an empty choice) rather than positions that now point at other sites.
    ``rows`` are the positions shown (default: every row, in order).
    """
    ids = selected["site_id"].astype(str)
    if rows is not None:
        ids = ids.iloc[rows]
    text = "\n".join(ids)
    return "sites-table-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def chosen_ids(selected: gpd.GeoDataFrame) -> list[str]:
    """Return the site ids of the rows chosen in the sites table, in the order chosen."""
    rows_shown = table_view(selected).rows
    state: Any = st.session_state.get(table_key(selected, rows_shown))
    selection: Any = state.get("selection", {}) if hasattr(state, "get") else {}
    rows: Any = selection.get("rows", []) if hasattr(selection, "get") else []
    ids = selected["site_id"].astype(str).to_numpy()[rows_shown].tolist()
    return [ids[r] for r in rows if isinstance(r, int) and 0 <= r < len(ids)]


def painted_row(selected: gpd.GeoDataFrame, site_id: str | None) -> int | None:
    """Return the position of ``site_id``'s row in the table, or None (absent or too large)."""
    if not site_id or len(selected) > PAINT_ROWS_MAX:
        return None
    found = (selected["site_id"].astype(str) == site_id).to_numpy().nonzero()[0]
    return int(found[0]) if len(found) else None


def painted(table: pd.DataFrame, position: int | None) -> Any:
    """Return ``table`` with the row at ``position`` painted (a Styler), or as it is."""
    if position is None:
        return table
    styles = pd.DataFrame("", index=table.index, columns=table.columns)
    styles.iloc[position] = HIGHLIGHT
    return table.style.apply(lambda _: styles, axis=None)


def _paging_controls(selected: pd.DataFrame, stem: str, highlight: str | None) -> TableView:
    """Draw find, sort and page widgets; return the view they choose.

    A card opened since the last rerun turns the table to the page that holds its row.
    """
    find, sort, descending = st.columns([3, 2, 1], vertical_alignment="bottom")
    find.text_input(
        "Find in the table",
        key=f"{stem}-find",
        placeholder="Words in any column, e.g. a town or an organisation",
    )
    sort.selectbox(
        "Sort by", [AS_SELECTED, *(_heading(v) for v in COLUMNS.values())], key=f"{stem}-sort"
    )
    descending.toggle("Descending", key=f"{stem}-descending")
    view = table_view(selected, stem)
    page = view.page
    if highlight != st.session_state.get(f"{stem}-card"):
        st.session_state[f"{stem}-card"] = highlight
        ids = selected["site_id"].astype(str).to_numpy()[view.order]
        hit = (ids == highlight).nonzero()[0]
        if len(hit):
            page = int(hit[0]) // PAGE_ROWS + 1
    # set before the widget is drawn: a page beyond a smaller selection's last is not kept
    st.session_state[f"{stem}-page"] = page
    view = TableView(view.order, page, view.pages)
    pager, where = st.columns([1, 5], vertical_alignment="bottom")
    pager.number_input("Page", min_value=1, max_value=view.pages, step=1, key=f"{stem}-page")
    shown = len(view.rows)
    first = view.start + 1 if shown else 0
    where.caption(
        f"Rows {first:,}–{view.start + shown:,} of {len(view.order):,} found "
        f"({len(selected):,} selected), {PAGE_ROWS} a page; the Export tab downloads them all."
    )
    return view


def sites_tab(
    selected: gpd.GeoDataFrame, *, highlight: str | None = None, selectable: bool = False
) -> None:
    """Show a sortable table of the selected sites (text only: never markup).

    A selection larger than :data:`PAGE_ROWS` is shown a page at a time, with find, sort and
    page widgets that cover every selected row.

    Parameters
    ----------
    selected
        The sites, in the order the map's selection holds them.
    highlight
        The site whose row is painted (the one whose card is open).
    selectable
        Let the reader choose rows (ticks on the left); the page then highlights them on the
        map. The choice is read with :func:`chosen_ids`.
    """
    stem = REGISTRY_TABLE if selectable else UPLOADS_TABLE
    if is_paged(selected):
        view = _paging_controls(selected, stem, highlight)
    else:
        view = table_view(selected, stem)
    rows = view.rows
    if not len(rows):
        st.info("No selected site matches these words: clear the box to see every row.")
        return
    page_sites = selected.iloc[rows]
    table = sites_table(page_sites).reset_index(drop=True)
    position = painted_row(page_sites, highlight)
    # one line whatever it says, so the table does not move under the reader's pointer
    notes = ["Tick rows to highlight those sites on the map; one row opens its card."]
    if position is not None:
        name = plain(page_sites["name"].iloc[position])
        row = view.start + position + 1
        notes.append(f"Painted yellow: row {row}, {name}, the site whose card is open.")
    if selectable or position is not None:
        st.caption(" ".join(notes if selectable else notes[1:]))
    if not selectable:
        st.dataframe(
            painted(table, position), hide_index=True, width="stretch", column_config=COLUMNS
        )
        return
    st.dataframe(
        painted(table, position),
        hide_index=True,
        width="stretch",
        column_config=COLUMNS,
        on_select="rerun",
        selection_mode="multi-row",
        key=table_key(selected, rows),
    )
