"""The chosen areas' outline and the view that fits them, for the explorer's live map."""

from __future__ import annotations

import json

import pytest

import settings
from layers.filters import SiteFilter
from ui.area_focus import AREA_OUTLINE_LABEL, area_focus


@pytest.fixture(autouse=True)
def built_boundaries(boundaries_dir, monkeypatch):
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)


def test_two_authorities_are_outlined_and_the_view_fits_them():
    overlays, place = area_focus(SiteFilter(areas=("E06000020", "E06000051", "E06000020")))
    assert [o.label for o in overlays] == [AREA_OUTLINE_LABEL]
    shapes = json.loads(json.dumps(overlays[0].geojson))
    assert len(shapes["features"]) == 2
    assert place is not None and place["key"] == "areas:E06000020,E06000051"
    (south, west), (north, east) = place["bounds"]
    # Shropshire with Telford and Wrekin: about 70 km across, far more than the sites' 3-5 km
    assert -3.3 < west < -3.1 and -2.3 < east < -2.2
    assert 52.3 < south < 52.4 and 52.9 < north < 53.1


def test_no_area_chosen_leaves_the_map_alone():
    assert area_focus(SiteFilter(capabilities=("space",))) == ([], None)
    assert area_focus(SiteFilter(areas=("E99999999",))) == ([], None)
