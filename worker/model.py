"""Value types shared by every stage. Read this first.

Terminology
-----------
article     one markdown file with YAML frontmatter under the content root.
work        something an article mentions that can be listened to: a song, an album, a film or game
            soundtrack (score). Carries the evidence (line and text) it was extracted from.
service     a streaming catalogue: "spotify", "deezer" or "apple".
query       the provider-neutral search request built from a work (`WorkQuery`).
candidate   one catalogue entry (track or album) a service returned for a query (`Candidate`).
match       the outcome of scoring candidates for one work on one service (see `worker.matching`).
playlist    one playlist per article per service; the worker only changes entries it added itself.
link        the playlist's public address as written in the article's frontmatter.

All types here are frozen dataclasses with no I/O; they cross every module boundary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

SERVICES: tuple[str, ...] = ("spotify", "deezer", "apple")

WorkKind = Literal["song", "album", "soundtrack", "work"]
"""song: a single track; album: a record; soundtrack: a film/game/show score or OST; work: unknown."""


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of `text`, for keys and comparisons."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", " ", ascii_only.casefold()).strip()


@dataclass(frozen=True)
class Evidence:
    """Where a work was found: 1-based line in the article file and the text around the mention."""

    line: int
    text: str


@dataclass(frozen=True)
class Work:
    """A listenable work mentioned by an article."""

    artist: str | None
    title: str
    year: int | None
    kind: WorkKind
    confidence: float
    evidence: Evidence

    @property
    def key(self) -> str:
        """Stable identity for caches and overrides: folded artist, title and year."""
        return f"{fold(self.artist or '')}|{fold(self.title)}|{self.year or ''}"


@dataclass(frozen=True)
class WorkQuery:
    """Provider-neutral search request. Adapters turn it into their own query syntax."""

    title: str
    artist: str | None = None
    year: int | None = None
    album: str | None = None

    @classmethod
    def for_work(cls, work: Work) -> WorkQuery:
        return cls(title=work.title, artist=work.artist, year=work.year)


@dataclass(frozen=True)
class Candidate:
    """One catalogue entry returned by a service: a track, or an album when `kind == "album"`."""

    service: str
    id: str
    uri: str
    url: str
    title: str
    artists: tuple[str, ...]
    album: str | None = None
    album_id: str | None = None
    album_type: str | None = None
    release_year: int | None = None
    duration_ms: int | None = None
    isrc: str | None = None
    track_number: int | None = None
    playable: bool = True
    kind: Literal["track", "album"] = "track"


@dataclass(frozen=True)
class Playlist:
    """A playlist as a service reports it. `track_ids` are in playlist order."""

    service: str
    id: str
    name: str
    description: str
    url: str | None
    track_ids: tuple[str, ...] = ()
    track_count: int = 0
    playable_count: int | None = None
    owned: bool = True
    extra: dict[str, str] = field(default_factory=dict)
