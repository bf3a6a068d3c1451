"""The Sites tab: a sortable table of the selected sites, in words; the keyboard route to them.

Rows chosen in the registry's table are highlighted on the map (the page reads the choice
before it draws the map: :func:`chosen_ids`); the site whose card is open beside the map has
its row painted.
"""

from __future__ import annotations

import hashlib
from typing import Any

import geopandas as gpd
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


def table_key(selected: gpd.GeoDataFrame) -> str:
    """Return the sites table's widget key: it names the rows the table shows, in order.

    A choice of rows is kept by position, so a new selection gets a new key (and an empty
    choice) rather than positions that now point at other sites.
    """
    ids = "\n".join(selected["site_id"].astype(str))
    return "sites-table-" + hashlib.sha256(ids.encode("utf-8")).hexdigest()[:12]


def chosen_ids(selected: gpd.GeoDataFrame) -> list[str]:
    """Return the site ids of the rows chosen in the sites table, in the order chosen."""
    state: Any = st.session_state.get(table_key(selected))
    selection: Any = state.get("selection", {}) if hasattr(state, "get") else {}
    rows: Any = selection.get("rows", []) if hasattr(selection, "get") else []
    ids = selected["site_id"].astype(str).tolist()
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


def sites_tab(
    selected: gpd.GeoDataFrame, *, highlight: str | None = None, selectable: bool = False
) -> None:
    """Show a sortable table of the selected sites (text only: never markup).

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
    table = sites_table(selected).reset_index(drop=True)
    position = painted_row(selected, highlight)
    # one line whatever it says, so the table does not move under the reader's pointer
    notes = ["Tick rows to highlight those sites on the map; one row opens its card."]
    if position is not None:
        name = plain(selected["name"].iloc[position])
        notes.append(f"Painted yellow: row {position + 1}, {name}, the site whose card is open.")
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
        key=table_key(selected),
    )
