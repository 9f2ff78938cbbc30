"""The provider contract suite: one test class every adapter passes, against the sandbox over loopback.

Each adapter's test module subclasses `ProviderContract` in a few lines. The sandbox and the adapter share
one `FakeClock`: the sandbox's token expiry and rate-limit windows read it, and the retry policy's and
Deezer pacer's `sleep` advances it. So waits are real to both sides, yet no test sleeps: a 5-second Deezer
quota window passes in no time, and the sandbox sees exactly the pacing the adapter chose.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from tests.conftest import FIXTURES
from tests.providers.fakes import FakeClock
from worker.config import Secrets, Settings, load_settings
from worker.errors import (
    AuthError,
    NotFound,
    NotSent,
    OutcomeUnknown,
    PolicyError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from worker.model import Candidate, WorkQuery
from worker.providers import build_providers
from worker.providers.base import CatalogProvider, PlaylistProvider, WriteModel
from worker.providers.http import new_http_client
from worker.sandbox import Sandbox, running_sandbox

EXAMPLE_CATALOG = FIXTURES / "sandbox" / "example-catalog.json"
MAIN_TITLES = WorkQuery(title="Main Titles", artist="Vangelis")
ALBUM = WorkQuery(title="Blade Runner", artist="Vangelis")
MAIN_TITLES_ISRC = "USEE19400101"
WRITE_CREDENTIALS = ("SPOTIFY_REFRESH_TOKEN", "DEEZER_ACCESS_TOKEN", "APPLE_MUSIC_USER_TOKEN")
RETRY_AFTER_CAP_S = 60.0


class ProviderContract:
    """What every adapter guarantees. Subclasses set `service` and the class attributes below."""

    service: ClassVar[str]
    unknown_playlist: ClassVar[str]
    """A playlist id in the service's own form that the sandbox does not hold."""
    unknown_track: ClassVar[str] = "999999999"
    """A track id in the service's own form that the sandbox does not hold."""
    forbidden: ClassVar[type[ProviderError]] = PolicyError
    """What HTTP 403 means for this service."""
    items_need_owner: ClassVar[bool] = False
    """True when only the playlist's owner may see its items (Spotify Development Mode)."""
    own_page: ClassVar[int]
    """How many playlists one page of the account's playlist listing holds as the adapter asks for it."""
    api_base_setting: ClassVar[str]
    """The setting holding the service's API base URL."""

    # --- fixtures --------------------------------------------------------------------------------------

    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock(start=time.time())  # the sandbox refuses Apple tokens issued in the real future

    @pytest.fixture
    def http(self) -> Iterator[httpx.Client]:
        with new_http_client(timeout_s=10) as client:
            yield client

    @pytest.fixture
    def sandbox(self, clock: FakeClock) -> Iterator[Sandbox]:
        with running_sandbox(EXAMPLE_CATALOG, clock=clock, sleep=lambda _seconds: None) as running:
            yield running

    @pytest.fixture
    def state_dir(self, tmp_path: Path) -> Path:
        return tmp_path / "state"

    @pytest.fixture
    def provider(
        self, sandbox: Sandbox, clock: FakeClock, state_dir: Path, http: httpx.Client
    ) -> CatalogProvider:
        return self.build(sandbox, clock, state_dir, http)

    @pytest.fixture
    def playlists(self, provider: CatalogProvider) -> PlaylistProvider:
        assert provider.playlists is not None, (
            "built with write credentials, the provider must have playlists"
        )
        return provider.playlists

    def build(
        self,
        sandbox: Sandbox,
        clock: FakeClock,
        state_dir: Path,
        http: httpx.Client,
        *,
        write: bool = True,
        **settings: Any,
    ) -> CatalogProvider:
        environ = {k: v for k, v in sandbox.credentials.items() if write or k not in WRITE_CREDENTIALS}
        providers = build_providers(
            self.settings(sandbox, state_dir, **settings),
            Secrets.from_env(environ),
            services=[self.service],
            clock=clock,
            sleep=clock.sleep,
            http=http,
            wall_clock=clock,
            rng=lambda: 1.0,
        )
        return providers[self.service]

    @staticmethod
    def settings(sandbox: Sandbox, state_dir: Path, **overrides: Any) -> Settings:
        values = {
            **sandbox.settings_overrides(),
            "state.path": str(state_dir / "state.db"),
            "retry.retry_after_cap_s": RETRY_AFTER_CAP_S,
            **{key.replace("__", "."): value for key, value in overrides.items()},
        }
        return load_settings(environ={}, overrides=values)

    def main_titles(self, provider: CatalogProvider) -> Candidate:
        return next(c for c in provider.search_tracks(MAIN_TITLES, limit=5) if c.title == "Main Titles")

    def blade_runner_ids(self, provider: CatalogProvider) -> tuple[str, str]:
        tracks = provider.album_tracks(provider.search_albums(ALBUM, limit=1)[0].id)
        return tracks[0].id, tracks[1].id

    def public_id(self, playlist_id: str, playlists: PlaylistProvider) -> str:
        """The id a public link carries for a playlist created by the adapter (the same id, by default)."""
        return playlist_id

    # --- catalogue -------------------------------------------------------------------------------------

    def test_search_finds_the_vangelis_main_titles(self, provider: CatalogProvider) -> None:
        found = provider.search_tracks(MAIN_TITLES, limit=5)
        assert any(c.title == "Main Titles" and c.artists == ("Vangelis",) for c in found)
        for candidate in found:
            assert candidate.service == self.service and candidate.kind == "track"
            assert candidate.id and candidate.uri and candidate.url.startswith("https://")
            assert candidate.title and all(isinstance(a, str) and a for a in candidate.artists)
            assert candidate.duration_ms is not None and candidate.duration_ms > 0
        assert len(found) <= 5
        assert provider.calls["search"] >= 1

    def test_search_albums_returns_album_candidates(self, provider: CatalogProvider) -> None:
        albums = provider.search_albums(ALBUM, limit=3)
        assert albums and all(a.kind == "album" and a.service == self.service for a in albums)
        assert albums[0].title.startswith("Blade Runner") and albums[0].artists == ("Vangelis",)

    def test_isrc_lookup(self, provider: CatalogProvider) -> None:
        found = provider.lookup_isrc(MAIN_TITLES_ISRC)
        assert [(c.title, c.isrc) for c in found] == [("Main Titles", MAIN_TITLES_ISRC)]
        assert provider.lookup_isrc("ZZXXX9900001") == []
        assert provider.calls["lookup"] >= 2

    def test_album_track_search_names_each_tracks_album(self, provider: CatalogProvider) -> None:
        found = provider.search_album_tracks(ALBUM, limit=10)
        main = next(c for c in found if c.title == "Main Titles")
        assert main.kind == "track" and main.artists == ("Vangelis",)
        assert main.album is not None and main.album.startswith("Blade Runner")
        assert len(found) <= 10 and provider.calls["search"] == 1

    def test_lookup_track_by_id(self, provider: CatalogProvider) -> None:
        main = self.main_titles(provider)
        full = provider.lookup_track(main.id)
        assert (full.id, full.title, full.isrc) == (main.id, "Main Titles", MAIN_TITLES_ISRC)
        assert full.duration_ms == main.duration_ms
        with pytest.raises(NotFound):
            provider.lookup_track(self.unknown_track)

    def test_album_tracks_in_order(self, provider: CatalogProvider) -> None:
        album = provider.search_albums(ALBUM, limit=1)[0]
        tracks = provider.album_tracks(album.id)
        assert [(t.title, t.track_number) for t in tracks] == [("Main Titles", 1), ("Love Theme", 3)]
        assert {t.album_id for t in tracks} == {album.id}

    # --- playlists -------------------------------------------------------------------------------------

    def test_playlist_create_add_get_keeps_order(
        self, provider: CatalogProvider, playlists: PlaylistProvider
    ) -> None:
        main, love = self.blade_runner_ids(provider)
        created = playlists.create_playlist("Blade Runner — MelodyMind", "Music from … [playlist-worker:br]")
        assert created.service == self.service and created.id and created.name == "Blade Runner — MelodyMind"
        playlists.add_tracks(created.id, [love, main])
        assert playlists.get_playlist(created.id).track_ids == (love, main)
        assert provider.calls["playlist_write"] >= 2 and provider.calls["playlist_read"] >= 1

    def test_changes_follow_the_write_model(
        self, provider: CatalogProvider, playlists: PlaylistProvider
    ) -> None:
        main, love = self.blade_runner_ids(provider)
        playlist_id = playlists.create_playlist("Changes", "").id
        playlists.add_tracks(playlist_id, [main, love])
        model = provider.capabilities.write_model
        if model is WriteModel.REPLACE:
            playlists.replace_tracks(playlist_id, [love, main, love])
            assert playlists.get_playlist(playlist_id).track_ids == (love, main, love)
            playlists.remove_tracks(playlist_id, [love])
            assert playlists.get_playlist(playlist_id).track_ids == (main,)
        elif model is WriteModel.ADD_REMOVE:
            playlists.remove_tracks(playlist_id, [main])
            assert playlists.get_playlist(playlist_id).track_ids == (love,)
            with pytest.raises(PolicyError):
                playlists.replace_tracks(playlist_id, [main])
        else:
            for change in (playlists.remove_tracks, playlists.replace_tracks):
                with pytest.raises(PolicyError, match="append-only"):
                    change(playlist_id, [main])
            playlists.add_tracks(playlist_id, [main])
            assert playlists.get_playlist(playlist_id).track_ids == (main, love, main)

    def test_read_playlist_needs_no_write_credentials(
        self,
        sandbox: Sandbox,
        clock: FakeClock,
        state_dir: Path,
        http: httpx.Client,
        provider: CatalogProvider,
        playlists: PlaylistProvider,
    ) -> None:
        main, love = self.blade_runner_ids(provider)
        created = playlists.create_playlist("For check", "")
        playlists.add_tracks(created.id, [main, love])
        reader = self.build(sandbox, clock, state_dir, http, write=False)
        assert reader.playlists is None
        link_id = self.public_id(created.id, playlists)
        seen = reader.read_playlist(link_id)
        if self.items_need_owner:
            assert seen.playable_count is None and not seen.owned  # existence is all the app may know
        else:
            assert (seen.track_count, seen.playable_count) == (2, 2)
        assert seen.url is not None and seen.url.startswith("https://")
        assert provider.read_playlist(link_id).playable_count == 2  # the owner's token sees the items

    def test_unknown_playlist_is_not_found(
        self, provider: CatalogProvider, playlists: PlaylistProvider
    ) -> None:
        with pytest.raises(NotFound):
            provider.read_playlist(self.unknown_playlist)
        with pytest.raises(NotFound):
            playlists.get_playlist(self.unknown_playlist)

    def test_own_playlists_lists_every_page_with_names_and_descriptions(
        self, sandbox: Sandbox, provider: CatalogProvider, playlists: PlaylistProvider
    ) -> None:
        tag = "Music from the film. [playlist-worker:content/film/blade-runner.md]"
        tagged = playlists.create_playlist("Blade Runner — MelodyMind", tag)
        others = [playlists.create_playlist(f"Filler {n}", "").id for n in range(self.own_page)]
        listed_before = len(sandbox.requests)
        own = playlists.own_playlists()
        assert sorted(p.id for p in own) == sorted([tagged.id, *others])
        found = next(p for p in own if p.id == tagged.id)
        assert (found.name, found.description) == ("Blade Runner — MelodyMind", tagged.description)
        assert found.service == self.service and found.url == tagged.url
        assert all(p.owned and p.track_ids == () and p.playable_count is None for p in own)
        listings = [r for r in sandbox.requests[listed_before:] if r.path.endswith("playlists")]
        assert len(listings) == 2, "one listing page more than a page of playlists"

    def test_own_playlists_of_a_new_account_is_empty(self, playlists: PlaylistProvider) -> None:
        assert playlists.own_playlists() == []

    # --- writes that must not be repeated ------------------------------------------------------------------

    @pytest.mark.parametrize("fault", ["drop", "503"])
    def test_create_and_add_with_unknown_outcome_are_sent_once(
        self, sandbox: Sandbox, provider: CatalogProvider, playlists: PlaylistProvider, fault: str
    ) -> None:
        main, love = self.blade_runner_ids(provider)
        playlist_id = playlists.create_playlist("Kept", "").id
        self.break_service(sandbox, fault)
        before = len(sandbox.requests)
        with pytest.raises(OutcomeUnknown, match="may have applied it"):
            playlists.create_playlist("Twice?", "")
        with pytest.raises(OutcomeUnknown):
            playlists.add_tracks(playlist_id, [main])
        posts = [r for r in sandbox.requests[before:] if r.service == self.service and r.method == "POST"]
        assert len(posts) == 2, "each write was sent once, not retried"
        self.break_service(sandbox, None)
        playlists.add_tracks(playlist_id, [love])
        assert playlists.get_playlist(playlist_id).track_ids == (love,)

    def test_rate_limited_create_is_retried(
        self, sandbox: Sandbox, provider: CatalogProvider, playlists: PlaylistProvider
    ) -> None:
        sandbox.options.forced_status = {self.service: 429}
        with pytest.raises(RateLimited):
            playlists.create_playlist("Refused", "")
        assert provider.calls["playlist_write"] == 4  # settings.retry.max_attempts: a 429 changed nothing
        assert sandbox.playlists(self.service) == []

    def test_reads_are_retried_on_dropped_connections(
        self, sandbox: Sandbox, provider: CatalogProvider, playlists: PlaylistProvider
    ) -> None:
        playlist_id = playlists.create_playlist("Read me", "").id
        reads = provider.calls["playlist_read"]
        sandbox.options.drop_rate = 1.0
        with pytest.raises(ProviderUnavailable) as raised:
            playlists.get_playlist(playlist_id)
        assert not isinstance(raised.value, OutcomeUnknown)
        assert provider.calls["playlist_read"] - reads == 4

    def test_a_write_that_never_connected_is_retried(
        self, sandbox: Sandbox, clock: FakeClock, state_dir: Path, http: httpx.Client
    ) -> None:
        closed = f"http://127.0.0.1:{unused_port()}/"
        provider = self.build(sandbox, clock, state_dir, http, **{self.api_base_setting: closed})
        assert provider.playlists is not None
        with pytest.raises(NotSent):
            provider.playlists.create_playlist("Nowhere", "")
        assert provider.calls["playlist_write"] == 4

    def break_service(self, sandbox: Sandbox, fault: str | None) -> None:
        """Drop every connection, or answer 503, before the service acts; None mends it."""
        sandbox.options.drop_rate = 1.0 if fault == "drop" else 0.0
        sandbox.options.forced_status = {self.service: 503} if fault == "503" else {}

    # --- errors ----------------------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (500, ProviderUnavailable),
            (503, ProviderUnavailable),
            (404, NotFound),
            (401, AuthError),
            (429, RateLimited),
        ],
    )
    def test_http_errors_map_into_the_tree(
        self,
        sandbox: Sandbox,
        provider: CatalogProvider,
        clock: FakeClock,
        status: int,
        expected: type[ProviderError],
    ) -> None:
        sandbox.options.forced_status = {self.service: status}
        with pytest.raises(expected) as raised:
            provider.search_tracks(MAIN_TITLES, limit=1)
        assert raised.value.service == self.service
        assert all(wait <= RETRY_AFTER_CAP_S for wait in clock.waits)

    def test_403_maps_to_the_service_meaning(self, sandbox: Sandbox, provider: CatalogProvider) -> None:
        sandbox.options.forced_status = {self.service: 403}
        with pytest.raises(self.forbidden):
            provider.search_tracks(MAIN_TITLES, limit=1)

    def test_dropped_connections_become_provider_unavailable(
        self, sandbox: Sandbox, provider: CatalogProvider
    ) -> None:
        sandbox.options.drop_rate = 1.0
        with pytest.raises(ProviderUnavailable):
            provider.search_tracks(MAIN_TITLES, limit=1)
        assert provider.calls["search"] == 4  # settings.retry.max_attempts

    def test_transient_errors_are_retried_to_success(
        self, sandbox: Sandbox, clock: FakeClock, state_dir: Path, http: httpx.Client
    ) -> None:
        provider = self.build(sandbox, clock, state_dir, http, retry__max_attempts=10)
        sandbox.options.error_rate = 0.5
        results = [provider.search_tracks(MAIN_TITLES, limit=1) for _ in range(20)]
        assert all(r and r[0].title == "Main Titles" for r in results)
        assert provider.calls["search"] > 20
        assert max(clock.waits) <= 20.0  # settings.retry.backoff_max_s

    def test_burst_of_500_searches_under_a_rate_limit_completes(
        self, sandbox: Sandbox, provider: CatalogProvider, clock: FakeClock
    ) -> None:
        self.tighten_rate_limit(sandbox)
        for _ in range(500):
            assert provider.search_tracks(MAIN_TITLES, limit=1)[0].title == "Main Titles"
        assert clock.waits, "the limit must have been reached"
        assert max(clock.waits) <= RETRY_AFTER_CAP_S
        self.check_burst(provider)

    def check_burst(self, provider: CatalogProvider) -> None:
        """Service-specific expectations after the burst (none by default)."""

    def tighten_rate_limit(self, sandbox: Sandbox) -> None:
        """Make the sandbox's limit bite within a 500-search burst."""
        raise NotImplementedError


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released), so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
