"""The sites command line: its help, its default boundaries folder and its log lines.

Expected lines are typed out from the module's docstring, the settings and a registry of one
row written here, so none comes from the code under test.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import settings
from layers import sites
from tests.support.registry_rows import WALSALL, write_registry


def test_the_help_shows_each_command_line_of_the_description_on_its_own_line(capsys):
    with pytest.raises(SystemExit) as raised:
        sites.main(["--help"])
    assert raised.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Command line::")
    assert lines[start + 1 : start + 6] == [
        "",
        "    python -m layers.sites validate [PATH]",
        "    python -m layers.sites audit [PATH] [--csv OUT] [--readme]",
        "    python -m layers.sites osm-check [PATH] [--osm FILE] [--csv OUT] [--radius M]",
        '    python -m layers.sites geocode "name, town"',
    ]


def test_validate_without_boundaries_names_the_folder_from_the_settings(
    tmp_path, monkeypatch, capsys
):
    empty = tmp_path / "no-boundaries"
    empty.mkdir()
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", empty)
    registry = write_registry(tmp_path / "sites.csv", [WALSALL])
    assert sites.main(["validate", str(registry)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"row 0: boundaries '{empty}' are not built, so no site was checked against the "
        f"Midlands outline (boundary layer 'midlands' is not built ({empty}/midlands.parquet "
        "is missing); run 'make data' or 'python -m layers.boundaries build --mirror DIR')"
    ]
    assert err == f"{registry}: 1 problem(s); 1 valid row(s)\n"


@contextmanager
def unconfigured_logging() -> Iterator[None]:
    """Give the root logger no handler and WARNING, as a fresh interpreter has it; restore it.

    Entered inside the test, after pytest has added its own capturing handlers.
    """
    root = logging.getLogger()
    kept, level = root.handlers[:], root.level
    for handler in kept:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in kept:
            root.addHandler(handler)
        root.setLevel(level)


def test_audit_logs_what_loading_noticed_as_level_logger_and_message(
    tmp_path, boundaries_dir, capsys
):
    # loading the registry logs its warnings (here: a row checked six years ago)
    stale = write_registry(tmp_path / "stale.csv", [{**WALSALL, "last_checked": "2020-01-02"}])
    with unconfigured_logging():
        assert sites.main(["audit", str(stale), "--boundaries", str(boundaries_dir)]) == 0
    logged = [line for line in capsys.readouterr().err.splitlines() if line]
    assert logged, "nothing was logged"
    assert all(line.startswith("WARNING layers.sites: stale.csv: ") for line in logged), logged
    assert any(
        line.startswith(
            "WARNING layers.sites: stale.csv: row 2 (test-walsall-works): "
            "last_checked '2020-01-02' is "
        )
        for line in logged
    ), logged


@pytest.mark.parametrize("command", ["validate", "audit"])
def test_a_missing_registry_file_is_one_line_naming_it(command, tmp_path, capsys):
    missing = tmp_path / "not-here.csv"
    assert sites.main([command, str(missing)]) == 2
    out, err = capsys.readouterr()
    assert err.strip() == (
        f"error: no registry file at {missing}; give the path of a registry CSV "
        f"(the default is {settings.SITES_CSV})"
    )
    assert "Traceback" not in out + err


def test_audit_without_boundaries_says_to_build_them(tmp_path, capsys):
    registry = write_registry(tmp_path / "sites.csv", [WALSALL])
    empty = tmp_path / "no-boundaries"
    empty.mkdir()
    assert sites.main(["audit", str(registry), "--boundaries", str(empty)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: boundary layer ")
    assert str(empty) in err[0]
    assert "make data" in err[0]
