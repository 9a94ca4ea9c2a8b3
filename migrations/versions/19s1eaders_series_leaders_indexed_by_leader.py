"""series_leaders indexed by leader: "the series this person leads" is asked on every feed poll

Revision ID: 19s1eaders
Revises: f6merge01
Create Date: 2026-12-01 20:21:20.790167

"""
from alembic import op


revision = '19s1eaders'
down_revision = 'f6merge01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('series_leaders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_leaders_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('series_leaders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_leaders_user_id'))
