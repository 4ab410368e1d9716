"""What the Airflow tasks share: one run's settings, profile and store, the assets, the notifier.

DAG files import this module at parse time, so it imports nothing heavy at module level:
the store, the profile and the collectors are imported when a task asks for them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import Asset

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from voelspriet.profile import Profile
    from voelspriet.settings import Settings

# Rows in the store that one DAG writes and another reads.
MENTIONS = Asset(name="mentions", uri="voelspriet://store/mentions")
TRIAGE = Asset(name="triage_decisions", uri="voelspriet://store/triage_decisions")
MODEL = Asset(name="model", uri="voelspriet://classifiers/model")


@dataclass
class Pipeline:
    """What a task works with: where things live, the municipality, the store."""

    settings: Settings
    profile: Profile
    engine: Engine


@contextmanager
def pipeline() -> Iterator[Pipeline]:
    """Open the store and load the profile named by the ``VOELSPRIET_*`` settings."""
    from store.db import open_store
    from voelspriet.profile import load_profile
    from voelspriet.settings import load_settings

    settings = load_settings()
    profile = load_profile(settings.profile_path)
    engine = open_store(settings.database_url)
    try:
        yield Pipeline(settings, profile, engine)
    finally:
        engine.dispose()


def run_moment(context: dict[str, Any]) -> datetime:
    """The moment a run stands for: its data interval's end (an asset-triggered run: run_after).

    Tasks use this instead of the wall clock, so a re-run of the same interval decides the same.
    """
    end = context.get("data_interval_end")
    return end if end is not None else context["dag_run"].run_after


class MaintainerNotifier(SmtpNotifier):
    """Mails the profile's maintainers (``recipients.maintainers``) when a task fails for good.

    The recipients are read when a task fails, not when the DAG file is parsed, and the mail
    goes through the Airflow connection ``smtp_default``.
    """

    def __init__(self) -> None:
        super().__init__(
            to=[],
            subject="voelspriet: taak {{ ti.task_id }} van {{ dag.dag_id }} is mislukt",
            html_content=(
                "<p>De taak <b>{{ ti.task_id }}</b> van DAG <b>{{ dag.dag_id }}</b> "
                "(run {{ run_id }}, poging {{ ti.try_number }}) is mislukt.</p>"
                "<p>Bekijk het log in Airflow en start de taak opnieuw als de oorzaak weg is.</p>"
                "<p>Fout: {{ exception | e }}</p>"
            ),
        )

    def __call__(self, *args) -> None:
        # Rendering mutates the notifier in place; one DAG object may fail several times.
        copy.copy(self)._notify_once(*args)

    def _notify_once(self, *args) -> None:
        from voelspriet.profile import load_profile
        from voelspriet.settings import load_settings

        self.to = load_profile(load_settings().profile_path).recipients.maintainers
        super().__call__(*args)


def task_defaults(
    *, retries: int, retry_delay: timedelta, max_retry_delay: timedelta,
    execution_timeout: timedelta,
) -> dict[str, Any]:
    """``default_args`` for a voelspriet DAG: its own retry budget, the shared policy.

    Every DAG retries with exponential backoff and mails the maintainers when a task
    fails for good; only the numbers differ per DAG.
    """
    return {
        "owner": "voelspriet",
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": max_retry_delay,
        "execution_timeout": execution_timeout,
        "on_failure_callback": MaintainerNotifier(),
    }
