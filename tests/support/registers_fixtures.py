"""Small files in the official registers' published formats, built by the tests.

Companies House rows follow the header line of the Free Company Data Product as Companies
House publishes it on https://download.companieshouse.gov.uk/en_output.html (55 columns, a
leading space before ``CompanyNumber`` and the ``PreviousName_N.CompanyName`` columns, dotted
names, every value quoted, dates ``DD/MM/YYYY``, SIC cells "25400 - Manufacture of weapons and
ammunition"). The postcode index here is hand-built: real Code-Point Open points for the
Midlands postcodes and one London point, so the tests do not need the built index.

Award releases follow the Open Contracting Data Standard 1.1 release package as its schema
documents it (https://standard.open-contracting.org/1.1/en/schema/release_package/: uri,
version, publishedDate, publisher, license, releases; parties with roles, identifier, address
and details.scale; awards with id, status, date, value and suppliers), as Contracts Finder and
Find a Tender publish it. Nomis answers follow the columns of Nomis's API CSV output
(https://www.nomisweb.co.uk/api/v01/help: DATE_NAME, GEOGRAPHY_CODE, INDUSTRY_NAME, OBS_VALUE,
OBS_STATUS, OBS_CONF, ...); their values are made up for the tests.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from layers import companies, contracts, registers_figures, statistics
from layers.postcodes import PostcodeIndex

#: The header line of BasicCompanyDataAsOneFile, as published.
CH_HEADER = companies.PUBLISHED_HEADER
CH_COLUMNS = [name for name in CH_HEADER.split(",")]

SIC_TEXT = {
    "25400": "25400 - Manufacture of weapons and ammunition",
    "25300": "25300 - Manufacture of steam generators, except central heating hot water boilers",
    "26309": "26309 - Manufacture of communication equipment other than telegraph, and "
    "telephone apparatus and equipment",
    "26511": "26511 - Manufacture of electronic instruments and appliances for measuring, "
    "testing, and navigation, except industrial process control equipment",
    "26700": "26700 - Manufacture of optical instruments and photographic equipment",
    "30110": "30110 - Building of ships and floating structures",
    "30300": "30300 - Manufacture of air and spacecraft and related machinery",
    "30400": "30400 - Manufacture of military fighting vehicles",
    "33160": "33160 - Repair and maintenance of aircraft and spacecraft",
    "84220": "84220 - Defence activities",
    "10710": "10710 - Manufacture of bread; manufacture of fresh pastry goods and cakes",
    "70229": "70229 - Management consultancy activities other than financial management",
    "25401": "25401 - Not a SIC 2007 code",
}

# name, number, status, postcode, incorporated, account category, SIC codes
FIRMS: list[tuple[str, str, str, str, str, str, list[str]]] = [
    (
        "ALPHA MUNITIONS LIMITED",
        "00000001",
        "Active",
        "CV1 2AA",
        "02/03/2001",
        "FULL",
        ["25400", "70229"],
    ),
    (
        "BRAVO AERO REPAIR LTD",
        "SC000002",
        "Active",
        "B1 1AY",
        "15/07/2015",
        "MICRO ENTITY",
        ["33160"],
    ),
    (
        "CHARLIE VEHICLES PLC",
        "00000003",
        "Active - Proposal to Strike off",
        "TF1 1AA",
        "01/01/1990",
        "FULL",
        ["30400"],
    ),
    ("DELTA BAKERY LTD", "00000004", "Active", "DE1 1AA", "09/09/2009", "SMALL", ["10710"]),
    ("ECHO SPACE LTD", "00000005", "Active", "SW1A 2AA", "10/10/2010", "FULL", ["70229", "30300"]),
    ("FOXTROT OPTICS LTD", "00000006", "Active", "", "11/11/2011", "DORMANT", ["26700"]),
    (
        "GOLF RADIO LTD",
        "00000007",
        "Active",
        "LN9 9ZZ",
        "12/12/2012",
        "NO ACCOUNTS FILED",
        ["26309"],
    ),
    (
        "HOTEL DEFENCE SERVICES LTD",
        "00000008",
        "Active",
        "le11aa",
        "31/01/2020",
        "SMALL",
        ["26511", "84220"],
    ),
    ("INDIA DISSOLVED LTD", "00000009", "Dissolved", "WR1 1AA", "01/02/2003", "FULL", ["25400"]),
    (
        "JULIET NUCLEAR LTD",
        "00000010",
        "Active",
        "NN1 1AA",
        "28/02/2018",
        "TOTAL EXEMPTION FULL",
        ["25300"],
    ),
    ("KILO LINCS LTD", "00000011", "Active", "DN15 0AA", "05/05/2005", "MICRO ENTITY", ["30110"]),
    ("LIMA NEAR MISS LTD", "00000012", "Active", "ST1 1AP", "06/06/2006", "FULL", ["25401"]),
]

#: What the Companies House fixture must give, worked out by hand from FIRMS and the definition.
EXPECTED_KEPT = {
    # number: (lad_code, core, capabilities, sic_codes)
    "00000001": ("E08000026", True, "land_systems;advanced_manufacturing", "25400;70229"),
    "00000008": ("E06000016", True, "supply_chain;istar;test_evaluation", "26511;84220"),
    "00000010": ("E06000062", False, "nuclear_propulsion", "25300"),
    "00000011": ("E06000013", False, "advanced_manufacturing", "30110"),
    "SC000002": ("E08000025", False, "combat_air;supply_chain", "33160"),
}


def _quoted(values: list[str]) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values)


def company_row(
    name: str,
    number: str,
    status: str,
    postcode: str,
    incorporated: str,
    accounts: str,
    sic: list[str],
) -> list[str]:
    """One data row in the published column order."""
    row = dict.fromkeys(CH_COLUMNS, "")
    row["CompanyName"] = name
    row[" CompanyNumber"] = number
    row["RegAddress.AddressLine1"] = "1 TEST STREET"
    row["RegAddress.PostCode"] = postcode
    row["CompanyCategory"] = "Private Limited Company"
    row["CompanyStatus"] = status
    row["CountryOfOrigin"] = "United Kingdom"
    row["IncorporationDate"] = incorporated
    row["Accounts.AccountCategory"] = accounts
    for n, code in enumerate(sic, start=1):
        row[f"SICCode.SicText_{n}"] = SIC_TEXT[code]
    row["URI"] = f"http://business.data.gov.uk/id/company/{number}"
    return [row[c] for c in CH_COLUMNS]


def companies_csv(
    firms: list[tuple[str, str, str, str, str, str, list[str]]] = FIRMS, *, header: str = CH_HEADER
) -> bytes:
    """The CSV text: the header unquoted, every value quoted, CRLF line ends."""
    lines = [header] + [_quoted(company_row(*firm)) for firm in firms]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def companies_zip(
    path: Path,
    csv_bytes: bytes | None = None,
    *,
    member: str = "BasicCompanyDataAsOneFile-2026-12-01.csv",
) -> Path:
    """Write the ZIP as published: one CSV member, deflated."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, csv_bytes if csv_bytes is not None else companies_csv())
    return path


#: Code-Point Open points (easting, northing) of the fixtures' postcodes; SW1A 2AA in London.
POINTS = {
    "B1 1AY": (406523, 286448),
    "CV1 2AA": (434165, 278497),
    "DE1 1AA": (435996, 335424),
    "DN15 0AA": (494924, 414775),
    "LE1 1AA": (459327, 304196),
    "LN1 1AB": (496267, 373047),
    "NN1 1AA": (475320, 261359),
    "ST1 1AP": (388248, 347480),
    "SW1A 2AA": (529090, 179645),
    "TF1 1AA": (364963, 311493),
    "WR1 1AA": (385269, 255405),
}


def postcode_index() -> PostcodeIndex:
    """A hand-built postcode index holding :data:`POINTS`."""
    names = sorted(POINTS)
    return PostcodeIndex(
        path=Path("hand-built"),
        edition="hand-built",
        postcodes=np.array(names, dtype="S8"),
        easting=np.array([POINTS[n][0] for n in names], dtype=np.int32),
        northing=np.array([POINTS[n][1] for n in names], dtype=np.int32),
        quality=np.full(len(names), 10, dtype=np.uint8),
    )


def deflate_bomb(path: Path, *, unzipped_bytes: int) -> Path:
    """A ZIP whose one CSV inflates to ``unzipped_bytes`` of a header and blank lines."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("BasicCompanyDataAsOneFile-2026-12-01.csv", "w", force_zip64=True) as out:
            out.write((CH_HEADER + "\r\n").encode())
            block = b"\r\n" * (1 << 20)
            written = len(CH_HEADER) + 2
            while written < unzipped_bytes:
                out.write(block)
                written += len(block)
    path.write_bytes(buffer.getvalue())
    return path


# --- OCDS release packages (Open Contracting Data Standard 1.1, as Contracts Finder and Find a
# Tender publish them: a package with uri, version, publishedDate, publisher, license and
# releases; each release with ocid, id, date, tag, buyer, parties (roles, identifier, address,
# details.scale) and awards (id, status, date, value, suppliers)).

OCID_PREFIX = "ocds-b5fd17-"


def _party(pid: str, name: str, role: str, postcode: str = "", scale: str | None = None) -> dict:
    party: dict = {
        "id": pid,
        "name": name,
        "roles": [role],
        "identifier": {"scheme": "GB-COH", "id": pid.removeprefix("GB-COH-")},
        "address": {"postalCode": postcode, "countryName": "United Kingdom"},
    }
    if scale is not None:
        party["details"] = {"scale": scale}
    return party


def _release(
    ocid: str,
    rid: str,
    day: str,
    buyer: str,
    awards: list[dict],
    suppliers: list[dict],
    tag: str = "award",
) -> dict:
    return {
        "ocid": OCID_PREFIX + ocid,
        "id": f"{OCID_PREFIX}{ocid}-{rid}",
        "date": f"{day}T09:00:00Z",
        "tag": [tag],
        "initiationType": "tender",
        "buyer": {"id": "GB-GOR-BUYER-" + ocid, "name": buyer},
        "parties": [_party("GB-GOR-BUYER-" + ocid, buyer, "buyer"), *suppliers],
        "awards": awards,
    }


def _award(
    aid: str, day: str, amount: float, suppliers: list[dict], status: str = "active"
) -> dict:
    return {
        "id": aid,
        "status": status,
        "date": f"{day}T00:00:00Z",
        "value": {"amount": amount, "currency": "GBP"},
        "suppliers": [{"id": p["id"], "name": p["name"]} for p in suppliers],
    }


def award_releases() -> list[dict]:
    """The awards fixture: the KPI for 2025-12-01 to 2026-11-30 is £140,000 (3 awards)."""
    cov = _party("GB-COH-00000101", "COVENTRY PRECISION LTD", "supplier", "CV1 2AA", "sme")
    lei = _party("GB-COH-00000102", "LEICESTER LARGE PLC", "supplier", "LE1 1AA", "large")
    der = _party("GB-COH-00000103", "DERBY MICRO LTD", "supplier", "DE1 1AA", "micro")
    bir = _party("GB-COH-00000104", "BIRMINGHAM SME LTD", "supplier", "B1 1AY", "sme")
    tel = _party("GB-COH-00000105", "TELFORD SME LTD", "supplier", "TF1 1AA", "sme")
    wor = _party("GB-COH-00000106", "WORCESTER SME LTD", "supplier", "WR1 1AA", "sme")
    lon = _party("GB-COH-00000107", "LONDON SME LTD", "supplier", "SW1A 2AA", "sme")
    sto = _party("GB-COH-00000108", "STOKE SME LTD", "supplier", "ST1 1AP", "sme")
    lin = _party("GB-COH-00000109", "LINCOLN SME LTD", "supplier", "LN1 1AB", "sme")
    nop = _party("GB-COH-00000110", "NO POSTCODE SME LTD", "supplier", "", "sme")
    nor = _party("GB-COH-00000111", "NORTHAMPTON UNKNOWN LTD", "supplier", "NN1 1AA", None)

    def ids(*parties: dict) -> list[dict]:
        return list(parties)

    return [
        # amended: first 100,000, then 120,000 in a later release: counts once at 120,000
        _release(
            "aaa1",
            "1",
            "2026-03-01",
            "Ministry of Defence",
            [_award("A1", "2026-03-01", 100000, ids(cov))],
            [cov],
        ),
        _release(
            "aaa1",
            "2",
            "2026-05-01",
            "Ministry of Defence",
            [_award("A1", "2026-03-01", 120000, ids(cov))],
            [cov],
            tag="awardUpdate",
        ),
        _release(
            "aaa2",
            "1",
            "2026-06-10",
            "Defence Equipment and Support",
            [_award("A2", "2026-06-10", 250000, ids(lei))],
            [lei],
        ),
        _release(
            "aaa3",
            "1",
            "2025-11-15",
            "Defence Science and Technology Laboratory (Dstl)",
            [_award("A3", "2025-11-15", 40000, ids(der))],
            [der],
        ),
        _release(
            "aaa4",
            "1",
            "2026-04-01",
            "Birmingham City Council",
            [_award("A4", "2026-04-01", 500000, ids(bir))],
            [bir],
        ),
        _release(
            "aaa5",
            "1",
            "2026-07-01",
            "Defence Infrastructure Organisation",
            [_award("A5", "2026-07-01", 90000, ids(tel, wor))],
            [tel, wor],
        ),
        _release(
            "aaa6",
            "1",
            "2026-08-01",
            "Ministry of Defence",
            [_award("A6", "2026-08-01", 30000, ids(lon))],
            [lon],
        ),
        _release(
            "aaa7",
            "1",
            "2026-09-01",
            "Ministry of Defence",
            [_award("A7", "2026-09-01", 999999, ids(cov), status="cancelled")],
            [cov],
        ),
        _release(
            "aaa8",
            "1",
            "2026-11-30",
            "Ministry of Defence",
            [
                _award("A8a", "2026-11-30", 15000, ids(sto)),
                _award("A8b", "2025-12-01", 5000, ids(lin)),
            ],
            [sto, lin],
        ),
        _release(
            "aaa9",
            "1",
            "2026-10-01",
            "Ministry of Defence",
            [_award("A9", "2026-10-01", 10000, ids(nop))],
            [nop],
        ),
        _release(
            "aab0",
            "1",
            "2026-10-02",
            "Royal Air Force",
            [_award("A10", "2026-10-02", 7000, ids(nor))],
            [nor],
        ),
    ]


def release_package(releases: list[dict]) -> dict:
    """Wrap releases in a release package as the services publish it."""
    return {
        "uri": "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages",
        "version": "1.1",
        "publishedDate": "2026-12-01T00:00:00Z",
        "publisher": {"name": "Find a Tender"},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": "https://www.find-tender.service.gov.uk/",
        "releases": releases,
    }


# --- Nomis CSV answers (the columns Nomis's data.csv prints; values hand-made for the tests).

NOMIS_HEADER = (
    "DATE,DATE_NAME,DATE_CODE,DATE_TYPE,DATE_TYPECODE,DATE_SORTORDER,GEOGRAPHY,GEOGRAPHY_NAME,"
    "GEOGRAPHY_CODE,GEOGRAPHY_TYPE,GEOGRAPHY_TYPECODE,GEOGRAPHY_SORTORDER,INDUSTRY,"
    "INDUSTRY_NAME,INDUSTRY_CODE,INDUSTRY_TYPE,INDUSTRY_TYPECODE,INDUSTRY_SORTORDER,"
    "EMPLOYMENT_SIZEBAND,EMPLOYMENT_SIZEBAND_NAME,EMPLOYMENT_SIZEBAND_CODE,"
    "EMPLOYMENT_SIZEBAND_TYPE,EMPLOYMENT_SIZEBAND_TYPECODE,EMPLOYMENT_SIZEBAND_SORTORDER,"
    "LEGAL_STATUS,LEGAL_STATUS_NAME,LEGAL_STATUS_CODE,LEGAL_STATUS_TYPE,"
    "LEGAL_STATUS_TYPECODE,LEGAL_STATUS_SORTORDER,MEASURES,MEASURES_NAME,OBS_VALUE,"
    "OBS_STATUS,OBS_STATUS_NAME,OBS_CONF,OBS_CONF_NAME,URN,RECORD_OFFSET,RECORD_COUNT"
)

# lad code, lad name, industry name, size band, value, status, confidential
NOMIS_CELLS = [
    (
        "E08000026",
        "Coventry",
        "2540 : Manufacture of weapons and ammunition",
        "Total",
        "15",
        "A",
        "F",
    ),
    (
        "E08000026",
        "Coventry",
        "3030 : Manufacture of air and spacecraft and related machinery",
        "Total",
        "",
        "Q",
        "F",
    ),
    (
        "E08000026",
        "Coventry",
        "3030 : Manufacture of air and spacecraft and related machinery",
        "0 to 4",
        "10",
        "A",
        "F",
    ),
    (
        "E08000025",
        "Birmingham",
        "3316 : Repair and maintenance of aircraft and spacecraft",
        "Total",
        "0",
        "A",
        "F",
    ),
    (
        "E08000025",
        "Birmingham",
        "2651 : Manufacture of instruments and appliances for measuring, testing and navigation",
        "Total",
        "5",
        "A",
        "T",
    ),
    ("E08000025", "Birmingham", "1071 : Manufacture of bread", "Total", "120", "A", "F"),
    (
        "E09000001",
        "City of London",
        "2540 : Manufacture of weapons and ammunition",
        "Total",
        "5",
        "A",
        "F",
    ),
    ("E06000016", "Leicester", "8422 : Defence activities", "Total", "1,005", "A", "F"),
]


def nomis_csv(cells: Sequence[tuple[str, ...]] = NOMIS_CELLS, *, header: str = NOMIS_HEADER) -> str:
    """A Nomis CSV answer for NM_141_1 (2025 counts), every value quoted as Nomis does."""
    columns = header.split(",")
    lines = [header]
    for lad, lad_name, industry, band, value, status, conf in cells:
        row = dict.fromkeys(columns, "")
        row.update(
            DATE="2025",
            DATE_NAME="2025",
            GEOGRAPHY_NAME=lad_name,
            GEOGRAPHY_CODE=lad,
            INDUSTRY_NAME=industry,
            EMPLOYMENT_SIZEBAND_NAME=band,
            LEGAL_STATUS_NAME="Total",
            MEASURES="20100",
            MEASURES_NAME="Value",
            OBS_VALUE=value,
            OBS_STATUS=status,
            OBS_CONF=conf,
        )
        lines.append(",".join('"' + row[c] + '"' for c in columns if c in row))
    return "\n".join(lines) + "\n"


# --- The three layers built from these fixtures, as the command lines build them.

#: The fixture ZIP's name: its month (2026-12) is the firms layer's month.
COMPANIES_ZIP_NAME = "BasicCompanyDataAsOneFile-2026-12-01.zip"


def build_registers(root: Path, boundaries_dir: Path) -> dict[str, Path]:
    """Build the firms, awards and counts layers under ``root``; return their folders.

    The keys are ``companies``, ``contracts`` and ``statistics`` (as in
    :func:`layers.registers_figures.load_sources`' arguments, without ``_dir``).
    """
    index = postcode_index()
    companies.build(
        companies_zip(root / COMPANIES_ZIP_NAME),
        out_dir=root / "companies",
        index=index,
        boundaries_dir=boundaries_dir,
    )
    packages = root / "packages"
    packages.mkdir(exist_ok=True)
    (packages / "p1.json").write_text(json.dumps(release_package(award_releases())))
    contracts.build(
        packages, out_dir=root / "contracts", index=index, boundaries_dir=boundaries_dir
    )
    nomis = root / "nomis.csv"
    nomis.write_text(nomis_csv())
    statistics.build(nomis, out_dir=root / "statistics")
    return {name: root / name for name in ("companies", "contracts", "statistics")}


def load_built(folders: dict[str, Path]) -> registers_figures.RegisterSources:
    """Read the layers :func:`build_registers` wrote."""
    return registers_figures.load_sources(
        companies_dir=folders["companies"],
        contracts_dir=folders["contracts"],
        statistics_dir=folders["statistics"],
    )
