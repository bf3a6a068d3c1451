"""The Data and sources tab names the postcode index's edition and its attribution statements."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import settings


def sources_page() -> None:
    import pandas as pd

    from ui.tabs.sources import sources_tab

    sites = pd.DataFrame(
        {"last_checked": ["2026-10-01", "2026-11-01"], "location_precision": ["postcode", "site"]}
    )
    sources_tab("abcd1234", sites)


def test_the_tab_names_onspd_its_edition_and_its_statements(
    boundaries_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    monkeypatch.setattr(settings, "POSTCODE_INDEX", None)
    at = AppTest.from_function(sources_page, default_timeout=60).run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert "Postcode points: ONS Postcode Directory (ONSPD), November 2025. " in " ".join(texts)
    for statement in (
        "Contains OS data © Crown copyright and database right 2025",
        "Contains Royal Mail data © Royal Mail copyright and database right 2025",
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    ):
        assert any(statement in text for text in texts), statement
    assert any("Open Government Licence v3.0" in text for text in texts)
    assert not any("Code-Point" in text for text in texts)
