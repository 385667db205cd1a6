"""activation codes of the remedy, the person's notice reference, translated free text

Revision ID: 0009
Revises: 0008_holds_and_claim_by_deadline
Create Date: 2026-12-06 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import incidents.sqltypes


revision = "0009_remedy_codes"
down_revision = "0008_holds_and_claim_by_deadline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activationcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject_pk", sa.Integer(), nullable=True),
        sa.Column("loaded_at", incidents.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("allocated_at", incidents.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.ForeignKeyConstraint(["subject_pk"], ["affectedsubject.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "code"),
        sa.UniqueConstraint("incident_id", "subject_pk"),
    )
    with op.batch_alter_table("activationcode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activationcode_incident_id"), ["incident_id"], unique=False)
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                      server_default="en")
        )
        batch_op.add_column(
            sa.Column("translations", incidents.sqltypes.JSONValue(), nullable=False,
                      server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("noticelink", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_noticelink_reference"), ["reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("noticelink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_noticelink_reference"))
        batch_op.drop_column("reference")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("translations")
        batch_op.drop_column("language")
    with op.batch_alter_table("activationcode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activationcode_incident_id"))
    op.drop_table("activationcode")
