"""No secret value reaches a log line or an error message, across searches, writes, refreshes and failures."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.providers.contract import EXAMPLE_CATALOG, MAIN_TITLES
from tests.providers.fakes import FakeClock
from worker.config import Secrets, load_settings
from worker.errors import ProviderError
from worker.providers import build_providers
from worker.providers.base import CatalogProvider
from worker.providers.http import new_http_client
from worker.sandbox import Sandbox, running_sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(EXAMPLE_CATALOG) as running:
        yield running


def exercise(provider: CatalogProvider, sandbox: Sandbox, messages: list[str]) -> None:
    """Searches, a lookup, playlist writes, an expired token, then every forced failure."""
    track = provider.search_tracks(MAIN_TITLES, limit=2)[0]
    provider.lookup_isrc("USEE19400101")
    if provider.playlists is not None:
        created = provider.playlists.create_playlist("Secrets", "")
        provider.playlists.add_tracks(created.id, [track.id])
        provider.playlists.get_playlist(created.id)
    sandbox.expire_tokens()
    provider.search_tracks(MAIN_TITLES, limit=1)
    for status in (401, 403, 404, 429, 500):
        sandbox.options.forced_status = {provider.name: status}
        try:
            provider.search_tracks(MAIN_TITLES, limit=1)
        except ProviderError as error:
            messages += [str(error), getattr(error, "hint", "")]
    sandbox.options.forced_status = {}


def test_no_secret_in_logs_or_errors(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = FakeClock(start=time.time())
    settings = load_settings(
        environ={}, overrides={**sandbox.settings_overrides(), "state.path": str(tmp_path / "state.db")}
    )
    secrets = Secrets.from_env(sandbox.credentials)
    messages: list[str] = []
    with new_http_client(10) as http:
        providers = build_providers(
            settings, secrets, clock=clock, sleep=clock.sleep, http=http, wall_clock=clock
        )
        for provider in providers.values():
            exercise(provider, sandbox, messages)
    basic = base64.b64encode(
        f"{sandbox.credentials['SPOTIFY_CLIENT_ID']}:{sandbox.credentials['SPOTIFY_CLIENT_SECRET']}".encode()
    ).decode()
    text = caplog.text + "\n".join(messages)
    assert "deezer" in caplog.text.lower() and messages  # the scan saw real traffic and real errors
    for name, value in [*sandbox.credentials.items(), ("basic auth", basic)]:
        for line in value.strip().splitlines():
            if len(line) >= 8 and "-----" not in line:
                assert line not in text, f"{name} leaked"
