"""Creating a workspace and reading its vital signs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Table, func, select

from silverplatter.storage.engine import current_revision, is_initialised, migrate
from silverplatter.storage.repair import restore_declared_indexes
from silverplatter.storage.schema import (
    accounts,
    contacts,
    events,
    opportunities,
    workspace,
)


@dataclass(frozen=True)
class WorkspaceStatus:
    name: str
    schema_revision: str | None
    accounts: int
    contacts: int
    events: int
    opportunities: int


def init_workspace(engine: Engine, *, name: str, now: datetime) -> bool:
    """Create or upgrade the schema and name the workspace; True when it was new."""
    migrate(engine)
    with engine.begin() as connection:
        restore_declared_indexes(connection)
        if connection.execute(select(workspace.c.id)).first() is not None:
            return False
        connection.execute(
            workspace.insert().values(
                id=1, name=name, created_at=now, signing_key=secrets.token_urlsafe(48)
            )
        )
    return True


def workspace_name(engine: Engine) -> str | None:
    """The workspace's name, or None when the database holds no workspace (cheap)."""
    if not is_initialised(engine):
        return None
    with engine.connect() as connection:
        return connection.execute(select(workspace.c.name)).scalar() or "(unnamed)"


def workspace_status(engine: Engine) -> WorkspaceStatus | None:
    """Counts of what the workspace holds, or None when it is not initialised.

    Counts every row: fine for the overview page and the CLI, not for every request.
    """
    if not is_initialised(engine):
        return None
    with engine.connect() as connection:
        name = connection.execute(select(workspace.c.name)).scalar() or "(unnamed)"

        def count(table: Table) -> int:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

        return WorkspaceStatus(
            name=name,
            schema_revision=current_revision(engine),
            accounts=count(accounts),
            contacts=count(contacts),
            events=count(events),
            opportunities=count(opportunities),
        )
