"""Playlist links: every form a person types into an article, and the form the site stores.

`parse_link` reads what editors paste (share URLs with tracking parameters, language and `intl-xx`
segments, Spotify URIs, Deezer short links, percent-encoded Apple slugs, bare ids) into a `PlaylistLink`.
`format_link` writes the configured form (`links.<service>.form`: url, uri or id). Both are pure.

The site's URL forms:

    spotify  https://open.spotify.com/playlist/{id}                      (uri: spotify:playlist:{id})
    deezer   https://www.deezer.com/playlist/{id}
    apple    https://music.apple.com/{storefront}/playlist/{slug}/{pl.u-id}

Deezer short links (`https://link.deezer.com/s/{code}`) carry no id; they parse with `playlist_id=None`
and their `short_url`, which the Deezer provider follows to find the playlist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
DEEZER_ID = re.compile(r"^[0-9]{1,20}$")
APPLE_ID = re.compile(r"^(?:pl\.u-[0-9A-Za-z]+|pl\.[0-9A-Za-z-]+|p\.[0-9A-Za-z]+)$")
"""`pl.u-…` a shared user playlist, `pl.…` an editorial one, `p.…` a library playlist (owner only)."""

_SPOTIFY_URI = re.compile(r"^spotify:playlist:([0-9A-Za-z]{22})$")
_SCHEMELESS_HOSTS = (
    "open.spotify.com/",
    "www.deezer.com/",
    "deezer.com/",
    "link.deezer.com/",
    "music.apple.com/",
)
_LANGUAGE_SEGMENT = re.compile(r"^(?:[a-z]{2}(?:-[a-z]{2})?|intl-[a-z]{2})$", re.IGNORECASE)
_STOREFRONT = re.compile(r"^[a-z]{2}$", re.IGNORECASE)
LINK_FORMS: tuple[str, ...] = ("url", "uri", "id")


@dataclass(frozen=True)
class PlaylistLink:
    """A playlist address found in an article.

    `playlist_id` is None only for an unresolved Deezer short link (see `short_url`). Apple links also
    keep their `storefront` and decoded `slug`, which the site shows but the service ignores.
    """

    service: str
    playlist_id: str | None
    short_url: str | None = None
    storefront: str | None = None
    slug: str | None = None


def parse_link(text: str, service: str | None = None) -> PlaylistLink | None:
    """The playlist `text` points to, or None when it is empty or not a playlist link.

    `service` resolves bare ids (a 22-character id is Spotify's, a number Deezer's) and filters:
    a link to another service gives None.
    """
    text = text.strip()
    if not text:
        return None
    link = _parse_url(text) if _looks_like_url(text) else _parse_bare(text, service)
    if link is None or (service is not None and link.service != service):
        return None
    return link


def format_link(service: str, form: str, playlist_id: str, *, name: str = "", storefront: str = "us") -> str:
    """The link to write for `playlist_id` in `form` (url, uri or id).

    Only Spotify has a uri form; for the others it falls back to the url. Apple's url needs the playlist
    `name` for its slug (the segment is left out when the name has no letters or digits).
    """
    if form not in LINK_FORMS:
        raise ValueError(f"unknown link form {form!r}; expected one of {', '.join(LINK_FORMS)}")
    if form == "id":
        return playlist_id
    if service == "spotify":
        if form == "uri":
            return f"spotify:playlist:{playlist_id}"
        return f"https://open.spotify.com/playlist/{playlist_id}"
    if service == "deezer":
        return f"https://www.deezer.com/playlist/{playlist_id}"
    if service == "apple":
        slug = apple_slug(name)
        middle = f"{slug}/" if slug else ""
        return f"https://music.apple.com/{storefront}/playlist/{middle}{playlist_id}"
    raise ValueError(f"unknown service {service!r}")


def apple_slug(name: str) -> str:
    """Apple's URL slug for a playlist name: lower case, words joined by '-', accents kept, percent-encoded.

    "Top Forró" → "top-forr%C3%B3", "Top Female R&B Divas" → "top-female-r-b-divas".
    """
    words = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", name).lower()).strip("-")
    return quote(words, safe="-")


def _looks_like_url(text: str) -> bool:
    return "://" in text or text.lower().startswith(_SCHEMELESS_HOSTS)


def _parse_bare(text: str, service: str | None) -> PlaylistLink | None:
    uri = _SPOTIFY_URI.match(text)
    if uri:
        return PlaylistLink("spotify", uri.group(1))
    if APPLE_ID.match(text):
        return PlaylistLink("apple", text)
    if service == "spotify" and SPOTIFY_ID.match(text):
        return PlaylistLink("spotify", text)
    if service == "deezer" and DEEZER_ID.match(text):
        return PlaylistLink("deezer", text)
    return None


def _parse_url(text: str) -> PlaylistLink | None:
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    segments = [segment for segment in parts.path.split("/") if segment]
    if host == "open.spotify.com":
        return _playlist_after_language("spotify", segments, SPOTIFY_ID)
    if host in ("www.deezer.com", "deezer.com"):
        return _playlist_after_language("deezer", segments, DEEZER_ID)
    if host == "link.deezer.com" and len(segments) == 2 and segments[0] == "s":
        return PlaylistLink("deezer", None, short_url=f"https://link.deezer.com/s/{segments[1]}")
    if host == "music.apple.com":
        return _apple_url(segments)
    return None


def _playlist_after_language(
    service: str, segments: list[str], id_pattern: re.Pattern[str]
) -> PlaylistLink | None:
    """`[lang/]playlist/ID`: Spotify's `intl-de` and Deezer's `en` or `de` segments are optional."""
    if segments and _LANGUAGE_SEGMENT.match(segments[0]):
        segments = segments[1:]
    if len(segments) == 2 and segments[0] == "playlist" and id_pattern.match(segments[1]):
        return PlaylistLink(service, segments[1])
    return None


def _apple_url(segments: list[str]) -> PlaylistLink | None:
    """`{storefront}/playlist/[{slug}/]{id}`; the slug is optional and may be percent-encoded."""
    if len(segments) not in (3, 4) or not _STOREFRONT.match(segments[0]) or segments[1] != "playlist":
        return None
    playlist_id = segments[-1]
    if not APPLE_ID.match(playlist_id):
        return None
    slug = unquote(segments[2]) if len(segments) == 4 else None
    return PlaylistLink("apple", playlist_id, storefront=segments[0].lower(), slug=slug)
