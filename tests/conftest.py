"""Shared fixtures: paths to the repo's data and the read-only shared folder, and a clean environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
SHARED = REPO.parent / "shared"
FIXTURES = REPO / "tests" / "fixtures"
"""Copies of the recorded API responses, Spotify's OpenAPI file and the example catalog from ../shared, so the
suite runs on any machine; only the whole-corpus round trip reads ../shared itself."""


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test depends on the developer's shell: worker settings and secrets are removed."""
    from worker.config import ENV_PREFIX, SECRET_ENV_VARS

    for name in list(os.environ):
        if name.startswith(ENV_PREFIX) or name in SECRET_ENV_VARS or name == "PLAYLIST_WORKER_CONFIG":
            monkeypatch.delenv(name)


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    return SHARED
