"""Link forms: everything an editor pastes parses; the site's form is what we write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from worker.links import PlaylistLink, apple_slug, format_link, parse_link

SERVICE_OF_KEY = {"spotifyPlaylist": "spotify", "deezerPlaylist": "deezer", "appleMusicPlaylist": "apple"}
LINK_LINE = re.compile(
    r'^\s*(spotifyPlaylist|deezerPlaylist|appleMusicPlaylist):\s*"([^"]*)"\s*$', re.MULTILINE
)
SPOTIFY_ID = "1lIwMwXDqqxQp6C6uo3F31"


def corpus_links(shared: Path) -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((shared / "corpus").rglob("*.md*")):
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        found += [(path.name, SERVICE_OF_KEY[key], value) for key, value in LINK_LINE.findall(head)]
    return found


def test_every_corpus_link_parses_to_its_service(shared: Path) -> None:
    links = [(name, service, value) for name, service, value in corpus_links(shared) if value]
    assert len(links) >= 16
    assert {service for _name, service, _value in links} == {"spotify", "deezer", "apple"}
    for name, service, value in links:
        link = parse_link(value)
        assert link is not None, (name, value)
        assert link.service == service
        assert parse_link(value, service) == link
        if link.playlist_id is None:
            assert link.short_url == value
        elif service == "apple":
            assert link.storefront and link.slug is not None
            assert (
                format_link("apple", "url", link.playlist_id, name=link.slug, storefront=link.storefront)
                == value
            )
        else:
            assert parse_link(format_link(service, "url", link.playlist_id), service) == link


def test_empty_corpus_links_are_none(shared: Path) -> None:
    empty = [value for _name, _service, value in corpus_links(shared) if not value]
    assert empty
    assert all(parse_link(value) is None for value in empty)


@pytest.mark.parametrize(
    ("text", "service", "expected"),
    [
        (f"https://open.spotify.com/playlist/{SPOTIFY_ID}", None, PlaylistLink("spotify", SPOTIFY_ID)),
        (
            f"https://open.spotify.com/playlist/{SPOTIFY_ID}?si=ab12cd",
            None,
            PlaylistLink("spotify", SPOTIFY_ID),
        ),
        (
            f"https://open.spotify.com/intl-de/playlist/{SPOTIFY_ID}",
            None,
            PlaylistLink("spotify", SPOTIFY_ID),
        ),
        (f"  open.spotify.com/playlist/{SPOTIFY_ID}\n", None, PlaylistLink("spotify", SPOTIFY_ID)),
        (f"spotify:playlist:{SPOTIFY_ID}", None, PlaylistLink("spotify", SPOTIFY_ID)),
        (SPOTIFY_ID, "spotify", PlaylistLink("spotify", SPOTIFY_ID)),
        ("https://www.deezer.com/playlist/908622995", None, PlaylistLink("deezer", "908622995")),
        ("https://www.deezer.com/en/playlist/908622995", None, PlaylistLink("deezer", "908622995")),
        (
            "https://deezer.com/de/playlist/908622995?utm_source=deezer",
            None,
            PlaylistLink("deezer", "908622995"),
        ),
        ("deezer.com/playlist/908622995", None, PlaylistLink("deezer", "908622995")),
        ("908622995", "deezer", PlaylistLink("deezer", "908622995")),
        (
            "https://link.deezer.com/s/30xpboyJgl5xCXxctcfLz?utm=x",
            None,
            PlaylistLink("deezer", None, short_url="https://link.deezer.com/s/30xpboyJgl5xCXxctcfLz"),
        ),
        (
            "https://music.apple.com/de/playlist/top-balkan-music-2025/pl.u-d2b0Vq0CLJaz6dz",
            None,
            PlaylistLink("apple", "pl.u-d2b0Vq0CLJaz6dz", storefront="de", slug="top-balkan-music-2025"),
        ),
        (
            "https://music.apple.com/de/playlist/top-forr%C3%B3/pl.u-11zBZVosNP6EVjE",
            None,
            PlaylistLink("apple", "pl.u-11zBZVosNP6EVjE", storefront="de", slug="top-forró"),
        ),
        (
            "https://music.apple.com/us/playlist/pl.u-11zBZVosNP6EVjE",
            None,
            PlaylistLink("apple", "pl.u-11zBZVosNP6EVjE", storefront="us"),
        ),
        ("pl.u-11zBZVosNP6EVjE", None, PlaylistLink("apple", "pl.u-11zBZVosNP6EVjE")),
        ("p.AbC123xyz", "apple", PlaylistLink("apple", "p.AbC123xyz")),
    ],
)
def test_parse_link_forms(text: str, service: str | None, expected: PlaylistLink) -> None:
    assert parse_link(text, service) == expected


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("", None),
        ("   ", "spotify"),
        (SPOTIFY_ID, None),  # a bare id needs its service
        ("908622995", None),
        ("908622995", "spotify"),
        (f"https://open.spotify.com/playlist/{SPOTIFY_ID}", "deezer"),  # another service's link
        (f"https://open.spotify.com/track/{SPOTIFY_ID}", None),
        ("https://www.deezer.com/album/302127", None),
        ("https://music.apple.com/de/album/some-album/1440857781", None),
        ("https://example.com/playlist/908622995", None),
        ("ftp://www.deezer.com/playlist/908622995", None),
        ("not a link", None),
    ],
)
def test_parse_link_rejects(text: str, service: str | None) -> None:
    assert parse_link(text, service) is None


def test_format_link_forms() -> None:
    assert format_link("spotify", "url", SPOTIFY_ID) == f"https://open.spotify.com/playlist/{SPOTIFY_ID}"
    assert format_link("spotify", "uri", SPOTIFY_ID) == f"spotify:playlist:{SPOTIFY_ID}"
    assert format_link("spotify", "id", SPOTIFY_ID) == SPOTIFY_ID
    assert format_link("deezer", "url", "908622995") == "https://www.deezer.com/playlist/908622995"
    assert format_link("deezer", "uri", "908622995") == "https://www.deezer.com/playlist/908622995"
    assert format_link("deezer", "id", "908622995") == "908622995"
    apple = format_link("apple", "url", "pl.u-11zBZVosNP6EVjE", name="Top Forró", storefront="de")
    assert apple == "https://music.apple.com/de/playlist/top-forr%C3%B3/pl.u-11zBZVosNP6EVjE"
    assert format_link("apple", "uri", "pl.u-x1", name="—") == "https://music.apple.com/us/playlist/pl.u-x1"
    assert format_link("apple", "id", "pl.u-x1") == "pl.u-x1"


def test_format_link_rejects_unknown_service_and_form() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        format_link("tidal", "url", "1")
    with pytest.raises(ValueError, match="unknown link form"):
        format_link("spotify", "share", SPOTIFY_ID)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Top Forró", "top-forr%C3%B3"),
        ("Top Female R&B Divas", "top-female-r-b-divas"),
        ("Top Balkan Music 2025", "top-balkan-music-2025"),
        ("Soundtrack — MelodyMind", "soundtrack-melodymind"),
        ("  !!  ", ""),
    ],
)
def test_apple_slug(name: str, slug: str) -> None:
    assert apple_slug(name) == slug


def test_every_formatted_link_parses_back() -> None:
    for service, playlist_id in (
        ("spotify", SPOTIFY_ID),
        ("deezer", "908622995"),
        ("apple", "pl.u-11zBZVosNP6EVjE"),
    ):
        for form in ("url", "uri", "id"):
            link = parse_link(format_link(service, form, playlist_id, name="Film Music"), service)
            assert link is not None
            assert (link.service, link.playlist_id) == (service, playlist_id)
