"""Fetching award releases from the Contracts Finder and Find a Tender APIs, page by page.

The download half of :mod:`layers.contracts`: each page is saved only once it arrived whole and
parsed as a release package, with the next page's address in a state file, so a run that stops
resumes where it stopped. A service's base address can be moved (for tests) with
``MIDLANDS_FIND_A_TENDER_BASE_URL`` or ``MIDLANDS_CONTRACTS_FINDER_BASE_URL``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import requests

from layers import http, registers
from layers.registers import RegisterDownloadError

#: The two services' OCDS endpoints (the base can be moved for tests).
SERVICES: dict[str, tuple[str, str, str]] = {
    # name: (default base, path, date parameter)
    "find-a-tender": (
        "https://www.find-tender.service.gov.uk",
        "/api/1.0/ocdsReleasePackages",
        "updatedFrom",
    ),
    "contracts-finder": (
        "https://www.contractsfinder.service.gov.uk",
        "/Published/Notices/OCDS/Search",
        "publishedFrom",
    ),
}


def _first_url(service: str, since: date, page_size: int) -> str:
    default, path, parameter = SERVICES[service]
    env = f"MIDLANDS_{service.upper().replace('-', '_')}_BASE_URL"
    base = os.environ.get(env, default).rstrip("/")
    stamp = f"{since.isoformat()}T00:00:00"
    return f"{base}{path}?stages=award&limit={page_size}&{parameter}={stamp}"


def download_pages(
    since: date,
    cache_dir: str | Path,
    *,
    services: tuple[str, ...] = tuple(SERVICES),
    session: requests.Session | None = None,
    page_size: int = 100,
    max_pages: int = 10_000,
) -> Path:
    """Fetch every page of award releases since ``since`` into ``cache_dir``; return it.

    Each page is saved (atomically) only once it arrived whole and parsed as a release package,
    with the next page's address in ``state-<service>.json``, so a run that stops resumes where
    it stopped. The session retries 429 and 5xx answers with backoff; when it gives up, the
    error names the service, the page reached and what is saved.
    """
    folder = Path(cache_dir)
    own = session is None
    client = http.retrying_session() if session is None else session
    try:
        for service in services:
            _download_service(
                client, service, since, folder, page_size=page_size, max_pages=max_pages
            )
    finally:
        if own:
            client.close()
    return folder


def _download_service(
    client: requests.Session,
    service: str,
    since: date,
    folder: Path,
    *,
    page_size: int,
    max_pages: int,
) -> None:
    state_path = folder / f"state-{service}.json"
    state = registers.read_json(state_path)
    if state.get("since") != since.isoformat():
        state = {"since": since.isoformat(), "pages": 0, "next": None, "complete": False}
    if state["complete"]:
        return
    url = state["next"] or _first_url(service, since, page_size)
    while url and state["pages"] < max_pages:
        page = state["pages"] + 1
        try:
            package = http.get_json(client, url)
        except http.DownloadError as exc:
            raise RegisterDownloadError(
                f"{service}: stopped at page {page} ({url}): {exc}. Pages 1 to {page - 1} are "
                f"saved in {folder}; run the same command again to resume from page {page}."
            ) from exc
        if not isinstance(package, dict) or not isinstance(package.get("releases"), list):
            raise RegisterDownloadError(
                f"{service}: page {page} ({url}) is not an OCDS release package; pages 1 to "
                f"{page - 1} are saved in {folder}"
            )
        registers.write_json(package, folder / service / f"page-{page:05d}.json")
        links = package.get("links") or {}
        url = links.get("next") if package["releases"] else None
        state.update(pages=page, next=url, complete=not url)
        registers.write_json(state, state_path)
