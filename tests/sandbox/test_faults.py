from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest

from tests.sandbox.helpers import FakeClock, FakeSleep, apple_headers, small_sandbox, spotify_token
from worker.sandbox import Sandbox, SandboxOptions

APPLE_SONG = "catalog/us/songs/1440843210"


def spotify_search(sandbox: Sandbox, token: str) -> httpx.Response:
    params = {"q": "vangelis", "type": "track"}
    return httpx.get(
        f"{sandbox.urls['spotify_api']}search", params=params, headers={"Authorization": f"Bearer {token}"}
    )


def deezer_search(sandbox: Sandbox) -> httpx.Response:
    return httpx.get(f"{sandbox.urls['deezer_api']}search", params={"q": "vangelis"})


def test_spotify_rolling_window_answers_429_with_retry_after(tmp_path: Path) -> None:
    clock = FakeClock()
    options = SandboxOptions(spotify_window_limit=3, spotify_retry_after_s=7)
    with small_sandbox(tmp_path, clock, options=options) as sandbox:
        token = spotify_token(sandbox)
        assert [spotify_search(sandbox, token).status_code for _ in range(3)] == [200, 200, 200]
        limited = spotify_search(sandbox, token)
        assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
        assert limited.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
        clock.advance(6)
        assert spotify_search(sandbox, token).status_code == 429
        clock.advance(1)
        assert spotify_search(sandbox, token).status_code == 200


def test_deezer_quota_is_error_code_4_in_http_200(tmp_path: Path) -> None:
    clock = FakeClock()
    with small_sandbox(tmp_path, clock, options=SandboxOptions(deezer_quota=2, deezer_window_s=5)) as sandbox:
        assert [deezer_search(sandbox).status_code for _ in range(2)] == [200, 200]
        over = deezer_search(sandbox)
        assert over.status_code == 200
        assert over.json() == {"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}
        clock.advance(5)
        assert "data" in deezer_search(sandbox).json()


def test_apple_limit_is_429_without_retry_after(tmp_path: Path) -> None:
    clock = FakeClock()
    with small_sandbox(tmp_path, clock, options=SandboxOptions(apple_limit=1, apple_window_s=1)) as sandbox:
        url = f"{sandbox.urls['apple_api']}{APPLE_SONG}"
        assert httpx.get(url, headers=apple_headers(clock())).status_code == 200
        limited = httpx.get(url, headers=apple_headers(clock()))
        assert limited.status_code == 429 and "retry-after" not in limited.headers
        assert limited.json()["errors"][0]["status"] == "429"


def test_forced_status_per_service(tmp_path: Path) -> None:
    with small_sandbox(tmp_path) as sandbox:
        sandbox.options.forced_status["deezer"] = 503
        assert deezer_search(sandbox).status_code == 503
        assert spotify_search(sandbox, spotify_token(sandbox)).status_code == 200
        sandbox.options.forced_status.clear()
        assert deezer_search(sandbox).status_code == 200


def fault_statuses(tmp_path: Path, seed: int) -> list[int]:
    options = SandboxOptions(error_rate=0.3, drop_rate=0.2, seed=seed, deezer_quota=None)
    with small_sandbox(tmp_path, options=options) as sandbox:
        for _ in range(30):
            with contextlib.suppress(httpx.TransportError):
                deezer_search(sandbox)
        return [record.status for record in sandbox.requests]


def test_faults_are_seeded_and_repeatable(tmp_path: Path) -> None:
    first, again = fault_statuses(tmp_path, seed=1), fault_statuses(tmp_path, seed=1)
    assert first == again
    assert {0, 200} <= set(first) and set(first) & {500, 502, 503}
    assert fault_statuses(tmp_path, seed=2) != first


def test_dropped_connection_gets_no_answer(tmp_path: Path) -> None:
    with (
        small_sandbox(tmp_path, options=SandboxOptions(drop_rate=1.0)) as sandbox,
        pytest.raises(httpx.TransportError),
    ):
        deezer_search(sandbox)


def test_latency_and_slow_answers_go_through_the_injected_sleep(tmp_path: Path) -> None:
    sleep = FakeSleep()
    options = SandboxOptions(latency_ms=40, slow_rate=1.0, slow_ms=1500)
    with small_sandbox(tmp_path, sleep=sleep, options=options) as sandbox:
        deezer_search(sandbox)
    assert sleep.calls == [0.04, 1.5]


def test_playlists_persist_across_runs_on_one_data_file(tmp_path: Path) -> None:
    data = tmp_path / "sandbox-data.json"
    with small_sandbox(tmp_path, data_path=data) as first:
        token = spotify_token(first)
        created = httpx.post(
            f"{first.urls['spotify_api']}me/playlists",
            json={"name": "Kept"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    with small_sandbox(tmp_path, data_path=data) as second:
        assert [p["name"] for p in second.playlists("spotify")] == ["Kept"]
        fetched = httpx.get(
            f"{second.urls['spotify_api']}playlists/{created['id']}",
            headers={"Authorization": f"Bearer {spotify_token(second)}"},
        )
        assert fetched.status_code == 200
        second.delete_playlist("spotify", created["id"])
    with small_sandbox(tmp_path, data_path=data) as third:
        assert third.playlists("spotify") == []


def test_requests_are_recorded(tmp_path: Path) -> None:
    with small_sandbox(tmp_path) as sandbox:
        deezer_search(sandbox)
        httpx.get(f"{sandbox.urls['deezer_api']}nowhere")
    assert [(r.service, r.method, r.path, r.status) for r in sandbox.requests] == [
        ("deezer", "GET", "/deezer/search", 200),
        ("deezer", "GET", "/deezer/nowhere", 404),
    ]


def test_public_host_names_every_url(tmp_path: Path) -> None:
    from tests.sandbox.helpers import write_catalog
    from worker.sandbox import running_sandbox

    with running_sandbox(write_catalog(tmp_path), public_host="localhost") as sandbox:
        assert sandbox.urls["deezer_api"].startswith("http://localhost:")
        port = sandbox.urls["deezer_api"].split(":")[2].split("/")[0]
        page = httpx.get(
            f"http://127.0.0.1:{port}/deezer/search", params={"q": "vangelis", "limit": 1}
        ).json()
        assert page["next"].startswith(f"http://localhost:{port}/deezer/search?")
