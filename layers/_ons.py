"""Client for the ONS Open Geography Portal's ArcGIS REST feature services.

It pages through a layer's query endpoint through the project's one HTTP client
(:mod:`layers.http`: retries on lost connections, rate limits and server errors, waiting as a
``Retry-After`` header asks, up to a cap), and turns every failure into a
:class:`BoundaryDownloadError` that says what to do next. A mirror folder holding the services'
full GeoJSON answers can stand in for the network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from layers import http
from layers._errors import BoundaryDownloadError

logger = logging.getLogger(__name__)

_MAX_PAGES = 1000
#: The largest page accepted from the service (a page of 2000 generalised boundaries is a few MB).
_MAX_PAGE_BYTES = 256 << 20


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
        Paging and retry behaviour of the HTTP client (see :func:`layers.http.retrying_session`).
    """
    if mirror is not None:
        return _read_mirror(Path(mirror), service, field=field, codes=codes)
    url = service_url(base_url, service)
    where = where_in(field, codes)
    features: list[dict[str, Any]] = []
    with http.retrying_session(retries=retries, backoff_s=backoff_s) as client:
        for page in range(_MAX_PAGES):
            params = {
                "where": where,
                "outFields": "*",
                "outSR": "4326",
                "f": "geojson",
                "resultOffset": str(len(features)),
                "resultRecordCount": str(page_size),
            }
            document = _get_json(client, url, params, timeout_s=timeout_s)
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
) -> dict[str, Any]:
    """GET one page through the retrying session and return its JSON document."""
    try:
        content = http.get_bytes(
            client, url, params=params, timeout_s=timeout_s, max_bytes=_MAX_PAGE_BYTES
        )
    except http.StatusError as exc:
        raise BoundaryDownloadError(
            f"{url} answered HTTP {exc.status}; check the service name and base URL "
            "(MIDLANDS_ONS_BASE_URL) or use --mirror"
        ) from exc
    except http.UnreachableError as exc:
        attempts = http.attempts_of(client, url)
        problem = f"HTTP {exc.status}" if exc.status is not None else "could not connect"
        raise BoundaryDownloadError(
            f"{url} is unreachable after {attempts} attempts ({problem}); "
            "check the network, try again later, or build from a mirror with --mirror DIR"
        ) from exc
    except http.DownloadError as exc:
        raise BoundaryDownloadError(
            f"{exc}; nothing was written. Run the build again or use --mirror"
        ) from exc
    return _parse_document(url, content)


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
