"""The page's head: title, what is shown, and what the opening link asked for."""

from __future__ import annotations

import streamlit as st

from layers import filters
from ui import keys
from ui.text import plain

#: The map comes first: less space above the title, a title that takes one line.
PAGE_STYLE = """<style>
.block-container { padding-top: 1.2rem; padding-bottom: 1rem; }
.block-container h1 { font-size: 1.75rem; padding: 0 0 0.1rem 0; }
header[data-testid="stHeader"] { background: transparent; }
.st-key-site-card p, .st-key-site-card li { font-size: 0.875rem; line-height: 1.4; }
@media (max-width: 640px) {
  .block-container { padding-top: 2.6rem; }
  .block-container h1 { font-size: 1.3rem; }
}
</style>"""


def header(criteria: filters.SiteFilter, version: str) -> None:
    """Draw the title, what is shown, and any message about the link that opened the page."""
    st.html(PAGE_STYLE)  # our own CSS, no data in it
    st.title("Midlands Defence Capability Map")
    st.caption(
        "Defence and security sites by capability, kind and authority, from a sourced registry "
        f"and official boundaries. Showing: {plain(criteria.describe())}."
    )
    # one container whatever it holds, so what follows keeps its place on the page
    with st.container(key="link-notes", gap=None):
        for problem in st.session_state.pop(keys.LINK_PROBLEMS, []):
            st.warning(f"The link asked for something this data does not have: {plain(problem)}.")
        link_version = st.session_state.get(keys.LINK_VERSION)
        if link_version and link_version != version:
            st.info(
                f"This link was made with data version {plain(link_version)}; the data has "
                f"changed since (now {plain(version)}), so counts may differ."
            )
