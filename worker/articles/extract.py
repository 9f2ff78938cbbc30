"""Extraction: an article's frontmatter and body → the listenable works it mentions. Pure, no I/O.

Pipeline (each step lives in `worker.articles.rules`):
    document     markdown-it parse → paragraphs (text, bold/italic spans, sentences, lines)
    names        the article's roster: artists, and people in other roles (directors, conductors, studios)
    mentions     per paragraph: people and titles (italics; quotes when the article has no italics)
    artist       attribution rules, first answer wins: "by X", "X’s _T_", nearest in sentence, paragraph topic
    details      the title's own year and its kind (soundtrack, album, song, work)
    listed       frontmatter lists such as `keyAlbums`, credited to the page's artist

Evidence text is the sentence with markup stripped and whitespace collapsed; its line is the file line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from worker.articles.rules.artist import Context, attribute
from worker.articles.rules.details import kind_of, year_of
from worker.articles.rules.document import Paragraph, parse_paragraphs
from worker.articles.rules.listed import listed_works
from worker.articles.rules.mentions import Mention, paragraph_mentions
from worker.articles.rules.names import build_roster
from worker.config import ExtractSettings
from worker.model import Evidence, Work, fold

UNATTRIBUTED_CONFIDENCE = 0.3
_SOURCE_PENALTY = {"italic": 0.0, "bold": 0.1, "quote": 0.1}


def extract_works(
    frontmatter: Mapping[str, Any], body: str, body_start_line: int, settings: ExtractSettings
) -> list[Work]:
    """The works an article mentions, in first-appearance order, one per folded artist and title.

    `body_start_line` is the file line of the body's first line; evidence lines are file lines.
    """
    listed = listed_works(frontmatter, settings.frontmatter_work_keys, settings.frontmatter_artist_key)
    page_artist = frontmatter.get(settings.frontmatter_artist_key)
    extra = [page_artist.strip()] if isinstance(page_artist, str) and page_artist.strip() else []
    found = list(body_works(body, body_start_line, extra))
    return merge_mentions([*listed, *found])


def body_works(body: str, body_start_line: int, known_artists: list[str]) -> Iterator[Work]:
    """Every work mention in the body, in order, before de-duplication."""
    paragraphs = parse_paragraphs(body)
    roster = build_roster(paragraphs, known_artists)
    quote_titles = not any(span.kind == "italic" for paragraph in paragraphs for span in paragraph.spans)
    for paragraph in paragraphs:
        mentions = paragraph_mentions(paragraph, roster, quote_titles)
        context = Context(paragraph, mentions)
        for mention in mentions:
            if mention.kind == "work":
                yield _work(mention, context, body_start_line)


def _work(mention: Mention, context: Context, body_start_line: int) -> Work:
    paragraph = context.paragraph
    found = attribute(mention, context)
    confidence = found.confidence if found else UNATTRIBUTED_CONFIDENCE
    confidence = round(max(confidence - _SOURCE_PENALTY.get(mention.source, 0.0), 0.1), 2)
    evidence = Evidence(
        paragraph.line_at(mention.start) + body_start_line - 1, paragraph.sentence_text(mention.start)
    )
    kind = kind_of(paragraph, mention, _clause_start(paragraph, mention))
    return Work(
        found.artist if found else None, mention.text, year_of(paragraph, mention), kind, confidence, evidence
    )


def _clause_start(paragraph: Paragraph, mention: Mention) -> int:
    return paragraph.sentence_at(mention.start)[0]


def merge_mentions(works: list[Work]) -> list[Work]:
    """One work per title and artist: a later mention fills a missing artist or year, never the evidence."""
    merged: list[Work] = []
    by_title: dict[str, list[int]] = {}
    for work in works:
        same_title = by_title.setdefault(_title_key(work.title), [])
        index = next((i for i in same_title if _compatible(merged[i], work)), None)
        if index is None:
            same_title.append(len(merged))
            merged.append(work)
        else:
            merged[index] = _fill(merged[index], work)
    return merged


def _title_key(title: str) -> str:
    return fold(title).removeprefix("the ")


def _compatible(seen: Work, new: Work) -> bool:
    """Same title already; the artists and years do not contradict each other."""
    artists_agree = seen.artist is None or new.artist is None or fold(seen.artist) == fold(new.artist)
    years_agree = seen.year is None or new.year is None or seen.year == new.year
    return artists_agree and years_agree


def _fill(seen: Work, new: Work) -> Work:
    return replace(
        seen,
        artist=seen.artist or new.artist,
        year=seen.year or new.year,
        kind=seen.kind if seen.kind != "work" else new.kind,
        confidence=max(seen.confidence, new.confidence) if seen.artist or not new.artist else new.confidence,
    )
