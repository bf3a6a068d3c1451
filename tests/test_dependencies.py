"""The dependencies have one source: pyproject.toml's pins, locked with hashes in two files.

``requirements.lock`` (the app) and ``requirements-dev.lock`` (the app, tests and tooling) are
written by ``make lock`` from pyproject.toml; these tests fail when one is edited without the
other, and when the app imports a package that only the dev extra brings.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import settings
from tests.support.sources import python_files

ROOT = settings.ROOT
FIRST_PARTY = {"app", "settings", "layers", "mapping", "ui", "tests", "benchmarks"}
#: Command-line checks that live beside the code they check but run only in development.
DEV_TOOLS = {Path("mapping/palette_check.py")}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    """``{name: version}`` of the exact pins in a list of requirement strings."""
    found = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        assert match, f"{requirement!r} is not an exact pin (name==version)"
        found[canonical(match[1])] = match[2]
    return found


def locked(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """``{name: (version, hashes)}`` of a lock file written by ``uv pip compile``."""
    entries: dict[str, tuple[str, frozenset[str]]] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block)
        if match:
            hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
            entries[canonical(match[1])] = (match[2], hashes)
    return entries


@pytest.fixture(scope="module")
def project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]


def test_every_runtime_pin_is_locked_at_its_version_with_hashes(project):
    runtime = pins(project["dependencies"])
    lock = locked(ROOT / "requirements.lock")
    assert "scikit-learn" not in runtime, "scikit-learn is a test dependency"
    for name, version in runtime.items():
        assert name in lock, f"{name} is pinned in pyproject.toml but not in requirements.lock"
        assert lock[name][0] == version, f"{name}: pyproject {version}, lock {lock[name][0]}"
    assert all(hashes for _, hashes in lock.values()), "every locked package carries its hashes"


def test_the_dev_lock_holds_the_runtime_lock_and_the_dev_extra(project):
    runtime_lock = locked(ROOT / "requirements.lock")
    dev_lock = locked(ROOT / "requirements-dev.lock")
    for name, entry in runtime_lock.items():
        assert dev_lock.get(name) == entry, f"{name} differs between the two lock files"
    dev = pins(project["optional-dependencies"]["dev"])
    assert {"pytest", "pytest-xdist", "scikit-learn"} <= dev.keys()
    for name, version in dev.items():
        assert dev_lock.get(name, ("missing",))[0] == version, f"{name} {version} is not locked"
        assert name not in runtime_lock, f"{name} is a dev tool but the app's lock installs it"


def reachable(requirements: list[str]) -> set[str]:
    """The names of ``requirements`` and of everything they need, read from the installed
    packages' metadata (a platform marker is followed whatever it says; an extra only when
    it is asked for)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = canonical(requirement.name)
        if (name, frozenset(requirement.extras)) in seen:
            continue
        seen.add((name, frozenset(requirement.extras)))
        try:
            needs = distribution(name).requires or []
        except PackageNotFoundError:  # another platform's package: nothing installed to read
            continue
        for text in needs:
            need = Requirement(text)
            marker = str(need.marker or "")
            if "extra" in marker and not any(
                need.marker.evaluate({"extra": extra})  # type: ignore[union-attr]
                for extra in requirement.extras
            ):
                continue
            todo.append(need)
    return {name for name, _ in seen}


def test_every_locked_package_is_needed_by_a_pin_in_pyproject(project):
    runtime = reachable(project["dependencies"])
    assert sorted(locked(ROOT / "requirements.lock").keys() - runtime) == [], "stale in the lock"
    everything = reachable(project["dependencies"] + project["optional-dependencies"]["dev"])
    assert sorted(locked(ROOT / "requirements-dev.lock").keys() - everything) == []


def third_party_imports(path: Path) -> set[str]:
    """The top-level names of the modules ``path`` imports from outside the project."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names - FIRST_PARTY - set(sys.stdlib_module_names) - {"__future__"}


def app_sources() -> list[Path]:
    files = python_files("app.py", "settings.py", "layers", "mapping", "ui")
    return [path for path in files if path.relative_to(ROOT) not in DEV_TOOLS]


def test_the_app_imports_only_what_the_runtime_lock_installs():
    runtime_lock = locked(ROOT / "requirements.lock")
    providers = packages_distributions()
    missing = []
    for path in app_sources():
        for name in sorted(third_party_imports(path)):
            dists = {canonical(dist) for dist in providers.get(name, [name])}
            if not dists & runtime_lock.keys():
                missing.append(f"{path.relative_to(ROOT)} imports {name} ({', '.join(dists)})")
    assert not missing, "not in requirements.lock: " + "; ".join(missing)


def test_only_the_tests_import_scikit_learn():
    importers = [
        path.relative_to(ROOT)
        for path in python_files("layers", "mapping", "ui", "benchmarks")
        if "sklearn" in third_party_imports(path)
    ]
    assert importers == []
