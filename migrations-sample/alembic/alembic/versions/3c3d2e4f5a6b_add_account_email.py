"""add account email (one branch)

Revision ID: 3c3d2e4f5a6b
Revises: 2b2e1d3c4b5a
Create Date: 2026-11-20 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3c3d2e4f5a6b'
down_revision = '2b2e1d3c4b5a'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('accounts', sa.Column('email', sa.Text))


def downgrade():
    op.drop_column('accounts', 'email')
