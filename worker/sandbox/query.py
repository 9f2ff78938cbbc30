"""Search queries as the services parse them: field filters plus free words, matched on folded text.

Spotify: `artist:Vangelis track:"Love Theme" year:1980-1985 isrc:USEE19400103 free words`.
Deezer: `artist:"Vangelis" track:"Love Theme" album:"Blade Runner" free words` (text values in quotes).
A record matches when every filter matches and every free word occurs in its title, artists or album.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from worker.model import fold
from worker.sandbox.catalog import Album, Track

Check = Callable[[str], bool]
SPOTIFY_FIELD = re.compile(r'\b(artist|track|album|year|isrc|upc|genre|tag):("[^"]*"|\S+)')
DEEZER_FIELD = re.compile(r'\b(artist|track|album|label):"([^"]*)"|\b(dur_min|dur_max|bpm_min|bpm_max):(\d+)')


@dataclass(frozen=True)
class Criteria:
    filters: dict[str, str] = field(default_factory=dict)
    words: tuple[str, ...] = ()


def parse_spotify(q: str) -> Criteria:
    filters = {name: value.strip('"') for name, value in SPOTIFY_FIELD.findall(q)}
    return Criteria(filters, tuple(fold(SPOTIFY_FIELD.sub(" ", q)).split()))


def parse_deezer(q: str) -> Criteria:
    filters: dict[str, str] = {}
    for text_name, text_value, number_name, number_value in DEEZER_FIELD.findall(q):
        filters[text_name or number_name] = text_value or number_value
    return Criteria(filters, tuple(fold(DEEZER_FIELD.sub(" ", q)).split()))


def parse_words(term: str) -> Criteria:
    return Criteria({}, tuple(fold(term).split()))


def _contains(haystack: str, needle: str) -> bool:
    folded = fold(needle)
    return bool(folded) and f" {folded} " in f" {fold(haystack)} "


def _year_ok(year: int, spec: str) -> bool:
    bounds = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", spec)
    if bounds is None:
        return False
    low, high = int(bounds[1]), int(bounds[2] or bounds[1])
    return low <= year <= high


def _words_ok(words: tuple[str, ...], texts: list[str]) -> bool:
    haystack = f" {' '.join(fold(t) for t in texts)} "
    return all(f" {word} " in haystack for word in words)


def _artists_ok(names: list[str], wanted: str) -> bool:
    return any(_contains(name, wanted) for name in names)


def track_matches(track: Track, criteria: Criteria) -> bool:
    names = [a.name for a in track.artists]
    checks: Mapping[str, Check] = {
        "artist": lambda v: _artists_ok(names, v),
        "track": lambda v: _contains(track.title, v),
        "album": lambda v: _contains(track.album.title, v),
        "year": lambda v: _year_ok(track.album.year, v),
        "isrc": lambda v: v.upper() == track.isrc,
        "dur_min": lambda v: track.duration_ms >= int(v) * 1000,
        "dur_max": lambda v: track.duration_ms <= int(v) * 1000,
    }
    return _all_ok(criteria, checks) and _words_ok(criteria.words, [track.title, *names, track.album.title])


def album_matches(album: Album, criteria: Criteria) -> bool:
    names = [a.name for a in album.artists]
    checks: Mapping[str, Check] = {
        "artist": lambda v: _artists_ok(names, v),
        "album": lambda v: _contains(album.title, v),
        "year": lambda v: _year_ok(album.year, v),
        "upc": lambda v: v == album.upc,
        "label": lambda v: _contains(album.label or "", v),
    }
    return _all_ok(criteria, checks) and _words_ok(criteria.words, [album.title, *names])


def _all_ok(criteria: Criteria, checks: Mapping[str, Check]) -> bool:
    """Every filter must be one this kind supports and must hold: a track filter finds no albums."""
    for name, value in criteria.filters.items():
        check = checks.get(name)
        if check is None or not check(value):
            return False
    return True
