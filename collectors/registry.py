"""Finds collectors: every module in this package that defines a Collector subclass."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from typing import Any

import collectors
from collectors.base import Collector
from voelspriet.errors import ConfigError

NOT_COLLECTORS = {"base", "registry", "runner", "relevance", "language", "credentials", "http", "checks"}


@cache
def collector_classes() -> dict[str, type[Collector]]:
    """``platform name -> class`` for every collector module."""
    found: dict[str, type[Collector]] = {}
    for info in pkgutil.iter_modules(collectors.__path__):
        if info.name in NOT_COLLECTORS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"collectors.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Collector)
                and value is not Collector
                and value.__module__ == module.__name__
            ):
                found[value.platform] = value
    return found


def collector_class(platform: str) -> type[Collector]:
    try:
        return collector_classes()[platform]
    except KeyError:
        known = ", ".join(sorted(collector_classes()))
        raise ConfigError(f"onbekend platform {platform!r}; bekend zijn: {known}.") from None


def validate_source(path: Path | str, name: str, platform: str, settings: dict[str, Any]) -> None:
    """Check a source's settings with its collector; errors name the field in the profile."""
    try:
        cls = collector_class(platform)
    except ConfigError as exc:
        raise ConfigError(f"{path}: sources.{name}: {exc}") from None
    try:
        cls.validate(settings)
    except ValueError as exc:
        raise ConfigError(f"{path}: sources.{name}.{exc}") from None
