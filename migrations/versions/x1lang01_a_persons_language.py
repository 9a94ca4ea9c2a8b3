"""a person's language for pages and emails (None: as their browser asks)

Revision ID: x1lang01
Revises: w17merge01
Create Date: 2026-12-06 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'x1lang01'
down_revision = 'w17merge01'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch rebuild of users, which every other table refers to).
    op.add_column('users', sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
