"""The machine a benchmark ran on: processors, memory, CPU, OS, Python, libraries, Chromium and
the code's revision, for the report."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import settings

LIBRARIES = (
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "pyarrow",
    "pandas",
    "numpy",
    "folium",
    "branca",
    "streamlit",
    "streamlit-folium",
    "scikit-learn",
    "playwright",
)


def machine() -> list[tuple[str, str]]:
    """Describe this machine: processors, memory, CPU, OS, Python, libraries, Chromium."""
    cpu = "unknown"
    memory = "unknown"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
        meminfo = Path("/proc/meminfo").read_text()
        total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
        memory = f"{int(total.group(1)) / 1024 / 1024:.1f} GiB" if total else memory
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    browser = _output(["/usr/bin/chromium", "--version"], "not installed")
    revision = _output(["git", "-C", str(settings.ROOT), "describe", "--always", "--dirty"], "")
    return [
        ("Code", f"git {revision or 'unknown'} (the app and layers as they stood during the run)"),
        ("Processors (nproc)", str(usable)),
        ("Memory", memory),
        ("CPU", cpu),
        ("OS", platform.platform()),
        ("Python", sys.version.split()[0]),
        ("Libraries", ", ".join(versions)),
        ("Browser", browser or "unknown"),
    ]


def _output(command: list[str], missing: str) -> str:
    """Return what ``command`` prints, or ``missing`` when it cannot run."""
    try:
        return subprocess.run(
            command, check=False, capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return missing
