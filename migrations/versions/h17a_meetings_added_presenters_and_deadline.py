"""per-meeting presenter count and a registration deadline per series

Revision ID: h17a0meetings
Revises: f6merge01
Create Date: 2026-12-01 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h17a0meetings'
down_revision = 'f6merge01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presenter_count', sa.Integer(), nullable=True))
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_deadline', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_column('registration_deadline')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('presenter_count')
