"""`voelspriet users ...` through the real console script (the password is typed on stdin)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from store.db import create_engine
from store.tables import users
from voelspriet.web.passwords import verify_password

VOELSPRIET = str(Path(sys.executable).parent / "voelspriet")


def run(env: dict, *args: str, input: str | None = None):
    # A new session has no controlling terminal, so getpass reads the password from stdin.
    return subprocess.run([VOELSPRIET, *args], capture_output=True, text=True, input=input,
                          timeout=120, env={**os.environ, **env}, start_new_session=True,
                          check=False)


def test_users_add_prompts_for_a_password_and_lists(tmp_path):
    db = tmp_path / "var" / "voelspriet.db"
    env = {"VOELSPRIET_VAR_DIR": str(tmp_path / "var"), "VOELSPRIET_DATABASE_URL": f"sqlite:///{db}"}
    assert run(env, "db", "upgrade").returncode == 0
    added = run(env, "users", "add", "wendy", "--role", "webcare", "--name", "Wendy",
                input="een-lang-wachtwoord\neen-lang-wachtwoord\n")
    assert added.returncode == 0, added.stderr
    assert "toegevoegd met rol webcare" in added.stderr
    assert "een-lang-wachtwoord" not in added.stdout + added.stderr
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        row = conn.execute(sa.select(users)).mappings().one()
    engine.dispose()
    assert row["password_hash"].startswith("$argon2")
    assert verify_password(row["password_hash"], "een-lang-wachtwoord")
    assert run(env, "users", "list").stdout.startswith("wendy\twebcare\tactief\tWendy")
    short = run(env, "users", "add", "kees", "--role", "analyst", input="kort\nkort\n")
    assert short.returncode == 1 and "minstens 10 tekens" in short.stderr
    bad_role = run(env, "users", "add", "kees", "--role", "root")
    assert bad_role.returncode == 1 and "onbekende rol" in bad_role.stderr
    assert run(env, "users", "set", "wendy", "--inactive").returncode == 0
    assert "uitgeschakeld" in run(env, "users", "list").stdout
