"""SQLAlchemy 2.0 ORM tables of the store (the schema at the head migration).

Changing a table here needs a new Alembic revision in ``romcam/store/migrations/versions``;
``tests/integration/store/test_migrations.py`` checks that the migrations build exactly this schema.
Times are stored as naive UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Explicit constraint names so migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Client(Base):
    """A client; ``name_key`` (case-folded name) makes display names unique per store."""

    __tablename__ = "client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), unique=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    sessions: Mapped[list[AssessmentSession]] = relationship(back_populates="client")


class AssessmentSession(Base):
    """One visit of a client."""

    __tablename__ = "assessment_session"
    __table_args__ = (Index("ix_assessment_session_client_started", "client_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    therapist: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str] = mapped_column(Text, default="")

    client: Mapped[Client] = relationship(back_populates="sessions")


class Measurement(Base):
    """One test result; ``value`` and the held extremes are in ``unit``."""

    __tablename__ = "measurement"
    __table_args__ = (Index("ix_measurement_session_test_side", "session_id", "test_id", "side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assessment_session.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(40))
    test_id: Mapped[str] = mapped_column(String(40))
    side: Mapped[str | None] = mapped_column(String(8))
    metric_id: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    held_max: Mapped[float | None] = mapped_column(Float)
    held_min: Mapped[float | None] = mapped_column(Float)
    start_value: Mapped[float | None] = mapped_column(Float)
    excursion: Mapped[float | None] = mapped_column(Float)
    view: Mapped[str | None] = mapped_column(String(40))
    quality: Mapped[str] = mapped_column(String(40))
    quality_reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(8))
    measured_at: Mapped[datetime] = mapped_column(DateTime)
    calibration_profile: Mapped[str | None] = mapped_column(String(120))
    # Added by revision 0002.
    neutral: Mapped[float | None] = mapped_column(Float)
    # Added by revision 0003 (clinical protocol: trials, pain, compensation, set-up).
    first_pain: Mapped[float | None] = mapped_column(Float)
    pain_score: Mapped[int | None] = mapped_column(Integer)
    compensation: Mapped[dict[str, float] | None] = mapped_column(JSON)
    setup: Mapped[dict[str, float | str] | None] = mapped_column(JSON)
    uncertainty: Mapped[float | None] = mapped_column(Float)
    excluded_reason: Mapped[str | None] = mapped_column(Text)

    recording: Mapped[Recording | None] = relationship(
        back_populates="measurement", cascade="all, delete-orphan", passive_deletes=True
    )


class Recording(Base):
    """Files kept for a measurement (or a whole session); paths relative to the data dir."""

    __tablename__ = "recording"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assessment_session.id", ondelete="CASCADE"))
    measurement_id: Mapped[int | None] = mapped_column(
        ForeignKey("measurement.id", ondelete="CASCADE"), unique=True
    )
    video_path: Mapped[str | None] = mapped_column(String(400))
    landmarks_path: Mapped[str | None] = mapped_column(String(400))
    angles_path: Mapped[str | None] = mapped_column(String(400))
    duration_s: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    measurement: Mapped[Measurement | None] = relationship(back_populates="recording")


class HomePlanRow(Base):
    """A home plan exported for a client (revision 0004); ``plan_json`` is the plan file's
    text as handed over (:mod:`romcam.home.plan`, checksum included)."""

    __tablename__ = "home_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    plan_json: Mapped[str] = mapped_column(Text)
