"""The one HTTP client for every download: a requests session with urllib3's ``Retry``.

Every module that fetches something from the network (ONS boundaries, Code-Point Open, the
public registers) builds its session with :func:`retrying_session` and reads answers with
:func:`get_json`, :func:`get_bytes` or :func:`download_to_file`. The rules are therefore the
same everywhere:

- lost connections, read timeouts and the answers 429, 500, 502, 503 and 504 are retried;
- the wait before a retry is what the server's ``Retry-After`` header asks, else an exponential
  backoff (an immediate first retry, then ``backoff_s`` × 2, × 4, ...), both capped at
  ``max_wait_s`` so a build started from the app never freezes it for minutes;
- bodies are streamed, and a body larger than the caller's ``max_bytes`` is refused before it
  fills the memory or the disk;
- a body shorter than its ``Content-Length`` (a cut-off download) is an error, retried by
  :func:`download_to_file` as a whole new attempt.

Failures are :class:`DownloadError` subclasses carrying the URL and, when there was one, the
HTTP status; callers turn them into their own domain errors with advice on what to do next.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

logger = logging.getLogger(__name__)

#: Answers worth asking again: rate limited, or a server (or its gateway) in trouble.
RETRY_STATUS: frozenset[int] = frozenset({429, 500, 502, 503, 504})
#: The longest wait (seconds) between two attempts, whatever a server's ``Retry-After`` asks.
MAX_WAIT_S = 30.0
#: How the project names itself to the services it reads.
USER_AGENT = "midlands-defence-capability-map (python-requests; public data build)"
#: Streaming chunk size.
CHUNK_BYTES = 1 << 16


class DownloadError(RuntimeError):
    """A download failed; ``url`` and ``status`` (None when no answer came) say where and how.

    ``retryable`` is True when another attempt later may succeed (no answer, a retry status,
    a cut-off body).
    """

    def __init__(
        self, message: str, *, url: str, status: int | None = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.retryable = retryable


class UnreachableError(DownloadError):
    """No usable answer after every retry: no connection, a timeout, or a retry status."""


class StatusError(DownloadError):
    """The server answered with an error status that retrying does not cure (e.g. 404)."""


class TooLargeError(DownloadError):
    """The body is (or says it is) larger than the caller allows."""


class TruncatedError(DownloadError):
    """The body ended before its declared length, or failed the caller's check."""


class _CappedRetry(Retry):
    """urllib3's ``Retry``, with a server's ``Retry-After`` honoured up to a cap."""

    #: Instance attribute set by :func:`retrying_session`; kept by ``Retry.new`` via ``new``.
    max_wait_s: float = MAX_WAIT_S

    def new(self, **kwargs: Any) -> _CappedRetry:
        """Return the next state of this policy, keeping the cap."""
        renewed = super().new(**kwargs)
        renewed.max_wait_s = self.max_wait_s
        return renewed

    def get_retry_after(self, response: Any) -> float | None:
        """Return the wait the response asks for, at most ``max_wait_s`` seconds."""
        asked = super().get_retry_after(response)
        return None if asked is None else min(asked, self.max_wait_s)


def retrying_session(
    *,
    retries: int = 3,
    backoff_s: float = 1.0,
    max_wait_s: float = MAX_WAIT_S,
    user_agent: str = USER_AGENT,
) -> requests.Session:
    """Return a requests session that retries GETs ``retries`` times on transient failures.

    Parameters
    ----------
    retries
        Retries after the first attempt (0 tries once).
    backoff_s
        The backoff factor: waits of 0, ``backoff_s`` × 2, × 4, ... seconds between attempts
        when the server sends no ``Retry-After``.
    max_wait_s
        The cap on any single wait, ``Retry-After`` included.
    user_agent
        The ``User-Agent`` header sent with every request.

    Notes
    -----
    When the retries run out on an error status the last answer is returned (not raised), so
    :func:`check_status` (or the caller) can say which status it was. Use the session in a
    ``with`` block, or close it, to release its connections.
    """
    policy = _CappedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        status_forcelist=RETRY_STATUS,
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=backoff_s,
        backoff_max=max_wait_s,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    policy.max_wait_s = max_wait_s
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    adapter = HTTPAdapter(max_retries=policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def attempts_of(session: requests.Session, url: str) -> int:
    """Return how many attempts ``session`` makes on ``url`` (1 + its retries)."""
    adapter = session.get_adapter(url)
    retry = getattr(adapter, "max_retries", None)
    total = getattr(retry, "total", 0)
    return 1 + (total if isinstance(total, int) else 0)


def check_status(response: requests.Response, url: str, *, attempts: int) -> None:
    """Raise the right :class:`DownloadError` unless ``response`` is a 200 answer."""
    status = response.status_code
    if status == 200:
        return
    if status in RETRY_STATUS:
        raise UnreachableError(
            f"{url} answered HTTP {status} on each of {attempts} attempts",
            url=url,
            status=status,
            retryable=True,
        )
    raise StatusError(f"{url} answered HTTP {status}", url=url, status=status)


def get_bytes(
    session: requests.Session,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    timeout_s: float = 60.0,
    max_bytes: int = 64 << 20,
) -> bytes:
    """GET ``url`` through ``session`` and return its whole body, refusing one over ``max_bytes``.

    Raises
    ------
    UnreachableError
        No connection, a timeout, or a retry status after every retry.
    StatusError
        Another error status.
    TooLargeError
        The body is longer than ``max_bytes``.
    TruncatedError
        The body is shorter than its ``Content-Length``.
    """
    attempts = attempts_of(session, url)
    chunks: list[bytes] = []
    try:
        with session.get(url, params=params, timeout=timeout_s, stream=True) as response:
            check_status(response, url, attempts=attempts)
            declared = _declared_length(response, url, max_bytes)
            received = 0
            for chunk in response.iter_content(CHUNK_BYTES):
                received += len(chunk)
                if received > max_bytes:
                    raise _too_large(url, max_bytes)
                chunks.append(chunk)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise _unreachable(url, attempts, exc) from exc
    _check_length(url, declared, received)
    return b"".join(chunks)


def get_json(
    session: requests.Session,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    timeout_s: float = 60.0,
    max_bytes: int = 64 << 20,
) -> Any:
    """GET ``url`` and return its JSON document (see :func:`get_bytes` for the errors).

    Raises
    ------
    TruncatedError
        Also when the body is not complete JSON (a cut-off answer usually is not).
    """
    content = get_bytes(session, url, params=params, timeout_s=timeout_s, max_bytes=max_bytes)
    try:
        return json.loads(content)
    except ValueError as exc:
        raise TruncatedError(
            f"{url} sent an answer that is not complete JSON ({exc})", url=url, retryable=True
        ) from exc


@dataclass(frozen=True)
class Downloaded:
    """What :func:`download_to_file` wrote: byte count and digests of the file."""

    path: Path
    size: int
    sha256: str
    md5: str


def download_to_file(
    session: requests.Session,
    url: str,
    target: str | Path,
    *,
    max_bytes: int,
    expected_size: int | None = None,
    timeout_s: float = 120.0,
    attempts: int = 1,
    backoff_s: float = 1.0,
    max_wait_s: float = MAX_WAIT_S,
    verify: Callable[[Downloaded], None] | None = None,
) -> Downloaded:
    """Stream ``url`` into ``target`` and return its size and digests.

    The session's ``Retry`` covers connecting and the status line; a body cut off midway, or
    one that ``verify`` rejects by raising :class:`TruncatedError`, is fetched again from the
    start, up to ``attempts`` times, with the same doubling backoff. ``target`` is overwritten
    on each attempt: write to a temporary path and rename it after success.

    Parameters
    ----------
    max_bytes
        The largest body accepted (checked against ``Content-Length`` and while streaming).
    expected_size
        The size a listing announced, checked like ``Content-Length``.
    attempts, backoff_s, max_wait_s
        Whole-body attempts and the waits between them.
    verify
        A check of the written file (e.g. a checksum or a ZIP test); raise
        :class:`TruncatedError` to try again, any other error to stop.

    Raises
    ------
    DownloadError
        A subclass saying what failed on the last attempt.
    """
    path = Path(target)
    last: DownloadError | None = None
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(min(backoff_s * 2 ** (attempt - 1), max_wait_s))
        try:
            done = _download_once(session, url, path, max_bytes=max_bytes, timeout_s=timeout_s)
            _check_length(url, expected_size, done.size, what="the listed size")
            if verify is not None:
                verify(done)
            return done
        except DownloadError as exc:
            if not exc.retryable:
                raise
            last = exc
            logger.warning("%s (attempt %d of %d)", exc, attempt + 1, attempts)
    assert last is not None
    raise last


def _download_once(
    session: requests.Session, url: str, path: Path, *, max_bytes: int, timeout_s: float
) -> Downloaded:
    attempts = attempts_of(session, url)
    sha256 = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    received = 0
    declared: int | None = None
    try:
        with session.get(url, stream=True, timeout=timeout_s) as response:
            check_status(response, url, attempts=attempts)
            declared = _declared_length(response, url, max_bytes)
            with open(path, "wb") as handle:
                for chunk in response.iter_content(CHUNK_BYTES):
                    received += len(chunk)
                    if received > max_bytes:
                        raise _too_large(url, max_bytes)
                    handle.write(chunk)
                    sha256.update(chunk)
                    md5.update(chunk)
    except requests.RequestException as exc:
        if not received and isinstance(exc, requests.ConnectionError | requests.Timeout):
            raise _unreachable(url, attempts, exc) from exc
        of = f" of {declared}" if declared is not None else ""
        raise TruncatedError(
            f"{url} was cut off: {received} bytes{of} ({exc.__class__.__name__})",
            url=url,
            retryable=True,
        ) from exc
    _check_length(url, declared, received)
    return Downloaded(path=path, size=received, sha256=sha256.hexdigest(), md5=md5.hexdigest())


def _declared_length(response: requests.Response, url: str, max_bytes: int) -> int | None:
    header = response.headers.get("Content-Length")
    if header is None or not header.strip().isdigit():
        return None
    declared = int(header)
    if declared > max_bytes:
        raise _too_large(url, max_bytes, declared)
    return declared


def _check_length(
    url: str, expected: int | None, received: int, *, what: str = "Content-Length"
) -> None:
    if expected is not None and expected != received:
        raise TruncatedError(
            f"{url} was cut off: {received} bytes of {expected} ({what})",
            url=url,
            retryable=True,
        )


def _too_large(url: str, max_bytes: int, declared: int | None = None) -> TooLargeError:
    size = f"{declared} bytes" if declared is not None else f"more than {max_bytes} bytes"
    return TooLargeError(f"{url} sent {size}; the limit is {max_bytes} bytes", url=url)


def _unreachable(url: str, attempts: int, exc: Exception) -> UnreachableError:
    return UnreachableError(
        f"{url} is unreachable after {attempts} attempts "
        f"(could not connect: {exc.__class__.__name__})",
        url=url,
        retryable=True,
    )
