"""The official registers: time and peak memory to read a Companies House file of 5 million rows.

The file is synthetic, written once into the work folder in the published layout (the 55
columns of BasicCompanyDataAsOneFile, every value quoted, inside a deflated ZIP) with about
470 bytes a row like the real one. About 1 row in 200 carries a SIC code of the definition;
registered offices are drawn from the built postcode index. The read runs in a fresh Python
process (as the command line does), which reports its own peak resident memory
(``VmHWM``), once after the imports and once after the read: the difference is what
reading the file costs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

import settings
from benchmarks.measure import Bench, Row, Timing
from layers import companies, postcodes

ROWS = 5_000_000
BLOCK_ROWS = 250_000
BUDGET_S = 60.0
BUDGET_BYTES = 1024**3
HEADER = companies.PUBLISHED_HEADER
_COMMON_SIC = [
    "70229 - Management consultancy activities other than financial management",
    "68209 - Other letting and operating of own or leased real estate",
    "62020 - Information technology consultancy activities",
    "82990 - Other business support service activities n.e.c.",
    "99999 - Dormant Company",
    "43999 - Other specialised construction activities n.e.c.",
    "56101 - Licensed restaurants",
    "25620 - Machining",
]
_DEFENCE_SIC = [
    "25400 - Manufacture of weapons and ammunition",
    "30300 - Manufacture of air and spacecraft and related machinery",
    "33160 - Repair and maintenance of aircraft and spacecraft",
    "26511 - Manufacture of electronic instruments and appliances for measuring, testing, and "
    "navigation, except industrial process control equipment",
]
_ACCOUNTS = [
    "MICRO ENTITY",
    "TOTAL EXEMPTION FULL",
    "DORMANT",
    "SMALL",
    "FULL",
    "NO ACCOUNTS FILED",
]


def _constant(value: str, n: int) -> pa.Array:
    return pa.array([value], type=pa.string()).take(pa.array(np.zeros(n, dtype=np.int32)))


def _pick(rng: np.random.Generator, choices: list[str] | pa.Array, n: int) -> pa.Array:
    values = choices if isinstance(choices, pa.Array) else pa.array(choices, type=pa.string())
    return values.take(pa.array(rng.integers(0, len(values), n).astype(np.int32)))


def _block(start: int, n: int, rng: np.random.Generator, codes: pa.Array) -> pa.Table:
    numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(start, start + n)), pa.string()), 8, "0")
    columns = [c for c in HEADER.split(",")]
    values: dict[str, pa.Array] = {c: _constant("", n) for c in columns}
    values["CompanyName"] = pc.binary_join_element_wise(
        "SYNTHETIC ENGINEERING ", numbers, " LIMITED", ""
    )
    values[" CompanyNumber"] = numbers
    values["RegAddress.AddressLine1"] = pc.binary_join_element_wise(
        "UNIT ", pc.cast(pa.array(rng.integers(1, 400, n)), pa.string()), " BUSINESS PARK", ""
    )
    values[" RegAddress.AddressLine2"] = _constant("INDUSTRIAL ESTATE ROAD", n)
    values["RegAddress.PostTown"] = _constant("SYNTHETIC TOWN", n)
    values["RegAddress.County"] = _constant("WEST MIDLANDS", n)
    values["RegAddress.Country"] = _constant("ENGLAND", n)
    values["RegAddress.PostCode"] = _pick(rng, codes, n)
    values["CompanyCategory"] = _constant("Private Limited Company", n)
    values["CompanyStatus"] = _pick(rng, ["Active"] * 9 + ["Liquidation"], n)
    values["CountryOfOrigin"] = _constant("United Kingdom", n)
    values["IncorporationDate"] = _constant("14/03/2011", n)
    values["Accounts.AccountRefDay"] = _constant("31", n)
    values["Accounts.AccountRefMonth"] = _constant("3", n)
    values["Accounts.NextDueDate"] = _constant("31/12/2026", n)
    values["Accounts.LastMadeUpDate"] = _constant("31/03/2025", n)
    values["Accounts.AccountCategory"] = _pick(rng, _ACCOUNTS, n)
    values["Returns.NextDueDate"] = _constant("11/04/2016", n)
    values["Returns.LastMadeUpDate"] = _constant("14/03/2015", n)
    for column in (
        "Mortgages.NumMortCharges",
        "Mortgages.NumMortOutstanding",
        "Mortgages.NumMortPartSatisfied",
        "Mortgages.NumMortSatisfied",
        "LimitedPartnerships.NumGenPartners",
        "LimitedPartnerships.NumLimPartners",
    ):
        values[column] = _constant("0", n)
    defence = rng.random(n) < 0.005
    first = np.asarray(_COMMON_SIC, dtype=object)[rng.integers(0, len(_COMMON_SIC), n)]
    first[defence] = np.asarray(_DEFENCE_SIC, dtype=object)[rng.integers(0, 4, defence.sum())]
    values["SICCode.SicText_1"] = pa.array(first, type=pa.string())
    second = rng.random(n) < 0.2
    values["SICCode.SicText_2"] = pa.array(np.where(second, _COMMON_SIC[0], ""), type=pa.string())
    values["URI"] = pc.binary_join_element_wise(
        "http://business.data.gov.uk/id/company/", numbers, ""
    )
    values["ConfStmtNextDueDate"] = _constant("28/03/2027", n)
    values[" ConfStmtLastMadeUpDate"] = _constant("14/03/2026", n)
    return pa.table([values[c] for c in columns], names=columns)


def synthetic_file(path: Path, *, rows: int = ROWS, seed: int = 0) -> Path:
    """Write (once) the synthetic Companies House ZIP of ``rows`` rows; return its path."""
    if path.is_file():
        return path
    codes = pa.array(postcodes.load_index().postcodes.astype(str).tolist(), type=pa.string())
    rng = np.random.default_rng(seed)
    tmp = path.with_name(path.name + ".tmp")
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    started = time.perf_counter()
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        member = path.stem + ".csv"
        with archive.open(member, "w", force_zip64=True) as out:
            out.write((HEADER + "\r\n").encode())
            for start in range(0, rows, BLOCK_ROWS):
                table = _block(start, min(BLOCK_ROWS, rows - start), rng, codes)
                sink = pa.BufferOutputStream()
                pacsv.write_csv(table, sink, write_options=options)
                out.write(sink.getvalue().to_pybytes())
    tmp.replace(path)
    print(
        f"synthetic Companies House file: {rows:,} rows written in "
        f"{time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e6:.0f} MB zipped)",
        file=sys.stderr,
        flush=True,
    )
    return path


# VmHWM is the peak resident set of this process's own memory map (ru_maxrss may carry the
# parent's peak across fork and exec).
_CHILD = """
import json, re, sys, time
def peak_kb():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
from layers import companies
before = peak_kb()
started, cpu = time.perf_counter(), time.process_time()
result = companies.select_firms(sys.argv[1])
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
peak = peak_kb()
print(json.dumps({"seconds": elapsed, "cpu_s": cpu, "imports_kb": before, "peak_kb": peak,
                  "counts": result.counts}))
"""


def read_once(path: Path) -> dict:
    """Read the file in a fresh process; return its time, peak memory and counts."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["wall_s"] = time.perf_counter() - started
    return report


def bench_registers(bench: Bench, *, rows: int = ROWS) -> None:
    """Time and size the read of a synthetic 5-million-row Companies House file."""
    bench.section("official registers")
    try:
        postcodes.load_index()
    except postcodes.PostcodeIndexMissingError as exc:
        bench.note(f"registers figures skipped: {exc}")
        return
    count = 20_000 if bench.quick else rows
    path = synthetic_file(
        bench.work_dir / f"BasicCompanyDataAsOneFile-synthetic-{count}.zip", rows=count
    )
    with zipfile.ZipFile(path) as archive:
        unzipped = archive.infolist()[0].file_size
    runs = [read_once(path) for _ in range(1 if bench.quick else max(1, min(bench.repeat, 3)))]
    data = (
        f"synthetic, {count:,} rows ({unzipped / 1e9:.2f} GB unzipped, "
        f"{path.stat().st_size / 1e6:.0f} MB zipped)"
    )
    timing = Timing([r["seconds"] for r in runs], cpu=[r["cpu_s"] for r in runs])
    peak = max(r["peak_kb"] for r in runs) * 1024
    imports = max(r["imports_kb"] for r in runs) * 1024
    counts = runs[-1]["counts"]
    bench.add(
        Row(
            "reg-read",
            "Companies House file: stream, select, place",
            data,
            timing,
            note=f"kept {counts['kept']:,} of {counts['rows']:,} rows",
        )
    )
    bench.add(
        Row(
            "reg-peak",
            "Companies House file: peak memory (whole process)",
            data,
            peak,
            note=f"imports alone {imports / 1e6:.0f} MB",
        )
    )
    verdict_time = "met" if timing.median < BUDGET_S else "not met"
    verdict_memory = "met" if peak < BUDGET_BYTES else "not met"
    if count != ROWS:
        verdict_time = verdict_memory = f"not judged: the budgets are for {ROWS:,} rows"
    load = os.getloadavg()[0]
    print(
        f"registers: {count:,}-row Companies House file read in {timing.median:.1f} s "
        f"(budget < {BUDGET_S:.0f} s: {verdict_time}; CPU {timing.cpu[-1]:.1f} s, load average "
        f"{load:.1f} on {os.cpu_count()} cores), peak memory {peak / 1e6:.0f} MB "
        f"(budget < 1 GB: {verdict_memory}; imports alone {imports / 1e6:.0f} MB)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run this group alone: ``python -m benchmarks.registers [--rows N] [--work-dir DIR]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.registers", description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--work-dir", default=str(settings.ROOT / "benchmarks" / "out"))
    args = parser.parse_args(argv)
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(
        repeat=args.repeat,
        warmup=0,
        quick=False,
        boundaries_dir=settings.BOUNDARIES_DIR,
        work_dir=work,
        browser=False,
    )
    bench_registers(bench, rows=args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
