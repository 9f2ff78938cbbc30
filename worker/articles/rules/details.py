"""A work's year and kind, read from the words right around its title.

The year must belong to the title: "(1933)" right after it (possibly after one noun such as "soundtrack"),
"in 1933" right after it, or "the 1967 film" right before it. "_A_ (1964) and _B_" gives B no year.
The kind comes from the nearest cue word: "soundtrack", "score", "film" → soundtrack; "album" → album;
"song", "single", "hit" → song; nothing → "work".
"""

from __future__ import annotations

import re

from worker.articles.rules.document import Paragraph
from worker.articles.rules.mentions import Mention
from worker.model import WorkKind

_YEAR = r"((?:1[89]|20)\d\d)"
_NOUN = r"(?:soundtrack|score|album|theme|film|movie|single|song|series|ost|lp|ep|double-album|original)"
_YEAR_AFTER = re.compile(rf"^(?:[’']s?)?\s*(?:{_NOUN}\s+)?\({_YEAR}\)", re.IGNORECASE)
_YEAR_IN = re.compile(rf"^(?:[’']s?)?\s+(?:in|im|en|em|von|de)\s+{_YEAR}\b")
_YEAR_BEFORE = re.compile(rf"\b{_YEAR}(?:er)?\s+(?:{_NOUN}|record|lp)\s+$", re.IGNORECASE)

_KIND_WORDS: dict[str, WorkKind] = {
    **dict.fromkeys(
        [
            "soundtrack",
            "soundtracks",
            "score",
            "scores",
            "film",
            "films",
            "movie",
            "movies",
            "game",
            "games",
            "series",
            "show",
            "shows",
            "anime",
            "franchise",
            "franchises",
            "ost",
            "titles",
            "trilogy",
            "musical",
            "filme",
            "filmen",
            "películas",
            "película",
            "bande",
        ],
        "soundtrack",
    ),
    **dict.fromkeys(
        ["album", "albums", "lp", "lps", "ep", "debut", "record", "records", "double-album"], "album"
    ),
    **dict.fromkeys(
        [
            "song",
            "songs",
            "single",
            "singles",
            "track",
            "tracks",
            "hit",
            "hits",
            "anthem",
            "anthems",
            "ballad",
            "cover",
            "tune",
            "standard",
            "standards",
            "canción",
            "canciones",
            "lied",
            "lieder",
            "chanson",
            "chansons",
            "titre",
        ],
        "song",
    ),
}
_WORD = re.compile(r"[\w\-]+")
_PARENTHETICAL = re.compile(r"\([^()]*\)")


def year_of(paragraph: Paragraph, work: Mention) -> int | None:
    """The year written next to this title, or None."""
    after, before = paragraph.text[work.end :], paragraph.text[: work.start]
    match = _YEAR_AFTER.match(after) or _YEAR_IN.match(after) or _YEAR_BEFORE.search(before)
    return int(match.group(1)) if match else None


def kind_of(paragraph: Paragraph, work: Mention, clause_start: int) -> WorkKind:
    """The kind named by the first cue word after the title, else the nearest one before it."""
    for word in _WORD.findall(paragraph.text[work.end : work.end + 24])[:2]:
        if word.lower() in _KIND_WORDS:
            return _KIND_WORDS[word.lower()]
    before = _PARENTHETICAL.sub(" ", paragraph.text[clause_start : work.start])
    for word in reversed(_WORD.findall(before)):
        if word.lower() in _KIND_WORDS:
            return _KIND_WORDS[word.lower()]
    return "work"
