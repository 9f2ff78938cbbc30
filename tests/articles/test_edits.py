"""render_changes on small hand-made files and generated values: styles kept, keys added, damage refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.articles.helpers import CORPUS, changed_lines, plain, reread, with_key
from worker.articles.frontmatter import MISSING, get_key, read_article, render_changes
from worker.errors import ArticleError

SOUNDTRACK = CORPUS / "melody-mind/src/content/knowledge-en/soundtrack.md"
FILM_MUSIC = CORPUS / "melody-mind/src/content/knowledge-de/film-music.md"


def edit(tmp_path: Path, text: str, changes: dict[str, str | bool | None]) -> str:
    article = reread(text.encode(), tmp_path)
    new = render_changes(article, changes)
    return new.decode()


def test_quoted_plain_and_single_quoted_values_keep_their_style(tmp_path: Path) -> None:
    text = "---\na: \"old\"\nb: old\nc: 'old'\nd: old # note\n---\nbody\n"

    new = edit(tmp_path, text, {"a": "x y", "b": "x y", "c": "it's", "d": "new"})

    assert new == "---\na: \"x y\"\nb: x y\nc: 'it''s'\nd: new # note\n---\nbody\n"


def test_a_plain_value_is_double_quoted_when_the_new_one_cannot_be_plain(tmp_path: Path) -> None:
    new = edit(tmp_path, "---\nb: old\nc: old\ne: old\n---\n", {"b": "a: b #c", "c": "true", "e": " lead"})

    assert new == '---\nb: "a: b #c"\nc: "true"\ne: " lead"\n---\n'


def test_booleans_and_none(tmp_path: Path) -> None:
    text = "---\nflag: false\nquoted: \"https://x\"\nsingle: 'https://x'\nplain: https://x\n---\n"

    new = edit(tmp_path, text, {"flag": True, "quoted": None, "single": None, "plain": None})

    assert new == "---\nflag: true\nquoted: \"\"\nsingle: ''\nplain: null\n---\n"


def test_none_over_an_empty_string_or_an_absent_key_is_no_change(tmp_path: Path) -> None:
    article = reread(b'---\nlink: ""\ncategory: decade\n---\n', tmp_path)

    assert (
        render_changes(article, {"link": None, "other": None, "category.spotifyPlaylist": None})
        is article.raw
    )


def test_an_empty_value_gets_the_new_value_after_its_colon(tmp_path: Path) -> None:
    new = edit(
        tmp_path,
        "---\ncategory:\n  spotifyPlaylist:   # later\nnext: 1\n---\n",
        {"category.spotifyPlaylist": "u"},
    )

    assert new == "---\ncategory:\n  spotifyPlaylist: u   # later\nnext: 1\n---\n"


def test_a_block_scalar_is_replaced_without_eating_the_next_line(tmp_path: Path) -> None:
    new = edit(tmp_path, "---\nbio: |\n  one\n  two\n\nnext: 1\n---\n", {"bio": "short"})

    assert new == "---\nbio: short\n\nnext: 1\n---\n"


def test_missing_keys_go_at_the_end_of_their_parent_with_its_indentation(tmp_path: Path) -> None:
    text = (
        '---\ntitle: T\ncategory:\n    spotifyPlaylist: ""\n    # trailing comment\nisPlayable: false\n---\n'
    )

    new = edit(tmp_path, text, {"category.deezerPlaylist": "d", "isPlayable": True, "extra": "e"})

    assert new == (
        '---\ntitle: T\ncategory:\n    spotifyPlaylist: ""\n    deezerPlaylist: d\n    # trailing comment\n'
        "isPlayable: true\nextra: e\n---\n"
    )


def test_a_missing_parent_is_created_once_at_the_end(tmp_path: Path) -> None:
    text = "---\ntitle: T\nlist:\n  - a\n  - b\n---\nbody\n"

    new = edit(tmp_path, text, {"playlists.spotifyPlaylist": "s", "playlists.deezerPlaylist": "d"})

    added = "playlists:\n  spotifyPlaylist: s\n  deezerPlaylist: d\n"
    assert new == "---\ntitle: T\nlist:\n  - a\n  - b\n" + added + "---\nbody\n"


def test_empty_frontmatter_gets_its_first_key(tmp_path: Path) -> None:
    assert edit(tmp_path, "---\n---\nbody\n", {"isPlayable": False}) == "---\nisPlayable: false\n---\nbody\n"


def test_frontmatter_only_file_without_final_newline(tmp_path: Path) -> None:
    article = reread(b"---\na: 1\n---", tmp_path)

    assert (article.body, article.body_start_line) == ("", 4)
    assert render_changes(article, {"b": "x"}) == b"---\na: 1\nb: x\n---"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            "---\ncategory: music-through-decades\n---\n",
            "category.spotifyPlaylist",
            ["category", "not a mapping"],
        ),
        ("---\nplaylists: [a, b]\n---\n", "playlists.spotifyPlaylist", ["playlists", "a list"]),
        ("---\nplaylists:\n---\n", "playlists.spotifyPlaylist", ["playlists", "null"]),
        ("---\nhero: {a: 1}\n---\n", "hero.b", ["flow style", "by hand"]),
        ("---\ncategory:\n  a: 1\n---\n", "category", ["mapping", "not a single value"]),
        ("---\nx: &l 1\ny: *l\n---\n", "y", ["alias", "by hand"]),
        ("---\nx: &l 1\ny: *l\n---\n", "x", ["did not re-read as expected", "by hand"]),
    ],
)
def test_edits_that_would_damage_the_file_are_refused(
    tmp_path: Path, text: str, key: str, words: list[str]
) -> None:
    article = reread(text.encode(), tmp_path)

    with pytest.raises(ArticleError) as caught:
        render_changes(article, {key: "https://x"})

    assert all(word in caught.value.reason for word in words), caught.value.reason
    assert key in caught.value.reason
    assert (tmp_path / "reread.md").read_bytes() == text.encode()


def test_get_key() -> None:
    data = {"category": {"spotifyPlaylist": ""}, "title": "T"}

    assert get_key(data, "category.spotifyPlaylist") == ""
    assert get_key(data, "category.deezerPlaylist") is MISSING
    assert get_key(data, "title.x") is MISSING
    assert get_key(data, "nope.x") is MISSING


TRICKY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\"':#\\-[]{},&*!|>%@` \t\n\r?~")),
        st.characters(codec="utf-8"),
        st.just("\u2028"),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    value=TRICKY,
    key=st.sampled_from(["category.spotifyPlaylist", "image", "title", "playlists.spotifyPlaylist"]),
)
def test_any_string_round_trips_and_nothing_else_moves(
    tmp_path_factory: pytest.TempPathFactory, value: str, key: str
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    article = read_article(FILM_MUSIC, CORPUS) if FILM_MUSIC.exists() else pytest.skip("no shared corpus")

    new = render_changes(article, {key: value})
    again = reread(new, folder)

    assert get_key(again.data, key) == value
    assert plain(again.data) == with_key(plain(article.data), key, value)
    assert again.body == article.body
    if get_key(article.data, key) is not MISSING and get_key(article.data, key) != value:
        assert len(changed_lines(article.raw, new)) == 1


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_crlf_and_bom_files_keep_both(tmp_path: Path, shared: Path, bom: bytes, newline: bytes) -> None:
    raw = bom + SOUNDTRACK.read_bytes().replace(b"\n", newline)
    article = reread(raw, tmp_path)

    assert render_changes(article, {}) == raw
    assert (
        render_changes(
            article, {"category.spotifyPlaylist": get_key(article.data, "category.spotifyPlaylist")}
        )
        == raw
    )
    changed = render_changes(article, {"category.deezerPlaylist": "https://www.deezer.com/playlist/1"})
    assert (
        changed_lines(raw, changed)[0][1]
        == b'  deezerPlaylist: "https://www.deezer.com/playlist/1"' + newline
    )
    added = render_changes(article, {"playlists.spotifyPlaylist": "s", "isPlayable": True})
    assert added.startswith(bom + b"---" + newline)
    assert newline + b"playlists:" + newline + b"  spotifyPlaylist: s" + newline + b"---" + newline in added
    assert added.count(b"\n") == raw.count(b"\n") + 2
    assert added.count(b"\r\n") == (raw.count(b"\r\n") + 2 if newline == b"\r\n" else 0)
    assert reread(added, tmp_path, "again.md").body == article.body
