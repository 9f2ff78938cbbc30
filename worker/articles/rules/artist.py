"""Who recorded a mentioned work: a list of small rules, tried in order; the first that answers wins.

Each rule sees the work mention and its paragraph's mentions and returns an `Attribution` or None.
People whose role is not "artist" (directors, conductors, studios) are never credited.
To add a rule, write a function with the `Rule` signature, test it alone, and put it into `RULES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from worker.articles.rules.document import Paragraph
from worker.articles.rules.mentions import Mention

_BY = re.compile(r"^[^.;!?]{0,45}?\b(?:by|von|par|por)(?:\s+[a-z]+){0,3}\s*$", re.IGNORECASE)
_PRONOUN = re.compile(
    r"\b(?:he|she|they|his|her|their|him|them|sein\w*|ihr\w*|er|sie|su|sus|il|elle|son|sa|ses|leurs?)\b",
    re.IGNORECASE,
)
_MAX_POSSESSIVE_GAP = 90
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_MEMBER_OF = re.compile(r"^\s+of\s+(?:the\s+)?$")
_GUEST = re.compile(r"\b(?:featuring|feat\.|ft\.)\s*$", re.IGNORECASE)
_ALTERNATIVE = re.compile(r"^[\s,]*(?:or|oder|ou|o)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    """What a rule may look at: the paragraph and all its mentions, in order."""

    paragraph: Paragraph
    mentions: Sequence[Mention]

    def sentence_people(self, work: Mention) -> list[Mention]:
        start, end = self.paragraph.sentence_at(work.start)
        return [m for m in self.mentions if m.kind == "person" and start <= m.start < end]

    def works_between(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.kind == "work" and start <= m.start and m.end <= end]


@dataclass(frozen=True)
class Attribution:
    artist: str
    confidence: float
    rule: str


Rule = Callable[[Mention, Context], Attribution | None]


def credited_by(work: Mention, context: Context) -> Attribution | None:
    """ "_Title_ by **Artist**", "_Title_ (1994) soundtrack by rock band Name", "with a score by X"."""
    following = [p for p in context.sentence_people(work) if p.start >= work.end]
    if not following or context.works_between(work.end, following[0].start):
        return None
    person = following[0]
    gap = context.paragraph.text[work.end : person.start]
    if person.role != "artist" or not _BY.match(" ".join(gap.split())):
        return None
    return Attribution(person.text, 0.9, "credited_by")


def possessive_before(work: Mention, context: Context) -> Attribution | None:
    """ "**Artist**’s _Title_", "Curtis Mayfield’s _Super Fly_", "**X**’s _A_, _B_ and _C_"."""
    preceding = [p for p in context.sentence_people(work) if p.end <= work.start]
    if not preceding or not preceding[-1].possessive or preceding[-1].role != "artist":
        return None
    person = preceding[-1]
    gap = context.paragraph.text[person.end : work.start]
    listed = sum(m.end - m.start for m in context.works_between(person.end, work.start))
    if len(gap) - listed > _MAX_POSSESSIVE_GAP:
        return None
    return Attribution(person.text, 0.9, "possessive_before")


def nearest_in_sentence(work: Mention, context: Context) -> Attribution | None:
    """The closest artist in the same sentence; one named before the title wins a near tie."""
    people = context.sentence_people(work)
    artists = [
        p for p in people if _may_credit(work, p, context.paragraph.text) and not _band_of(p, people, context)
    ]
    if not artists:
        return None

    def distance(person: Mention) -> int:
        return work.start - person.end if person.end <= work.start else person.start - work.end + 10

    return Attribution(min(artists, key=distance).text, 0.75, "nearest_in_sentence")


def paragraph_topic(work: Mention, context: Context) -> Attribution | None:
    """A sentence naming nobody refers to the last artist named earlier in its paragraph ("His score …")."""
    paragraph = context.paragraph
    if paragraph.heading or any(p.role != "artist" for p in context.sentence_people(work)):
        return None
    start, _ = paragraph.sentence_at(work.start)
    earlier = [
        m for m in context.mentions if m.kind == "person" and m.end <= start and m.source != "possessive"
    ]
    if not earlier or earlier[-1].role != "artist":
        return None
    subjects = [m for m in earlier if m.role == "artist" and _opens_sentence(paragraph, m)]
    topic = subjects[-1] if subjects else earlier[-1]
    pronoun = _PRONOUN.search(paragraph.sentence_text(work.start))
    return Attribution(topic.text, 0.6 if pronoun else 0.5, "paragraph_topic")


def _opens_sentence(paragraph: Paragraph, mention: Mention) -> bool:
    start, _ = paragraph.sentence_at(mention.start)
    return not paragraph.text[start : mention.start].strip(' \n"“‘(')


def _band_of(person: Mention, people: Sequence[Mention], context: Context) -> bool:
    """The band in "**Guru** of **Gang Starr**": the member named first is the one credited."""
    text = context.paragraph.text
    return any(
        other.end <= person.start and _MEMBER_OF.match(text[other.end : person.start]) for other in people
    )


def _may_credit(work: Mention, person: Mention, text: str) -> bool:
    """Whether a person in the work's sentence can be its artist by proximity alone.

    Not when a parenthesis separates them ("_A_ (with songs by X) and _B_", "_A_ … (notably from X)"),
    not across an alternative ("those by X or in _A_": X and _A_ are two examples, not one), not for a
    guest ("featuring X on vocals"), and not for unknown names only seen as "Name’s".
    """
    if person.role != "artist" or person.source == "possessive":
        return False
    if person.end <= work.start:
        gap = text[person.end : work.start]
        return gap.count(")") <= gap.count("(") and not _ALTERNATIVE.match(gap)
    gap = text[work.end : person.start]
    if _ALTERNATIVE.match(_PARENTHETICAL.sub("", gap)):
        return False
    unclosed = _PARENTHETICAL.sub("", gap)
    if ")" in unclosed or ("(" in unclosed and not unclosed.lstrip().startswith("(")):
        return False
    return person.possessive or not _GUEST.search(gap)


RULES: tuple[Rule, ...] = (credited_by, possessive_before, nearest_in_sentence, paragraph_topic)


def attribute(work: Mention, context: Context, rules: Sequence[Rule] = RULES) -> Attribution | None:
    """The first rule's answer, or None when no rule finds an artist."""
    for rule in rules:
        found = rule(work, context)
        if found is not None:
            return found
    return None
