"""Today's design, measured in the same run: the code as it stood before the speed work.

``tree`` checks a git revision out into the work folder (``git archive``; nothing in the
repository changes) and links the data that is not committed (built static assets, roads,
estates). ``run_job`` runs a :mod:`benchmarks.jobs` job in a fresh Python process inside a
tree, that tree's code first on the import path, and returns its JSON. Running the working
tree the same way gives the "now" figure with the same method.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import settings

#: The revision the speed table calls "today": the app and layers when this
#: work began (folium map, row-by-row validator, clusters and corridor before their rework).
BASELINE_REV = "b418735"
JOBS = Path(__file__).with_name("jobs.py")
#: Built, uncommitted files the app needs: copied (Streamlit serves no static file through a
#: link that leaves its folder) or linked into a checked-out tree when present.
_COPIED = ("static/vendor",)
_LINKED = ("data/roads", "data/sites/estates.geojson")


class JobError(RuntimeError):
    """A timing job failed; the message ends with its error output."""


def tree(rev: str = BASELINE_REV, *, work_dir: Path) -> Path:
    """Return a checked-out copy of ``rev`` in ``work_dir`` (made once, then reused)."""
    target = (work_dir / f"baseline-{rev}").resolve()
    if (target / "app.py").is_file():
        return target
    archive = subprocess.run(
        ["git", "-C", str(settings.ROOT), "archive", "--format=tar", rev],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise JobError(f"git archive {rev} failed: {archive.stderr.decode()[-500:]}")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as bundle:
        bundle.extractall(partial, filter="data")
    for name in _COPIED:
        if (settings.ROOT / name).is_dir():
            shutil.copytree(settings.ROOT / name, partial / name, dirs_exist_ok=True)
    for name in _LINKED:
        source, link = settings.ROOT / name, partial / name
        if source.exists() and not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(source, target_is_directory=source.is_dir())
    partial.rename(target)
    return target


def run_job(
    code_tree: Path,
    job: str,
    csv: Path,
    *,
    boundaries_dir: Path,
    repeat: int,
    warmup: int = 1,
    timeout_s: float = 3600.0,
) -> dict[str, Any]:
    """Run ``job`` on ``csv`` with ``code_tree``'s code in a fresh process; return its JSON."""
    launcher = (
        "import runpy, sys; sys.argv = ['jobs.py', *sys.argv[1:]]; "
        f"runpy.run_path({str(JOBS)!r}, run_name='__main__')"
    )
    command = [sys.executable, "-c", launcher, job, str(csv)]
    command += ["--boundaries", str(boundaries_dir), "--repeat", str(repeat)]
    command += ["--warmup", str(warmup)]
    env = {
        **os.environ,
        "PYTHONPATH": str(code_tree),
        "MIDLANDS_BOUNDARIES_DIR": str(boundaries_dir),
        "MIDLANDS_POSTCODES_DIR": str(settings.POSTCODES_DIR),
        "MIDLANDS_SITES_CSV": str(csv),
    }
    finished = subprocess.run(
        command,
        cwd=code_tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if finished.returncode != 0:
        raise JobError(f"{job} on {csv.name} in {code_tree.name} failed: {finished.stderr[-800:]}")
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result
