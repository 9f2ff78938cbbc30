from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from tests.sandbox.helpers import SMALL_CATALOG
from worker.cli import cli, main
from worker.sandbox.catalog import BUNDLED_CATALOG, catalog_problems, load_catalog


def test_example_catalog_loads_with_derived_ids_and_per_service_views() -> None:
    catalog = load_catalog(FIXTURES / "sandbox/example-catalog.json")
    spotify, deezer, apple = (catalog.view(s) for s in ("spotify", "deezer", "apple"))
    assert all(re.fullmatch(r"[0-9A-Za-z]{22}", t.id) for t in spotify.tracks)
    assert all(t.id.isdigit() and int(t.id) > 0 for t in deezer.tracks)
    assert all(t.id.isdigit() for t in apple.tracks)
    assert len(apple.tracks) == 2 and len(spotify.tracks) == 3
    assert {t.album.title for t in apple.tracks} == {"Blade Runner (Music from the Original Soundtrack)"}
    assert (
        load_catalog(FIXTURES / "sandbox/example-catalog.json").view("spotify").tracks[0].id
        == spotify.tracks[0].id
    )


def test_per_service_isrc_and_markets() -> None:
    from worker.sandbox.catalog import Catalog

    catalog = Catalog(SMALL_CATALOG)
    assert [t.isrc for t in catalog.view("spotify").tracks if t.key == "human-behaviour"] == ["GBAAA9300099"]
    anarchy = {
        s: next(t for t in catalog.view(s).tracks if t.key == "anarchy") for s in ("spotify", "deezer")
    }
    assert anarchy["spotify"].playable_in("US") and not anarchy["deezer"].playable_in("US")
    assert not [t for t in catalog.view("deezer").tracks if t.key == "human-behaviour"]


def test_catalog_problems_name_the_place_in_the_file() -> None:
    broken = json.loads(json.dumps(SMALL_CATALOG))
    broken["tracks"][0]["isrc"] = "nope"
    assert catalog_problems(broken) == [
        "tracks/0/isrc: 'nope' does not match '^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$'"
    ]
    broken = json.loads(json.dumps(SMALL_CATALOG))
    broken["tracks"][0]["album"] = "missing-album"
    assert catalog_problems(broken) == ["tracks/0/album: unknown album 'missing-album'"]


def test_bundled_catalog_follows_the_schema() -> None:
    if not BUNDLED_CATALOG.exists():
        pytest.skip("the bundled catalog is not written yet")
    load_catalog(BUNDLED_CATALOG)


def test_serve_with_a_bad_catalog_exits_3_listing_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"version": 1, "artists": [{"key": "A b", "name": "x"}], "albums": [], "tracks": [{}]})
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", "serve", "--catalog", str(bad)])
    assert exit_info.value.code == 3
    message = capsys.readouterr().err
    assert "artists/0/key" in message and "tracks/0: 'title' is a required property" in message


def test_credentials_prints_export_lines() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "credentials"])
    names = [line.split("=", 1)[0] for line in result.output.splitlines() if line.startswith("export ")]
    assert (
        result.exit_code == 0
        and "export SPOTIFY_REFRESH_TOKEN" in names
        and "export APPLE_PRIVATE_KEY" in names
    )


@pytest.mark.parametrize("command", [["sandbox"], ["sandbox", "serve"], ["sandbox", "credentials"]])
def test_help_has_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
