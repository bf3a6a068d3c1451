"""The caches' keys: every file the app's data is made from changes its stamp when rebuilt.

A rebuilt layer reaches the running app without a restart: the caches are keyed on it.

Each test runs the app, rebuilds one of the files its data is made from (the boundaries
manifest, the road graph, the postcode index), reruns the page in the same process (the caches
are shared) and checks the page now shows the new data.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import osmnx as ox
import pytest
from streamlit.testing.v1 import AppTest

import settings
from ui.caches import current_stamps


@pytest.fixture
def data_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Path]:
    """A registry, a boundaries folder with a manifest, a road graph path and a postcodes folder."""
    files = {
        "registry": tmp_path / "sites.csv",
        "boundaries": tmp_path / "boundaries",
        "road_graph": tmp_path / "roads" / "strategic_roads.graphml",
        "postcodes": tmp_path / "postcodes",
    }
    files["registry"].write_text("site_id,name\nx,X\n", encoding="utf-8")
    files["boundaries"].mkdir()
    write_json(files["boundaries"] / "manifest.json", {"built": {"files": {"lads.parquet": "a"}}})
    files["postcodes"].mkdir()
    monkeypatch.setattr(settings, "SITES_CSV", files["registry"])
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", files["boundaries"])
    monkeypatch.setattr(settings, "ROAD_GRAPH_PATH", files["road_graph"])
    monkeypatch.setattr(settings, "POSTCODES_DIR", files["postcodes"])
    return files


def write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document), encoding="utf-8")


def test_the_same_files_give_the_same_stamps(data_files: dict[str, Path]):
    assert current_stamps() == current_stamps()


def test_a_rebuilt_boundary_layer_changes_only_the_boundaries_stamp(data_files: dict[str, Path]):
    before = current_stamps()
    manifest = data_files["boundaries"] / "manifest.json"
    write_json(manifest, {"built": {"files": {"lads.parquet": "b"}}})
    after = current_stamps()
    assert after.boundaries != before.boundaries
    assert (after.registry, after.road_graph, after.postcodes) == (
        before.registry,
        before.road_graph,
        before.postcodes,
    )


def test_another_boundaries_folder_changes_the_stamp(
    data_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    before = current_stamps()
    other = tmp_path / "other-boundaries"
    other.mkdir()
    (other / "manifest.json").write_bytes((data_files["boundaries"] / "manifest.json").read_bytes())
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", other)
    assert current_stamps().boundaries != before.boundaries


def test_a_road_graph_that_appears_or_is_rebuilt_changes_its_stamp(data_files: dict[str, Path]):
    missing = current_stamps().road_graph
    graph = data_files["road_graph"]
    graph.parent.mkdir()
    graph.write_text("<graphml/>", encoding="utf-8")
    os.utime(graph, ns=(1_000_000_000, 1_000_000_000))
    present = current_stamps().road_graph
    os.utime(graph, ns=(2_000_000_000, 2_000_000_000))  # rebuilt: a new modification time
    rebuilt = current_stamps().road_graph
    assert len({missing, present, rebuilt}) == 3


def test_a_built_postcode_index_changes_its_stamp(data_files: dict[str, Path]):
    unbuilt = current_stamps().postcodes
    manifest = data_files["postcodes"] / "manifest.json"
    write_json(manifest, {"edition": "2014.3.0", "index_sha256": "aa"})
    built = current_stamps().postcodes
    write_json(manifest, {"edition": "2024.1.0", "index_sha256": "bb"})
    rebuilt = current_stamps().postcodes
    assert len({unbuilt, built, rebuilt}) == 3


def test_an_edited_registry_changes_its_stamp(data_files: dict[str, Path]):
    before = current_stamps().registry
    data_files["registry"].write_text("site_id,name\nx,X\ny,Y\n", encoding="utf-8")
    assert current_stamps().registry != before


APP = str(settings.ROOT / "app.py")
DATA = Path(__file__).parents[1] / "data"
#: A row placed by its coordinates and one by its postcode only (DE1 1AA is in the ONS Postcode
#: Directory; the coordinates are Derby's, about 100 m from its point).
POSTCODE_UPLOAD = (
    b"name,postcode,lat,lon\nWith Coordinates,DE1 1AA,52.9225,-1.4746\nPostcode Only,DE1 1AA,,\n"
)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, boundaries_dir: Path) -> AppTest:
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    return AppTest.from_file(APP, default_timeout=90)


def test_rebuilt_boundaries_change_the_data_version_without_a_restart(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, boundaries_dir: Path, tmp_path: Path
):
    copy = tmp_path / "boundaries"
    shutil.copytree(boundaries_dir, copy)
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", copy)
    at = app.run()
    assert not at.exception
    before = at.query_params["v"]
    manifest_path = copy / settings.MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["built"]["files"]["wards.parquet"] = "0" * 64  # as a rebuild with new wards writes
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    at.run()
    assert not at.exception
    after = at.query_params["v"]
    assert len(after) == 8 and after != before, "the rebuilt boundaries are a new data version"


def test_a_new_road_graph_is_used_without_a_restart(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    graph_path = tmp_path / "roads" / "strategic_roads.graphml"
    monkeypatch.setattr(settings, "ROAD_GRAPH_PATH", graph_path)
    app.query_params["mode"] = "roads"
    app.session_state["tab"] = "Defence Belt"  # the belt's notes are in its tab
    at = app.run()
    assert not at.exception

    def missing_graph_noted() -> bool:
        return any("is missing" in c.value and "straight links" in c.value for c in at.caption)

    assert missing_graph_noted(), "without a graph the belt says it uses straight links"
    graph_path.parent.mkdir()
    ox.save_graphml(ox.graph_from_xml(DATA / "roads.osm", simplify=False), graph_path)
    at.run()
    assert not at.exception
    assert not missing_graph_noted(), "the belt found the new road graph"


def test_a_built_postcode_index_places_an_upload_without_a_restart(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    # a chosen index (a Code-Point Open build) that is not built yet
    monkeypatch.setattr(settings, "POSTCODE_INDEX", str(tmp_path / "codepoint.parquet"))
    at = app.run()
    at.file_uploader(key="u_file").upload("postcodes.csv", POSTCODE_UPLOAD, "text/csv").run()
    assert not at.exception
    # the index is missing: a warning, not an error, and the row with coordinates is shown
    assert not at.error, [e.value for e in at.error]
    assert any("could not be looked up" in w.value for w in at.warning)
    assert any("1 of your sites are on the map" in s.value for s in at.success)

    monkeypatch.setattr(settings, "POSTCODE_INDEX", None)  # back to the ONS Postcode Directory
    at.run()
    assert not at.exception
    assert any("2 of your sites are on the map" in s.value for s in at.success)
    assert not any("could not be looked up" in w.value for w in at.warning)
