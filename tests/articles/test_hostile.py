"""Broken and hostile files: each gives an ArticleError a person understands, and no file is changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.articles.discover import discover
from worker.articles.frontmatter import read_article
from worker.errors import ArticleError

GOOD = b'---\ntitle: Good\ncategory:\n  spotifyPlaylist: ""\n---\nBody with **Artist** and _Work_ (1999).\n'

HOSTILE: dict[str, tuple[bytes, list[str]]] = {
    "tabs.md": (b"---\ntitle: T\ncategory:\n\tspotifyPlaylist: x\n---\n", ["line 4", "tab", "spaces"]),
    "duplicate.md": (
        b"---\ntitle: A\nauthor: B\ntitle: C\n---\n",
        ["duplicate key", "line 4", "title", "only one"],
    ),
    "unclosed.md": (
        b'---\ntitle: "Open\nauthor: B\n---\nbody\n',
        ["opened at line 2", "never closed", "quote"],
    ),
    "latin1.md": (
        b"---\ntitle: Caf\xe9\n---\n",
        ["not valid UTF-8", "byte offset 14", "line 2", "UTF-8 encoding"],
    ),
    "binary.md": (b"---\x00\x01\x02PNG", ["binary", "NUL"]),
    "no-frontmatter.md": (b"# Just a title\n\ntext\n", ["no frontmatter", "`---`"]),
    "unterminated.md": (
        b"---\ntitle: T\n\nBody without a closing fence\n",
        ["unterminated", "closing `---`"],
    ),
    "list.md": (b"---\n- a\n- b\n---\n", ["a list", "not a mapping"]),
    "scalar.md": (b"---\njust text\n---\n", ["single value", "not a mapping"]),
    "colon.md": (b"---\ntitle: a: b\n---\n", ["line 2", "quotes"]),
    "control.md": (b"---\ntitle: a\x07b\n---\n", ["control character", "line 2"]),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_broken_files_give_a_readable_error_and_stay_unchanged(tmp_path: Path, name: str) -> None:
    raw, words = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(raw)

    with pytest.raises(ArticleError) as caught:
        read_article(path, tmp_path)

    assert all(word in caught.value.reason for word in words), caught.value.reason
    assert caught.value.path == path
    assert path.read_bytes() == raw


def test_frontmatter_only_is_fine(tmp_path: Path) -> None:
    (tmp_path / "only.md").write_bytes(b"---\ntitle: T\n---\n")

    article = read_article(tmp_path / "only.md", tmp_path)

    assert (article.body, article.body_start_line, article.rel_path) == ("", 4, "only.md")


def test_a_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    path.write_bytes(GOOD + b"x" * (5_000_001 - len(GOOD)))

    with pytest.raises(ArticleError, match="5000001 bytes, more than the limit of 5000000 bytes"):
        read_article(path, tmp_path)
    assert read_article(tmp_path / "huge.md", tmp_path, max_bytes=6_000_000).data["title"] == "Good"


def test_a_folder_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "folder.md").mkdir()

    with pytest.raises(ArticleError, match="not a regular file"):
        read_article(tmp_path / "folder.md", tmp_path)


def test_paths_outside_the_root_are_refused_even_through_symlinks(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside.md"
    root.mkdir()
    outside.write_bytes(GOOD)
    (root / "link.md").symlink_to(outside)

    for path in (root / "link.md", outside, root / ".." / "outside.md"):
        with pytest.raises(ArticleError, match="outside the content root"):
            read_article(path, root)


def test_a_symlink_inside_the_root_reads_its_target(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_bytes(GOOD)
    (tmp_path / "alias.md").symlink_to(tmp_path / "real.md")

    assert read_article(tmp_path / "alias.md", tmp_path).rel_path == "alias.md"


def test_discover_over_hostile_files_still_finds_and_reads_the_good_ones(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "bad").mkdir(parents=True)
    for name, (raw, _) in HOSTILE.items():
        (root / "bad" / name).write_bytes(raw)
    (root / "good.md").write_bytes(GOOD)
    (tmp_path / "secret.md").write_bytes(GOOD)
    (root / "escape.md").symlink_to(tmp_path / "secret.md")

    found = discover(root, [], ["**/*.md"], [])
    readable, errors = [], []
    for path in found.paths:
        try:
            readable.append(read_article(path, root).rel_path)
        except ArticleError as error:
            errors.append(error)

    assert readable == ["good.md"]
    assert len(errors) == len(HOSTILE)
    assert [(p.path.name, "outside the content root" in p.reason) for p in found.problems] == [
        ("escape.md", True)
    ]
    assert (tmp_path / "secret.md").read_bytes() == GOOD
