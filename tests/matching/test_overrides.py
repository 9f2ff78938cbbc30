"""Editors' overrides: loading, validation messages, which works they apply to, and the fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.matching.factories import work
from worker.errors import ConfigError
from worker.overrides import Overrides, WorkOverride, load_overrides

BLADE_RUNNER = work("Blade Runner", "Vangelis", 1982, "soundtrack")
ARTICLE = "knowledge-en/soundtrack.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Overrides:
    return load_overrides(write(tmp_path, text))


def test_the_shipped_file_has_no_entries():
    assert load_overrides(REPO / "config" / "overrides.yaml") == Overrides()


def test_the_example_in_the_shipped_file_is_valid(tmp_path: Path):
    text = (REPO / "config" / "overrides.yaml").read_text(encoding="utf-8")
    example = text.split("# Example")[1].split("\n", 1)[1]
    uncommented = "\n".join(line[2:] for line in example.splitlines() if line.startswith("# "))

    overrides = load(tmp_path, uncommented)

    assert len(overrides.entries) == 3
    assert overrides.for_work(ARTICLE, BLADE_RUNNER).pins["deezer"] == "3135556"


def test_a_missing_or_empty_file_means_no_overrides(tmp_path: Path):
    assert load_overrides(tmp_path / "absent.yaml") == Overrides()
    assert load(tmp_path, "") == Overrides()
    assert load(tmp_path, "overrides:\n") == Overrides()


def test_pins_not_on_and_exclude_are_read(tmp_path: Path):
    overrides = load(
        tmp_path,
        """
overrides:
  - work: {artist: Vangelis, title: Blade Runner}
    pin: {spotify: 4uLU6hMCjMI75M1A2tKUQC, deezer: 3135556}
    not_on: [apple]
  - work: {title: The Jazz Singer}
    exclude: true
""",
    )

    assert overrides.for_work(ARTICLE, BLADE_RUNNER) == WorkOverride(
        exclude=False,
        pins={"spotify": "4uLU6hMCjMI75M1A2tKUQC", "deezer": "3135556"},
        not_on=frozenset({"apple"}),
    )
    assert overrides.for_work(ARTICLE, work("The Jazz Singer", "Al Jolson", 1927)).exclude


@pytest.mark.parametrize(
    ("entry_work", "the_work", "applies"),
    [
        ("{artist: Björk, title: Jóga}", work("Joga", "Bjork", 1997), True),
        ("{artist: The Who, title: Tommy}", work("Tommy", "Who", 1969), True),
        ("{artist: Who, title: Tommy}", work("Tommy", "The Who", 1969), True),
        ("{title: Tommy}", work("Tommy", "The Who", 1969), True),
        ("{title: Tommy}", work("Tommy", None, None), True),
        ("{artist: The Who, title: Tommy}", work("Tommy", None, 1969), False),
        ("{artist: The Who, title: Tommy}", work("Tommy", "Elton John", 1975), False),
        ("{title: King Kong, year: 1933}", work("King Kong", None, 1933), True),
        ("{title: King Kong, year: 1933}", work("King Kong", None, 2005), False),
        ("{title: King Kong}", work("King Kong", None, 2005), True),
        ("{title: King Kong}", work("Son of Kong", None, 1933), False),
    ],
)
def test_which_works_an_entry_applies_to(tmp_path: Path, entry_work: str, the_work, applies: bool):
    overrides = load(tmp_path, f"overrides:\n  - work: {entry_work}\n    exclude: true\n")

    assert overrides.for_work(ARTICLE, the_work).exclude is applies


def test_an_article_entry_applies_only_to_that_article_and_wins_over_global_ones(tmp_path: Path):
    overrides = load(
        tmp_path,
        f"""
overrides:
  - work: {{artist: Vangelis, title: Blade Runner}}
    article: ./{ARTICLE}
    pin: {{deezer: "111"}}
  - work: {{artist: Vangelis, title: Blade Runner}}
    pin: {{deezer: "222", spotify: abc}}
    not_on: [apple]
  - work: {{artist: Vangelis, title: Blade Runner}}
    article: {ARTICLE}
    pin: {{apple: "333"}}
""",
    )

    here = overrides.for_work(ARTICLE, BLADE_RUNNER)
    elsewhere = overrides.for_work("other/article.md", BLADE_RUNNER)

    assert here == WorkOverride(pins={"deezer": "111", "spotify": "abc", "apple": "333"}, not_on=frozenset())
    assert elsewhere == WorkOverride(pins={"deezer": "222", "spotify": "abc"}, not_on=frozenset({"apple"}))


def test_a_work_without_entries_gets_the_empty_override(tmp_path: Path):
    assert load(tmp_path, "overrides: []").for_work(ARTICLE, BLADE_RUNNER) == WorkOverride()


def test_every_problem_is_listed_with_entry_number_and_line(tmp_path: Path):
    path = write(
        tmp_path,
        """overrides:
  - work: {artist: Vangelis, title: Blade Runner}
    pin: {tidal: "1"}
  - work: {artist: Vangelis}
    exclude: true
  - work: {title: Chariots of Fire}
  - work: {title: Antarctica}
    pin: {deezer: "5"}
    not_on: [deezer]
  - work: {title: Heaven and Hell}
    pin: {spotify: "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"}
    colour: blue
""",
    )

    with pytest.raises(ConfigError) as raised:
        load_overrides(path)

    problems = raised.value.problems
    assert any(
        p.startswith("entry 1 (line 2): pin.tidal") and "use spotify, deezer or apple" in p for p in problems
    )
    assert any(p.startswith("entry 2 (line 4): work.title: missing") for p in problems)
    assert any(p.startswith("entry 3 (line 6)") and "does nothing" in p for p in problems)
    assert any(p.startswith("entry 4 (line 7)") and "deezer is both pinned" in p for p in problems)
    assert any(p.startswith("entry 5 (line 10): pin.spotify") and "looks like a link" in p for p in problems)
    assert any(p.startswith("entry 5 (line 10): colour: unknown key") for p in problems)
    assert "config/overrides.yaml" in raised.value.hint


@pytest.mark.parametrize(
    "text",
    ["overrides: [unclosed", "- work: {title: X}\n  exclude: true\n", "overrides: {work: x}", "pins: []"],
    ids=["bad yaml", "list at top", "mapping instead of list", "unknown top key"],
)
def test_a_file_of_the_wrong_shape_is_refused(tmp_path: Path, text: str):
    with pytest.raises(ConfigError):
        load(tmp_path, text)


def test_the_fingerprint_changes_only_with_entries_that_can_affect_the_article(tmp_path: Path):
    base = "overrides:\n  - work: {title: Blade Runner}\n    article: a.md\n    pin: {deezer: '1'}\n"
    changed_a = base.replace("'1'", "'2'")
    added_b = base + "  - work: {title: Tommy}\n    article: b.md\n    exclude: true\n"
    added_global = base + "  - work: {title: Tommy}\n    exclude: true\n"

    def prints(text: str) -> tuple[str, str]:
        overrides = load(tmp_path, text)
        return overrides.fingerprint("a.md"), overrides.fingerprint("c.md")

    a0, c0 = prints(base)
    assert prints(base) == (a0, c0)
    assert prints(changed_a)[0] != a0
    assert prints(changed_a)[1] == c0
    assert prints(added_b) == (a0, c0)
    assert prints(added_global)[0] != a0
    assert prints(added_global)[1] != c0
