"""Every adapter against the sandbox: the shared contract plus each service's own guarantees."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.providers.contract import MAIN_TITLES, RETRY_AFTER_CAP_S, ProviderContract
from tests.providers.fakes import FakeClock
from worker.errors import AuthError, RateLimited
from worker.providers import apple, deezer, spotify
from worker.providers.base import CatalogProvider, PlaylistProvider
from worker.sandbox import Sandbox


class TestSpotify(ProviderContract):
    service = "spotify"
    own_page = spotify.OWN_PAGE
    api_base_setting = "spotify.api_base"
    unknown_playlist = "0000000000000000000000"
    unknown_track = "0000000000000000000000"
    items_need_owner = True

    def tighten_rate_limit(self, sandbox: Sandbox) -> None:
        sandbox.options.spotify_window_limit = 40
        sandbox.options.spotify_retry_after_s = 2

    def test_expired_access_token_is_refreshed_once(
        self, sandbox: Sandbox, provider: CatalogProvider
    ) -> None:
        provider.search_tracks(MAIN_TITLES, limit=1)
        auth_before = provider.calls["auth"]
        sandbox.expire_tokens()
        assert provider.search_tracks(MAIN_TITLES, limit=1)[0].title == "Main Titles"
        assert provider.calls["auth"] > auth_before

    def test_revoked_refresh_token_says_to_run_auth(
        self,
        sandbox: Sandbox,
        clock: FakeClock,
        state_dir: Path,
        http: httpx.Client,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setitem(sandbox.credentials, "SPOTIFY_REFRESH_TOKEN", "revoked-refresh-token")
        playlists = self.build(sandbox, clock, state_dir, http).playlists
        assert playlists is not None
        with pytest.raises(AuthError) as raised:
            playlists.create_playlist("x", "")
        assert raised.value.message == "refresh token expired or revoked"
        assert raised.value.hint == "run playlist-worker auth spotify"

    def test_retry_after_beyond_the_cap_fails_the_burst_at_once(
        self, sandbox: Sandbox, provider: CatalogProvider, clock: FakeClock
    ) -> None:
        sandbox.options.forced_status = {"spotify": 429}
        sandbox.options.spotify_retry_after_s = 3600
        before = len(sandbox.requests)
        for _ in range(500):
            with pytest.raises(RateLimited, match="retry_after_cap_s"):
                provider.search_tracks(MAIN_TITLES, limit=1)
        assert clock.waits == []
        assert len([r for r in sandbox.requests[before:] if r.service == "spotify"]) == 1  # the cooldown held


class TestDeezer(ProviderContract):
    service = "deezer"
    own_page = deezer.OWN_PAGE
    api_base_setting = "deezer.api_base"
    unknown_playlist = "999999999"

    def tighten_rate_limit(self, sandbox: Sandbox) -> None:
        sandbox.options.deezer_quota = 50  # Deezer's real quota, 50 requests per 5 s
        sandbox.options.deezer_window_s = 5.0

    def check_burst(self, provider: CatalogProvider) -> None:
        """The pacer kept to the sandbox's real 50-per-5-s quota: no attempt hit a quota error and retried."""
        assert provider.calls["search"] == 500

    def test_quota_errors_cool_down_and_recover(
        self, sandbox: Sandbox, provider: CatalogProvider, clock: FakeClock
    ) -> None:
        sandbox.options.deezer_quota = 10  # stricter than the pacer believes
        for _ in range(60):
            provider.search_tracks(MAIN_TITLES, limit=1)
        assert provider.calls["search"] > 60
        assert max(clock.waits) <= RETRY_AFTER_CAP_S

    def test_short_link_resolves_without_www(
        self, sandbox: Sandbox, provider: CatalogProvider, playlists: PlaylistProvider
    ) -> None:
        created = playlists.create_playlist("Short", "")
        assert provider.resolve_short_link(sandbox.short_link(created.id)) == created.id  # type: ignore[attr-defined]


class TestApple(ProviderContract):
    service = "apple"
    own_page = apple.LIBRARY_PAGE_MAX
    api_base_setting = "apple.api_base"
    unknown_playlist = "pl.u-0000000000000"
    forbidden = AuthError

    def tighten_rate_limit(self, sandbox: Sandbox) -> None:
        sandbox.options.apple_limit = 40
        sandbox.options.apple_window_s = 1.0

    def public_id(self, playlist_id: str, playlists: PlaylistProvider) -> str:
        return playlists.get_playlist(playlist_id).extra["global_id"]

    def test_created_playlist_has_a_public_link(self, playlists: PlaylistProvider) -> None:
        created = playlists.create_playlist("Blade Runner — MelodyMind", "")
        assert created.url is not None
        assert created.url.startswith("https://music.apple.com/us/playlist/blade-runner-melodymind/pl.u-")

    def test_429_without_retry_after_backs_off(
        self, sandbox: Sandbox, provider: CatalogProvider, clock: FakeClock
    ) -> None:
        sandbox.options.forced_status = {"apple": 429}
        with pytest.raises(RateLimited) as raised:
            provider.search_tracks(MAIN_TITLES, limit=1)
        assert raised.value.retry_after is None
        assert clock.waits == [0.5, 1.0, 2.0]
