"""The paragraph model every rule works on: markup-free text, emphasis spans, sentences and source lines.

The body is parsed with markdown-it, so code, links, HTML and MDX are not misread as prose. Each inline run
(a paragraph, heading, list item or table cell) becomes one `Paragraph`: its text with the emphasis markers
removed and soft line breaks kept as `\\n`, the bold and italic spans as character ranges of that text,
and the body line every character came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

SpanKind = Literal["bold", "italic"]

_MDX_STATEMENT = re.compile(r"^(?:import|export)\s")
_COMPONENT_START = re.compile(r"^\s*<([A-Z][\w.]*)")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|Vol|No|ca|bzw|z\.B|e\.g|i\.e|etc))\.$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’»)]?\s+(?=[\"“„«‘(_*]?[A-Z0-9À-Þ])")


@dataclass(frozen=True)
class Span:
    """A bold or italic run: `start`/`end` index the paragraph text, `text` has its whitespace collapsed."""

    kind: SpanKind
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One block of prose. `line_starts[i]` is the text offset where body line `first_line + i` begins."""

    text: str
    spans: tuple[Span, ...]
    first_line: int
    line_starts: tuple[int, ...]
    sentences: tuple[tuple[int, int], ...]
    heading: bool = False

    def line_at(self, offset: int) -> int:
        """The 1-based body line holding the character at `offset`."""
        return self.first_line + bisect_right(self.line_starts, offset) - 1

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """The (start, end) of the sentence holding `offset`."""
        for start, end in self.sentences:
            if start <= offset < end:
                return start, end
        return self.sentences[-1]

    def sentence_text(self, offset: int) -> str:
        start, end = self.sentence_at(offset)
        return collapse(self.text[start:end])


def collapse(text: str) -> str:
    """Trim and collapse every whitespace run (line breaks included) to one space."""
    return " ".join(text.split())


def parse_paragraphs(body: str) -> list[Paragraph]:
    """Every prose block of a markdown/MDX body, in document order."""
    tokens = MarkdownIt("commonmark").enable("table").parse(_blank_mdx(body))
    paragraphs = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or token.map is None or not token.children:
            continue
        heading = index > 0 and tokens[index - 1].type == "heading_open"
        paragraphs.append(_paragraph(token.children, token.map[0] + 1, heading))
    return paragraphs


def _blank_mdx(body: str) -> str:
    """Empty MDX `import`/`export` lines and `<Component …>` blocks, keeping the line count unchanged."""
    lines = body.split("\n")
    blanked = []
    open_component: str | None = None
    for line in lines:
        if open_component is None:
            start = _COMPONENT_START.match(line)
            if _MDX_STATEMENT.match(line):
                blanked.append("")
                continue
            if start is None:
                blanked.append(line)
                continue
            open_component = start.group(1)
        blanked.append("")
        if _component_closes(line, open_component):
            open_component = None
    return "\n".join(blanked)


def _component_closes(line: str, name: str) -> bool:
    stripped = line.rstrip()
    return stripped.endswith("/>") or f"</{name}>" in line or (stripped.endswith(">") and "<" not in line)


def _paragraph(children: Sequence[Token], first_line: int, heading: bool) -> Paragraph:
    parts: list[str] = []
    length = 0
    line_starts = [0]
    open_spans: list[tuple[SpanKind, int]] = []
    spans: list[Span] = []
    for child in children:
        kind, content = child.type, child.content
        if kind in ("text", "code_inline"):
            parts.append(content)
            length += len(content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
            length += 1
            line_starts.append(length)
        elif kind in ("strong_open", "em_open"):
            open_spans.append(("bold" if kind == "strong_open" else "italic", length))
        elif kind in ("strong_close", "em_close") and open_spans:
            span_kind, start = open_spans.pop()
            text = "".join(parts)
            spans.append(Span(span_kind, start, length, collapse(text[start:length])))
    text = "".join(parts)
    spans.sort(key=lambda span: span.start)
    return Paragraph(text, tuple(spans), first_line, tuple(line_starts), _sentences(text, spans), heading)


def _sentences(text: str, spans: list[Span]) -> tuple[tuple[int, int], ...]:
    bounds = [0]
    for match in _SENTENCE_END.finditer(text):
        cut = match.end()
        inside_span = any(span.start < match.start() < span.end for span in spans)
        if not inside_span and not _ABBREVIATION.search(text[max(match.start() - 8, 0) : match.start() + 1]):
            bounds.append(cut)
    bounds.append(len(text) + 1)
    return tuple((start, end) for start, end in _pairs(bounds) if start < end)


def _pairs(bounds: list[int]) -> Iterator[tuple[int, int]]:
    return zip(bounds, bounds[1:], strict=False)
