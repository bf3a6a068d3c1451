"""select_sites at its edges: a belt mask wider than the frame, text columns with gaps.

The expected ids are read off the rows in ``tests/support/handbuilt.py`` by hand. A mask that covers
more sites than the frame holds (the belt answered for the whole registry, the frame narrowed
since) must be matched by label and its extra sites ignored; a missing name, organisation or
description (``None``, NaN or pandas' ``<NA>``) is text that matches nothing, so the other
columns are still searched and the search never fails.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layers import filters
from layers.filters import SiteFilter
from tests.support import handbuilt
from tests.support.handbuilt import ids


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    return handbuilt.sites()


def test_a_belt_mask_with_sites_the_frame_lacks_keeps_only_the_frames_own(sites):
    # the mask answers for the eight sites and for two that are not in the frame at all
    inside = {"aero-works", "tank-depot", "radar-station"}
    mask = pd.Series(sites["site_id"].isin(inside).to_numpy(), index=sites.index)
    wider = pd.concat([mask, pd.Series([True, True], index=[900, 901])])
    found = filters.select_sites(sites, SiteFilter(in_belt=True), in_belt=wider)
    assert ids(found) == inside
    assert list(found.index) == [100, 103, 106]


def test_a_narrowed_frame_in_its_own_order_takes_the_registrys_belt_mask_by_label(sites):
    # the belt was answered for all eight; the frame is three of them, last first
    mask = pd.Series(
        [True, False, False, True, False, False, True, False], index=list(range(100, 108))
    )
    narrowed = sites.loc[[107, 103, 100]]
    found = filters.select_sites(narrowed, SiteFilter(in_belt=True), in_belt=mask)
    assert list(found["site_id"]) == ["tank-depot", "aero-works"]
    assert list(found.index) == [103, 100]


@pytest.mark.parametrize("dtype", ["string", "object", "str"])
@pytest.mark.parametrize("missing", [None, np.nan])
def test_missing_text_matches_nothing_and_the_other_columns_are_still_searched(
    sites, dtype, missing
):
    gapped = sites.copy()
    for column in ("organisation", "description"):
        values = gapped[column].astype(object)
        # cyber-lab loses its description, radar-station its organisation
        values[101 if column == "description" else 106] = missing
        gapped[column] = values.astype(dtype)
    # "harrier" is only in cyber-lab's (now missing) description
    assert ids(filters.select_sites(gapped, SiteFilter(text="harrier"))) == set()
    # "radar" is in radar-station's name; its organisation is missing
    assert ids(filters.select_sites(gapped, SiteFilter(text="radar"))) == {"radar-station"}
    # "raf" was only radar-station's organisation
    assert ids(filters.select_sites(gapped, SiteFilter(text="raf"))) == set()
    # "cyber" is in cyber-lab's name, whose description is missing
    assert ids(filters.select_sites(gapped, SiteFilter(text="cyber"))) == {"cyber-lab"}
    # "jets" is in aero-works' description, untouched
    assert ids(filters.select_sites(gapped, SiteFilter(text="jets"))) == {"aero-works"}
