"""docker-compose.yml, Dockerfile and .env.example agree with the CLI, the settings and the repository.

There is no Docker engine here, so the files are read as data: every command and option they use exists
in the CLI (click introspection), every path they mount or copy exists, every PLAYLIST_WORKER__ variable
names a real setting and every secret name is one the worker reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from pydantic import BaseModel

from tests.conftest import REPO
from worker.cli import cli
from worker.config import ENV_PREFIX, SECRET_ENV_VARS, Settings

COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def _invocations(service: dict[str, Any]) -> list[list[str]]:
    """Argument lists given to `playlist-worker`: the command, or each call inside an `sh -c` script."""
    if service.get("entrypoint", ["playlist-worker"])[0] == "playlist-worker":
        return [[str(arg) for arg in service["command"]]]
    script = " ".join(service["command"])
    return [call.split() for call in _CALL_IN_SCRIPT.findall(script)]


_CALL_IN_SCRIPT = re.compile(r"playlist-worker((?:[ \t]+[^\s&;|()\"']+)*)")
"""`playlist-worker` and its words, up to a shell operator, a parenthesis, a quote or a line end."""


def _command_for(args: list[str]) -> tuple[click.Command, list[str]]:
    """Walk the click groups along `args`; returns the command and the words after its name."""
    command: click.Command = cli
    rest = list(args)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        found = command.get_command(click.Context(command), rest[0])
        assert found is not None, f"unknown command {rest[0]!r} in {args}"
        command, rest = found, rest[1:]
    return command, rest


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


CALLS = [
    pytest.param(args, id=f"{name}: {' '.join(args[:2])}")
    for name, service in SERVICES.items()
    for args in _invocations(service)
]


@pytest.mark.parametrize("args", CALLS)
def test_every_command_and_option_exists_in_the_cli(args: list[str]) -> None:
    command, rest = _command_for(args)
    unknown = [word for word in rest if word.startswith("--") and word.split("=")[0] not in _options(command)]
    assert not unknown, f"{command.name} has no option {unknown}"


def test_the_scripts_calls_were_found() -> None:
    assert [args[:2] for args in _invocations(SERVICES["worker-demo"])] == [
        ["sandbox", "credentials"],
        ["schedule", "--every"],
    ]


def test_the_worker_runs_the_schedule_with_content_config_state_and_secrets() -> None:
    worker = SERVICES["worker"]
    assert worker["command"][0] == "schedule" and "profiles" not in worker
    assert worker["env_file"] == ".env" and (REPO / ".env.example").is_file()
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in worker["volumes"]}
    assert mounts["/data/content"] == "./content" and mounts["/data/config"] == "./config"
    assert mounts["/data/.playlist-worker"] in COMPOSE["volumes"]
    assert {SERVICES["sandbox"]["profiles"][0], SERVICES["worker-demo"]["profiles"][0]} == {"demo"}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_mounted_paths_exist_in_the_repository(name: str) -> None:
    for volume in SERVICES[name].get("volumes", []):
        source = volume.split(":")[0]
        assert source in COMPOSE["volumes"] or (REPO / source).exists(), f"{name} mounts a missing {source}"


def test_dockerfile_copies_only_what_exists() -> None:
    for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY"):
            sources = [word for word in line.split()[1:-1] if not word.startswith("--")]
            assert all((REPO / source).exists() for source in sources), line


def _is_setting(dotted: str) -> bool:
    model: type[BaseModel] = Settings
    *sections, leaf = dotted.split(".")
    for section in sections:
        field = model.model_fields.get(section)
        if (
            field is None
            or not isinstance(field.annotation, type)
            or not issubclass(field.annotation, BaseModel)
        ):
            return False
        model = field.annotation
    return leaf in model.model_fields


def _setting_variables() -> list[str]:
    in_compose = [name for service in SERVICES.values() for name in service.get("environment", {})]
    in_example = [
        line.lstrip("# ").split("=")[0]
        for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.lstrip("# ").startswith(ENV_PREFIX)
    ]
    return in_compose + in_example


@pytest.mark.parametrize("variable", _setting_variables())
def test_environment_variables_name_real_settings(variable: str) -> None:
    assert variable.startswith(ENV_PREFIX)
    assert _is_setting(variable[len(ENV_PREFIX) :].lower().replace("__", ".")), variable


def test_env_example_lists_exactly_the_secrets_the_worker_reads() -> None:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    names = {line.split("=")[0] for line in lines if line and not line.startswith("#")}
    assert names == set(SECRET_ENV_VARS) - {"APPLE_PRIVATE_KEY_FILE"}
    assert all(line.endswith("=") for line in lines if line and not line.startswith("#")), (
        "no values in the example"
    )


def test_demo_worker_points_every_service_base_at_the_sandbox_host() -> None:
    environment = SERVICES["worker-demo"]["environment"]
    assert all(value.startswith("http://sandbox:8765/") for value in environment.values())
    assert _is_setting("spotify.api_base") and not _is_setting("spotify.nope") and not _is_setting("nope.x")


def test_no_compose_path_points_outside_the_repository() -> None:
    sources = [v.split(":")[0] for s in SERVICES.values() for v in s.get("volumes", []) if v.startswith(".")]
    assert all((REPO / source).resolve().is_relative_to(REPO) for source in sources)
    assert Path(REPO / "Dockerfile").is_file()
