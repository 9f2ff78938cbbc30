"""Spotify adapter over spotipy (>= 2.26: `/items` paths, `POST me/playlists`).

spotipy is configured so it never retries or sleeps by itself (`retries=0`, `status_retries=0` and a plain
`requests.Session`, which keeps urllib3's Retry adapter out): `worker.providers.http.RetryPolicy` is the only
place that waits. Read-only calls use client credentials; playlist writes use the authorization-code flow's
refresh token (`SPOTIFY_REFRESH_TOKEN` or the token file written by `playlist-worker auth spotify`).
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urljoin

import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.exceptions import SpotifyException
from spotipy.oauth2 import SpotifyClientCredentials, SpotifyOAuth, SpotifyOauthError
from urllib3.exceptions import NewConnectionError

from worker.config import Settings
from worker.errors import AuthError, NotSent, PolicyError, ProviderError, ProviderUnavailable
from worker.model import Candidate, Playlist, WorkQuery
from worker.providers.base import Capabilities, PlaylistProvider, WriteModel
from worker.providers.http import RetryPolicy, error_for_status, header, parse_retry_after
from worker.providers.tokens import REAUTH_COMMAND, SPOTIFY_SCOPES

SERVICE = "spotify"
SEARCH_PAGE_MAX = 10
"""Development-Mode apps get 400 "Invalid limit" above 10 (February 2026)."""
WRITE_CHUNK = 100
ITEMS_PAGE = 50
OWN_PAGE = 50
"""The most playlists one `GET me/playlists` page may hold."""
CAPABILITIES = Capabilities(
    write_model=WriteModel.REPLACE,
    isrc_in_search=True,
    search_limit=SEARCH_PAGE_MAX,
    album_in_track_hits=True,
)
T = TypeVar("T")
Json = dict[str, Any]


# --- pure request builders -------------------------------------------------------------------------------


def quoted(value: str) -> str:
    """A field-filter value in double quotes (inner quotes would end the filter early)."""
    return '"' + " ".join(value.replace('"', " ").split()) + '"'


def build_track_query(query: WorkQuery) -> str:
    """`track:"…" artist:"…" album:"…" year:1982`, leaving out what the query lacks."""
    return _with_filters(f"track:{quoted(query.title)}", query, album=True)


def build_album_query(query: WorkQuery) -> str:
    """`album:"…" artist:"…" year:1982` for an album search (the work's title is the album's)."""
    return _with_filters(f"album:{quoted(query.album or query.title)}", query)


def build_album_tracks_query(query: WorkQuery) -> str:
    """`artist:"…" blade runner` for a track search: free words match a track's title, artists or album, so
    one call finds both the tracks so titled and the tracks of the albums so titled (with full album info)."""
    return _with_filters(" ".join((query.album or query.title).replace('"', " ").split()), query)


def _with_filters(first: str, query: WorkQuery, *, album: bool = False) -> str:
    """`first` followed by the artist, album (when asked) and year filters the query has."""
    parts = [first]
    if query.artist:
        parts.append(f"artist:{quoted(query.artist)}")
    if album and query.album:
        parts.append(f"album:{quoted(query.album)}")
    if query.year:
        parts.append(f"year:{query.year}")
    return " ".join(parts)


def build_isrc_query(isrc: str) -> str:
    return f"isrc:{isrc.strip().upper()}"


def search_pages(limit: int) -> list[tuple[int, int]]:
    """(offset, page size) pairs covering `limit` results in pages of at most 10."""
    return [(offset, min(SEARCH_PAGE_MAX, limit - offset)) for offset in range(0, limit, SEARCH_PAGE_MAX)]


def chunked(items: list[str], size: int = WRITE_CHUNK) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def track_uri(track_id: str) -> str:
    return track_id if track_id.startswith("spotify:") else f"spotify:track:{track_id}"


# --- pure response parsers -------------------------------------------------------------------------------


def release_year(date: str | None) -> int | None:
    """The year of a `1982`, `1982-06` or `1982-06-25` release date."""
    return int(date[:4]) if date and date[:4].isdigit() else None


def parse_track(item: Json, album: Json | None = None) -> Candidate:
    """A track object (full, or simplified with its album given separately) as a `Candidate`."""
    album = item.get("album") or album or {}
    return Candidate(
        service=SERVICE,
        id=item["id"],
        uri=item.get("uri") or track_uri(item["id"]),
        url=(item.get("external_urls") or {}).get("spotify", ""),
        title=item.get("name", ""),
        artists=tuple(artist["name"] for artist in item.get("artists") or []),
        album=album.get("name"),
        album_id=album.get("id"),
        album_type=album.get("album_type"),
        release_year=release_year(album.get("release_date")),
        duration_ms=item.get("duration_ms"),
        isrc=(item.get("external_ids") or {}).get("isrc"),
        track_number=item.get("track_number"),
        playable=item.get("is_playable", True) is not False and not item.get("restrictions"),
    )


def parse_album(item: Json) -> Candidate:
    return Candidate(
        service=SERVICE,
        id=item["id"],
        uri=item.get("uri") or f"spotify:album:{item['id']}",
        url=(item.get("external_urls") or {}).get("spotify", ""),
        title=item.get("name", ""),
        artists=tuple(artist["name"] for artist in item.get("artists") or []),
        album=item.get("name"),
        album_id=item["id"],
        album_type=item.get("album_type"),
        release_year=release_year(item.get("release_date")),
        playable=item.get("is_playable", True) is not False,
        kind="album",
    )


def parse_search_tracks(body: Json) -> list[Candidate]:
    return [parse_track(item) for item in (body.get("tracks") or {}).get("items") or [] if item]


def parse_search_albums(body: Json) -> list[Candidate]:
    return [parse_album(item) for item in (body.get("albums") or {}).get("items") or [] if item]


def parse_album_tracks(album: Json, pages: list[Json]) -> list[Candidate]:
    """An album's tracks in disc and track order, from the album object and any further track pages."""
    items = [item for page in pages for item in page.get("items") or [] if item]
    items.sort(key=lambda item: (item.get("disc_number", 1), item.get("track_number", 0)))
    return [parse_track(item, album) for item in items]


def playlist_paging(body: Json) -> Json | None:
    """The playlist's item paging: `items` since 2026, `tracks` before (both are sent during the move)."""
    for key in ("items", "tracks"):
        paging = body.get(key)
        if isinstance(paging, dict) and isinstance(paging.get("items"), list):
            return paging
    return None


def hidden_total(body: Json) -> int | None:
    """The item count of a playlist whose items are not shown to us (someone else's, in Dev Mode)."""
    for key in ("items", "tracks"):
        paging = body.get(key)
        if isinstance(paging, dict) and isinstance(paging.get("total"), int):
            return int(paging["total"])
    return None


def entry_tracks(paging: Json) -> list[Json]:
    """The track objects of a paging of playlist entries (`item`, or legacy `track`; null ones dropped)."""
    entries = [entry.get("item") or entry.get("track") for entry in paging.get("items") or []]
    return [track for track in entries if track and track.get("id")]


def plain_description(text: str | None) -> str:
    """A playlist description as typed: Spotify sends it HTML-escaped (`/` as `&#x2F;`, `'` as `&#x27;`)."""
    return html.unescape(text or "")


def parse_playlist(body: Json, tracks: list[Json] | None, total: int | None = None) -> Playlist:
    """A playlist object plus its track objects (None when the items are not visible to us)."""
    count = total if total is not None else len(tracks or [])
    return Playlist(
        service=SERVICE,
        id=body["id"],
        name=body.get("name") or "",
        description=plain_description(body.get("description")),
        url=(body.get("external_urls") or {}).get("spotify"),
        track_ids=tuple(track["id"] for track in tracks or []),
        track_count=count,
        playable_count=None if tracks is None else sum(1 for t in tracks if parse_track(t).playable),
        owned=tracks is not None,
        extra={"snapshot_id": body.get("snapshot_id") or ""},
    )


def parse_own_playlists(pages: list[Json], user_id: str) -> list[Playlist]:
    """The playlists `user_id` owns among `GET me/playlists` pages (which also list followed ones).

    Entries carry name, description, link and item count, not the items themselves."""
    items = [item for page in pages for item in page.get("items") or [] if item]
    owned = [item for item in items if (item.get("owner") or {}).get("id") == user_id]
    return [replace(parse_playlist(item, None, total=hidden_total(item)), owned=True) for item in owned]


def error_message(exc: SpotifyException) -> str:
    """The service's error text without the request URL spotipy puts in front of it."""
    return str(exc.msg).split(":\n", 1)[-1].strip()


def translate(exc: SpotifyException) -> ProviderError:
    """Our error for a spotipy `SpotifyException`."""
    message = error_message(exc)
    status = int(exc.http_status or 0)
    if status == 401:
        return _TokenRejected(SERVICE, f"HTTP 401: {message}", hint=f"run `{REAUTH_COMMAND}`")
    if status == 403:
        return forbidden(message)
    retry_after = parse_retry_after(header(exc.headers, "Retry-After"))
    return error_for_status(SERVICE, status, message, retry_after=retry_after)


def forbidden(message: str) -> ProviderError:
    """403: missing scope or user not on the app's allow-list (AuthError), else a Dev-Mode restriction."""
    lowered = message.lower()
    if "scope" in lowered:
        return AuthError(
            SERVICE, f"HTTP 403: {message}", hint=f"grant the playlist scopes: run `{REAUTH_COMMAND}`"
        )
    if "registered" in lowered or "user may not" in lowered:
        return AuthError(
            SERVICE,
            f"HTTP 403: {message}",
            hint="add this Spotify user to the app's allow-list in the Developer Dashboard (User Management)",
        )
    return PolicyError(
        SERVICE, f"HTTP 403: {message} (not allowed for this app; Development-Mode restriction?)"
    )


def translate_oauth(exc: SpotifyOauthError) -> ProviderError:
    """Our error for a failed token request."""
    error = str(getattr(exc, "error", "") or "")
    if error == "invalid_grant":
        return AuthError(SERVICE, "refresh token expired or revoked", hint=f"run {REAUTH_COMMAND}")
    if error in ("invalid_client", "unauthorized_client"):
        return AuthError(
            SERVICE,
            f"client credentials refused ({error})",
            hint="check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET against the Developer Dashboard",
        )
    return ProviderUnavailable(SERVICE, f"token request failed ({error or 'no error code'})")


class _TokenRejected(AuthError):
    """A 401 from the Web API: the access token is refreshed once before this escapes."""


# --- the adapter -----------------------------------------------------------------------------------------


class SpotifyProvider:
    """Catalogue search and lookups over client credentials; `playlists` when a refresh token exists."""

    name = SERVICE
    capabilities = CAPABILITIES

    def __init__(
        self,
        client: spotipy.Spotify,
        *,
        market: str,
        policy: RetryPolicy,
        refresh: Callable[[], None],
        calls: Counter[str],
        playlists: SpotifyPlaylists | None = None,
    ) -> None:
        self.calls = calls
        self.playlists: PlaylistProvider | None = playlists
        self._market = market
        self._session = _Session(client, policy, refresh, calls)
        self._link_session = playlists.session if playlists is not None else self._session

    def search_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return self._search(build_track_query(query), "track", parse_search_tracks, limit)

    def search_albums(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return self._search(build_album_query(query), "album", parse_search_albums, limit)

    def search_album_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return self._search(build_album_tracks_query(query), "track", parse_search_tracks, limit)

    def lookup_track(self, track_id: str) -> Candidate:
        """`GET /tracks/{id}` (allowed in Development Mode; only the batch `/tracks?ids=` is gone)."""
        return parse_track(self._session.run("lookup", "track", track_id, market=self._market))

    def lookup_isrc(self, isrc: str) -> list[Candidate]:
        query = build_isrc_query(isrc)
        body = self._session.run(
            "lookup", "search", query, limit=SEARCH_PAGE_MAX, type="track", market=self._market
        )
        return parse_search_tracks(body)

    def album_tracks(self, album_id: str) -> list[Candidate]:
        album = self._session.run("lookup", "album", album_id, market=self._market)
        pages = [album.get("tracks") or {}]
        while pages[-1].get("next"):
            pages.append(self._session.run("lookup", "next", pages[-1]))
        return parse_album_tracks(album, pages)

    def read_playlist(self, link_id: str) -> Playlist:
        """Metadata decides existence (200/404); items are counted where the app may see them.

        With a user token the owner's playlists show their items; with client credentials only (Development
        Mode) items are hidden, so `playable_count` is None.
        """
        session = self._link_session
        body = session.run("playlist_read", "playlist", link_id, market=self._market)
        paging = playlist_paging(body)
        if paging is None:
            return parse_playlist(body, None, total=hidden_total(body))
        tracks = entry_tracks(paging)
        try:
            tracks += session.follow_pages(paging)
        except PolicyError:
            return parse_playlist(body, None, total=paging.get("total"))
        return parse_playlist(body, tracks, total=paging.get("total"))

    def _search(
        self, q: str, kind: str, parse: Callable[[Json], list[Candidate]], limit: int
    ) -> list[Candidate]:
        found: list[Candidate] = []
        for offset, size in search_pages(limit):
            body = self._session.run(
                "search",
                "search",
                q,
                limit=size,
                offset=offset,
                type=kind,
                market=self._market,
            )
            page = parse(body)
            found += page
            if len(page) < size or not (body.get(f"{kind}s") or {}).get("next"):
                break
        return found[:limit]


class SpotifyPlaylists:
    """Playlist reads and writes with the user's token. Spotify replaces whole lists (WriteModel.REPLACE)."""

    def __init__(
        self,
        client: spotipy.Spotify,
        *,
        market: str,
        policy: RetryPolicy,
        refresh: Callable[[], None],
        calls: Counter[str],
    ) -> None:
        self._market = market
        self.session = _Session(client, policy, refresh, calls)
        self._user_id: str | None = None

    def own_playlists(self) -> list[Playlist]:
        """Every playlist this user owns: `GET me/playlists` page by page, followed playlists left out."""
        pages = [self.session.run("playlist_read", "current_user_playlists", limit=OWN_PAGE)]
        while pages[-1].get("next"):
            pages.append(self.session.run("playlist_read", "next", pages[-1]))
        return parse_own_playlists(pages, self._owner_id())

    def _owner_id(self) -> str:
        """The id of the user behind the token (`GET me`, asked once)."""
        if self._user_id is None:
            self._user_id = str(self.session.run("playlist_read", "current_user")["id"])
        return self._user_id

    def get_playlist(self, playlist_id: str) -> Playlist:
        body = self.session.run("playlist_read", "playlist", playlist_id, market=self._market)
        paging = playlist_paging(body) or {"items": [], "total": 0}
        tracks = entry_tracks(paging) + self.session.follow_pages(paging)
        return parse_playlist(body, tracks, total=paging.get("total"))

    def create_playlist(self, name: str, description: str, *, public: bool = True) -> Playlist:
        body = self.session.run(
            "playlist_write",
            "current_user_playlist_create",
            name,
            public=public,
            description=description,
            idempotent=False,
        )
        return parse_playlist(body, [])

    def add_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        for chunk in chunked([track_uri(t) for t in track_ids]):
            self.session.run("playlist_write", "playlist_add_items", playlist_id, chunk, idempotent=False)

    def remove_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        for chunk in chunked([track_uri(t) for t in track_ids]):
            self.session.run(
                "playlist_write",
                "playlist_remove_all_occurrences_of_items",
                playlist_id,
                chunk,
            )

    def replace_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        """The first 100 replace the list (an empty list clears it); the rest are appended in order."""
        first, *rest = chunked([track_uri(t) for t in track_ids]) or [[]]
        self.session.run("playlist_write", "playlist_replace_items", playlist_id, first)
        for chunk in rest:
            self.session.run("playlist_write", "playlist_add_items", playlist_id, chunk, idempotent=False)


class _Session:
    """One spotipy client behind the retry policy: counts calls, translates errors, refreshes on 401."""

    def __init__(
        self, client: spotipy.Spotify, policy: RetryPolicy, refresh: Callable[[], None], calls: Counter[str]
    ) -> None:
        self._client = client
        self._policy = policy
        self._refresh = refresh
        self._calls = calls

    def run(self, kind: str, method: str, *args: Any, idempotent: bool = True, **kwargs: Any) -> Any:
        """Call `client.<method>(*args, **kwargs)` through the retry policy; `idempotent=False` for a call
        that must not be repeated once it may have taken effect (a create or an add)."""
        request = partial(_call_method, method, args, kwargs)
        return self._policy.call(
            SERVICE, kind, lambda: self._refreshing_once(kind, request), idempotent=idempotent
        )

    def follow_pages(self, paging: Json) -> list[Json]:
        """Track objects of the pages after `paging` (spotipy follows the absolute `next` URLs)."""
        tracks: list[Json] = []
        page = paging
        while page.get("next"):
            page = self.run("playlist_read", "next", page)
            tracks += entry_tracks(page)
        return tracks

    def _refreshing_once(self, kind: str, request: Callable[[spotipy.Spotify], Any]) -> Any:
        try:
            return self._attempt(kind, request)
        except _TokenRejected:
            self._calls["auth"] += 1
            _translating(self._refresh)
            return self._attempt(kind, request)

    def _attempt(self, kind: str, request: Callable[[spotipy.Spotify], Any]) -> Any:
        self._calls[kind] += 1
        return _translating(lambda: request(self._client))


def _call_method(method: str, args: tuple[Any, ...], kwargs: dict[str, Any], client: spotipy.Spotify) -> Any:
    return getattr(client, method)(*args, **kwargs)


def _translating(request: Callable[[], T]) -> T:
    """Run a spotipy call; only `worker.errors` come out."""
    try:
        return request()
    except SpotifyException as exc:
        raise translate(exc) from exc
    except SpotifyOauthError as exc:
        raise translate_oauth(exc) from exc
    except requests.exceptions.RequestException as exc:
        raise transport_error(exc) from exc


def transport_error(exc: requests.exceptions.RequestException) -> ProviderUnavailable:
    """`NotSent` when no connection was made (refused, or timed out while connecting), else unavailable."""
    if never_connected(exc):
        return NotSent(SERVICE, f"connection failed before sending ({type(exc).__name__})")
    if isinstance(exc, requests.exceptions.Timeout):
        return ProviderUnavailable(SERVICE, "request timed out")
    return ProviderUnavailable(SERVICE, f"connection failed ({type(exc).__name__})")


def never_connected(exc: requests.exceptions.RequestException) -> bool:
    """requests raises `ConnectTimeout`, or `ConnectionError` around urllib3's `NewConnectionError`."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.exceptions.ConnectionError) and isinstance(reason, NewConnectionError)


# --- construction ----------------------------------------------------------------------------------------


class _CountingCache(MemoryCacheHandler):  # type: ignore[misc]
    """Keeps tokens in memory and counts each new one as an `auth` call."""

    def __init__(self, calls: Counter[str], token_info: Json | None = None) -> None:
        super().__init__(token_info)
        self._calls = calls

    def save_token_to_cache(self, token_info: Json) -> None:
        self._calls["auth"] += 1
        super().save_token_to_cache(token_info)


class _HandledErrorFilter(logging.Filter):
    """spotipy logs every HTTP error at ERROR before raising; we translate and report those ourselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("HTTP Error for", "Max Retries"))


def connect(
    settings: Settings,
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str | None,
    policy: RetryPolicy,
) -> SpotifyProvider:
    """Build the adapter: client credentials for reads, plus playlists when a refresh token is given."""
    _quiet_handled_errors()
    calls: Counter[str] = Counter()
    timeout = settings.retry.timeout_s
    token_url = urljoin(settings.spotify.accounts_base, "api/token")
    reader = SpotifyClientCredentials(
        client_id=client_id,
        client_secret=client_secret,
        requests_timeout=timeout,
        cache_handler=_CountingCache(calls),
    )
    reader.OAUTH_TOKEN_URL = token_url
    playlists = None
    if refresh_token:
        writer = user_auth_manager(
            settings, client_id, client_secret, _CountingCache(calls, _stale(refresh_token))
        )
        playlists = SpotifyPlaylists(
            _client(settings, writer),
            market=settings.spotify.market,
            policy=policy,
            refresh=lambda: _refresh_user(writer),
            calls=calls,
        )
    return SpotifyProvider(
        _client(settings, reader),
        market=settings.spotify.market,
        policy=policy,
        refresh=lambda: reader.get_access_token(as_dict=False, check_cache=False),
        calls=calls,
        playlists=playlists,
    )


def redirect_uri(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.spotify.redirect_port}/callback"


def user_auth_manager(
    settings: Settings, client_id: str, client_secret: str, cache: MemoryCacheHandler
) -> SpotifyOAuth:
    """The authorization-code manager, pointed at `spotify.accounts_base`, with an explicit timeout."""
    manager = SpotifyOAuth(
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri(settings),
        scope=SPOTIFY_SCOPES,
        cache_handler=cache,
        open_browser=False,
        requests_timeout=settings.retry.timeout_s,
    )
    manager.OAUTH_TOKEN_URL = urljoin(settings.spotify.accounts_base, "api/token")
    manager.OAUTH_AUTHORIZE_URL = urljoin(settings.spotify.accounts_base, "authorize")
    return manager


def _client(settings: Settings, auth_manager: Any) -> spotipy.Spotify:
    client = spotipy.Spotify(
        auth_manager=auth_manager,
        requests_session=requests.Session(),
        retries=0,
        status_retries=0,
        requests_timeout=settings.retry.timeout_s,
    )
    client.prefix = settings.spotify.api_base
    return client


def _stale(refresh_token: str) -> Json:
    """A cache entry holding only the refresh token, so the first call refreshes the access token."""
    return {
        "access_token": "",
        "token_type": "Bearer",
        "expires_at": 0,
        "expires_in": 0,
        "refresh_token": refresh_token,
        "scope": SPOTIFY_SCOPES,
    }


def _refresh_user(manager: SpotifyOAuth) -> None:
    cached = manager.cache_handler.get_cached_token() or {}
    manager.refresh_access_token(cached.get("refresh_token"))


def _quiet_handled_errors() -> None:
    target = logging.getLogger("spotipy.client")
    if not any(isinstance(f, _HandledErrorFilter) for f in target.filters):
        target.addFilter(_HandledErrorFilter())
