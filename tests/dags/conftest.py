"""Airflow for the DAG tests: the project's airflow.cfg, its own metadata DB, a loopback SMTP server.

Airflow reads its configuration when it is first imported, so the environment is set here,
before any test module imports it. The metadata DB lives in var/airflow-test (SQLite),
apart from the one `make airflow` uses; each test gets its own store and replay profile.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

from store.db import create_engine
from store.migrate import upgrade
from tests.conftest import write_profile
from voelspriet.settings import ROOT

AIRFLOW_HOME = ROOT / "var" / "airflow-test"
os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW_CONFIG"] = str(ROOT / "airflow.cfg")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
if "airflow.configuration" in sys.modules and not str(
    sys.modules["airflow.configuration"].conf.get("core", "dags_folder")
).startswith(str(AIRFLOW_HOME)):
    raise RuntimeError("Airflow was imported before tests/dags/conftest.py could configure it.")

MODEL = ROOT / "classifiers" / "model" / "model.skops"
REPLAY_FIXTURE = ROOT / "tests" / "fixtures" / "replay" / "mentions.jsonl"
FIXTURE_MENTIONS = 7  # of the 8 lines, one (Haarlem weather) is not about Heemstede
SMTP_FROM = "voelspriet@heemstede.nl"


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow's metadata DB, migrated (idempotent: a second session only checks it)."""
    AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        check=True, capture_output=True, env=os.environ.copy(),
    )
    return AIRFLOW_HOME / "airflow.db"


@pytest.fixture(scope="session")
def model_file(tmp_path_factory) -> Path:
    """The bundled model, or (when none is bundled) a quick one trained on a quarter of the corpus."""
    if MODEL.exists():
        return MODEL
    from classifiers.corpus import load_corpus
    from classifiers.model import save_model
    from classifiers.training import train_model, training_set

    model = train_model(training_set(load_corpus())[::4], folds=3,
                        notes={"corrections": 0, "corrections_through": 0})
    return save_model(model, tmp_path_factory.mktemp("model") / "model.skops")


@pytest.fixture(scope="session")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


@dataclass
class Pipeline:
    """The store, profile and reports directory that the DAG's tasks will use."""

    url: str
    engine: object
    profile_path: Path
    var_dir: Path


def pipeline_env(tmp_path: Path, monkeypatch, url: str, model: Path,
                 extra_sources: dict | None = None) -> Pipeline:
    """Point the tasks at a migrated store at ``url``, a copy of ``model`` and the replay profile."""

    def change(data):
        data["sources"] = {"replay": {"enabled": True, "file": str(REPLAY_FIXTURE)},
                           **(extra_sources or {})}

    profile_path = write_profile(tmp_path, change)
    var_dir = tmp_path / "var"
    upgrade(url)
    # retrain writes the model it promotes: give every test its own copy.
    for part in model.parent.glob(f"{model.stem}.*"):  # the model and its metadata
        shutil.copy(part, tmp_path / f"model{part.name[len(model.stem):]}")
    monkeypatch.setenv("VOELSPRIET_MODEL", str(tmp_path / "model.skops"))
    monkeypatch.setenv("VOELSPRIET_DATABASE_URL", url)
    monkeypatch.setenv("VOELSPRIET_PROFILE", str(profile_path))
    monkeypatch.setenv("VOELSPRIET_VAR_DIR", str(var_dir))
    return Pipeline(url, create_engine(url), profile_path, var_dir)


@pytest.fixture
def pipeline(tmp_path, monkeypatch, airflow_db, model_file):
    """A SQLite store and the replay profile, for one test."""
    p = pipeline_env(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'voelspriet.db'}", model_file)
    yield p
    p.engine.dispose()


@dataclass
class Mailbox:
    """What the loopback SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self.lock:
            message = message_from_bytes(envelope.original_content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        from email.header import decode_header, make_header

        with self.lock:
            return [str(make_header(decode_header(m["Subject"]))) for m in self.messages]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch) -> Mailbox:
    """A real SMTP server on loopback, configured as Airflow's ``smtp_default`` connection."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = _free_port()  # Controller(port=0) does not report the port it got
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    connection = {"conn_type": "smtp", "host": "127.0.0.1", "port": port,
                  "extra": {"disable_ssl": True, "disable_tls": True, "from_email": SMTP_FROM,
                            "timeout": 10, "retry_limit": 1}}
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps(connection))
    yield mailbox
    controller.stop()


_PARAM_DEFAULTS: dict[str, dict] = {}


def run_dag(dagbag, dag_id: str, logical_date=None, conf: dict | None = None, **kwargs):
    """One run of ``dag_id`` through ``dag.test()``, without retries; return the DagRun.

    dag.test() merges a run's conf into the DAG object's params, so every run passes all of
    them, from their defaults as parsed.
    """
    dag = dagbag.get_dag(dag_id)
    defaults = _PARAM_DEFAULTS.setdefault(dag_id, dag.params.dump())
    conf = {**defaults, **(conf or {})}
    for task in dag.tasks:
        task.retries = 0
    if logical_date is not None:  # dag.test(logical_date=None) means "no logical date"
        kwargs["logical_date"] = logical_date
    return dag.test(run_conf=conf, **kwargs)


def task_states(dag_run) -> dict[str, str]:
    """``task_id[map_index] -> state`` for every task instance of ``dag_run``."""
    return {
        ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""): str(ti.state)
        for ti in dag_run.get_task_instances()
    }
