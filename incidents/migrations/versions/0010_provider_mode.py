"""provider mode and organisation source of an incident

Revision ID: 0010
Revises: 0009_remedy_codes
Create Date: 2026-12-06 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import incidents.sqltypes

revision = "0010_provider_mode"
down_revision = "0009_remedy_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty means "not recorded" (incidents opened before this migration): shown as unknown.
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "provider", incidents.sqltypes.JSONValue(), nullable=False, server_default=sa.text("'{}'")
            )
        )
        batch_op.add_column(
            sa.Column(
                "org_source", incidents.sqltypes.JSONValue(), nullable=False, server_default=sa.text("'{}'")
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("org_source")
        batch_op.drop_column("provider")
