"""Headline figures from the Defence and Security Blueprint for the Midlands, for the KPI strip.

Each figure keeps the Blueprint's wording, its value and unit, and the section that states it,
so the map never shows a number without its source.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The document the figures come from.
BLUEPRINT_TITLE = "Defence and Security Blueprint for the Midlands (EMCCA and WMCA, 2025)"


@dataclass(frozen=True)
class HeadlineFigure:
    """One figure: a short label, the value as shown, its unit, the wording and its section."""

    key: str
    label: str
    value: float
    display: str
    unit: str
    wording: str
    section: str

    @property
    def citation(self) -> str:
        """Where the figure is stated, e.g. 'Blueprint, section 4'."""
        return f"Blueprint, section {self.section}"


HEADLINE_FIGURES: tuple[HeadlineFigure, ...] = (
    HeadlineFigure(
        key="sme_spend",
        label="MOD spend with Midlands SMEs",
        value=124e6,
        display="£124m",
        unit="GBP a year",
        wording="The MOD spends £124m a year with Midlands SMEs; the ambition is £250m "
        "within five years.",
        section="4",
    ),
    HeadlineFigure(
        key="sme_ambition",
        label="SME spend ambition (5 years)",
        value=250e6,
        display="£250m",
        unit="GBP a year",
        wording="Ambition to double MOD spend with Midlands SMEs to £250m within five years.",
        section="4",
    ),
    HeadlineFigure(
        key="high_skilled_jobs",
        label="High-skilled sector jobs",
        value=48_500,
        display="48,500",
        unit="jobs",
        wording="48,500 high-skilled jobs across defence, aerospace, space and security: 11% of "
        "UK sector employment.",
        section="5",
    ),
    HeadlineFigure(
        key="companies",
        label="Companies in defence or adjacent sectors",
        value=1_000,
        display="~1,000",
        unit="companies",
        wording="Around 1,000 companies active in defence or adjacent sectors across the Midlands.",
        section="2",
    ),
    HeadlineFigure(
        key="ads_employment",
        label="Aerospace, defence and security employment",
        value=50_000,
        display="~50,000",
        unit="people",
        wording="Nearly 50,000 people employed in aerospace, defence and security: over 10% of "
        "the UK sector's workforce.",
        section="2",
    ),
    HeadlineFigure(
        key="regular_forces",
        label="UK Regular Forces personnel",
        value=15_000,
        display="15,000+",
        unit="people",
        wording="Over 15,000 UK Regular Forces personnel are based across the Midlands.",
        section="2",
    ),
    HeadlineFigure(
        key="covenant_signatories",
        label="Armed Forces Covenant signatories",
        value=15_000,
        display="~15,000",
        unit="organisations",
        wording="Nearly 15,000 Armed Forces Covenant signatories across the Midlands.",
        section="5",
    ),
)


def figure(key: str) -> HeadlineFigure:
    """Return the headline figure with ``key``."""
    for item in HEADLINE_FIGURES:
        if item.key == key:
            return item
    known = ", ".join(f.key for f in HEADLINE_FIGURES)
    raise KeyError(f"no headline figure {key!r}; known figures: {known}")
