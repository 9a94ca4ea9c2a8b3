"""leaders' professional background, shown on the public pages of the series they lead

Revision ID: v4bground01
Revises: u5merge01
Create Date: 2026-12-06 03:37:11.095094

"""
from alembic import op
import sqlalchemy as sa


revision = 'v4bground01'
down_revision = 'u5merge01'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch rebuild of users, which every other table refers to).
    op.add_column('users', sa.Column('background', sa.String(length=600), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('background')
