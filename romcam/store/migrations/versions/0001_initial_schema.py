"""The first schema: client, assessment_session, measurement, recording.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_key", sa.String(120), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_client"),
        sa.UniqueConstraint("name_key", name="uq_client_name_key"),
    )
    op.create_table(
        "assessment_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("therapist", sa.String(120), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            ondelete="RESTRICT",
            name="fk_assessment_session_client_id_client",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assessment_session"),
    )
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(40), nullable=False),
        sa.Column("test_id", sa.String(40), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("metric_id", sa.String(60), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("held_max", sa.Float(), nullable=True),
        sa.Column("held_min", sa.Float(), nullable=True),
        sa.Column("start_value", sa.Float(), nullable=True),
        sa.Column("excursion", sa.Float(), nullable=True),
        sa.Column("view", sa.String(40), nullable=True),
        sa.Column("quality", sa.String(40), nullable=False),
        sa.Column("quality_reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("measured_at", sa.DateTime(), nullable=False),
        sa.Column("calibration_profile", sa.String(120), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["assessment_session.id"],
            ondelete="CASCADE",
            name="fk_measurement_session_id_assessment_session",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measurement"),
    )
    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("measurement_id", sa.Integer(), nullable=True),
        sa.Column("video_path", sa.String(400), nullable=True),
        sa.Column("landmarks_path", sa.String(400), nullable=True),
        sa.Column("angles_path", sa.String(400), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["assessment_session.id"],
            ondelete="CASCADE",
            name="fk_recording_session_id_assessment_session",
        ),
        sa.ForeignKeyConstraint(
            ["measurement_id"],
            ["measurement.id"],
            ondelete="CASCADE",
            name="fk_recording_measurement_id_measurement",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recording"),
        sa.UniqueConstraint("measurement_id", name="uq_recording_measurement_id"),
    )


def downgrade() -> None:
    for table in ("recording", "measurement", "assessment_session", "client"):
        op.drop_table(table)
