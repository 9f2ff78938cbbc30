"""Helpers for the sandbox tests: a small catalog, a fake clock and sleep, tokens and sample comparison."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt

from worker.sandbox import Sandbox, SandboxOptions, running_sandbox
from worker.sandbox.tokens import APPLE_KEY_ID, APPLE_TEAM_ID, apple_private_key

START = 1_800_000_000.0

SMALL_CATALOG: dict[str, Any] = {
    "version": 1,
    "artists": [
        {"key": "vangelis", "name": "Vangelis", "ids": {"spotify": "4P70aqttdpJ9vuYFDmf7f6", "deezer": 4181}},
        {"key": "sex-pistols", "name": "Sex Pistols"},
        {"key": "bjork", "name": "Björk"},
    ],
    "albums": [
        {
            "key": "chariots",
            "title": "Chariots of Fire",
            "artists": ["vangelis"],
            "release_date": "1981-03",
            "type": "album",
            "upc": "042280004221",
            "label": "Polydor",
            "per_service": {"apple": {"title": "Chariots of Fire (Original Soundtrack)"}},
        },
        {
            "key": "bollocks",
            "title": "Never Mind the Bollocks",
            "artists": ["sex-pistols"],
            "release_date": "1977-10-28",
            "type": "album",
        },
        {
            "key": "debut",
            "title": "Debut",
            "artists": ["bjork"],
            "release_date": "1993",
            "type": "album",
            "services": ["spotify", "apple"],
        },
    ],
    "tracks": [
        {
            "key": "chariots-titles",
            "title": "Titles",
            "artists": ["vangelis"],
            "album": "chariots",
            "number": 1,
            "duration_ms": 211000,
            "isrc": "GBF088100001",
            "rank": 700000,
            "ids": {"spotify": "3fZLHmBDBw0oNwsBHgvI3h", "deezer": 916424, "apple": "1440843210"},
        },
        {
            "key": "chariots-five-circles",
            "title": "Five Circles",
            "artists": ["vangelis"],
            "album": "chariots",
            "number": 2,
            "duration_ms": 317000,
            "isrc": "GBF088100002",
            "rank": 200000,
        },
        {
            "key": "anarchy",
            "title": "Anarchy in the U.K.",
            "artists": ["sex-pistols"],
            "album": "bollocks",
            "number": 12,
            "duration_ms": 212000,
            "isrc": "GBAAA7700012",
            "rank": 650000,
            "explicit": True,
            "markets": ["GB", "US"],
            "per_service": {"deezer": {"markets": ["GB"]}},
        },
        {
            "key": "god-save",
            "title": "God Save the Queen",
            "artists": ["sex-pistols"],
            "album": "bollocks",
            "number": 3,
            "duration_ms": 198000,
            "isrc": "GBAAA7700003",
            "rank": 640000,
            "markets": ["US"],
        },
        {
            "key": "human-behaviour",
            "title": "Human Behaviour",
            "artists": ["bjork"],
            "album": "debut",
            "number": 1,
            "duration_ms": 252000,
            "isrc": "GBAAA9300001",
            "rank": 500000,
            "per_service": {"spotify": {"title": "Human Behavior", "isrc": "GBAAA9300099"}},
        },
    ],
}


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSleep:
    """Records the sleeps the sandbox asked for instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def write_catalog(directory: Path, document: dict[str, Any] | None = None) -> Path:
    path = directory / "catalog.json"
    path.write_text(json.dumps(document or SMALL_CATALOG), encoding="utf-8")
    return path


@contextmanager
def small_sandbox(
    directory: Path,
    clock: FakeClock | None = None,
    sleep: FakeSleep | None = None,
    data_path: Path | None = None,
    options: SandboxOptions | None = None,
) -> Iterator[Sandbox]:
    with running_sandbox(
        write_catalog(directory),
        data_path,
        options,
        clock=clock or FakeClock(),
        sleep=sleep or FakeSleep(),
    ) as sandbox:
        yield sandbox


def spotify_token(sandbox: Sandbox, user: bool = True) -> str:
    """An access token from the accounts service: a user token via refresh_token, else client credentials."""
    data = {"grant_type": "client_credentials"}
    if user:
        data = {"grant_type": "refresh_token", "refresh_token": sandbox.credentials["SPOTIFY_REFRESH_TOKEN"]}
    auth = (sandbox.credentials["SPOTIFY_CLIENT_ID"], sandbox.credentials["SPOTIFY_CLIENT_SECRET"])
    response = httpx.post(f"{sandbox.urls['spotify_accounts']}api/token", data=data, auth=auth)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def apple_token(now: float, lifetime_s: float = 3600, kid: str = APPLE_KEY_ID, key: Any = None) -> str:
    claims = {"iss": APPLE_TEAM_ID, "iat": int(now), "exp": int(now + lifetime_s)}
    return jwt.encode(claims, key or apple_private_key(), algorithm="ES256", headers={"kid": kid})


def apple_headers(now: float, user: bool = False) -> dict[str, str]:
    from worker.sandbox.tokens import APPLE_MUSIC_USER_TOKEN

    headers = {"Authorization": f"Bearer {apple_token(now)}"}
    if user:
        headers["Music-User-Token"] = APPLE_MUSIC_USER_TOKEN
    return headers


def shape_problems(sample: Any, actual: Any, path: str = "$") -> list[str]:
    """Keys the sample has that `actual` lacks or holds with another JSON type (null in the sample: any).

    Lists are compared through their first elements when both have one.
    """
    if sample is None:
        return []
    if type(sample) is not type(actual) and not (_is_number(sample) and _is_number(actual)):
        return [f"{path}: sample {type(sample).__name__}, sandbox {type(actual).__name__}"]
    if isinstance(sample, dict):
        problems = [f"{path}.{key}: missing" for key in sample if key not in actual]
        for key in sample.keys() & actual.keys():
            problems += shape_problems(sample[key], actual[key], f"{path}.{key}")
        return problems
    if isinstance(sample, list) and sample and actual:
        return shape_problems(sample[0], actual[0], f"{path}[0]")
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
