"""The one HTTP client against local stand-in servers: retries, waits, size limits, cut-offs."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from layers import http
from tests.support.http_stub import Script, serve


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
