"""audit trail: reseal existing events with the keyed chain (HMAC-SHA256)

Revision ID: 0006_audit_keyed_chain
Revises: 0005

Events written before the chain was keyed carry plain SHA-256 hashes. Each incident's events
are resealed with the audit key as far as their old chain verifies; from an event that does
not, nothing is resealed, so `breachflow audit verify` reports it. No schema change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import incidents.sqltypes

revision = "0006_audit_keyed_chain"
down_revision = "0005"
branch_labels = None
depends_on = None

_events = sa.table(
    "auditevent",
    sa.column("id", sa.Integer()), sa.column("incident_id", sa.String()),
    sa.column("at", incidents.sqltypes.UTCDateTime()), sa.column("actor", sa.String()),
    sa.column("action", sa.String()), sa.column("detail", incidents.sqltypes.JSONValue()),
    sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()),
)


def upgrade() -> None:
    from incidents import audit

    bind = op.get_bind()
    rows = [dict(r._mapping) for r in bind.execute(
        sa.select(_events).order_by(_events.c.incident_id, _events.c.id))]
    if not rows:
        return  # a new database: nothing to reseal, and no key needed yet
    secret = audit.key()
    by_incident: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_incident.setdefault(str(row["incident_id"]), []).append(row)
    for events in by_incident.values():
        for event_id, (prev_hash, sealed) in audit.reseal(events, secret).items():
            bind.execute(sa.update(_events).where(_events.c.id == event_id)
                         .values(prev_hash=prev_hash, hash=sealed))


def downgrade() -> None:
    raise NotImplementedError("the keyed chain cannot be turned back into plain hashes")
