"""A content copy, a state file and a running sandbox, wired in through the environment like a deployment."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CONTENT
from worker.cli import main
from worker.config import ENV_PREFIX
from worker.sandbox import Sandbox, running_sandbox

ARTICLES = ("knowledge-es/bossa-nova.md", "knowledge-de/film-music.md")


@dataclass
class Deployment:
    sandbox: Sandbox
    root: Path
    state_path: Path


def setting(monkeypatch: pytest.MonkeyPatch, dotted: str, value: str) -> None:
    monkeypatch.setenv(ENV_PREFIX + dotted.upper().replace(".", "__"), value)


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """Two real articles, Spotify and Deezer (retries off: a 429 or 503 never makes a test wait)."""
    root = tmp_path / "content"
    for article in ARTICLES:
        (root / article).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CONTENT / article, root / article)
    monkeypatch.chdir(tmp_path)
    with running_sandbox(data_path=tmp_path / "sandbox.json") as sandbox:
        for dotted, value in sandbox.settings_overrides().items():
            setting(monkeypatch, dotted, value)
        for name, value in sandbox.credentials.items():
            monkeypatch.setenv(name, value)
        setting(monkeypatch, "content.root", str(root))
        setting(monkeypatch, "state.path", str(tmp_path / "state" / "state.db"))
        setting(monkeypatch, "services.enabled", "[spotify, deezer]")
        setting(monkeypatch, "retry.max_attempts", "1")
        yield Deployment(sandbox, root, tmp_path / "state" / "state.db")


def run_cli(argv: list[str]) -> int:
    """The console entry point as a user runs it; returns its exit code."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)
