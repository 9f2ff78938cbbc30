"""Runs the real sync in-process against the sandbox on a scratch copy of content/, and scores it."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tests.conftest import CONTENT, REPO
from worker.model import fold
from worker.report import RunReport, to_json
from worker.runtime import RuntimeRequest, Timing, open_runtime
from worker.sandbox.catalog import BUNDLED_CATALOG, load_catalog
from worker.sync import SyncEffects, SyncOptions, run_sync

T = TypeVar("T")
GOLD = REPO / "tests" / "gold"
RECORDINGS = REPO / "tests" / "catalog" / "recordings.yaml"
GOLD_ARTICLES = {
    "soundtrack.yaml": "knowledge-en/soundtrack.md",
    "acid-jazz.yaml": "knowledge-en/acid-jazz.md",
    "film-music.yaml": "knowledge-de/film-music.md",
}


class FakeClock:
    """Wall-clock time that moves only when someone sleeps: pacers and rate limits cost no real time."""

    def __init__(self) -> None:
        self.now = time.time()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(seconds, 0.0)


@dataclass
class Workspace:
    """A scratch content tree and state folder that survive between runs (like an operator's machine)."""

    root: Path
    clock: FakeClock = field(default_factory=FakeClock)

    @classmethod
    def create(cls, tmp: Path) -> Workspace:
        shutil.copytree(CONTENT, tmp / "content")
        return cls(tmp)

    @property
    def content(self) -> Path:
        return self.root / "content"

    def sync(self, paths: Sequence[Path] = (), **options: Any) -> RunReport:
        request = RuntimeRequest(
            config_path=REPO / "config" / "worker.yaml",
            sandbox=True,
            state_path=self.root / "state" / "state.db",
            content_root=self.content,
            overrides_path=REPO / "config" / "overrides.yaml",
        )
        timing = Timing(clock=self.clock, wall_clock=self.clock, sleep=self.clock.sleep)
        with open_runtime(request, environ={}, timing=timing) as runtime:
            effects = SyncEffects(runtime.providers, runtime.state, self.clock)
            return run_sync(runtime.settings, runtime.overrides, SyncOptions(paths=paths, **options), effects)

    def snapshot(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.content)): p.read_bytes()
            for p in sorted(self.content.rglob("*"))
            if p.is_file()
        }


def searches(report: RunReport) -> int:
    return sum(calls.get("search", 0) for calls in report.api_calls.values())


@dataclass(frozen=True)
class Score:
    right: int
    total: int
    wrong: list[str]

    @property
    def ratio(self) -> float:
        return self.right / self.total if self.total else 1.0


def accuracy(report: RunReport) -> dict[str, Score]:
    """Per service: how many gold works got exactly the expected recording (or, when absent, none)."""
    catalog = load_catalog(BUNDLED_CATALOG)
    chosen = _chosen_tracks(report)
    expectations = gold_expectations()
    scores: dict[str, Score] = {}
    for service in ("spotify", "deezer", "apple"):
        right, wrong = 0, []
        for article, title, year, expect in expectations:
            track_id = _by_year(chosen.get((service, article, title), []), year)
            track = catalog.view(service).track(track_id) if track_id else None
            got = track.key if track else None
            if got == expect[service]:
                right += 1
            else:
                wrong.append(f"{article}: {title} ({year}): expected {expect[service]}, got {got}")
        scores[service] = Score(right, len(expectations), wrong)
    return scores


def chosen_decoys(report: RunReport) -> list[str]:
    """Every track put in a playlist that is no work's expected recording (a cover, karaoke, tribute…)."""
    catalog = load_catalog(BUNDLED_CATALOG)
    expected = {key for entry in _recordings() for key in entry["expect"].values() if key}
    found = []
    for (service, article, title), picks in _chosen_tracks(report).items():
        for _year, track_id in picks:
            track = catalog.view(service).track(track_id)
            if track is None or track.key not in expected:
                found.append(f"{service} {article}: {title} → {track.key if track else track_id}")
    return found


def gold_expectations() -> list[tuple[str, str, int | None, dict[str, str | None]]]:
    """(article, folded title, year, expected key per service) for every gold work with an expectation."""
    recordings: dict[tuple[str, str], list[tuple[int | None, dict[str, str | None]]]] = {}
    for entry in _recordings():
        recordings.setdefault((entry["article"], fold(entry["title"])), []).append(
            (entry["year"], entry["expect"])
        )
    found = []
    for gold_file, article in GOLD_ARTICLES.items():
        for work in yaml.safe_load((GOLD / gold_file).read_text(encoding="utf-8")):
            title = fold(work["title"])
            expect = _by_year(recordings.get((article, title), []), work["year"])
            if expect is not None:
                found.append((article, title, work["year"], expect))
    return found


def _by_year(entries: Sequence[tuple[int | None, T]], year: int | None) -> T | None:
    """The only entry, or — when an article has two works of one title (Godzilla 1954, 1998) — the year's."""
    if len(entries) <= 1:
        return entries[0][1] if entries else None
    return next((value for entry_year, value in entries if entry_year == year), None)


def _recordings() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(RECORDINGS.read_text(encoding="utf-8"))
    return loaded


def _chosen_tracks(report: RunReport) -> dict[tuple[str, str, str], list[tuple[int | None, str]]]:
    chosen: dict[tuple[str, str, str], list[tuple[int | None, str]]] = {}
    for article in to_json(report)["articles"]:
        for service, outcome in article["services"].items():
            for track in outcome["tracks"]:
                work = track["work"]
                picks = chosen.setdefault((service, article["path"], fold(work["title"])), [])
                if work["year"] not in [year for year, _ in picks]:
                    picks.append((work["year"], track["track"]["id"]))
    return chosen
