"""Extraction against the hand-written gold lists: the quality bar per article (run with -s for figures)."""

from __future__ import annotations

import pytest

from tests.conftest import CONTENT
from tests.extract.gold import GOLD_ARTICLES, GoldScore, extract_article, load_gold, score


@pytest.mark.parametrize("name", sorted(GOLD_ARTICLES))
def test_gold_article_meets_the_bar(name: str) -> None:
    result = score(name, load_gold(name), extract_article(CONTENT, GOLD_ARTICLES[name]))
    print(result.line(), *result.problems, sep="\n  ")
    assert GoldScore.ratio(result.same_sentence) >= 0.95, result.problems
    assert GoldScore.ratio(result.paragraph) >= 0.80, result.problems
    assert GoldScore.ratio(result.attributed) >= 0.95, result.problems


def test_gold_titles_are_all_extracted() -> None:
    for name, rel_path in GOLD_ARTICLES.items():
        titles = {work.title for work in extract_article(CONTENT, rel_path)}
        missing = [entry["title"] for entry in load_gold(name) if entry["title"] not in titles]
        assert not missing, f"{name}: {missing}"
