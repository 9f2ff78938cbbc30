"""Deezer adapter over httpx.

Deezer quirks kept here: functional errors arrive as HTTP 200 with `{"error": {...}}` (or a bare `false`),
unknown paths as HTTP 404 `{"error": "Not Found"}`; search hits carry no ISRC or release date (a
`/track/{id}` lookup adds them); the quota is 50 requests per 5 s per IP, so every request first waits its
turn in a `SlidingWindowPacer`. Writes send the user's `access_token` as a query parameter (httpx logs
URLs, so the registry installs log redaction). Without `DEEZER_ACCESS_TOKEN` there are no playlists.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import urljoin

import httpx

from worker.errors import AuthError, NotFound, PolicyError, ProviderError, ProviderUnavailable, RateLimited
from worker.model import Candidate, Playlist, WorkQuery
from worker.providers.base import Capabilities, PlaylistProvider, WriteModel
from worker.providers.http import (
    RetryPolicy,
    SlidingWindowPacer,
    error_for_status,
    header,
    is_idempotent,
    send,
)

SERVICE = "deezer"
SEARCH_PAGE_MAX = 25
WRITE_CHUNK = 100
OWN_PAGE = 25
"""Playlists per `user/me/playlists` page (Deezer's default page size, asked for explicitly)."""
CAPABILITIES = Capabilities(
    write_model=WriteModel.ADD_REMOVE, isrc_in_search=False, search_limit=SEARCH_PAGE_MAX
)
TOKEN_HINT = "set DEEZER_ACCESS_TOKEN to a fresh token with the manage_library and delete_library permissions"
PLAYLIST_IN_URL = re.compile(r"/playlist/(\d+)")
Json = Any


# --- pure request builders -------------------------------------------------------------------------------


def quoted(value: str) -> str:
    return '"' + " ".join(value.replace('"', " ").split()) + '"'


def build_track_search(query: WorkQuery, limit: int, index: int = 0) -> dict[str, str | int]:
    """`/search/track` parameters: advanced syntax `artist:"…" track:"…"`, strict matching."""
    terms = [f"artist:{quoted(query.artist)}"] if query.artist else []
    if query.title:
        terms.append(f"track:{quoted(query.title)}")
    if query.album:
        terms.append(f"album:{quoted(query.album)}")
    return {"q": " ".join(terms), "strict": "on", "limit": limit, "index": index}


def build_album_search(query: WorkQuery, limit: int, index: int = 0) -> dict[str, str | int]:
    """`/search/album` parameters; Deezer has no year filter, so the year is matched after a lookup."""
    terms = [f"artist:{quoted(query.artist)}"] if query.artist else []
    terms.append(f"album:{quoted(query.album or query.title)}")
    return {"q": " ".join(terms), "strict": "on", "limit": limit, "index": index}


def build_album_tracks_search(query: WorkQuery, limit: int, index: int = 0) -> dict[str, str | int]:
    """`/search/track` parameters for the tracks of albums so titled: `artist:"…" album:"…"`."""
    return build_track_search(
        WorkQuery(title="", artist=query.artist, album=query.album or query.title), limit, index
    )


def isrc_path(isrc: str) -> str:
    return f"track/isrc:{isrc.strip().upper()}"


def songs_param(track_ids: list[str]) -> str:
    return ",".join(track_ids)


def chunked(items: list[str], size: int = WRITE_CHUNK) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


# --- pure response parsers -------------------------------------------------------------------------------


def deezer_error(body: Json, *, quota_window_s: float) -> ProviderError | None:
    """The error an HTTP-200 body carries, or None. Deezer's codes: developers.deezer.com/api/errors."""
    if body is False:
        return PolicyError(SERVICE, "the service refused the change (it answered false)")
    if not isinstance(body, dict) or not body.get("error"):
        return None
    error = body["error"]
    if not isinstance(error, dict):
        return NotFound(SERVICE, f"HTTP 404: {error}")
    message = f"{error.get('type', 'Error')}: {error.get('message', '')}".strip()
    return _error_for_code(error.get("code"), message, quota_window_s)


def _error_for_code(code: object, message: str, quota_window_s: float) -> ProviderError:
    if code == 4:
        return RateLimited(SERVICE, f"quota exceeded ({message})", retry_after=quota_window_s)
    if code == 800:
        return NotFound(SERVICE, message)
    if code == 300:
        return AuthError(SERVICE, f"access token refused ({message})", hint=TOKEN_HINT)
    if code in (100, 200, 901):
        return PolicyError(SERVICE, f"not allowed ({message}, code {code})")
    if code == 700:
        return ProviderUnavailable(SERVICE, f"service busy ({message})")
    suffix = f"code {code}" if code is not None else "no error code"
    return ProviderError(SERVICE, f"{message} ({suffix})")


def release_year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() and date[:4] != "0000" else None


def parse_track(item: Json, album: Json | None = None) -> Candidate:
    """A search hit, full track or album track as a `Candidate` (ISRC and year only when present)."""
    album = item.get("album") or album or {}
    return Candidate(
        service=SERVICE,
        id=str(item["id"]),
        uri=f"deezer:track:{item['id']}",
        url=item.get("link") or f"https://www.deezer.com/track/{item['id']}",
        title=item.get("title") or "",
        artists=track_artists(item),
        album=album.get("title"),
        album_id=str(album["id"]) if album.get("id") is not None else None,
        album_type=album.get("record_type"),
        release_year=release_year(item.get("release_date") or album.get("release_date")),
        duration_ms=int(item["duration"]) * 1000 if item.get("duration") is not None else None,
        isrc=item.get("isrc"),
        track_number=item.get("track_position"),
        playable=item.get("readable", True) is not False,
    )


def track_artists(item: Json) -> tuple[str, ...]:
    """Main contributors in credit order when the full track lists them, else the one `artist`."""
    main = [c["name"] for c in item.get("contributors") or [] if c.get("role", "Main") == "Main"]
    if main:
        return tuple(main)
    artist = item.get("artist") or {}
    return (artist["name"],) if artist.get("name") else ()


def parse_album(item: Json) -> Candidate:
    artist = item.get("artist") or {}
    return Candidate(
        service=SERVICE,
        id=str(item["id"]),
        uri=f"deezer:album:{item['id']}",
        url=item.get("link") or f"https://www.deezer.com/album/{item['id']}",
        title=item.get("title") or "",
        artists=(artist["name"],) if artist.get("name") else (),
        album=item.get("title"),
        album_id=str(item["id"]),
        album_type=item.get("record_type"),
        release_year=release_year(item.get("release_date")),
        kind="album",
    )


def parse_search(body: Json, parse: Any) -> list[Candidate]:
    return [parse(item) for item in body.get("data") or []]


def parse_album_tracks(album: Json, tracks: list[Json]) -> list[Candidate]:
    tracks = sorted(tracks, key=lambda t: (t.get("disk_number", 1), t.get("track_position", 0)))
    return [parse_track(track, album) for track in tracks]


def parse_playlist(body: Json, tracks: list[Json]) -> Playlist:
    return Playlist(
        service=SERVICE,
        id=str(body["id"]),
        name=body.get("title") or "",
        description=body.get("description") or "",
        url=body.get("link") or f"https://www.deezer.com/playlist/{body['id']}",
        track_ids=tuple(str(track["id"]) for track in tracks),
        track_count=int(body.get("nb_tracks", len(tracks))),
        playable_count=sum(1 for track in tracks if track.get("readable", True) is not False),
        extra={"checksum": str(body.get("checksum") or "")},
    )


def parse_own_playlists(pages: list[Json], user_id: str) -> list[Playlist]:
    """The playlists `user_id` created among `user/me/playlists` pages (which also list followed ones).

    Entries carry title, link and track count, not the tracks themselves."""
    items = [item for page in pages for item in page.get("data") or []]
    owned = [item for item in items if str((item.get("creator") or {}).get("id")) == user_id]
    return [playlist_summary(item) for item in owned]


def playlist_summary(item: Json) -> Playlist:
    return Playlist(
        service=SERVICE,
        id=str(item["id"]),
        name=item.get("title") or "",
        description=item.get("description") or "",
        url=item.get("link") or f"https://www.deezer.com/playlist/{item['id']}",
        track_count=int(item.get("nb_tracks", 0)),
        extra={"checksum": str(item.get("checksum") or "")},
    )


def playlist_id_from_location(location: str | None) -> str:
    """The playlist id in a short link's redirect target (`…/playlist/123?…`)."""
    found = PLAYLIST_IN_URL.search(location or "")
    if found is None:
        raise NotFound(SERVICE, "the short link does not lead to a playlist")
    return found.group(1)


# --- the adapter -----------------------------------------------------------------------------------------


class DeezerProvider:
    """Catalogue search and lookups (no credentials needed); `playlists` when an access token exists."""

    name = SERVICE
    capabilities = CAPABILITIES

    def __init__(self, session: DeezerSession, *, access_token: str | None = None) -> None:
        self._session = session
        self.calls = session.calls
        self.playlists: PlaylistProvider | None = (
            DeezerPlaylists(session, access_token) if access_token else None
        )

    def search_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return self._search("search/track", build_track_search, query, limit, parse_track)

    def search_albums(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return self._search("search/album", build_album_search, query, limit, parse_album)

    def search_album_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return self._search("search/track", build_album_tracks_search, query, limit, parse_track)

    def lookup_isrc(self, isrc: str) -> list[Candidate]:
        try:
            return [parse_track(self._session.get("lookup", isrc_path(isrc)))]
        except NotFound:
            return []

    def lookup_track(self, track_id: str) -> Candidate:
        """The full track (with ISRC and release date, which search hits lack)."""
        return parse_track(self._session.get("lookup", f"track/{track_id}"))

    def album_tracks(self, album_id: str) -> list[Candidate]:
        album = self._session.get("lookup", f"album/{album_id}")
        tracks = list((album.get("tracks") or {}).get("data") or [])
        while len(tracks) < int(album.get("nb_tracks", 0)):
            page = self._session.get("lookup", f"album/{album_id}/tracks", {"index": len(tracks)})
            if not page.get("data"):
                break
            tracks += page["data"]
        return parse_album_tracks(album, tracks)

    def read_playlist(self, link_id: str) -> Playlist:
        return self._session.read_playlist(link_id, {})

    def resolve_short_link(self, url: str) -> str:
        """The playlist id behind a `link.deezer.com/s/…` link: one redirect, never www.deezer.com itself."""
        response = self._session.fetch("playlist_read", url)
        if response.status_code not in (301, 302, 303, 307, 308):
            raise NotFound(SERVICE, f"the short link did not redirect (HTTP {response.status_code})")
        return playlist_id_from_location(header(response.headers, "Location"))

    def _search(self, path: str, build: Any, query: WorkQuery, limit: int, parse: Any) -> list[Candidate]:
        found: list[Candidate] = []
        while len(found) < limit:
            size = min(SEARCH_PAGE_MAX, limit - len(found))
            body = self._session.get("search", path, build(query, size, len(found)))
            page = parse_search(body, parse)
            found += page
            if len(page) < size or not body.get("next"):
                break
        return found[:limit]


class DeezerPlaylists:
    """Playlist reads and writes with the user's access token (WriteModel.ADD_REMOVE)."""

    def __init__(self, session: DeezerSession, access_token: str) -> None:
        self._session = session
        self._token = {"access_token": access_token}
        self._user_id: str | None = None

    def own_playlists(self) -> list[Playlist]:
        """Every playlist this user created: `user/me/playlists` page by page, followed ones left out.

        Deezer playlists have no description, so the worker finds its own by name."""
        pages = [self._listing_page(0)]
        while pages[-1].get("next"):
            pages.append(self._listing_page(sum(len(page.get("data") or []) for page in pages)))
        return parse_own_playlists(pages, self._owner_id())

    def _listing_page(self, index: int) -> Json:
        params = {**self._token, "index": index, "limit": OWN_PAGE}
        return self._session.get("playlist_read", "user/me/playlists", params)

    def _owner_id(self) -> str:
        """The id of the user behind the token (`GET user/me`, asked once)."""
        if self._user_id is None:
            self._user_id = str(self._session.get("playlist_read", "user/me", self._token)["id"])
        return self._user_id

    def get_playlist(self, playlist_id: str) -> Playlist:
        return self._session.read_playlist(playlist_id, self._token)

    def create_playlist(self, name: str, description: str, *, public: bool = True) -> Playlist:
        """Create a playlist titled `name`. Deezer's create takes only a title: new playlists are public and
        have no description (no documented endpoint sets one), so `description` and `public` go unused."""
        body = self._session.send(
            "playlist_write", "POST", "user/me/playlists", {**self._token, "title": name}
        )
        playlist_id = str(body["id"])
        return Playlist(
            service=SERVICE,
            id=playlist_id,
            name=name,
            description="",
            url=f"https://www.deezer.com/playlist/{playlist_id}",
        )

    def add_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        for chunk in chunked(track_ids):
            params = {**self._token, "songs": songs_param(chunk)}
            self._session.send("playlist_write", "POST", f"playlist/{playlist_id}/tracks", params)

    def remove_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        for chunk in chunked(track_ids):
            params = {**self._token, "songs": songs_param(chunk)}
            self._session.send("playlist_write", "DELETE", f"playlist/{playlist_id}/tracks", params)

    def replace_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        raise PolicyError(SERVICE, "Deezer playlists change by adding and removing tracks, not by replacing")


class DeezerSession:
    """Every Deezer request: paced, counted, sent with a timeout, checked for errors, retried by policy."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        api_base: str,
        timeout_s: float,
        policy: RetryPolicy,
        pacer: SlidingWindowPacer,
    ) -> None:
        self.calls: Counter[str] = Counter()
        self._client = client
        self._api_base = api_base
        self._timeout_s = timeout_s
        self._policy = policy
        self._pacer = pacer

    def get(self, kind: str, path: str, params: dict[str, Any] | None = None) -> Json:
        return self.send(kind, "GET", path, params or {})

    def send(self, kind: str, method: str, path: str, params: dict[str, Any]) -> Json:
        """One request through the retry policy; a POST (create, add) is not repeated once it may have
        taken effect."""
        url = urljoin(self._api_base, path)
        return self._policy.call(
            SERVICE,
            kind,
            lambda: self._checked(self._attempt(kind, method, url, params)),
            idempotent=is_idempotent(method),
        )

    def fetch(self, kind: str, url: str) -> httpx.Response:
        """A raw GET (for short links), through pacing and the retry policy, without JSON decoding."""
        return self._policy.call(SERVICE, kind, lambda: self._attempt(kind, "GET", url, {}))

    def read_playlist(self, playlist_id: str, params: dict[str, str]) -> Playlist:
        body = self.get("playlist_read", f"playlist/{playlist_id}", params)
        tracks = list((body.get("tracks") or {}).get("data") or [])
        while len(tracks) < int(body.get("nb_tracks", 0)):
            page = self.get(
                "playlist_read", f"playlist/{playlist_id}/tracks", {**params, "index": len(tracks)}
            )
            if not page.get("data"):
                break
            tracks += page["data"]
        return parse_playlist(body, tracks)

    def _attempt(self, kind: str, method: str, url: str, params: dict[str, Any]) -> httpx.Response:
        self._pacer.wait_turn()
        self.calls[kind] += 1
        return send(self._client, SERVICE, method, url, timeout_s=self._timeout_s, params=params)

    def _checked(self, response: httpx.Response) -> Json:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            raise http_error(response.status_code, body)
        error = deezer_error(body, quota_window_s=self._pacer.window_s)
        if error is not None:
            raise error
        if body is None:
            raise ProviderUnavailable(SERVICE, f"unreadable answer (HTTP {response.status_code}, not JSON)")
        return body


def http_error(status: int, body: Json) -> ProviderError:
    """An HTTP error status; Deezer's 404 for unknown paths carries `{"error": "Not Found"}`."""
    error = body.get("error") if isinstance(body, dict) else None
    message = error if isinstance(error, str) else (error or {}).get("message", "") if error else ""
    return error_for_status(SERVICE, status, str(message))
