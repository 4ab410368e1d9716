"""deliveries.transport: whether an email went out by SMTP or was only written to var/reports/

Revision ID: triage_1
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = 'triage_1'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries') as batch:
        batch.add_column(sa.Column('transport', sa.String(length=10), server_default='smtp', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('deliveries') as batch:
        batch.drop_column('transport')
