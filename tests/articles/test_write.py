"""write_atomic: writes only on change, keeps the mode, leaves nothing behind when the rename fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from worker.articles.frontmatter import write_atomic
from worker.errors import ArticleError


def test_equal_content_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"same\n")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = path.stat()

    assert write_atomic(path, b"same\n") is False
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_new_content_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"old\n")
    path.chmod(0o640)

    assert write_atomic(path, b"new\n") is True
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_a_symlink_stays_a_symlink_and_its_target_changes(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_bytes(b"old\n")
    (tmp_path / "link.md").symlink_to(tmp_path / "real.md")

    assert write_atomic(tmp_path / "link.md", b"new\n") is True
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "real.md").read_bytes() == b"new\n"


def test_a_failed_rename_leaves_the_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"old\n")

    def refuse(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ArticleError, match=r"could not be written \(No space left on device\).*unchanged"):
        write_atomic(path, b"new\n")

    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_a_new_file_is_created(tmp_path: Path) -> None:
    assert write_atomic(tmp_path / "new.md", b"x\n") is True
    assert (tmp_path / "new.md").read_bytes() == b"x\n"
    assert (tmp_path / "new.md").stat().st_mode & 0o777 == 0o644
