"""One source for each drawing rule: the live map and the folium pages use the same files.

The marker shapes, the legend and the keyboard route are written once, in
``mapping/livemap/frontend``; the live map bundles those files and the standalone page inlines
them, and no Python module keeps a copy of the drawing code.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import geopandas as gpd

from layers import vocabulary
from layers.filters import SiteFilter
from layers.selection import make_selection
from mapping import largedata, legend, popups, standalone, style
from mapping.livemap import base, component, rows

#: Lines only the drawing code has: a kind's shape traced on the canvas, the legend's headings,
#: the keyboard list's active option.
DRAWING_MARKS = (
    "_drawRing",
    "HIT_RADIUS",
    '"Kind of site (shape)"',
    '"aria-activedescendant"',
    "function shapeSvg(",
)


def test_the_live_map_bundles_the_files_the_page_inlines() -> None:
    bundle = component.frontend_module()
    assert largedata.FRONTEND_DIR == component.FRONTEND_DIR
    for name in largedata.SHARED_SCRIPTS:
        source = (largedata.FRONTEND_DIR / name).read_text(encoding="utf-8")
        assert source in bundle, f"the live map bundles {name}"
    assert (largedata.FRONTEND_DIR / "livemap.css").read_text(encoding="utf-8") in (
        component.frontend_css()
    )


def test_the_standalone_page_inlines_the_same_files_once(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
) -> None:
    selection = make_selection(
        registry, SiteFilter(), boundaries_dir=boundaries_dir, with_corridor=False
    )
    page = standalone.standalone_html(selection)
    for name, source in largedata.shared_sources().items():
        assert page.count(source.replace("</script", "<\\/script")) == 1, name
    shared = "".join(largedata.shared_sources().values())
    bundle = component.frontend_module()
    for mark in DRAWING_MARKS:
        # each rule is written in the shared files only, and both outputs carry it as written
        assert shared.count(mark) >= 1, mark
        assert page.count(mark) == bundle.count(mark) == shared.count(mark), mark
    assert "mdm-marker" not in page, "no second kind of marker"


def test_no_python_module_keeps_a_copy_of_the_drawing_code() -> None:
    for module in (largedata, legend, standalone, style):
        source = inspect.getsource(module)
        for mark in (*DRAWING_MARKS, "ctx.lineTo(", "_updatePath", "_containsPoint"):
            assert mark not in source, f"{module.__name__} draws {mark}"


def test_the_overlay_names_come_from_one_table() -> None:
    tables = base.legend_tables()
    assert tables["overlays"]["clusters"]["label"] == "Site clusters"
    assert {key: spec["label"] for key, spec in tables["overlays"].items()} == {
        key: label for key, (label, _) in style.OVERLAYS.items()
    }
    assert style.overlay_style("belt") == style.CORRIDOR_STYLE


def test_the_precision_sentence_is_written_once_and_sent_to_every_map() -> None:
    town = popups.placement_note("town")
    assert town == (
        "Placed at the town centre: the works' address is not published in a source we cite"
    )
    assert popups.placement_note("street").endswith(
        "the works' address is not published in a source we cite"
    )
    assert popups.placement_note("site") == popups.placement_note("postcode") == ""
    entries = dict(zip(rows.PRECISION_SLUGS, base.legend_tables()["precisions"], strict=True))
    assert entries["town"] == ["approximate location: town", town]
    assert entries["site"] == ["", ""]
    assert set(popups.PLACED_AT) <= set(vocabulary.PRECISIONS)


def test_rows_carry_precision_planned_and_the_colour_of_the_first_chosen_capability(
    registry: gpd.GeoDataFrame,
) -> None:
    chosen = ["nuclear_propulsion", "combat_air"]
    sites = registry.assign(colour_capability=rows.colour_capabilities(registry, chosen))
    catalogue = rows.Catalogue()
    indexes = catalogue.encode(sites)
    slugs = list(vocabulary.CAPABILITIES)
    for i, site in zip(indexes, sites.to_dict("records"), strict=True):
        row = catalogue.rows[i]
        caps = list(site["capabilities"])
        first = next((c for c in chosen if c in caps), caps[0])
        assert slugs[row[4]] == first, site["site_id"]
        assert rows.PRECISION_SLUGS[row[7]] == site["location_precision"]
        assert catalogue.statuses[row[5]][3] == (site["status"] == "planned")
