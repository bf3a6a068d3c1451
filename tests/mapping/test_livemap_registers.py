"""The registers' layers for the live map: what each carries, and that they travel once."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from layers import registers_figures
from mapping.basemap import display_geojson
from mapping.livemap import registers as map_layers
from tests.support import registers_fixtures as fx


@pytest.fixture(scope="module")
def sources(
    tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path
) -> registers_figures.RegisterSources:
    root = tmp_path_factory.mktemp("map-registers")
    return fx.load_built(fx.build_registers(root, boundaries_dir))


@pytest.fixture(scope="module")
def lads(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame.from_features(
        display_geojson("lads", boundaries_dir)["features"], crs=4326
    )


def _layers(payload: map_layers.RegistersPayload) -> dict[str, dict]:
    return {spec["name"]: spec for spec in json.loads(payload.text)["layers"]}


def test_the_layers_carry_the_public_firms_the_midlands_awards_and_the_counted_districts(
    sources: registers_figures.RegisterSources, lads: gpd.GeoDataFrame
) -> None:
    sites = pd.DataFrame({"site_id": ["s"], "company_number": ["00000008"]})
    payload = map_layers.registers_payload(sources, sites, lads)
    layers = _layers(payload)
    # 5 firms kept; 2 micro-entity held back (public profile); 00000008 is the curated site
    assert [row[3] for row in layers["firms"]["rows"]] == ["00000001", "00000010"]
    assert "2 filing micro-entity accounts or none" in layers["firms"]["note"]
    # 8 Midlands award rows (London's is left out); the shared award has no value of its own
    awards = layers["awards"]["rows"]
    assert len(awards) == 8 and "LONDON SME LTD" not in {row[2] for row in awards}
    shared = next(row for row in awards if row[2] == "TELFORD SME LTD")
    assert shared[4] is None and shared[5] == 90000.0 and shared[8] == 3.0
    assert max(row[8] for row in awards) == 24.0
    features = layers["counts"]["geojson"]["features"]
    labels = {f["properties"]["name"]: f["properties"]["label"] for f in features}
    assert labels == {
        "Coventry": "15 (at least; some cells suppressed)",
        "Birmingham": "0 (at least; some cells suppressed)",
        "Leicester": "1,005",
    }
    assert payload.drawn == {"firms": 2, "awards": 8, "counts": 3}
    for name in map_layers.NAMES:
        assert layers[name]["label"] == sources.label(name)
        assert layers[name]["credit"] == map_layers.CREDITS[name]
    # each layer names its data's month: the file's (2026-12), the newest award release's
    # (2026-11-30, not the day of the build), the counts' year
    assert "; 2026-12; definition defence_sic.csv" in layers["firms"]["label"]
    assert "; 2026-11; definition defence_buyers.csv" in layers["awards"]["label"]
    assert "; 2025; definition" in layers["counts"]["label"]


def test_a_source_not_built_gives_its_command_and_nothing_else(
    tmp_path: Path, lads: gpd.GeoDataFrame
) -> None:
    empty = registers_figures.load_sources(
        companies_dir=tmp_path, contracts_dir=tmp_path, statistics_dir=tmp_path
    )
    layers = _layers(map_layers.registers_payload(empty, pd.DataFrame(), lads))
    for name in map_layers.NAMES:
        assert layers[name]["loaded"] is False
        assert layers[name]["command"] == registers_figures.LOAD_COMMANDS[name]
        assert not {"rows", "geojson", "label"} & set(layers[name])


def test_the_layers_travel_once_per_session_and_again_when_the_map_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state: dict = {}
    monkeypatch.setattr(map_layers.st, "session_state", state)
    payload = map_layers.RegistersPayload(version="v1", text='{"layers":[]}', drawn={})
    first = map_layers.render_arg("m", payload)
    assert first == {"version": "v1", "data": '{"layers":[]}'}
    # a render that never reached the queue: sent again
    assert "data" in map_layers.render_arg("m", payload)
    map_layers.mark_sent("m", first)
    assert map_layers.render_arg("m", payload) == {"version": "v1"}
    # the map asks again, holding another version (remounted): sent again, once per token
    state["m"] = {"resync": {"token": "t1", "have": {"registers": None}}}
    again = map_layers.render_arg("m", payload)
    assert again["data"] == '{"layers":[]}'
    map_layers.mark_sent("m", again)
    assert map_layers.render_arg("m", payload) == {"version": "v1"}
    # a resync for something else (the map holds this version): not sent
    state["m"] = {"resync": {"token": "t2", "have": {"registers": "v1"}}}
    assert map_layers.render_arg("m", payload) == {"version": "v1"}
    # a new version (a rebuilt layer) is sent
    newer = map_layers.RegistersPayload(version="v2", text="{}", drawn={})
    assert "data" in map_layers.render_arg("m", newer)


def test_count_classes_are_the_quartiles_of_the_published_counts() -> None:
    assert map_layers.count_classes([]) == []
    assert map_layers.count_classes([0, 15, 1005]) == [0, 15, 1005]
    assert map_layers.count_classes([1, 2, 3, 4, 5, 6, 7, 8]) == [2, 4, 6, 8]
