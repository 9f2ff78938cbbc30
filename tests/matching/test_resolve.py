"""The resolver's call budget against in-memory providers: one search finds an album, one ISRC lookup per
other service finds the same recording, and the ISRC twin on the anchor's album wins."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from tests.matching.factories import album, cand, work
from worker.config import load_settings
from worker.model import Candidate, Playlist, WorkQuery
from worker.overrides import WorkOverride
from worker.providers.base import Capabilities, WriteModel
from worker.resolve import Resolver, is_instalment
from worker.state import State

SETTINGS = load_settings(environ={}, overrides={"services.primary": "spotify"})
BLADE_RUNNER = work("Blade Runner", "Vangelis", 1982, "soundtrack")


@dataclass
class FakeProvider:
    """Answers from fixed lists and counts calls by kind, like an adapter."""

    name: str
    album_hits: list[Candidate] = field(default_factory=list)
    unfielded_hits: list[Candidate] = field(default_factory=list)
    """What a search without the artist finds (re-recordings by others)."""
    isrc_hits: dict[str, list[Candidate]] = field(default_factory=dict)
    full: dict[str, Candidate] = field(default_factory=dict)
    listing: list[Candidate] = field(default_factory=list)
    album_in_track_hits: bool = True
    calls: Counter[str] = field(default_factory=Counter)
    playlists: None = None

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(WriteModel.REPLACE, True, 10, album_in_track_hits=self.album_in_track_hits)

    def search_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        self.calls["search"] += 1
        return []

    def search_albums(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        self.calls["search"] += 1
        return []

    def search_album_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        self.calls["search"] += 1
        return (self.album_hits if query.artist else self.unfielded_hits)[:limit]

    def lookup_isrc(self, isrc: str) -> list[Candidate]:
        self.calls["lookup"] += 1
        return self.isrc_hits.get(isrc, [])

    def lookup_track(self, track_id: str) -> Candidate:
        self.calls["lookup"] += 1
        return self.full[track_id]

    def album_tracks(self, album_id: str) -> list[Candidate]:
        self.calls["lookup"] += 1
        return self.listing

    def read_playlist(self, link_id: str) -> Playlist:
        raise NotImplementedError


def track(title: str, **fields: object) -> Candidate:
    values: dict[str, object] = {
        "album": "Blade Runner",
        "album_id": "br",
        "release_year": 1994,
        "duration_ms": 220_000,
        "track_number": 1,
    }
    return cand(title, "Vangelis", **{**values, **fields})


def resolver(tmp_path: Path, *providers: FakeProvider) -> Resolver:
    state = State.open(tmp_path / "state.db")
    return Resolver({p.name: p for p in providers}, state, SETTINGS, now=0.0)


def test_an_album_costs_one_search_and_one_isrc_lookup_per_other_service(tmp_path: Path) -> None:
    main = track("Main Titles", isrc="US1")
    spotify = FakeProvider("spotify", album_hits=[main, track("Love Theme", isrc="US2", track_number=3)])
    deezer = FakeProvider("deezer", isrc_hits={"US1": [replace(main, service="deezer", id="d1")]})

    results = resolver(tmp_path, spotify, deezer).resolve(BLADE_RUNNER, WorkOverride())

    assert [t.title for t in results["spotify"].tracks] == ["Main Titles"]
    assert (results["deezer"].found_by, results["deezer"].tracks[0].id) == ("isrc", "d1")
    assert spotify.calls == Counter(search=1) and deezer.calls == Counter(lookup=1)


def test_a_listed_pick_without_isrc_is_looked_up_once_for_the_fan_out(tmp_path: Path) -> None:
    hits = [track("Love Theme", isrc="US2", track_number=3)] * 10  # a full page: the listing is needed
    listed = track("Main Titles", id="m1")
    spotify = FakeProvider(
        "spotify", album_hits=hits, listing=[listed], full={"m1": replace(listed, isrc="US1")}
    )
    deezer = FakeProvider(
        "deezer", isrc_hits={"US1": [replace(listed, service="deezer", id="d1", isrc="US1")]}
    )

    results = resolver(tmp_path, spotify, deezer).resolve(BLADE_RUNNER, WorkOverride())

    assert results["spotify"].tracks[0].isrc == "US1" and results["deezer"].found_by == "isrc"
    assert spotify.calls == Counter(search=1, lookup=2)


def test_of_two_isrc_twins_the_one_on_the_anchors_album_wins(tmp_path: Path) -> None:
    main = track("Main Titles", isrc="US1")
    hits = [
        replace(main, service="apple", id=i, album=a) for i, a in (("gh", "Themes"), ("og", "Blade Runner"))
    ]
    spotify = FakeProvider("spotify", album_hits=[main])
    apple = FakeProvider("apple", isrc_hits={"US1": hits})

    results = resolver(tmp_path, spotify, apple).resolve(BLADE_RUNNER, WorkOverride())

    assert results["apple"].tracks[0].id == "og"


def test_a_franchise_is_looked_for_without_the_artist_to_find_the_theme_its_re_recordings_name(
    tmp_path: Path,
) -> None:
    potter = work("Harry Potter", "John Williams", None, "soundtrack")
    stone = "Harry Potter and the Sorcerer's Stone (Original Motion Picture Soundtrack)"
    own = [cand(t, "John Williams", album=stone, album_id="hp1") for t in ("Prologue", "Hedwig's Theme")]
    cover = cand('Hedwig\'s Theme (From "Harry Potter")', "London Music Works", album="Blockbuster Themes")
    spotify = FakeProvider("spotify", album_hits=own, unfielded_hits=[cover, *own])

    results = resolver(tmp_path, spotify).resolve(potter, WorkOverride())

    assert [t.title for t in results["spotify"].tracks] == ["Hedwig's Theme"]
    assert spotify.calls == Counter(search=2)


def test_without_an_instalment_a_credited_artist_ends_the_search(tmp_path: Path) -> None:
    other = cand("Memoirs", "John Williams", album="Memoirs of a Geisha", album_id="m1")
    spotify = FakeProvider("spotify", album_hits=[other], unfielded_hits=[other])

    results = resolver(tmp_path, spotify).resolve(
        work("Harry Potter", "John Williams", None, "soundtrack"), WorkOverride()
    )

    assert results["spotify"].outcome == "not_found" and spotify.calls == Counter(search=1)


@pytest.mark.parametrize(
    ("title", "album", "expected"),
    [
        ("Harry Potter", "Harry Potter and the Sorcerer's Stone (Original Motion Picture Soundtrack)", True),
        ("Star Wars", "Star Wars: A New Hope", True),
        ("Harry Potter", "Harry Potter (Original Motion Picture Soundtrack)", False),
        ("Harry Potter", "The Harry Potter Songbook: Piano", False),
    ],
)
def test_an_instalment_is_named_after_its_franchise(title: str, album: str, expected: bool) -> None:
    assert is_instalment(title, album) is expected


def test_where_albums_are_searched_as_albums_a_franchise_is_looked_for_among_tracks(tmp_path: Path) -> None:
    potter = work("Harry Potter", "John Williams", None, "soundtrack")
    stone = album("Harry Potter and the Sorcerer's Stone", "John Williams")
    provider = KindsSeen("deezer", album_in_track_hits=False, album_list=[stone])

    resolver(tmp_path, provider).resolve(potter, WorkOverride())

    assert provider.kinds == [("albums", "John Williams"), ("tracks", "John Williams"), ("tracks", None)]


@dataclass
class KindsSeen(FakeProvider):
    """Records each search's kind and artist; albums come from `album_list`."""

    album_list: list[Candidate] = field(default_factory=list)
    kinds: list[tuple[str, str | None]] = field(default_factory=list)

    def search_tracks(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        self.kinds.append(("tracks", query.artist))
        return super().search_tracks(query, limit=limit)

    def search_albums(self, query: WorkQuery, *, limit: int = 10) -> list[Candidate]:
        self.kinds.append(("albums", query.artist))
        return self.album_list
