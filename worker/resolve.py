"""Resolve one work to recordings on every service: pins, cache, primary search, then ISRC elsewhere.

The primary service (settings.services.primary) is searched and scored; the tracks it picks carry ISRCs, and
every other service is asked for the *same recording* by ISRC, confirmed by duration and title or performer
(`matching.same_recording`). A pick without an ISRC (album-track listings carry none) is looked up once by
id, on first need. Of several tracks sharing the ISRC, the one on the anchor's album wins (a soundtrack song,
not its greatest-hits twin); when the lookup shows only other albums, one search within the anchor's album
looks for it there. Only when the ISRC is missing or disagrees does another service get a scored search of
its own. When the primary's search failed but a later service found the work (per-service title spellings:
a German album title on Deezer), the services that failed are asked by that ISRC in turn. Each result says
how it was found: pin, cache, search or isrc.

Searching relaxes step by step (`search_steps`) while scoring stays strict: fielded artist and title in the
kind the article suggests; then the other kind (extraction may call a song an album); then the title alone
(the service may spell the artist differently). Where track hits carry their album (Spotify), albums and
works of unknown kind are looked for through one track search (`search_album_tracks`) that names album and
track at once; when it returns everything it matched and holds a theme track of the chosen album, no album
listing is fetched. The article's year is never a search filter, since an album often appears years after
its film; `matching` weighs it instead. The steps stop at the first decisive outcome (matched or
ambiguous), so a work found at once costs one search call.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from worker.config import Settings
from worker.matching import (
    SAME_PERFORMER,
    Match,
    ScoreParts,
    artist_similarity,
    choose,
    names_the_work,
    normalize_title,
    representative_tracks,
    same_recording,
)
from worker.model import Candidate, Work, WorkQuery
from worker.overrides import WorkOverride
from worker.providers.base import CatalogProvider
from worker.state import State

log = logging.getLogger(__name__)

Outcome = Literal["matched", "ambiguous", "not_found", "not_on_service"]
FoundBy = Literal["search", "isrc", "pin", "cache"]
SearchKind = Literal["tracks", "albums", "album_tracks"]
SearchStep = tuple[WorkQuery, tuple[SearchKind, ...]]
SAME_ALBUM_HITS = 5
"""How many hits the search for a recording on its original album looks at."""


def search_steps(work: Work, *, album_in_track_hits: bool = False) -> list[SearchStep]:
    """The queries to try in order: fielded artist + title in the suggested kinds, the other kind, then the
    title alone. No year filter: the year is scored, not searched.

    An album is looked for through its tracks (`album_tracks`) where track hits carry their album
    (`Capabilities.album_in_track_hits`): one call then names the album and yields its representative track
    with an ISRC. Elsewhere it is looked for as an album."""
    albums: SearchKind = "album_tracks" if album_in_track_hits else "albums"
    kinds: dict[str, tuple[SearchKind, ...]] = {
        "song": ("tracks",),
        "album": (albums,),
        "soundtrack": (albums,),
        "work": ("album_tracks",) if album_in_track_hits else ("tracks", "albums"),
    }
    fielded = WorkQuery(title=work.title, artist=work.artist)
    first = kinds[work.kind]
    steps: list[SearchStep] = [(fielded, first)]
    other = tuple(kind for kind in kinds["work"] if kind not in first)
    if other:
        steps.append((fielded, other))
    if work.artist:
        steps.append((WorkQuery(title=work.title), first))
    return steps


@dataclass
class Found:
    """What the searches for one work on one service brought back."""

    candidates: dict[tuple[str, str], Candidate] = field(default_factory=dict)
    listed: dict[str, dict[str, Candidate]] = field(default_factory=dict)
    """Album id → its tracks by id, from album-track searches that returned everything they matched."""

    def add(self, kind: SearchKind, hits: list[Candidate], complete: bool) -> None:
        for hit in hits:
            self.candidates.setdefault((hit.kind, hit.id), hit)
            if kind == "album_tracks" and complete and hit.album_id is not None:
                self.listed.setdefault(hit.album_id, {})[hit.id] = hit

    def credits(self, artist: str) -> bool:
        """True when some candidate credits `artist` (as the article spells it)."""
        return any(artist_similarity(artist, c.artists) >= SAME_PERFORMER for c in self.candidates.values())

    def instalment_of(self, work: Work) -> bool:
        """True when some candidate's album is an instalment of the work ("Harry Potter and the Sorcerer's
        Stone", "Star Wars: A New Hope" for "Star Wars"): the work names a franchise."""
        albums = (c.title if c.kind == "album" else c.album for c in self.candidates.values())
        return any(album and is_instalment(work.title, album) for album in albums)

    def track(self, track_id: str) -> Candidate | None:
        return self.candidates.get(("track", track_id))


@dataclass(frozen=True)
class Resolution:
    """What one work becomes on one service."""

    work: Work
    outcome: Outcome
    tracks: tuple[Candidate, ...] = ()
    score: float = 0.0
    found_by: FoundBy = "search"
    ranked: tuple[tuple[Candidate, ScoreParts], ...] = ()


@dataclass
class Anchor:
    """The first service's match, which the others are asked for by ISRC. ISRCs missing from its tracks
    are looked up once, on first need (album-track listings carry none)."""

    service: str
    resolution: Resolution
    complete: bool = False
    asked: set[str] = field(default_factory=set)
    """Services already asked for the anchor's ISRCs."""


class Resolver:
    """Resolves works for one run. Network comes in as `providers`, time as `now` (epoch seconds)."""

    def __init__(
        self,
        providers: Mapping[str, CatalogProvider],
        state: State,
        settings: Settings,
        now: float,
        *,
        refresh: bool = False,
    ) -> None:
        self.providers = providers
        self.state = state
        self.settings = settings
        self.now = now
        self.refresh = refresh

    @property
    def order(self) -> list[str]:
        """Services in resolution order: the primary first, when it takes part in this run."""
        primary = self.settings.services.primary
        return sorted(self.providers, key=lambda name: (name != primary, name))

    def resolve(self, work: Work, override: WorkOverride) -> dict[str, Resolution]:
        results: dict[str, Resolution] = {}
        anchor: Anchor | None = None
        for service in self.order:
            result = self._resolve_on(service, work, override, anchor)
            results[service] = result
            if anchor is None and result.outcome == "matched" and result.found_by != "pin":
                anchor = Anchor(service, result)
        if anchor is not None:
            results.update(self._catch_up(work, results, anchor))
            results[anchor.service] = anchor.resolution
        return results

    def _catch_up(
        self, work: Work, results: Mapping[str, Resolution], anchor: Anchor
    ) -> dict[str, Resolution]:
        """Services whose fresh search failed before the anchor was found, asked for it by ISRC now."""
        caught: dict[str, Resolution] = {}
        for service, result in results.items():
            if service in anchor.asked or result.found_by != "search":
                continue
            if result.outcome not in ("not_found", "ambiguous"):
                continue
            found = self._by_isrc(service, work, anchor)
            if found is not None:
                self._remember(service, found)
                caught[service] = found
        return caught

    def _resolve_on(
        self, service: str, work: Work, override: WorkOverride, anchor: Anchor | None
    ) -> Resolution:
        if service in override.not_on:
            return Resolution(work, "not_on_service")
        if service in override.pins:
            return Resolution(
                work, "matched", (pinned_candidate(service, override.pins[service]),), 1.0, "pin"
            )
        cached = None if self.refresh else self._cached(service, work)
        if cached is not None:
            return cached
        result = self._by_isrc(service, work, anchor) if anchor else None
        if result is None:
            result = self._by_search(service, work, relax=anchor is None)
        self._remember(service, result)
        return result

    def _cached(self, service: str, work: Work) -> Resolution | None:
        hit = self.state.get_match(service, work.key)
        if hit is not None:
            return Resolution(work, "matched", hit.tracks, hit.score, "cache")
        if self.state.due_for_retry(service, work.key, self.now):
            return None
        negative = self.state.get_negative(service, work.key)
        return Resolution(work, negative.status, found_by="cache") if negative else None

    def _by_isrc(self, service: str, work: Work, anchor: Anchor) -> Resolution | None:
        anchor.asked.add(service)
        provider = self.providers[service]
        found: list[Candidate] = []
        for source in self._with_isrcs(anchor):
            if not source.isrc:
                return None
            same = [c for c in provider.lookup_isrc(source.isrc) if self._same(source, c)]
            if not same:
                return None
            found.append(self._on_source_album(provider, source, same))
        return Resolution(work, "matched", tuple(found), anchor.resolution.score, "isrc")

    def _on_source_album(
        self, provider: CatalogProvider, source: Candidate, same: Sequence[Candidate]
    ) -> Candidate:
        """Of the tracks carrying the source's recording, the one on the source's album (a song on its
        soundtrack, not on a greatest-hits album). When the ISRC lookup gave only other albums, one search
        within the source's album looks for it there; otherwise the lookup's first track stands."""
        on_album = [c for c in same if same_album(source, c)]
        if on_album or not source.album:
            return (on_album or [*same])[0]
        query = WorkQuery(
            title=source.title, artist=next(iter(source.artists), None), album=normalize_title(source.album)
        )
        hits = provider.search_tracks(query, limit=SAME_ALBUM_HITS)
        return next((c for c in hits if same_album(source, c) and self._same(source, c)), same[0])

    def _with_isrcs(self, anchor: Anchor) -> tuple[Candidate, ...]:
        """The anchor's tracks, each with an ISRC where its service has one (one lookup per missing ISRC)."""
        if anchor.complete:
            return anchor.resolution.tracks
        anchor.complete = True
        provider = self.providers[anchor.service]
        tracks = tuple(
            track
            if track.isrc
            else filled(provider.lookup_track(track.id), track.album, track.album_type, track.release_year)
            for track in anchor.resolution.tracks
        )
        if tracks != anchor.resolution.tracks:
            anchor.resolution = replace(anchor.resolution, tracks=tracks)
            if anchor.resolution.found_by == "search":
                self._remember(anchor.service, anchor.resolution)
        return tracks

    def _same(self, source: Candidate, other: Candidate) -> bool:
        """Availability is not identity: an unplayable copy is still the same recording."""
        return same_recording(source, other, self.settings.matching.duration_tolerance_s)

    def _by_search(self, service: str, work: Work, *, relax: bool = True) -> Resolution:
        """A scored search. Without `relax` only the first step is tried: another service has found the
        work, and this one lacks its recording (no ISRC twin), so relaxed queries would mostly find decoys."""
        provider = self.providers[service]
        found = Found()
        match = choose(work, [], self.settings.matching)
        steps = search_steps(work, album_in_track_hits=provider.capabilities.album_in_track_hits)
        for query, step_kinds in steps if relax else steps[:1]:
            kinds = step_kinds if query.artist else self._kinds_without_artist(work, found, step_kinds)
            if not kinds:
                break
            for kind in kinds:
                hits, complete = self._search(provider, kind, query)
                found.add(kind, hits, complete)
            match = choose(work, list(found.candidates.values()), self.settings.matching)
            if match.status != "not_found":
                break
        if match.status != "matched" or match.candidate is None:
            return Resolution(work, match.status, ranked=match.ranked, score=match.score)
        tracks = self._tracks_for(provider, work, match, found)
        if not tracks:
            return Resolution(work, "not_found", ranked=match.ranked)
        return Resolution(work, "matched", tuple(tracks), match.score, "search", match.ranked)

    @staticmethod
    def _kinds_without_artist(
        work: Work, found: Found, kinds: tuple[SearchKind, ...]
    ) -> tuple[SearchKind, ...]:
        """What the title-only step searches. Nothing when the service spells the artist as the article
        does (dropping it finds only others' recordings), unless the work names a franchise: then the
        re-recordings found without the artist name its theme (`matching.rerecorded_themes`), so only
        tracks are searched (re-recordings are tracks, whatever kind the work is)."""
        if not work.artist or not found.credits(work.artist):
            return kinds
        if not found.instalment_of(work):
            return ()
        return tuple(kind for kind in kinds if kind != "albums") or ("tracks",)

    @staticmethod
    def _search(
        provider: CatalogProvider, kind: SearchKind, query: WorkQuery
    ) -> tuple[list[Candidate], bool]:
        """The hits, and whether they are all the service matched (fewer than one full search)."""
        limit = provider.capabilities.search_limit
        if kind == "tracks":
            hits = provider.search_tracks(query, limit=limit)
        elif kind == "album_tracks":
            hits = provider.search_album_tracks(query, limit=limit)
        else:
            hits = provider.search_albums(query, limit=limit)
        return hits, len(hits) < limit

    def _tracks_for(
        self, provider: CatalogProvider, work: Work, match: Match, found: Found
    ) -> list[Candidate]:
        """The chosen track when its own title is the work; otherwise its album's representative tracks."""
        chosen = match.candidate
        assert chosen is not None
        if chosen.kind == "track" and (
            work.kind == "song" or names_the_work(work, chosen) or not chosen.album_id
        ):
            return [chosen]
        album_id = chosen.id if chosen.kind == "album" else chosen.album_id
        assert album_id is not None
        picked = self._themes_found(work, found, album_id) or self._representatives(
            work, provider.album_tracks(album_id)
        )
        return [
            filled(found.track(track.id) or track, chosen.title, chosen.album_type, chosen.release_year)
            for track in picked
        ]

    def _themes_found(self, work: Work, found: Found, album_id: str) -> list[Candidate]:
        """Theme tracks of the album among the album-track search hits, when they hold all the album's
        tracks by the artist. Only a theme can be told without the album's listing: an artist filter hides
        songs by other performers, so the opening track may be missing from the hits."""
        listed = found.listed.get(album_id)
        if not listed or list(self.settings.playlists.representative[:1]) != ["theme"]:
            return []
        count = self.settings.playlists.tracks_per_work
        themes = representative_tracks(work, list(listed.values()), ["theme"], count)
        return themes if len(themes) == count else []

    def _representatives(self, work: Work, album_tracks: Sequence[Candidate]) -> list[Candidate]:
        playlists = self.settings.playlists
        return representative_tracks(work, album_tracks, playlists.representative, playlists.tracks_per_work)

    def _remember(self, service: str, result: Resolution) -> None:
        if result.outcome == "matched":
            self.state.put_match(
                service, result.work.key, result.tracks, result.score, result.found_by, self.now
            )
        elif result.outcome in ("not_found", "ambiguous"):
            self.state.put_negative(
                service, result.work.key, result.outcome, self.now, self.settings.matching
            )


_INSTALMENT = re.compile(r"\s+and\s+the\s+|\s*:\s+")


def is_instalment(title: str, album: str) -> bool:
    """ "Harry Potter and the Sorcerer's Stone" and "Star Wars: A New Hope" are instalments of the franchise
    named first; "Harry Potter" itself is not."""
    main = _INSTALMENT.split(album, maxsplit=1)
    return len(main) == 2 and normalize_title(main[0]) == normalize_title(title)


def same_album(source: Candidate, other: Candidate) -> bool:
    """Both tracks are on albums of one title (edition noise aside)."""
    return bool(source.album and other.album) and normalize_title(source.album or "") == normalize_title(
        other.album or ""
    )


def filled(
    track: Candidate, album: str | None, album_type: str | None, release_year: int | None
) -> Candidate:
    """`track` with the album facts it lacks filled in: listings and lookups each leave out some of them."""
    return replace(
        track,
        album=track.album or album,
        album_type=track.album_type or album_type,
        release_year=track.release_year or release_year,
    )


def pinned_candidate(service: str, track_id: str) -> Candidate:
    """A pinned recording, known only by id (no lookup call is spent on it)."""
    uri = f"spotify:track:{track_id}" if service == "spotify" else track_id
    return Candidate(service=service, id=track_id, uri=uri, url="", title="(pinned)", artists=())


def wanted_track_ids(resolutions: Sequence[Resolution]) -> list[str]:
    """Playlist order = first mention in the article; a track wanted twice appears once."""
    seen: dict[str, None] = {}
    for resolution in resolutions:
        for track in resolution.tracks:
            seen.setdefault(track.id, None)
    return list(seen)
