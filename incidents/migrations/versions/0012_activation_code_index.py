"""activation codes looked up by code: a code loaded for one incident is refused for another

Revision ID: 0012
Revises: 0011_media_notice
Create Date: 2026-12-06 22:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0012_activation_code_index"
down_revision = "0011_media_notice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activationcode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activationcode_code"), ["code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("activationcode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activationcode_code"))
