"""add invoices

Revision ID: 2b2e1d3c4b5a
Revises: 1a1f0c2d3e4f
Create Date: 2026-11-20 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic (the typed form newer templates write).
revision: str = "2b2e1d3c4b5a"
down_revision: Union[str, None] = "1a1f0c2d3e4f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'invoices',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('account_id', sa.Integer, sa.ForeignKey('accounts.id'), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('invoices')
