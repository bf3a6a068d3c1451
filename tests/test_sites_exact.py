"""load_sites and the sites command line on a registry of two rows written by hand.

The expected areas are the GSS codes of the places named (Walsall is E08000030 in the West
Midlands Combined Authority; Derby is the unitary E06000015 in the East Midlands CCA), and the
expected output lines are typed out, so none of them comes from the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import settings
from layers import _osm, postcodes, sites
from layers._errors import BoundaryDataMissingError, SiteValidationError
from tests.support import registry_rows
from tests.support.registry_rows import write_registry

WALSALL = {**registry_rows.WALSALL, "capabilities": "land_systems;supply_chain"}
DERBY = {
    **WALSALL,
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
    return write_registry(tmp_path / "sites.csv", [WALSALL, DERBY])


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
    bad = write_registry(tmp_path / "bad.csv", [{**WALSALL, "lat": "152.6"}, {**DERBY, "name": ""}])
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
    assert sites.main(["validate", str(registry_csv), "--boundaries", str(boundaries_dir)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == f"{registry_csv}: 2 sites, no problems"
    assert err == ""


def test_validate_lists_problems_and_counts_them_on_stderr(tmp_path, boundaries_dir, capsys):
    bad = write_registry(tmp_path / "bad.csv", [{**WALSALL, "lat": "152.6"}, DERBY])
    assert sites.main(["validate", str(bad), "--boundaries", str(boundaries_dir)]) == 1
    out, err = capsys.readouterr()
    assert "row 2 (test-walsall-works): lat 152.6 is outside -90..90" in out.splitlines()
    assert err == f"{bad}: 1 problem(s); 1 valid row(s)\n"


def test_validate_prints_warnings_first(tmp_path, boundaries_dir, capsys):
    stale = write_registry(tmp_path / "stale.csv", [{**WALSALL, "last_checked": "2020-01-02"}])
    assert sites.main(["validate", str(stale), "--boundaries", str(boundaries_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    warned = [line for line in lines if line.startswith("warning: ")]
    assert any("test-walsall-works" in line and "2020-01-02" in line for line in warned)
    assert lines[-1] == f"{stale}: 1 sites, no problems"


def test_validate_reads_its_defaults_from_the_settings(
    registry_csv, boundaries_dir, monkeypatch, capsys
):
    monkeypatch.setattr(settings, "SITES_CSV", registry_csv)
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    assert sites.main(["validate"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{registry_csv}: 2 sites, no problems"


# --------------------------------------------------------------------------------------------
# python -m layers.sites audit


def test_audit_writes_its_table_and_summary(registry_csv, boundaries_dir, capsys):
    (registry_csv.parent / "README.md").write_text("# Registry\n", encoding="utf-8")
    table = registry_csv.parent / "table.csv"
    where = ["--boundaries", str(boundaries_dir)]
    assert sites.main(["audit", str(registry_csv), *where, "--csv", str(table), "--readme"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [
        f"audit table written to {table}",
        f"summary written to {registry_csv.parent / 'README.md'}",
    ]
    assert "- Sites: 2; suppliers: 1." in lines
    assert "test-walsall-works" in table.read_text(encoding="utf-8")
    assert "## Audit" in (registry_csv.parent / "README.md").read_text(encoding="utf-8")


def test_audit_writes_beside_the_registry_by_default(registry_csv, boundaries_dir, capsys):
    assert sites.main(["audit", str(registry_csv), "--boundaries", str(boundaries_dir)]) == 0
    beside = registry_csv.with_name("audit.csv")
    assert capsys.readouterr().out.splitlines()[-1] == f"audit table written to {beside}"
    assert "test-derby-lab" in beside.read_text(encoding="utf-8")
    assert not registry_csv.with_name("README.md").exists()


def test_audit_of_a_registry_with_problems_exits_1(tmp_path, boundaries_dir, capsys):
    bad = write_registry(tmp_path / "bad.csv", [{**WALSALL, "lat": "152.6"}, DERBY])
    assert sites.main(["audit", str(bad), "--boundaries", str(boundaries_dir)]) == 1
    assert bad.with_name("audit.csv").is_file()


def test_audit_needs_the_postcode_index(registry_csv, boundaries_dir, monkeypatch, capsys):
    def missing(*args, **kwargs):
        raise postcodes.PostcodeIndexMissingError("no index here; run make data")

    monkeypatch.setattr(postcodes, "load_index", missing)
    assert sites.main(["audit", str(registry_csv), "--boundaries", str(boundaries_dir)]) == 2
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
    assert sites.main(["geocode", "Walsall"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "candidates for 'Walsall' (review them; nothing is written to the registry):",
        "1. lat 52.58600, lon -1.98200  Walsall, West Midlands",
    ]
    assert asked == [("Walsall", 5)]


def test_geocode_with_no_candidate_exits_1(asked, capsys):
    assert sites.main(["geocode", "Atlantis", "--limit", "3"]) == 1
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
        sites.main([*argv, "--help"])
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
        sites.main([])
    assert raised.value.code == 2
    assert "required: command" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# validate_sites: its options and what it hands back


def test_rows_found_outside_are_dropped_and_the_rest_renumbered(tmp_path, boundaries_dir):
    # London is far outside the Midlands: the Walsall row is dropped after the cross checks
    london = {**WALSALL, "lat": "51.50700", "lon": "-0.12800"}
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
    stale = write_registry(tmp_path / "stale.csv", [{**WALSALL, "last_checked": "2020-01-02"}])
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
        tmp_path / "sites.csv", [WALSALL, {**DERBY, "last_checked": "2020-01-02"}]
    )
    # the registry and the boundaries from the settings: no arguments at all
    monkeypatch.setattr(settings, "SITES_CSV", stale)
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    assert sites.main(["audit"]) == 0
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
