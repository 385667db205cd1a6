"""media notice: where and when the press release of a substitute notice went

Revision ID: 0011
Revises: 0010_provider_mode
Create Date: 2026-12-06 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import incidents.sqltypes


revision = '0011_media_notice'
down_revision = '0010_provider_mode'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'medianotice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('outlet', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('sent_at', incidents.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('jurisdictions', incidents.sqltypes.JSONValue(), nullable=False),
        sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('recorded_at', incidents.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('medianotice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_medianotice_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('medianotice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_medianotice_incident_id'))
    op.drop_table('medianotice')
