"""report filing record and obligation phase

Revision ID: 0007
Revises: 0006_audit_keyed_chain
Create Date: 2026-12-06 07:26:44.741801
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import incidents.sqltypes


revision = '0007_report_filing_and_phase'
down_revision = '0006_audit_keyed_chain'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='initial'))

    with op.batch_alter_table('regulatorreport', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('approved_at', incidents.sqltypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('to_complete', incidents.sqltypes.JSONValue(), nullable=False,
                                      server_default=sa.text("'[]'")))



def downgrade() -> None:
    with op.batch_alter_table('regulatorreport', schema=None) as batch_op:
        batch_op.drop_column('to_complete')
        batch_op.drop_column('approved_by')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('filed_by')

    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_column('phase')

