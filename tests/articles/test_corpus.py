"""Round trips over every real article: reads work, no-op edits are byte-identical, one edit is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.articles.helpers import (
    CONTENT,
    CONTENT_FILES,
    CORPUS,
    CORPUS_FILES,
    changed_lines,
    file_id,
    link_like_keys,
)
from worker.articles.frontmatter import get_key, read_article, render_changes

NEW_LINK = "https://open.spotify.com/playlist/3cEYpjA9oz9GiPac4AsH4n"


def root_of(path: Path) -> Path:
    return CONTENT if path.is_relative_to(CONTENT) else CORPUS


@pytest.mark.parametrize("path", CORPUS_FILES + CONTENT_FILES, ids=file_id)
def test_no_op_edits_are_byte_identical(path: Path) -> None:
    article = read_article(path, root_of(path))

    assert article.raw == path.read_bytes()
    assert article.raw.decode().endswith(article.body)
    assert render_changes(article, {}) == article.raw
    current = {key: get_key(article.data, key) for key in link_like_keys(article)}
    assert render_changes(article, current) == article.raw


def test_the_corpus_is_all_there(shared: Path) -> None:
    assert len(CORPUS_FILES) == 21
    assert sum(len(link_like_keys(read_article(p, CORPUS))) > 0 for p in CORPUS_FILES) == 9


@pytest.mark.parametrize("path", CORPUS_FILES, ids=file_id)
def test_every_plain_top_level_string_can_be_set_to_itself(path: Path, shared: Path) -> None:
    article = read_article(path, CORPUS)
    strings = {key: str(value) for key, value in article.data.items() if isinstance(value, str)}

    assert render_changes(article, strings) == article.raw


def test_truncated_heads_still_read_their_frontmatter(shared: Path) -> None:
    head = read_article(CORPUS / "melody-mind-heads/src/content/knowledge-en/1960s.mdx", CORPUS)

    assert get_key(head.data, "playlists.spotifyPlaylist").endswith("0CFpBDFNthV1jRqgmYOkeo")
    assert get_key(head.data, "category") == "music-through-decades"
    assert head.body_start_line == 70


@pytest.mark.parametrize(
    "path",
    [p for p in CORPUS_FILES + CONTENT_FILES if "category:\n  spotifyPlaylist" in p.read_text("utf-8")],
    ids=file_id,
)
@pytest.mark.parametrize("key", ["spotifyPlaylist", "deezerPlaylist", "appleMusicPlaylist"])
def test_changing_one_link_changes_exactly_its_line(path: Path, key: str) -> None:
    article = read_article(path, root_of(path))

    new = render_changes(article, {f"category.{key}": NEW_LINK})

    assert changed_lines(article.raw, new) == [
        (
            next(
                line
                for line in article.raw.splitlines(keepends=True)
                if line.startswith(f"  {key}:".encode())
            ),
            f'  {key}: "{NEW_LINK}"\n'.encode(),
        )
    ]


@pytest.mark.parametrize(
    "path",
    [p for p in CORPUS_FILES + CONTENT_FILES if "\nisPlayable: false\n" in p.read_text("utf-8")],
    ids=file_id,
)
def test_setting_is_playable_changes_exactly_its_line(path: Path, shared: Path) -> None:
    article = read_article(path, root_of(path))

    new = render_changes(article, {"isPlayable": True})

    assert changed_lines(article.raw, new) == [(b"isPlayable: false\n", b"isPlayable: true\n")]
