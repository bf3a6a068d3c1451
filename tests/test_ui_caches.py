"""The caches' keys: every file the app's data is made from changes its stamp when rebuilt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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
