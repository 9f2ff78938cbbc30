"""Small builders for works and candidates, so each test row states only what matters."""

from __future__ import annotations

from itertools import count
from typing import Any

from worker.model import Candidate, Evidence, Work, WorkKind

_ids = count(1)


def work(title: str, artist: str | None = None, year: int | None = None, kind: WorkKind = "song") -> Work:
    return Work(artist=artist, title=title, year=year, kind=kind, confidence=0.9, evidence=Evidence(1, title))


def cand(title: str, *artists: str, **fields: Any) -> Candidate:
    """A Spotify-like track candidate; `fields` override any other Candidate field."""
    ident = fields.pop("id", f"id{next(_ids)}")
    values: dict[str, Any] = {
        "service": "spotify",
        "id": ident,
        "uri": f"spotify:track:{ident}",
        "url": f"https://open.spotify.com/track/{ident}",
        "title": title,
        "artists": artists,
        "album_type": "album",
    }
    values.update(fields)
    return Candidate(**values)


def album(title: str, *artists: str, **fields: Any) -> Candidate:
    return cand(title, *artists, kind="album", **fields)
