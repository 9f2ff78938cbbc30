"""Works listed in frontmatter (artist pages' `keyAlbums`, `keySongs`), credited to the page's artist.

Items look like `Debut (1993)`, `"La Vie en Rose (1946)"`, `" Caetano (1971)"` or
`"(You Make Me Feel Like) A Natural Woman (1967) - Signature song"`: title, optional year, optional note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from worker.model import Evidence, Work, WorkKind

_ITEM = re.compile(r"^\s*(?P<title>.+?)\s*(?:\((?P<year>(?:1[89]|20)\d\d)\))?\s*(?:\s[-–—]\s.*)?$")
LISTED_CONFIDENCE = 0.95


def parse_item(item: str) -> tuple[str, int | None]:
    """`"Respect (1967) - Civil rights anthem"` → ("Respect", 1967)."""
    match = _ITEM.match(item)
    if match is None:
        return item.strip(), None
    year = match.group("year")
    return match.group("title").strip(), int(year) if year else None


def listed_works(frontmatter: Mapping[str, Any], keys: Mapping[str, WorkKind], artist_key: str) -> list[Work]:
    """Works from the frontmatter lists named in `keys` (key → kind), in key order then item order."""
    artist_value = frontmatter.get(artist_key)
    artist = artist_value.strip() if isinstance(artist_value, str) and artist_value.strip() else None
    works = []
    for key, kind in keys.items():
        items = frontmatter.get(key)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, str) and item.strip():
                title, year = parse_item(item)
                evidence = Evidence(_item_line(frontmatter, key, index), item.strip())
                confidence = LISTED_CONFIDENCE if artist else 0.5
                works.append(Work(artist, title, year, kind, confidence, evidence))
    return works


def _item_line(frontmatter: Mapping[str, Any], key: str, index: int) -> int:
    """File line of list item `index` under `key`, from ruamel's positions (0-based, after the opening `---`).

    Plain dicts carry no positions: then the line is 1, the frontmatter's opening line.
    """
    items = frontmatter.get(key)
    positions = getattr(items, "lc", None)
    if positions is not None:
        line, _column = positions.item(index)
        return int(line) + 2
    return 1
