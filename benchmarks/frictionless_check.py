"""``frictionless`` beside the registry's own Table Schema validator, on the same CSV file.

The project keeps one Table Schema validator. This measures the obvious alternative, the
Frictionless Framework's ``validate`` (pinned: :data:`PIN`), against ours
(:func:`layers._validate_columns.check_table` after :func:`layers._validate.read_table`) on
one registry file, so the choice rests on figures from this machine.

frictionless runs in a child process from its own folder (:data:`TARGET`, installed with
:func:`install_command`), so its dependencies never mix with the app's. The schema is given to
it as the registry's own, with two translations it needs: the ``list`` field (a Table Schema
v2 type this version does not read) becomes a string whose pattern allows exactly the
vocabulary's slugs joined by the delimiter, and the ``enumLabels`` extension is left out.

Command line::

    python -m benchmarks.frictionless_check [--size 100000] [--repeat 3] [--csv PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import settings
from benchmarks.measure import Timing, format_value
from layers import vocabulary
from layers._validate import paused_collection, read_table
from layers._validate_columns import check_table
from layers.sites import read_registry_text

#: The frictionless release measured.
PIN = "5.18.1"
#: Where it is installed, apart from the app's environment.
TARGET = settings.ROOT / "benchmarks" / "out" / f"frictionless-{PIN}"
#: Above this many rows frictionless is timed once (a run takes minutes on 100k rows).
ONE_RUN_ABOVE = 20_000

#: The child process: validate ``argv[2]`` against the schema in ``argv[3]``, print JSON.
_JOB = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import frictionless
from frictionless import Resource, Schema
path, schema_path, runs = sys.argv[2], sys.argv[3], int(sys.argv[4])
schema = Schema.from_descriptor(json.loads(open(schema_path).read()))
os.chdir(os.path.dirname(path))
walls, cpus = [], []
for _ in range(runs):
    start, start_cpu = time.perf_counter(), time.process_time()
    report = frictionless.validate(
        Resource(path=os.path.basename(path), schema=schema), limit_errors=10**7
    )
    cpus.append(time.process_time() - start_cpu)
    walls.append(time.perf_counter() - start)
rows = report.tasks[0].stats.get("rows") if report.tasks else None
print(json.dumps({"version": frictionless.__version__, "walls": walls, "cpus": cpus,
                  "valid": report.valid, "errors": len(report.flatten(["type"])), "rows": rows}))
"""


def install_command() -> str:
    """Return the command that installs the pinned frictionless where this benchmark looks."""
    return f"{sys.executable} -m pip install --target {TARGET} frictionless=={PIN}"


def frictionless_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Return the registry's Table Schema as frictionless reads it (see the module's notes)."""
    fields = []
    for spec in schema["fields"]:
        field = {k: v for k, v in spec.items() if k != "enumLabels"}
        if field["type"] == "list":
            constraints = dict(field.get("constraints", {}))
            slugs = "|".join(re.escape(str(slug)) for slug in constraints.pop("enum", []))
            delimiter = re.escape(field.get("delimiter", ","))
            constraints["pattern"] = f"^({slugs})({delimiter}({slugs}))*$"
            field = {"name": field["name"], "type": "string", "constraints": constraints}
        fields.append(field)
    translated: dict[str, Any] = {"fields": fields}
    for key in ("missingValues", "primaryKey"):
        if key in schema:
            translated[key] = schema[key]
    return translated


def time_frictionless(path: Path, *, runs: int) -> tuple[Timing | None, str]:
    """Time frictionless on ``path``; return the timing (None when not measured) and a note."""
    if not (TARGET / "frictionless").is_dir():
        return None, f"frictionless {PIN} is not installed; run: {install_command()}"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(frictionless_schema(vocabulary.schema()), handle)
        schema_path = handle.name
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-I",
                "-c",
                _JOB,
                str(TARGET),
                str(path.resolve()),
                schema_path,
                str(runs),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    finally:
        os.unlink(schema_path)
    if done.returncode != 0:
        return None, f"frictionless failed: {done.stderr.strip().splitlines()[-1:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    note = (
        f"frictionless {result['version']}: {result['rows']} rows, "
        f"{'valid' if result['valid'] else str(result['errors']) + ' error(s)'}"
    )
    return Timing(result["walls"], cpu=result["cpus"]), note


def time_ours(path: Path, *, runs: int) -> tuple[Timing, str]:
    """Time our validator (read + every cell) on ``path``, after one warm-up."""
    walls, cpus, problems, kept = [], [], 0, 0
    for attempt in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        with paused_collection():
            rows, _, found = check_table(read_table(read_registry_text(path)), vocabulary.schema())
        if attempt:
            cpus.append(time.process_time() - start_cpu)
            walls.append(time.perf_counter() - start)
        problems, kept = len(found), len(rows)
    return Timing(walls, cpu=cpus), f"ours: {kept} rows kept, {problems} problem(s)"


def main(argv: list[str] | None = None) -> int:
    """Print both validators' figures on one registry file, with the machine's load."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.frictionless_check")
    parser.add_argument("--size", type=int, default=100_000, help="realistic rows to write")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of ours")
    parser.add_argument("--csv", help="a registry CSV to check instead of a generated one")
    args = parser.parse_args(argv)
    if args.csv:
        path = Path(args.csv)
    else:
        from benchmarks import synthetic

        path = settings.ROOT / "benchmarks" / "out" / f"frictionless-realistic-{args.size}.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            sites = synthetic.synthetic_sites(args.size, seed=0, realistic=True)
            synthetic.write_registry(sites, path)
    print(f"{path} (load average {os.getloadavg()[0]:.2f})")
    ours, ours_note = time_ours(path, runs=args.repeat)
    print(f"  ours:         {format_value(ours)}  ({ours_note})")
    runs = 1 if args.size > ONE_RUN_ABOVE else args.repeat
    theirs, note = time_frictionless(path, runs=runs)
    print(f"  frictionless: {format_value(theirs) if theirs else 'not measured'}  ({note})")
    if theirs is not None:
        print(f"  frictionless ÷ ours: {theirs.median / ours.median:.1f}x")
    print(f"  load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
