"""Companies House firms: selection by definition and region, placement, unplaced rows, faults."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from layers import companies, registers
from layers._io import sha256_file
from layers.registers import RegisterSourceError, ZipBombError
from tests.support import registers_fixtures as fx


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return fx.companies_zip(tmp_path / "BasicCompanyDataAsOneFile-2026-12-01.zip")


def _build(source: Path, out: Path, boundaries_dir: Path, **kwargs: object) -> dict:
    return companies.build(
        source, out_dir=out, index=fx.postcode_index(), boundaries_dir=boundaries_dir, **kwargs
    )


def test_the_published_header_has_the_documented_quirks() -> None:
    assert len(fx.CH_COLUMNS) == 55
    assert fx.CH_COLUMNS[1] == " CompanyNumber"
    assert "RegAddress.PostCode" in fx.CH_COLUMNS
    assert "SICCode.SicText_4" in fx.CH_COLUMNS


def test_selection_by_definition_and_region_is_exact(
    source: Path, tmp_path: Path, boundaries_dir: Path
) -> None:
    manifest = _build(source, tmp_path / "out", boundaries_dir)
    firms = companies.load_firms(tmp_path / "out")
    assert firms is not None
    assert list(firms.columns) == [*companies.COLUMNS, "geometry"]
    got = {
        row.company_number: (row.lad_code, bool(row.core), row.capabilities, row.sic_codes)
        for row in firms.itertuples()
    }
    assert got == fx.EXPECTED_KEPT
    assert set(firms["location_precision"]) == {"registered office"}
    assert set(firms["status"]) == {"Active"}
    assert firms.crs.to_epsg() == 4326
    alpha = firms.set_index("company_number").loc["00000001"]
    assert alpha["incorporated"] == "2001-03-02"
    assert alpha["postcode"] == "CV1 2AA"
    assert alpha["name"] == "ALPHA MUNITIONS LIMITED"
    hotel = firms.set_index("company_number").loc["00000008"]
    assert hotel["postcode"] == "LE1 1AA"  # written "le11aa" in the file
    assert manifest["counts"] == {
        "rows": 12,
        "lines_naming_a_code": 10,  # the eight, CHARLIE (not Active) and INDIA (Dissolved)
        "meeting_definition": 8,
        "unplaced": 2,
        "outside_midlands": 1,
        "kept": 5,
        "kept_core": 2,
        "kept_adjacent": 3,
    }


def test_unplaced_rows_are_listed_with_the_reason(
    source: Path, tmp_path: Path, boundaries_dir: Path
) -> None:
    manifest = _build(source, tmp_path / "out", boundaries_dir)
    unplaced = {row["company_number"]: row for row in manifest["unplaced"]}
    assert set(unplaced) == {"00000006", "00000007"}
    assert "blank" in unplaced["00000006"]["reason"]
    assert unplaced["00000007"]["postcode"] == "LN9 9ZZ"
    assert "not in" in unplaced["00000007"]["reason"]
    on_disk = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert on_disk["month"] == "2026-12"
    assert on_disk["sha256"] == sha256_file(source)
    assert "Companies House" in on_disk["attribution"]


def test_a_changed_definition_changes_the_selection(
    source: Path, tmp_path: Path, boundaries_dir: Path
) -> None:
    lines = registers.SIC_DEFINITION_CSV.read_text().splitlines()
    only_core = [lines[0], *[line for line in lines[1:] if ",core," in line]]
    definition = tmp_path / "core_only.csv"
    definition.write_text("\n".join(only_core) + "\n")
    manifest = _build(source, tmp_path / "out", boundaries_dir, definition_path=definition)
    firms = companies.load_firms(tmp_path / "out")
    assert firms is not None
    assert sorted(firms["company_number"]) == ["00000001", "00000008"]
    assert manifest["counts"]["outside_midlands"] == 1  # ECHO SPACE, 30300, in London
    assert manifest["unplaced"] == []


def test_a_changed_header_names_the_missing_column_and_writes_nothing(
    tmp_path: Path, boundaries_dir: Path
) -> None:
    header = fx.CH_HEADER.replace("RegAddress.PostCode", "RegAddress.Postcode")
    bad = fx.companies_zip(tmp_path / "bad.zip", fx.companies_csv(header=header))
    with pytest.raises(RegisterSourceError, match=r"'RegAddress\.PostCode'"):
        _build(bad, tmp_path / "out", boundaries_dir)
    assert not (tmp_path / "out").exists()


def test_a_truncated_zip_is_refused(source: Path, tmp_path: Path, boundaries_dir: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(RegisterSourceError, match="download it again"):
        _build(cut, tmp_path / "out", boundaries_dir)
    assert not (tmp_path / "out").exists()


def test_a_corrupt_member_is_refused(tmp_path: Path, boundaries_dir: Path) -> None:
    data = bytearray(fx.companies_zip(tmp_path / "ok.zip").read_bytes())
    # flip bytes inside the deflated data (after the 30-byte local header and the name)
    start = 30 + len("BasicCompanyDataAsOneFile-2026-12-01.csv") + 40
    for i in range(start, start + 20):
        data[i] ^= 0xFF
    bad = tmp_path / "corrupt.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(RegisterSourceError, match="truncated or corrupt"):
        _build(bad, tmp_path / "out", boundaries_dir)
    assert not (tmp_path / "out").exists()


def test_a_zip_bomb_stops_at_the_stated_size(tmp_path: Path, boundaries_dir: Path) -> None:
    bomb = fx.deflate_bomb(tmp_path / "bomb.zip", unzipped_bytes=64 << 20)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(ZipBombError, match="16,777,216 bytes"):
        _build(bomb, tmp_path / "out", boundaries_dir, max_unzipped_bytes=16 << 20)
    assert not (tmp_path / "out").exists()


def test_the_stream_guard_stops_whatever_the_header_claims() -> None:
    guarded = registers._CountingReader(io.BytesIO(b"x" * 5000), limit=4096, name="lying.csv")
    reader = io.BufferedReader(guarded, buffer_size=1024)
    with pytest.raises(ZipBombError, match="4,096 bytes"):
        reader.read()


def test_an_archive_without_one_csv_is_refused(tmp_path: Path, boundaries_dir: Path) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "no data")
    with pytest.raises(RegisterSourceError, match=r"holds 0 \.csv files"):
        _build(empty, tmp_path / "out", boundaries_dir)


def test_a_rebuild_replaces_the_output_whole(
    source: Path, tmp_path: Path, boundaries_dir: Path
) -> None:
    out = tmp_path / "out"
    _build(source, out, boundaries_dir)
    before = (out / "companies.parquet").read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(source.read_bytes()[:200])
    with pytest.raises(RegisterSourceError):
        _build(cut, out, boundaries_dir)
    assert (out / "companies.parquet").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["companies.parquet", "manifest.json"]


def test_newest_month_urls_go_back_month_by_month() -> None:
    from datetime import date

    urls = companies.newest_month_urls(date(2026, 1, 15), months=2)
    assert urls[0].endswith("/BasicCompanyDataAsOneFile-2026-01-01.zip")
    assert urls[1].endswith("/BasicCompanyDataAsOneFile-2025-12-01.zip")


def test_a_code_in_a_name_is_read_but_not_selected(tmp_path: Path, boundaries_dir: Path) -> None:
    trap = (
        "TRAP,25400 - NOT A SIC CELL LTD",
        "00000013",
        "Active",
        "CV1 2AA",
        "01/01/2001",
        "FULL",
        ["70229"],
    )
    source = fx.companies_zip(tmp_path / "trap.zip", fx.companies_csv([*fx.FIRMS, trap]))
    manifest = _build(source, tmp_path / "out", boundaries_dir)
    assert manifest["counts"]["rows"] == 13
    assert manifest["counts"]["lines_naming_a_code"] == 11
    assert manifest["counts"]["kept"] == 5


def test_a_last_line_without_a_line_end_is_read(tmp_path: Path, boundaries_dir: Path) -> None:
    text = fx.companies_csv(fx.FIRMS[:1]).rstrip(b"\r\n")
    source = fx.companies_zip(tmp_path / "one.zip", text)
    manifest = _build(source, tmp_path / "out", boundaries_dir)
    assert manifest["counts"]["rows"] == 1 and manifest["counts"]["kept"] == 1


def test_a_name_that_is_not_utf8_does_not_stop_the_read(
    tmp_path: Path, boundaries_dir: Path
) -> None:
    text = fx.companies_csv().replace(b"ALPHA MUNITIONS", b"ALPHA M\xdcNITIONS")
    source = fx.companies_zip(tmp_path / "latin.zip", text)
    _build(source, tmp_path / "out", boundaries_dir)
    firms = companies.load_firms(tmp_path / "out")
    assert firms is not None
    assert (
        firms.set_index("company_number").loc["00000001", "name"] == "ALPHA M\ufffdNITIONS LIMITED"
    )


def test_a_byte_order_mark_is_read_past(tmp_path: Path, boundaries_dir: Path) -> None:
    source = fx.companies_zip(tmp_path / "bom.zip", b"\xef\xbb\xbf" + fx.companies_csv())
    manifest = _build(source, tmp_path / "out", boundaries_dir)
    assert manifest["counts"]["kept"] == 5
