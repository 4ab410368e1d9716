"""Every CLI command, environment setting and profile field is documented."""

from __future__ import annotations

import re

import click
import typer.main
import yaml

from voelspriet.cli import app
from voelspriet.settings import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE_GLOBS = ("voelspriet/**/*.py", "collectors/**/*.py", "store/**/*.py", "classifiers/**/*.py",
              "reports/**/*.py", "dags/**/*.py", "scripts/*.sh", "Makefile")


def commands(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{path} "))
        else:
            found.append(path)
    return found


def test_every_cli_command_is_in_the_readme_and_has_help():
    group = typer.main.get_command(app)
    for path in commands(group):
        assert f"voelspriet {path}" in README, f"README does not document 'voelspriet {path}'"
        command = group
        for part in path.split():
            command = command.commands[part]
        assert command.help, f"'voelspriet {path}' has no help text"


def test_every_environment_setting_is_in_the_readme():
    names = set()
    for pattern in CODE_GLOBS:
        for path in ROOT.glob(pattern):
            names |= set(re.findall(r"VOELSPRIET_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    names.discard("VOELSPRIET_TEST_PG")  # the test suite's own
    missing = sorted(n for n in names if n not in README)
    assert not missing, f"README does not document {missing}"


def test_every_profile_section_is_documented():
    profile = yaml.safe_load((ROOT / "config" / "heemstede.yaml").read_text(encoding="utf-8"))
    doc = (ROOT / "config" / "README.md").read_text(encoding="utf-8")
    for section, value in profile.items():
        assert f"`{section}" in doc, f"config/README.md does not document {section}"
        if section == "municipality":
            for field in value:
                assert f"`municipality.{field}`" in doc or f"municipality.{field}" in doc, field
