"""create accounts

Revision ID: 1a1f0c2d3e4f
Revises:
Create Date: 2026-11-20 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '1a1f0c2d3e4f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accounts',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('name', sa.Text, nullable=False),
    )


def downgrade():
    op.drop_table('accounts')
