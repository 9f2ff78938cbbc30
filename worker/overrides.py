"""Editors' overrides (`config/overrides.yaml`): pin a recording, mark "not on this service", or drop a work.

An entry names a work by artist, title and optionally year, compared after `fold` (case, accents and
punctuation do not matter; a leading "The" in the artist neither). An entry without `artist` applies to
every work with that title; with `article` it applies only to that article (path relative to the content
root). When several entries apply, global ones are applied first and article ones after, each in file
order, and a later pin or `not_on` for a service replaces an earlier one; `exclude` from any entry wins.

The file format is documented, with an example, in the comments of `config/overrides.yaml`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from worker.config import Service
from worker.errors import ConfigError
from worker.matching import artist_key
from worker.model import Work, fold

HINT = "Fix each entry listed above; the format is described at the top of config/overrides.yaml."


@dataclass(frozen=True)
class WorkOverride:
    """What the editors decided for one work in one article."""

    exclude: bool = False
    pins: dict[str, str] = field(default_factory=dict)
    """service → the track id to use instead of searching."""
    not_on: frozenset[str] = frozenset()
    """Services to report as "not on this service" without searching."""


@dataclass(frozen=True)
class Override:
    """One entry of the overrides file."""

    title: str
    artist: str | None = None
    year: int | None = None
    article: str | None = None
    pins: dict[str, str] = field(default_factory=dict)
    not_on: frozenset[str] = frozenset()
    exclude: bool = False

    def applies_to(self, rel_path: str, work: Work) -> bool:
        return (
            self.affects(rel_path)
            and fold(self.title) == fold(work.title)
            and (self.artist is None or artist_key(self.artist) == artist_key(work.artist or ""))
            and (self.year is None or self.year == work.year)
        )

    def affects(self, rel_path: str) -> bool:
        """True when the entry can apply to works of this article."""
        return self.article is None or PurePosixPath(self.article) == PurePosixPath(rel_path)

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "artist": self.artist,
            "year": self.year,
            "article": self.article,
            "pins": dict(sorted(self.pins.items())),
            "not_on": sorted(self.not_on),
            "exclude": self.exclude,
        }


@dataclass(frozen=True)
class Overrides:
    """Every entry of the overrides file, in file order."""

    entries: tuple[Override, ...] = ()

    def for_work(self, rel_path: str, work: Work) -> WorkOverride:
        applicable = [entry for entry in self.entries if entry.applies_to(rel_path, work)]
        applicable.sort(key=lambda entry: entry.article is not None)
        return _combine(applicable)

    def fingerprint(self, rel_path: str) -> str:
        """A hash of the entries that can affect this article; it changes when one of them changes."""
        relevant = [entry.as_json() for entry in self.entries if entry.affects(rel_path)]
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def _combine(entries: Iterable[Override]) -> WorkOverride:
    exclude = False
    pins: dict[str, str] = {}
    not_on: set[str] = set()
    for entry in entries:
        exclude = exclude or entry.exclude
        for service, track_id in entry.pins.items():
            pins[service] = track_id
            not_on.discard(service)
        for service in entry.not_on:
            not_on.add(service)
            pins.pop(service, None)
    return WorkOverride(exclude=exclude, pins=pins, not_on=frozenset(not_on))


# --- loading ------------------------------------------------------------------------------------------


def _bare_id(value: str) -> str:
    if "/" in value or ":" in value:
        raise ValueError(f"{value!r} looks like a link or URI: give only the id (the last part of the link)")
    return value


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_TrackId = Annotated[_Text, AfterValidator(_bare_id)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class _WorkRef(_Strict):
    title: _Text
    artist: _Text | None = None
    year: int | None = None


class _Entry(_Strict):
    work: _WorkRef
    article: _Text | None = None
    pin: dict[Service, _TrackId] = {}
    not_on: list[Service] = []
    exclude: bool = False

    @model_validator(mode="after")
    def _does_something_consistent(self) -> _Entry:
        if not (self.pin or self.not_on or self.exclude):
            raise ValueError("the entry does nothing: add pin, not_on or exclude: true")
        both = sorted(set(self.pin) & set(self.not_on))
        if both:
            raise ValueError(f"{', '.join(both)} is both pinned and listed in not_on: keep one")
        return self

    def to_override(self) -> Override:
        return Override(
            title=self.work.title,
            artist=self.work.artist,
            year=self.work.year,
            article=self.article,
            pins={str(service): track_id for service, track_id in self.pin.items()},
            not_on=frozenset(self.not_on),
            exclude=self.exclude,
        )


def load_overrides(path: Path) -> Overrides:
    """Read the overrides file. A missing file means no overrides; a bad one raises `ConfigError` listing
    every problem by entry number (1-based) and line."""
    if not path.exists():
        return Overrides()
    entries = _read_entries(path)
    problems: list[str] = []
    overrides: list[Override] = []
    for index, raw in enumerate(entries):
        where = f"entry {index + 1} (line {_line_of(entries, index)})"
        try:
            overrides.append(_Entry.model_validate(raw).to_override())
        except ValidationError as exc:
            problems += [f"{where}: {_describe(error)}" for error in exc.errors()]
    if problems:
        raise ConfigError(f"The overrides file {path} is not valid:", problems, HINT)
    return Overrides(tuple(overrides))


def _read_entries(path: Path) -> Any:
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot parse {path}:", [str(exc)], "Fix the YAML syntax and run again.") from exc
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"overrides"}:
        raise ConfigError(f"{path} must hold one key, `overrides:`, with a list of entries.", hint=HINT)
    entries = data.get("overrides") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `overrides:` must be a list of entries (each starting with `- work:`).")
    return entries


def _line_of(entries: Any, index: int) -> int | str:
    try:
        return int(entries.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return "?"


def _describe(error: Any) -> str:
    location = ".".join(str(part) for part in error["loc"] if isinstance(part, str) and part != "[key]")
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"].endswith("_parsing"):
        message = f"{message} (got {error.get('input')!r})"
    if error["type"] == "extra_forbidden":
        message = "unknown key (allowed: work, article, pin, not_on, exclude; in work: artist, title, year)"
    elif error["type"] == "missing":
        message = "missing (every entry needs work: {title: …})"
    elif error["type"] == "enum" or "literal" in error["type"]:
        message = f"{error.get('input')!r} is not a service: use spotify, deezer or apple"
    return f"{location}: {message}" if location else message
