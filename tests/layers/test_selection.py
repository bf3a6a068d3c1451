"""The one selection step: filters, then the belt, then "inside the belt", uploads beside."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import settings
from layers import filters
from layers import selection as selecting
from layers.corridor import sites_in_corridor
from layers.filters import SiteFilter
from tests.support.sources import python_files

ROOT = Path(settings.ROOT)
IN_BELT = SiteFilter(kinds=("military", "research_centre"), in_belt=True)


class BeltSpy:
    """A ``corridor_of`` that records the sites it is asked for and builds the real belt."""

    def __init__(self, boundaries_dir: Path) -> None:
        self.asked: list[list[str]] = []
        self.boundaries_dir = boundaries_dir

    def __call__(self, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        self.asked.append(sorted(sites["site_id"].astype(str)))
        return selecting.compute_corridor(sites, width_km=10.0, boundaries_dir=self.boundaries_dir)


def uploads_from(registry: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Two uploaded copies of military sites (near the belt) and one far away in Cornwall."""
    military = registry.loc[registry["kind"] == "military"].head(2)
    far = military.head(1).copy()
    far["geometry"] = [shapely.Point(-5.05, 50.26)]
    rows = pd.concat([military, far], ignore_index=True)
    rows["site_id"] = [f"upload-{n}" for n in range(2, 2 + len(rows))]
    return gpd.GeoDataFrame(rows, crs=registry.crs)


def make(registry: gpd.GeoDataFrame, boundaries_dir: Path, criteria: SiteFilter, **options):
    return selecting.make_selection(
        registry, criteria, boundaries_dir=boundaries_dir, data_version="test", **options
    )


def test_the_belt_follows_every_criterion_but_inside_the_belt(registry, boundaries_dir):
    spy = BeltSpy(boundaries_dir)
    chosen = make(registry, boundaries_dir, IN_BELT, corridor_of=spy)
    base = filters.select_sites(registry, replace(IN_BELT, in_belt=False))
    assert spy.asked == [sorted(base["site_id"])]
    assert list(chosen.belt_sites["site_id"]) == list(base["site_id"])
    assert chosen.corridor is not None
    inside = base.loc[sites_in_corridor(base, chosen.corridor)]
    assert list(chosen.sites["site_id"]) == list(inside["site_id"])
    assert 0 < len(chosen.sites) < len(base), "the fixture has sites on both sides of the belt"


def test_uploads_are_filtered_beside_and_never_shape_the_belt(registry, boundaries_dir):
    spy = BeltSpy(boundaries_dir)
    uploads = uploads_from(registry)
    chosen = make(
        registry, boundaries_dir, IN_BELT, corridor_of=spy, uploads=uploads, upload_name="a.csv"
    )
    assert not any(i.startswith("upload-") for i in spy.asked[0])
    assert chosen.uploads is not None
    assert "upload-4" not in set(chosen.uploads["site_id"]), "Cornwall is outside the belt"
    assert set(chosen.uploads["site_id"]) <= {"upload-2", "upload-3"}
    assert not chosen.registry_sites["site_id"].str.startswith("upload-").any()
    assert list(chosen.sites["site_id"]) == [
        *chosen.registry_sites["site_id"],
        *chosen.uploads["site_id"],
    ]
    assert chosen.uploaded_ids == frozenset(uploads["site_id"])
    assert chosen.upload_name == "a.csv"


def test_without_the_belt_none_is_computed(registry, boundaries_dir):
    spy = BeltSpy(boundaries_dir)
    criteria = SiteFilter(kinds=("university",))
    chosen = make(registry, boundaries_dir, criteria, corridor_of=spy)
    assert spy.asked == []
    assert chosen.corridor is None
    assert list(chosen.sites["site_id"]) == list(
        filters.select_sites(registry, criteria)["site_id"]
    )


def test_the_map_shows_the_belt_without_filtering_by_it(registry, boundaries_dir):
    spy = BeltSpy(boundaries_dir)
    criteria = SiteFilter(kinds=("military",))
    chosen = make(registry, boundaries_dir, criteria, corridor_of=spy, with_corridor=True)
    assert len(spy.asked) == 1
    assert chosen.has_corridor
    assert list(chosen.sites["site_id"]) == list(chosen.belt_sites["site_id"])


def test_the_registrys_sites_keep_their_column_types_beside_uploads(registry, boundaries_dir):
    chosen = make(registry, boundaries_dir, SiteFilter(), uploads=uploads_from(registry))
    assert chosen.registry_sites.dtypes.to_dict() == registry.dtypes.to_dict()
    assert len(chosen.registry_sites) == len(registry)


def test_a_selection_given_by_hand_splits_its_uploads(registry):
    rows = uploads_from(registry)
    by_hand = selecting.Selection(
        sites=gpd.GeoDataFrame(pd.concat([registry, rows], ignore_index=True), crs=registry.crs),
        uploaded_ids=frozenset(rows["site_id"]),
    )
    assert len(by_hand.registry_sites) == len(registry)
    assert by_hand.uploads is not None
    assert list(by_hand.uploads["site_id"]) == list(rows["site_id"])
    assert selecting.Selection(sites=registry).uploads is None


def _calls(path: Path) -> list[str]:
    """Return the dotted names of the functions a module calls."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.append(func.attr)
            elif isinstance(func, ast.Name):
                names.append(func.id)
    return names


@pytest.mark.parametrize(
    "path",
    [
        *python_files("ui", "mapping"),
        ROOT / "app.py",
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_app_and_the_exports_have_no_selection_step_of_their_own(path: Path):
    """Only :func:`layers.selection.make_selection` filters, builds the belt and keeps its sites."""
    calls = set(_calls(path))
    assert not calls & {"select_sites", "sites_in_corridor", "Selected"}, (
        f"{path.relative_to(ROOT)} selects sites itself; call layers.selection.make_selection"
    )


def test_there_is_one_selection_type():
    tree = "\n".join(p.read_text() for p in python_files("ui"))
    assert "class Selected" not in tree
    assert not (ROOT / "mapping" / "selection.py").exists()
