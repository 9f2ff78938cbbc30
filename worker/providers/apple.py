"""Apple Music adapter over httpx.

Apple quirks kept here: every request carries a developer token we sign ourselves (`tokens.py`); `me/`
calls also need the user's `Music-User-Token`; library playlists are append-only over the API (no remove,
replace, reorder or rename), so `remove_tracks`/`replace_tracks` raise `PolicyError`; a playlist has a public
link only when created with `isPublic: true`, through `playParams.globalId` (`pl.u-…`); errors come as
`{"errors": [...]}` with string statuses; 429 has no Retry-After (the retry policy backs off instead).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import httpx

from worker.errors import AuthError, PolicyError, ProviderError
from worker.model import Candidate, Playlist, WorkQuery, fold
from worker.providers.base import Capabilities, PlaylistProvider, WriteModel
from worker.providers.http import (
    RetryPolicy,
    error_for_status,
    header,
    is_idempotent,
    parse_retry_after,
    send,
)

SERVICE = "apple"
SEARCH_PAGE_MAX = 25
LIBRARY_PAGE_MAX = 100
"""The most library playlists one `GET me/library/playlists` page may hold."""
CAPABILITIES = Capabilities(
    write_model=WriteModel.APPEND_ONLY, isrc_in_search=True, search_limit=SEARCH_PAGE_MAX
)
DEVELOPER_HINT = (
    "check APPLE_TEAM_ID, APPLE_KEY_ID and APPLE_PRIVATE_KEY (the .p8 key from App Store Connect)"
)
USER_HINT = "mint a new APPLE_MUSIC_USER_TOKEN with MusicKit for the current developer token"
APPEND_ONLY = "Apple Music playlists are append-only over the API: tracks cannot be removed or replaced"
Json = Any


# --- pure request builders -------------------------------------------------------------------------------


def build_search_params(query: WorkQuery, types: str, limit: int, offset: int = 0) -> dict[str, str | int]:
    """Catalogue search: one `term` of artist, title and album words, one result type, ≤ 25 per page."""
    words = [query.artist or "", query.title, query.album or ""]
    term = " ".join(" ".join(words).split())
    return {"term": term, "types": types, "limit": min(limit, SEARCH_PAGE_MAX), "offset": offset}


def build_create_body(name: str, description: str, public: bool) -> Json:
    return {"attributes": {"name": name, "description": description, "isPublic": public}}


def build_tracks_body(track_ids: list[str]) -> Json:
    """Catalogue song ids (`songs`) or library song ids (`i.…`, `library-songs`)."""
    return {
        "data": [{"id": t, "type": "library-songs" if t.startswith("i.") else "songs"} for t in track_ids]
    }


def slug(name: str) -> str:
    return "-".join(fold(name).split()) or "playlist"


def public_url(storefront: str, name: str, global_id: str) -> str:
    """`https://music.apple.com/{sf}/playlist/{slug}/{pl.u-…}`, the link a listener can open."""
    return f"https://music.apple.com/{storefront}/playlist/{slug(name)}/{global_id}"


# --- pure response parsers -------------------------------------------------------------------------------


def release_year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def parse_song(resource: Json) -> Candidate:
    attributes = resource.get("attributes") or {}
    play = attributes.get("playParams") or {}
    song_id = str(play.get("catalogId") or resource["id"])
    return Candidate(
        service=SERVICE,
        id=song_id,
        uri=f"apple:song:{song_id}",
        url=attributes.get("url") or "",
        title=attributes.get("name") or "",
        artists=(attributes["artistName"],) if attributes.get("artistName") else (),
        album=attributes.get("albumName"),
        album_id=_album_id(resource),
        release_year=release_year(attributes.get("releaseDate")),
        duration_ms=attributes.get("durationInMillis"),
        isrc=attributes.get("isrc"),
        track_number=attributes.get("trackNumber"),
        playable=bool(play),
    )


def _album_id(resource: Json) -> str | None:
    albums = ((resource.get("relationships") or {}).get("albums") or {}).get("data") or []
    return str(albums[0]["id"]) if albums else None


def parse_album(resource: Json) -> Candidate:
    attributes = resource.get("attributes") or {}
    album_type = (
        "single"
        if attributes.get("isSingle")
        else "compilation"
        if attributes.get("isCompilation")
        else "album"
    )
    return Candidate(
        service=SERVICE,
        id=str(resource["id"]),
        uri=f"apple:album:{resource['id']}",
        url=attributes.get("url") or "",
        title=attributes.get("name") or "",
        artists=(attributes["artistName"],) if attributes.get("artistName") else (),
        album=attributes.get("name"),
        album_id=str(resource["id"]),
        album_type=album_type,
        release_year=release_year(attributes.get("releaseDate")),
        playable=bool(attributes.get("playParams")),
        kind="album",
    )


def search_results(body: Json, types: str) -> Json:
    return ((body.get("results") or {}).get(types)) or {}


def parse_album_tracks(album: Json, songs: list[Json]) -> list[Candidate]:
    album_id = str(album["id"])
    name = (album.get("attributes") or {}).get("name")
    ordered = sorted(songs, key=_disc_and_track)
    return [_with_album(parse_song(song), album_id, name) for song in ordered]


def _disc_and_track(song: Json) -> tuple[int, int]:
    attributes = song.get("attributes") or {}
    return int(attributes.get("discNumber", 1)), int(attributes.get("trackNumber", 0))


def _with_album(candidate: Candidate, album_id: str, name: str | None) -> Candidate:
    return replace(candidate, album_id=album_id, album=candidate.album or name)


def parse_playlist(resource: Json, songs: list[Json], storefront: str) -> Playlist:
    """A library (`p.…`) or catalogue (`pl.…`) playlist with its songs (library songs by catalogue id)."""
    attributes = resource.get("attributes") or {}
    name = attributes.get("name") or ""
    global_id = (attributes.get("playParams") or {}).get("globalId")
    public_id = global_id or (resource["id"] if str(resource["id"]).startswith("pl.") else None)
    description = attributes.get("description") or {}
    tracks = [parse_song(song) for song in songs]
    return Playlist(
        service=SERVICE,
        id=str(resource["id"]),
        name=name,
        description=description.get("standard", "") if isinstance(description, dict) else str(description),
        url=public_url(storefront, name, public_id) if public_id else None,
        track_ids=tuple(track.id for track in tracks),
        track_count=len(tracks),
        playable_count=sum(1 for track in tracks if track.playable),
        extra={"global_id": global_id} if global_id else {},
    )


def parse_own_playlists(pages: list[Json], storefront: str) -> list[Playlist]:
    """The playlists the user may edit among library pages (playlists added from the catalogue are listed
    too, with `canEdit: false`). Entries carry name, description and link, not the tracks."""
    resources = [resource for page in pages for resource in page.get("data") or []]
    editable = [r for r in resources if (r.get("attributes") or {}).get("canEdit") is not False]
    return [replace(parse_playlist(r, [], storefront), playable_count=None) for r in editable]


def first_resource(body: Json) -> Json:
    data = body.get("data") or []
    if not data:
        raise ProviderError(SERVICE, "the answer held no resource")
    return data[0]


def related_tracks(resource: Json) -> Json:
    return ((resource.get("relationships") or {}).get("tracks")) or {}


def apple_error(status: int, body: Json, *, retry_after: float | None, user_call: bool) -> ProviderError:
    """Our error for an Apple error answer (`{"errors": [{"status": "404", "title": …}]}`)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if errors else {}
    message = " — ".join(str(first[k]) for k in ("title", "detail") if first.get(k))
    if status in (401, 403):
        hint = USER_HINT if user_call and status == 403 else DEVELOPER_HINT
        if status == 401 and user_call:
            hint = f"{DEVELOPER_HINT}; or {USER_HINT}"
        return AuthError(SERVICE, f"HTTP {status}: {message or 'credentials refused'}", hint=hint)
    return error_for_status(SERVICE, status, message, retry_after=retry_after)


# --- the adapter -----------------------------------------------------------------------------------------


class AppleProvider:
    """Catalogue search and lookups with the developer token; `playlists` when a Music-User-Token exists."""

    name = SERVICE
    capabilities = CAPABILITIES

    def __init__(self, session: AppleSession, *, user_token: str | None = None) -> None:
        self._session = session
        self.calls = session.calls
        self.playlists: PlaylistProvider | None = ApplePlaylists(session, user_token) if user_token else None

    def search_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return [parse_song(song) for song in self._search(query, "songs", limit)]

    def search_albums(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        return [parse_album(album) for album in self._search(query, "albums", limit)]

    def search_album_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        """Apple's `term` search matches album names too, so the album's words find its songs."""
        return self.search_tracks(query, limit=limit)

    def lookup_track(self, track_id: str) -> Candidate:
        return parse_song(first_resource(self._session.catalog("lookup", f"songs/{track_id}")))

    def lookup_isrc(self, isrc: str) -> list[Candidate]:
        body = self._session.catalog("lookup", "songs", {"filter[isrc]": isrc.strip().upper()})
        return [parse_song(song) for song in body.get("data") or []]

    def album_tracks(self, album_id: str) -> list[Candidate]:
        album = first_resource(self._session.catalog("lookup", f"albums/{album_id}"))
        return parse_album_tracks(album, self._session.all_tracks("lookup", related_tracks(album)))

    def read_playlist(self, link_id: str) -> Playlist:
        resource = first_resource(self._session.catalog("playlist_read", f"playlists/{link_id}"))
        songs = self._session.all_tracks("playlist_read", related_tracks(resource))
        return parse_playlist(resource, songs, self._session.storefront)

    def _search(self, query: WorkQuery, types: str, limit: int) -> list[Json]:
        found: list[Json] = []
        while len(found) < limit:
            params = build_search_params(query, types, limit - len(found), len(found))
            results = search_results(self._session.catalog("search", "search", params), types)
            page = results.get("data") or []
            found += page
            if not page or not results.get("next"):
                break
        return found[:limit]


class ApplePlaylists:
    """Library playlists of the user behind the Music-User-Token (WriteModel.APPEND_ONLY)."""

    def __init__(self, session: AppleSession, user_token: str) -> None:
        self._session = session
        self._user_token = user_token

    def own_playlists(self) -> list[Playlist]:
        """Every playlist in the user's library that the user may edit, page by page."""
        pages = [self._library_page(0)]
        while pages[-1].get("next"):
            pages.append(self._library_page(sum(len(page.get("data") or []) for page in pages)))
        return parse_own_playlists(pages, self._session.storefront)

    def _library_page(self, offset: int) -> Json:
        params = {"limit": LIBRARY_PAGE_MAX, "offset": offset}
        return self._session.user(
            "playlist_read", "GET", "me/library/playlists", self._user_token, params=params
        )

    def get_playlist(self, playlist_id: str) -> Playlist:
        path = f"me/library/playlists/{playlist_id}"
        resource = first_resource(
            self._session.user("playlist_read", "GET", path, self._user_token, params={"include": "tracks"})
        )
        songs = self._session.all_tracks("playlist_read", related_tracks(resource), self._user_token)
        return parse_playlist(resource, songs, self._session.storefront)

    def create_playlist(self, name: str, description: str, *, public: bool = True) -> Playlist:
        body = build_create_body(name, description, public)
        answer = self._session.user(
            "playlist_write", "POST", "me/library/playlists", self._user_token, json=body
        )
        return parse_playlist(first_resource(answer), [], self._session.storefront)

    def add_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        path = f"me/library/playlists/{playlist_id}/tracks"
        self._session.user(
            "playlist_write", "POST", path, self._user_token, json=build_tracks_body(track_ids)
        )

    def remove_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        raise PolicyError(SERVICE, APPEND_ONLY)

    def replace_tracks(self, playlist_id: str, track_ids: list[str]) -> None:
        raise PolicyError(SERVICE, APPEND_ONLY)


class AppleSession:
    """Every Apple request: developer token, optional user token, timeout, error check, retry policy."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        api_base: str,
        storefront: str,
        timeout_s: float,
        policy: RetryPolicy,
        developer_token: Callable[[], str],
    ) -> None:
        self.calls: Counter[str] = Counter()
        self.storefront = storefront
        self._client = client
        self._api_base = api_base
        self._timeout_s = timeout_s
        self._policy = policy
        self._developer_token = developer_token

    def catalog(self, kind: str, path: str, params: dict[str, Any] | None = None) -> Json:
        return self.request(kind, "GET", f"catalog/{self.storefront}/{path}", params=params or {})

    def user(self, kind: str, method: str, path: str, user_token: str, **kwargs: Any) -> Json:
        return self.request(kind, method, path, user_token=user_token, **kwargs)

    def request(
        self, kind: str, method: str, path: str, *, user_token: str | None = None, **kwargs: Any
    ) -> Json:
        """One request through the retry policy; a POST (create, append) is not repeated once it may have
        taken effect."""
        url = urljoin(self._api_base, path.lstrip("/"))
        return self._policy.call(
            SERVICE,
            kind,
            lambda: self._attempt(kind, method, url, user_token, kwargs),
            idempotent=is_idempotent(method),
        )

    def all_tracks(self, kind: str, tracks: Json, user_token: str | None = None) -> list[Json]:
        """The songs of a `tracks` relationship, following its host-relative `next` links."""
        songs = list(tracks.get("data") or [])
        next_path = tracks.get("next")
        while next_path:
            page = self.request(kind, "GET", self._relative(next_path), user_token=user_token)
            songs += page.get("data") or []
            next_path = page.get("next")
        return songs

    def _relative(self, href: str) -> str:
        """`/v1/catalog/us/…` (host-relative, as Apple sends it) below our `api_base`."""
        return re.sub(r"^/?v1/", "", href)

    def _attempt(
        self, kind: str, method: str, url: str, user_token: str | None, kwargs: dict[str, Any]
    ) -> Json:
        self.calls[kind] += 1
        headers = {"Authorization": f"Bearer {self._developer_token()}"}
        if user_token:
            headers["Music-User-Token"] = user_token
        response = send(
            self._client, SERVICE, method, url, timeout_s=self._timeout_s, headers=headers, **kwargs
        )
        body = _json_or_none(response)
        if response.status_code >= 400:
            retry_after = parse_retry_after(header(response.headers, "Retry-After"))
            raise apple_error(
                response.status_code, body, retry_after=retry_after, user_call=user_token is not None
            )
        return body if body is not None else {}


def _json_or_none(response: httpx.Response) -> Json:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
