"""holds and claim by deadline

Revision ID: 0008_holds_and_claim_by_deadline
Revises: 0007_report_filing_and_phase
Create Date: 2026-12-06 18:25:20.041086
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import incidents.sqltypes


revision = '0008_holds_and_claim_by_deadline'
down_revision = '0007_report_filing_and_phase'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('agency', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('jurisdictions', incidents.sqltypes.JSONValue(), nullable=False),
    sa.Column('starts_at', incidents.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('until', incidents.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('released_at', incidents.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('end_alerted_at', incidents.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hold_incident_id'), ['incident_id'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_by', incidents.sqltypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_index(batch_op.f('ix_delivery_claim'))
        batch_op.create_index('ix_delivery_claim', ['incident_id', 'channel', 'state', 'due_by', 'notice_id'], unique=False)

    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_before_hold', incidents.sqltypes.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_column('deadline_before_hold')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_claim')
        batch_op.create_index(batch_op.f('ix_delivery_claim'), ['incident_id', 'channel', 'state', 'notice_id'], unique=False)
        batch_op.drop_column('due_by')

    with op.batch_alter_table('hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hold_incident_id'))

    op.drop_table('hold')
