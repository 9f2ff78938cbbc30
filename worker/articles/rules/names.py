"""Who the article names, and in which role: the article-wide roster of artists and non-artists.

Bold text is the main source of names; cue phrases decide the role ("director X", "conductors like X",
"X’s films" mean X is not the recording artist). Articles without bold markup are scanned for unmarked
names: a capitalised "First Last" pair whose first word never appears on its own in the article.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from worker.articles.rules.document import Paragraph, Span
from worker.model import fold

NAME_WORD = r"(?:[A-ZÀ-ÞŠŽČĆĐ][\w’'.\-]*|&|and|of|the|de|da|van|von|y)"
NAME = rf"[A-ZÀ-ÞŠŽČĆĐ][\w’'.\-]*(?:\s+{NAME_WORD})*?\s+[A-ZÀ-ÞŠŽČĆĐ][\w’'.\-]*|[A-ZÀ-ÞŠŽČĆĐ][\w’'.\-]+"
POSSESSIVE = re.compile(r"(?:[’']s|(?<=s)[’'])$")
YEAR_AFTER = re.compile(r"^\s*\((?:1[89]|20)\d\d\)")

_ROLE_BEFORE = re.compile(
    r"\b(?:directors?|filmmakers?|conductors?|regisseur(?:e|en|in)?|dirigent(?:en)?|réalisateurs?|"
    r"directores?|registi|studios?)\b(?:\s+(?:like|such as|wie|como|comme|as))?\s*$",
    re.IGNORECASE,
)
_ROLE_AFTER = re.compile(r"^(?:[’']s?)?\s+(?:films?|movies?|filme[ns]?|películas?)\b", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^\s*(?:,|and|und|y|et|or|oder)\s*$|^\s*,\s*(?:and|und|y|et|or)\s*$")
_NOT_ARTIST_WORDS = frozenset(
    fold(word)
    for word in [
        "Studio",
        "Studios",
        "Awards",
        "Award",
        "Records",
        "Festival",
        "Club",
        "Industry",
        "Tour",
        "Hall",
        "Magazine",
        "Label",
        "Prize",
        "Oscar",
        "Academy",
        "Grammy",
        "Bollywood",
        "Hollywood",
        "Disney",
        "Pixar",
        "Netflix",
        "Spotify",
        "YouTube",
        "Motown",
        "Ghibli",
        "DJs",
        "DJ",
        "MCs",
    ]
)
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "of",
        "for",
        "from",
        "with",
        "by",
        "and",
        "or",
        "but",
        "as",
        "if",
        "when",
        "while",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "its",
        "our",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "und",
        "oder",
        "mit",
        "von",
        "im",
        "am",
        "zum",
        "zur",
        "la",
        "le",
        "les",
        "el",
        "los",
        "las",
        "un",
        "una",
        "del",
        "al",
        "et",
        "ou",
        "con",
        "sin",
        "para",
        "por",
    ]
)


def clean_name(text: str) -> str:
    """The name without a trailing possessive or punctuation: `John Williams’` → `John Williams`."""
    stripped = text.strip().rstrip(",;:")
    return POSSESSIVE.sub("", stripped).strip()


def looks_like_name(name: str) -> bool:
    """A capitalised phrase of one to six words that is not a known studio, award or industry."""
    words = name.split()
    if not words or len(words) > 6 or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    return not any(_fold_word(word) in _NOT_ARTIST_WORDS for word in words)


@lru_cache(maxsize=4096)
def _fold_word(word: str) -> str:
    return fold(word)


@dataclass
class Roster:
    """Names the article uses, by folded form. `artists` map to the spelling the article used first."""

    artists: dict[str, str] = field(default_factory=dict)
    others: dict[str, str] = field(default_factory=dict)
    _index: NameIndex | None = field(default=None, repr=False, compare=False)

    def add_artist(self, name: str) -> None:
        key = fold(name)
        if key and key not in self.others:
            self.artists.setdefault(key, name)

    def add_other(self, name: str) -> None:
        key = fold(name)
        self.others.setdefault(key, name)
        self.artists.pop(key, None)

    def role(self, name: str) -> str | None:
        """ "artist", "other" or None when the article does not name this person."""
        key = fold(clean_name(name))
        if key in self.others:
            return "other"
        return "artist" if key in self.artists else None

    def canonical(self, name: str) -> str:
        return self.artists.get(fold(clean_name(name)), clean_name(name))

    def index(self) -> NameIndex:
        """One pattern over every spelling of the roster's people, built on first use (rosters are built
        completely before mentions are searched)."""
        if self._index is None:
            self._index = NameIndex.build(self)
        return self._index

    def surnames(self) -> dict[str, str]:
        """Last word → full name, for surnames that point at exactly one artist of several words."""
        counts = Counter(fold(name.split()[-1]) for name in self.artists.values() if len(name.split()) > 1)
        return {
            fold(name.split()[-1]): name
            for name in self.artists.values()
            if len(name.split()) > 1 and counts[fold(name.split()[-1])] == 1
        }


@dataclass(frozen=True)
class NameIndex:
    """A regex matching the roster's full names and unique surnames as plain words, longest first."""

    pattern: re.Pattern[str] | None
    names: dict[str, str]

    @classmethod
    def build(cls, roster: Roster) -> NameIndex:
        people = [
            *roster.artists.values(),
            *(name for name in roster.others.values() if looks_like_name(name)),
        ]
        names = {" ".join(name.split()): name for name in people}
        for name in roster.surnames().values():
            names.setdefault(name.split()[-1], name)
        ordered = sorted(names, key=len, reverse=True)
        if not ordered:
            return cls(None, names)
        alternation = "|".join(r"\s+".join(map(re.escape, spelling.split())) for spelling in ordered)
        return cls(re.compile(rf"(?<![\w’'])(?:{alternation})(?!\w)"), names)


def build_roster(paragraphs: Sequence[Paragraph], extra_artists: Iterable[str]) -> Roster:
    """Collect the article's names: bold names, unmarked names in unmarked articles, and role cues."""
    roster = Roster()
    for name in extra_artists:
        roster.add_artist(name)
    marked = any(span.kind == "bold" for paragraph in paragraphs for span in paragraph.spans)
    for paragraph in paragraphs:
        for span in paragraph.spans:
            if span.kind == "bold" and _bold_is_name(paragraph, span):
                roster.add_artist(clean_name(span.text))
    if not marked:
        for name in unmarked_names(paragraphs):
            roster.add_artist(name)
    for paragraph in paragraphs:
        for name in non_artists(paragraph):
            roster.add_other(name)
    return roster


def _bold_is_name(paragraph: Paragraph, span: Span) -> bool:
    return looks_like_name(clean_name(span.text)) and not YEAR_AFTER.match(paragraph.text[span.end :])


_NAME_AT_START = re.compile(rf"^(?:{NAME})")
_NAMED_AFTER_ROLE = re.compile(rf"({NAME})(?=(?:[’']s)?\b)")


def non_artists(paragraph: Paragraph) -> list[str]:
    """Names this paragraph gives a non-artist role: directors, conductors, studios and the like."""
    found = []
    text = paragraph.text
    for match in _NAMED_AFTER_ROLE.finditer(text):
        name = clean_name(_trim_name(match.group(1)))
        before, after = text[max(match.start() - 40, 0) : match.start()], text[match.start() + len(name) :]
        if _ROLE_BEFORE.search(before) or _ROLE_AFTER.match(after) or not looks_like_name(name):
            found.append(name)
    return found + _listed_after_role(text, found)


def _listed_after_role(text: str, roled: list[str]) -> list[str]:
    """Names joined by "and"/"," right after a role-cued name: "directors like X and Y"."""
    extra = []
    for name in roled:
        position = text.find(name)
        rest = text[position + len(name) :]
        while (
            follow := re.match(rf"^((?:[’']s)?\s*(?:,\s*|\s+)(?:and |und |y |et |or )?)({NAME})", rest)
        ) and (_LIST_JOIN.match(follow.group(1).replace("’s", "").replace("'s", ""))):
            extra.append(clean_name(_trim_name(follow.group(2))))
            rest = rest[follow.end() :]
    return extra


def _trim_name(name: str) -> str:
    """Drop trailing joiner words a greedy name match may include ("Crowe and" → "Crowe")."""
    words = name.split()
    while words and words[-1] in ("&", "and", "of", "the", "de", "da", "van", "von", "y"):
        words.pop()
    return " ".join(words)


_CAPITAL_PAIR = re.compile(r"\b([A-ZÀ-Þ][a-zà-ÿ]+)((?:\s+[A-ZÀ-Þ][a-zà-ÿ]+){1,2})\b")
_QUOTED = re.compile(r"„[^“”]*[“”]|“[^”]*”|\"[^\"]*\"|«[^»]*»")


def unmarked_names(paragraphs: Sequence[Paragraph]) -> list[str]:
    """ "First Last" pairs in unmarked prose whose first word only ever occurs before that last word.

    German capitalises every noun, so a capitalised pair alone proves nothing; a given name, though,
    does not stand alone or in lower case elsewhere in the article ("Max" only in "Max Steiner").
    The pair must also recur: a name the article relies on is repeated.
    """
    text = "\n".join(_QUOTED.sub(" ", paragraph.text) for paragraph in paragraphs)
    words = Counter(re.findall(r"[\wÀ-ÿ’']+", text))
    lowered = {word.lower() for word in words if word[0].islower()}
    pairs = Counter(
        (match.group(1), " ".join(match.group(2).split())) for match in _CAPITAL_PAIR.finditer(text)
    )
    names = []
    for (first, rest), count in pairs.items():
        first_alone = words[first] - sum(n for (f, _), n in pairs.items() if f == first)
        if first.lower() in lowered or first.lower() in _FUNCTION_WORDS or first_alone > 0:
            continue
        if count > 1:
            names.append(f"{first} {rest}")
    return names
