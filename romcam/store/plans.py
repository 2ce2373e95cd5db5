"""Home plans in the therapist's store (table ``home_plan``, revision 0004).

:class:`PlanStoreMixin` gives :class:`romcam.store.repository.Store` ``save_plan``,
``list_plans``, ``get_plan`` and ``find_plan``. A plan is kept as the file's text exactly as it
was handed over (checksum included) and read back through :func:`romcam.home.plan.plan_from_json`,
so what the store returns is what the client was given.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from romcam.errors import InputError
from romcam.home.plan import HomePlan, plan_from_json
from romcam.store.models import Client, HomePlanRow
from romcam.store.rows import utc_naive

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from romcam.store.records import ClientRecord


@dataclass(frozen=True)
class StoredPlan:
    """A plan as the store keeps it: the plan, its client's id and current name in this store,
    and when it was saved (naive UTC, the plan's own ``created_at``)."""

    plan: HomePlan
    client_id: int
    client_name: str
    created_at: datetime


class PlanStoreMixin:
    """The plan methods of the store (uses the store's sessions, guard and client lookup)."""

    if TYPE_CHECKING:
        _read: Callable[[], OrmSession]
        _write: Callable[[], OrmSession]

        def _guard(self) -> AbstractContextManager[None]: ...
        def _client_row(self, s: OrmSession, ref: int | str | ClientRecord) -> Client: ...

    def save_plan(self, plan: HomePlan) -> StoredPlan:
        """Keep ``plan`` for its client (``plan.client.store_id``); InputError when that client
        is not in this store or a plan with this id is already kept."""
        text = plan.to_json()
        with self._guard(), self._write() as s:
            client = self._client_row(s, plan.client.store_id)
            if s.scalar(select(HomePlanRow.id).where(HomePlanRow.plan_uuid == plan.plan_id)):
                raise _duplicate(plan.plan_id)
            row = HomePlanRow(
                plan_uuid=plan.plan_id,
                client_id=client.id,
                created_at=utc_naive(plan.created_at, "created_at"),
                plan_json=text,
            )
            s.add(row)
            try:
                s.commit()
            except IntegrityError:
                raise _duplicate(plan.plan_id) from None
            return StoredPlan(plan, client.id, client.name, row.created_at)

    def list_plans(self, client: int | str | ClientRecord) -> list[StoredPlan]:
        """A client's plans, oldest first."""
        with self._guard(), self._read() as s:
            client_row = self._client_row(s, client)
            rows = s.scalars(
                select(HomePlanRow)
                .where(HomePlanRow.client_id == client_row.id)
                .order_by(HomePlanRow.created_at, HomePlanRow.id)
            )
            return [_stored(r, client_row.name) for r in rows]

    def find_plan(self, plan_uuid: str) -> StoredPlan | None:
        """The plan with this id, or None when this store never exported it."""
        key = _uuid_key(plan_uuid)
        if key is None:
            return None
        with self._guard(), self._read() as s:
            found = s.execute(
                select(HomePlanRow, Client.name)
                .join(Client, HomePlanRow.client_id == Client.id)
                .where(HomePlanRow.plan_uuid == key)
            ).first()
            return None if found is None else _stored(found[0], found[1])

    def get_plan(self, plan_uuid: str) -> StoredPlan:
        """The plan with this id; InputError when this store never exported it."""
        stored = self.find_plan(plan_uuid)
        if stored is None:
            raise InputError(
                f"no plan {plan_uuid!r} in this store; it was not exported from this clinic's "
                "romcam (see `romcam plan list CLIENT`)"
            )
        return stored


def _stored(row: HomePlanRow, client_name: str) -> StoredPlan:
    return StoredPlan(plan_from_json(row.plan_json), row.client_id, client_name, row.created_at)


def _uuid_key(value: object) -> str | None:
    """The canonical text of a UUID given in any of its spellings, or None when it is not one."""
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _duplicate(plan_uuid: str) -> InputError:
    return InputError(f"the plan {plan_uuid} is already in the store; create a new plan")
