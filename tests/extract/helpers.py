"""Run the extractor on a small markdown snippet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worker.articles.extract import extract_works
from worker.config import ExtractSettings
from worker.model import Work


def works(body: str, frontmatter: Mapping[str, Any] | None = None, body_start_line: int = 1) -> list[Work]:
    return extract_works(frontmatter or {}, body, body_start_line, ExtractSettings())


def credits(body: str) -> dict[str, str | None]:
    """Title → credited artist."""
    return {work.title: work.artist for work in works(body)}


def years(body: str) -> dict[str, int | None]:
    return {work.title: work.year for work in works(body)}
