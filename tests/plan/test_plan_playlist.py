"""Playlist planning: article order, no duplicates, only the worker's own entries change."""

from __future__ import annotations

from worker.model import Playlist
from worker.plan import PlaylistPlan, PlaylistStep, chunks, plan_playlist, unique
from worker.providers.base import WriteModel

REPLACE, ADD_REMOVE, APPEND_ONLY = WriteModel.REPLACE, WriteModel.ADD_REMOVE, WriteModel.APPEND_ONLY


def playlist(*track_ids: str, playlist_id: str = "old") -> Playlist:
    return Playlist("any", playlist_id, "Name", "", None, track_ids=track_ids, track_count=len(track_ids))


def test_chunks_of_250_are_100_100_50() -> None:
    ids = [f"t{n}" for n in range(250)]
    parts = chunks(ids, 100)
    assert [len(part) for part in parts] == [100, 100, 50]
    assert [track for part in parts for track in part] == ids


def test_chunks_keep_one_empty_slice_so_a_replace_can_clear() -> None:
    assert chunks([], 100) == ((),)
    assert chunks(["a"]) == (("a",),)


def test_unique_keeps_first_mentions_in_order() -> None:
    assert unique(["b", "a", "b", "c", "a"]) == ("b", "a", "c")


def test_no_playlist_yet_creates_then_adds_in_article_order_without_duplicates() -> None:
    for model in WriteModel:
        plan = plan_playlist(model, ["b", "a", "b", "c"], None, [])
        assert plan == PlaylistPlan(
            "create",
            (PlaylistStep("create"), PlaylistStep("add", ("b", "a", "c"))),
            final_ids=("b", "a", "c"),
            worker_ids=("b", "a", "c"),
        )


def test_no_playlist_and_nothing_wanted_creates_an_empty_one() -> None:
    assert plan_playlist(REPLACE, [], None, []).steps == (PlaylistStep("create"),)


def test_same_list_is_unchanged_for_every_model() -> None:
    for model in WriteModel:
        plan = plan_playlist(model, ["a", "b"], playlist("a", "b"), ["a", "b"])
        assert (plan.action, plan.steps, plan.final_ids, plan.retire) == ("unchanged", (), ("a", "b"), None)


def test_replace_sends_the_full_list_once_with_foreign_entries_at_their_index() -> None:
    plan = plan_playlist(REPLACE, ["a", "c", "d"], playlist("a", "X", "b"), ["a", "b"])
    assert plan.action == "update"
    assert plan.steps == (
        PlaylistStep(
            "replace", ("a", "X", "c", "d"), note="1 entries added by someone else kept at their positions"
        ),
    )
    assert plan.final_ids == ("a", "X", "c", "d")
    assert plan.worker_ids == ("a", "c", "d")


def test_replace_reorders_to_article_order() -> None:
    plan = plan_playlist(REPLACE, ["b", "a"], playlist("a", "b"), ["a", "b"])
    assert plan.steps == (PlaylistStep("replace", ("b", "a")),)


def test_replace_to_nothing_keeps_foreign_entries() -> None:
    plan = plan_playlist(REPLACE, [], playlist("a", "X"), ["a"])
    assert plan.final_ids == ("X",)
    assert plan.worker_ids == ()


def test_wanted_track_someone_else_added_is_neither_duplicated_nor_owned() -> None:
    for model in WriteModel:
        plan = plan_playlist(model, ["X", "a"], playlist("X"), [])
        assert plan.final_ids == ("X", "a"), model
        assert plan.worker_ids == ("a",), model


def test_add_remove_removes_unwanted_own_entries_and_appends_new_ones() -> None:
    plan = plan_playlist(ADD_REMOVE, ["a", "c"], playlist("a", "X", "b"), ["a", "b"])
    assert plan.action == "update"
    assert plan.steps == (PlaylistStep("remove", ("b",)), PlaylistStep("add", ("c",)))
    assert plan.final_ids == ("a", "X", "c")
    assert plan.worker_ids == ("a", "c")
    assert plan.notes == ()


def test_add_remove_notes_when_the_order_drifts_from_the_article() -> None:
    plan = plan_playlist(ADD_REMOVE, ["c", "a"], playlist("a"), ["a"])
    assert plan.steps == (PlaylistStep("add", ("c",)),)
    assert plan.final_ids == ("a", "c")
    assert len(plan.notes) == 1
    assert "order differs" in plan.notes[0]


def test_add_remove_only_reorder_is_unchanged_with_a_note() -> None:
    plan = plan_playlist(ADD_REMOVE, ["b", "a"], playlist("a", "b"), ["a", "b"])
    assert (plan.action, plan.steps) == ("unchanged", ())
    assert plan.notes


def test_add_remove_never_removes_foreign_entries() -> None:
    plan = plan_playlist(ADD_REMOVE, [], playlist("X", "a", "Y"), ["a"])
    assert plan.steps == (PlaylistStep("remove", ("a",)),)
    assert plan.final_ids == ("X", "Y")


def test_append_only_adds_the_rest_when_own_entries_are_a_prefix() -> None:
    plan = plan_playlist(APPEND_ONLY, ["a", "b", "c"], playlist("a", "X", "b"), ["a", "b"])
    assert plan.action == "update"
    assert plan.steps == (PlaylistStep("add", ("c",)),)
    assert plan.final_ids == ("a", "X", "b", "c")
    assert plan.retire is None


def test_append_only_rebuilds_when_a_removal_is_needed() -> None:
    plan = plan_playlist(APPEND_ONLY, ["a", "c"], playlist("a", "b", playlist_id="p.old"), ["a", "b"])
    assert plan.action == "rebuild"
    assert [step.op for step in plan.steps] == ["create", "add"]
    assert plan.steps[1].track_ids == ("a", "c")
    assert plan.retire == "p.old"
    assert plan.final_ids == plan.worker_ids == ("a", "c")


def test_append_only_rebuilds_for_a_reorder_and_copies_foreign_entries() -> None:
    plan = plan_playlist(APPEND_ONLY, ["b", "a"], playlist("a", "X", "b"), ["a", "b"])
    assert plan.action == "rebuild"
    assert plan.steps[1] == PlaylistStep(
        "add", ("b", "X", "a"), note="1 entries added by someone else copied to the new playlist"
    )
    assert plan.worker_ids == ("b", "a")
    assert plan.retire == "old"
