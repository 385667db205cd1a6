"""run settings apart from sources: `incident.settings` holds out, auto_approve and opened_by,
which `incident.sources` used to hold next to where the people are

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import incidents.sqltypes

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RUN_KEYS = ("out", "auto_approve", "opened_by")
INCIDENT = sa.table("incident", sa.column("id", sa.String), sa.column("sources", sa.JSON),
                    sa.column("settings", sa.JSON))


def upgrade() -> None:
    op.add_column("incident", sa.Column("settings", incidents.sqltypes.JSONValue(), nullable=False,
                                        server_default=sa.text("'{}'")))
    bind = op.get_bind()
    for incident_id, sources in bind.execute(sa.select(INCIDENT.c.id, INCIDENT.c.sources)).all():
        sources = dict(sources or {})
        settings = {key: sources.pop(key) for key in RUN_KEYS if key in sources}
        if settings:
            bind.execute(INCIDENT.update().where(INCIDENT.c.id == incident_id)
                         .values(sources=sources, settings=settings))


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(INCIDENT.c.id, INCIDENT.c.sources, INCIDENT.c.settings)).all()
    for incident_id, sources, settings in rows:
        if settings:
            bind.execute(INCIDENT.update().where(INCIDENT.c.id == incident_id)
                         .values(sources={**(sources or {}), **settings}))
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("settings")
