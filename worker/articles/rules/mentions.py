"""Mentions in one paragraph: people (bold, italic or plain names) and work titles (italic, quoted, bold).

A mention is a character range of the paragraph text. Titles are cleaned (`_Cowboy Bebop,_` → "Cowboy Bebop",
`_Rocky’s_` → "Rocky", `_E.T._` keeps its period) and filtered: italics that are techniques, genres, gear,
venues or tours (`_melisma_`, `_Fender Rhodes_`, `_Blue Note_ club`) are not works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from worker.articles.rules.document import Paragraph, Span
from worker.articles.rules.names import NAME, POSSESSIVE, YEAR_AFTER, Roster, clean_name, looks_like_name
from worker.model import fold

Source = Literal["bold", "italic", "quote", "plain", "possessive", "by"]
"""Where a mention comes from; "possessive" is an unknown unmarked name right before a title."""


@dataclass(frozen=True)
class Mention:
    """A person or a title at `start:end` of the paragraph text. `role` is "artist" or "other" for people."""

    kind: Literal["person", "work"]
    text: str
    start: int
    end: int
    source: Source
    possessive: bool = False
    role: str = "artist"


_NOT_WORKS = frozenset(
    fold(word)
    for word in (
        "Bollywood",
        "Hollywood",
        "Akai",
        "E-mu",
        "Moog",
        "Wurlitzer",
        "Fender Rhodes",
        "Hammond organ",
        "Hammond B3 organs",
        "Roland MC-500",
        "Yamaha DX7",
    )
)
_NOT_WORK_NEXT = re.compile(
    r"^(?:[’']s)?\s+(?:club|festival|tour|magazine|label|samplers?|pianos?|organs?|synth(?:esizer)?s?|"
    r"sequencers?|drum machines?|venue|nightclub)\b|^-\w",
    re.IGNORECASE,
)
_NOT_WORK_BEFORE = re.compile(
    r"\b(?:magazine|zine|newspaper|journal|book|novel|label|club)\s+$", re.IGNORECASE
)
_NOT_WORK_LAST = frozenset(
    fold(w)
    for w in ["Festival", "Club", "Tour", "Awards", "Records", "Studio", "Studios", "Magazine", "Live"]
)
_QUOTE = re.compile(r"„([^“”\n]+)[“”]|“([^”\n]+)”|\"([^\"\n]+)\"|«\s*([^»\n]+?)\s*»|‘([^’\n]+)’")
_TITLE_YEAR = re.compile(
    r"((?:[A-ZÀ-Þ0-9][\w’'!?.,\-]*\s+){0,5}[A-ZÀ-Þ0-9][\w’'!?.\-]*)\s+\(((?:1[89]|20)\d\d)\)"
)
_POSSESSIVE_PLAIN = re.compile(r"\b([A-ZÀ-Þ][a-zà-ÿ]+(?:\s+[A-ZÀ-Þ][a-zà-ÿ]+)+)[’']s\b")
_BY_PLAIN = re.compile(rf"\bby\s+(?:[a-z]+\s+){{0,2}}({NAME})")


def clean_title(text: str) -> str:
    """A title without trailing commas/colons or a possessive; a closing period (`E.T.`) is kept."""
    stripped = text.strip().rstrip(",;:").strip()
    return POSSESSIVE.sub("", stripped).strip() if stripped[-2:] in ("’s", "'s", "s’", "s'") else stripped


def is_title(paragraph: Paragraph, title: str, end: int) -> bool:
    """Whether a cleaned italic/quoted phrase can be a listenable work rather than a term, gear or venue."""
    words = title.split()
    if not words or len(words) > 14 or not (title[0].isupper() or title[0].isdigit() or title[0] in "(¿¡"):
        return False
    if fold(title) in _NOT_WORKS or fold(words[-1]) in _NOT_WORK_LAST:
        return False
    start = paragraph.text.rfind(title, 0, end)
    before = paragraph.text[max(start, 0) - 16 : max(start, 0)]
    return not _NOT_WORK_NEXT.match(paragraph.text[end:]) and not _NOT_WORK_BEFORE.search(before)


def paragraph_mentions(paragraph: Paragraph, roster: Roster, quote_titles: bool) -> list[Mention]:
    """Every person and work mention in the paragraph, sorted by position."""
    found = [m for span in paragraph.spans if (m := _span_mention(paragraph, span, roster)) is not None]
    taken = [(m.start, m.end) for m in found]
    found += _plain_people(paragraph, roster, taken)
    if quote_titles:
        found += _quoted_titles(paragraph, taken)
    return sorted(found, key=lambda mention: mention.start)


def _span_mention(paragraph: Paragraph, span: Span, roster: Roster) -> Mention | None:
    name = clean_name(span.text)
    role = roster.role(name)
    possessive = _is_possessive(paragraph, span)
    if role is not None and (span.kind == "bold" or _italic_is_person(paragraph, span)):
        return Mention("person", roster.canonical(name), span.start, span.end, span.kind, possessive, role)
    if span.kind == "bold":
        return _bold_title(paragraph, span)
    title = clean_title(span.text)
    if is_title(paragraph, title, span.end):
        return Mention("work", title, span.start, span.end, "italic")
    return None


def _italic_is_person(paragraph: Paragraph, span: Span) -> bool:
    """An italic that spells a name the article bolds is that person (`_Vangelis_ used in …`)."""
    return not YEAR_AFTER.match(paragraph.text[span.end :])


def _bold_title(paragraph: Paragraph, span: Span) -> Mention | None:
    """Bold followed by a year is a work, not a person: `**The Jazz Singer** (1927)`."""
    if YEAR_AFTER.match(paragraph.text[span.end :]) and looks_like_name(span.text):
        return Mention("work", clean_title(span.text), span.start, span.end, "bold")
    return None


def _is_possessive(paragraph: Paragraph, span: Span) -> bool:
    after = paragraph.text[span.end : span.end + 3]
    return bool(POSSESSIVE.search(span.text)) or bool(re.match(r"[’'](?:s\b|\s)", after))


def _plain_people(paragraph: Paragraph, roster: Roster, taken: list[tuple[int, int]]) -> list[Mention]:
    """Unmarked names: the roster's names and surnames, `Name’s _Title_`, and `… by Name`."""
    found: list[Mention] = []
    for start, end, name, source in _plain_name_hits(paragraph, roster):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        role = roster.role(name) or "artist"
        possessive = bool(re.match(r"[’']", paragraph.text[end : end + 1]))
        found.append(Mention("person", roster.canonical(name), start, end, source, possessive, role))
        taken.append((start, end))
    return found


def _plain_name_hits(paragraph: Paragraph, roster: Roster) -> list[tuple[int, int, str, Source]]:
    text = paragraph.text
    hits: list[tuple[int, int, str, Source]] = []
    index = roster.index()
    if index.pattern is not None:
        for match in index.pattern.finditer(text):
            hits.append((match.start(), match.end(), index.names[" ".join(match.group(0).split())], "plain"))
    for match in _POSSESSIVE_PLAIN.finditer(text):
        if looks_like_name(match.group(1)) and roster.role(match.group(1)) != "other":
            hits.append((match.start(1), match.end(1), match.group(1), "possessive"))
    for match in _BY_PLAIN.finditer(text):
        name = clean_name(match.group(1))
        if looks_like_name(name):
            hits.append((match.start(1), match.start(1) + len(name), name, "by"))
    return hits


def _quoted_titles(paragraph: Paragraph, taken: list[tuple[int, int]]) -> list[Mention]:
    """Titles in quotes („…“, “…”, "…", « », ‘…’) and `Title (1971)`, for articles without italics."""
    found = []
    for match in _QUOTE.finditer(paragraph.text):
        title = clean_title(next(group for group in match.groups() if group is not None))
        if is_title(paragraph, title, match.end()) and not title.endswith(","):
            found.append(Mention("work", title, match.start(), match.end(), "quote"))
    for match in _TITLE_YEAR.finditer(paragraph.text):
        overlaps = any(match.start(1) < end and start < match.end(1) for start, end in taken)
        inside_quote = any(m.start <= match.start(1) < m.end for m in found)
        if not overlaps and not inside_quote and is_title(paragraph, match.group(1), match.end(1)):
            found.append(Mention("work", clean_title(match.group(1)), match.start(1), match.end(1), "quote"))
    return found
