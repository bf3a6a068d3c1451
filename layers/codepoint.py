"""OS Code-Point Open as Ordnance Survey ships it: the download and the ZIP's own layout.

The current edition comes from the OS Data Hub downloads API (product ``CodePointOpen``, area
``GB``, format ``CSV``) through the project's one HTTP client, :mod:`layers.http`: listed,
streamed to a temporary file, checked (length, listed size and MD5, the ZIP's CRCs and layout;
a damaged body is fetched again) and only then moved into place beside a manifest with its
edition, retrieval date, address and sha256, so a cache is never half-written. The ZIP is read in
its own layout: ``Doc/metadata.txt`` gives the edition, ``Doc/Code-Point_Open_Column_Headers.csv``
the columns, and ``Data/CSV/<area>.csv`` one headerless CRLF file per postcode area.
:mod:`layers.postcode_build` builds the index from what this module reads.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import requests

import settings
from layers import http
from layers._io import atomic_write, atomic_write_bytes, matches_checksum

logger = logging.getLogger(__name__)

RAW_ZIP_NAME = "codepo_gb.zip"
_PRODUCT_PARAMS = {"area": "GB", "format": "CSV"}
#: Refuse a listing or a ZIP larger than these (the GB ZIP is about 20 MB).
_MAX_LISTING_BYTES = 4 << 20
_MAX_ZIP_BYTES = 1 << 30
_COLUMNS = ("Postcode", "Positional_quality_indicator", "Eastings", "Northings")
_VERSION_RE = re.compile(r"VERSION NUMBER\s*:\s*(\S+)", re.IGNORECASE)
_RM_DATE_RE = re.compile(r"RM UPDATE DATE\s*:\s*(\d{8})", re.IGNORECASE)


class PostcodeDownloadError(RuntimeError):
    """Code-Point Open (or its mirror) could not be fetched as a complete, valid ZIP."""


def download_codepoint(
    raw_dir: str | Path | None = None,
    *,
    refresh: bool = False,
    downloads_url: str | None = None,
    timeout_s: float = 120.0,
    retries: int = 3,
    backoff_s: float = 2.0,
    session: requests.Session | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Fetch the current Code-Point Open ZIP into ``raw_dir`` (cached) and return it and its entry.

    The cached ZIP is reused while its sha256 matches the manifest (``refresh`` fetches again).
    A new ZIP is streamed to a temporary file, checked (size, MD5 when the API gives one, a
    readable ZIP with the Code-Point layout) and only then renamed into place, before the
    manifest: a failed or cut-off download leaves the previous cache as it was.

    Parameters
    ----------
    raw_dir
        The download cache folder (default ``settings.POSTCODES_DIR / "raw"``).
    refresh
        Download again even when the cache is good.
    downloads_url
        The downloads API listing URL (default ``settings.CODEPOINT_DOWNLOADS_URL``).
    timeout_s, retries, backoff_s
        HTTP behaviour: seconds per request; retries after a server error or a failed
        connection (the session's ``Retry``, see :func:`layers.http.retrying_session`) and
        whole new attempts after a cut-off or failing ZIP; the backoff factor between tries.
    session
        A session from :func:`layers.http.retrying_session` to reuse (its own retries then
        apply); by default one is made with ``retries`` and ``backoff_s`` and closed after.

    Returns
    -------
    tuple[Path, dict[str, Any]]
        The ZIP's path and its manifest entry (edition, retrieved, url, sha256, size).
    """
    raw = Path(raw_dir) if raw_dir is not None else settings.POSTCODES_DIR / settings.RAW_DIR_NAME
    listing_url = downloads_url or settings.CODEPOINT_DOWNLOADS_URL
    zip_path = raw / RAW_ZIP_NAME
    manifest_path = raw / settings.MANIFEST_NAME
    entry = read_json(manifest_path)
    if not refresh and _cache_is_good(zip_path, entry):
        logger.info("using cached Code-Point Open %s (%s)", entry.get("edition"), zip_path)
        return zip_path, entry
    client = session or http.retrying_session(retries=retries, backoff_s=backoff_s)
    try:
        listing = _download_listing(client, listing_url, timeout_s=timeout_s)
        file_url, expected_size, expected_md5 = _pick_download(listing, listing_url)
        fetched: dict[str, Any] = {}

        def fetch(tmp: Path) -> None:
            fetched.update(
                _fetch_zip(
                    client,
                    file_url,
                    tmp,
                    size=expected_size,
                    md5=expected_md5,
                    timeout_s=timeout_s,
                    attempts=retries + 1,
                    backoff_s=backoff_s,
                )
            )

        atomic_write(zip_path, fetch)
    finally:
        if session is None:
            client.close()
    entry = {
        "product": "CodePointOpen",
        "edition": fetched["edition"],
        "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
        "listing_url": listing_url,
        "url": file_url,
        "sha256": fetched["sha256"],
        "size": fetched["size"],
    }
    atomic_write_bytes(manifest_path, json.dumps(entry, indent=2, sort_keys=True).encode())
    logger.info("downloaded Code-Point Open %s (%d bytes)", entry["edition"], entry["size"])
    return zip_path, entry


def _cache_is_good(path: Path, entry: dict[str, Any]) -> bool:
    return bool(entry) and matches_checksum(path, entry.get("sha256"))


def read_json(path: Path) -> dict[str, Any]:
    """Return a JSON manifest's object, or an empty one when it is missing or unreadable."""
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text())
    except ValueError:
        logger.warning("%s is unreadable; ignoring it", path)
        return {}
    return document if isinstance(document, dict) else {}


def _download_listing(client: requests.Session, url: str, *, timeout_s: float) -> Any:
    """Return the downloads API's list of files, retried by the session's ``Retry``."""
    try:
        return http.get_json(
            client, url, params=_PRODUCT_PARAMS, timeout_s=timeout_s, max_bytes=_MAX_LISTING_BYTES
        )
    except http.StatusError as exc:
        raise PostcodeDownloadError(
            f"the OS downloads API {url} answered HTTP {exc.status}; check "
            "MIDLANDS_CODEPOINT_DOWNLOADS_URL or build from a local ZIP with --mirror ZIP"
        ) from exc
    except http.DownloadError as exc:
        raise PostcodeDownloadError(
            f"the OS downloads API {url} gave no usable answer in "
            f"{http.attempts_of(client, url)} attempts ({exc}); check the network, try again "
            "later, or build from a local ZIP with --mirror ZIP"
        ) from exc


def _pick_download(listing: Any, url: str) -> tuple[str, int | None, str | None]:
    """Return the GB CSV file's URL, size and MD5 from the API's list of downloads."""
    files = listing if isinstance(listing, list) else []
    candidates = [f for f in files if isinstance(f, dict) and isinstance(f.get("url"), str)]
    wanted = [
        f
        for f in candidates
        if str(f.get("area", "GB")).upper() == "GB" and str(f.get("format", "CSV")).upper() == "CSV"
    ]
    if not wanted:
        raise PostcodeDownloadError(
            f"the OS downloads API {url} listed no GB CSV file for Code-Point Open "
            f"(got {str(listing)[:200]!r}); the API may have changed: use --mirror ZIP"
        )
    chosen = wanted[0]
    size = chosen.get("size")
    md5 = chosen.get("md5")
    return (
        chosen["url"],
        int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        md5.lower() if isinstance(md5, str) and md5 else None,
    )


def _fetch_zip(
    client: requests.Session,
    url: str,
    target: Path,
    *,
    size: int | None,
    md5: str | None,
    timeout_s: float,
    attempts: int,
    backoff_s: float,
) -> dict[str, Any]:
    """Stream ``url`` into ``target`` until a complete, valid ZIP arrives; return its digests.

    :func:`layers.http.download_to_file` streams and checks the length; the MD5 and the ZIP
    test below reject a damaged body as :class:`layers.http.TruncatedError`, which it fetches
    again, up to ``attempts`` times.
    """
    editions: list[str] = []

    def verify(done: http.Downloaded) -> None:
        if md5 is not None and done.md5 != md5:
            raise http.TruncatedError(
                f"MD5 {done.md5} differs from the listed {md5}", url=url, retryable=True
            )
        try:
            editions.append(_check_zip(done.path))
        except (zipfile.BadZipFile, ValueError) as exc:
            raise http.TruncatedError(
                f"not a complete Code-Point Open ZIP ({exc})", url=url, retryable=True
            ) from exc

    try:
        done = http.download_to_file(
            client,
            url,
            target,
            max_bytes=_MAX_ZIP_BYTES,
            expected_size=size,
            timeout_s=timeout_s,
            attempts=attempts,
            backoff_s=backoff_s,
            verify=verify,
        )
    except http.StatusError as exc:
        raise PostcodeDownloadError(
            f"{url} answered HTTP {exc.status}; the download link may have expired: run the "
            "build again, or use --mirror ZIP"
        ) from exc
    except http.DownloadError as exc:
        raise PostcodeDownloadError(
            f"Code-Point Open could not be downloaded from {url} ({exc}); nothing was "
            "replaced. Try again later or build from a local ZIP with --mirror ZIP"
        ) from exc
    return {"sha256": done.sha256, "size": done.size, "edition": editions[-1]}


def _check_zip(path: Path) -> str:
    """Check that ``path`` is a whole Code-Point Open ZIP (CRCs included); return its edition."""
    with zipfile.ZipFile(path) as archive:
        broken = archive.testzip()
        if broken is not None:
            raise zipfile.BadZipFile(f"{broken} fails its CRC check")
        if not _area_files(archive):
            raise ValueError("it has no Data/CSV/<area>.csv files")
        return _edition(archive)


# --------------------------------------------------------------------------------------------
# Reading the ZIP and building the index


def _area_files(archive: zipfile.ZipFile) -> list[str]:
    return sorted(
        name
        for name in archive.namelist()
        if re.fullmatch(r"(?:.*/)?Data/CSV/[A-Za-z]{1,2}\.csv", name)
    )


def _member(archive: zipfile.ZipFile, suffix: str) -> str | None:
    return next((n for n in archive.namelist() if n.lower().endswith(suffix.lower())), None)


def _edition(archive: zipfile.ZipFile) -> str:
    """Return the dataset version in ``Doc/metadata.txt`` (e.g. ``2014.3.0``)."""
    name = _member(archive, "Doc/metadata.txt")
    if name is None:
        raise ValueError("it has no Doc/metadata.txt to give the edition")
    text = archive.read(name).decode("utf-8", errors="replace")
    version = _VERSION_RE.search(text)
    if version:
        return version.group(1)
    rm_date = _RM_DATE_RE.search(text)
    if rm_date:
        return f"RM update {rm_date.group(1)}"
    raise ValueError(f"{name} names no DATASET VERSION NUMBER")


def _column_positions(archive: zipfile.ZipFile) -> list[int]:
    """Return the positions of postcode, quality, eastings and northings in the area files."""
    name = _member(archive, "Doc/Code-Point_Open_Column_Headers.csv")
    if name is None:
        return [0, 1, 2, 3]
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    for row in rows:
        cells = [cell.strip() for cell in row]
        if all(column in cells for column in _COLUMNS):
            return [cells.index(column) for column in _COLUMNS]
    raise ValueError(f"{name} does not name the columns {', '.join(_COLUMNS)}")


def read_codepoint(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read a Code-Point Open ZIP into (postcode, easting, northing, quality) and its edition.

    Postcodes are normalised (``DE248BJ`` becomes ``DE24 8BJ``) and the rows sorted by postcode.
    """
    source = Path(path)
    try:
        with zipfile.ZipFile(source) as archive:
            edition = _edition(archive)
            positions = _column_positions(archive)
            names = _area_files(archive)
            if not names:
                raise ValueError("it has no Data/CSV/<area>.csv files")
            parts = [archive.read(name).rstrip(b"\r\n") + b"\r\n" for name in names]
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise PostcodeDownloadError(
            f"{str(source)!r} is not a readable Code-Point Open ZIP ({exc}); download it again "
            "or point --mirror at codepo_gb.zip"
        ) from exc
    dtypes: dict[int, str] = {position: "int64" for position in positions[1:]}
    dtypes[positions[0]] = "str"
    table = pd.read_csv(
        io.BytesIO(b"".join(parts)),
        header=None,
        usecols=positions,
        dtype=dtypes,
        keep_default_na=False,
        engine="c",
    )
    compact = table[positions[0]].str.replace(" ", "", regex=False).str.upper()
    frame = pd.DataFrame(
        {
            "postcode": compact.str[:-3] + " " + compact.str[-3:],
            "easting": table[positions[2]].astype("int32"),
            "northing": table[positions[3]].astype("int32"),
            "quality": table[positions[1]].astype("uint8"),
        }
    )
    frame = frame.sort_values("postcode", kind="stable").drop_duplicates("postcode")
    return frame.reset_index(drop=True), edition
