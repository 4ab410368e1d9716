"""The store's tables: the analysts' interface, documented in store/TABLES.md.

SQLAlchemy Core only. Every datetime is stored as UTC and read back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """A datetime that goes in as UTC and comes out timezone-aware (SQLite has no zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


mentions = sa.Table(
    "mentions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("platform_id", sa.String(300), nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("author_handle", sa.String(200)),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("language", sa.String(8)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("collected_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("replies", sa.Integer),
    sa.Column("reposts", sa.Integer),
    sa.Column("likes", sa.Integer),
    sa.Column("reach", sa.Integer),
    sa.Column("relevance", sa.Text),
    sa.Column("raw", sa.JSON),
    sa.Column("anonymised_at", UTCDateTime),
    sa.UniqueConstraint("platform", "platform_id", name="uq_mentions_platform_id"),
    sa.Index("ix_mentions_created_at", "created_at"),
)

mention_sightings = sa.Table(
    "mention_sightings",
    metadata,
    sa.Column("mention_id", sa.ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
)

classifications = sa.Table(
    "classifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mention_id", sa.ForeignKey("mentions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("model_version", sa.String(100), nullable=False),
    sa.Column("labels", sa.JSON, nullable=False),
    sa.Column("scores", sa.JSON, nullable=False),
    sa.Column("needs_review", sa.Boolean, nullable=False),
    sa.Column("classified_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("mention_id", "model_version", name="uq_classifications_mention_model"),
)

triage_decisions = sa.Table(
    "triage_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "mention_id", sa.ForeignKey("mentions.id", ondelete="CASCADE"), nullable=False, unique=True
    ),
    sa.Column("classification_id", sa.ForeignKey("classifications.id", ondelete="SET NULL")),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("urgency", sa.Float, nullable=False),
    sa.Column("urgency_level", sa.String(10), nullable=False),
    sa.Column("reply_account", sa.String(200)),
    sa.Column("departments", sa.JSON, nullable=False),
    sa.Column("topic", sa.String(100)),
    sa.Column("deadline", UTCDateTime),
    sa.Column("status", sa.String(30), nullable=False, server_default="open"),
    sa.Column("assignee", sa.String(200)),
    sa.Column("decided_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_triage_decisions_action_status", "action", "status"),
)

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mention_id", sa.ForeignKey("mentions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("outcome", sa.String(30), nullable=False),
    sa.Column("recorded_by", sa.String(200), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("responded_at", UTCDateTime),
    sa.Column("account", sa.String(200)),
    sa.Column("response_url", sa.Text),
    sa.Column("response_text", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("department", sa.String(200)),
)

label_corrections = sa.Table(
    "label_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mention_id", sa.ForeignKey("mentions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("labels", sa.JSON, nullable=False),
    sa.Column("corrected_by", sa.String(200), nullable=False),
    sa.Column("corrected_at", UTCDateTime, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("used_in_model", sa.String(100)),
)

cursors = sa.Table(
    "cursors",
    metadata,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("cursor", sa.JSON, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

collector_runs = sa.Table(
    "collector_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("fetched", sa.Integer, nullable=False, server_default="0"),
    sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("dropped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("drop_reasons", sa.JSON),
    sa.Column("error", sa.Text),
    sa.Index("ix_collector_runs_source_started", "source", "started_at"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("period_start", UTCDateTime),
    sa.Column("period_end", UTCDateTime),
    sa.Column("sent_at", UTCDateTime, nullable=False),
    sa.Column("recipients", sa.JSON, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("path", sa.Text),
    # "smtp": sent through Airflow's smtp_default connection; "file": only written to var/reports/.
    sa.Column("transport", sa.String(10), nullable=False, server_default="smtp"),
    sa.UniqueConstraint("kind", "key", name="uq_deliveries_kind_key"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(200), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200)),
    sa.Column("password_hash", sa.Text),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Indexes for the web's tables and inbox (migration web_1). Full-text search lives outside
# this metadata: an FTS5 table `mentions_fts` on SQLite, a GIN tsvector index on PostgreSQL.
sa.Index("ix_mentions_platform_created_at", mentions.c.platform, mentions.c.created_at)
sa.Index("ix_mentions_language_created_at", mentions.c.language, mentions.c.created_at)
sa.Index("ix_classifications_mention_id_id", classifications.c.mention_id, classifications.c.id)
sa.Index("ix_triage_decisions_status_urgency", triage_decisions.c.status, triage_decisions.c.urgency)
sa.Index("ix_triage_decisions_topic", triage_decisions.c.topic)
sa.Index("ix_triage_decisions_urgency", triage_decisions.c.urgency)
sa.Index("ix_outcomes_mention_id", outcomes.c.mention_id)
sa.Index("ix_label_corrections_mention_id", label_corrections.c.mention_id)
