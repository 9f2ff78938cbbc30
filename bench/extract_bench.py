"""Extraction speed on one core: articles/s, MB/s, per-article ms and the seed article's ms.

Run: `/tmp/venv/bin/python bench/extract_bench.py [CONTENT_ROOT]` (default: content/).
Files are read once up front; only `extract_works` is timed (best of `repeat` runs per article).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from worker.articles.discover import discover
from worker.articles.extract import extract_works
from worker.articles.frontmatter import Article, read_article
from worker.config import ExtractSettings

SEED = "knowledge-en/soundtrack.md"


def measure(
    content_root: Path, repeat: int = 5, clock: Callable[[], float] = time.perf_counter
) -> dict[str, Any]:
    """Timings for every article under `content_root`; `clock` is injected so callers can fake time."""
    settings = ExtractSettings()
    found = discover(content_root, [], ["**/*.md", "**/*.mdx"], [])
    articles = [read_article(path, content_root) for path in found.paths]
    per_article = {article.rel_path: _best_ms(article, settings, repeat, clock) for article in articles}
    total_s = sum(per_article.values()) / 1000
    size_mb = sum(len(article.raw) for article in articles) / 1_000_000
    return {
        "articles": len(articles),
        "megabytes": round(size_mb, 3),
        "articles_per_s": round(len(articles) / total_s, 1) if total_s else 0.0,
        "mb_per_s": round(size_mb / total_s, 2) if total_s else 0.0,
        "per_article_ms": per_article,
        "seed_ms": per_article.get(SEED),
    }


def _best_ms(article: Article, settings: ExtractSettings, repeat: int, clock: Callable[[], float]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        extract_works(article.data, article.body, article.body_start_line, settings)
        best = min(best, clock() - start)
    return round(best * 1000, 2)


def main(argv: list[str]) -> None:
    root = Path(argv[1]) if len(argv) > 1 else Path("content")
    result = measure(root)
    for path, ms in sorted(result["per_article_ms"].items()):
        print(f"{ms:9.2f} ms  {path}")
    print(f"{result['articles']} articles, {result['megabytes']} MB")
    print(f"{result['articles_per_s']} articles/s, {result['mb_per_s']} MB/s, seed {result['seed_ms']} ms")


if __name__ == "__main__":
    main(sys.argv)
