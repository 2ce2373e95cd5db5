"""Keep the subject's neutral with a measurement; index the comparison and history look-ups.

Compare/progress queries filter measurements by session, test and side, and list a client's
sessions by start time: both were full table scans in 0001.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measurement") as batch:
        batch.add_column(sa.Column("neutral", sa.Float(), nullable=True))
    op.create_index(
        "ix_measurement_session_test_side", "measurement", ["session_id", "test_id", "side"]
    )
    op.create_index(
        "ix_assessment_session_client_started", "assessment_session", ["client_id", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_assessment_session_client_started", table_name="assessment_session")
    op.drop_index("ix_measurement_session_test_side", table_name="measurement")
    with op.batch_alter_table("measurement") as batch:
        batch.drop_column("neutral")
