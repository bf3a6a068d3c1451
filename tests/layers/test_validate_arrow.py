"""pyarrow's reader gives the registry validator the same table as the exact reader, or none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from layers import vocabulary
from layers._validate import read_table
from layers._validate_arrow import WHITESPACE, read_registry_table, read_table_fast
from layers._validate_columns import check_table
from tests.support.registry_rows import WALSALL, write_registry

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURES = [DATA / "hostile_sites.csv", *sorted((DATA / "uploads").glob("*.csv"))]
#: Files pyarrow cannot read as Python's csv reader does: the exact reader takes them.
EXACT_ONLY = {
    "quoted_newlines.csv",
    "misaligned.csv",
    "unclosed_quote.csv",
    "cp1252.csv",
    "mixed_encoding.csv",
    "empty.csv",
    "semicolon.csv",
}
TODAY = date(2026, 12, 1)


def _exact(data: bytes):
    return read_table(data.decode("utf-8-sig"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_both_readers_give_the_same_frame_and_problems(path: Path) -> None:
    data = path.read_bytes()
    fast = read_table_fast(data)
    if path.name in EXACT_ONLY:
        assert fast is None
        return
    assert fast is not None
    exact = _exact(data)
    assert (fast.header, fast.rows, fast.extra) == (exact.header, exact.rows, exact.extra)
    assert {k: list(v) for k, v in fast.columns().items()} == {
        k: list(v) for k, v in exact.columns().items()
    }
    schema = vocabulary.schema()
    assert check_table(fast, schema, today=TODAY) == check_table(exact, schema, today=TODAY)


def test_a_bad_value_read_by_pyarrow_is_named_and_good_rows_kept() -> None:
    lines = (DATA / "hostile_sites.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("lat")] = "north"
    data = "\n".join([lines[0], ",".join(cells), *lines[2:]]).encode("utf-8")
    table = read_table_fast(data)
    assert table is not None
    rows, _, problems = check_table(table, vocabulary.schema(), today=TODAY)
    assert [(p.row, p.field, p.value) for p in problems] == [(2, "lat", "north")]
    assert rows == list(range(3, len(lines) + 1))


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("a,b\n1,2\n , \n3,4\n", [2, 4]),  # a blank row is left out but counted
        ('\ufeffa,b\r\n1,"x,""y"""\r\n', [2]),  # BOM, CRLF, quoted comma and quotes
        ("a,b\n1,\u3000\n\u2003,\u00a0\n", [2]),  # Python's whitespace, not only ASCII
    ],
)
def test_the_fast_reader_numbers_rows_as_the_exact_one(text: str, rows: list[int]) -> None:
    data = text.encode("utf-8")
    fast = read_table_fast(data)
    assert fast is not None
    exact = _exact(data)
    assert fast.rows == exact.rows == rows
    assert {k: list(v) for k, v in fast.columns().items()} == {
        k: list(v) for k, v in exact.columns().items()
    }


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n1,2\n\n3,4\n",
        'a,b\n1,"two\nlines"\n',
        "a,b\n1,2,3\n",
        "a,b\r1,2\r",
        'a,b\n1,"2\n3,4\n',
    ],
)
def test_what_pyarrow_might_read_otherwise_goes_to_the_exact_reader(
    text: str, tmp_path: Path
) -> None:
    assert read_table_fast(text.encode("utf-8")) is None
    path = tmp_path / "sites.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read_registry_table(path) == _exact(text.encode("utf-8"))


def test_the_whitespace_is_what_python_strips() -> None:
    import sys

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert every == WHITESPACE


def test_cells_with_blanks_around_them_are_checked_stripped(tmp_path: Path) -> None:
    """Only columns with nothing to strip skip the strip; the others give the exact answer."""
    padded = {
        **WALSALL,
        "site_id": " test-padded ",
        "name": "\u3000Padded Works\u00a0",
        "capabilities": "land_systems ",
        "lat": " 52.58600",
        "status": "active\u2003",
        "source_url": "https://example.org/padded\t",
    }
    rows = [WALSALL, padded, {**WALSALL, "site_id": "test-other"}]
    data = write_registry(tmp_path / "sites.csv", rows).read_bytes()
    fast = read_table_fast(data)
    assert fast is not None
    padded_columns = {"site_id", "name", "capabilities", "lat", "status", "source_url"}
    assert not fast.trimmed_columns() & padded_columns
    assert "organisation" in fast.trimmed_columns()
    schema = vocabulary.schema()
    found = check_table(fast, schema, today=TODAY)
    assert found == check_table(_exact(data), schema, today=TODAY)
    assert found[0] == [2, 3, 4]  # every row is valid once stripped


#: Cells that break, nearly break or dodge a rule; ``{v}`` is the row's own value.
_ODD_CELLS = (
    "",
    " ",
    "\u3000{v}\u00a0",
    "\t{v} ",
    "{v}\x00",
    "\u00e9{v}",
    "{v}\u2019s",
    "{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}{v}",
    "abc",
    '{v},"{v}"',
    "Active",
    "land_systems;land_systems",
    " ; ",
    "land_systems ;\u2003combat_air",
    "2099-01-01",
    "2026-W50-1",
    "2026-12-01",
    "20261201",
    "nan",
    "1e400",
    "\uff15\uff12.5",
    "52_5",
    "-1.5",
    "CV1 1DD",
    "cv1 1dd",
    "https://example.org/x y",
    "https://\u00e9xample.org/x",
    "osm:way/12",
    "sources: https://a.org/x; https://b.org/y",
    "land_systems https://example.org/a",
    "AB123456",
    "test-walsall-works",
)


def _odd_registry(path: Path, count: int, seed: int) -> Path:
    """Write ``count`` rows: WALSALL with every optional column, a cell in ten made odd."""
    rng = np.random.default_rng(seed)
    columns = [f["name"] for f in vocabulary.schema()["fields"]]
    full = {
        **WALSALL,
        "postcode": "WS1 1AA",
        "opened": "1990",
        "closes": "2030",
        "location_note": "The point is the works' gate.",
        "status_source": "https://example.org/status",
        "location_source": "https://example.org/map",
        "location_check": "postcode",
        "location_checked": "2026-10-01",
        "capability_sources": "land_systems https://example.org/cap",
        "company_number": "01234567",
    }
    rows = []
    for number in range(count):
        row = {**full, "site_id": f"test-odd-{number}"}
        for name in columns:
            if rng.random() < 0.1:
                odd = _ODD_CELLS[rng.integers(len(_ODD_CELLS))]
                row[name] = odd.replace("{v}", row[name])
        rows.append(row)
    return write_registry(path, rows, columns)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_text_kept_in_arrow_gives_the_exact_readers_rows_values_and_problems(
    seed: int, tmp_path: Path
) -> None:
    data = _odd_registry(tmp_path / "sites.csv", 400, seed).read_bytes()
    fast = read_table_fast(data)
    assert fast is not None
    schema = vocabulary.schema()
    rows, typed, problems = check_table(fast, schema, today=TODAY, text_as_arrow=True)
    exact_rows, exact_typed, exact_problems = check_table(_exact(data), schema, today=TODAY)
    assert problems == exact_problems
    assert rows == exact_rows
    assert 0 < len(rows) < 400  # some rows fail, some pass
    kept_in_arrow = {name for name, values in typed.items() if not isinstance(values, list)}
    assert {"name", "location_note", "source_url", "kind"} <= kept_in_arrow
    assert {
        name: values if isinstance(values, list) else values.to_pylist()
        for name, values in typed.items()
    } == exact_typed
    assert check_table(fast, schema, today=TODAY) == (exact_rows, exact_typed, exact_problems)
