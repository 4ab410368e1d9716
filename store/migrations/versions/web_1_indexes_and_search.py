"""web: indexes for the mention tables and inbox, full-text search

Revision ID: web_1
Revises: triage_1

SQLite gets an FTS5 index over title and text, kept in step by triggers (an
external-content table, so the text is not stored twice). PostgreSQL gets a GIN
index on the same words as a tsvector ('simple' configuration: no stemming, like
FTS5's unicode61 tokenizer). store/web_queries.py searches with exactly these
expressions; change them together.
"""

from alembic import op

revision = "web_1"
down_revision = "triage_1"
branch_labels = None
depends_on = None

PG_SEARCH_VECTOR = "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || text)"

INDEXES = [
    ("ix_mentions_platform_created_at", "mentions", ["platform", "created_at"]),
    ("ix_mentions_language_created_at", "mentions", ["language", "created_at"]),
    ("ix_classifications_mention_id_id", "classifications", ["mention_id", "id"]),
    ("ix_triage_decisions_status_urgency", "triage_decisions", ["status", "urgency"]),
    ("ix_triage_decisions_topic", "triage_decisions", ["topic"]),
    ("ix_triage_decisions_urgency", "triage_decisions", ["urgency"]),
    ("ix_outcomes_mention_id", "outcomes", ["mention_id"]),
    ("ix_label_corrections_mention_id", "label_corrections", ["mention_id"]),
]

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE mentions_fts USING fts5(
        title, text, content='mentions', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
        INSERT INTO mentions_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER mentions_fts_update AFTER UPDATE OF title, text ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO mentions_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_mentions_search ON mentions USING gin ({PG_SEARCH_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS mentions_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS mentions_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_mentions_search")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
