"""Downloads of the monthly Companies House file against a local HTTP stub."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from layers import companies, http, registers_download
from layers.registers import RegisterDownloadError
from tests.support import registers_fixtures as fx
from tests.support.http_stub import Script, serve


def _session() -> object:
    return http.retrying_session(retries=2, backoff_s=0.0)


@pytest.fixture
def zip_bytes(tmp_path: Path) -> bytes:
    return fx.companies_zip(tmp_path / "source.zip").read_bytes()


def test_newest_month_falls_back_to_the_month_before(tmp_path: Path, zip_bytes: bytes) -> None:
    script = Script([(404, b"no such file"), (200, zip_bytes)])
    progress = io.StringIO()
    with serve(script) as base:
        urls = [
            f"{base}/BasicCompanyDataAsOneFile-2027-01-01.zip",
            f"{base}/BasicCompanyDataAsOneFile-2026-12-01.zip",
        ]
        path, url = registers_download.download_newest(
            urls, tmp_path / "raw", session=_session(), progress=progress
        )
    assert url == urls[1]
    assert path.name == "BasicCompanyDataAsOneFile-2026-12-01.zip"
    assert path.read_bytes() == zip_bytes
    assert [r["path"].rsplit("/", 1)[-1] for r in script.requests] == [
        "BasicCompanyDataAsOneFile-2027-01-01.zip",
        "BasicCompanyDataAsOneFile-2026-12-01.zip",
    ]
    assert "MB" in progress.getvalue()
    assert not list((tmp_path / "raw").glob("*.part"))


def test_a_cut_off_download_resumes_from_the_part(tmp_path: Path, zip_bytes: bytes) -> None:
    target = tmp_path / "raw" / "BasicCompanyDataAsOneFile-2026-12-01.zip"
    target.parent.mkdir()
    half = len(zip_bytes) // 2
    (target.parent / (target.name + ".part")).write_bytes(zip_bytes[:half])
    rest = (
        206,
        zip_bytes[half:],
        {"Content-Range": f"bytes {half}-{len(zip_bytes) - 1}/{len(zip_bytes)}"},
    )
    with serve(Script([rest])) as base:
        path, sha = registers_download.download_resumable(
            _session(), f"{base}/{target.name}", target, progress=io.StringIO()
        )
    assert path.read_bytes() == zip_bytes
    assert len(sha) == 64


def test_a_download_that_is_not_a_zip_is_deleted(tmp_path: Path) -> None:
    target = tmp_path / "raw" / "BasicCompanyDataAsOneFile-2026-12-01.zip"
    with serve(Script([(200, b"<html>maintenance</html>")])) as base:
        with pytest.raises(RegisterDownloadError, match="not a whole ZIP"):
            registers_download.download_resumable(
                _session(), f"{base}/{target.name}", target, progress=io.StringIO()
            )
    assert not target.exists()
    assert not (target.parent / (target.name + ".part")).exists()


def test_a_download_over_the_size_limit_stops(tmp_path: Path, zip_bytes: bytes) -> None:
    target = tmp_path / "raw" / "x.zip"
    with serve(Script([(200, zip_bytes)])) as base:
        with pytest.raises(RegisterDownloadError, match="over the limit"):
            registers_download.download_resumable(
                _session(), f"{base}/x.zip", target, max_bytes=100, progress=io.StringIO()
            )
    assert not target.exists()


def test_server_errors_are_retried_then_reported(tmp_path: Path, zip_bytes: bytes) -> None:
    script = Script([(503, b"busy")])
    with serve(script) as base:
        with pytest.raises(RegisterDownloadError, match="503"):
            registers_download.download_newest(
                [f"{base}/BasicCompanyDataAsOneFile-2026-12-01.zip"],
                tmp_path / "raw",
                session=_session(),
                progress=io.StringIO(),
            )
    assert len(script.requests) == 3  # one try and two retries
    assert not (tmp_path / "raw" / "BasicCompanyDataAsOneFile-2026-12-01.zip").exists()


def test_the_command_downloads_then_builds(
    tmp_path: Path, zip_bytes: bytes, boundaries_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        companies.registers,
        "place_postcodes",
        _placing_with(fx.postcode_index(), boundaries_dir),
    )
    with serve(Script([(200, zip_bytes)])) as base:
        monkeypatch.setenv("MIDLANDS_COMPANIES_BASE_URL", base)
        code = companies.main(["build", "--download", "--out", str(tmp_path / "out")])
    assert code == 0
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert base in manifest
    assert '"kept": 5' in manifest


def _placing_with(index: object, boundaries_dir: Path) -> object:
    original = companies.registers.place_postcodes

    def place(values: object, **_: object) -> object:
        return original(values, index=index, boundaries_dir=boundaries_dir)

    return place
