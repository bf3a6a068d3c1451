"""A report from the live map is handled once: a new string token, never one already seen."""

from __future__ import annotations

import pytest

from mapping.livemap.reports import unhandled


@pytest.mark.parametrize(
    "report",
    [None, "t1", ["t1"], {}, {"token": None}, {"token": 7}, {"site": "a"}],
    ids=["none", "text", "list", "empty", "null token", "number token", "no token"],
)
def test_what_is_not_a_tokened_report_is_never_handled(report):
    assert unhandled(report, None) is None


def test_a_new_token_is_handled_and_the_same_one_is_not_again():
    first = {"token": "t1", "site": "a"}
    assert unhandled(first, None) is first
    assert unhandled(first, "t1") is None
    again = {"token": "t2", "site": "a"}  # the same site opened again: a new report
    assert unhandled(again, "t1") is again
