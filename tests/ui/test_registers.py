"""The registers panel through AppTest: figures, the KPI and how to load a missing source."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import registers as panel


def _script() -> None:
    import os
    from pathlib import Path

    import pandas as pd

    from layers import registers_figures
    from ui import registers as panel

    root = Path(os.environ["REGISTERS_TEST_ROOT"])
    sources = registers_figures.load_sources(
        companies_dir=root / "companies",
        contracts_dir=root / "contracts",
        statistics_dir=root / "statistics",
    )
    sites = pd.DataFrame({"site_id": ["a"], "lad_code": ["E08000026"], "company_number": [""]})
    panel.registers_panel(sites, lad_codes={"E08000026"}, where="Coventry", sources=sources)


def test_panel_without_sources_says_how_to_load(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("REGISTERS_TEST_ROOT", str(tmp_path))
    app = AppTest.from_function(_script, default_timeout=60).run()
    assert not app.exception
    codes = [c.value for c in app.code]
    assert any("python -m layers.companies build" in c for c in codes)
    assert any("python -m layers.contracts build" in c for c in codes)
    assert any("python -m layers.statistics build" in c for c in codes)
    # the commands show without a click: their box is open while a source is missing
    sources_box = next(e for e in app.expander if e.label == "Sources of these figures")
    assert sources_box.proto.expanded
    values = {m.label: m.value for m in app.metric}
    assert values["Curated sites"] == "1"
    assert values["Registered firms, core"] == "not loaded"
    assert len(app.dataframe) == 1  # the definition table


def test_figure_cards_show_suppressed_never_zero() -> None:
    found = {
        "sites": 3,
        "firms_core": 2,
        "firms_adjacent": 5,
        "awards": 1,
        "award_value_gbp": 1200.0,
        "sme_share": 0.5,
        "official_count": None,
        "official_suppressed_cells": 2,
    }
    cards = dict(panel.figure_cards(found))
    assert cards["Official counts"] == "suppressed"
    assert cards["Defence awards"] == "1 · £1,200"
    assert cards["SME share of value"] == "50%"
    found["official_count"] = 40
    assert dict(panel.figure_cards(found))["Official counts"] == "at least 40"


def test_panel_with_sources_shows_figures_and_the_kpi(
    tmp_path: Path, monkeypatch, boundaries_dir: Path
) -> None:
    from tests.support import registers_fixtures as fx

    fx.build_registers(tmp_path, boundaries_dir)
    monkeypatch.setenv("REGISTERS_TEST_ROOT", str(tmp_path))
    app = AppTest.from_function(_script, default_timeout=60).run()
    assert not app.exception
    values = {m.label: m.value for m in app.metric}
    assert values["Registered firms, core"] == "1"
    assert values["Defence awards"] == "1 · £120,000"
    assert values["Official counts"] == "at least 15"
    texts = [t.value for t in app.text]
    assert any(t.startswith("MOD awards to Midlands SMEs, last 12 months: £") for t in texts)
    assert any("Companies House" in t and "2026-12" in t for t in texts)
    assert not app.code  # every source is loaded: no command to show
    sources_box = next(e for e in app.expander if e.label == "Sources of these figures")
    assert not sources_box.proto.expanded  # folded: nothing is missing
