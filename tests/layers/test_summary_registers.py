"""The map in words with the official registers: the figures of the view's districts.

The register layers are built from the published-format fixtures
(:mod:`tests.support.registers_fixtures`). Worked out by hand for a view of three curated sites,
one each in Coventry (E08000026), Birmingham (E08000025) and Leicester (E06000016):

- registered firms: ALPHA (00000001, 25400, Coventry) and HOTEL (00000008, 26511 and 84220,
  Leicester) are core; BRAVO (SC000002, 33160, Birmingham) is adjacent: 2 core, 1 adjacent;
- awards: A1 to Coventry (£120,000 at its latest release, supplier "sme") and A2 to Leicester
  (£250,000, "large"); A4 in Birmingham is left out (the city council is not a defence buyer)
  and A7 in Coventry was cancelled: 2 awards, £370,000, SME share 120/370 = 32%;
- official counts: Coventry 15 (2540) plus a suppressed 3030 cell, Birmingham 0 (3316) plus a
  confidential 2651 cell, Leicester 1,005 (8422); the bread cell is outside the definition:
  at least 1,020, 2 cells suppressed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from layers import registers_figures, summary
from layers.registers_figures import RegisterSources
from tests.support import registers_fixtures as fx
from ui import registers as panel

COVENTRY, BIRMINGHAM, LEICESTER = "E08000026", "E08000025", "E06000016"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> RegisterSources:
    return fx.load_built(fx.build_registers(tmp_path_factory.mktemp("words"), boundaries_dir))


def view(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Sites as the map holds them: id, district name and code, company number."""
    return pd.DataFrame(
        {
            "site_id": [r[0] for r in rows],
            "lad_name": [r[1] for r in rows],
            "lad_code": [r[2] for r in rows],
            "company_number": [r[3] for r in rows],
            "capabilities": [["combat_air"] for _ in rows],
        }
    )


THREE = view(
    ("s1", "Coventry", COVENTRY, ""),
    ("s2", "Birmingham", BIRMINGHAM, ""),
    ("s3", "Leicester", LEICESTER, ""),
)


def test_register_sentences_give_the_hand_worked_figures(sources: RegisterSources) -> None:
    assert summary.register_sentences(THREE, sources) == [
        "The 3 districts holding the view's sites: 3 curated sites.",
        "Registered firms meeting the definition: 2 core and 1 adjacent (registered office, "
        "not the works).",
        "Defence contract awards: 2 worth £370,000, SME share of value 32%.",
        "Official business counts (local units): at least 1,020 (2 cells are suppressed, never "
        "counted as 0).",
    ]


def test_a_firm_that_is_a_curated_site_is_counted_once_as_the_site(
    sources: RegisterSources,
) -> None:
    # HOTEL (00000008) is the Leicester site: the site counts, the firm does not again
    leicester = view(("s3", "Leicester", LEICESTER, "00000008"))
    lines = summary.register_sentences(leicester, sources)
    assert lines[0] == "The 1 district holding the view's sites: 1 curated site."
    assert lines[1].startswith("Registered firms meeting the definition: 0 core and 0 adjacent")
    assert lines[2] == "Defence contract awards: 1 worth £250,000, SME share of value 0%."
    assert lines[3] == "Official business counts (local units): 1,005."


def test_registers_not_loaded_are_named_with_their_command_never_zero() -> None:
    lines = summary.register_sentences(THREE, RegisterSources())
    assert lines[0] == "The 3 districts holding the view's sites: 3 curated sites."
    for line, command in zip(
        lines[1:],
        ["layers.companies build", "layers.contracts build", "layers.statistics build"],
        strict=True,
    ):
        assert "not loaded (python -m " + command in line
        assert " 0 " not in line and "£0" not in line


def test_the_words_quote_the_figures_the_areas_tab_shows(sources: RegisterSources) -> None:
    # the areas and belt tabs' panel and the map in words count through the same rows
    rows = registers_figures.figure_rows(
        THREE, sources, lad_codes={COVENTRY, BIRMINGHAM, LEICESTER}
    )
    cards = dict(panel.figure_cards(registers_figures.figures(rows)))
    assert cards == {
        "Curated sites": "3",
        "Registered firms, core": "2",
        "adjacent": "1",
        "Defence awards": "2 · £370,000",
        "SME share of value": "32%",
        "Official counts": "at least 1,020",
    }
    words = " ".join(summary.register_sentences(THREE, sources))
    for figure in ("3 curated sites", "2 core and 1 adjacent", "2 worth £370,000", "32%"):
        assert figure in words
    assert "at least 1,020" in words


def test_describe_view_ends_with_the_register_figures(sources: RegisterSources) -> None:
    text = summary.describe_view(THREE, registers=sources)
    plain = summary.describe_view(THREE)
    assert text.startswith(plain + " ")
    assert text.endswith(" ".join(summary.register_sentences(THREE, sources)))


def test_a_view_outside_the_districts_has_no_register_figures(sources: RegisterSources) -> None:
    outside = view(("x", "", "", ""))
    assert summary.register_sentences(outside, sources) == [
        "The official registers' figures are given by district, and no site of the view lies "
        "in a mapped district."
    ]
    empty = view()
    assert summary.view_sentences(empty, registers=sources)[-1].startswith(
        "The official registers' figures are given by district"
    )
