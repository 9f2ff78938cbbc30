"""The current user's profile and playlists as spotipy asks for them (`me/` with its trailing slash)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import spotipy

from tests.sandbox.helpers import FakeClock, small_sandbox, spotify_token
from worker.sandbox import Sandbox
from worker.sandbox.world import SANDBOX_USER_ID


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with small_sandbox(tmp_path, FakeClock()) as running:
        yield running


def test_me_answers_with_and_without_the_trailing_slash(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {spotify_token(sandbox)}"}
    for path in ("me", "me/"):
        response = httpx.get(f"{sandbox.urls['spotify_api']}{path}", headers=headers)
        assert response.status_code == 200, path
        assert response.json()["id"] == SANDBOX_USER_ID


def test_spotipy_reads_the_owner_and_every_page_of_own_playlists(sandbox: Sandbox) -> None:
    client = spotipy.Spotify(auth=spotify_token(sandbox), retries=0, status_retries=0)
    client.prefix = sandbox.urls["spotify_api"]
    created = [client.current_user_playlist_create(f"P{n}")["id"] for n in range(3)]
    assert client.current_user()["id"] == SANDBOX_USER_ID
    page = client.current_user_playlists(limit=2)
    listed = [item["id"] for item in page["items"]]
    while page["next"]:
        page = client.next(page)
        listed += [item["id"] for item in page["items"]]
    assert listed == created
    assert {item["owner"]["id"] for item in page["items"]} == {SANDBOX_USER_ID}
