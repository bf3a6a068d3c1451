"""The widgets' session-state keys that more than one module reads, in one place.

The link (:mod:`ui.url_state`) sets these keys before the sidebar (:mod:`ui.sidebar`) draws
its widgets with them, so the two agree on every name.
"""

from __future__ import annotations

from typing import NamedTuple

CAPABILITIES = "f_caps"
KINDS = "f_kinds"
TEXT = "f_text"
IN_BELT = "f_belt"
YEAR = "f_year"
BELT_WIDTH = "o_width"
BELT_MODE = "o_mode"
#: The data version the opening link was made with (validated; "" when it had none).
LINK_VERSION = "link_version"
#: What the opening link asked for that this data does not have (shown once).
LINK_PROBLEMS = "_url_problems"
#: Set once the opening link has been read into the widgets.
LINK_READ = "_from_url_done"
#: The map view the opening link carried (``c`` and ``z``, validated), or None.
LINK_VIEW = "_link_view"
#: The live map's component key: its value is the map's last report (view, last click).
SITE_MAP = "site-map"
#: "Keep my view": the map stays where the reader put it when the selection changes.
KEEP_VIEW = "o_keep_view"
#: The page's tabs under the map (the open tab's label): only the open tab's content runs.
TAB = "tab"
#: The site whose card is open beside the map, and what chose it last.
CARD_SITE = "_card_site"
SEEN_CLICKS = "_card_clicks"
SEEN_TABLE = "_card_table_rows"


class AreaChooser(NamedTuple):
    """One area chooser of the sidebar: its widget key, the site columns it reads, its label."""

    key: str
    code_column: str
    name_column: str
    label: str


#: The area choosers, coarsest first. Every area code a link may carry has one.
AREA_CHOOSERS: tuple[AreaChooser, ...] = (
    AreaChooser("f_region", "region_code", "region_name", "Region"),
    AreaChooser("f_ca", "ca_code", "ca_name", "Combined authority"),
    AreaChooser("f_county", "county_code", "county_name", "County or unitary authority"),
    AreaChooser("f_lad", "lad_code", "lad_name", "District (LAD)"),
)
