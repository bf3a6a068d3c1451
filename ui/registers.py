"""The official registers in the app: figures by area, the KPI, the definition, how to load.

:func:`registers_panel` goes in the areas tab, the belt tab and beside the map in words: the
four figures of an area (curated sites, registered firms core and adjacent, defence awards with
value and SME share, official counts), each source named with its month and definition, and
for a source that is not loaded the command that loads it; nothing else changes. Text from the
data is shown with ``st.text`` or in tables, never as Markdown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from shapely.geometry.base import BaseGeometry

from layers import companies, contracts, registers, registers_figures, statistics

#: Figures per row of the panel.
CARDS_PER_ROW = 3


def _stamp(folder: Path) -> float:
    manifest = folder / "manifest.json"
    return manifest.stat().st_mtime if manifest.is_file() else 0.0


@st.cache_resource(show_spinner=False)
def _sources(stamps: tuple[float, float, float]) -> registers_figures.RegisterSources:
    del stamps  # only the cache key: a rebuilt layer is read again
    return registers_figures.load_sources()


def loaded_sources() -> registers_figures.RegisterSources:
    """Return the built register layers, read again when one is rebuilt (shared: read only)."""
    stamps = (
        _stamp(companies.OUT_DIR),
        _stamp(contracts.OUT_DIR),
        _stamp(statistics.OUT_DIR),
    )
    return _sources(stamps)


def _money(value: float | None) -> str:
    return "—" if value is None else f"£{value:,.0f}"


def figure_cards(found: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (label, value) for each figure; a source not loaded reads "not loaded"."""
    cards = [("Curated sites", f"{found['sites']:,}")]
    if found["firms_core"] is None:
        cards += [("Registered firms, core", "not loaded"), ("adjacent", "not loaded")]
    else:
        cards += [
            ("Registered firms, core", f"{found['firms_core']:,}"),
            ("adjacent", f"{found['firms_adjacent']:,}"),
        ]
    if found["awards"] is None:
        cards += [("Defence awards", "not loaded"), ("SME share of value", "not loaded")]
    else:
        share = "—" if found["sme_share"] is None else f"{found['sme_share']:.0%}"
        cards += [
            ("Defence awards", f"{found['awards']:,} · {_money(found['award_value_gbp'])}"),
            ("SME share of value", share),
        ]
    if found["official_count"] is None and found["official_suppressed_cells"] is None:
        cards.append(("Official counts", "not loaded"))
    elif found["official_count"] is None:
        cards.append(("Official counts", "suppressed"))
    else:
        floor = "at least " if found["official_suppressed_cells"] else ""
        cards.append(("Official counts", f"{floor}{found['official_count']:,}"))
    return cards


def _how_to_load(sources: registers_figures.RegisterSources) -> None:
    for name, is_loaded in sources.loaded().items():
        if is_loaded:
            st.text(f"{name}: {sources.label(name)}")
        else:
            st.text(f"{name}: not loaded ({registers_figures.SOURCE_NAMES[name]}). To load it:")
            st.code(registers_figures.LOAD_COMMANDS[name], language="bash")


def registers_panel(
    sites: pd.DataFrame,
    *,
    lad_codes: set[str] | None = None,
    area: BaseGeometry | None = None,
    where: str = "The Midlands",
    sources: registers_figures.RegisterSources | None = None,
    key: str = "registers",
) -> None:
    """Show an area's four figures, the KPI, the sources and the definition."""
    chosen = sources if sources is not None else loaded_sources()
    rows = registers_figures.figure_rows(sites, chosen, lad_codes=lad_codes, area=area)
    found = registers_figures.figures(rows)
    st.markdown("**Official registers**")
    st.text(where)
    cards = figure_cards(found)
    # three to a row: at 1366 px six side by side cut the values short ("£43…")
    for start in range(0, len(cards), CARDS_PER_ROW):
        row = cards[start : start + CARDS_PER_ROW]
        for column, (label, value) in zip(st.columns(CARDS_PER_ROW), row, strict=False):
            column.metric(label, value)
    if chosen.awards is not None:
        kpi = contracts.mod_sme_kpi(chosen.awards)
        st.text(kpi.headline())
        st.caption("Definition: " + contracts.KPI_DEFINITION)
    # open while a source is missing, so its command shows beside the "not loaded" figure
    missing = not all(chosen.loaded().values())
    with st.expander("Sources of these figures", expanded=missing):
        _how_to_load(chosen)
        st.caption(
            "Firms are placed at their registered office's postcode (often an accountant's "
            "office, not the works); withheld official counts show as suppressed, never 0."
        )
    with st.expander("The sector definition (SIC 2007 codes)"):
        st.dataframe(registers.definition_frame(), hide_index=True, key=f"{key}-definition")
        st.caption(
            f"Change it in {registers.SIC_DEFINITION_CSV.relative_to(registers.settings.ROOT)} "
            "and rebuild the firms and counts."
        )


def district_table(sites: pd.DataFrame, *, key: str = "registers-districts") -> None:
    """Show the four figures for every district, in a table."""
    table = registers_figures.figures_by_district(sites, loaded_sources())
    st.dataframe(table, hide_index=True, key=key)
