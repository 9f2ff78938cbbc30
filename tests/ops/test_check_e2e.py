"""`check` end to end: sync demo content against the sandbox, then break it in the ways CI must notice."""

from __future__ import annotations

import json

import pytest

from tests.ops.sandboxed import Deployment, deployment, run_cli, setting
from worker.articles.frontmatter import get_key, read_article

__all__ = ["deployment"]


def _links(deployment: Deployment, article: str) -> dict[str, str]:
    data = read_article(deployment.root / article, deployment.root).data
    return {s: get_key(data, f"category.{s}Playlist") for s in ("spotify", "deezer")}


@pytest.fixture
def synced(deployment: Deployment, capsys: pytest.CaptureFixture[str]) -> Deployment:
    run_cli(["sync", "--format", "json"])
    capsys.readouterr()
    assert all(_links(deployment, "knowledge-es/bossa-nova.md").values())
    return deployment


def test_check_on_synced_content_exits_0(synced: Deployment, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["check", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["counts"]["broken"] == 0 and document["counts"]["ok"] >= 4


def test_a_deleted_playlist_exits_2_naming_the_article_and_line(
    synced: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    spotify_url = _links(synced, "knowledge-es/bossa-nova.md")["spotify"]
    synced.sandbox.delete_playlist("spotify", spotify_url.rsplit("/", 1)[1])
    assert run_cli(["check", "--format", "github"]) == 2
    output = capsys.readouterr().out
    line = next(
        n
        for n, text in enumerate((synced.root / "knowledge-es/bossa-nova.md").read_text().splitlines(), 1)
        if spotify_url in text
    )
    assert (
        f"::error file=content/knowledge-es/bossa-nova.md,title=spotify playlist link broken,line={line}::"
        in output
    )


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("service", ["spotify", "deezer"])
def test_a_service_that_cannot_answer_exits_4_never_2(
    synced: Deployment,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    service: str,
    status: int,
) -> None:
    setting(monkeypatch, "check.cache_ttl_s", "0")
    synced.sandbox.options.forced_status = {service: status}
    assert run_cli(["check", "--format", "json"]) == 4
    document = json.loads(capsys.readouterr().out)
    assert document["counts"]["broken"] == 0 and document["counts"]["inconclusive"] >= 1


def test_good_results_are_cached_so_an_outage_after_a_good_check_changes_nothing(
    synced: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["check"]) == 0
    synced.sandbox.options.forced_status = {"spotify": 503}
    assert run_cli(["check", "--format", "json"]) == 0
    assert all(
        row["cached"]
        for row in json.loads(capsys.readouterr().out.split("\n", 1)[1])["links"]
        if row["service"]
    )


def test_every_hand_entered_form_is_understood_online(
    synced: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    spotify_id = _links(synced, "knowledge-es/bossa-nova.md")["spotify"].rsplit("/", 1)[1]
    deezer_id = _links(synced, "knowledge-es/bossa-nova.md")["deezer"].rsplit("/", 1)[1]
    code = synced.sandbox.short_link(deezer_id).rsplit("/", 1)[1]
    forms = {
        "spotify": [
            f"https://open.spotify.com/playlist/{spotify_id}?si=0123456789abcdef",
            f"https://open.spotify.com/intl-de/playlist/{spotify_id}",
            f"spotify:playlist:{spotify_id}",
            spotify_id,
        ],
        "deezer": [
            f"https://www.deezer.com/fr/playlist/{deezer_id}",
            f"https://link.deezer.com/s/{code}",
            deezer_id,
        ],
    }
    forms_dir = synced.root / "forms"
    forms_dir.mkdir()
    for service, texts in forms.items():
        for number, text in enumerate(texts):
            frontmatter = f'title: Form {number}\ncategory:\n  {service}Playlist: "{text}"\nisPlayable: true'
            body = f"---\n{frontmatter}\n---\n"
            (forms_dir / f"{service}-{number}.md").write_text(body, encoding="utf-8")
    assert run_cli(["check", "--format", "json", "content/forms"]) == 0
    rows = json.loads(capsys.readouterr().out)["links"]
    assert sorted(row["link"] for row in rows if row["service"]) == sorted(
        t for ts in forms.values() for t in ts
    )
    assert {row["status"] for row in rows} == {"ok"}
    assert run_cli(["check", "--offline", "content/forms"]) == 0
