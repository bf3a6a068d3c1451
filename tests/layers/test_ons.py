"""The ONS ArcGIS REST client against a local stand-in server: paging, retries, errors, cache."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import settings
from layers import _ons, boundaries
from layers._errors import BoundaryDownloadError
from layers._io import sha256_file
from tests.support.http_stub import Script, serve


def feature(code: str) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {
            "LAD23CD": code,
            "LAD23NM": f"Place {code}",
            "CTRY22CD": "E92000001",
            "WD23CD": f"W{code}",
        },
        "geometry": {"type": "Point", "coordinates": [-1.5, 52.5]},
    }


def page(codes: list[str], *, more: bool, top_level: bool = False) -> bytes:
    document: dict[str, object] = {
        "type": "FeatureCollection",
        "features": [feature(c) for c in codes],
    }
    if more and top_level:
        document["exceededTransferLimit"] = True
    elif more:
        document["properties"] = {"exceededTransferLimit": True}
    return json.dumps(document).encode()


def fetch(base_url: str, **options: object) -> dict:
    return _ons.fetch_layer(
        "Some_Service",
        field="LAD23CD",
        codes=["E1", "E2", "E3"],
        base_url=base_url,
        page_size=2,
        retries=2,
        backoff_s=0,
        timeout_s=5,
        **options,
    )


def test_pages_until_the_transfer_limit_is_no_longer_exceeded():
    script = Script([(200, page(["E1", "E2"], more=True)), (200, page(["E3"], more=False))])
    with serve(script) as base_url:
        collection = fetch(base_url)
    assert [f["properties"]["LAD23CD"] for f in collection["features"]] == ["E1", "E2", "E3"]
    assert [r["resultOffset"] for r in script.requests] == ["0", "2"]
    assert all(r["resultRecordCount"] == "2" for r in script.requests)
    assert script.requests[0]["where"] == "LAD23CD IN ('E1','E2','E3')"
    assert script.requests[0]["outSR"] == "4326" and script.requests[0]["f"] == "geojson"
    assert script.requests[0]["path"].endswith("/Some_Service/FeatureServer/0/query")


def test_reads_the_transfer_flag_at_the_top_level_too():
    script = Script(
        [(200, page(["E1", "E2"], more=True, top_level=True)), (200, page(["E3"], more=False))]
    )
    with serve(script) as base_url:
        assert len(fetch(base_url)["features"]) == 3


def test_retries_a_server_error_then_succeeds():
    script = Script([(500, b"oops"), (200, page(["E1"], more=False))])
    with serve(script) as base_url:
        collection = fetch(base_url)
    assert len(collection["features"]) == 1
    assert len(script.requests) == 2


def test_gives_up_after_the_retries_with_advice():
    script = Script([(503, b"busy")])
    with serve(script) as base_url, pytest.raises(BoundaryDownloadError) as caught:
        fetch(base_url)
    assert "unreachable after 3 attempts (HTTP 503)" in str(caught.value)
    assert "--mirror" in str(caught.value)
    assert len(script.requests) == 3


def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every wait between attempts instead of sleeping."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def test_waits_as_long_as_retry_after_asks(monkeypatch: pytest.MonkeyPatch):
    slept = waits(monkeypatch)
    script = Script([(503, b"busy", {"Retry-After": "7"}), (200, page(["E1"], more=False))])
    with serve(script) as base_url:
        collection = fetch(base_url)
    assert len(collection["features"]) == 1
    assert len(script.requests) == 2
    assert slept == [7]  # backoff_s=0: any wait is the header's


def test_a_rate_limit_asking_for_an_hour_waits_at_most_the_cap(monkeypatch: pytest.MonkeyPatch):
    slept = waits(monkeypatch)
    script = Script([(429, b"slow down", {"Retry-After": "3600"}), (200, page([], more=False))])
    with serve(script) as base_url:
        fetch(base_url)
    assert slept == [30.0]


def test_without_retry_after_the_backoff_doubles(monkeypatch: pytest.MonkeyPatch):
    slept = waits(monkeypatch)
    with serve(Script([(502, b"bad gateway")])) as base_url, pytest.raises(BoundaryDownloadError):
        _ons.fetch_layer(
            "Some_Service",
            field="LAD23CD",
            codes=None,
            base_url=base_url,
            retries=3,
            backoff_s=0.5,
            timeout_s=5,
        )
    # urllib3 retries at once, then waits backoff_s x 2, x 4; nothing after the last attempt
    assert slept == [1.0, 2.0]


def test_an_arcgis_error_document_is_a_clear_error():
    body = json.dumps(
        {
            "error": {
                "code": 400,
                "message": "Invalid query",
                "details": ["'where' parameter is invalid"],
            }
        }
    ).encode()
    with serve(Script([(200, body)])) as base_url, pytest.raises(BoundaryDownloadError) as caught:
        fetch(base_url)
    assert "ArcGIS error document" in str(caught.value)
    assert "Invalid query" in str(caught.value)


def test_truncated_json_is_a_clear_error():
    whole = page(["E1"], more=False)
    with (
        serve(Script([(200, whole[: len(whole) // 2])])) as base_url,
        pytest.raises(BoundaryDownloadError, match="not complete JSON"),
    ):
        fetch(base_url)


def test_an_unreachable_service_is_a_clear_error():
    with pytest.raises(BoundaryDownloadError, match="unreachable"):
        # port 9 on loopback: nothing listens there
        fetch("http://127.0.0.1:9/arcgis/rest/services")


def test_codes_must_be_gss_codes():
    with pytest.raises(ValueError, match="not a GSS code"):
        _ons.where_in("LAD23CD", ["E1' OR '1'='1"])


def test_a_failed_refresh_leaves_the_cache_untouched(tmp_path: Path):
    good = Script([(200, page(["E1", "E2"], more=False))])
    with serve(good) as base_url:
        boundaries.download_layers(tmp_path, lad_codes=["E1", "E2"], base_url=base_url)
    cached = {p.name: sha256_file(p) for p in tmp_path.glob("*.geojson")}
    assert set(cached) == {f"{layer}.geojson" for layer in settings.ONS_SERVICES}

    truncated = Script([(200, page(["E1"], more=False)[:30])])
    with serve(truncated) as base_url, pytest.raises(BoundaryDownloadError):
        boundaries.download_layers(
            tmp_path, lad_codes=["E1", "E2"], base_url=base_url, refresh=True
        )
    assert {p.name: sha256_file(p) for p in tmp_path.glob("*.geojson")} == cached
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_the_cache_is_reused_and_a_corrupt_file_is_fetched_again(tmp_path: Path):
    script = Script([(200, page(["E1"], more=False))])
    with serve(script) as base_url:
        boundaries.download_layers(tmp_path, lad_codes=["E1"], base_url=base_url)
        first = len(script.requests)
        boundaries.download_layers(tmp_path, lad_codes=["E1"], base_url=base_url)
        assert len(script.requests) == first, "a good cache is not downloaded again"
        (tmp_path / "lads.geojson").write_text('{"type": "FeatureCollection", "feat')
        boundaries.download_layers(tmp_path, lad_codes=["E1"], base_url=base_url)
        assert len(script.requests) == first + 1, "only the corrupt layer is fetched again"
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["layers"]["lads"]["sha256"] == sha256_file(tmp_path / "lads.geojson")
    assert manifest["layers"]["lads"]["feature_count"] == 1
    assert manifest["layers"]["lads"]["url"].startswith(base_url)
