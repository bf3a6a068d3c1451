"""Official counts: the definition's classes in the mapped districts, suppressed never zero."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from layers import http, statistics
from layers.registers import RegisterDownloadError, RegisterSourceError
from tests.support import registers_fixtures as fx
from tests.support.http_stub import Script, serve


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "nomis.csv"
    path.write_text(fx.nomis_csv())
    return path


def test_counts_keep_the_definition_classes_in_the_districts(source: Path) -> None:
    table = statistics.read_counts(source)
    got = [
        (r.lad_code, r.sic_class, None if pd.isna(r.count) else int(r.count), r.suppressed)
        for r in table.itertuples()
    ]
    assert got == [
        ("E06000016", "84.22", 1005, False),
        ("E08000025", "26.51", None, True),  # confidential: suppressed, not 5
        ("E08000025", "33.16", 0, False),  # a published zero stays zero
        ("E08000026", "25.40", 15, False),
        ("E08000026", "30.30", None, True),  # status Q, no value
    ]
    assert list(table.columns) == list(statistics.COLUMNS)
    assert set(table["date"]) == {"2025"}


def test_suppressed_cells_are_shown_as_suppressed_never_zero(source: Path) -> None:
    table = statistics.read_counts(source)
    text = [statistics.describe_count(r.count, r.suppressed) for r in table.itertuples()]
    assert text == ["1,005", "suppressed", "0", "15", "suppressed"]
    summary = statistics.counts_by_district(table).set_index("lad_code")
    assert summary.loc["E08000026", "count"] == 15
    assert summary.loc["E08000026", "suppressed_cells"] == 1
    assert summary.loc["E08000025", "count"] == 0
    assert summary.loc["E08000025", "suppressed_cells"] == 1


def test_build_writes_table_and_manifest(source: Path, tmp_path: Path) -> None:
    manifest = statistics.build(source, out_dir=tmp_path / "out")
    assert manifest["cells"] == 5 and manifest["suppressed_cells"] == 2
    loaded = statistics.load_counts(tmp_path / "out")
    assert loaded is not None
    assert loaded["count"].isna().sum() == 2
    assert (
        "Office for National Statistics"
        in json.loads((tmp_path / "out" / "manifest.json").read_text())["attribution"]
    )


def test_a_changed_header_names_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "nomis.csv"
    path.write_text(fx.nomis_csv(header=fx.NOMIS_HEADER.replace("OBS_VALUE", "VALUE")))
    with pytest.raises(RegisterSourceError, match="'OBS_VALUE'"):
        statistics.build(path, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_download_reads_the_code_list_then_the_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codelist = {
        "structure": {
            "codelists": {
                "codelist": [
                    {
                        "code": [
                            {
                                "value": 138416500,
                                "description": {
                                    "value": "2540 : Manufacture of weapons and ammunition"
                                },
                            },
                            {
                                "value": 138416900,
                                "description": {"value": "1071 : Manufacture of bread"},
                            },
                            {
                                "value": 138417700,
                                "description": {"value": "8422 : Defence activities"},
                            },
                        ]
                    }
                ]
            }
        }
    }
    script = Script([(200, json.dumps(codelist).encode()), (200, fx.nomis_csv().encode())])
    with serve(script) as base:
        monkeypatch.setenv("MIDLANDS_NOMIS_API", base)
        text, url = statistics.download(session=http.retrying_session(retries=0))
    assert script.requests[0]["path"].endswith("/NM_141_1/industry.def.sdmx.json")
    assert script.requests[1]["industry"] == "138416500,138417700"
    assert "E08000026" in script.requests[1]["geography"]
    assert script.requests[1]["employment_sizeband"] == "0"
    manifest = statistics.build(__import__("io").StringIO(text), out_dir=tmp_path / "o", url=url)
    assert manifest["cells"] == 5


def test_download_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(Script([(500, b"oops")])) as base:
        monkeypatch.setenv("MIDLANDS_NOMIS_API", base)
        with pytest.raises(RegisterDownloadError, match="500"):
            statistics.download(session=http.retrying_session(retries=1, backoff_s=0.0))


def test_the_command_builds_or_names_the_fault(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert statistics.main(["build", "--source", str(source), "--out", str(tmp_path / "o")]) == 0
    assert "5 cells of NM_141_1 kept (2 suppressed)" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("A,B\n1,2\n")
    assert statistics.main(["build", "--source", str(bad), "--out", str(tmp_path / "p")]) == 1
    assert "'GEOGRAPHY_CODE'" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()
