"""Contract awards: compiling releases, the defence family, placement, totals and the KPI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from layers import contracts, http, registers_figures
from layers.registers import RegisterDownloadError, RegisterSourceError
from tests.support import registers_fixtures as fx
from tests.support.http_stub import Script, serve


@pytest.fixture
def package_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "packages"
    folder.mkdir()
    releases = fx.award_releases()
    # two pages, the amendment of A1 on the second, as a paged download saves them
    first = [releases[0], *releases[2:6]]
    second = [*releases[6:], releases[1]]
    (folder / "page-00001.json").write_text(json.dumps(fx.release_package(first)))
    (folder / "page-00002.json").write_text(json.dumps(fx.release_package(second)))
    # a page fetched twice (overlapping windows) repeats releases: they count once
    (folder / "page-00003.json").write_text(json.dumps(fx.release_package(second)))
    return folder


@pytest.fixture
def built(package_dir: Path, tmp_path: Path, boundaries_dir: Path) -> tuple[dict, object]:
    manifest = contracts.build(
        package_dir,
        out_dir=tmp_path / "out",
        index=fx.postcode_index(),
        boundaries_dir=boundaries_dir,
    )
    return manifest, contracts.load_awards(tmp_path / "out")


def test_the_kpi_matches_the_hand_worked_answer(built: tuple[dict, object]) -> None:
    _, awards = built
    kpi = contracts.mod_sme_kpi(awards, as_of=date(2026, 11, 30))
    # A1 at its amended 120,000 + A8a 15,000 (last day) + A8b 5,000 (first day); not A2
    # (large), A3 (before the period), A4 (council), A5 (two suppliers, no split), A6 (London),
    # A7 (cancelled), A9 (no postcode), A10 (scale unknown)
    assert kpi.value_gbp == 140_000
    assert kpi.awards == 3
    assert (kpi.start, kpi.end) == (date(2025, 12, 1), date(2026, 11, 30))
    assert kpi.excluded_shared_gbp == 90_000
    assert kpi.headline() == (
        "MOD awards to Midlands SMEs, last 12 months: £140,000 (2025-12-01 to 2026-11-30, 3 awards)"
    )
    assert "defence family" in kpi.definition
    assert contracts.mod_sme_kpi(awards, as_of=date(2026, 11, 29)).value_gbp == 125_000


def test_an_amended_award_counts_once_at_its_latest_value(built: tuple[dict, object]) -> None:
    _, awards = built
    a1 = awards[awards["award_id"] == "A1"]
    assert len(a1) == 1
    assert float(a1["value_gbp"].iloc[0]) == 120_000


def test_rows_placement_and_unplaced_list(built: tuple[dict, object]) -> None:
    manifest, awards = built
    assert manifest["counts"] == {
        "releases": 11,
        "duplicate_releases": 6,  # page 3 repeats page 2 (six releases)
        "compiled_releases": 10,
        "award_supplier_rows": 10,
        "placed": 9,
        "placed_in_midlands": 8,
        "unplaced": 1,
    }
    assert [row["award_id"] for row in manifest["unplaced"]] == ["A9"]
    assert manifest["kpi"]["headline"].startswith("MOD awards to Midlands SMEs, last 12 months")
    assert "blank" in manifest["unplaced"][0]["reason"]
    assert list(awards.columns) == [*contracts.COLUMNS, "geometry"]
    by_award = awards.set_index("award_id")
    assert by_award.loc["A1", "lad_code"] == "E08000026"
    assert by_award.loc["A1", "supplier_id"] == "GB-COH-00000101"
    assert bool(by_award.loc["A1", "sme"]) is True
    assert bool(by_award.loc["A2", "sme"]) is False
    assert by_award.loc["A3", "sme"] == True  # noqa: E712 (micro counts as SME)
    assert awards.set_index("award_id")["sme"].isna()["A10"]
    assert by_award.loc["A6", "region"] == contracts.OUTSIDE
    assert "A4" not in by_award.index and "A7" not in by_award.index
    shared = awards[awards["award_id"] == "A5"]
    assert len(shared) == 2
    assert shared["value_gbp"].isna().all()
    assert (shared["shared_value_gbp"] == 90_000).all()
    assert set(awards["location_precision"]) == {"registered office"}


def test_totals_by_district_and_region(built: tuple[dict, object]) -> None:
    _, awards = built
    totals = contracts.totals_by_district(awards).set_index("lad_code")
    midlands = totals.loc["midlands"]
    assert midlands["awards"] == 7  # A1 A2 A3 A5 A8a A8b A10
    assert midlands["value_gbp"] == 437_000
    assert midlands["sme_value_gbp"] == 180_000
    assert midlands["sme_share"] == pytest.approx(180_000 / 437_000)
    assert midlands["shared_unsplit_value_gbp"] == 90_000
    assert totals.loc["E08000026", "value_gbp"] == 120_000
    assert totals.loc["E06000016", "sme_share"] == 0
    assert totals.loc["E06000020", "awards"] == 1  # Telford: its share of A5, value unsplit
    assert totals.loc["E06000020", "value_gbp"] == 0
    assert totals.loc["E08000025", "awards"] == 0  # Birmingham: only a council award
    assert (
        totals.loc["E08000025", "sme_share"] is None
        or totals.loc["E08000025", "sme_share"] != totals.loc["E08000025", "sme_share"]
    )


def test_buyer_family_table() -> None:
    rules = contracts.load_buyers()
    assert contracts.buyer_family("MINISTRY OF DEFENCE", rules) == "Ministry of Defence"
    assert contracts.buyer_family("DE&S", rules) == "Defence Equipment and Support (DE&S)"
    assert contracts.buyer_family("Dstl", rules) == (
        "Defence Science and Technology Laboratory (Dstl)"
    )
    assert contracts.buyer_family("Royal Navy", rules) == "Royal Navy"
    assert contracts.buyer_family("Birmingham City Council", rules) is None
    assert contracts.buyer_family("Model Railway Society", rules) is None


def test_malformed_json_names_file_and_place(tmp_path: Path, boundaries_dir: Path) -> None:
    folder = tmp_path / "packages"
    folder.mkdir()
    (folder / "page-00001.json").write_text(json.dumps(fx.release_package(fx.award_releases())))
    (folder / "page-00002.json").write_text('{"releases": [{"ocid": "x",')
    with pytest.raises(RegisterSourceError, match=r"page-00002\.json: not valid JSON at line 1"):
        contracts.build(
            folder,
            out_dir=tmp_path / "out",
            index=fx.postcode_index(),
            boundaries_dir=boundaries_dir,
        )
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_release_package(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"records": []}))
    with pytest.raises(RegisterSourceError, match="not an OCDS release package"):
        list(contracts.read_releases(path))


def _pages() -> list[bytes]:
    releases = fx.award_releases()
    first = fx.release_package(releases[:5])
    first["links"] = {"next": "NEXT"}
    second = fx.release_package(releases[5:])
    return [json.dumps(first).encode(), json.dumps(second).encode()]


def test_download_follows_pages_and_builds(
    tmp_path: Path, boundaries_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _pages()
    script = Script([(200, b""), (200, second)])
    with serve(script) as base:
        package = json.loads(first)
        package["links"]["next"] = f"{base}/page2"
        script.responses[0] = (200, json.dumps(package).encode())
        monkeypatch.setenv("MIDLANDS_FIND_A_TENDER_BASE_URL", base)
        folder = contracts.download_pages(
            date(2025, 11, 1),
            tmp_path / "raw",
            services=("find-a-tender",),
            session=http.retrying_session(retries=1, backoff_s=0.0),
        )
    assert script.requests[0]["stages"] == "award"
    assert script.requests[0]["updatedFrom"] == "2025-11-01T00:00:00"
    assert script.requests[0]["path"].endswith("/api/1.0/ocdsReleasePackages")
    assert script.requests[1]["path"].endswith("/page2")
    assert sorted(p.name for p in (folder / "find-a-tender").iterdir()) == [
        "page-00001.json",
        "page-00002.json",
    ]
    manifest = contracts.build(
        folder, out_dir=tmp_path / "out", index=fx.postcode_index(), boundaries_dir=boundaries_dir
    )
    assert manifest["counts"]["compiled_releases"] == 10


def test_429_is_retried_then_stops_naming_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _pages()
    script = Script([(200, b""), (429, b"slow down", {"Retry-After": "0"})])
    with serve(script) as base:
        package = json.loads(first)
        package["links"]["next"] = f"{base}/page2"
        script.responses[0] = (200, json.dumps(package).encode())
        monkeypatch.setenv("MIDLANDS_FIND_A_TENDER_BASE_URL", base)
        with pytest.raises(RegisterDownloadError, match="stopped at page 2") as caught:
            contracts.download_pages(
                date(2025, 11, 1),
                tmp_path / "raw",
                services=("find-a-tender",),
                session=http.retrying_session(retries=2, backoff_s=0.0),
            )
    assert "429" in str(caught.value)
    assert "run the same command again to resume from page 2" in str(caught.value)
    assert len(script.requests) == 1 + 3  # page 1, then page 2 tried three times
    state = json.loads((tmp_path / "raw" / "state-find-a-tender.json").read_text())
    assert state["pages"] == 1 and state["next"].endswith("/page2")
    # a later run resumes at page 2
    _, second = _pages()
    resumed = Script([(200, second)])
    with serve(resumed) as base2:
        state["next"] = f"{base2}/page2"
        (tmp_path / "raw" / "state-find-a-tender.json").write_text(json.dumps(state))
        contracts.download_pages(
            date(2025, 11, 1),
            tmp_path / "raw",
            services=("find-a-tender",),
            session=http.retrying_session(retries=0, backoff_s=0.0),
        )
    assert len(resumed.requests) == 1
    assert (tmp_path / "raw" / "find-a-tender" / "page-00002.json").is_file()


def test_a_malformed_page_stops_the_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(Script([(200, b'{"releases": [')])) as base:
        monkeypatch.setenv("MIDLANDS_CONTRACTS_FINDER_BASE_URL", base)
        with pytest.raises(RegisterDownloadError, match="contracts-finder: stopped at page 1"):
            contracts.download_pages(
                date(2025, 11, 1),
                tmp_path / "raw",
                services=("contracts-finder",),
                session=http.retrying_session(retries=0, backoff_s=0.0),
            )
    assert not (tmp_path / "raw" / "contracts-finder").exists()


def test_totals_by_region(built: tuple[dict, object]) -> None:
    _, awards = built
    totals = contracts.totals_by_district(awards).set_index("lad_code")
    west, east = totals.loc["E12000005"], totals.loc["E12000004"]
    # West Midlands: A1 (Coventry) 120,000 SME, A5 (Telford, Worcester) unsplit, A8a (Stoke)
    assert (west["awards"], west["value_gbp"], west["sme_value_gbp"]) == (3, 135_000, 135_000)
    # East Midlands: A2 (Leicester, large), A3 (Derby), A8b (Lincoln), A10 (West Northants)
    assert (east["awards"], east["value_gbp"], east["sme_value_gbp"]) == (4, 302_000, 45_000)
    assert west["value_gbp"] + east["value_gbp"] == totals.loc["midlands", "value_gbp"]
    assert totals.loc["E12000003", "awards"] == 0  # North Lincolnshire's region: none


def test_the_commands_build_and_print_the_kpi(
    package_dir: Path,
    tmp_path: Path,
    boundaries_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    original = contracts.registers.place_postcodes

    def place(values: object, **_: object) -> object:
        return original(values, index=fx.postcode_index(), boundaries_dir=boundaries_dir)

    monkeypatch.setattr(contracts.registers, "place_postcodes", place)
    out = str(tmp_path / "out")
    assert contracts.main(["build", "--source", str(package_dir), "--out", out]) == 0
    assert contracts.main(["kpi", "--out", out, "--as-of", "2026-11-30"]) == 0
    printed = capsys.readouterr().out
    assert (
        "MOD awards to Midlands SMEs, last 12 months: £140,000 (2025-12-01 to 2026-11-30" in printed
    )
    assert "Definition: " in printed
    assert contracts.main(["kpi", "--out", str(tmp_path / "nothing")]) == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert contracts.main(["build", "--source", str(bad), "--out", out]) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_the_layer_names_the_data_publication_month_not_the_build_day(
    built: tuple[dict, object], tmp_path: Path
) -> None:
    # the newest release and award of the fixture is aaa8's, 2026-11-30; it is built today
    manifest, _ = built
    assert manifest["newest_release"] == "2026-11-30"
    assert manifest["month"] == "2026-11"
    sources = registers_figures.RegisterSources(manifests={"awards": manifest})
    label = sources.label("awards")
    assert label.startswith("Contracts Finder and Find a Tender (OCDS), OGL v3.0; 2026-11;")
    assert manifest["built_at"][:10] not in label


def test_the_newest_date_counts_award_dates_and_skips_undated_releases() -> None:
    releases = [
        {"ocid": "a", "date": "2026-01-05T10:00:00Z", "awards": [{"date": "2026-02-01"}]},
        {"ocid": "b", "date": "", "awards": [{"date": None}, "not an award"]},
        {"ocid": "c", "date": "not a date"},
    ]
    assert contracts.newest_date(releases) == "2026-02-01"
    assert contracts.newest_date([{"ocid": "x"}]) == ""
    sources = registers_figures.RegisterSources(
        manifests={"awards": {"month": "", "built_at": "2026-12-06"}}
    )
    assert "2026-12-06" not in sources.label("awards")
    assert "month of the data not stated" in sources.label("awards")


def test_the_kpi_period_ends_on_the_newest_award_by_default(built: tuple[dict, object]) -> None:
    # the newest award of the fixture is A8a, 2026-11-30: the hand-worked answer above, on any
    # day it is read or built (no as_of)
    manifest, awards = built
    kpi = contracts.mod_sme_kpi(awards)
    assert (kpi.start, kpi.end, kpi.value_gbp) == (date(2025, 12, 1), date(2026, 11, 30), 140_000)
    assert manifest["kpi"]["headline"] == (
        "MOD awards to Midlands SMEs, last 12 months: £140,000 (2025-12-01 to 2026-11-30, 3 awards)"
    )
    undated = awards.assign(date="")
    assert contracts.mod_sme_kpi(undated).end == datetime.now(UTC).date()  # nothing dated: today
