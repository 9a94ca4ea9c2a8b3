"""attestation versions written by admins

Revision ID: h17b0attest
Revises: h17a0meetings
Create Date: 2026-12-01 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h17b0attest'
down_revision = 'h17a0meetings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attestation_texts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_attestation_texts_created_by_id_users'), 'users',
                                    ['created_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('attestation_texts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attestation_texts_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('created_by_id')
