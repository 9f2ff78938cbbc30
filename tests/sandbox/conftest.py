"""Fixtures every sandbox test shares: a fake clock and a small sandbox running on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.helpers import FakeClock, small_sandbox
from worker.sandbox import Sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(tmp_path: Path, clock: FakeClock) -> Iterator[Sandbox]:
    with small_sandbox(tmp_path, clock) as running:
        yield running
