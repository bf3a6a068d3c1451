"""The audit's summary: counts by precision and by location check, the share of physical sites
on their premises, the thinnest capability, and the README section it writes.

The registry is written by hand here; the expected counts are those of these rows.
"""

from __future__ import annotations

from pathlib import Path

from pyproj import Transformer

from layers import audit, sites
from layers.placement import REGISTRY_COLUMNS
from layers.sites import cli as sites_cli
from tests.support.registry_rows import WALSALL, write_registry

#: CV1 1DD's point in ONSPD November 2025 (433303 E, 278971 N, as its package lists them).
CV1_LON, CV1_LAT = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(
    433303.0, 278971.0
)
#: (site_id, kind, capabilities, precision, postcode, location_check, lat, lon)
ROWS = [
    ("a-site", "prime", "land_systems;space", "site", "", "osm:way/5", "52.5900", "-1.9800"),
    (
        "b-site",
        "supplier",
        "land_systems",
        "site",
        "",
        "sources: https://a.org/x; https://b.org/y",
        "52.5910",
        "-1.9800",
    ),
    (
        "c-postcode",
        "supplier",
        "land_systems;quantum",
        "postcode",
        "CV1 1DD",
        "postcode",
        f"{CV1_LAT:.6f}",
        f"{CV1_LON:.6f}",
    ),
    ("d-town", "university", "space;land_systems", "town", "", "", "52.5920", "-1.9800"),
    ("e-cluster", "cluster_body", "space;land_systems", "town", "", "", "52.5930", "-1.9800"),
]


def registry(tmp_path: Path) -> Path:
    rows = []
    for site_id, kind, caps, precision, postcode, check, lat, lon in ROWS:
        rows.append(
            {
                **WALSALL,
                "site_id": site_id,
                "kind": kind,
                "capabilities": caps,
                "location_precision": precision,
                "postcode": postcode,
                "location_check": check,
                "location_checked": "2026-11-01" if check else "",
                "lat": lat,
                "lon": lon,
            }
        )
    return write_registry(tmp_path / "sites.csv", rows, columns=REGISTRY_COLUMNS)


def test_the_summary_counts_checks_physical_sites_and_the_thinnest_capability(
    tmp_path, boundaries_dir
):
    path = registry(tmp_path)
    valid, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir, warnings=[])
    assert len(valid) == len(ROWS)
    assert problems == [], problems
    report = audit.build_audit(
        sites.read_registry_text(path), problems, [], None, boundaries_dir=boundaries_dir
    )
    assert report.check_counts() == {"postcode": 1, "osm": 1, "sources": 1, "none": 2}
    assert report.physical_share() == (3, 4), "the cluster body is not a physical site"
    slugs, fewest = report.thinnest()
    assert fewest == 0, "capabilities no row lists count as thinnest"
    assert "quantum" not in slugs and "combat_air" in slugs
    lines = report.summary_lines()
    assert "- By precision: site 2, town 2, postcode 1." in lines
    assert "- By location check: postcode 1, osm 1, sources 1, none 2." in lines
    assert (
        "- Physical sites (every kind but cluster bodies) at site or postcode precision: "
        "3 of 4 (75%)." in lines
    )
    assert lines[0] == "- Postcode index: the ONS Postcode Directory (ONSPD), November 2025."
    assert list(report.table["location_check"]) == [r[5] for r in ROWS]


def test_every_capability_listed_makes_the_least_listed_the_thinnest(tmp_path, boundaries_dir):
    path = registry(tmp_path)
    report = audit.build_audit(
        sites.read_registry_text(path), [], [], None, boundaries_dir=boundaries_dir
    )
    report.capabilities = {"land_systems": 5, "space": 3, "quantum": 1, "istar": 1}
    assert report.thinnest() == (["quantum", "istar"], 1)
    assert report.thinnest_line() == (
        "- Thinnest capability: Quantum technologies (quantum), Intelligence, surveillance, "
        "target acquisition and reconnaissance (istar), with 1 site(s)."
    )


def test_the_readme_section_carries_the_new_counts(tmp_path, boundaries_dir, capsys):
    path = registry(tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text("# Registry\n\nProse kept.\n", encoding="utf-8")
    code = sites_cli.main(["audit", str(path), "--boundaries", str(boundaries_dir), "--readme"])
    assert code == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Registry\n\nProse kept.\n")
    assert "- By location check: postcode 1, osm 1, sources 1, none 2." in text
    assert "- Thinnest capability: " in text
    assert "Physical sites" in capsys.readouterr().out
