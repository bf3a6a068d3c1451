"""Headless Chromium for the browser tests and benchmarks, and the one offline page they open.

``chromium`` launches Debian's Chromium through Playwright, with a proxy that is never there for
every address but this machine's: no request leaves it. ``offline_page`` opens a page and lists
every request that would have left; ``SharedCache`` opens the test pages of one test process in
one browser context, so that the app's scripts are fetched and compiled once, not for every
page; ``streamlit_server`` runs the app for a test and fails the test, naming the log, when it
cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import ARTIFACTS, ServerError, app_server, free_port

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "SharedCache",
    "chromium",
    "free_port",
    "offline_page",
    "open_file_offline",
    "require_chromium",
    "streamlit_server",
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Every request to another machine goes to a proxy on a closed loopback port, so it fails
    # at once (Chromium sends loopback addresses direct). Routing each request through
    # Playwright would do the same but turn the page's HTTP cache off.
    "--proxy-server=http://127.0.0.1:9",
]
_LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]")
_IN_PAGE = ("data:", "blob:", "about:")


class ChromiumMissing(RuntimeError):
    """Debian's Chromium is not installed ('make browser' installs it)."""


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield Debian's Chromium, headless, through Playwright; always close it.

    Raises
    ------
    ChromiumMissing
        When Chromium is not installed.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise ChromiumMissing(
            f"{CHROMIUM} is missing: 'make browser' (apt-get install chromium) installs it"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def offline_page(
    browser: Any,
    blocked: list[str] | None = None,
    *,
    width: int = 1600,
    height: int = 1000,
    loopback: bool = True,
    other_files: bool = True,
    **options: Any,
) -> Any:
    """Open a page that may reach only this machine; list every other request in ``blocked``.

    Parameters
    ----------
    browser
        A Playwright browser.
    blocked
        Receives the URL of every request that was aborted.
    width, height
        The viewport.
    loopback
        Whether the page may reach servers on this machine (the app's Streamlit server); a
        page opened from a file must not: pass False.
    other_files
        Whether a page may load other ``file:`` URLs than the one it navigates to (a single-file
        export must not: pass False).
    options
        More options for ``browser.new_page`` (``accept_downloads=True``, ...).

    Notes
    -----
    A page that may reach this machine is only watched: Chromium's proxy (``CHROMIUM_ARGS``)
    fails every request to another one, and each is listed in ``blocked``. A page that may not
    has every request routed through Playwright, which aborts the ones it must not make.
    """
    page = browser.new_page(viewport={"width": width, "height": height}, **options)
    if loopback and other_files:
        if blocked is not None:

            def note(request: Any) -> None:
                url = request.url
                if not (_LOOPBACK.match(url) or url.startswith((*_IN_PAGE, "file:"))):
                    blocked.append(url)

            page.on("request", note)
        return page

    def route(request_route: Any, request: Any) -> None:
        url = request.url
        navigation = request.is_navigation_request() and request.frame == page.main_frame
        if (
            (loopback and _LOOPBACK.match(url))
            or url.startswith(_IN_PAGE)
            or (url.startswith("file:") and (other_files or navigation))
        ):
            request_route.continue_()
        else:
            if blocked is not None:
                blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    return page


class SharedCache:
    """Debian's Chromium, whose test pages share one browser context and so one HTTP cache.

    A page of its own context fetches and compiles the app's scripts (several MB) again; pages
    of one context take them from the cache. Pages share cookies and storage too: the app keeps
    nothing there. ``new_page`` with options other than the viewport, and ``new_context``,
    give a context of their own.

    Parameters
    ----------
    browser
        A Playwright browser, from :func:`chromium`.
    init_script
        JavaScript run in every page it opens before the page's own scripts (or none).
    """

    def __init__(self, browser: Any, *, init_script: str | None = None) -> None:
        self.browser = browser
        self.init_script = init_script
        self._context: Any = None
        self._opened: list[Any] = []

    def new_page(self, *, viewport: dict[str, int] | None = None, **options: Any) -> Any:
        """Open a page in the shared context (or, given other options, in one of its own)."""
        if options:
            page = self.browser.new_page(viewport=viewport, **options)
            self._opened.append(page.context)
            if self.init_script:
                page.add_init_script(self.init_script)
            return page
        if self._context is None:
            # Streamlit turns its own transitions off for readers who ask for less motion: the
            # tests read no transition, and each costs the browser frames
            self._context = self.browser.new_context(reduced_motion="reduce")
            if self.init_script:
                self._context.add_init_script(self.init_script)
        page = self._context.new_page()
        if viewport is not None:
            page.set_viewport_size(viewport)
        self._opened.append(page)
        return page

    def new_context(self, **options: Any) -> Any:
        """Open a context of its own (closed by :meth:`close_opened` like a page)."""
        context = self.browser.new_context(**options)
        if self.init_script:
            context.add_init_script(self.init_script)
        self._opened.append(context)
        return context

    def close_opened(self) -> None:
        """Close every page and context opened through this object that is still open."""
        for opened in self._opened:
            opened.close()
        self._opened.clear()


def open_file_offline(
    browser: Any, path: Path, record: dict[str, list[str]], **options: Any
) -> Any:
    """Open the single-file page ``path`` offline: it may load nothing but itself.

    ``record`` receives the aborted requests (``"blocked"``), the page's uncaught errors
    (``"errors"``) and the messages of any dialog it opened (``"dialogs"``, dismissed).
    ``options`` go to :func:`offline_page`.
    """
    page = offline_page(
        browser, record.setdefault("blocked", []), loopback=False, other_files=False, **options
    )
    page.on("pageerror", lambda error: record.setdefault("errors", []).append(str(error)))

    def dismiss(dialog: Any) -> None:
        record.setdefault("dialogs", []).append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(path.resolve().as_uri())
    return page


@contextmanager
def streamlit_server(*, sites_csv: Path, boundaries_dir: Path) -> Iterator[str]:
    """Run the app on a free loopback port for a test; yield its URL."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(
                app_server(sites_csv=sites_csv, boundaries_dir=boundaries_dir, start_timeout_s=60)
            )
        except ServerError as exc:
            pytest.fail(str(exc))
        yield server.url


def require_chromium() -> None:
    """Fail the test, saying how to install it, when Debian's Chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: 'make browser' (apt-get install chromium) installs it")


def wait_until_still(page: Any) -> None:
    """Wait until no Leaflet map on the page is panning (a popup's autopan moves its contents)."""
    page.wait_for_function("!document.querySelector('.leaflet-pan-anim')")
