"""Every command has help with an example and a section in the README (sqlite-utils' docs test)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from worker.cli import COMMANDS, cli


def _all_commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    context = click.Context(cli)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None, name
        found.append((name, command))
        if isinstance(command, click.Group):
            sub_context = click.Context(command)
            found += [
                (f"{name} {sub}", command.get_command(sub_context, sub))
                for sub in command.list_commands(sub_context)
            ]  # type: ignore[misc]
    return found


def test_every_registered_command_exists() -> None:
    assert sorted(name for name, _ in _all_commands() if " " not in name) == sorted(COMMANDS)


@pytest.mark.parametrize(("name", "command"), _all_commands(), ids=lambda value: str(value))
def test_command_help_has_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert command.help, f"{name} has no help text"
    assert "Example:" in result.output, f"{name} --help shows no Example:"


@pytest.mark.parametrize(("name", "command"), _all_commands(), ids=lambda value: str(value))
def test_command_is_documented_in_the_readme(name: str, command: click.Command) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"playlist-worker {name}" in readme, f"README.md does not mention `playlist-worker {name}`"
