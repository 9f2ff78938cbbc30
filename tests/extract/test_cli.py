"""The `extract` command via click's CliRunner: JSON shape, tables, per-file errors, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import CONTENT
from worker.cli import cli


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "knowledge-en", root / "knowledge-en")
    shutil.copytree(CONTENT / "artists", root / "artists")
    monkeypatch.chdir(tmp_path)
    return root


def test_json_has_the_documented_shape(content: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", "--format", "json", "content/knowledge-en/soundtrack.md"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    [article] = document["articles"]
    assert article["path"] == "content/knowledge-en/soundtrack.md"
    first = article["works"][1]
    assert set(first) == {"artist", "title", "year", "kind", "confidence", "evidence"}
    assert (first["artist"], first["title"], first["year"]) == ("Max Steiner", "King Kong", 1933)
    assert first["evidence"]["line"] == 60


def test_default_is_the_configured_content_root_as_tables(content: Path) -> None:
    result = CliRunner().invoke(cli, ["extract"])
    assert result.exit_code == 0, result.output
    assert "soundtrack.md" in result.stdout and "aretha-franklin.md" in result.stdout
    assert "Curtis Mayfield" in result.stdout


def test_a_broken_file_is_reported_and_the_others_still_run(content: Path) -> None:
    (content / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody with _A Title_.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", "--format", "json", "content/broken.md", "content/artists"])
    assert result.exit_code == 2
    assert "broken.md: " in result.stderr
    paths = [article["path"] for article in json.loads(result.stdout)["articles"]]
    assert "content/artists/bjork.md" in paths
    assert json.loads(result.stdout)["errors"][0]["path"].endswith("broken.md")


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(cli, ["extract", "--help"])
    assert result.exit_code == 0
    assert "Example:\n      playlist-worker extract content/" in result.stdout
