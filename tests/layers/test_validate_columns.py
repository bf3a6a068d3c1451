"""The one table validator gives exactly the answer of the cell rules applied row by row.

``layers._validate_columns.check_table`` is the registry's validator. :func:`row_by_row` below
is the reference: ``layers._validate.check_record`` (the cell rules) on one record at a time.
For any table, both must keep the same rows with the same typed values and report the same
problems in the same order.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers import vocabulary
from layers._validate import Problem, check_record, header_problems, read_rows, read_table
from layers._validate_columns import check_table

TODAY = date(2026, 11, 30)
SCHEMA = vocabulary.schema()
FIELDS = [f["name"] for f in SCHEMA["fields"]]
GOOD = {
    "site_id": "test-works",
    "name": "Test Works",
    "organisation": "Test Ltd",
    "kind": "supplier",
    "capabilities": "land_systems;supply_chain",
    "lat": "52.58600",
    "lon": "-1.98200",
    "location_precision": "town",
    "town": "Walsall",
    "postcode": "WS1 1AA",
    "status": "active",
    "opened": "1999",
    "closes": "",
    "location_note": "",
    "description": "A made-up row for tests.",
    "source_url": "https://example.org/walsall",
    "status_source": "",
    "last_checked": "2026-11-01",
    "location_source": "",
    "location_check": "",
    "location_checked": "",
    "capability_sources": "",
    "company_number": "",
}
#: Cells worth trying in each column: good ones, bad ones and awkward ones.
CELLS: dict[str, list[str]] = {
    "site_id": ["a", "b-2", "Bad Id", "", " a ", "a\x00b", "x" * 81],
    "name": ["Works", "", " ", "n" * 201, "Works,\nyard", "\u00a0Works\u2028"],
    "organisation": ["Ltd", "", "o" * 201, "\x00"],
    "kind": ["prime", "Prime", "spy", "", " prime", "health"],
    "capabilities": ["space", "space;space", ";;", "land_sytems", " space ; quantum ", "SPACE"],
    "lat": ["52.5", "north", "152.6", "nan", "inf", "1e999", "", "1_0", "\u0665\u0662", "-90"],
    "lon": ["-1.5", "+1.5", "-181", "0x10", " 1 ", "-1.5e0"],
    "location_precision": ["site", "exact", ""],
    "town": ["Derby", "", "t" * 121],
    "postcode": ["", "CV8 3AB", "cv8 3ab", "CV83AB"],
    "status": ["active", "gone", ""],
    "opened": ["", "1999", "19", "2020-13-01", "2020-01-01"],
    "closes": ["", "2030", "abcd"],
    "location_note": ["", "n" * 801, "note"],
    "description": ["Text.", "", "d" * 401],
    "source_url": [
        "https://e.org/x",
        "javascript:alert(1)",
        "https://e.org/a b",
        "http://a\u00a0b",
        "https://x\x1cy",
        "https://x\vy",
        "",
    ],
    "status_source": ["", "https://e.org/s", "nope"],
    "last_checked": ["2026-11-01", "2999-01-01", "01/02/2026", "2026-02-30", "20260101", ""],
    "location_source": ["", "https://en.wikipedia.org/wiki/X"],
    "location_check": [
        "",
        "postcode",
        "osm:way/123",
        "osm:way/0",
        "osm:street/1",
        "sources: https://a.org/x; https://b.org/y",
        "sources: https://a.org/x",
    ],
    "location_checked": ["", "2026-10-01", "2999-01-01", "1/2/2026"],
    "capability_sources": ["", "space https://a.org/x", "space https://a.org/x; quantum", "x y"],
    "company_number": ["", "00000008", "SC000002", "123", "sc000002", "000000081"],
}


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def row_by_row(
    header: list[str], records: list[tuple[int, dict[str, str]]], schema: dict, *, today: date
) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """The reference: every record through the cell rules, a repeated unique value named."""
    problems, checkable = header_problems(header, schema)
    if not checkable:
        return [], problems
    unique = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    seen: dict[str, dict[str, int]] = {name: {} for name in unique}
    good = []
    for row, record in records:
        repeated = {}
        for name in unique:
            raw = (record.get(name) or "").strip()
            first = seen[name].setdefault(raw, row) if raw else row
            if first != row:
                repeated[name] = first
        typed, found = check_record(
            row, record, schema, today=today, first_rows=repeated, extra=record.get("__extra__")
        )
        problems.extend(found)
        if not found:
            good.append((row, typed))
    return good, problems


def both(text: str) -> tuple[tuple, tuple]:
    """The row-by-row and the column-wise answers for the same CSV text."""
    header, records = read_rows(text)
    good, problems = row_by_row(header, records, SCHEMA, today=TODAY)
    by_rows = ([row for row, _ in good], [typed for _, typed in good], problems)
    rows, typed, found = check_table(read_table(text), SCHEMA, today=TODAY)
    by_columns = (rows, [{n: typed[n][i] for n in typed} for i in range(len(rows))], found)
    return by_rows, by_columns


@st.composite
def registry_tables(draw: st.DrawFn) -> str:
    """A registry table: good rows with some cells swapped for awkward ones, repeated ids."""
    header = list(FIELDS)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    rows = []
    for number in range(draw(st.integers(min_value=0, max_value=25))):
        row = {**GOOD, "site_id": f"site-{number}"}
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
            row[name] = draw(st.sampled_from(CELLS[name]) | st.text(max_size=6))
        values = [row[name] for name in header]
        if draw(st.integers(0, 9)) == 0:
            values = values[: draw(st.integers(0, len(values)))] + draw(
                st.lists(st.sampled_from(["", "x"]), max_size=2)
            )
        rows.append(values)
    return to_csv([header, *rows])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registry_tables())
def test_any_registry_table_gets_the_row_by_row_answer(text: str):
    by_rows, by_columns = both(text)
    assert by_columns == by_rows


def test_each_awkward_cell_gets_the_row_by_row_answer():
    rows = [[GOOD[name] if name != "site_id" else "first" for name in FIELDS]]
    for name, cells in CELLS.items():
        for number, cell in enumerate(cells):
            row = {**GOOD, "site_id": f"{name.replace('_', '-')}-{number}", name: cell}
            rows.append([row[field] for field in FIELDS])
    by_rows, by_columns = both(to_csv([FIELDS, *rows]))
    assert by_columns == by_rows
    assert len(by_rows[2]) > 40, "the table holds many problems"


def test_hand_checked_problems_of_a_small_table():
    rows = [
        {**GOOD, "site_id": "a-1"},
        {**GOOD, "site_id": "a-2", "lat": "152.6", "kind": "Prime"},
        {**GOOD, "site_id": "a-1", "capabilities": "space;space"},
        {**GOOD, "site_id": "a-4", "last_checked": "2999-01-01"},
    ]
    text = to_csv([FIELDS, *[[r[name] for name in FIELDS] for r in rows]])
    rows_kept, typed, problems = check_table(read_table(text), SCHEMA, today=TODAY)
    assert rows_kept == [2]
    assert typed["capabilities"] == [["land_systems", "supply_chain"]]
    assert typed["lat"] == [52.586] and typed["last_checked"] == [date(2026, 11, 1)]
    assert typed["closes"] == [None]
    assert [str(p) for p in problems] == [
        "row 3 (a-2): kind 'Prime' is not a known value; did you mean 'prime'?",
        "row 3 (a-2): lat 152.6 is outside -90..90",
        "row 4 (a-1): site_id 'a-1' repeats the site_id of row 2; ids must be unique",
        "row 4 (a-1): capabilities 'space;space' lists space more than once",
        "row 5 (a-4): last_checked '2999-01-01' is in the future (today is 2026-11-30)",
    ]


def test_each_row_gets_its_own_list_of_capabilities():
    rows = [[{**GOOD, "site_id": f"s-{i}"}[name] for name in FIELDS] for i in range(3)]
    _, typed, _ = check_table(read_table(to_csv([FIELDS, *rows])), SCHEMA, today=TODAY)
    first, second, _ = typed["capabilities"]
    assert first == second and first is not second
