"""Keep the home plans exported for each client (issue 17).

``home_plan``: one row per exported plan; ``plan_uuid`` is the plan's id (unique),
``plan_json`` the plan file's text as handed over (checksum included), ``created_at`` naive UTC.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_uuid", sa.String(36), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("plan_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], ondelete="RESTRICT", name="fk_home_plan_client_id_client"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_home_plan"),
        sa.UniqueConstraint("plan_uuid", name="uq_home_plan_plan_uuid"),
    )
    op.create_index("ix_home_plan_client_id", "home_plan", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_home_plan_client_id", table_name="home_plan")
    op.drop_table("home_plan")
