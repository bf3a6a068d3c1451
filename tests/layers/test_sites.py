"""The registry validator: every kind of problem reported with row, site id, field and value.

load_sites and the sites command line on a registry of two rows written by hand.

The expected areas are the GSS codes of the places named (Walsall is E08000030 in the West
Midlands Combined Authority; Derby is the unitary E06000015 in the East Midlands CCA), and the
expected output lines are typed out, so none of them comes from the code under test.

The sites command line: its help, its default boundaries folder and its log lines.

Expected lines are typed out from the module's docstring, the settings and a registry of one
row written here, so none comes from the code under test.

layers.sites.read_user_sites hands the user's file and every option on to the upload reader.

The table is typed out here; which column names the site is chosen by ``column_map``, so a
result named from the other column shows the option was lost on the way.

validate_sites against a Midlands outline and a postcode index both built by hand.

The outline is a square in British National Grid metres (eastings 380 000 to 460 000,
northings 260 000 to 340 000), so how far a point lies outside it is known without the code
under test: the point at easting 560 000 is 100 km east of the square's east edge. Its
latitude and longitude were converted once with pyproj and are written out below.

The postcode index holds two made-up postcodes (absent from Code-Point Open): one at the
Walsall row's own point, the other 2 km east of the Derby row's point. A row is checked
against the index the caller names, never the built one.

The maintainers' geocoding helper: prints candidates, never writes to the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

import settings
from layers import _osm, postcodes, sites
from layers._errors import BoundaryDataMissingError, SiteValidationError
from layers._io import sha256_file
from layers.sites import cli as sites_cli
from tests.support import registry_rows
from tests.support.registry_rows import REQUIRED_COLUMNS, WALSALL, write_registry

GOOD = {**WALSALL, "capabilities": "land_systems;supply_chain"}
OTHER = {
    **GOOD,
    "site_id": "test-derby-works",
    "lat": "52.92250",
    "lon": "-1.47630",
    "town": "Derby",
}


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"lat": "152.6"}, "row 3 (test-walsall-works): lat 152.6 is outside -90..90"),
        ({"lat": "north"}, "row 3 (test-walsall-works): lat 'north' is not a number"),
        ({"lon": "nan"}, "lon nan is not a finite number"),
        ({"name": ""}, "row 3 (test-walsall-works): name '' is empty; it is required"),
        (
            {"capabilities": "land_sytems"},
            "capabilities 'land_sytems' is not a known value; did you mean 'land_systems'?",
        ),
        ({"capabilities": ";;"}, "capabilities ';;' lists nothing"),
        ({"kind": "Prime"}, "kind 'Prime' is not a known value; did you mean 'prime'?"),
        ({"location_precision": "exact"}, "location_precision 'exact' is not a known value"),
        (
            {"source_url": "javascript:alert(1)"},
            "source_url 'javascript:alert(1)' does not match the expected form",
        ),
        ({"source_url": "ftp://example.org/x"}, "source_url 'ftp://example.org/x' does not match"),
        ({"last_checked": "2999-01-01"}, "last_checked '2999-01-01' is in the future"),
        ({"last_checked": "01/02/2026"}, "last_checked '01/02/2026' is not an ISO date"),
        ({"site_id": "Walsall Works"}, "site_id 'Walsall Works' does not match the expected form"),
        ({"lat": "51.48", "lon": "-3.18"}, "km outside the Midlands outline"),  # Cardiff
        ({"lat": "-1.98200", "lon": "52.58600"}, "lat and lon are not swapped"),
    ],
)
def test_each_kind_of_problem_is_reported_and_good_rows_are_kept(
    tmp_path: Path, boundaries_dir: Path, change: dict[str, str], expected: str
):
    path = write_registry(tmp_path / "sites.csv", [OTHER, {**GOOD, **change}])
    valid, problems = sites.validate_sites(
        path, boundaries_dir=boundaries_dir, today=date(2026, 11, 28)
    )
    messages = [str(p) for p in problems]
    assert any(expected in m for m in messages), messages
    assert list(valid["site_id"]) == ["test-derby-works"], "the good row is kept"


def test_duplicate_ids_name_the_first_row(tmp_path: Path, boundaries_dir: Path):
    path = write_registry(tmp_path / "sites.csv", [GOOD, OTHER, GOOD])
    _, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert [str(p) for p in problems] == [
        "row 4 (test-walsall-works): site_id 'test-walsall-works' repeats the site_id of row 2; "
        "ids must be unique"
    ]


def test_a_missing_column_is_reported_once(tmp_path: Path, boundaries_dir: Path):
    header = [h for h in REQUIRED_COLUMNS if h != "town"]
    path = write_registry(tmp_path / "sites.csv", [GOOD], columns=header)
    valid, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert valid.empty
    assert len(problems) == 1
    assert "lacks column(s) town" in str(problems[0])


def test_every_problem_of_every_row_is_collected(tmp_path: Path, boundaries_dir: Path):
    rows = [{**GOOD, "lat": "999", "kind": "spy"}, {**OTHER, "source_url": "no"}]
    path = write_registry(tmp_path / "sites.csv", rows)
    _, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert {(p.row, p.field) for p in problems} == {(2, "lat"), (2, "kind"), (3, "source_url")}


def test_loading_a_registry_with_problems_raises_one_error_listing_all(
    tmp_path: Path, boundaries_dir: Path
):
    rows = [{**GOOD, "lat": "999"}, {**OTHER, "kind": "spy"}]
    path = write_registry(tmp_path / "sites.csv", rows)
    with pytest.raises(SiteValidationError) as caught:
        sites.load_sites(path, boundaries_dir=boundaries_dir)
    assert len(caught.value.problems) == 2
    assert "has 2 problems" in str(caught.value)
    assert "row 2 (test-walsall-works): lat 999 is outside -90..90" in str(caught.value)


def test_a_byte_order_mark_and_quoted_commas_are_read(tmp_path: Path, boundaries_dir: Path):
    path = write_registry(tmp_path / "sites.csv", [{**GOOD, "name": 'Works, "North" yard'}])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    valid, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert problems == []
    assert valid.loc[0, "name"] == 'Works, "North" yard'
    assert valid.loc[0, "capabilities"] == ["land_systems", "supply_chain"]


def test_the_cli_exits_1_with_problems_and_0_when_valid(
    tmp_path: Path, boundaries_dir: Path, capsys: pytest.CaptureFixture[str]
):
    where = ["--boundaries", str(boundaries_dir)]
    bad = write_registry(tmp_path / "bad.csv", [{**GOOD, "lat": "152.6"}])
    assert sites_cli.main(["validate", str(bad), *where]) == 1
    assert "row 2 (test-walsall-works): lat 152.6 is outside -90..90" in capsys.readouterr().out
    good = write_registry(tmp_path / "good.csv", [GOOD, OTHER])
    assert sites_cli.main(["validate", str(good), *where]) == 0
    assert "2 sites, no problems" in capsys.readouterr().out


def test_without_boundaries_the_outline_check_is_reported_not_skipped(tmp_path: Path):
    path = write_registry(tmp_path / "sites.csv", [GOOD])
    valid, problems = sites.validate_sites(path, boundaries_dir=tmp_path / "none")
    assert len(valid) == 1
    assert [p.field for p in problems] == ["boundaries"]
    assert "not built" in str(problems[0])


WALSALL_SITES_EXACT = {**registry_rows.WALSALL, "capabilities": "land_systems;supply_chain"}
DERBY = {
    **WALSALL_SITES_EXACT,
    "site_id": "test-derby-lab",
    "name": "Test Lab",
    "kind": "research_centre",
    "capabilities": "nuclear_propulsion",
    "lat": "52.92250",
    "lon": "-1.47630",
    "town": "Derby",
    "source_url": "https://example.org/derby",
    "last_checked": "2026-10-15",
}


@pytest.fixture
def registry_csv(tmp_path: Path) -> Path:
    return write_registry(tmp_path / "sites.csv", [WALSALL_SITES_EXACT, DERBY])


def test_a_registry_loads_with_its_points_dates_and_areas(registry_csv, boundaries_dir, nowhere):
    loaded = sites.load_sites(registry_csv, boundaries_dir=boundaries_dir)
    assert list(loaded["site_id"]) == ["test-walsall-works", "test-derby-lab"]
    assert loaded.crs == "EPSG:4326"
    assert list(loaded.geometry.x) == [-1.982, -1.4763]
    assert list(loaded.geometry.y) == [52.586, 52.9225]
    # dates come back as the ISO text the file holds
    assert list(loaded["last_checked"]) == ["2026-11-01", "2026-10-15"]
    # optional text columns the file leaves out are empty text, never NaN
    for column in ("postcode", "opened", "closes", "location_note"):
        assert list(loaded[column]) == ["", ""], column
    assert list(loaded["capabilities"]) == [
        ["land_systems", "supply_chain"],
        ["nuclear_propulsion"],
    ]
    assert list(loaded["lad_code"]) == ["E08000030", "E06000015"]
    assert list(loaded["county_code"]) == ["E08000030", "E06000015"]
    assert list(loaded["ca_code"]) == ["E47000007", "E47000013"]
    assert list(loaded["region_code"]) == ["E12000005", "E12000004"]


def test_the_registry_path_defaults_to_the_settings_when_called(
    registry_csv, boundaries_dir, monkeypatch
):
    monkeypatch.setattr(settings, "SITES_CSV", registry_csv)
    assert list(sites.load_sites(boundaries_dir=boundaries_dir)["site_id"]) == [
        "test-walsall-works",
        "test-derby-lab",
    ]


def test_missing_boundaries_are_their_own_error(registry_csv, nowhere):
    with pytest.raises(BoundaryDataMissingError) as raised:
        sites.load_sites(registry_csv, boundaries_dir=nowhere)
    assert str(raised.value).startswith(
        "are not built, so no site was checked against the Midlands outline ("
    )


def test_every_problem_is_listed_with_the_file_it_is_in(tmp_path, boundaries_dir, nowhere):
    bad = write_registry(
        tmp_path / "bad.csv", [{**WALSALL_SITES_EXACT, "lat": "152.6"}, {**DERBY, "name": ""}]
    )
    with pytest.raises(SiteValidationError) as raised:
        sites.load_sites(bad, boundaries_dir=boundaries_dir)
    assert raised.value.problems == [
        "row 2 (test-walsall-works): lat 152.6 is outside -90..90",
        "row 3 (test-derby-lab): name '' is empty; it is required",
    ]
    assert str(raised.value).startswith(f"{bad} has 2 problems; fix them")


# --------------------------------------------------------------------------------------------
# python -m layers.sites validate


def test_validate_says_how_many_sites_and_no_problems(registry_csv, boundaries_dir, capsys):
    assert sites_cli.main(["validate", str(registry_csv), "--boundaries", str(boundaries_dir)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == f"{registry_csv}: 2 sites, no problems"
    assert err == ""


def test_validate_lists_problems_and_counts_them_on_stderr(tmp_path, boundaries_dir, capsys):
    bad = write_registry(tmp_path / "bad.csv", [{**WALSALL_SITES_EXACT, "lat": "152.6"}, DERBY])
    assert sites_cli.main(["validate", str(bad), "--boundaries", str(boundaries_dir)]) == 1
    out, err = capsys.readouterr()
    assert "row 2 (test-walsall-works): lat 152.6 is outside -90..90" in out.splitlines()
    assert err == f"{bad}: 1 problem(s); 1 valid row(s)\n"


def test_validate_prints_warnings_first(tmp_path, boundaries_dir, capsys):
    stale = write_registry(
        tmp_path / "stale.csv", [{**WALSALL_SITES_EXACT, "last_checked": "2020-01-02"}]
    )
    assert sites_cli.main(["validate", str(stale), "--boundaries", str(boundaries_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    warned = [line for line in lines if line.startswith("warning: ")]
    assert any("test-walsall-works" in line and "2020-01-02" in line for line in warned)
    assert lines[-1] == f"{stale}: 1 sites, no problems"


def test_validate_reads_its_defaults_from_the_settings(
    registry_csv, boundaries_dir, monkeypatch, capsys
):
    monkeypatch.setattr(settings, "SITES_CSV", registry_csv)
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    assert sites_cli.main(["validate"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{registry_csv}: 2 sites, no problems"


# --------------------------------------------------------------------------------------------
# python -m layers.sites audit


def test_audit_writes_its_table_and_summary(registry_csv, boundaries_dir, capsys):
    (registry_csv.parent / "README.md").write_text("# Registry\n", encoding="utf-8")
    table = registry_csv.parent / "table.csv"
    where = ["--boundaries", str(boundaries_dir)]
    assert (
        sites_cli.main(["audit", str(registry_csv), *where, "--csv", str(table), "--readme"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [
        f"audit table written to {table}",
        f"summary written to {registry_csv.parent / 'README.md'}",
    ]
    assert "- Sites: 2; suppliers: 1." in lines
    assert "test-walsall-works" in table.read_text(encoding="utf-8")
    assert "## Audit" in (registry_csv.parent / "README.md").read_text(encoding="utf-8")


def test_audit_writes_beside_the_registry_by_default(registry_csv, boundaries_dir, capsys):
    assert sites_cli.main(["audit", str(registry_csv), "--boundaries", str(boundaries_dir)]) == 0
    beside = registry_csv.with_name("audit.csv")
    assert capsys.readouterr().out.splitlines()[-1] == f"audit table written to {beside}"
    assert "test-derby-lab" in beside.read_text(encoding="utf-8")
    assert not registry_csv.with_name("README.md").exists()


def test_audit_of_a_registry_with_problems_exits_1(tmp_path, boundaries_dir, capsys):
    bad = write_registry(tmp_path / "bad.csv", [{**WALSALL_SITES_EXACT, "lat": "152.6"}, DERBY])
    assert sites_cli.main(["audit", str(bad), "--boundaries", str(boundaries_dir)]) == 1
    assert bad.with_name("audit.csv").is_file()


def test_audit_needs_the_postcode_index(registry_csv, boundaries_dir, monkeypatch, capsys):
    def missing(*args, **kwargs):
        raise postcodes.PostcodeIndexMissingError("no index here; run make data")

    monkeypatch.setattr(postcodes, "load_index", missing)
    assert sites_cli.main(["audit", str(registry_csv), "--boundaries", str(boundaries_dir)]) == 2
    assert capsys.readouterr().err == "error: no index here; run make data\n"


# --------------------------------------------------------------------------------------------
# python -m layers.sites geocode (the geocoder stubbed: no network)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record each question put to the geocoder; answer with one candidate for 'Walsall'."""
    questions: list[tuple[str, int]] = []

    def candidates(query: str, *, limit: int) -> list[dict]:
        questions.append((query, limit))
        if query != "Walsall":
            return []
        return [{"lat": 52.586, "lon": -1.982, "display_name": "Walsall, West Midlands"}]

    monkeypatch.setattr(_osm, "geocode_candidates", candidates)
    return questions


def test_geocode_prints_numbered_candidates(asked, capsys):
    assert sites_cli.main(["geocode", "Walsall"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "candidates for 'Walsall' (review them; nothing is written to the registry):",
        "1. lat 52.58600, lon -1.98200  Walsall, West Midlands",
    ]
    assert asked == [("Walsall", 5)]


def test_geocode_with_no_candidate_exits_1(asked, capsys):
    assert sites_cli.main(["geocode", "Atlantis", "--limit", "3"]) == 1
    assert capsys.readouterr().out == "no candidates for 'Atlantis'\n"
    assert asked == [("Atlantis", 3)]


def test_geocode_candidates_asks_for_five_by_default(asked):
    assert sites.geocode_candidates("Walsall")[0]["display_name"] == "Walsall, West Midlands"
    assert sites.geocode_candidates("Derby", limit=2) == []
    assert asked == [("Walsall", 5), ("Derby", 2)]


# --------------------------------------------------------------------------------------------
# The command line's help


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The help as one line, single-spaced and padded, so " words " match whole words only."""
    with pytest.raises(SystemExit) as raised:
        sites_cli.main([*argv, "--help"])
    assert raised.value.code == 0
    return " " + " ".join(capsys.readouterr().out.split()) + " "


def test_the_help_names_every_command_and_option(capsys, monkeypatch):
    monkeypatch.setattr(settings, "SITES_CSV", Path("/registry/sites.csv"))
    top = help_of(capsys)
    assert top.startswith(" usage: python -m layers.sites ")
    assert " python -m layers.sites audit [PATH] [--csv OUT] [--readme] " in top
    assert (
        " validate check a registry file and list every problem "
        "audit compare every point with its postcode's and write a review table "
        "osm-check list OpenStreetMap features of each site's name near its point (from an "
        "OSM XML file, or Overpass when online) "
        "geocode look up candidate coordinates (needs network) "
    ) in top
    validate = help_of(capsys, "validate")
    assert " path registry CSV (default /registry/sites.csv) " in validate
    assert " --boundaries BOUNDARIES built boundaries folder, for the Midlands outline check " in (
        validate
    )
    audit = help_of(capsys, "audit")
    assert " path registry CSV (default /registry/sites.csv) " in audit
    assert " --csv CSV where to write the table (default: audit.csv beside it) " in audit
    assert " --readme write the summary into the registry README " in audit
    assert ' query "name, town" ' in help_of(capsys, "geocode")


def test_the_command_line_needs_a_command(capsys):
    with pytest.raises(SystemExit) as raised:
        sites_cli.main([])
    assert raised.value.code == 2
    assert "required: command" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# validate_sites: its options and what it hands back


def test_rows_found_outside_are_dropped_and_the_rest_renumbered(tmp_path, boundaries_dir):
    # London is far outside the Midlands: the Walsall row is dropped after the cross checks
    london = {**WALSALL_SITES_EXACT, "lat": "51.50700", "lon": "-0.12800"}
    path = write_registry(tmp_path / "sites.csv", [london, DERBY])
    valid, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir, warnings=[])
    assert [p.row for p in problems] == [2]
    assert list(valid["site_id"]) == ["test-derby-lab"]
    assert list(valid.index) == [0]
    assert list(valid.columns[:2]) == ["row", "site_id"]
    assert "index" not in valid.columns


def test_missing_boundaries_are_reported_as_a_problem_of_their_own(registry_csv, nowhere):
    valid, problems = sites.validate_sites(registry_csv, boundaries_dir=nowhere, warnings=[])
    assert len(valid) == 2
    (problem,) = problems
    assert (problem.row, problem.site_id, problem.field, problem.value) == (
        0,
        "",
        "boundaries",
        str(nowhere),
    )


def test_today_decides_what_is_in_the_future(registry_csv, boundaries_dir):
    from datetime import date

    _, problems = sites.validate_sites(
        registry_csv, boundaries_dir=boundaries_dir, today=date(2026, 10, 20), warnings=[]
    )
    # checked on 2026-11-01: after that "today"; the Derby row (2026-10-15) is not
    assert [(p.site_id, p.field) for p in problems] == [("test-walsall-works", "last_checked")]
    assert problems[0].message == "is in the future (today is 2026-10-20)"


def test_a_postcode_index_that_is_not_there_is_a_warning(registry_csv, boundaries_dir, tmp_path):
    noted: list = []
    _, problems = sites.validate_sites(
        registry_csv,
        boundaries_dir=boundaries_dir,
        postcode_index=tmp_path / "no-index",
        warnings=noted,
    )
    assert problems == []
    (warning,) = [w for w in noted if w.field == "postcodes"]
    assert (warning.row, warning.site_id, warning.value) == (0, "", "")
    assert warning.message.startswith("were not checked: ")


def test_warnings_are_logged_with_the_file_name_when_not_collected(
    tmp_path, boundaries_dir, caplog
):
    stale = write_registry(
        tmp_path / "stale.csv", [{**WALSALL_SITES_EXACT, "last_checked": "2020-01-02"}]
    )
    with caplog.at_level("WARNING", logger="layers.sites"):
        sites.validate_sites(stale, boundaries_dir=boundaries_dir)
    logged = [r.getMessage() for r in caplog.records if r.name == "layers.sites"]
    assert any(
        line.startswith("stale.csv: row 2 (test-walsall-works): last_checked '2020-01-02'")
        for line in logged
    ), logged


def test_audit_prints_each_row_the_warnings_and_the_coverage(
    tmp_path, boundaries_dir, monkeypatch, capsys
):
    stale = write_registry(
        tmp_path / "sites.csv", [WALSALL_SITES_EXACT, {**DERBY, "last_checked": "2020-01-02"}]
    )
    # the registry and the boundaries from the settings: no arguments at all
    monkeypatch.setattr(settings, "SITES_CSV", stale)
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    assert sites_cli.main(["audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # one line per row, first
    assert lines[0].startswith("no postcode check test-walsall-works ")
    assert lines[1].startswith("no postcode check test-derby-lab ")
    # the warnings the validation collected
    assert "- Problems (errors): 0; warnings: 1." in lines
    assert any(
        line.startswith("  - warning: row 3 (test-derby-lab): last_checked '2020-01-02' is ")
        for line in lines
    )
    # the coverage of the loaded sites
    assert "- Sites: 2; suppliers: 1." in lines
    assert any(
        line.startswith("- Counties and unitary authorities with a site: 2 of ") for line in lines
    )
    assert lines[-1] == f"audit table written to {stale.with_name('audit.csv')}"


def test_a_users_list_is_read_through_the_sites_module(boundaries_dir):
    table = b"name,lat,lon,capabilities\nTest Works,52.586,-1.982,space\nBad,95,1,space\n"
    found, problems = sites.read_user_sites(table, boundaries_dir=boundaries_dir)
    assert list(found["site_id"]) == ["upload-2"]
    assert list(found["name"]) == ["Test Works"]
    assert isinstance(problems, list)
    assert "row 3: lat/lon '95, 1' are outside -90..90 (lat) and -180..180 (lon)" in [
        str(problem) for problem in problems
    ]


def test_the_help_shows_each_command_line_of_the_description_on_its_own_line(capsys):
    with pytest.raises(SystemExit) as raised:
        sites_cli.main(["--help"])
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
    assert sites_cli.main(["validate", str(registry)]) == 1
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
        assert sites_cli.main(["audit", str(stale), "--boundaries", str(boundaries_dir)]) == 0
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
    assert sites_cli.main([command, str(missing)]) == 2
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
    assert sites_cli.main(["audit", str(registry), "--boundaries", str(empty)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: boundary layer ")
    assert str(empty) in err[0]
    assert "make data" in err[0]


TABLE = (
    b"name,label,lat,lon,capabilities\n"
    b"Alpha Works,Beta Works,52.586,-1.982,space\n"
    b"Gamma Works,Delta Works,95,1,space\n"
)


def test_the_file_and_its_options_reach_the_upload_reader(boundaries_dir):
    found, problems = sites.read_user_sites(
        TABLE, name="members.csv", column_map={"name": "label"}, boundaries_dir=boundaries_dir
    )
    # the site is named from the column the map chose, not the one called "name"
    assert list(found["name"]) == ["Beta Works"]
    assert list(found["site_id"]) == ["upload-2"]
    assert type(problems) is list
    assert "row 3: lat/lon '95, 1' are outside -90..90 (lat) and -180..180 (lon)" in [
        str(problem) for problem in problems
    ]


# the required columns with the optional postcode after the town
HEADER = [*REQUIRED_COLUMNS[:9], "postcode", *REQUIRED_COLUMNS[9:]]
# easting 560 000, northing 300 000: 100 km east of the square (to within 3 cm)
FAR_EAST = {
    **WALSALL,
    "site_id": "test-far-east",
    "name": "Far Works",
    "lat": "52.574285",
    "lon": "0.359647",
    "town": "Far",
}
# easting 464 000, northing 300 000: 4 km east of the square, inside the 5 km tolerance
NEAR_EAST = {**FAR_EAST, "site_id": "test-near-east", "lat": "52.594038", "lon": "-1.056635"}
DERBY_REGISTRY_OUTLINE_EDGES = {
    **WALSALL,
    "site_id": "test-derby-lab",
    "name": "Test Lab",
    "lat": "52.92250",
    "lon": "-1.47630",
    "town": "Derby",
}
TODAY = date(2026, 11, 20)


@pytest.fixture
def square_outline(tmp_path: Path) -> Path:
    """A boundaries folder whose only layer is the square Midlands outline."""
    folder = tmp_path / "square"
    folder.mkdir()
    square = shapely.box(380_000, 260_000, 460_000, 340_000)
    outline = gpd.GeoDataFrame({"name": ["Midlands"]}, geometry=[square], crs="EPSG:27700")
    outline.to_parquet(folder / "midlands.parquet")
    return folder


def test_a_point_100_km_outside_is_reported_with_its_distance(tmp_path, square_outline):
    path = write_registry(tmp_path / "sites.csv", [WALSALL, FAR_EAST, NEAR_EAST], HEADER)
    valid, problems = sites.validate_sites(
        path, boundaries_dir=square_outline, today=TODAY, warnings=[]
    )
    assert [str(problem) for problem in problems] == [
        "row 3 (test-far-east): lat/lon '52.574285, 0.359647' is 100.0 km outside the "
        "Midlands outline (tolerance 5 km); check the coordinates, and that lat and lon "
        "are not swapped"
    ]
    (problem,) = problems
    assert (problem.row, problem.site_id, problem.field) == (3, "test-far-east", "lat/lon")
    # inside, and 4 km outside (within the tolerance): both kept
    assert list(valid["site_id"]) == ["test-walsall-works", "test-near-east"]


def test_rows_inside_the_outline_have_no_problem(tmp_path, square_outline):
    path = write_registry(tmp_path / "sites.csv", [WALSALL, DERBY_REGISTRY_OUTLINE_EDGES], HEADER)
    valid, problems = sites.validate_sites(
        path, boundaries_dir=square_outline, today=TODAY, warnings=[]
    )
    assert problems == []
    assert list(valid["row"]) == [2, 3]


@pytest.fixture
def two_postcodes(tmp_path: Path) -> Path:
    """A postcode index of two made-up postcodes (sorted, as the built index is)."""
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    walsall_e, walsall_n = to_metric.transform(-1.982, 52.586)
    derby_e, derby_n = to_metric.transform(-1.4763, 52.9225)
    index = pd.DataFrame(
        {
            "postcode": ["DE1 9ZZ", "WS1 9ZZ"],
            "easting": [derby_e + 2000.0, walsall_e],
            "northing": [derby_n, walsall_n],
            "quality": [10, 10],
        }
    )
    path = tmp_path / "postcodes.parquet"
    index.to_parquet(path, index=False)
    return path


def test_rows_are_checked_against_the_postcode_index_named(tmp_path, square_outline, two_postcodes):
    on_its_point = {**WALSALL, "location_precision": "postcode", "postcode": "WS1 9ZZ"}
    two_km_away = {
        **DERBY_REGISTRY_OUTLINE_EDGES,
        "location_precision": "postcode",
        "postcode": "DE1 9ZZ",
    }
    path = write_registry(tmp_path / "sites.csv", [on_its_point, two_km_away], HEADER)
    noted: list = []
    valid, problems = sites.validate_sites(
        path,
        boundaries_dir=square_outline,
        today=TODAY,
        postcode_index=two_postcodes,
        warnings=noted,
    )
    assert [(p.row, p.site_id, p.field) for p in problems] == [(3, "test-derby-lab", "lat/lon")]
    assert problems[0].message.startswith(
        "is 2,000 m from the point of DE1 9ZZ; a postcode-precision row must use that point ("
    )
    assert [w for w in noted if w.field == "postcode"] == []
    assert list(valid["site_id"]) == ["test-walsall-works"]


def test_a_tolerance_in_part_kilometres_is_shown_as_set(tmp_path, square_outline, monkeypatch):
    """With the tolerance at 3.5 km, the point 4 km out is refused and the message says 3.5 km."""
    monkeypatch.setattr(sites.settings, "OUTLINE_TOLERANCE_M", 3_500.0)
    path = write_registry(tmp_path / "sites.csv", [WALSALL, NEAR_EAST], HEADER)
    valid, problems = sites.validate_sites(
        path, boundaries_dir=square_outline, today=TODAY, warnings=[]
    )
    assert [str(problem) for problem in problems] == [
        "row 3 (test-near-east): lat/lon '52.594038, -1.056635' is 4.0 km outside the "
        "Midlands outline (tolerance 3.5 km); check the coordinates, and that lat and lon "
        "are not swapped"
    ]
    assert list(valid["site_id"]) == ["test-walsall-works"]


def fake_results(query: str, which_result: int) -> gpd.GeoDataFrame:
    if which_result > 2:
        raise ValueError("Nominatim could not geocode query")
    point = shapely.Point(-1.98 + which_result / 100, 52.58)
    return gpd.GeoDataFrame(
        {"display_name": [f"{query} candidate {which_result}"]}, geometry=[point], crs="EPSG:4326"
    )


def test_candidates_are_printed_and_the_registry_is_untouched(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    before = sha256_file(settings.SITES_CSV)
    monkeypatch.setattr(_osm.ox, "geocode_to_gdf", fake_results)
    assert sites_cli.main(["geocode", "Babcock, Walsall"]) == 0
    out = capsys.readouterr().out
    assert "nothing is written to the registry" in out
    assert "1. lat 52.58000, lon -1.97000  Babcock, Walsall candidate 1" in out
    assert "2. lat 52.58000, lon -1.96000" in out
    assert sha256_file(settings.SITES_CSV) == before


def test_no_network_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    def offline(query: str, which_result: int) -> gpd.GeoDataFrame:
        raise ConnectionError("Failed to resolve 'nominatim.openstreetmap.org'")

    monkeypatch.setattr(_osm.ox, "geocode_to_gdf", offline)
    assert sites_cli.main(["geocode", "Babcock, Walsall"]) == 2
    assert "geocoding needs the internet" in capsys.readouterr().err


def test_osmnx_is_configured_once_for_the_project():
    assert _osm.ox.settings.cache_folder.endswith("data/cache/osmnx")
    assert "midlands-defence-map" in _osm.ox.settings.http_user_agent


def test_loaded_text_is_pandas_text_and_empty_optional_cells_are_empty_text(
    tmp_path: Path, boundaries_dir: Path, nowhere: Path
) -> None:
    columns = list(sites.REGISTRY_COLUMNS)
    checked = {
        **WALSALL_SITES_EXACT,
        "location_note": "The point is the works' gate.",
        "location_check": "osm:way/4242",
        "location_checked": "2026-10-01",
    }
    path = write_registry(tmp_path / "sites.csv", [checked, DERBY], columns)
    valid, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert problems == []
    assert str(valid["name"].dtype) == "str"
    assert list(valid["location_note"].isna()) == [False, True]  # empty: missing, then ''
    assert valid["company_number"].dtype == object  # no row fills it
    assert list(valid["company_number"]) == [None, None]
    loaded = sites.load_sites(path, boundaries_dir=boundaries_dir)
    assert list(loaded["location_checked"]) == ["2026-10-01", ""]
    assert list(loaded["location_note"]) == ["The point is the works' gate.", ""]
    for column in ("name", "town", "source_url", "location_note", "company_number"):
        assert str(loaded[column].dtype) == "str", column
