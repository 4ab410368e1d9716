"""Shared fixtures: a migrated store on SQLite and on PostgreSQL at 127.0.0.1:5432."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from store.db import create_engine
from store.migrate import upgrade
from voelspriet.profile import Profile, load_profile
from voelspriet.settings import ROOT

pytest_plugins = ("tests.mail_fixtures", "tests.browser_fixtures")

PG_ADMIN_URL = os.environ.get("VOELSPRIET_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def write_profile(tmp_path: Path, change) -> Path:
    """The bundled profile with ``change(data)`` applied, written to tmp_path."""
    data = yaml.safe_load((ROOT / "config" / "heemstede.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def profile_with(tmp_path: Path, change) -> Profile:
    """The bundled profile with ``change(data)`` applied, loaded and validated."""
    return load_profile(write_profile(tmp_path, change))


@pytest.fixture(scope="session")
def profile():
    return load_profile(ROOT / "config" / "heemstede.yaml")


@pytest.fixture(scope="session")
def pg_server():
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"voelspriet_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc.orig}")
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_pg(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path: Path) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'voelspriet.db'}"
    url = request.getfixturevalue("pg_server")
    _reset_pg(url)
    return url


@pytest.fixture
def engine(db_url: str):
    """A store migrated to head with Alembic."""
    upgrade(db_url)
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'voelspriet.db'}"
    upgrade(url)
    engine = create_engine(url)
    yield engine
    engine.dispose()
