"""The live map's reports to Python: each is handled once, by its token.

The map sends a site it opened (``click``) and what it lacks (``resync``) as state values, each
with a token of its own. A state value stays in the component's state after Python handled it,
so every rerun sees the last report again: the same token is the same report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def unhandled(report: object, handled: str | None) -> Mapping[str, Any] | None:
    """Return ``report`` when it is one with a token other than ``handled``, else None.

    Parameters
    ----------
    report
        A state value as the map sent it (``{"token": "...", ...}``), or anything else.
    handled
        The token of the last report of that kind already handled (None: none yet).
    """
    if not isinstance(report, Mapping):
        return None
    token = report.get("token")
    return report if isinstance(token, str) and token != handled else None
