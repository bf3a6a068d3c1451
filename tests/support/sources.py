"""The project's own Python files, for tests that read the source (imports, calls).

Work folders that git ignores (``benchmarks/out`` holds a copy of an earlier design after
``make bench``; ``mutants`` after ``make mutate``) are not the project's code, so they are left
out: the files are those git tracks or would track (untracked and not ignored).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import settings


def python_files(*folders: str, root: Path | None = None) -> list[Path]:
    """The ``.py`` files under ``folders`` (paths relative to the project), sorted.

    Parameters
    ----------
    folders
        Folders or single files, relative to the project's root (``"layers"``, ``"app.py"``).
    root
        The project's root; the settings' by default.

    Returns
    -------
    list of Path
        Absolute paths; a folder's files in git's view of the project (tracked, or new and not
        ignored). Outside a git checkout every file under the folders is listed.
    """
    base = root or settings.ROOT
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *folders],
            cwd=base,
            capture_output=True,
            check=True,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder in folders:
            path = base / folder
            found += [path] if path.suffix == ".py" else list(path.rglob("*.py"))
        return sorted(found)
    names = {name for name in listed.split("\0") if name.endswith(".py")}
    return sorted(base / name for name in names if (base / name).exists())
