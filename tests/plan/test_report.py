"""Run report: the JSON contract, the console rendering, diffs and exit codes."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from rich.console import Console

from worker.matching import ScoreParts
from worker.model import Candidate, Evidence, Work
from worker.plan import PlaylistStep
from worker.report import (
    ArticleOutcome,
    JsonWriter,
    RunReport,
    ServiceOutcome,
    TrackOutcome,
    Unmatched,
    exit_code,
    frontmatter_diff,
    render_text,
    summary,
    to_json,
)

VANGELIS = Work(
    "Vangelis", "Chariots of Fire", 1981, "soundtrack", 0.9, Evidence(12, "**Vangelis** _Chariots of Fire_")
)
ZIMMER = Work("Hans Zimmer", "Inception", 2010, "soundtrack", 0.9, Evidence(20, "_Inception_ (2010)"))
TITLES = Candidate(
    "spotify",
    "3Xa",
    "spotify:track:3Xa",
    "https://open.spotify.com/track/3Xa",
    "Titles",
    ("Vangelis",),
    album="Chariots of Fire",
    isrc="GBAAA8100001",
)
TIME = Candidate(
    "spotify", "6Zb", "spotify:track:6Zb", "https://open.spotify.com/track/6Zb", "Time", ("Hans Zimmer",)
)
PARTS = ScoreParts(0.7, 0.9, 1.0, 1.0, 0.1, 0.66, ("title differs",))


def sample_report(*, service_error: str | None = None, article_error: str | None = None) -> RunReport:
    spotify = ServiceOutcome(
        service="spotify",
        playlist_id="1lIwMwXDqqxQp6C6uo3F31",
        url="https://open.spotify.com/playlist/1lIwMwXDqqxQp6C6uo3F31",
        action="would-create",
        tracks=[TrackOutcome(VANGELIS, TITLES, 0.93, "search")],
        unmatched=[Unmatched(ZIMMER, "ambiguous", [(TIME, PARTS)])],
        steps=(PlaylistStep("create"), PlaylistStep("add", ("3Xa",))),
        notes=["a note"],
    )
    deezer = ServiceOutcome(
        service="deezer", action="failed" if service_error else "unchanged", error=service_error
    )
    articles = [
        ArticleOutcome(
            path="knowledge-en/soundtrack.md",
            services={"spotify": spotify, "deezer": deezer},
            works_found=2,
            diff=frontmatter_diff("knowledge-en/soundtrack.md", b'a: ""\n', b'a: "x"\n'),
        ),
        ArticleOutcome(path="knowledge-en/broken.md", services={}, error=article_error),
    ]
    calls = {"spotify": {"search": 4, "playlist_write": 2}, "deezer": {"search": 3}}
    return RunReport(articles, calls, dry_run=True, started_at=1_700_000_000.0, finished_at=1_700_000_005.0)


def test_json_golden_shape() -> None:
    data = to_json(sample_report())
    json.dumps(data)  # plain data only
    article = data["articles"][0]
    assert article["path"] == "knowledge-en/soundtrack.md"
    spotify = article["services"]["spotify"]
    assert spotify["playlist"] == {
        "id": "1lIwMwXDqqxQp6C6uo3F31",
        "url": "https://open.spotify.com/playlist/1lIwMwXDqqxQp6C6uo3F31",
        "action": "would-create",
        "retired": None,
    }
    assert spotify["tracks"] == [
        {
            "work": {
                "artist": "Vangelis",
                "title": "Chariots of Fire",
                "year": 1981,
                "kind": "soundtrack",
                "confidence": 0.9,
                "evidence": {"line": 12, "text": "**Vangelis** _Chariots of Fire_"},
            },
            "track": {
                "id": "3Xa",
                "title": "Titles",
                "artists": ["Vangelis"],
                "album": "Chariots of Fire",
                "isrc": "GBAAA8100001",
                "url": "https://open.spotify.com/track/3Xa",
            },
            "score": 0.93,
            "found_by": "search",
        }
    ]
    unmatched = spotify["unmatched"][0]
    assert unmatched["outcome"] == "ambiguous"
    assert unmatched["work"]["title"] == "Inception"
    assert unmatched["candidates"][0]["track"]["id"] == "6Zb"
    assert unmatched["candidates"][0]["score"] == 0.66
    assert unmatched["candidates"][0]["reasons"] == ["title differs"]
    assert spotify["steps"] == [
        {"op": "create", "track_ids": [], "note": ""},
        {"op": "add", "track_ids": ["3Xa"], "note": ""},
    ]
    assert data["api_calls"] == {"spotify": {"search": 4, "playlist_write": 2}, "deezer": {"search": 3}}
    assert data["dry_run"] is True
    assert data["started_at"] == "2023-11-14T22:13:20+00:00"
    assert article["diff"].startswith("--- a/knowledge-en/soundtrack.md\n")


def test_render_text_shows_summary_review_diff_and_calls() -> None:
    console = Console(record=True, width=200, color_system=None)
    render_text(
        sample_report(service_error="AuthError: token expired — run playlist-worker auth deezer"), console
    )
    text = console.export_text()
    assert "dry run" in text
    assert "knowledge-en/soundtrack.md" in text
    assert "would-create" in text
    assert "Works to review" in text
    assert "Hans Zimmer — Inception (2010)" in text
    assert "0.66  Hans Zimmer — Time" in text
    assert '+a: "x"' in text
    assert "token expired — run playlist-worker auth deezer" in text
    assert "playlist_write" in text
    assert re.search(r"spotify\W+4\W+0\W+0\W+2\W+0\W+6\W", text.split("API calls")[1])


def test_render_text_does_not_interpret_markup_in_values() -> None:
    console = Console(record=True, width=200, color_system=None)
    report = sample_report()
    report.articles[0].services["spotify"].notes.append("tag [playlist-worker:soundtrack] kept")
    render_text(report, console)
    assert "[playlist-worker:soundtrack]" in console.export_text()


def test_frontmatter_diff() -> None:
    old = b"---\ntitle: A\nisPlayable: false\n---\nbody\n"
    new = b"---\ntitle: A\nisPlayable: true\n---\nbody\n"
    diff = frontmatter_diff("en/a.md", old, new)
    assert diff.splitlines()[:2] == ["--- a/en/a.md", "+++ b/en/a.md"]
    assert "-isPlayable: false\n+isPlayable: true\n" in diff
    assert frontmatter_diff("en/a.md", old, old) == ""


def test_frontmatter_diff_marks_a_missing_final_newline() -> None:
    diff = frontmatter_diff("a.md", b"x: 1", b"x: 2")
    assert diff.endswith("-x: 1\n\\ No newline at end of file\n+x: 2\n\\ No newline at end of file\n")


def test_exit_codes() -> None:
    assert exit_code(sample_report()) == 0  # unmatched works are not failures
    assert exit_code(sample_report(service_error="ProviderUnavailable: 503")) == 2
    assert exit_code(sample_report(article_error="cannot parse the frontmatter")) == 2


def test_summary_line() -> None:
    line = summary(sample_report(service_error="boom"))
    assert line == "dry run: 2 articles; playlists: 1 failed, 1 would-create; 1 unmatched; 1 failed"


@pytest.mark.parametrize("articles", [0, 1, 3])
def test_the_streamed_json_is_the_same_document_and_keeps_only_slim_articles(articles: int) -> None:
    sample = sample_report()
    report = dataclasses.replace(sample, articles=sample.articles[:1] * articles)
    written: list[str] = []
    writer = JsonWriter(written.append)
    kept = [writer.article(article) for article in report.articles]
    writer.finish(
        dataclasses.replace(report, articles=kept), {"skipped_services": {"apple": ["APPLE_KEY_ID"]}}
    )
    assert json.loads("".join(written)) == {
        **to_json(report),
        "skipped_services": {"apple": ["APPLE_KEY_ID"]},
    }
    assert all(not o.tracks and not o.unmatched for article in kept for o in article.services.values())
    assert [article.path for article in kept] == [article.path for article in report.articles]
    assert exit_code(dataclasses.replace(report, articles=kept)) == exit_code(report)
