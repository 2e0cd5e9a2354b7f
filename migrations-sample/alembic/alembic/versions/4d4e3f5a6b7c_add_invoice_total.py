"""add invoice total (another branch from the same revision: two heads)

Revision ID: 4d4e3f5a6b7c
Revises: 2b2e1d3c4b5a
Create Date: 2026-11-20 11:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4d4e3f5a6b7c'
down_revision = '2b2e1d3c4b5a'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('invoices', sa.Column('total_cents', sa.BigInteger))


def downgrade():
    op.drop_column('invoices', 'total_cents')
