"""Scoring extraction against the hand-written gold lists in `tests/gold/` (used by the tests and the bench).

A gold work is *recalled* when a work with its title is extracted and credited to the gold artist.
*Artist precision* counts, over extracted works whose title is in the gold list and that carry an artist,
how many carry the gold artist (a gold `null` means any credited artist is wrong).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from worker.articles.extract import extract_works
from worker.articles.frontmatter import read_article
from worker.config import ExtractSettings
from worker.model import Work, fold

GOLD = Path(__file__).resolve().parent.parent / "gold"
GOLD_ARTICLES = {
    "soundtrack": "knowledge-en/soundtrack.md",
    "acid-jazz": "knowledge-en/acid-jazz.md",
    "film-music": "knowledge-de/film-music.md",
}


@dataclass
class GoldScore:
    article: str
    same_sentence: tuple[int, int] = (0, 0)
    paragraph: tuple[int, int] = (0, 0)
    attributed: tuple[int, int] = (0, 0)
    problems: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(pair: tuple[int, int]) -> float:
        return pair[0] / pair[1] if pair[1] else 1.0

    def line(self) -> str:
        parts = [
            ("same_sentence recall", self.same_sentence),
            ("paragraph recall", self.paragraph),
            ("artist precision", self.attributed),
        ]
        return f"{self.article}: " + ", ".join(
            f"{label} {self.ratio(p):.0%} ({p[0]}/{p[1]})" for label, p in parts
        )


def load_gold(name: str) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = YAML(typ="safe").load((GOLD / f"{name}.yaml").read_text(encoding="utf-8"))
    return loaded


def extract_article(content_root: Path, rel_path: str) -> list[Work]:
    article = read_article(content_root / rel_path, content_root)
    return extract_works(article.data, article.body, article.body_start_line, ExtractSettings())


def same_artist(left: str | None, right: str | None) -> bool:
    if left is None or right is None:
        return left is right
    return _artist_key(left) == _artist_key(right)


def _artist_key(name: str) -> str:
    return fold(name.replace("&", " and ")).removeprefix("the ")


def _title_key(title: str) -> str:
    return fold(title).removeprefix("the ")


def score(article: str, gold: Sequence[dict[str, Any]], works: Sequence[Work]) -> GoldScore:
    result = GoldScore(article)
    by_title: dict[str, list[Work]] = {}
    for work in works:
        by_title.setdefault(_title_key(work.title), []).append(work)
    hits = {"same_sentence": [0, 0], "paragraph": [0, 0]}
    right = total = 0
    for entry in gold:
        found = by_title.get(_title_key(entry["title"]), [])
        credited = any(same_artist(work.artist, entry["artist"]) for work in found)
        if entry["scope"] in hits:
            hits[entry["scope"]][1] += 1
            hits[entry["scope"]][0] += credited
            if not credited:
                result.problems.append(f"missed {entry['artist']} — {entry['title']} ({entry['scope']})")
        for work in found:
            if work.artist is not None:
                total += 1
                right += same_artist(work.artist, entry["artist"])
                if not same_artist(work.artist, entry["artist"]):
                    result.problems.append(f"wrong artist {work.artist} for {entry['title']}")
    result.same_sentence = (hits["same_sentence"][0], hits["same_sentence"][1])
    result.paragraph = (hits["paragraph"][0], hits["paragraph"][1])
    result.attributed = (right, total)
    return result


def score_all(content_root: Path) -> list[GoldScore]:
    """Scores for every gold article under `content_root`."""
    return [
        score(name, load_gold(name), extract_article(content_root, rel_path))
        for name, rel_path in GOLD_ARTICLES.items()
    ]
