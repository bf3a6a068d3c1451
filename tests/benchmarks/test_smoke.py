"""The benchmark runs (quick mode, 1k registry) and its synthetic registries are sound.

The benchmark's figures are not asserted: only that it runs, prints its table and writes its
report. The synthetic registries must look like the real one to the code under test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import settings
from benchmarks.synthetic import KIND_SHARES, synthetic_sites, write_registry
from layers.sites import load_sites, validate_sites


@pytest.fixture(scope="module")
def synthetic(boundaries_dir: Path):
    return synthetic_sites(600, seed=11, boundaries_dir=boundaries_dir)


def test_synthetic_sites_have_the_loaders_columns_and_types(synthetic, registry):
    assert list(synthetic.columns) == list(registry.columns)
    assert synthetic.dtypes.astype(str).to_dict() == registry.dtypes.astype(str).to_dict()
    assert synthetic.crs == registry.crs
    assert synthetic["site_id"].is_unique
    assert (synthetic["lad_code"] != "").all(), "every synthetic site lies in a Midlands district"
    assert synthetic["capabilities"].map(len).between(1, 3).all()


def test_a_written_synthetic_registry_validates_and_loads_back(
    synthetic, boundaries_dir: Path, tmp_path: Path
):
    path = write_registry(synthetic, tmp_path / "synthetic.csv")
    valid, problems = validate_sites(path, boundaries_dir=boundaries_dir)
    assert problems == []
    assert len(valid) == len(synthetic)
    loaded = load_sites(path, boundaries_dir=boundaries_dir)
    # the loader types an all-empty location_source column as object, the real one as str
    pd.testing.assert_frame_equal(
        pd.DataFrame(loaded.drop(columns="geometry")),
        pd.DataFrame(synthetic.drop(columns="geometry")),
        check_dtype=False,
    )


def test_the_generator_is_seeded(boundaries_dir: Path, synthetic):
    again = synthetic_sites(600, seed=11, boundaries_dir=boundaries_dir)
    other = synthetic_sites(600, seed=12, boundaries_dir=boundaries_dir)
    pd.testing.assert_frame_equal(pd.DataFrame(again), pd.DataFrame(synthetic))
    assert not again["lat"].equals(other["lat"])


def test_the_mix_is_mostly_suppliers_with_every_kind(boundaries_dir: Path):
    sites = synthetic_sites(3000, seed=5, boundaries_dir=boundaries_dir)
    shares = sites["kind"].value_counts(normalize=True)
    assert set(shares.index) == set(KIND_SHARES)
    assert abs(shares["supplier"] - KIND_SHARES["supplier"]) < 0.03
    health = sites[sites["kind"] == "health"]
    assert (health["capabilities"].str[0] == "defence_medicine").all()


@pytest.mark.browser  # its Chromium group draws the map in Debian's Chromium
def test_the_quick_benchmark_runs_and_prints_its_table(boundaries_dir: Path, tmp_path: Path):
    report = tmp_path / "RESULTS.md"
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--out",
            str(report),
            "--boundaries",
            str(boundaries_dir),
            "--work-dir",
            str(tmp_path / "work"),
        ],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    out = finished.stdout
    assert "| Figure | Data | Median / size |" in out
    for figure in (
        "load + validate + join (CSV)",
        "spatial join, sites in wards",
        "filter change: 2 capabilities + 2 kinds",
        "map HTML: build + render",
        "map page: sites data",
        "warm AppTest rerun after a filter change",
        "schema check (read + check every cell)",
        "postcode lookup of 10,000 values",
    ):
        assert figure in out, figure
    assert "realistic 1k" in out, "the load is timed on rows dressed as real ones too"
    assert "Issue 12 §6, today's design beside now:" in out
    assert "issue 12 §6 comparison with today's design were skipped" in out
    assert "synthetic 1k" in out and "real registry (" in out
    assert "Chromium: map drawn" in out or "Chromium figures skipped" in out
    assert "cold start of streamlit run" in out, "quick mode says what it skipped"
    text = report.read_text(encoding="utf-8")
    assert "## Machine" in text and "Processors (nproc)" in text
    assert "Quick mode: a smoke test, not a measurement." in text


def test_realistic_rows_look_like_the_registrys_and_validate(
    synthetic, boundaries_dir: Path, tmp_path: Path
):
    realistic = synthetic_sites(600, seed=11, boundaries_dir=boundaries_dir, realistic=True)
    assert list(realistic["site_id"]) == list(synthetic["site_id"])
    assert list(realistic["kind"]) == list(synthetic["kind"]), "the plain rows, dressed"
    # the real registry's rows: notes of about 330 characters, descriptions of about 180
    assert realistic["location_note"].str.len().mean() > 250
    assert realistic["description"].str.len().mean() > 150
    assert realistic["source_url"].str.len().mean() > 80
    with_postcode = realistic["postcode"] != ""
    assert 0.15 < with_postcode.mean() < 0.35
    assert (realistic.loc[realistic["location_precision"] == "postcode", "postcode"] != "").all()
    assert set(realistic["status"]) <= {"active", "closing", "planned"}
    path = write_registry(realistic, tmp_path / "realistic.csv")
    warnings: list = []
    valid, problems = validate_sites(path, boundaries_dir=boundaries_dir, warnings=warnings)
    assert problems == []
    assert len(valid) == len(realistic)
    assert not [w for w in warnings if w.field == "last_checked"], "no synthetic row is stale"
