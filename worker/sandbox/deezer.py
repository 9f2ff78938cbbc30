"""Deezer: the API (`deezer/`) and the short-link host (`deezer-links/`). Handlers only.

Functional errors come back as HTTP 200 `{"error":{"type","message","code"}}` (800 no data, 300 invalid
token, 200 permission, 500/501 parameter, 4 quota); unknown paths are a real HTTP 404 `{"error":"Not Found"}`.
User calls need `access_token` in the query. Search hits carry no isrc or release date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from worker.sandbox import deezer_shapes as shapes
from worker.sandbox.catalog import BASE62, Album, Track
from worker.sandbox.core import Abort, Limit, Mount, Request, Response, route
from worker.sandbox.query import album_matches, parse_deezer, track_matches
from worker.sandbox.store import Playlist
from worker.sandbox.tokens import DEEZER_ACCESS_TOKEN
from worker.sandbox.world import World

SERVICE = "deezer"
ID = r"(?P<id>-?\d+)"
ERRORS: dict[int, tuple[str, str]] = {
    4: ("Exception", "Quota limit exceeded"),
    200: (
        "OAuthException",
        "An active access token must be used to query information about the current user",
    ),
    300: ("OAuthException", "Invalid OAuth access token."),
    500: ("ParameterException", "Wrong parameter"),
    501: ("MissingParameterException", "Missing parameters"),
    800: ("DataException", "no data"),
}
ORDERS: dict[str, Callable[[Track], Any]] = {
    "TRACK": lambda t: t.title.casefold(),
    "ARTIST": lambda t: t.artists[0].name.casefold(),
    "ALBUM": lambda t: t.album.title.casefold(),
    "RATING": lambda t: t.rank,
    "DURATION": lambda t: t.duration_ms,
}


def deezer_error(code: int, message: str = "") -> Response:
    kind, default = ERRORS[code]
    return Response.json(200, {"error": {"type": kind, "message": message or default, "code": code}})


def http_error(status: int, message: str) -> Response:
    """Deezer's HTTP-level answers: 404 JSON for unknown paths, an HTML page for everything else."""
    if status in (404, 405):
        return Response.json(404, {"error": "Not Found"})
    page = f"<html><body><h1>{status}</h1><p>{message}</p></body></html>".encode()
    return Response(status, page, (("Content-Type", "text/html"),))


def fail(code: int, message: str = "") -> Abort:
    return Abort(deezer_error(code, message))


class DeezerApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self.catalog = world.catalog.view(SERVICE)

    def mount(self) -> Mount:
        return Mount(
            prefix="deezer/",
            name=SERVICE,
            service=SERVICE,
            error=http_error,
            not_found=lambda _request: http_error(404, "Not Found"),
            limit=lambda o: Limit(o.deezer_quota, o.deezer_window_s),
            throttled=lambda _options: deezer_error(4),
            routes=[
                route("GET", "search", lambda r, _: self.search_tracks(r, "search")),
                route("GET", "search/track", lambda r, _: self.search_tracks(r, "search/track")),
                route("GET", "search/album", self.search_albums),
                route("GET", r"track/isrc:(?P<isrc>[A-Za-z0-9]+)", self.get_track_by_isrc),
                route("GET", rf"track/{ID}", self.get_track),
                route("GET", r"album/upc:(?P<upc>\d+)", self.get_album_by_upc),
                route("GET", rf"album/{ID}", self.get_album),
                route("GET", rf"album/{ID}/tracks", self.get_album_tracks),
                route("GET", "user/me", self.get_me),
                route("GET", "user/me/playlists", self.list_playlists),
                route("POST", "user/me/playlists", self.create_playlist),
                route("GET", rf"playlist/{ID}", self.get_playlist),
                route("DELETE", rf"playlist/{ID}", self.delete_playlist),
                route("GET", rf"playlist/{ID}/tracks", self.get_playlist_tracks),
                route("POST", rf"playlist/{ID}/tracks", self.add_tracks),
                route("DELETE", rf"playlist/{ID}/tracks", self.remove_tracks),
            ],
        )

    # --- helpers ----------------------------------------------------------------------------------------

    def require_token(self, request: Request) -> None:
        token = request.query.get("access_token")
        if not token:
            raise fail(200)
        if token != DEEZER_ACCESS_TOKEN:
            raise fail(300)

    def paging(self, request: Request) -> tuple[int, int]:
        try:
            index = int(request.query.get("index", "0"))
            limit = int(request.query.get("limit", "25"))
        except ValueError as exc:
            raise fail(500) from exc
        if index < 0 or limit < 0:
            raise fail(500)
        return index, limit

    def listing(self, request: Request, path: str, items: list[Any], extra: dict[str, Any]) -> Response:
        """`{"data","total","prev"?,"next"?}` with absolute links that keep the caller's parameters."""
        index, limit = self.paging(request)
        kept = {k: v for k, v in request.query.items() if k not in ("index", "access_token")}
        body: dict[str, Any] = {"data": items[index : index + limit], "total": len(items), **extra}

        def at(start: int) -> str:
            return f"{request.base}{path}?{urlencode({**kept, 'index': start}, quote_via=quote)}"

        if index > 0:
            body["prev"] = at(max(0, index - limit))
        if index + limit < len(items):
            body["next"] = at(index + limit)
        return Response.json(200, body)

    # --- search and catalog -----------------------------------------------------------------------------

    def search_tracks(self, request: Request, path: str) -> Response:
        if "q" not in request.query:
            raise fail(501, "Missing parameters: q")
        criteria = parse_deezer(request.query["q"])
        hits = [t for t in self.catalog.tracks if track_matches(t, criteria)]
        order = request.query.get("order", "RANKING").upper()
        field, _, direction = order.rpartition("_")
        if field in ORDERS:
            hits.sort(key=ORDERS[field], reverse=direction == "DESC")
        return self.listing(request, path, [shapes.track_hit(request.base, t) for t in hits], {})

    def search_albums(self, request: Request, _: dict[str, str]) -> Response:
        if "q" not in request.query:
            raise fail(501, "Missing parameters: q")
        criteria = parse_deezer(request.query["q"])
        albums = [a for a in self.catalog.albums if album_matches(a, criteria)]
        items = [shapes.album_hit(request.base, a, len(self.catalog.album_tracks(a))) for a in albums]
        return self.listing(request, "search/album", items, {})

    def track_response(self, request: Request, found: Track | None) -> Response:
        if found is None:
            raise fail(800)
        return Response.json(200, shapes.full_track(request.base, found))

    def get_track(self, request: Request, match: dict[str, str]) -> Response:
        return self.track_response(request, self.catalog.track(match["id"]))

    def get_track_by_isrc(self, request: Request, match: dict[str, str]) -> Response:
        return self.track_response(request, next(iter(self.catalog.by_isrc(match["isrc"])), None))

    def album_response(self, request: Request, found: Album | None) -> Response:
        if found is None:
            raise fail(800)
        return Response.json(200, shapes.full_album(request.base, found, self.catalog.album_tracks(found)))

    def get_album(self, request: Request, match: dict[str, str]) -> Response:
        return self.album_response(request, self.catalog.album(match["id"]))

    def get_album_by_upc(self, request: Request, match: dict[str, str]) -> Response:
        return self.album_response(request, self.catalog.by_upc(match["upc"]))

    def get_album_tracks(self, request: Request, match: dict[str, str]) -> Response:
        found = self.catalog.album(match["id"])
        if found is None:
            raise fail(800)
        items = [shapes.album_track(request.base, t) for t in self.catalog.album_tracks(found)]
        return self.listing(request, f"album/{found.id}/tracks", items, {})

    # --- user and playlists -----------------------------------------------------------------------------

    def get_me(self, request: Request, _: dict[str, str]) -> Response:
        self.require_token(request)
        return Response.json(200, shapes.user(request.base))

    def list_playlists(self, request: Request, _: dict[str, str]) -> Response:
        self.require_token(request)
        items = [shapes.playlist_summary(request.base, p) for p in self.world.store.all(SERVICE)]
        return self.listing(request, "user/me/playlists", items, {})

    def create_playlist(self, request: Request, _: dict[str, str]) -> Response:
        self.require_token(request)
        title = request.query.get("title")
        if not title:
            raise fail(501, "Missing parameters: title")
        created = self.world.store.create(SERVICE, {"name": title})
        return Response.json(200, {"id": int(created["id"])})

    def playlist(self, request: Request, match: dict[str, str]) -> Playlist:
        found = self.world.store.get(SERVICE, match["id"])
        if found is None:
            raise fail(800)
        if not found["public"] and request.query.get("access_token") != DEEZER_ACCESS_TOKEN:
            raise fail(200, "Permission denied")
        return found

    def get_playlist(self, request: Request, match: dict[str, str]) -> Response:
        found = self.playlist(request, match)
        return Response.json(200, shapes.playlist(request.base, self.catalog, found))

    def get_playlist_tracks(self, request: Request, match: dict[str, str]) -> Response:
        found = self.playlist(request, match)
        items = shapes.playlist_tracks(request.base, self.catalog, found)
        extra = {"checksum": shapes.checksum(found)}
        return self.listing(request, f"playlist/{found['id']}/tracks", items, extra)

    def delete_playlist(self, request: Request, match: dict[str, str]) -> Response:
        self.require_token(request)
        if not self.world.store.delete(SERVICE, self.playlist(request, match)["id"]):
            raise fail(800)
        return Response.json(200, True)

    def song_ids(self, request: Request, name: str = "songs") -> list[str]:
        raw = request.query.get(name, "")
        ids = [part for part in raw.split(",") if part]
        if not ids:
            raise fail(501, f"Missing parameters: {name}")
        if any(self.catalog.track(song) is None for song in ids):
            raise fail(800)
        return ids

    def add_tracks(self, request: Request, match: dict[str, str]) -> Response:
        self.require_token(request)
        found = self.playlist(request, match)
        if "order" in request.query:
            return self.reorder(request, found)
        added = [{"id": song, "added_at": self.world.store.now_iso()} for song in self.song_ids(request)]

        def append(record: Playlist) -> None:
            present = {entry["id"] for entry in record["tracks"]}
            record["tracks"] += [entry for entry in added if entry["id"] not in present]

        self.world.store.update(SERVICE, found["id"], append)
        return Response.json(200, True)

    def reorder(self, request: Request, found: Playlist) -> Response:
        order = self.song_ids(request, "order")
        if sorted(order) != sorted(entry["id"] for entry in found["tracks"]):
            raise fail(500)

        def rearrange(record: Playlist) -> None:
            by_id = {entry["id"]: entry for entry in record["tracks"]}
            record["tracks"] = [by_id[song] for song in order]

        self.world.store.update(SERVICE, found["id"], rearrange)
        return Response.json(200, True)

    def remove_tracks(self, request: Request, match: dict[str, str]) -> Response:
        self.require_token(request)
        found = self.playlist(request, match)
        gone = set(self.song_ids(request))
        self.world.store.update(
            SERVICE, found["id"], lambda r: r.update(tracks=[e for e in r["tracks"] if e["id"] not in gone])
        )
        return Response.json(200, True)


def short_code(playlist_id: str) -> str:
    """The short-link code of a playlist: its id in base 62 (the link host keeps no table)."""
    number, digits = int(playlist_id), []
    while number:
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return "".join(reversed(digits))


def links_mount() -> Mount:
    """`GET s/{code}` answers 302 to the playlist's www.deezer.com address, like link.deezer.com."""

    def follow(request: Request, match: dict[str, str]) -> Response:
        playlist_id = 0
        for char in match["code"]:
            playlist_id = playlist_id * 62 + BASE62.index(char)
        query = urlencode({"host": "0", "utm_campaign": "clipboard-generic", "utm_source": "user_sharing"})
        return Response.redirect(f"https://www.deezer.com/en/playlist/{playlist_id}?{query}")

    not_found = Response(404, b"<html><body>Not Found</body></html>", (("Content-Type", "text/html"),))
    return Mount(
        prefix="deezer-links/",
        name="deezer-links",
        error=http_error,
        not_found=lambda _request: not_found,
        routes=[route("GET", r"s/(?P<code>[0-9A-Za-z]{1,12})", follow)],
    )
