"""Small file helpers: atomic writes and checksums, so a failed run never leaves half a file."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def sha256_file(path: str | Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def matches_checksum(path: str | Path, sha256: object) -> bool:
    """Say whether the cached file at ``path`` is there and has the checksum its manifest gives.

    A mismatch is logged: the caller fetches the file again.
    """
    target = Path(path)
    if not target.is_file():
        return False
    if sha256_file(target) != sha256:
        logging.getLogger(__name__).warning(
            "cached %s does not match its manifest checksum; fetching again", target
        )
        return False
    return True


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> None:
    """Write ``path`` through ``write(temp_path)`` and rename it into place only on success.

    The temporary file sits in the target's folder, so the final rename is atomic on one file
    system: readers see either the old file or the complete new one, and two concurrent builds
    cannot interleave their bytes.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # some writers (pyogrio) refuse to overwrite an existing file
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
