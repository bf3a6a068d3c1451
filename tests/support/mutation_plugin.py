"""A pytest plugin for mutation runs only (``make mutate`` loads it; ``make test`` never does).

mutmut starts a fresh pytest session for every mutant, in its working copy ``mutants/``, with
the tests that reach the mutated function. Two things make those sessions cheaper without
changing what they check:

- The boundary layers built from the ONS mirror (several seconds) are the same for every mutant,
  since ``layers/boundaries.py`` is not mutated: the first build is kept in
  ``mutants/.kept-boundaries`` and copied into each later session's folder.
- The quickest test files run first, and the quickest tests first within each (by the
  durations mutmut recorded in its stats run), so with pytest's ``-x`` a mutant that a quick
  test kills stops there, and module fixtures are still set up once.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from layers import boundaries

_KEPT = Path(__file__).resolve().parents[2] / ".kept-boundaries"
_STATS = Path(__file__).resolve().parents[2] / "mutmut-stats.json"
_build = boundaries.build_boundaries


def _kept_build(out_dir: Any = None, *, mirror: Any = None, **options: Any) -> dict:
    """Build the boundaries into ``out_dir`` once per mirror, then copy that build."""
    if out_dir is None or mirror is None or options:
        return _build(out_dir, mirror=mirror, **options)
    kept = _KEPT / Path(mirror).resolve().as_posix().strip("/").replace("/", "_")
    if not (kept / "manifest.json").is_file():
        # build beside, then rename: two workers may race, and neither sees half a build
        scratch = kept.with_name(f"{kept.name}.{os.getpid()}")
        _build(scratch, mirror=mirror)
        try:
            scratch.rename(kept)
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(kept, out_dir, dirs_exist_ok=True)
    return {}  # the tests' fixture uses the folder, not the layers returned


boundaries.build_boundaries = _kept_build  # type: ignore[assignment]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the files, then the tests in each, that mutmut timed as quickest first."""
    if not _STATS.is_file():
        return
    durations: dict[str, float] = json.loads(_STATS.read_text()).get("duration_by_test", {})
    by_file: dict[str, float] = {}
    for item in items:
        by_file[item.location[0]] = by_file.get(item.location[0], 0.0) + durations.get(
            item.nodeid, 0.0
        )
    items.sort(key=lambda item: (by_file[item.location[0]], durations.get(item.nodeid, 0.0)))
