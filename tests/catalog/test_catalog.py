"""The bundled sandbox catalog and the expected recordings (tests/catalog/recordings.yaml) agree."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import CONTENT, REPO

DATA = REPO / "worker" / "sandbox" / "data"
RECORDINGS = Path(__file__).with_name("recordings.yaml")
SERVICES = ("spotify", "deezer", "apple")
KINDS = {"song", "album", "soundtrack"}

# Articles an editor finds no recordings in (see the header of recordings.yaml).
NO_WORKS = {"articles/punk-before-and-after-1977.mdx", "knowledge-jp/placeholder.md"}

# Tracks that deliberately share one ISRC: the same recording on its original album and a later compilation.
SHARED_ISRC = {
    frozenset({"graduate-the-sound-of-silence", "sounds-of-silence-the-sound-of-silence"}),
    frozenset({"bodyguard-i-will-always-love-you", "whitney-gh-i-will-always-love-you"}),
}


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    return json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def recordings() -> list[dict[str, Any]]:
    return yaml.safe_load(RECORDINGS.read_text(encoding="utf-8"))


def _carriers(record: dict[str, Any]) -> set[str]:
    return set(record.get("services", SERVICES))


def _tracks_by_key(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["key"]: t for t in catalog["tracks"]}


def _track_services(catalog: dict[str, Any], track: dict[str, Any]) -> set[str]:
    albums = {a["key"]: a for a in catalog["albums"]}
    return _carriers(track) & _carriers(albums[track["album"]])


def test_catalog_validates_against_the_schema(catalog: dict[str, Any]) -> None:
    schema = json.loads((DATA / "catalog.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(catalog)]
    assert errors == []


def test_keys_are_unique_across_the_catalog(catalog: dict[str, Any]) -> None:
    keys = Counter(r["key"] for part in ("artists", "albums", "tracks") for r in catalog[part])
    assert [k for k, n in keys.items() if n > 1] == []


def test_every_reference_resolves_and_is_carried_where_the_record_is(catalog: dict[str, Any]) -> None:
    artists = {a["key"]: a for a in catalog["artists"]}
    albums = {a["key"]: a for a in catalog["albums"]}
    problems = []
    for album in catalog["albums"]:
        problems += [f"{album['key']} -> artist {k}" for k in album["artists"] if k not in artists]
    for track in catalog["tracks"]:
        problems += [f"{track['key']} -> artist {k}" for k in track["artists"] if k not in artists]
        if track["album"] not in albums:
            problems.append(f"{track['key']} -> album {track['album']}")
            continue
        if not _carriers(track) <= _carriers(albums[track["album"]]):
            problems.append(f"{track['key']} is carried where its album is not")
        for k in track["artists"]:
            if k in artists and not _track_services(catalog, track) <= _carriers(artists[k]):
                problems.append(f"{track['key']} is carried where artist {k} is not")
    assert problems == []


def test_every_artist_and_album_is_used(catalog: dict[str, Any]) -> None:
    used_artists = {k for part in ("albums", "tracks") for r in catalog[part] for k in r["artists"]}
    used_albums = {t["album"] for t in catalog["tracks"]}
    assert {a["key"] for a in catalog["artists"]} - used_artists == set()
    assert {a["key"] for a in catalog["albums"]} - used_albums == set()


def test_track_numbers_are_unique_within_an_album(catalog: dict[str, Any]) -> None:
    positions = Counter((t["album"], t.get("disc", 1), t["number"]) for t in catalog["tracks"])
    assert [p for p, n in positions.items() if n > 1] == []


def test_isrcs_are_unique_per_service_except_the_deliberate_shared_ones(catalog: dict[str, Any]) -> None:
    for service in SERVICES:
        holders: dict[str, set[str]] = defaultdict(set)
        for track in catalog["tracks"]:
            if service in _track_services(catalog, track):
                isrc = track.get("per_service", {}).get(service, {}).get("isrc", track["isrc"])
                holders[isrc].add(track["key"])
        shared = {frozenset(keys) for keys in holders.values() if len(keys) > 1}
        assert shared <= SHARED_ISRC, service


def test_the_deliberate_shared_isrcs_exist(catalog: dict[str, Any]) -> None:
    tracks = _tracks_by_key(catalog)
    for pair in SHARED_ISRC:
        assert len({tracks[k]["isrc"] for k in pair}) == 1, sorted(pair)


def test_recordings_are_well_formed(recordings: list[dict[str, Any]]) -> None:
    for entry in recordings:
        assert set(entry) <= {"article", "artist", "title", "year", "kind", "expect", "note"}, entry
        assert (CONTENT / entry["article"]).is_file(), entry["article"]
        assert entry["kind"] in KINDS, entry
        assert isinstance(entry["title"], str) and entry["title"], entry
        assert entry["year"] is None or 1900 <= entry["year"] <= 2030, entry
        assert set(entry["expect"]) == set(SERVICES), entry


def test_each_work_appears_once_per_article(recordings: list[dict[str, Any]]) -> None:
    works = Counter((e["article"], e["title"], e["year"], e["kind"]) for e in recordings)
    assert [w for w, n in works.items() if n > 1] == []


def test_every_expected_track_exists_on_that_service(
    catalog: dict[str, Any], recordings: list[dict[str, Any]]
) -> None:
    tracks = _tracks_by_key(catalog)
    problems = []
    for entry in recordings:
        for service, key in entry["expect"].items():
            if key is None:
                continue
            if key not in tracks:
                problems.append(f"{entry['title']}: unknown track {key}")
            elif service not in _track_services(catalog, tracks[key]):
                problems.append(f"{entry['title']}: {key} is not carried by {service}")
    assert problems == []


def test_a_missing_work_is_explained(recordings: list[dict[str, Any]]) -> None:
    unexplained = [e["title"] for e in recordings if None in e["expect"].values() and not e.get("note")]
    assert unexplained == []


def test_every_article_with_works_has_entries(recordings: list[dict[str, Any]]) -> None:
    articles = {str(p.relative_to(CONTENT)) for p in CONTENT.rglob("*") if p.suffix in {".md", ".mdx"}}
    assert articles >= NO_WORKS
    assert {e["article"] for e in recordings} == articles - NO_WORKS
