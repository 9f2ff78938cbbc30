"""The fewest API calls a cold sync needs, and the shortest time those calls can take. Pure functions.

Definitions (also in the README's Performance section):

- **Minimum calls** per service = one search per unique work the service is asked about (works excluded by an
  editor or extracted with too little confidence are not asked about) + two playlist writes (create, then add
  the tracks) per article that ends up with a playlist holding at least one track on that service.
- **Rate bound** per service: a rolling window admits `limit` calls per `window_s`, so `n` calls need at least
  `(ceil(n / limit) - 1) * window_s` seconds (the first `limit` calls may go at once).
- **Latency bound**: the worker makes one call at a time, so every call's round trip adds up:
  `sum over services of n * latency_s`.
- **Lower bound** = max(latency bound, the largest rate bound). `ratio` = measured wall time / lower bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SKIPPED_OUTCOMES = frozenset({"excluded", "low_confidence"})
WRITES_PER_PLAYLIST = 2


@dataclass(frozen=True)
class RateLimit:
    """A rolling-window limit: at most `limit` calls in any `window_s` seconds."""

    limit: int
    window_s: float

    def seconds_for(self, calls: int) -> float:
        if calls <= 0:
            return 0.0
        return (math.ceil(calls / self.limit) - 1) * self.window_s


@dataclass(frozen=True)
class LowerBound:
    latency_s: float
    rate_s: dict[str, float]

    @property
    def seconds(self) -> float:
        return max(self.latency_s, *self.rate_s.values(), 0.0)


def min_calls(report: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Minimum searches and playlist writes per service, read from a sync's JSON report."""
    works: dict[str, set[tuple[Any, ...]]] = {}
    playlists: dict[str, int] = {}
    for article in report["articles"]:
        for service, outcome in article["services"].items():
            works.setdefault(service, set()).update(_asked_works(outcome))
            playlists[service] = playlists.get(service, 0) + (1 if outcome["tracks"] else 0)
    return {
        service: {
            "search": len(works[service]),
            "playlist_write": WRITES_PER_PLAYLIST * playlists[service],
        }
        for service in works
    }


def _asked_works(outcome: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    for item in outcome["tracks"]:
        yield _work_key(item["work"])
    for item in outcome["unmatched"]:
        if item["outcome"] not in SKIPPED_OUTCOMES:
            yield _work_key(item["work"])


def _work_key(work: Mapping[str, Any]) -> tuple[Any, ...]:
    return (work["artist"], work["title"], work["year"], work["kind"])


def total(calls: Mapping[str, Mapping[str, int]]) -> int:
    return sum(sum(kinds.values()) for kinds in calls.values())


def lower_bound(
    minimum: Mapping[str, Mapping[str, int]], limits: Mapping[str, RateLimit], latency_s: float
) -> LowerBound:
    """The shortest wall time in which a one-call-at-a-time worker can make the minimum calls."""
    per_service = {service: sum(kinds.values()) for service, kinds in minimum.items()}
    return LowerBound(
        latency_s=sum(per_service.values()) * latency_s,
        rate_s={service: limits[service].seconds_for(n) for service, n in per_service.items()},
    )
