"""The text version of a view, checked sentence by sentence on a hand-built registry.

Ten sites whose numbers are worked out by hand below: four list combat air (r1, r3, r5, r7),
two cyber (r4, r8), two skills (r5, r9); r9 lies outside the Midlands' districts and r10 is
planned for 2028, so the registry open in 2026 is r1 to r9.
"""

from __future__ import annotations

import pandas as pd
import pytest

from layers import summary


def site(site_id, lad, caps, status="active", opened="", closes=""):
    return {
        "site_id": site_id,
        "lad_name": lad,
        "capabilities": caps,
        "status": status,
        "opened": opened,
        "closes": closes,
    }


REGISTRY = pd.DataFrame(
    [
        site("r1", "Derby", ["combat_air", "advanced_manufacturing"]),
        site("r2", "Derby", ["nuclear_propulsion"]),
        site("r3", "Derby", ["combat_air"]),
        site("r4", "Birmingham", ["cyber_digital", "autonomy_ai"]),
        site("r5", "Birmingham", ["combat_air", "skills_training"]),
        site("r6", "Lincoln", ["istar"]),
        site("r7", "Lincoln", ["combat_air"], status="closing", closes="2027"),
        site("r8", "Malvern Hills", ["cyber_digital"]),
        site("r9", "", ["skills_training"]),
        site("r10", "Leicester", ["space"], status="planned", opened="2028"),
    ]
)
COMBAT_AIR = REGISTRY.loc[REGISTRY["site_id"].isin(["r1", "r3", "r5", "r7"])]
BELT = pd.DataFrame(
    {"part": ["belt", "spine"], "sites_inside": [3, 3], "share_inside": [0.75, 0.75]}
)


def test_a_filtered_view_for_a_year_with_the_belt():
    sentences = summary.view_sentences(
        COMBAT_AIR, REGISTRY, corridor=BELT, year=2026, planned=False
    )
    assert sentences == [
        "The view shows 4 of the 9 sites open in 2026.",
        "The Midlands Defence Belt holds 3 of the 4 sites it was computed from (75%).",
        "They are spread over 3 districts; the most are in Derby (2), Birmingham (1) and "
        "Lincoln (1).",
        "The capabilities listed most often are combat air and military aerospace (4 sites), "
        "advanced manufacturing and materials (1) and skills and training (1).",
        "Against every site open in 2026, the filters leave out 5 sites and 1 of its 4 districts.",
        "Combat air and military aerospace rises from 44% to 100% of the sites; cyber, digital "
        "and secure communications falls from 22% to 0% of the sites.",
    ]


def test_the_whole_registry_says_nothing_is_filtered_out():
    text = summary.describe_view(REGISTRY, REGISTRY)
    assert text == (
        "The view shows all 10 sites in the registry. "
        "They are spread over 5 districts; the most are in Derby (3), Birmingham (2) and "
        "Lincoln (2). "
        "1 site lies outside the Midlands' districts. "
        "The capabilities listed most often are combat air and military aerospace (4 sites), "
        "cyber, digital and secure communications (2) and skills and training (2). "
        "Nothing is filtered out: the view is the whole registry."
    )


def test_one_site():
    one = REGISTRY.loc[REGISTRY["site_id"] == "r6"]
    assert summary.view_sentences(one, REGISTRY) == [
        "The view shows 1 of the 10 sites in the registry.",
        "It is in Lincoln.",
        "The only capability listed is intelligence, surveillance, target acquisition and "
        "reconnaissance (1 site).",
        "Against the whole registry, the filters leave out 9 sites and 4 of its 5 districts.",
        "Intelligence, surveillance, target acquisition and reconnaissance rises from 10% to "
        "100% of the sites; combat air and military aerospace falls from 40% to 0% of the "
        "sites.",
    ]


def test_an_empty_view_and_a_belt_that_holds_nothing():
    empty_belt = BELT.assign(sites_inside=0, share_inside=0.0)
    assert summary.view_sentences(REGISTRY.iloc[0:0], REGISTRY, corridor=empty_belt) == [
        "The view shows none of the 10 sites in the registry.",
        "The Midlands Defence Belt holds none of the sites it was computed from.",
    ]


def test_without_the_registry_only_the_view_is_described():
    assert summary.view_sentences(COMBAT_AIR, year=2026, top=1) == [
        "The view shows 4 sites open in 2026.",
        "They are spread over 3 districts; the most are in Derby (2).",
        "The capability listed most often is combat air and military aerospace (4 sites).",
    ]


def test_uploaded_sites_are_counted_apart_from_the_registry():
    upload = pd.DataFrame([site("u1", "Lincoln", ["istar"])])
    view = pd.concat([REGISTRY.loc[REGISTRY["site_id"] == "r6"], upload], ignore_index=True)
    sentences = summary.view_sentences(view, REGISTRY)
    assert sentences[0] == "The view shows 1 of the 10 sites in the registry, and 1 uploaded."
    assert sentences[1] == "All are in Lincoln."


def test_a_label_that_starts_with_an_acronym_keeps_its_capitals():
    ai = REGISTRY.loc[REGISTRY["site_id"] == "r4"]
    assert (
        "cyber, digital and secure communications (1 site) and AI, autonomy and uncrewed "
        "systems (1)" in summary.describe_view(ai)
    )


def test_top_must_be_positive():
    with pytest.raises(ValueError, match="top must be 1 or more"):
        summary.describe_view(REGISTRY, top=0)


def test_a_view_that_keeps_planned_sites_counts_them_and_says_so():
    sentences = summary.view_sentences(COMBAT_AIR, REGISTRY, year=2026)
    assert sentences[0] == "The view shows 4 of the 10 sites open or planned in 2026."
    assert "Against every site open or planned in 2026, the filters leave out 6 sites" in (
        " ".join(sentences)
    )
