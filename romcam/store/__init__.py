"""The session store: clients, assessment sessions, measurements and their recordings.

SQLite in the data directory by default, PostgreSQL via ``ROMCAM_DATABASE_URL`` or ``--db``;
the schema is upgraded in place by Alembic when the store is opened. See
:class:`romcam.store.repository.Store` for the API.
"""

from romcam.store.engine import DATABASE_URL_ENV, default_database_url
from romcam.store.records import (
    STANDARD_PHASES,
    ClientRecord,
    MeasurementInput,
    MeasurementRecord,
    RecordingInput,
    RecordingRecord,
    SessionRecord,
)
from romcam.store.repository import Store
from romcam.store.tidy import FRAME_COLUMNS

__all__ = [
    "DATABASE_URL_ENV",
    "FRAME_COLUMNS",
    "STANDARD_PHASES",
    "ClientRecord",
    "MeasurementInput",
    "MeasurementRecord",
    "RecordingInput",
    "RecordingRecord",
    "SessionRecord",
    "Store",
    "default_database_url",
]
