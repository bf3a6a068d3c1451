"""The browser tests' offline rule (tests/support/browser.py): a page of the app may reach this
machine only, and every request to another machine fails at Chromium's own proxy and is listed,
while pages of one test process share one cache."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.support.browser import SharedCache, offline_page

pytestmark = pytest.mark.browser

#: A page that asks two other machines for a script (one by name, one by address), and this
#: machine for one it may cache.
PAGE = b"""<!doctype html><title>offline</title><p id="here"></p>
<script src="http://example.org/a.js"></script>
<script src="http://203.0.113.7/b.js"></script>
<script src="/here.js"></script>"""
SCRIPT = b"document.getElementById('here').textContent = 'here';"


class _Page(http.server.BaseHTTPRequestHandler):
    #: How many times the script was fetched.
    served = 0

    def do_GET(self) -> None:
        script = self.path.endswith(".js")
        type(self).served += script
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript" if script else "text/html")
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(SCRIPT if script else PAGE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page.html"
    server.shutdown()


def test_requests_to_other_machines_fail_at_the_proxy_and_are_listed(
    browser: SharedCache, local_url: str
):
    blocked: list[str] = []
    failures: list[str] = []
    page = offline_page(browser, blocked)
    page.on("requestfailed", lambda request: failures.append(request.failure or ""))
    page.goto(local_url)
    assert page.locator("#here").inner_text() == "here"  # this machine's page loads
    page.wait_for_timeout(300)
    assert sorted(blocked) == ["http://203.0.113.7/b.js", "http://example.org/a.js"]
    # the proxy failed them: no name lookup, and no connection to the address, was tried
    assert len(failures) == 2 and all("PROXY" in failure for failure in failures), failures


def test_pages_of_one_process_share_the_cache(browser: SharedCache, local_url: str):
    _Page.served = 0
    for _ in range(3):
        page = offline_page(browser, [])
        page.goto(local_url)
        assert page.locator("#here").inner_text() == "here"
        page.close()
    assert _Page.served == 1, "the second and third pages took the cached script"
