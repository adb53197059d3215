"""invoice holdback and direct debit: the retenue de garantie kept back from the amount due, and whether the
seller collects the invoice by direct debit (read once, so that planning never loads the invoice's data)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("holdback", sa.Numeric(18, 2), nullable=True))
    op.add_column("invoices", sa.Column("debited", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("debited")
        batch.drop_column("holdback")
