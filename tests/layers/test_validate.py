"""Property-based tests: for any table, the readers and the validator answer with rows and problems.

Whatever a file holds (unicode, NUL bytes, huge or non-finite numbers, random bytes), the upload
reader and the registry validator return good rows and problems, never an unhandled exception,
and every input row is either among the good rows or named by a problem.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers import _validate, uploads, vocabulary
from layers._validate import Problem, read_rows
from layers._validate_columns import check_table
from layers.uploads import UploadTable, problems_csv, read_table, read_user_sites

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Column names the reader knows, and the registry's own.
KNOWN_COLUMNS = sorted(
    {alias for aliases in uploads.ALIASES.values() for alias in aliases}
    | {f["name"] for f in vocabulary.schema()["fields"]}
)

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
) | st.sampled_from(["\x00", "a\x00b", "\u202eevil", "🚀", "<script>alert(1)</script>", " "])
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(min_value=51.5, max_value=53.8).map(lambda v: f"{v:.5f}"),
    st.floats(min_value=-3.2, max_value=0.3).map(lambda v: f"{v:.5f}"),
    st.sampled_from(["1e999", "-0", "52,5", "52.5N", "1.5W", "nan", "412,345"]),
)
cells = st.one_of(texts, numbers, st.sampled_from(list(vocabulary.CAPABILITIES)))
column_names = st.one_of(
    st.sampled_from(KNOWN_COLUMNS), texts.filter(lambda name: bool(name.strip()))
)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    """A header of two or more named columns (often with coordinates) and rectangular rows."""
    header = draw(st.lists(column_names, min_size=2, max_size=6))
    if draw(st.booleans()):
        header = ["name", "lat", "lon", *header]
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=12))
    return [header, *rows]


def to_csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode("utf-8")


def assert_every_row_accounted_for(
    table: UploadTable, sites: gpd.GeoDataFrame, problems: list[uploads.UploadProblem]
) -> None:
    """Each row is kept or named; a row with an error is never kept; no row is kept twice."""
    assert isinstance(sites, gpd.GeoDataFrame)
    assert all(isinstance(p, uploads.UploadProblem) for p in problems)
    kept = [int(site_id.removeprefix("upload-")) for site_id in sites["site_id"]]
    assert len(kept) == len(set(kept))
    refused = any(p.row == uploads.WHOLE_FILE and not p.kept for p in problems)
    named = {p.row for p in problems}
    left_out = {p.row for p in problems if not p.kept}
    for row, _ in table.records:
        assert refused or row in kept or row in named, f"row {row} is neither kept nor named"
    assert not set(kept) & left_out, "a row with an error was kept"
    assert set(kept) <= {row for row, _ in table.records}
    if refused:
        assert sites.empty


@SETTINGS
@given(tables())
def test_any_csv_table_gives_rows_and_problems(boundaries_dir: Path, rows: list[list[str]]):
    table = read_table(to_csv(rows), name="generated.csv")
    non_blank = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    assert [list(record.values()) for _, record in table.records] == non_blank, "a row was lost"
    sites, problems = read_user_sites(table, boundaries_dir=boundaries_dir)
    assert_every_row_accounted_for(table, sites, problems)
    written = list(csv.reader(io.StringIO(problems_csv(table, problems).decode("utf-8-sig"))))
    left_out = {p.row for p in problems if not p.kept}
    refused = uploads.WHOLE_FILE in left_out
    expected = {row for row, _ in table.records if refused or row in left_out}
    assert {int(r[0]) for r in written[1:]} == (expected or ({0} if refused else set()))


@SETTINGS
@given(
    st.binary(max_size=3000),
    st.sampled_from(["x.csv", "x.xlsx", "x.geojson", "x.json", "x", "x.txt", "x.tsv"]),
)
def test_any_bytes_give_rows_and_problems(boundaries_dir: Path, data: bytes, name: str):
    table = read_table(data, name=name)
    sites, problems = read_user_sites(table, boundaries_dir=boundaries_dir)
    assert_every_row_accounted_for(table, sites, problems)
    problems_csv(table, problems)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
geometries = st.one_of(
    st.none(),
    json_values,
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "Polygon", "LineString", "point"]),
            "coordinates": st.one_of(
                st.tuples(st.floats(-3.2, 0.3), st.floats(51.5, 53.8)).map(list),
                json_values,
            ),
        }
    ),
)
features = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "geometry": geometries,
        "properties": st.one_of(
            st.none(),
            json_values,
            st.dictionaries(st.one_of(st.sampled_from(KNOWN_COLUMNS), texts), json_values),
        ),
    }
)


@SETTINGS
@given(st.lists(st.one_of(features, json_values), max_size=10))
def test_any_geojson_gives_rows_and_problems(boundaries_dir: Path, items: list[object]):
    document = {"type": "FeatureCollection", "features": items}
    data = json.dumps(document, allow_nan=True).encode()
    table = read_table(data, name="generated.geojson")
    sites, problems = read_user_sites(table, boundaries_dir=boundaries_dir)
    assert_every_row_accounted_for(table, sites, problems)
    if not any(p.row == uploads.WHOLE_FILE and not p.kept for p in problems):
        assert [row for row, _ in table.records] == list(range(1, len(items) + 1))


REGISTRY_FIELDS = [f["name"] for f in vocabulary.schema()["fields"]]


@st.composite
def registry_tables(draw: st.DrawFn) -> list[list[str]]:
    """A registry-like table: most of the schema's columns, maybe shuffled, maybe extras."""
    header = draw(st.permutations(REGISTRY_FIELDS))
    header = header[: draw(st.integers(min_value=len(header) - 2, max_value=len(header)))]
    header += draw(st.lists(column_names, max_size=2))
    row = st.lists(
        st.one_of(
            cells,
            st.sampled_from(["prime", "site", "2025-01-01", "2999-01-01", "https://e.org/x"]),
            st.text(alphabet="abc-", min_size=1, max_size=8),
        ),
        min_size=len(header),
        max_size=len(header),
    )
    return [header, *draw(st.lists(row, max_size=12))]


@SETTINGS
@given(registry_tables())
def test_the_registry_validator_gives_rows_and_problems_for_any_table(rows: list[list[str]]):
    text = to_csv(rows).decode("utf-8")
    _, records = read_rows(text)
    good_rows, _, problems = check_table(_validate.read_table(text), vocabulary.schema())
    assert all(isinstance(p, Problem) for p in problems)
    named = {p.row for p in problems}
    header_refused = any(p.field == "header" and "lacks column" in p.message for p in problems)
    for row, _ in records:
        assert header_refused or row in good_rows or row in named, f"row {row} lost"
    assert not set(good_rows) & named, "a row with a problem was kept"


FIXTURES = sorted((Path(__file__).parents[1] / "data" / "uploads").iterdir())


@SETTINGS
@given(
    st.sampled_from(FIXTURES),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    st.floats(0.2, 1),
)
def test_damaged_copies_of_real_files_give_rows_and_problems(
    boundaries_dir: Path, fixture: Path, changes: list[tuple[float, int]], kept_share: float
):
    data = bytearray(fixture.read_bytes())
    for where, byte in changes:
        if data:
            data[int(where * len(data))] = byte
    damaged = bytes(data[: int(len(data) * kept_share)])
    table = read_table(damaged, name=fixture.name)
    sites, problems = read_user_sites(table, boundaries_dir=boundaries_dir)
    assert_every_row_accounted_for(table, sites, problems)
