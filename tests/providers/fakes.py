"""Test doubles for time and recorded API samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES

SAMPLES = FIXTURES / "api-samples"


class FakeClock:
    """A monotonic clock that only moves when `sleep` is called; records every wait."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"negative sleep {seconds}"
        self.waits.append(seconds)
        self.now += seconds


def sample(name: str) -> Any:
    """A recorded response body from shared/api-samples (e.g. `deezer/track_by_id.json`)."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def sample_path(name: str) -> Path:
    return SAMPLES / name
