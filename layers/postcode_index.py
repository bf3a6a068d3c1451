"""Load a postcode index: sorted postcodes and their points, cached per file.

The default is the ONS Postcode Directory index, built from the installed package on first
use and again when its version changes (:mod:`layers.postcode_build`); another index file
(a Code-Point Open build) can be named instead.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import settings
from layers import onspd
from layers.codepoint import read_json
from layers.postcode_build import (
    CODEPOINT,
    EDITION_KEY,
    ONSPD_INDEX_NAME,
    PRODUCT_KEY,
    VERSION_KEY,
    PostcodeIndexMissingError,
    build_onspd_index,
    onspd_manifest,
    onspd_table,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostcodeIndex:
    """A loaded postcode index: sorted postcodes and their points (arrays are read-only).

    ``postcodes`` holds ASCII bytes (``b"CV8 3AB"``); ``quality`` is Code-Point's positional
    quality, 0 for an ONSPD point (ONSPD gives none) and 90 where the source has no point.
    """

    path: Path
    edition: str
    postcodes: np.ndarray
    easting: np.ndarray
    northing: np.ndarray
    quality: np.ndarray
    product: str = CODEPOINT
    version: str = ""

    def __len__(self) -> int:
        return len(self.postcodes)

    def frame(self) -> pd.DataFrame:
        """Return the index as a new DataFrame (postcode, easting, northing, quality)."""
        return pd.DataFrame(
            {
                "postcode": self.postcodes.astype(str),
                "easting": self.easting,
                "northing": self.northing,
                "quality": self.quality,
            }
        )

    def describe(self) -> str:
        """Return the index's product and edition in words ("ONS Postcode Directory ...")."""
        if self.product == onspd.PRODUCT:
            return f"the {onspd.PRODUCT} ({onspd.SHORT_NAME}), {self.edition}"
        return f"{self.product} edition {self.edition}"


def index_path(directory: str | Path | None = None) -> Path:
    """Return the default index file: the ONSPD one in ``directory`` (default the settings').

    ``MIDLANDS_POSTCODE_INDEX`` (``settings.POSTCODE_INDEX``) names another file to use instead
    when no directory is given.
    """
    if directory is None and settings.POSTCODE_INDEX:
        return Path(settings.POSTCODE_INDEX)
    return Path(directory if directory is not None else settings.POSTCODES_DIR) / ONSPD_INDEX_NAME


def load_index(path: str | Path | None = None) -> PostcodeIndex:
    """Return a postcode index, cached per file (path, modification time and size).

    Parameters
    ----------
    path
        An index file (a Code-Point Open build, or an ONSPD one). By default the ONS Postcode
        Directory index: built from the installed package on first use, and again when the
        package's version changes (no download either way); when its folder cannot be written
        the index is kept in memory only.

    Raises
    ------
    PostcodeIndexMissingError
        When a named file is missing, or the ONSPD package is not installed.
    """
    if path is None and settings.POSTCODE_INDEX:
        path = settings.POSTCODE_INDEX
    if path is not None:
        target = Path(path)
        try:
            stat = target.stat()
        except FileNotFoundError:
            raise PostcodeIndexMissingError(
                f"the postcode index {target} is missing; leave the index out to use the ONS "
                "Postcode Directory, or build a Code-Point Open one with 'python -m "
                "layers.postcodes build --codepoint --mirror ../shared/data/codepoint/"
                "codepo_gb.zip' (without --mirror it downloads Code-Point Open from the OS)"
            ) from None
        return _load_index(str(target.resolve()), stat.st_mtime_ns, stat.st_size)
    return _default_index()


def _default_index() -> PostcodeIndex:
    """Return the ONSPD index, (re)building its cache when it is missing or of another version."""
    target = index_path(settings.POSTCODES_DIR)
    try:
        version = onspd.package_version()
    except onspd.OnspdMissingError as exc:
        raise PostcodeIndexMissingError(str(exc)) from None
    if target.is_file():
        stat = target.stat()
        loaded = _load_index(str(target.resolve()), stat.st_mtime_ns, stat.st_size)
        if loaded.version == version:
            return loaded
    try:
        build_onspd_index(target.parent)
    except OSError as exc:  # a read-only checkout: keep the index in memory
        logger.warning("could not write the postcode index to %s (%s); kept in memory", target, exc)
        return _memory_index(version)
    stat = target.stat()
    return _load_index(str(target.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1)
def _memory_index(version: str) -> PostcodeIndex:
    table, _ = onspd_table()
    return _index_from_table(table, Path(f"<memory: ONSPD {version}>"))


@functools.lru_cache(maxsize=4)
def _load_index(path: str, mtime_ns: int, size: int) -> PostcodeIndex:
    del mtime_ns, size  # only part of the cache key
    if path.endswith(".arrow"):
        with pa.memory_map(path) as source:
            table = pa.ipc.open_file(source).read_all()
    else:
        table = pq.read_table(path)
    return _index_from_table(table, Path(path))


def _index_from_table(table: pa.Table, path: Path) -> PostcodeIndex:
    meta = table.schema.metadata or {}
    codes = table.column("postcode").combine_chunks()
    if codes.type == pa.binary(8) and codes.null_count == 0:  # a view of the file's bytes
        whole = np.frombuffer(codes.buffers()[1], dtype="S8", count=codes.offset + len(codes))
        postcodes = whole[codes.offset :]
    else:
        postcodes = np.asarray(
            pc.cast(codes, pa.binary()).to_numpy(zero_copy_only=False), dtype="S8"
        )
    arrays = {
        "easting": table.column("easting").to_numpy(),
        "northing": table.column("northing").to_numpy(),
        "quality": table.column("quality").to_numpy(),
    }
    for array in (postcodes, *arrays.values()):
        array.setflags(write=False)
    return PostcodeIndex(
        path=path,
        edition=meta.get(EDITION_KEY, b"unknown").decode(),
        postcodes=postcodes,
        product=meta.get(PRODUCT_KEY, CODEPOINT.encode()).decode(),
        version=meta.get(VERSION_KEY, b"").decode(),
        **arrays,
    )


def read_manifest(directory: str | Path | None = None) -> dict[str, Any]:
    """Return what describes an index: its manifest file, or the default index's.

    With no ``directory`` (and no ``MIDLANDS_POSTCODE_INDEX``) this is the manifest the ONSPD
    build wrote in ``settings.POSTCODES_DIR``, or, before the first build (or beside a
    manifest left by an older Code-Point build there), the ONSPD description: product,
    edition, package and attribution.
    """
    if directory is None and settings.POSTCODE_INDEX:
        directory = Path(settings.POSTCODE_INDEX).parent
    if directory is not None:
        return read_json(Path(directory) / settings.MANIFEST_NAME)
    written = read_json(settings.POSTCODES_DIR / settings.MANIFEST_NAME)
    if written and written.get("product", onspd.PRODUCT) == onspd.PRODUCT:
        return written
    try:
        return onspd_manifest()
    except onspd.OnspdMissingError:
        return {}
