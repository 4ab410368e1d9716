"""Alembic environment: the URL comes from store.migrate, the schema from store.tables."""

from alembic import context

from store.db import create_engine
from store.tables import metadata

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
