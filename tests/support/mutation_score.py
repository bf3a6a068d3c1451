"""Print the mutation score of the last ``make mutate`` run, file by file and in all.

Read from mutmut's results in ``mutants/``: a mutant is killed when a test failed (or it timed
out); the score is killed / all mutants tried. Mutants no test reaches count against it.

Usage: ``python -m tests.support.mutation_score [MUTANTS_DIR]``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

#: mutmut's exit codes (mutmut.stats.status_by_exit_code), as this report groups them.
STATUS: dict[int | None, str] = {
    None: "not checked",
    1: "killed",
    3: "killed",
    36: "killed",  # timed out: the mutant hangs the tests
    -24: "killed",
    24: "killed",
    152: "killed",
    255: "killed",
    37: "killed",  # caught by the type checker
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
}


def tally(folder: Path) -> dict[str, Counter[str]]:
    """Return {source file: Counter of statuses} from the ``.meta`` files under ``folder``."""
    found: dict[str, Counter[str]] = {}
    for meta in sorted(folder.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            name = meta.relative_to(folder).as_posix().removesuffix(".meta")
            found[name] = Counter(STATUS.get(code, "suspicious") for code in codes.values())
    return found


def score_line(label: str, counts: Counter[str]) -> str:
    tried = sum(counts.values()) - counts["skipped"] - counts["not checked"]
    score = 100.0 * counts["killed"] / tried if tried else 0.0
    return (
        f"{label:<32} {score:5.1f}%  killed {counts['killed']:>4} / {tried:<4}  "
        f"survived {counts['survived']:>3}  no tests {counts['no tests']:>3}"
        + (f"  not checked {counts['not checked']}" if counts["not checked"] else "")
        + (f"  suspicious {counts['suspicious']}" if counts["suspicious"] else "")
    )


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "mutants")
    found = tally(folder)
    if not found:
        print(f"no mutation results in {folder}/: run 'make mutate'", file=sys.stderr)
        return 1
    total: Counter[str] = Counter()
    for name, counts in found.items():
        print(score_line(name, counts))
        total += counts
    print(score_line("mutation score (all files)", total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
