"""The provider contract: what every streaming-service adapter offers. Read this before any adapter.

A provider is one streaming catalogue (Spotify, Deezer, Apple Music). Each adapter module
(`spotify.py`, `deezer.py`, `apple.py`) has the same shape:

1. pure `build_*` functions that turn a `WorkQuery` or an id into request parameters;
2. pure `parse_*` functions that turn a response body into `Candidate` / `Playlist` values;
3. one class implementing `CatalogProvider` (and `PlaylistProvider` when credentials allow writes),
   whose methods each make one call through the shared retry policy (`worker.providers.http`).

Rules every adapter keeps (the contract test suite in `tests/providers/contract.py` checks them
against the sandbox over real loopback HTTP):

- Only `worker.errors.ProviderError` subclasses escape: `RateLimited`, `ProviderUnavailable`,
  `AuthError`, `NotFound`, `PolicyError`. Never an httpx, requests or spotipy exception.
- Service quirks stay inside the adapter: Deezer's errors inside HTTP 200, Spotify's `/items` paths and
  search limit of 10, Apple's token signing and `globalId` links.
- Optional abilities are declared in `capabilities`, never discovered by try/except. A provider built
  without write credentials has `playlists = None`.
- Every call counts itself in `calls` by kind (search, lookup, playlist_read, playlist_write, auth) so the
  report can show how frugal a run was.
- Reads and idempotent writes (Spotify's replace, removes) are retried on every transient error. A create or
  an add is retried only when it certainly did not take effect (429, or no connection made); otherwise it
  raises `worker.errors.OutcomeUnknown` (a `ProviderUnavailable`) and the caller reads back before
  trying again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, runtime_checkable

from worker.model import Candidate, Playlist, WorkQuery

CALL_KINDS: tuple[str, ...] = ("search", "lookup", "playlist_read", "playlist_write", "auth")


class WriteModel(Enum):
    """How a service lets us change a playlist's contents."""

    REPLACE = "replace"
    """Spotify: the whole list can be replaced (and reordered) in chunks of 100."""
    ADD_REMOVE = "add_remove"
    """Deezer: tracks can be added and removed; order follows insertion."""
    APPEND_ONLY = "append_only"
    """Apple Music: tracks can only be appended; no remove, reorder, rename or delete."""


@dataclass(frozen=True)
class Capabilities:
    """What a provider can do. Read by the planner; nothing probes for abilities at run time."""

    write_model: WriteModel
    isrc_in_search: bool
    """True when search results carry the ISRC (Spotify, Apple); False when a lookup is needed (Deezer)."""
    search_limit: int
    """The most results one search call may return."""
    album_in_track_hits: bool = False
    """True when track search hits carry their album's id, type and release date as well as the ISRC
    (Spotify): an album is then best found through `search_album_tracks`, one call for album and track."""


@runtime_checkable
class PlaylistProvider(Protocol):
    """Playlist operations; present only when the provider has write credentials."""

    def get_playlist(self, playlist_id: str) -> Playlist:
        """The playlist with its items in order. Raises `NotFound` when it does not exist."""
        ...

    def own_playlists(self) -> list[Playlist]:
        """Every playlist the account owns (all pages), each with `id`, `name`, `description` and `url`.

        Playlists the account only follows or added from the catalogue are left out. Entries carry no
        `track_ids`, `playable_count` is None and `track_count` is 0 where the listing has no count (Apple):
        call `get_playlist` for the items. The worker finds its
        own playlists here before creating one, so a playlist whose id was never saved (a run killed, or a
        create whose outcome was unknown) is found again instead of duplicated. It tags them with
        `[playlist-worker:<article path>]` in the description; Deezer keeps no description, so there the
        name (`"<title> — MelodyMind"`) identifies it. Costs one read per page, plus one `me` read per
        provider on Spotify and Deezer (to tell owned from followed).
        """
        ...

    def create_playlist(self, name: str, description: str, *, public: bool = True) -> Playlist:
        """Create an empty playlist and return it (with its public `url` where the service gives one)."""
        ...

    def add_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        """Append tracks at the end, in the given order."""
        ...

    def remove_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        """Remove every occurrence of these tracks. `PolicyError` for `WriteModel.APPEND_ONLY`."""
        ...

    def replace_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        """Make the playlist exactly `track_ids`. Only for `WriteModel.REPLACE`; `PolicyError` otherwise."""
        ...


@runtime_checkable
class CatalogProvider(Protocol):
    """Catalogue search and lookups; every adapter implements this."""

    name: str
    capabilities: Capabilities
    calls: Counter[str]
    playlists: PlaylistProvider | None

    def search_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        """Tracks for the query, best first as the service ranks them; at most `limit` (pages as needed)."""
        ...

    def search_albums(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        """Albums for the query (`Candidate.kind == "album"`), best first."""
        ...

    def search_album_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        """Tracks on albums titled like `query.title` (by `query.artist` when given), best first, each with
        its album's title and id (and type, year and ISRC where the service's search hits carry them). Where
        the service matches free words across fields (Spotify, Apple), tracks so titled come too.

        One call can both identify an album and yield its representative track: when fewer than `limit` come
        back, every track the query matches is among them.
        """
        ...

    def lookup_isrc(self, isrc: str) -> list[Candidate]:
        """Tracks carrying this ISRC (zero, one or several)."""
        ...

    def lookup_track(self, track_id: str) -> Candidate:
        """The full track by id, with its ISRC where the service has one. `NotFound` for an unknown id."""
        ...

    def album_tracks(self, album_id: str) -> list[Candidate]:
        """The album's tracks in disc and track order, with ISRC where the service gives it."""
        ...

    def read_playlist(self, link_id: str) -> Playlist:
        """Read a playlist by the id found in a public link (for `check`); needs no write credentials.

        Raises `NotFound` when the link is dead. `Playlist.playable_count` says how many tracks still play
        in the configured market or storefront.
        """
        ...
