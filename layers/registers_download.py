"""Resumable downloads of the large register files, with a progress bar and a ZIP check.

A download is streamed into ``<name>.part`` beside its target. When a run is cut off, the next
run asks the server for the rest (an HTTP ``Range`` request) and appends it; a server that
answers with the whole file instead restarts it. Only a file of the announced size that opens as
a ZIP, whose CRCs check and whose one CSV declares no more than the stated unzipped size, is
renamed into place; a file that fails is deleted, so the next run starts clean.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import requests

from layers import http
from layers.registers import MAX_UNZIPPED_BYTES, RegisterDownloadError

#: The largest download accepted (the monthly ZIP is about 470 MB).
MAX_DOWNLOAD_BYTES: int = 2 * 1024**3
_CONTENT_RANGE_RE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class ProgressBar:
    """A one-line text progress bar on a stream (stderr by default), redrawn 5 times a second."""

    def __init__(self, label: str, total: int | None, *, stream: IO[str] | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self._drawn = 0.0

    def update(self, done: int, *, final: bool = False) -> None:
        """Redraw the bar for ``done`` bytes."""
        now = time.monotonic()
        if not final and now - self._drawn < 0.2:
            return
        self._drawn = now
        megabytes = done / 1e6
        if self.total:
            share = min(done / self.total, 1.0)
            bar = "#" * int(share * 30)
            text = f"{self.label} [{bar:<30}] {megabytes:,.1f}/{self.total / 1e6:,.1f} MB"
        else:
            text = f"{self.label} {megabytes:,.1f} MB"
        self.stream.write("\r" + text + ("\n" if final else ""))
        self.stream.flush()


def check_zip(path: Path, *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> None:
    """Raise :class:`RegisterDownloadError` unless ``path`` is a whole ZIP within the limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(info.file_size for info in archive.infolist())
            if declared > max_unzipped_bytes:
                raise RegisterDownloadError(
                    f"{path.name} would inflate to {declared:,} bytes, over the stated ceiling "
                    f"of {max_unzipped_bytes:,} bytes; it was deleted"
                )
            broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise RegisterDownloadError(
            f"{path.name} is not a whole ZIP archive ({exc}); it was deleted, run again"
        ) from exc
    if broken is not None:
        raise RegisterDownloadError(f"{path.name}: {broken} fails its CRC check; it was deleted")


def _resume_point(
    response: requests.Response, url: str, offset: int, attempts: int, max_bytes: int
) -> tuple[int, int | None]:
    """Return where the body starts in the file and the file's whole size (None if unknown)."""
    total: int | None = None
    if response.status_code == 206:
        match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range", ""))
        if not match or int(match.group(1)) != offset:
            offset = 0  # the server sent another range: restart
        elif match.group(3) != "*":
            total = int(match.group(3))
    else:
        http.check_status(response, url, attempts=attempts)
        offset = 0
    length = response.headers.get("Content-Length", "")
    if total is None and length.isdigit():
        total = offset + int(length)
    if total is not None and total > max_bytes:
        raise RegisterDownloadError(
            f"{url} announces {total:,} bytes, over the limit of {max_bytes:,}"
        )
    return offset, total


def _part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def download_resumable(
    session: requests.Session,
    url: str,
    target: str | Path,
    *,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    timeout_s: float = 120.0,
    progress: IO[str] | None = None,
) -> tuple[Path, str]:
    """Download ``url`` to ``target`` (a ZIP), resuming a ``.part`` left by an earlier run.

    Returns
    -------
    tuple
        The target path and its sha256.

    Raises
    ------
    http.StatusError
        The server answered an error status that retrying does not cure (e.g. 404).
    RegisterDownloadError
        Cut off (the part is kept: run again to resume), too large, or not a whole ZIP (the
        part is deleted).
    """
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    part = _part_path(final)
    offset = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    attempts = http.attempts_of(session, url)
    received = 0
    total: int | None = None
    try:
        with session.get(url, headers=headers, stream=True, timeout=timeout_s) as response:
            if response.status_code == 416 and offset:
                total = offset  # the part already holds the whole file
            else:
                offset, total = _resume_point(response, url, offset, attempts, max_bytes)
                bar = ProgressBar(final.name, total, stream=progress)
                with open(part, "ab" if offset else "wb") as handle:
                    for chunk in response.iter_content(http.CHUNK_BYTES):
                        received += len(chunk)
                        if offset + received > max_bytes:
                            raise RegisterDownloadError(
                                f"{url} sent more than {max_bytes:,} bytes; stopped"
                            )
                        handle.write(chunk)
                        bar.update(offset + received)
                bar.update(offset + received, final=True)
    except requests.RequestException as exc:
        raise RegisterDownloadError(
            f"{url} was cut off after {offset + received:,} bytes ({exc.__class__.__name__}); "
            f"{part} is kept: run the same command again to resume"
        ) from exc
    size = part.stat().st_size
    if total is not None and size != total:
        raise RegisterDownloadError(
            f"{url} gave {size:,} of {total:,} bytes; {part} is kept: run again to resume"
        )
    try:
        check_zip(part, max_unzipped_bytes=max_unzipped_bytes)
    except RegisterDownloadError:
        part.unlink(missing_ok=True)
        raise
    digest = hashlib.sha256()
    with open(part, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    os.replace(part, final)
    return final, digest.hexdigest()


def download_newest(
    urls: Sequence[str],
    cache_dir: str | Path,
    *,
    session: requests.Session | None = None,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    progress: IO[str] | None = None,
) -> tuple[Path, str]:
    """Download the first of ``urls`` the server has (newest month first); return path and URL.

    A file already in ``cache_dir`` that passes the ZIP check is used as it is.
    """
    folder = Path(cache_dir)
    own = session is None
    client = http.retrying_session() if session is None else session
    missing: list[str] = []
    try:
        for url in urls:
            target = folder / url.rsplit("/", 1)[-1]
            if target.is_file():
                check_zip(target, max_unzipped_bytes=max_unzipped_bytes)
                return target, url
            try:
                path, _ = download_resumable(
                    client, url, target, max_unzipped_bytes=max_unzipped_bytes, progress=progress
                )
            except http.StatusError as exc:
                if exc.status != 404:
                    raise RegisterDownloadError(f"{exc}; try again later") from exc
                missing.append(url)
                continue
            except http.DownloadError as exc:
                raise RegisterDownloadError(f"{exc}; try again later") from exc
            return path, url
    finally:
        if own:
            client.close()
    raise RegisterDownloadError(
        f"none of {', '.join(missing)} is published yet; download the file from "
        "https://download.companieshouse.gov.uk/en_output.html and use --source"
    )
