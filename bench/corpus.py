"""A large synthetic corpus built from the real articles, so works repeat the way they do on a real site.

Each generated article is a copy of one real article under a new name, with small text changes: one body
paragraph may be left out (so copies mention slightly different works) and an edition line is appended.
The frontmatter is copied byte for byte, so the link keys and their layout stay realistic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

ARTICLE_SUFFIXES = (".md", ".mdx")
SECTIONS = ("features", "reviews", "guides", "archive", "interviews")


@dataclass(frozen=True)
class SourceArticle:
    rel_path: Path
    frontmatter: str
    paragraphs: list[str]


def read_sources(root: Path) -> list[SourceArticle]:
    """Every article under `root` split into its frontmatter block and its body paragraphs."""
    sources = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in ARTICLE_SUFFIXES and p.is_file()):
        text = path.read_text(encoding="utf-8")
        frontmatter, body = split_frontmatter(text)
        sources.append(SourceArticle(path.relative_to(root), frontmatter, body.split("\n\n")))
    return sources


def split_frontmatter(text: str) -> tuple[str, str]:
    """(`---` block with its closing line, body); the whole text is body when there is no frontmatter."""
    if not text.startswith("---\n"):
        return "", text
    end = text.find("\n---\n", 4)
    if end < 0:
        return "", text
    return text[: end + 5], text[end + 5 :]


def varied_text(source: SourceArticle, edition: int, rng: random.Random) -> str:
    """A copy of `source` with at most one body paragraph left out and an edition line added."""
    paragraphs = list(source.paragraphs)
    if len(paragraphs) > 3 and rng.random() < 0.5:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    body = "\n\n".join(paragraphs).rstrip("\n")
    return f"{source.frontmatter}{body}\n\nEdition {edition} of this article.\n"


def varied_name(source: SourceArticle, edition: int) -> Path:
    """`<section>/<topic>/<stem>-<edition>.<ext>`: folder and file names vary like a real site's."""
    section = SECTIONS[edition % len(SECTIONS)]
    return Path(
        section, source.rel_path.parent, f"{source.rel_path.stem}-{edition:04d}{source.rel_path.suffix}"
    )


def generate_corpus(source_root: Path, dest: Path, count: int, *, seed: int = 0) -> list[Path]:
    """Write `count` articles under `dest` (which should be empty), cycling through the real ones."""
    sources = read_sources(source_root)
    if not sources:
        raise ValueError(f"no articles under {source_root}")
    rng = random.Random(seed)
    written = []
    for edition in range(count):
        source = sources[edition % len(sources)]
        target = dest / varied_name(source, edition)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(varied_text(source, edition, rng), encoding="utf-8")
        written.append(target)
    return written
