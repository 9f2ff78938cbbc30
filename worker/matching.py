"""Pure matching: score a service's candidates against a work and decide matched, ambiguous or not found.

No I/O here. Adapters produce `Candidate` values, this module scores them, and the sync acts on the `Match`.

How a candidate is scored (`score_candidate`)
---------------------------------------------
Four parts in 0..1, combined as a weighted mean over the parts the work can inform, minus penalties:

============  ======  ====================================================================================
part          weight  what it measures
============  ======  ====================================================================================
title         3       rapidfuzz ratio of the titles after `normalize_title` (edition noise removed). For an
                      album or soundtrack the candidate's album title counts; for a song its track title.
artist        3       best ratio between the work's artist and ANY credited artist (composers are often
                      one credit among several); "The X" = "X", "&" = "and", accents folded; a name of two
                      words or more inside a longer credit ("The Dave Brubeck Quartet") counts 0.9. Left out
                      of the total when the article names no artist.
year          1       closeness to the *reference year*: the earliest release, not before the article's
                      year, among the plausible candidates (title ≥ 0.9 and, when the article names one,
                      by its artist). 1 for that year or the next; a later release loses 1/20 per year
                      (remasters, anniversary editions, remakes), one before the article's year 1/5 per
                      year (it cannot be the recording of a later work). So the article's year is evidence
                      of the original, not a filter: a 1994 album of a 1982 film still scores 1 when it
                      is the first release. Without a year in the article the reference is the earliest
                      plausible release. Weighted 3 when the article names no artist, because the year
                      then stands in for the artist as evidence of *which* "King Kong" is meant.
album_type    1       albums prefer `album` over `single` and `compilation`; soundtracks accept a
                      `compilation` (0.8: song soundtracks are "Various Artists"); songs accept `album`
                      and `single` and mildly avoid `compilation`.
============  ======  ====================================================================================

The weights follow beets' autotagger (artist 3, title 3, year 1, media 1; anchors §2.7): title and artist
carry the decision, year and release type separate editions. Normalising by the weights present (also
beets) lets a work without artist or year still reach the threshold on what it has.

Title rules: "Theme from X", "X (Main Theme)", "Title Music from X" name the work X (1.0); a series
instalment "X, Vol. 1" is X (1.0), a later volume 0.85 (a franchise named generically means its first
instalment); an album titled "<Artist>'s X" is X. A franchise's theme is named by its re-recordings:
when a candidate 'Hedwig's Theme (From "Harry Potter")' is among the hits, the article's artist's own
"Hedwig's Theme" is the work "Harry Potter" (1.0), though its album is "Harry Potter and the Sorcerer's
Stone". A title beside another in brackets ("Vom Winde verweht (Gone with the Wind)") counts like a
subtitled one (0.85) for either. Below `TITLE_FLOOR` (0.8) a candidate never matches, whatever its other
parts: "Indiana Jones and the Dial of Destiny" is not "Indiana Jones".

Penalties (anchors §2.6 spotDL's "forbidden words", §3.1 users' top complaint) are subtracted for versions
the article did not mean: karaoke, "in the style of", tribute, lullaby, 8-bit, piano, instrumental, live,
remix, acoustic, sped up / slowed, cover, another language's version ("English Version"), known
re-recording orchestras, and a track by another artist whose title says `(From "Film")`; 0.1 for a later
edition (remaster, deluxe, anniversary, re-recording), so the original wins when both exist and the edition
still matches alone. Descriptors count in the track
title and credits; in the album title only the cover-like ones (karaoke, tribute, lullaby, 8-bit, "in the
style of"), since a compilation called "The Remixes" also holds originals. A descriptor found in the work's
own title is not penalised (a work called "Live at Leeds" may be live).

Availability is not identity: a recording not playable in the configured market is still the recording the
article means (it plays elsewhere), so it is scored like any other and only loses ties to a playable one.

How a work is decided (`choose`)
--------------------------------
``matched`` when the best total reaches ``settings.accept`` and the runner-up that is a *different*
recording (not the same ISRC, not another edition of the same title by the same artist, and for an album
or soundtrack not the same release: its album, or another of its tracks) trails by more
than ``settings.ambiguous_gap``; ``ambiguous`` when that runner-up is too close (beets' recommendation
gap, anchors §2.7): reported for review, never added; ``not_found`` otherwise. There is no fallback to
the first search result ("false positives are worse than false negatives", anchors §2.5 Spotter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz

from worker.config import MatchingSettings
from worker.model import Candidate, Work, fold

WEIGHTS: dict[str, float] = {"title": 3.0, "artist": 3.0, "year": 1.0, "album_type": 1.0}
YEAR_WEIGHT_WITHOUT_ARTIST = 3.0
RANKED_KEPT = 5
"""How many candidates a `Match` keeps for review reports."""
LATER_YEAR_SPAN = 20.0
EARLIER_YEAR_SPAN = 5.0
OTHER_ARTIST_BELOW = 0.5
"""An artist similarity under this counts as "by another artist" (a cover or re-recording)."""
OTHER_ARTIST_PENALTY = 0.2
TITLE_FLOOR = 0.8
"""A candidate whose title part is below this never matches."""
PLAUSIBLE_TITLE = 0.9
"""Title part from which a candidate counts when finding the reference (earliest) year."""
LATER_VOLUME = 0.85
"""Title part of "X, Vol. 2" (or later) or of the sequel "X 2" for the work X."""
SAME_PERFORMER = 0.9
"""Artist similarity from which two credits name the same performer."""
SUBTITLED = 0.85
"""Title part of "X: Subtitle" for the work X (the main title before a colon or dash names the work)."""
GUESSED_ARTIST = 0.5
"""Extraction confidence up to which the article's artist is a guess (the paragraph's topic, not a credit)."""


@dataclass(frozen=True)
class ScoreParts:
    """The explained score of one candidate. Parts are 0..1; `penalty` (0..1) is subtracted from the mean.

    A part the work cannot inform (no artist, no year) is reported as 1.0 and left out of `total`;
    `reasons` says so.
    """

    title: float
    artist: float
    year: float
    album_type: float
    penalty: float
    total: float
    reasons: tuple[str, ...]


MatchStatus = Literal["matched", "ambiguous", "not_found"]


@dataclass(frozen=True)
class Match:
    """The decision for one work on one service."""

    work: Work
    status: MatchStatus
    candidate: Candidate | None
    """The chosen candidate; only set when `status == "matched"`."""
    parts: ScoreParts | None
    """Parts of the chosen candidate, or of the best one when none was chosen; None without candidates."""
    ranked: tuple[tuple[Candidate, ScoreParts], ...]
    """The top candidates, best first, for review reports."""

    @property
    def score(self) -> float:
        return self.parts.total if self.parts else 0.0


# --- title and artist normalisation -------------------------------------------------------------------

_EDITION_WORDS = (
    r"sound ?track|motion picture|original score|\bost\b|music from|remaster(?:ed)?|deluxe|edition|expanded|"
    r"bande originale|colonna sonora|banda sonora|trilha sonora|"
    r"anniversary|bonus tracks?|\bmono\b|\bstereo\b|\bfrom\b|\bfeat\b|\bft\b|featuring"
)
_EDITION_BRACKETS = re.compile(rf"\s*[\(\[][^\)\]]*(?:{_EDITION_WORDS})[^\)\]]*[\)\]]", re.IGNORECASE)
_EDITION_DASH = re.compile(rf"\s+[-–—:]\s+[^-–—]*(?:{_EDITION_WORDS}).*$", re.IGNORECASE)
_FEATURING = re.compile(r"\s+(?:feat\.?|ft\.|featuring)\s.*$", re.IGNORECASE)
_TRAILING_OST = re.compile(
    r"\s+(?:\(|-\s+)?(?:original\s+)?(?:motion picture\s+)?(?:soundtrack|ost)\)?$", re.I
)
_LEADING_MUSIC_FROM = re.compile(r"^(?:the\s+)?(?:(?:music|songs)\s+from|music\s+of)\s+(?:the\s+)?", re.I)
_SUBTITLE = re.compile(r"\s*(?::|\s[-–—])\s+")


def normalize_title(title: str) -> str:
    """Comparison form of a title: edition noise removed, then `fold`ed.

    Removes "(Original Motion Picture Soundtrack)" (also "Bande originale du film", "Colonna sonora
    originale"…), "- Remastered 2011", "(Deluxe Edition)",
    '(From "X")', "feat. …", a trailing "OST" and a leading "Music from". Version descriptors such as
    "Live" or "Remix" stay: they name a different recording. Falls back to the folded full title when
    stripping leaves nothing.
    """
    stripped = _EDITION_BRACKETS.sub("", title)
    stripped = _EDITION_DASH.sub("", stripped)
    stripped = _FEATURING.sub("", stripped)
    stripped = _TRAILING_OST.sub("", stripped)
    stripped = _LEADING_MUSIC_FROM.sub("", stripped)
    return fold(stripped) or fold(title)


def artist_key(name: str) -> str:
    """Comparison form of an artist name: folded, "&" read as "and", "X, The" and "The X" read as "X"."""
    folded = fold(name.replace("&", " and "))
    folded = re.sub(r"^(.*) the$", r"the \1", folded)
    return folded.removeprefix("the ")


def _credit_names(artists: Iterable[str]) -> list[str]:
    names: list[str] = []
    for artist in artists:
        names.append(artist)
        names += [part for part in re.split(r"\s*(?:,|&|;|/| x | and )\s*", artist) if part]
    if names:
        names.append(", ".join(artists))
    return names


def _similarity(a: str, b: str) -> float:
    """Edit-distance ratio; a name of two or more words found whole inside the other ("Dave Brubeck" in
    "The Dave Brubeck Quartet") also counts, at 0.9. One word is not enough ("Queen" in "Queen Latifah")."""
    a, b = _content_words(a), _content_words(b)
    ratio = fuzz.ratio(a, b)
    if min(len(a.split()), len(b.split())) >= 2:
        ratio = max(ratio, 0.9 * fuzz.token_set_ratio(a, b))
    return ratio / 100.0


def _content_words(name: str) -> str:
    """ "snowboy and the latin section" → "snowboy latin section": shared "and the" is no evidence."""
    return " ".join(word for word in name.split() if word not in ("and", "the", "of")) or name


def artist_similarity(artist: str, credits: Sequence[str]) -> float:
    """Best similarity between `artist` and any credited artist (or part of a joint credit), 0..1."""
    wanted = artist_key(artist)
    return max((_similarity(wanted, artist_key(name)) for name in _credit_names(credits)), default=0.0)


# --- the four parts -----------------------------------------------------------------------------------


def _candidate_titles(work: Work, candidate: Candidate) -> list[str]:
    if candidate.kind == "album" or work.kind == "song":
        return [candidate.title]
    if work.kind in ("album", "soundtrack"):
        return [candidate.album] if candidate.album else [candidate.title]
    return [candidate.title, *([candidate.album] if candidate.album else [])]


def title_similarity(work: Work, candidate: Candidate, themes: frozenset[str] = frozenset()) -> float:
    """0..1: the best fit between the work's title and the candidate's titles (see the module docstring).

    A track stands for an album or soundtrack through its album's title; through its own title only in a
    theme form ("Flying (Theme from E.T.)") or when it is by the article's artist (extraction may call a
    song an album). A song by anyone that merely shares a film's name (Kiss's "Parasite") is not the film's
    music. `themes` are the work's themes as re-recordings name them (`rerecorded_themes`): the article's
    artist's own track of that title is the work (1.0)."""
    wanted = normalize_title(work.title)
    if candidate.kind == "track" and _is_named_theme(work, candidate, themes):
        return 1.0
    fits = [_title_fit(wanted, work.artist, title) for title in _candidate_titles(work, candidate)]
    if work.kind in ("album", "soundtrack") and candidate.kind == "track" and candidate.album:
        fits.append(_own_title_fit(work, wanted, candidate))
    return max(fits)


def _own_title_fit(work: Work, wanted: str, track: Candidate) -> float:
    if _is_themed(wanted, normalize_title(track.title)) or _is_themed(wanted, fold(track.title)):
        return 1.0
    if work.artist and artist_similarity(work.artist, track.artists) >= OTHER_ARTIST_BELOW:
        return _title_fit(wanted, work.artist, track.title)
    return 0.0


_FROM_QUOTED = re.compile(r"[\(\[]\s*from\s+(?:the\s+)?[\"“'«](?P<source>[^\"”'»]+)[\"”'»]", re.IGNORECASE)


def rerecorded_themes(work: Work, candidates: Iterable[Candidate]) -> frozenset[str]:
    """Track titles (normalised) that re-recordings label as the work's: 'Hedwig's Theme (From "Harry
    Potter")' names "Hedwig's Theme" as the theme of the franchise "Harry Potter", whose albums are all
    called something longer ("Harry Potter and the Sorcerer's Stone")."""
    wanted = normalize_title(work.title)
    return frozenset(
        normalize_title(candidate.title)
        for candidate in candidates
        if (source := _FROM_QUOTED.search(candidate.title)) and normalize_title(source["source"]) == wanted
    )


def _is_named_theme(work: Work, track: Candidate, themes: frozenset[str]) -> bool:
    """The article's artist's own recording of a theme the re-recordings name (not a re-recording itself)."""
    if not work.artist or _FROM_QUOTED.search(track.title) or normalize_title(track.title) not in themes:
        return False
    return artist_similarity(work.artist, track.artists) >= SAME_PERFORMER


def names_the_work(work: Work, candidate: Candidate) -> bool:
    """True when the candidate's own title (not its album's) is the work, e.g. "Theme from E.T."."""
    return _title_fit(normalize_title(work.title), work.artist, candidate.title) >= TITLE_FLOOR


_SERIES = re.compile(r"^(?P<base>.+?) (?:vol|volume|part|pt) (?P<number>\d+|one|i)\b|^(?P<sequel>.+?) \d+$")
_FIRST_VOLUME = {"1", "one", "i"}


def _title_fit(wanted: str, artist: str | None, title: str) -> float:
    normal = _without_possessive(normalize_title(title), artist)
    if _is_themed(wanted, normal) or _is_themed(wanted, fold(title)):
        return 1.0
    series = _SERIES.match(normal)
    if series and wanted in (series["base"], series["sequel"]):
        return 1.0 if series["number"] in _FIRST_VOLUME else LATER_VOLUME
    main_title = normalize_title(_SUBTITLE.split(title, maxsplit=1)[0])
    if (main_title == wanted and main_title != normal) or wanted in _bracket_titles(title):
        return SUBTITLED
    return fuzz.ratio(wanted, normal) / 100.0


_BRACKETED = re.compile(r"^(?P<main>[^()\[\]]+?)\s*[(\[](?P<inner>[^()\[\]]+)[)\]]")


def _bracket_titles(title: str) -> tuple[str, ...]:
    """ "Vom Winde verweht (Gone with the Wind) [Soundtrack]" → both titles: a bracket after a title often
    holds the same work's title in another language."""
    found = _BRACKETED.match(_EDITION_BRACKETS.sub("", title))
    return (fold(found["main"]), fold(found["inner"])) if found else ()


def _without_possessive(normal: str, artist: str | None) -> str:
    """ "guru s jazzmatazz vol 1" → "jazzmatazz vol 1" when Guru is the artist."""
    prefix = f"{fold(artist)} s " if artist else None
    return normal.removeprefix(prefix) if prefix and normal != prefix.strip() else normal


def _is_themed(wanted: str, normal: str) -> bool:
    """ "flying theme from e t", "the last emperor theme", "title music from a clockwork orange"."""
    name = re.escape(wanted)
    theme = r"(?:main )?(?:theme|titles?|title music|music|prelude)"
    return bool(
        re.search(rf"\b{theme} from (?:the )?{name}$", normal) or re.fullmatch(rf"{name} {theme}", normal)
    )


def year_closeness(work_year: int | None, release_year: int | None, reference: int | None = None) -> float:
    """1.0 for the reference year (else the work's) or the next; later releases fade over 20 years, releases
    before the work's year over 5."""
    if release_year is None:
        return 0.5
    if work_year is not None and release_year < work_year:
        return max(0.0, 1.0 - (work_year - release_year) / EARLIER_YEAR_SPAN)
    target = reference if reference is not None else work_year
    if target is None:
        return 1.0
    gap = release_year - target
    return 1.0 if gap <= 1 else max(0.0, 1.0 - (gap - 1) / LATER_YEAR_SPAN)


def reference_year(
    work: Work, candidates: Sequence[Candidate], themes: frozenset[str] = frozenset()
) -> int | None:
    """The earliest release, not before the work's year, among plausible candidates (good title, the
    article's artist); the work's own year when none is plausible. Only the article's artist may move the
    reference away from the article's year: without it a later same-title album may be a remake."""
    if work.year is not None and not work.artist:
        return work.year
    years = [
        candidate.release_year
        for candidate in candidates
        if candidate.release_year is not None
        and (work.year is None or candidate.release_year >= work.year)
        and _plausible(work, candidate, themes)
    ]
    return min(years, default=work.year)


def _plausible(work: Work, candidate: Candidate, themes: frozenset[str]) -> bool:
    if title_similarity(work, candidate, themes) < PLAUSIBLE_TITLE:
        return False
    return not work.artist or artist_similarity(work.artist, candidate.artists) >= OTHER_ARTIST_BELOW


_ALBUM_TYPE_FIT = {
    "album": {"album": 1.0, "single": 0.5, "ep": 0.5, "compilation": 0.4, "compile": 0.4},
    "soundtrack": {"album": 1.0, "single": 0.5, "ep": 0.5, "compilation": 0.8, "compile": 0.8},
    "song": {"album": 1.0, "single": 1.0, "ep": 1.0, "compilation": 0.6, "compile": 0.6},
}


def album_type_fit(work: Work, candidate: Candidate) -> float:
    table = _ALBUM_TYPE_FIT[work.kind if work.kind in ("album", "soundtrack") else "song"]
    if candidate.album_type is None:
        return 0.7
    return table.get(candidate.album_type.lower(), 0.7)


# --- penalties ----------------------------------------------------------------------------------------


_LATER_EDITION = (
    r"\bremaster(?:ed)?\b|\bdeluxe\b|\banniversary\b|\bexpanded edition\b|\bre-?record(?:ing|ed)\b"
)


@dataclass(frozen=True)
class _Version:
    reason: str
    pattern: re.Pattern[str]
    weight: float
    in_album: bool
    """Whether the album title alone shows this version (true for cover-like versions only)."""


_VERSIONS: tuple[_Version, ...] = tuple(
    _Version(reason, re.compile(pattern, re.IGNORECASE), weight, weight >= 0.5 and reason != "cover version")
    for reason, pattern, weight in (
        ("karaoke version", r"\bkaraoke\b", 0.6),
        ('"in the style of" version', r"in the style of|originally performed by|made famous by", 0.6),
        ("tribute recording", r"\btribute\b", 0.5),
        ("lullaby version", r"\blullab(?:y|ies)\b|rockabye baby", 0.6),
        ("8-bit version", r"\b8[- ]?bit\b|chiptune", 0.5),
        ("later edition (remaster, deluxe, anniversary)", _LATER_EDITION, 0.1),
        ("piano version", r"\bpiano (?:version|cover|rendition|tribute|solo)\b|\bpiano guys\b", 0.4),
        ("instrumental version", r"\binstrumental\b", 0.3),
        ("live recording", r"[\(\[-]\s*live\b|\blive (?:at|in|from|on|version|recording)\b", 0.35),
        ("remix", r"\bremix(?:ed|es)?\b|\brmx\b", 0.35),
        ("acoustic version", r"\bacoustic\b", 0.3),
        ("sped up / slowed version", r"\bsped[- ]up\b|\bslowed\b|\bnightcore\b|\breverb\b", 0.5),
        ("cover version", r"\bcover(?:ed)?\b", 0.5),
        ("other-language version", r"\b(?:english|japanese|spanish|french|german|italian) version\b", 0.3),
    )
)

_RE_RECORDING_ARTISTS = re.compile(
    r"london music works|city of prague philharmonic|movie sounds unlimited|hollywood studio orchestra|"
    r"soundtrack wonder band|vitamin string quartet|piano tribute players|karaoke|tribute|lullaby",
    re.IGNORECASE,
)
_FROM_FILM = re.compile(r"[\(\[-]\s*from\s+(?:the\s+)?[\"“'«]|theme from\b", re.IGNORECASE)


def _version_penalties(work: Work, candidate: Candidate) -> list[tuple[str, float]]:
    own = " | ".join(part for part in (candidate.title, *candidate.artists) if part)
    album = candidate.album or ""
    return [
        (version.reason, version.weight)
        for version in _VERSIONS
        if (version.pattern.search(own) or (version.in_album and version.pattern.search(album)))
        and not version.pattern.search(work.title)
    ]


def _other_artist_penalties(
    work: Work, candidate: Candidate, artist: float | None
) -> list[tuple[str, float]]:
    if artist is not None and artist >= OTHER_ARTIST_BELOW:
        return []
    found: list[tuple[str, float]] = []
    credit = ", ".join(candidate.artists) or "unknown artist"
    if artist is not None:
        found.append((f"by {credit}, not {work.artist}", OTHER_ARTIST_PENALTY))
    if _RE_RECORDING_ARTISTS.search(credit):
        found.append((f"re-recording by {credit}", 0.5))
    elif _FROM_FILM.search(candidate.title):
        found.append((f'"from the film" re-recording by {credit}', 0.4))
    return found


# --- scoring ------------------------------------------------------------------------------------------


def score_candidate(
    work: Work, candidate: Candidate, reference: int | None = None, themes: frozenset[str] = frozenset()
) -> ScoreParts:
    """Score one candidate against the work; see the module docstring for weights and penalties.

    `reference` is the reference year (`reference_year` over all candidates); the work's year without it.
    `themes` are the work's themes named by re-recordings among all candidates (`rerecorded_themes`).
    """
    artist = artist_similarity(work.artist, candidate.artists) if work.artist else None
    year = reference if reference is not None else work.year
    parts, reasons = _parts(work, candidate, artist, year, themes)
    penalties = _version_penalties(work, candidate) + _other_artist_penalties(work, candidate, artist)
    if not candidate.playable:
        reasons.append("not playable in this market")
    penalty = min(1.0, sum(weight for _, weight in penalties))
    weights = WEIGHTS if artist is not None else {**WEIGHTS, "year": YEAR_WEIGHT_WITHOUT_ARTIST}
    mean = sum(weights[name] * value for name, value in parts.items()) / sum(weights[name] for name in parts)
    return ScoreParts(
        title=round(parts["title"], 4),
        artist=round(parts.get("artist", 1.0), 4),
        year=round(parts.get("year", 1.0), 4),
        album_type=round(parts["album_type"], 4),
        penalty=round(penalty, 4),
        total=round(max(0.0, mean - penalty), 4),
        reasons=tuple(reasons + [reason for reason, _ in penalties]),
    )


def _parts(
    work: Work, candidate: Candidate, artist: float | None, reference: int | None, themes: frozenset[str]
) -> tuple[dict[str, float], list[str]]:
    """The parts the work can inform, and reasons for those that fall short."""
    reasons: list[str] = []
    parts = {
        "title": title_similarity(work, candidate, themes),
        "album_type": album_type_fit(work, candidate),
    }
    if artist is None:
        reasons.append("no artist in the article: artist not scored")
    else:
        parts["artist"] = artist
    if reference is None:
        reasons.append("no year in the article or among the candidates: year not scored")
    else:
        parts["year"] = year_closeness(work.year, candidate.release_year, reference)
        if candidate.release_year is None and artist is None and work.year is not None:
            parts["year"] = 0.0  # the year is the only evidence of which one is meant; unknown cannot show it
        if parts["year"] < 1.0:
            reasons.append(f"year {candidate.release_year or 'unknown'} vs {reference}")
    if parts["album_type"] < 1.0:
        reasons.append(f"album type {candidate.album_type or 'unknown'}")
    return parts, reasons


# --- deciding -----------------------------------------------------------------------------------------


def _same_edition_family(a: Candidate, b: Candidate) -> bool:
    """True when `b` is the same recording as `a` or only another edition of it (same title, same artist)."""
    if a.isrc and b.isrc and a.isrc == b.isrc:
        return True
    shared_artist = {artist_key(x) for x in a.artists} & {artist_key(x) for x in b.artists}
    return bool(shared_artist) and normalize_title(a.title) == normalize_title(b.title)


def _same_release(work: Work, a: Candidate, b: Candidate) -> bool:
    """For an album-like work: `b` is `a`'s album, a track of it, or another of its tracks (by album id, or
    by album title and a shared artist where search hits carry no album id, as on Apple Music)."""
    if work.kind == "song":
        return False
    if a.album_id is not None and a.album_id == b.album_id:
        return True
    shared_artist = {artist_key(x) for x in a.artists} & {artist_key(x) for x in b.artists}
    return bool(shared_artist and a.album and b.album) and a.album == b.album


def _rank_key(pair: tuple[Candidate, ScoreParts]) -> tuple[float, bool]:
    return pair[1].total, pair[0].playable


def choose(work: Work, candidates: Sequence[Candidate], settings: MatchingSettings) -> Match:
    """Decide which candidate, if any, is the work. Never falls back to the first result.

    A guessed artist (confidence up to `GUESSED_ARTIST`) that no candidate with the work's title credits is
    set aside: the title and year decide, as for a work the article credits to nobody."""
    themes = rerecorded_themes(work, candidates)
    if _guess_unconfirmed(work, candidates, themes):
        scored_as = replace(work, artist=None)
        return replace(choose(scored_as, candidates, settings), work=work)
    reference = reference_year(work, candidates, themes)
    scored = sorted(
        ((candidate, score_candidate(work, candidate, reference, themes)) for candidate in candidates),
        key=_rank_key,
        reverse=True,
    )
    ranked = tuple(scored[:RANKED_KEPT])
    if not scored:
        return Match(work, "not_found", None, None, ())
    best, best_parts = scored[0]
    if best_parts.total < settings.accept or best_parts.title < TITLE_FLOOR:
        return Match(work, "not_found", None, best_parts, ranked)
    rivals = [
        parts.total
        for candidate, parts in scored[1:]
        if not _same_edition_family(best, candidate) and not _same_release(work, best, candidate)
    ]
    if rivals and best_parts.total - rivals[0] <= settings.ambiguous_gap:
        return Match(work, "ambiguous", None, best_parts, ranked)
    return Match(work, "matched", best, best_parts, ranked)


def _guess_unconfirmed(work: Work, candidates: Sequence[Candidate], themes: frozenset[str]) -> bool:
    if not work.artist or work.confidence > GUESSED_ARTIST:
        return False
    titled = [c for c in candidates if title_similarity(work, c, themes) >= PLAUSIBLE_TITLE]
    return bool(titled) and not any(_plausible(work, c, themes) for c in titled)


# --- album tracks and cross-service identity ----------------------------------------------------------


def _album_order(tracks: Sequence[Candidate]) -> list[Candidate]:
    indexed = list(enumerate(tracks))
    indexed.sort(key=lambda pair: (pair[1].track_number is None, pair[1].track_number or 0, pair[0]))
    return [track for _, track in indexed]


def _theme_rank(work: Work, track: Candidate) -> int | None:
    """0 for a main title, 1 for a theme, 2 for a track named after the film/album; None otherwise."""
    title = fold(track.title)
    if "main title" in title:
        return 0
    if re.search(r"\btheme\b", title):
        return 1
    names = {normalize_title(work.title), *([normalize_title(track.album)] if track.album else [])}
    if any(name and re.search(rf"\b{re.escape(name)}\b", title) for name in names):
        return 2
    if any(name.replace(" ", "") == title.replace(" ", "") for name in names):
        return 2
    return None


def representative_tracks(
    work: Work, album_tracks: Sequence[Candidate], policy: Sequence[str], count: int
) -> list[Candidate]:
    """Pick `count` tracks to stand for an album or soundtrack, following `policy` in order.

    "theme": the main title, then a theme, then a track named after the film or album ("Superfly" for
    "Super Fly" too). "opening": the album's tracks from the first, in track order (so it also fills up to
    `count`). A track not playable in this market still stands for its album (availability is not
    identity); it is the same recording listeners elsewhere hear.
    """
    ordered = _album_order(album_tracks)
    picks: list[Candidate] = []
    for rule in policy:
        pool = _theme_tracks(work, ordered) if rule == "theme" else ordered
        picks += [track for track in pool if track not in picks]
    return picks[:count]


def _theme_tracks(work: Work, ordered: Sequence[Candidate]) -> list[Candidate]:
    ranks = [(_theme_rank(work, track), position, track) for position, track in enumerate(ordered)]
    themed = [(rank, position, track) for rank, position, track in ranks if rank is not None]
    return [track for _, _, track in sorted(themed, key=lambda item: (item[0], item[1]))]


def same_recording(a: Candidate, b: Candidate, tolerance_s: float) -> bool:
    """Cross-service identity: ISRCs equal (when both have one), durations known and within `tolerance_s`,
    and titles that agree. Unknown durations cannot confirm identity, so give False. With equal ISRCs the
    same performer stands in for the title, since services show a recording under localised titles ("Il
    buono, il brutto, il cattivo (Titoli)" on Deezer is "The Good, the Bad and the Ugly - Main Title")."""
    if a.isrc and b.isrc and a.isrc.upper() != b.isrc.upper():
        return False
    if a.duration_ms is None or b.duration_ms is None:
        return False
    if abs(a.duration_ms - b.duration_ms) > tolerance_s * 1000:
        return False
    same_isrc = bool(a.isrc and b.isrc)
    return titles_agree(a.title, b.title, same_isrc=same_isrc) or (same_isrc and same_performer(a, b))


def same_performer(a: Candidate, b: Candidate) -> bool:
    """True when some credited artist of `a` is (nearly) one of `b`'s."""
    return any(artist_similarity(name, b.artists) >= SAME_PERFORMER for name in a.artists)


def titles_agree(a: str, b: str, *, same_isrc: bool) -> bool:
    """Equal after `normalize_title`, or one holds the other whole ("Ano Natsu e (One Summer's Day)").
    With equal ISRCs a title in another script (nothing left after folding, "夢灯籠") cannot disagree."""
    first, second = normalize_title(a), normalize_title(b)
    if first == second:
        return True
    if same_isrc and not (fold(a) and fold(b)):
        return True
    shorter, longer = sorted((first, second), key=len)
    return bool(shorter) and re.search(rf"\b{re.escape(shorter)}\b", longer) is not None
