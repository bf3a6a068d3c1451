"""Client for the ONS Open Geography Portal's ArcGIS REST feature services.

It pages through a layer's query endpoint, retries briefly on lost connections, rate limits and
server errors (urllib3's ``Retry`` on a requests session, which waits as a ``Retry-After``
header asks), and turns every failure into a :class:`BoundaryDownloadError` that says what to do
next. A mirror folder holding the services' full GeoJSON answers can stand in for the network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from layers._errors import BoundaryDownloadError

logger = logging.getLogger(__name__)

_RETRY_STATUS = (429, 500, 502, 503, 504)
_MAX_PAGES = 1000
#: The longest wait (seconds) between two attempts, whatever a server's Retry-After asks: a
#: build run from the app must not freeze its session for minutes.
MAX_WAIT_S = 30.0


class _CappedRetry(Retry):
    """urllib3's ``Retry``, with a server's ``Retry-After`` honoured up to :data:`MAX_WAIT_S`."""

    def get_retry_after(self, response: Any) -> float | None:
        """Return the wait the response asks for, at most :data:`MAX_WAIT_S` seconds."""
        asked = super().get_retry_after(response)
        return None if asked is None else min(asked, MAX_WAIT_S)


def retrying_session(*, retries: int, backoff_s: float) -> requests.Session:
    """Return a requests session that retries GETs ``retries`` times on transient failures.

    Lost connections, timeouts and the answers 429, 500, 502, 503 and 504 are retried. The
    wait before a retry is what the server's ``Retry-After`` header asks, else an exponential
    backoff (``backoff_s`` × 2, × 4, ... after an immediate first retry); both are capped at
    :data:`MAX_WAIT_S`. When the retries run out on an error status, the last answer is
    returned (not raised), so the caller can say which status it was.
    """
    policy = _CappedRetry(
        total=retries,
        status_forcelist=_RETRY_STATUS,
        allowed_methods=frozenset({"GET"}),
        backoff_factor=backoff_s,
        backoff_max=MAX_WAIT_S,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def service_url(base_url: str, service: str) -> str:
    """Return the query endpoint of a service's FeatureServer layer 0."""
    return f"{base_url.rstrip('/')}/{service}/FeatureServer/0/query"


def where_in(field: str, codes: Sequence[str] | None) -> str:
    """Return an ArcGIS ``where`` clause selecting ``codes`` in ``field`` (all rows when None)."""
    if codes is None:
        return "1=1"
    for code in codes:
        if not code.isalnum():
            raise ValueError(f"code {code!r} is not a GSS code (letters and digits only)")
    quoted = ",".join(f"'{code}'" for code in codes)
    return f"{field} IN ({quoted})"


def fetch_layer(
    service: str,
    *,
    field: str,
    codes: Sequence[str] | None,
    base_url: str,
    mirror: str | Path | None = None,
    page_size: int = 2000,
    timeout_s: float = 60.0,
    retries: int = 4,
    backoff_s: float = 1.0,
) -> dict[str, Any]:
    """Return one service's features as a GeoJSON FeatureCollection (EPSG:4326).

    Parameters
    ----------
    service
        The ONS service name, e.g. ``Local_Authority_Districts_May_2023_UK_BUC``.
    field, codes
        Keep only features whose ``field`` is one of ``codes`` (every feature when None).
    base_url
        The ArcGIS REST ``services`` folder URL.
    mirror
        A folder holding ``<service>.geojson``; read instead of the network when given.
    page_size, timeout_s, retries, backoff_s
        Paging and retry behaviour of the HTTP client (see :func:`retrying_session`).
    """
    if mirror is not None:
        return _read_mirror(Path(mirror), service, field=field, codes=codes)
    url = service_url(base_url, service)
    where = where_in(field, codes)
    features: list[dict[str, Any]] = []
    with retrying_session(retries=retries, backoff_s=backoff_s) as client:
        for page in range(_MAX_PAGES):
            params = {
                "where": where,
                "outFields": "*",
                "outSR": "4326",
                "f": "geojson",
                "resultOffset": str(len(features)),
                "resultRecordCount": str(page_size),
            }
            document = _get_json(client, url, params, timeout_s=timeout_s, attempts=retries + 1)
            page_features = document.get("features")
            if not isinstance(page_features, list):
                raise BoundaryDownloadError(
                    f"{url} answered page {page + 1} without a 'features' list; "
                    "the service may have changed: check the URL or use --mirror"
                )
            features.extend(page_features)
            if not _exceeded_transfer_limit(document):
                break
            if not page_features:
                raise BoundaryDownloadError(
                    f"{url} said more features remain but sent none at offset {len(features)}; "
                    "try again later or use --mirror"
                )
        else:
            raise BoundaryDownloadError(f"{url} kept paging past {_MAX_PAGES} pages; giving up")
    logger.info("downloaded %d features of %s", len(features), service)
    return {"type": "FeatureCollection", "name": service, "features": features}


def _exceeded_transfer_limit(document: dict[str, Any]) -> bool:
    properties = document.get("properties") or {}
    return bool(document.get("exceededTransferLimit") or properties.get("exceededTransferLimit"))


def _get_json(
    client: requests.Session,
    url: str,
    params: dict[str, str],
    *,
    timeout_s: float,
    attempts: int,
) -> dict[str, Any]:
    """GET one page through the retrying session and return its JSON document."""
    try:
        response = client.get(url, params=params, timeout=timeout_s)
    except (requests.ConnectionError, requests.Timeout) as exc:
        problem = f"could not connect ({exc.__class__.__name__})"
        raise BoundaryDownloadError(
            f"{url} is unreachable after {attempts} attempts ({problem}); "
            "check the network, try again later, or build from a mirror with --mirror DIR"
        ) from exc
    if response.status_code in _RETRY_STATUS:
        raise BoundaryDownloadError(
            f"{url} is unreachable after {attempts} attempts (HTTP {response.status_code}); "
            "check the network, try again later, or build from a mirror with --mirror DIR"
        )
    if response.status_code != 200:
        raise BoundaryDownloadError(
            f"{url} answered HTTP {response.status_code}; check the service name and base URL "
            "(MIDLANDS_ONS_BASE_URL) or use --mirror"
        )
    return _parse_document(url, response.content)


def _parse_document(url: str, content: bytes) -> dict[str, Any]:
    try:
        document = json.loads(content)
    except ValueError as exc:
        raise BoundaryDownloadError(
            f"{url} sent a response that is not complete JSON ({exc}); it may have been cut off. "
            "Nothing was written; run the build again or use --mirror"
        ) from exc
    if not isinstance(document, dict):
        raise BoundaryDownloadError(f"{url} sent JSON that is not an object; use --mirror")
    error = document.get("error")
    if error:
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
        details = error.get("details") if isinstance(error, dict) else None
        raise BoundaryDownloadError(
            f"{url} returned an ArcGIS error document (code {code!r}: {message!r}"
            f"{f', details {details!r}' if details else ''}); check the service name and query"
        )
    return document


def _read_mirror(
    mirror: Path, service: str, *, field: str, codes: Sequence[str] | None
) -> dict[str, Any]:
    path = mirror / f"{service}.geojson"
    if not path.is_file():
        raise BoundaryDownloadError(
            f"the mirror folder {str(mirror)!r} has no {path.name}; point --mirror "
            "(or MIDLANDS_ONS_MIRROR) at a folder of the ONS service files"
        )
    try:
        document = json.loads(path.read_bytes())
    except ValueError as exc:
        raise BoundaryDownloadError(f"mirror file {str(path)!r} is not valid JSON: {exc}") from exc
    features = document.get("features", [])
    if codes is not None:
        wanted = set(codes)
        features = [f for f in features if (f.get("properties") or {}).get(field) in wanted]
    return {"type": "FeatureCollection", "name": service, "features": features}
