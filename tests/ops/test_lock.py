"""The content lock: one worker per content tree, across threads and processes, with no file left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from worker.errors import ConfigError, LockHeld
from worker.lock import content_lock


def test_a_second_lock_on_the_same_root_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with content_lock(tmp_path), pytest.raises(LockHeld) as caught, content_lock(tmp_path):
        pass
    assert str(tmp_path.resolve()) in caught.value.message
    assert "wait for it or stop it" in caught.value.message


def test_the_lock_is_released_when_the_block_ends(tmp_path: Path) -> None:
    with content_lock(tmp_path):
        pass
    with content_lock(tmp_path) as root:
        assert root == tmp_path.resolve()


def test_no_file_is_created_in_the_content_tree(tmp_path: Path) -> None:
    (tmp_path / "article.md").write_text("---\ntitle: x\n---\n")
    with content_lock(tmp_path):
        assert [p.name for p in tmp_path.iterdir()] == ["article.md"]


def test_another_process_holding_the_lock_blocks_this_one(tmp_path: Path) -> None:
    command = [sys.executable, "-c", _HOLDER, str(tmp_path)]
    holder = subprocess.Popen(command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld), content_lock(tmp_path):
            pass
    finally:
        holder.communicate("")
    with content_lock(tmp_path):
        pass


def test_a_missing_root_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="content root"), content_lock(tmp_path / "missing"):
        pass


_HOLDER = """
import sys
from pathlib import Path
from worker.lock import content_lock
with content_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""
