"""discover: globs relative to the root, excludes, explicit files, and problems instead of crashes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from worker.articles.discover import discover

GLOBS = ["**/*.md", "**/*.mdx"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    for name in ["a.md", "x/b.mdx", "x/y/c.md", "x/notes.txt", "drafts/d.md", "knowledge-jp/placeholder.md"]:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("---\ntitle: T\n---\n")
    return content


def names(paths: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root.resolve()).as_posix() for path in paths]


def test_the_whole_root_with_globs_and_excludes(root: Path) -> None:
    found = discover(root, [], GLOBS, ["drafts/**", "**/placeholder.md"])

    assert names(found.paths, root) == ["a.md", "x/b.mdx", "x/y/c.md"]
    assert found.problems == []


def test_a_folder_input_uses_root_relative_globs(root: Path) -> None:
    assert names(discover(root, [root / "x"], ["x/*.mdx", "*.md"], []).paths, root) == ["x/b.mdx"]
    assert names(discover(root, [root / "x"], ["**/*.md"], []).paths, root) == ["x/y/c.md"]


def test_explicit_files_skip_the_globs_but_not_the_excludes(root: Path) -> None:
    found = discover(
        root, [root / "x/notes.txt", root / "drafts/d.md", root / "a.md", root / "a.md"], GLOBS, ["drafts/**"]
    )

    assert names(found.paths, root) == ["a.md", "x/notes.txt"]


def test_missing_and_outside_inputs_are_problems(root: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.md").write_text("---\n---\n")
    (root / "escape").symlink_to(tmp_path)
    (root / "dangling.md").symlink_to(root / "gone.md")

    found = discover(root, [root / "nope.md", tmp_path / "elsewhere.md", root / "escape", root], GLOBS, [])

    reasons = {problem.path.name: problem.reason for problem in found.problems}
    assert "does not exist" in reasons["nope.md"]
    assert "outside the content root" in reasons["elsewhere.md"]
    assert "outside the content root" in reasons["escape"]
    assert "broken symlink" in reasons["dangling.md"]
    assert names(found.paths, root) == [
        "a.md",
        "drafts/d.md",
        "knowledge-jp/placeholder.md",
        "x/b.mdx",
        "x/y/c.md",
    ]


def test_an_unreadable_folder_is_a_problem_and_the_rest_is_found(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_scandir = os.scandir
    locked = (root / "x").resolve()

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover(root, [], GLOBS, [])

    assert names(found.paths, root) == ["a.md", "drafts/d.md", "knowledge-jp/placeholder.md"]
    assert [(p.path, "cannot be read (Permission denied)" in p.reason) for p in found.problems] == [
        (locked, True)
    ]


@pytest.mark.parametrize(
    ("glob", "matches", "misses"),
    [
        ("**/*.md", ["a.md", "x/y/a.md"], ["a.mdx", "x/a.txt"]),
        ("*.md", ["a.md"], ["x/a.md"]),
        ("drafts/**", ["drafts/a.md", "drafts/x/y.md"], ["draftsy/a.md", "a/drafts/b.md"]),
        ("x/?.md", ["x/a.md"], ["x/ab.md", "x/y/a.md"]),
        ("[!_]*.md", ["a.md"], ["_a.md"]),
        ("forró.md", ["forró.md"], ["forro.md"]),
        ("female-r&b-divas.md", ["female-r&b-divas.md"], ["female-rb-divas.md"]),
    ],
)
def test_glob_semantics(tmp_path: Path, glob: str, matches: list[str], misses: list[str]) -> None:
    for name in matches + misses:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")

    assert names(discover(tmp_path, [], [glob], []).paths, tmp_path) == sorted(matches)
