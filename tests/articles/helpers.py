"""Helpers for the article I/O tests: corpus file lists, re-reading rendered bytes, line-level diffs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.conftest import CONTENT, SHARED
from worker.articles.frontmatter import Article, read_article

CORPUS = SHARED / "corpus"
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in {".md", ".mdx"} and p.name != "SOURCES.md")
CONTENT_FILES = sorted(p for p in CONTENT.rglob("*") if p.suffix in {".md", ".mdx"})
LINK_KEYS = ("spotifyPlaylist", "deezerPlaylist", "appleMusicPlaylist")


def file_id(path: Path) -> str:
    return path.name if path.is_relative_to(CONTENT) else str(path.relative_to(CORPUS))


def reread(raw: bytes, folder: Path, name: str = "reread.md") -> Article:
    """Write `raw` into `folder` and read it back as an article."""
    path = folder / name
    path.write_bytes(raw)
    return read_article(path, folder)


def link_like_keys(article: Article) -> list[str]:
    """Dotted keys of the article's playlist links (under `category` or `playlists`) and `isPlayable`."""
    keys = [
        f"{parent}.{key}"
        for parent in ("category", "playlists")
        if isinstance(article.data.get(parent), Mapping)
        for key in article.data[parent]
        if key.endswith("Playlist")
    ]
    return keys + (["isPlayable"] if "isPlayable" in article.data else [])


def changed_lines(old: bytes, new: bytes) -> list[tuple[bytes, bytes]]:
    """Pairs of differing lines; fails when the line count differs."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    return [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]


def plain(value: Any) -> Any:
    """Parsed YAML as plain, order-revealing Python (mappings become lists of pairs)."""
    if isinstance(value, Mapping):
        return [(key, plain(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, str) and not isinstance(value, bool):
        return str(value)
    return value


def with_key(tree: list[tuple[str, Any]], dotted: str, value: Any) -> list[tuple[str, Any]]:
    """`plain(...)` output with `dotted` set (appended when absent, like render_changes does)."""
    head, _, rest = dotted.partition(".")
    pairs = list(tree)
    for index, (key, item) in enumerate(pairs):
        if key == head:
            pairs[index] = (key, with_key(item, rest, value) if rest else value)
            return pairs
    pairs.append((head, with_key([], rest, value) if rest else value))
    return pairs
