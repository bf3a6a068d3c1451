"""The one HTTP client against local stand-in servers: retries, waits, size limits, cut-offs."""

from __future__ import annotations

import ast
import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import settings
from layers import http
from tests.support.http_stub import Script, serve
from tests.support.sources import python_files


def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every wait between attempts instead of sleeping."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


@contextmanager
def raw_server(answers: list[bytes]) -> Iterator[str]:
    """Answer each connection with the next raw bytes (the last repeats), then close it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    served: list[int] = []

    def loop() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(answers[min(len(served), len(answers) - 1)])
                served.append(1)

    threading.Thread(target=loop, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/file"
    finally:
        listener.close()


def answer(body: bytes, *, declared: int | None = None) -> bytes:
    length = len(body) if declared is None else declared
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


def test_a_rate_limit_is_retried_after_the_wait_it_asks(monkeypatch: pytest.MonkeyPatch):
    slept = waits(monkeypatch)
    script = Script([(429, b"slow down", {"Retry-After": "4"}), (200, b'{"ok": true}')])
    with serve(script) as base, http.retrying_session(retries=2, backoff_s=0) as session:
        assert http.get_json(session, base) == {"ok": True}
    assert slept == [4]
    assert len(script.requests) == 2


def test_retry_after_is_capped(monkeypatch: pytest.MonkeyPatch):
    slept = waits(monkeypatch)
    script = Script([(503, b"busy", {"Retry-After": "3600"}), (200, b"{}")])
    with serve(script) as base, http.retrying_session(retries=1, max_wait_s=5.0) as session:
        http.get_bytes(session, base)
    assert slept == [5.0]


def test_backoff_doubles_and_the_last_status_is_reported(monkeypatch: pytest.MonkeyPatch):
    slept = waits(monkeypatch)
    script = Script([(502, b"bad gateway")])
    with serve(script) as base, http.retrying_session(retries=3, backoff_s=0.5) as session:
        with pytest.raises(http.UnreachableError) as caught:
            http.get_bytes(session, base)
    assert caught.value.status == 502
    assert caught.value.retryable
    assert "4 attempts" in str(caught.value)
    assert slept == [1.0, 2.0]
    assert len(script.requests) == 4


def test_a_client_error_is_not_retried():
    script = Script([(404, b"no such thing")])
    with serve(script) as base, http.retrying_session(retries=3, backoff_s=0) as session:
        with pytest.raises(http.StatusError) as caught:
            http.get_bytes(session, base)
    assert caught.value.status == 404
    assert not caught.value.retryable
    assert len(script.requests) == 1


def test_a_body_over_the_limit_is_refused():
    script = Script([(200, b"x" * 5000)])
    with serve(script) as base, http.retrying_session(retries=0) as session:
        with pytest.raises(http.TooLargeError, match="limit is 1000 bytes"):
            http.get_bytes(session, base, max_bytes=1000)


def test_a_streamed_body_over_the_limit_is_refused_without_a_length(tmp_path: Path):
    head = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
    with raw_server([head + b"y" * 3000]) as url, http.retrying_session(retries=0) as session:
        with pytest.raises(http.TooLargeError):
            http.download_to_file(session, url, tmp_path / "f", max_bytes=2000)


def test_an_unreachable_host_says_so():
    with http.retrying_session(retries=1, backoff_s=0) as session:
        with pytest.raises(http.UnreachableError, match="unreachable after 2 attempts"):
            http.get_bytes(session, "http://127.0.0.1:9/nothing", timeout_s=2)


def test_a_cut_off_download_is_fetched_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    slept = waits(monkeypatch)
    whole = b"0123456789" * 100
    answers = [answer(whole[:300], declared=len(whole)), answer(whole)]
    with raw_server(answers) as url, http.retrying_session(retries=0) as session:
        done = http.download_to_file(
            session, url, tmp_path / "f", max_bytes=10_000, attempts=3, backoff_s=0.25
        )
    assert done.size == len(whole)
    assert done.sha256 == hashlib.sha256(whole).hexdigest()
    assert (tmp_path / "f").read_bytes() == whole
    assert slept == [0.25]


def test_a_download_that_stays_cut_off_fails_after_its_attempts(tmp_path: Path):
    answers = [answer(b"abc", declared=10)]
    with raw_server(answers) as url, http.retrying_session(retries=0) as session:
        with pytest.raises(http.TruncatedError, match=r"cut off: \d+ bytes of 10"):
            http.download_to_file(
                session, url, tmp_path / "f", max_bytes=100, attempts=2, backoff_s=0
            )


def test_the_callers_check_can_ask_for_another_attempt(tmp_path: Path):
    checked: list[int] = []

    def verify(done: http.Downloaded) -> None:
        checked.append(done.size)
        if len(checked) == 1:
            raise http.TruncatedError("checksum differs", url="u", retryable=True)

    with raw_server([answer(b"payload")]) as url, http.retrying_session(retries=0) as session:
        done = http.download_to_file(
            session, url, tmp_path / "f", max_bytes=100, attempts=2, backoff_s=0, verify=verify
        )
    assert checked == [7, 7]
    assert done.md5 == hashlib.md5(b"payload", usedforsecurity=False).hexdigest()


def test_a_listed_size_that_differs_is_a_cut_off(tmp_path: Path):
    with raw_server([answer(b"12345")]) as url, http.retrying_session(retries=0) as session:
        with pytest.raises(http.TruncatedError, match="the listed size"):
            http.download_to_file(session, url, tmp_path / "f", max_bytes=100, expected_size=9)


def test_the_session_names_the_project():
    script = Script([(200, b"{}")])
    with serve(script) as base, http.retrying_session() as session:
        http.get_json(session, base)
    assert session.headers["User-Agent"] == http.USER_AGENT


# --------------------------------------------------------------------------------------------
# The rule: layers/http.py is the only HTTP client of the project's own code

#: The project's code (tests and their local stand-in servers are not downloads).
SOURCE_ROOTS = ("layers", "mapping", "ui", "benchmarks", "app.py", "settings.py")
#: Modules only layers/http.py may import: sessions, adapters, ``Retry``, raw connections.
LOW_LEVEL = ("urllib3", "requests.adapters", "urllib.request", "http.client", "httpx", "aiohttp")


def _qualified_names(tree: ast.Module) -> dict[str, str]:
    """Map each name a module binds by import to the dotted name it stands for."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, names)
        return None if base is None else f"{base}.{node.attr}"
    return None


def http_rule_breaches(source: str) -> list[str]:
    """Return what in ``source`` bypasses layers/http.py, one line each.

    Breaches: importing a low-level HTTP module, calling anything in ``requests`` (a session,
    ``requests.get``, ...) and, in a module that talks HTTP (imports ``requests`` or
    ``layers.http``), calling ``time.sleep``: a hand-written wait between attempts.
    """
    tree = ast.parse(source)
    names = _qualified_names(tree)
    talks_http = any(
        target == "requests" or target.startswith("requests.") or target == "layers.http"
        for target in names.values()
    )
    breaches: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                module = "" if node.level else node.module or ""
                imported = [module, *(f"{module}.{a.name}" for a in node.names)]
            low = [n for n in imported if any(n == m or n.startswith(f"{m}.") for m in LOW_LEVEL)]
            if low:
                breaches.append(f"line {node.lineno}: imports {low[0]}")
        if isinstance(node, ast.Call):
            called = _dotted(node.func, names) or ""
            if called.startswith("requests."):
                breaches.append(f"line {node.lineno}: calls {called}")
            elif talks_http and called == "time.sleep":
                breaches.append(f"line {node.lineno}: sleeps between attempts (time.sleep)")
    return breaches


def project_modules() -> list[Path]:
    files = python_files(*SOURCE_ROOTS)
    return [f for f in files if f != settings.ROOT / "layers" / "http.py"]


def test_no_module_but_layers_http_makes_a_session_or_retries_by_hand():
    modules = project_modules()
    assert settings.ROOT / "layers" / "codepoint.py" in modules
    breaches = {
        str(path.relative_to(settings.ROOT)): found
        for path in modules
        if (found := http_rule_breaches(path.read_text(encoding="utf-8")))
    }
    assert breaches == {}, (
        "every download goes through layers/http.py (retrying_session, get_json, get_bytes, "
        f"download_to_file); these bypass it: {breaches}"
    )


def test_the_download_modules_use_layers_http():
    users = {
        path.name
        for path in project_modules()
        if "layers.http" in _qualified_names(ast.parse(path.read_text(encoding="utf-8"))).values()
    }
    assert {"codepoint.py", "_ons.py", "contracts_download.py", "statistics.py"} <= users


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import requests\nrequests.get('https://example.org')\n", "calls requests.get"),
        ("import requests as r\ns = r.Session()\n", "calls requests.Session"),
        ("from requests import Session\ns = Session()\n", "calls requests.Session"),
        ("from urllib3.util import Retry\n", "imports urllib3.util"),
        ("from requests.adapters import HTTPAdapter\n", "imports requests.adapters"),
        ("import urllib.request\n", "imports urllib.request"),
        (
            "import time\nfrom layers import http\nfor _ in range(3):\n    time.sleep(1)\n",
            "sleeps between attempts",
        ),
    ],
)
def test_the_rule_catches_each_way_around_it(source: str, found: str):
    breaches = http_rule_breaches(source)
    assert any(found in breach for breach in breaches), breaches


def test_the_rule_allows_types_errors_and_sleeping_elsewhere():
    source = (
        "import time\nimport requests\n"
        "def f(s: requests.Session) -> None:\n"
        "    try:\n        s.get('x')\n    except requests.RequestException:\n        pass\n"
    )
    assert http_rule_breaches(source) == []
    assert http_rule_breaches("import time\ntime.sleep(1)\n") == []
