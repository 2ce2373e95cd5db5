"""Keep what a clinical trial needs with each measurement: pain, compensation, set-up, exclusion.

A measurement is one trial; the trials of a test in a phase are the measurements of that
session, phase, test and side. ``first_pain`` is the angle where pain began (the measurement's
unit and sign), ``pain_score`` the 0-10 pain at the end range, ``compensation`` the peak of each
compensation measured during the trial (JSON: name -> degrees), ``setup`` the camera set-up
(JSON: name -> number or text), ``uncertainty`` the trial's own uncertainty (the measurement's
unit), ``excluded_reason`` why a trial was left out of the mean (NULL = counted).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("first_pain", sa.Float()),
    ("pain_score", sa.Integer()),
    ("compensation", sa.JSON()),
    ("setup", sa.JSON()),
    ("uncertainty", sa.Float()),
    ("excluded_reason", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("measurement") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("measurement") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
