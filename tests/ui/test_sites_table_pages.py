"""The sites table pages a large selection: only one page of rows reaches the browser, while
finding, sorting and the map's row choice cover every selected row."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import geopandas as gpd
    import streamlit as st
    from shapely.geometry import Point

    from ui.tabs.sites import chosen_ids, sites_tab

    count = 450
    rows = [
        {
            "site_id": f"site-{i:03d}",
            "name": f"Works {i:03d}",
            "organisation": "Zeta Ltd" if i == 321 else "Acme Ltd",
            "kind": "prime",
            "capabilities": ["land_systems"],
            "status": "open",
            "opened": "",
            "closes": "",
            "town": "Lincoln" if i % 150 == 7 else "Derby",
            "postcode": "",
            "lad_name": "",
            "ca_name": "",
            "location_precision": "postcode",
            "source_url": "https://example.org/",
            "last_checked": "2026-11-01",
            "geometry": Point(-1.5, 52.9),
        }
        for i in range(count)
    ]
    sites = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    st.session_state["chosen"] = chosen_ids(sites)
    sites_tab(sites, highlight=st.session_state.get("card"), selectable=True)


def _shown(at: AppTest) -> list[str]:
    return at.dataframe[0].value["name"].tolist()


def test_a_large_selection_is_sent_a_page_at_a_time() -> None:
    at = AppTest.from_function(_app).run(timeout=60)
    assert not at.exception
    assert _shown(at)[:2] == ["Works 000", "Works 001"]
    assert len(_shown(at)) == 200
    assert "Rows 1–200 of 450 found" in at.caption[0].value
    at.number_input(key="sites-table-page").set_value(3).run(timeout=60)
    assert _shown(at) == [f"Works {i:03d}" for i in range(400, 450)]


def test_find_and_sort_cover_every_selected_row() -> None:
    at = AppTest.from_function(_app).run(timeout=60)
    at.text_input(key="sites-table-find").input("lincoln").run(timeout=60)
    assert _shown(at) == ["Works 007", "Works 157", "Works 307"]
    at.text_input(key="sites-table-find").input("").run(timeout=60)
    at.selectbox(key="sites-table-sort").set_value("Organisation").run(timeout=60)
    at.toggle(key="sites-table-descending").set_value(True).run(timeout=60)
    assert _shown(at)[0] == "Works 321"  # Zeta sorts last, so first when descending


def test_an_open_card_turns_the_table_to_its_page_and_paints_its_row() -> None:
    at = AppTest.from_function(_app)
    at.session_state["card"] = "site-250"
    at.run(timeout=60)
    assert at.number_input(key="sites-table-page").value == 2
    assert _shown(at)[0] == "Works 200"
    assert any("Painted yellow: row 251, Works 250" in c.value for c in at.caption)
