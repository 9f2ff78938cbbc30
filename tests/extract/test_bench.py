"""The benchmark's bookkeeping, with a fake clock (no real timings are asserted)."""

from __future__ import annotations

from itertools import count

from bench.extract_bench import SEED, measure
from tests.conftest import CONTENT


def test_measure_reports_every_article_and_the_seed() -> None:
    ticks = count()
    result = measure(CONTENT, repeat=2, clock=lambda: next(ticks) / 1000)
    assert result["articles"] == len(result["per_article_ms"]) >= 3
    assert result["seed_ms"] == 1.0 and SEED in result["per_article_ms"]
    assert result["articles_per_s"] == 1000.0
