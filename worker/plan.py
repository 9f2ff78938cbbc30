"""Plan, then apply: what to write to a playlist and to an article's frontmatter. Pure; the sync applies it.

Playlists
---------
`plan_playlist` turns the wanted tracks (article order, first mention wins) and the playlist as the
service reports it into ordered `PlaylistStep`s. The worker changes only entries it added itself
(`worker_ids`, from its registry); entries someone else added ("foreign" entries) are kept:

- REPLACE (Spotify): one `replace` of the full list. Foreign entries keep their index; the worker's own
  slots are refilled in wanted order and extra wanted tracks go at the end. The applier sends the list in
  `chunks(ids, 100)`: the first chunk with PUT (replace), the rest with POST (append).
- ADD_REMOVE (Deezer): `remove` worker entries no longer wanted, then `add` wanted tracks not present.
  Foreign entries are never removed. Added tracks land at the end, so the order can drift from the
  article; the plan says so in `notes` (Deezer can reorder, but the worker does not).
- APPEND_ONLY (Apple): when the worker's entries are a prefix of the wanted list, `add` the rest. Any
  removal or reorder needs a `rebuild`: `create` a new playlist and `add` everything (foreign entries
  copied at their index); the link moves to the new playlist and `retire` names the old one, which the
  report lists for manual deletion (Apple's API cannot delete playlists).

A wanted track someone else already added counts as present: the worker neither duplicates nor owns it.

Frontmatter
-----------
`plan_frontmatter` decides which dotted keys change (the link per service and the playable flag),
leaving alone every link the worker did not write unless forced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from worker.articles.frontmatter import MISSING, get_key
from worker.config import LinkSettings
from worker.links import parse_link
from worker.model import Playlist
from worker.providers.base import WriteModel

REPLACE_CHUNK = 100
"""Spotify accepts at most this many items per replace or add call."""


@dataclass(frozen=True)
class PlaylistStep:
    """One write the apply stage performs, in order. `create` makes a new, empty playlist."""

    op: Literal["create", "add", "remove", "replace", "rebuild"]
    track_ids: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class PlaylistPlan:
    """What to do to one playlist and what it holds afterwards.

    `action` "rebuild" is carried out as the steps `create` + `add`; `retire` is the old playlist's id.
    `notes` explain anything the steps leave as it is (for the report).
    """

    action: Literal["create", "update", "unchanged", "rebuild"]
    steps: tuple[PlaylistStep, ...]
    final_ids: tuple[str, ...]
    worker_ids: tuple[str, ...]
    retire: str | None = None
    notes: tuple[str, ...] = ()


def chunks(ids: Sequence[str], size: int = REPLACE_CHUNK) -> tuple[tuple[str, ...], ...]:
    """`ids` in slices of at most `size`; at least one, so replacing with none still clears."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return tuple(tuple(ids[start : start + size]) for start in range(0, len(ids), size)) or ((),)


def unique(ids: Sequence[str]) -> tuple[str, ...]:
    """`ids` without repeats, each at its first position."""
    return tuple(dict.fromkeys(ids))


def plan_playlist(
    write_model: WriteModel, wanted: Sequence[str], current: Playlist | None, worker_ids: Sequence[str]
) -> PlaylistPlan:
    """The steps that make `current` hold `wanted` (in order) without touching entries others added.

    `current` None means there is no playlist yet. `worker_ids` are the entries the worker added before.
    """
    wanted = unique(wanted)
    if current is None:
        return _create(wanted)
    owned = set(worker_ids)
    items = current.track_ids
    to_place = tuple(track for track in wanted if track not in _foreign(items, owned))
    if write_model is WriteModel.REPLACE:
        return _plan_replace(items, owned, to_place)
    if write_model is WriteModel.ADD_REMOVE:
        return _plan_add_remove(items, owned, to_place)
    return _plan_append_only(current.id, items, owned, to_place)


def _create(wanted: tuple[str, ...]) -> PlaylistPlan:
    steps = (PlaylistStep("create"), *_add_step(wanted))
    return PlaylistPlan("create", steps, final_ids=wanted, worker_ids=wanted)


def _add_step(track_ids: tuple[str, ...]) -> tuple[PlaylistStep, ...]:
    return (PlaylistStep("add", track_ids),) if track_ids else ()


def _foreign(items: Sequence[str], owned: set[str]) -> set[str]:
    return {track for track in items if track not in owned}


def _merge_keeping_foreign(
    items: Sequence[str], owned: set[str], to_place: tuple[str, ...]
) -> tuple[str, ...]:
    """Foreign entries stay at their index; the worker's slots take `to_place` in order; the rest go last."""
    pending = list(to_place)
    merged: list[str] = []
    for track in items:
        if track not in owned:
            merged.append(track)
        elif pending:
            merged.append(pending.pop(0))
    return (*merged, *pending)


def _plan_replace(items: tuple[str, ...], owned: set[str], to_place: tuple[str, ...]) -> PlaylistPlan:
    target = _merge_keeping_foreign(items, owned, to_place)
    if target == items:
        return PlaylistPlan("unchanged", (), final_ids=items, worker_ids=to_place)
    step = PlaylistStep("replace", target, note=_foreign_note(items, owned, "kept at their positions"))
    return PlaylistPlan("update", (step,), final_ids=target, worker_ids=to_place)


def _plan_add_remove(items: tuple[str, ...], owned: set[str], to_place: tuple[str, ...]) -> PlaylistPlan:
    wanted_set = set(to_place)
    remove = unique([track for track in items if track in owned and track not in wanted_set])
    kept = tuple(track for track in items if track not in remove)
    add = tuple(track for track in to_place if track not in set(kept))
    final = (*kept, *add)
    steps = (*((PlaylistStep("remove", remove),) if remove else ()), *_add_step(add))
    notes = _order_note(final, owned | set(add), to_place)
    action: Literal["update", "unchanged"] = "update" if steps else "unchanged"
    return PlaylistPlan(action, steps, final_ids=final, worker_ids=to_place, notes=notes)


def _order_note(final: Sequence[str], owned: set[str], to_place: tuple[str, ...]) -> tuple[str, ...]:
    own_order = unique([track for track in final if track in owned])
    if own_order == to_place:
        return ()
    return (
        "the playlist order differs from the article (tracks are appended; reorder by hand if it matters)",
    )


def _plan_append_only(
    playlist_id: str, items: tuple[str, ...], owned: set[str], to_place: tuple[str, ...]
) -> PlaylistPlan:
    present = tuple(track for track in items if track in owned)
    if to_place[: len(present)] == present:
        rest = to_place[len(present) :]
        action: Literal["update", "unchanged"] = "update" if rest else "unchanged"
        return PlaylistPlan(action, _add_step(rest), final_ids=(*items, *rest), worker_ids=to_place)
    target = _merge_keeping_foreign(items, owned, to_place)
    steps = (
        PlaylistStep("create", note=f"replaces {playlist_id}, which cannot be reordered or shortened"),
        PlaylistStep("add", target, note=_foreign_note(items, owned, "copied to the new playlist")),
    )
    return PlaylistPlan("rebuild", steps, final_ids=target, worker_ids=to_place, retire=playlist_id)


def _foreign_note(items: Sequence[str], owned: set[str], how: str) -> str:
    count = sum(1 for track in items if track not in owned)
    return f"{count} entries added by someone else {how}" if count else ""


@dataclass(frozen=True)
class FrontmatterPlan:
    """Dotted frontmatter keys to set (only those that change) and why others were left alone."""

    changes: dict[str, str | bool]
    notes: tuple[str, ...]


def _can_create(data: Mapping[str, Any], dotted: str) -> bool:
    """True when every existing parent of `dotted` is a mapping, so the key can be added."""
    node: Any = data
    for part in dotted.split(".")[:-1]:
        if part not in node:
            return True
        node = node[part]
        if not isinstance(node, Mapping):
            return False
    return True


def plan_frontmatter(
    data: Mapping[str, Any],
    links: LinkSettings,
    new_links: Mapping[str, str],
    playable: bool,
    *,
    owned_links: Mapping[str, str],
    adopt: bool = False,
    force: bool = False,
) -> FrontmatterPlan:
    """Which frontmatter keys to change so the article points at the worker's playlists.

    `new_links` maps service → link in the configured form; `owned_links` are the links the worker wrote
    before (from its registry). A non-empty link the worker did not write is left alone with a note,
    unless `force` (overwrite) or `adopt` (the sync adopted that playlist, so it stays as it is).
    Equal values are never rewritten, so an article with nothing new stays byte-identical.
    """
    changes: dict[str, str | bool] = {}
    notes: list[str] = []
    for service, link in new_links.items():
        key = link_key(data, links, service)
        if key is None:
            notes.append(_no_key_note(links, service))
            continue
        existing = get_key(data, key)
        change, note = _decide_link(
            service, existing, link, owned_links.get(service), adopt=adopt, force=force
        )
        if change:
            changes[key] = link
        if note:
            notes.append(f"{key}: {note}")
    _plan_playable(data, links, playable, changes, notes)
    return FrontmatterPlan(changes, tuple(notes))


def link_key(data: Mapping[str, Any], links: LinkSettings, service: str) -> str | None:
    """The dotted key that holds `service`'s link in `data`, or None when there is none to use.

    The first of `links.<service>.keys` present in `data` (under a parent that is a mapping); else the
    `create` key when it is set and can be added.
    """
    setting = links.for_service(service)
    for key in setting.keys:
        if get_key(data, key) is not MISSING:
            return key
    if setting.create is not None and _can_create(data, setting.create):
        return setting.create
    return None


def _no_key_note(links: LinkSettings, service: str) -> str:
    create = links.for_service(service).create
    if create is None:
        return f"no link key for {service}: set links.{service}.create to add one"
    return f"cannot add {create} for {service}: a parent is not a mapping; change links.{service}.create"


def _decide_link(
    service: str, existing: Any, link: str, owned: str | None, *, adopt: bool, force: bool
) -> tuple[bool, str]:
    """Whether to write `link` over `existing`, and a note for the report when a link is left alone."""
    if existing == link:
        return False, ""
    if _is_empty(existing) or (owned is not None and _same_playlist(service, existing, owned)):
        return True, ""
    if adopt or _same_playlist(service, existing, link):
        return False, ""
    if force:
        return True, "replaced a link the worker did not create (forced)"
    return False, "left alone: it holds a link the worker did not create; force the sync to replace it"


def _is_empty(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())


def _same_playlist(service: str, existing: Any, other: str) -> bool:
    """True when both texts are the same link, or name the same playlist in different forms."""
    if not isinstance(existing, str):
        return False
    if existing.strip() == other.strip():
        return True
    left, right = parse_link(existing, service), parse_link(other, service)
    if left is None or right is None:
        return False
    return (left.playlist_id, left.short_url) == (right.playlist_id, right.short_url)


def _plan_playable(
    data: Mapping[str, Any],
    links: LinkSettings,
    playable: bool,
    changes: dict[str, str | bool],
    notes: list[str],
) -> None:
    key = links.playable_key
    existing = get_key(data, key)
    if existing is MISSING and not links.create_playable:
        return
    if existing is MISSING and not _can_create(data, key):
        notes.append(f"cannot add {key}: its parent is not a mapping")
        return
    if not (isinstance(existing, bool) and existing == playable):
        changes[key] = playable
