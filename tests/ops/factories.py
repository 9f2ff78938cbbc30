"""Articles and a scripted provider for the ops tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from worker.config import Settings
from worker.errors import ProviderError
from worker.model import Candidate, Playlist, WorkQuery
from worker.providers.base import Capabilities, PlaylistProvider, WriteModel

SPOTIFY_ID = "37i9dQZF1DXcBWIGoYBM5M"
DEEZER_ID = "908622995"
APPLE_ID = "pl.u-8aAVZAxIoRk7zg"

LINK_FORMS: dict[str, tuple[str, str]] = {
    "spotify url with ?si=": ("spotify", f"https://open.spotify.com/playlist/{SPOTIFY_ID}?si=a1b2c3d4e5"),
    "spotify intl url": ("spotify", f"https://open.spotify.com/intl-de/playlist/{SPOTIFY_ID}"),
    "spotify uri": ("spotify", f"spotify:playlist:{SPOTIFY_ID}"),
    "spotify bare id": ("spotify", SPOTIFY_ID),
    "deezer url with language": ("deezer", f"https://www.deezer.com/en/playlist/{DEEZER_ID}"),
    "deezer url": ("deezer", f"https://www.deezer.com/playlist/{DEEZER_ID}"),
    "deezer short link": ("deezer", "https://link.deezer.com/s/30ZkbQnGR1cZ8gWwW8mJl"),
    "deezer bare id": ("deezer", DEEZER_ID),
    "apple url with slug": ("apple", f"https://music.apple.com/us/playlist/film-music/{APPLE_ID}"),
    "apple url with encoded slug": (
        "apple",
        f"https://music.apple.com/br/playlist/top-forr%C3%B3/{APPLE_ID}",
    ),
    "apple url without slug": ("apple", f"https://music.apple.com/gb/playlist/{APPLE_ID}"),
    "apple bare id": ("apple", APPLE_ID),
}
KEYS = {"spotify": "spotifyPlaylist", "deezer": "deezerPlaylist", "apple": "appleMusicPlaylist"}


def article_text(links: dict[str, str], playable: bool | None = None, title: str = "An article") -> str:
    """An article whose `category` holds the given service → link values (all three keys, "" by default)."""
    lines = ["---", f"title: {title}", "category:"]
    lines += [f'  {key}: "{links.get(service, "")}"' for service, key in KEYS.items()]
    if playable is not None:
        lines.append(f"isPlayable: {str(playable).lower()}")
    return "\n".join([*lines, "---", "", "Body text.", ""])


def write_article(root: Path, name: str, links: dict[str, str], playable: bool | None = None) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(links, playable), encoding="utf-8")
    return path


def settings_for(root: Path, **sections: dict[str, object]) -> Settings:
    return Settings.model_validate({"content": {"root": str(root)}, **sections})


@dataclass
class ScriptedProvider:
    """A catalogue whose playlists (or errors) are given per id; counts its reads like a real adapter."""

    name: str
    answers: dict[str, Playlist | ProviderError] = field(default_factory=dict)
    short_links: dict[str, str] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    capabilities: Capabilities = Capabilities(WriteModel.REPLACE, isrc_in_search=True, search_limit=10)
    playlists: PlaylistProvider | None = None

    def read_playlist(self, link_id: str) -> Playlist:
        self.calls["playlist_read"] += 1
        answer = self.answers[link_id]
        if isinstance(answer, ProviderError):
            raise answer
        return answer

    def resolve_short_link(self, url: str) -> str:
        self.calls["playlist_read"] += 1
        return self.short_links[url]

    def search_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        raise AssertionError("check never searches")

    search_albums = search_tracks

    def lookup_isrc(self, isrc: str) -> list[Candidate]:
        raise AssertionError("check never looks up")

    def album_tracks(self, album_id: str) -> list[Candidate]:
        raise AssertionError("check never reads albums")


def playlist(service: str, playlist_id: str, tracks: int, playable: int | None = None) -> Playlist:
    return Playlist(service, playlist_id, "A playlist", "", None, track_count=tracks, playable_count=playable)
