"""Downloads and caches under faults: corrupt files, failed downloads, concurrent builds, sharing.

A cached ONS file is trusted only when its sha256 matches the manifest; a failed download never
replaces good data; two builds into one folder leave complete, correct layers; and the objects
the app shares between sessions (display GeoJSON, the registry) are never changed by drawing.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

import settings
from layers import boundaries, vocabulary
from layers._errors import BoundaryDownloadError
from layers._io import sha256_file
from layers.uploads import read_user_sites
from mapping import build_map
from mapping.basemap import display_geojson
from mapping.choropleth import build_choropleth
from tests.support.http_stub import Script, serve

UPLOADS = Path(__file__).parent / "data" / "uploads"
LAYER_FILES = {layer: f"{layer}.geojson" for layer in settings.ONS_SERVICES}


@pytest.fixture(scope="module")
def lad_codes() -> list[str]:
    return sorted(boundaries.read_hierarchy()["lad_code"])


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path) with its sha256."""
    return {
        str(path.relative_to(folder)): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def manifest_matches_files(raw: Path) -> None:
    manifest = json.loads((raw / settings.MANIFEST_NAME).read_text())
    for layer, name in LAYER_FILES.items():
        assert manifest["layers"][layer]["sha256"] == sha256_file(raw / name), layer


def previous_build(out: Path, boundaries_dir: Path) -> Path:
    """A good earlier build to fail over: a copy of the run's build from the mirror (a build
    of its own would give the same files, seconds later)."""
    shutil.copytree(boundaries_dir, out)
    return out


def broken_mirror(tmp_path: Path, ons_mirror: Path, *, damaged: str) -> Path:
    """A copy of the mirror in which one service file is cut off half way."""
    mirror = tmp_path / "broken-mirror"
    mirror.mkdir()
    for service in settings.ONS_SERVICES.values():
        source = ons_mirror / f"{service}.geojson"
        target = mirror / source.name
        if service == settings.ONS_SERVICES[damaged]:
            target.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
        else:
            target.symlink_to(source)
    return mirror


# --------------------------------------------------------------------------------------------
# Corrupt and partial cache files


@pytest.mark.parametrize("damage", ["cut off", "one byte changed", "emptied"])
def test_a_damaged_cached_file_is_detected_by_its_checksum_and_fetched_again(
    tmp_path: Path,
    ons_mirror: Path,
    lad_codes: list[str],
    damage: str,
    caplog: pytest.LogCaptureFixture,
):
    raw = tmp_path / "raw"
    boundaries.download_layers(raw, lad_codes=lad_codes, mirror=ons_mirror)
    good = {name: (raw / name).read_bytes() for name in LAYER_FILES.values()}
    untouched = {name: (raw / name).stat().st_mtime_ns for name in ("lads.geojson",)}
    target = raw / "wards.geojson"
    data = bytearray(good["wards.geojson"])
    if damage == "cut off":
        target.write_bytes(bytes(data[: len(data) // 3]))
    elif damage == "one byte changed":  # still valid JSON, so only the checksum can tell
        position = data.index(b'"WD23NM":"') + len(b'"WD23NM":"')
        data[position] = ord("Q") if data[position] != ord("Q") else ord("R")
        target.write_bytes(bytes(data))
        json.loads(target.read_bytes())
    else:
        target.write_bytes(b"")

    with caplog.at_level(logging.WARNING, logger="layers.boundaries"):
        boundaries.download_layers(raw, lad_codes=lad_codes, mirror=ons_mirror)

    assert target.read_bytes() == good["wards.geojson"], "the damaged file was fetched again"
    assert "does not match its manifest checksum" in caplog.text
    assert (raw / "lads.geojson").stat().st_mtime_ns == untouched["lads.geojson"], (
        "a good cached file is not fetched again"
    )
    manifest_matches_files(raw)


def test_an_unreadable_manifest_means_every_file_is_checked_again(
    tmp_path: Path, ons_mirror: Path, lad_codes: list[str]
):
    raw = tmp_path / "raw"
    boundaries.download_layers(raw, lad_codes=lad_codes, mirror=ons_mirror)
    good = snapshot(raw)
    (raw / settings.MANIFEST_NAME).write_text('{"layers": {"lads": {"sha2')
    (raw / "lads.geojson").write_bytes(b'{"type": "FeatureCollection", "features": [')
    boundaries.download_layers(raw, lad_codes=lad_codes, mirror=ons_mirror)
    fixed = snapshot(raw)
    assert {k: v for k, v in fixed.items() if k != settings.MANIFEST_NAME} == {
        k: v for k, v in good.items() if k != settings.MANIFEST_NAME
    }
    manifest_matches_files(raw)


def test_a_damaged_cache_with_no_good_source_is_reported_not_used(
    tmp_path: Path, ons_mirror: Path, lad_codes: list[str], boundaries_dir: Path
):
    out = previous_build(tmp_path / "built", boundaries_dir)
    raw = out / settings.RAW_DIR_NAME
    (raw / "wards.geojson").write_bytes((raw / "wards.geojson").read_bytes()[:1000])
    mirror = broken_mirror(tmp_path, ons_mirror, damaged="wards")
    with pytest.raises(BoundaryDownloadError, match="not valid JSON"):
        boundaries.build_boundaries(out, mirror=mirror)
    assert len(boundaries.load_layer("wards", directory=out)) == 1534, "the last build stays"
    with pytest.raises(BoundaryDownloadError, match="has no"):
        boundaries.download_layers(raw, lad_codes=lad_codes, mirror=tmp_path / "empty-mirror")


# --------------------------------------------------------------------------------------------
# Failed downloads keep the previous good data


def test_a_network_failure_leaves_the_previous_good_data_in_place(
    tmp_path: Path, ons_mirror: Path, monkeypatch: pytest.MonkeyPatch, boundaries_dir: Path
):
    out = previous_build(tmp_path / "built", boundaries_dir)
    before = snapshot(out)
    monkeypatch.setattr(settings, "ONS_RETRIES", 1)
    monkeypatch.setattr(settings, "ONS_BACKOFF_S", 0.0)
    failures = {
        "service unavailable": Script([(503, b"")]),
        "cut-off response": Script([(200, b'{"type":"FeatureCollection","features":[{"ty')]),
    }
    for reason, script in failures.items():
        with serve(script) as base_url, pytest.raises(BoundaryDownloadError):
            boundaries.build_boundaries(out, refresh=True, base_url=base_url)
        assert snapshot(out) == before, f"{reason}: a file changed"
    assert len(boundaries.load_layer("lads", directory=out)) == 67
    assert not list(out.rglob(".*.tmp")), "no temporary file is left behind"


def test_a_mirror_failure_half_way_keeps_every_built_layer(
    tmp_path: Path, ons_mirror: Path, boundaries_dir: Path
):
    out = previous_build(tmp_path / "built", boundaries_dir)
    before = snapshot(out)
    mirror = broken_mirror(tmp_path, ons_mirror, damaged="wards")
    with pytest.raises(BoundaryDownloadError):
        boundaries.build_boundaries(out, refresh=True, mirror=mirror)
    after = snapshot(out)
    changed = {name for name in before if after.get(name) != before[name]}
    # the LAD download succeeded before the wards failed: it is rewritten with the same bytes
    # and the download manifest records it again; nothing else may change
    assert changed <= {f"{settings.RAW_DIR_NAME}/{settings.MANIFEST_NAME}"}, changed
    assert set(after) == set(before)
    manifest_matches_files(out / settings.RAW_DIR_NAME)


# --------------------------------------------------------------------------------------------
# Concurrent builds


def check_built_folder(out: Path, reference: Path) -> None:
    """Every layer reads back equal to the reference build and matches its manifest."""
    for name in boundaries.LAYERS:
        assert_geodataframe_equal(
            boundaries.load_layer(name, directory=out),
            boundaries.load_layer(name, directory=reference),
            check_like=True,
        )
    for name in (*boundaries.DISPLAY_LAYERS, *boundaries.BASEMAP_LAYERS):
        built = boundaries.load_layer(name, display=True, directory=out)
        assert len(built) == len(boundaries.load_layer(name, display=True, directory=reference))
    manifest = boundaries.read_manifest(out)
    for relative, digest in manifest["built"]["files"].items():
        assert sha256_file(out / relative) == digest, relative
    manifest_matches_files(out / settings.RAW_DIR_NAME)
    assert not list(out.rglob(".*.tmp")), "no temporary file is left behind"


def test_two_build_processes_into_one_folder_do_not_corrupt_each_other(
    tmp_path: Path, ons_mirror: Path, boundaries_dir: Path
):
    out = tmp_path / "shared"
    command = [
        sys.executable,
        "-m",
        "layers.boundaries",
        "build",
        "--mirror",
        str(ons_mirror),
        "--out",
        str(out),
    ]
    environment = {**os.environ, "PYTHONPATH": str(settings.ROOT)}
    processes = [
        subprocess.Popen(
            command,
            cwd=settings.ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300)[0].decode() for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
    check_built_folder(out, boundaries_dir)


def test_two_build_threads_into_one_folder_do_not_corrupt_each_other(
    tmp_path: Path, ons_mirror: Path, boundaries_dir: Path
):
    out = tmp_path / "shared"
    with ThreadPoolExecutor(max_workers=2) as pool:
        builds = [pool.submit(boundaries.build_boundaries, out, mirror=ons_mirror) for _ in "ab"]
        results = [build.result(timeout=300) for build in builds]
    assert [len(r["lads"]) for r in results] == [67, 67]
    check_built_folder(out, boundaries_dir)


def test_a_build_while_the_app_reads_never_shows_half_a_file(
    tmp_path: Path, ons_mirror: Path, boundaries_dir: Path
):
    out = tmp_path / "live"
    shutil.copytree(boundaries_dir, out)
    with ThreadPoolExecutor(max_workers=1) as pool:
        build = pool.submit(boundaries.build_boundaries, out, mirror=ons_mirror, refresh=True)
        reads = 0
        while not build.done() or reads == 0:
            assert len(boundaries.load_layer("lads", directory=out)) == 67
            assert len(boundaries.load_layer("lads", display=True, directory=out)) == 67
            reads += 1
        build.result()
    check_built_folder(out, boundaries_dir)


# --------------------------------------------------------------------------------------------
# Shared objects are not changed


def test_drawing_maps_and_reading_uploads_changes_no_shared_object(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    names = ("countries", "midlands", "combined_authorities", "counties", "lads", "wards")
    shared = {name: display_geojson(name, boundaries_dir) for name in names}
    copies = {name: copy.deepcopy(layer) for name, layer in shared.items()}
    registry_before = registry.copy(deep=True)
    schema_before = copy.deepcopy(vocabulary.schema())

    build_map(registry, boundaries_dir=boundaries_dir, show_wards=True).get_root().render()
    counts = pd.DataFrame({"Code": ["E08000025", "E06000015"], "Sites": [3, 1]})
    for layer in ("lads", "counties", "combined_authorities"):
        build_choropleth(counts, layer=layer, caption="Sites", boundaries_dir=boundaries_dir)
    read_user_sites(UPLOADS / "duplicates.csv", registry=registry, boundaries_dir=boundaries_dir)

    for name in names:
        assert display_geojson(name, boundaries_dir) is shared[name], "still the cached object"
        assert shared[name] == copies[name], f"the cached {name} GeoJSON was changed"
    assert_geodataframe_equal(registry, registry_before)
    assert list(registry["capabilities"]) == list(registry_before["capabilities"])
    assert vocabulary.schema() == schema_before
