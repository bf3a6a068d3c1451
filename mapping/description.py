"""The text version of an export's view: :mod:`layers.summary` applied to a selection.

The bid pack's ``description.txt`` and README, the standalone page's text section and the
``alt`` text of slides all say the same sentences, counted from the same
:class:`layers.selection.Selection` the map is drawn from.
"""

from __future__ import annotations

import pandas as pd

from layers import summary
from layers.registers_figures import RegisterSources
from layers.selection import Selection


def selection_sentences(
    selection: Selection,
    *,
    registry: pd.DataFrame | None = None,
    registers: RegisterSources | None = None,
) -> list[str]:
    """Return the sentences describing ``selection`` (see :func:`layers.summary.view_sentences`).

    Parameters
    ----------
    selection
        The exported view: its sites, its belt (when it has one) and its filter's year.
    registry
        The whole registry it was selected from; without it the text cannot say what the
        filters left out.
    registers
        The loaded official registers; with them the text gives the four register figures of
        the districts holding the sites.
    """
    return summary.view_sentences(
        selection.sites,
        registry,
        corridor=selection.corridor if selection.has_corridor else None,
        year=selection.criteria.as_of,
        registers=registers,
    )


def selection_description(selection: Selection, *, registry: pd.DataFrame | None = None) -> str:
    """Return the description of ``selection`` as one paragraph (for ``alt`` text)."""
    return " ".join(selection_sentences(selection, registry=registry))
